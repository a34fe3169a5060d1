//! Stored files through Convex's own dashboard functions (`_system/frontend/fileStorageV2:*`,
//! which a Convex cloud or self-hosted deployment serves too) and its storage routes: the
//! count, pages newest first with URLs, delete, an upload URL and the upload itself; and
//! Atrium's extension naming the documents that refer to a file (`None` from a deployment
//! without it).
//!
//! Every call names the component instance whose files it is about (`component_id`, an ID
//! from `components:list`; `None`: the app), since each instance stores its own.
//!
//! It must not know which deployment it talks to: the local engine answers the same calls.

use atrium_protocol::convex_json;
use atrium_protocol::dashboard::{PaginationOpts, SortOrder};
use atrium_protocol::schedules::ComponentArgs;
use atrium_protocol::storage::{
    FileFilters, FileMetadata, FileMetadataArgs, FilePage, FileReferences, FileReferencesArgs,
    StorageIdArgs, StorageIdsArgs, UploadAnswer, path,
};
use atrium_value::Value;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{ClientError, DeploymentClient};

fn args_of<T: Serialize>(args: &T) -> Value {
    convex_json::to_value(args).expect("file function arguments are always Convex JSON")
}

fn decode<T: DeserializeOwned>(what: &str, value: &Value) -> Result<T, ClientError> {
    convex_json::from_value(value).map_err(|reason| ClientError::NotADeployment {
        url: String::new(),
        reason: format!("{what} has an unexpected shape ({reason})"),
    })
}

impl DeploymentClient {
    /// How many files the instance `component_id` stores (the app when `None`).
    pub async fn file_count(&self, component_id: Option<&str>) -> Result<u64, ClientError> {
        let args = ComponentArgs { component_id: component_id.map(str::to_owned) };
        let value = self.query(path::NUM_FILES, &args_of(&args)).await?;
        decode::<f64>("the file count", &value).map(|n| n as u64)
    }

    /// A page of files, newest first unless `oldest_first`, after `cursor`.
    pub async fn file_page(
        &self,
        component_id: Option<&str>,
        cursor: Option<String>,
        num_items: u32,
        oldest_first: bool,
    ) -> Result<FilePage, ClientError> {
        let args = FileMetadataArgs {
            pagination_opts: PaginationOpts { num_items: Some(f64::from(num_items)), cursor },
            filters: Some(FileFilters {
                order: Some(if oldest_first { SortOrder::Asc } else { SortOrder::Desc }),
                ..FileFilters::default()
            }),
            component_id: component_id.map(str::to_owned),
        };
        decode("a page of files", &self.query(path::FILE_METADATA, &args_of(&args)).await?)
    }

    /// One file, or `None` when there is none with this ID.
    pub async fn file(
        &self,
        component_id: Option<&str>,
        storage_id: &str,
    ) -> Result<Option<FileMetadata>, ClientError> {
        let component_id = component_id.map(str::to_owned);
        let args = args_of(&StorageIdArgs { storage_id: storage_id.to_owned(), component_id });
        decode("a file", &self.query(path::GET_FILE, &args).await?)
    }

    /// The documents that hold `storage_id` (Atrium extension: `None` from a deployment
    /// without it).
    pub async fn file_references(
        &self,
        component_id: Option<&str>,
        storage_id: &str,
        limit: u32,
    ) -> Result<Option<FileReferences>, ClientError> {
        let args = args_of(&FileReferencesArgs {
            storage_id: storage_id.to_owned(),
            limit: Some(f64::from(limit)),
            component_id: component_id.map(str::to_owned),
        });
        match self.query(path::FILE_REFERENCES, &args).await {
            Ok(value) => decode("the file's references", &value).map(Some),
            Err(error) if crate::dashboard::is_missing_function(&error) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Deletes files (all or none).
    pub async fn delete_files(
        &self,
        component_id: Option<&str>,
        storage_ids: &[String],
    ) -> Result<(), ClientError> {
        let component_id = component_id.map(str::to_owned);
        let args = args_of(&StorageIdsArgs { storage_ids: storage_ids.to_vec(), component_id });
        self.mutation(path::DELETE_FILES, &args).await.map(|_| ())
    }

    /// A fresh upload URL (`…/api/storage/upload?token=…`) for a file of the instance
    /// `component_id`.
    pub async fn file_upload_url(&self, component_id: Option<&str>) -> Result<String, ClientError> {
        let args = ComponentArgs { component_id: component_id.map(str::to_owned) };
        let value = self.mutation(path::GENERATE_UPLOAD_URL, &args_of(&args)).await?;
        decode("an upload URL", &value)
    }

    /// Uploads `bytes` as a new file of `content_type`; its storage ID.
    pub async fn upload_file(
        &self,
        component_id: Option<&str>,
        bytes: Vec<u8>,
        content_type: Option<&str>,
    ) -> Result<String, ClientError> {
        let url = self.file_upload_url(component_id).await?;
        let mut request = self.http.post(&url).body(bytes);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request
            .send()
            .await
            .map_err(|e| ClientError::Unreachable { url: url.clone(), reason: e.to_string() })?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(ClientError::NotADeployment {
                url,
                reason: format!("the upload was refused ({status}): {text}"),
            });
        }
        let answer: UploadAnswer = serde_json::from_str(&text).map_err(|e| {
            ClientError::NotADeployment { url, reason: format!("unexpected upload answer: {e}") }
        })?;
        Ok(answer.storage_id)
    }
}
