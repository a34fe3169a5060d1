//! The Files area's commands: the file count, pages of stored files newest first (size,
//! content type, creation time, ID, URL), deleting files, a fresh upload URL (the UI posts
//! to it itself, so it can show each file's progress) and an upload of bytes given as
//! base64 or of a file on this machine's disk (for hosts whose webview cannot post); and the
//! documents that refer to a file.
//!
//! Every command names a component instance by its path (the app's when absent), whose
//! own files it sees; the deployment's `componentId` for it comes from `components:list`.
//!
//! Everything but the last goes through the client's calls to Convex's own dashboard file
//! functions and storage routes, so a Convex deployment answers them too; the references
//! are Atrium's engine's extension, and a deployment without it answers `offered: false`. It must not format for display
//! (the UI words sizes and times) nor hold a file's bytes longer than one upload.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::components::component_id;
use crate::{CommandError, ErrorCode, Studio};

/// The most files one page may ask for.
const MAX_PAGE: u32 = 500;

/// Which page of files to list (newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct FilesRequest {
    /// The component instance (its path); absent or `""` for the app's. Each instance
    /// stores its own files.
    #[serde(default)]
    pub component: Option<String>,
    /// The cursor a previous page answered; the first page when absent.
    #[serde(default)]
    pub cursor: Option<String>,
    /// How many files (at most 500; 100 when absent).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One stored file.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FileView {
    /// The storage ID.
    pub id: String,
    /// ms since the epoch.
    pub creation_ms: f64,
    pub size: f64,
    pub content_type: Option<String>,
    pub sha256: String,
    /// Where the deployment serves the file.
    pub url: String,
}

/// A page of files, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FilePageView {
    pub files: Vec<FileView>,
    /// The cursor of the next page; `None` when this page is the last.
    pub next_cursor: Option<String>,
    /// How many files the deployment stores.
    pub total: f64,
}

/// Files to delete (all or none).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct FilesDelete {
    pub ids: Vec<String>,
    /// The component instance (its path); absent or `""` for the app's. Each instance
    /// stores its own files.
    #[serde(default)]
    pub component: Option<String>,
    #[serde(default)]
    pub confirmed: bool,
}

/// A write that needs only the safe-mode confirmation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct FilesConfirm {
    /// The component instance (its path); absent or `""` for the app's. Each instance
    /// stores its own files.
    #[serde(default)]
    pub component: Option<String>,
    #[serde(default)]
    pub confirmed: bool,
}

/// A file to upload: its bytes as base64 (`base64`) or a path on this machine (`path`),
/// exactly one of them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct FileUpload {
    /// The component instance (its path); absent or `""` for the app's. Each instance
    /// stores its own files.
    #[serde(default)]
    pub component: Option<String>,
    #[serde(default)]
    pub base64: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    /// The content type to store; none when absent.
    #[serde(default)]
    pub content_type: Option<String>,
    #[serde(default)]
    pub confirmed: bool,
}

/// An uploaded file's storage ID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FileUploaded {
    pub id: String,
}

/// A file by its storage ID.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct FileRef {
    pub id: String,
    /// The component instance (its path); absent or `""` for the app's. Each instance
    /// stores its own files.
    #[serde(default)]
    pub component: Option<String>,
}

/// One document that holds a file's ID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FileReferenceView {
    pub table: String,
    /// The document's `_id`.
    pub id: String,
    /// Where the ID sits in it (`avatar`, `photos[2]`).
    pub fields: Vec<String>,
    /// Whether one of those fields is declared `v.id("_storage")`.
    pub declared: bool,
}

/// The documents that refer to a file.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FileReferencesView {
    /// False when the deployment cannot search for them (a Convex deployment).
    pub offered: bool,
    pub references: Vec<FileReferenceView>,
    /// How many documents were searched.
    pub searched: f64,
    /// False when the search stopped before the end (too many documents or references).
    pub complete: bool,
}

/// The most referring documents listed.
const MAX_REFERENCES: u32 = 50;

const HINT: &str = "; its files cannot be changed.";

fn view(file: atrium_protocol::storage::FileMetadata) -> FileView {
    FileView {
        id: file.id,
        creation_ms: file.creation_time,
        size: file.size,
        content_type: file.content_type,
        sha256: file.sha256,
        url: file.url,
    }
}

pub(super) async fn files_list(
    studio: &Arc<Studio>,
    request: FilesRequest,
) -> Result<FilePageView, CommandError> {
    let connected = studio.connected()?;
    let http = &connected.http;
    let limit = request.limit.unwrap_or(100);
    if limit == 0 || limit > MAX_PAGE {
        return Err(CommandError::new(
            ErrorCode::BadRequest,
            format!("A page holds 1 to {MAX_PAGE} files, not {limit}."),
        ));
    }
    let component = component_id(&connected, request.component.as_deref()).await?;
    let component = component.as_deref();
    let page = http.file_page(component, request.cursor, limit, false).await?;
    let total = http.file_count(component).await? as f64;
    Ok(FilePageView {
        files: page.page.into_iter().map(view).collect(),
        next_cursor: (!page.is_done).then_some(page.continue_cursor),
        total,
    })
}

pub(super) async fn files_count(studio: &Arc<Studio>, _: ()) -> Result<f64, CommandError> {
    Ok(studio.connected()?.http.file_count(None).await? as f64)
}

pub(super) async fn files_delete(
    studio: &Arc<Studio>,
    request: FilesDelete,
) -> Result<(), CommandError> {
    let connected = studio.connected()?;
    connected.allow_write(request.confirmed, HINT, "deleting files")?;
    if request.ids.is_empty() {
        return Err(CommandError::new(ErrorCode::BadRequest, "No files to delete were named."));
    }
    let component = component_id(&connected, request.component.as_deref()).await?;
    Ok(connected.http.delete_files(component.as_deref(), &request.ids).await?)
}

pub(super) async fn files_upload_url(
    studio: &Arc<Studio>,
    request: FilesConfirm,
) -> Result<String, CommandError> {
    let connected = studio.connected()?;
    connected.allow_write(request.confirmed, HINT, "uploading files")?;
    let component = component_id(&connected, request.component.as_deref()).await?;
    Ok(connected.http.file_upload_url(component.as_deref()).await?)
}

pub(super) async fn files_references(
    studio: &Arc<Studio>,
    request: FileRef,
) -> Result<FileReferencesView, CommandError> {
    let connected = studio.connected()?;
    let component = component_id(&connected, request.component.as_deref()).await?;
    let found = connected.http.file_references(component.as_deref(), &request.id, MAX_REFERENCES);
    let Some(found) = found.await? else {
        return Ok(FileReferencesView {
            offered: false,
            references: Vec::new(),
            searched: 0.0,
            complete: false,
        });
    };
    Ok(FileReferencesView {
        offered: true,
        references: found
            .references
            .into_iter()
            .map(|r| FileReferenceView {
                table: r.table,
                id: r.id,
                fields: r.fields,
                declared: r.declared,
            })
            .collect(),
        searched: found.searched,
        complete: found.complete,
    })
}

/// The bytes an upload request names.
async fn upload_bytes(request: &FileUpload) -> Result<Vec<u8>, CommandError> {
    match (&request.base64, &request.path) {
        (Some(text), None) => BASE64.decode(text.trim()).map_err(|e| {
            CommandError::new(
                ErrorCode::BadRequest,
                format!("The file's base64 is not valid: {e}."),
            )
        }),
        (None, Some(path)) => tokio::fs::read(path)
            .await
            .map_err(|e| CommandError::new(ErrorCode::Io, format!("Could not read {path}: {e}."))),
        _ => Err(CommandError::new(
            ErrorCode::BadRequest,
            "An upload names its bytes as `base64` or a `path`, exactly one of them.",
        )),
    }
}

pub(super) async fn files_upload(
    studio: &Arc<Studio>,
    request: FileUpload,
) -> Result<FileUploaded, CommandError> {
    let connected = studio.connected()?;
    connected.allow_write(request.confirmed, HINT, "uploading files")?;
    let bytes = upload_bytes(&request).await?;
    let content_type = request.content_type.as_deref().filter(|t| !t.is_empty());
    let component = component_id(&connected, request.component.as_deref()).await?;
    let id = connected.http.upload_file(component.as_deref(), bytes, content_type).await?;
    Ok(FileUploaded { id })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(base64: Option<&str>, path: Option<&str>) -> FileUpload {
        FileUpload {
            base64: base64.map(str::to_owned),
            path: path.map(str::to_owned),
            content_type: None,
            confirmed: false,
            component: None,
        }
    }

    #[tokio::test]
    async fn an_upload_names_exactly_one_source() {
        assert_eq!(upload_bytes(&upload(Some("aGk="), None)).await.unwrap(), b"hi");
        let both = upload_bytes(&upload(Some("aGk="), Some("/x"))).await.unwrap_err();
        assert!(both.message.contains("exactly one"), "{}", both.message);
        let bad = upload_bytes(&upload(Some("!!"), None)).await.unwrap_err();
        assert!(bad.message.contains("base64"), "{}", bad.message);
        let missing = upload_bytes(&upload(None, Some("/no/such/file"))).await.unwrap_err();
        assert!(missing.message.contains("/no/such/file"), "{}", missing.message);
    }
}
