//! File storage's wire contracts: the answer to `POST /api/storage/upload?token=…`, the
//! error codes the upload and download routes answer with (`{code, message}` as
//! [`ErrorBody`](crate::http::ErrorBody)), and the arguments and answers of Convex's
//! dashboard file functions ([`path`]).

use serde::{Deserialize, Serialize};

/// `POST /api/storage/upload?token=…`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadAnswer {
    pub storage_id: String,
}

/// The upload URL's query string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadQuery {
    pub token: String,
}

/// The token is not one this deployment issued (or was already used).
pub const TOKEN_INVALID: &str = "StorageTokenInvalid";
/// The token's hour is over.
pub const TOKEN_EXPIRED: &str = "StorageTokenExpired";
/// A header that cannot be read (`Digest`, `Content-Type`).
pub const BAD_HEADER: &str = "BadHeader";
/// `GET /api/storage/<x>` where `x` is not a storage ID.
pub const INVALID_STORAGE_PATH: &str = "InvalidStoragePath";
/// No file has this ID.
pub const FILE_NOT_FOUND: &str = "FileNotFound";

/// Convex's dashboard functions for files (`_system/frontend/fileStorageV2:*`), with the
/// names and argument shapes Convex's own dashboard sends. Every one also takes an
/// optional `componentId` (`null`: the app): the instance whose files they see, as each
/// component stores its own (`numFiles` and `generateUploadUrl` take only that,
/// [`crate::schedules::ComponentArgs`]).
pub mod path {
    pub const NUM_FILES: &str = "_system/frontend/fileStorageV2:numFiles";
    pub const FILE_METADATA: &str = "_system/frontend/fileStorageV2:fileMetadata";
    pub const GET_FILE: &str = "_system/frontend/fileStorageV2:getFile";
    pub const DELETE_FILE: &str = "_system/frontend/fileStorageV2:deleteFile";
    pub const DELETE_FILES: &str = "_system/frontend/fileStorageV2:deleteFiles";
    pub const GENERATE_UPLOAD_URL: &str = "_system/frontend/fileStorageV2:generateUploadUrl";
    /// Atrium's extension (a Convex deployment lacks it): the documents that refer to a
    /// file ([`super::FileReferencesArgs`] → [`super::FileReferences`]).
    pub const FILE_REFERENCES: &str = "_system/atrium/fileReferences:default";
}

/// `fileMetadata`'s `filters`: a creation-time window and the order (newest first unless
/// `asc`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileFilters {
    #[serde(default, with = "crate::convex_json::option_number")]
    pub min_creation_time: Option<f64>,
    #[serde(default, with = "crate::convex_json::option_number")]
    pub max_creation_time: Option<f64>,
    #[serde(default)]
    pub order: Option<crate::dashboard::SortOrder>,
}

/// `fileMetadata`: `{paginationOpts, filters?}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileMetadataArgs {
    pub pagination_opts: crate::dashboard::PaginationOpts,
    #[serde(default)]
    pub filters: Option<FileFilters>,
    /// The component instance (`componentId`, as `components:list` names it); the app's
    /// files when `null` or absent.
    #[serde(default)]
    pub component_id: Option<String>,
}

/// `getFile` and `deleteFile`: `{storageId, componentId?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageIdArgs {
    pub storage_id: String,
    /// The component instance (`componentId`, as `components:list` names it); the app's
    /// files when `null` or absent.
    #[serde(default)]
    pub component_id: Option<String>,
}

/// `deleteFiles`: `{storageIds, componentId?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageIdsArgs {
    pub storage_ids: Vec<String>,
    /// The component instance (`componentId`, as `components:list` names it); the app's
    /// files when `null` or absent.
    #[serde(default)]
    pub component_id: Option<String>,
}

/// One file as the dashboard functions answer it: its `_storage` document and its URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileMetadata {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(rename = "_creationTime")]
    pub creation_time: f64,
    pub sha256: String,
    pub size: f64,
    #[serde(rename = "contentType")]
    pub content_type: Option<String>,
    pub url: String,
}

/// `fileMetadata`'s answer: a page of files and the cursor to the next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilePage {
    pub page: Vec<FileMetadata>,
    pub is_done: bool,
    pub continue_cursor: String,
}

/// `fileReferences` (Atrium): `{storageId, limit?, componentId?}` — the documents of the
/// file's instance that hold it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileReferencesArgs {
    pub storage_id: String,
    /// The most documents to name (the server's default when absent).
    #[serde(
        default,
        with = "crate::convex_json::option_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub limit: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component_id: Option<String>,
}

/// One document that holds a file's ID.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileReference {
    pub table: String,
    /// The document's `_id`.
    pub id: String,
    /// Where in the document the ID sits (`avatar`, `photos[2]`, `meta.file`).
    pub fields: Vec<String>,
    /// Whether one of those fields is declared `v.id("_storage")` in the schema.
    pub declared: bool,
}

/// `fileReferences`'s answer: the referring documents (tables with fields declared
/// `v.id("_storage")` searched first), and whether every document was searched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileReferences {
    pub references: Vec<FileReference>,
    /// How many documents were searched.
    #[serde(with = "crate::convex_json::number")]
    pub searched: f64,
    /// False when the search stopped early (the limit of references or of documents).
    pub complete: bool,
}
