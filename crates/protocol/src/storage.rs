//! File storage's HTTP bodies: the answer to `POST /api/storage/upload?token=…`, and the
//! error codes the upload and download routes answer with (`{code, message}` as
//! [`ErrorBody`](crate::http::ErrorBody)).

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
