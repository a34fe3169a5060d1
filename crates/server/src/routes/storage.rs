//! File storage's HTTP surface, as Convex serves it: `POST /api/storage/upload?token=…`
//! streams the body to the blob store (hashing as it writes, never holding it in memory)
//! and answers `{storageId}`; `GET`/`HEAD /api/storage/<id>` serves a file with its type,
//! length, `Digest`, `ETag` and one `Range`.
//!
//! Public routes (the token, or knowing the ID, is the permission). It must not decide
//! routing (`server.rs` does) nor keep tokens (`file_urls.rs` does).

use std::collections::HashMap;
use std::io::SeekFrom;

use atrium_engine::STORAGE_TABLE;
use atrium_protocol::storage::{
    BAD_HEADER, FILE_NOT_FOUND, INVALID_STORAGE_PATH, TOKEN_EXPIRED, TOKEN_INVALID, UploadAnswer,
};
use atrium_value::DocumentId;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::file_urls::TokenError;
use crate::state::{ApiError, AppState, internal};

/// Bytes read from disk per chunk of a download (ReaderStream's default, 4 KiB, halves
/// the throughput of a large file).
const CHUNK: usize = 256 * 1024;

/// Files up to this size are read in the same blocking call that finds their row and served
/// from memory; larger ones are streamed.
const SMALL: u64 = 64 * 1024;

/// The largest upload: a body that says (`Content-Length`) or turns out to be longer is
/// refused with 413, and what was written of it removed, so one request cannot fill the disk.
pub(crate) const MAX_UPLOAD_BYTES: u64 = 1 << 30;

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "FileTooLarge",
        format!("The file is too large: the limit is {MAX_UPLOAD_BYTES} bytes"),
    )
}

/// Files never change under an ID, so browsers may keep them (Convex's 30 days).
const CACHE_CONTROL: &str = "private, max-age=2592000";

fn b64() -> &'static base64::engine::GeneralPurpose {
    &base64::engine::general_purpose::STANDARD
}

/// Removes an upload's temporary file when the upload ends early (after the rename there
/// is nothing left to remove).
struct TempFile(std::path::PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// `Digest: sha-256=<base64>`, when given.
fn expected_digest(headers: &HeaderMap) -> Result<Option<[u8; 32]>, ApiError> {
    let Some(value) = headers.get("digest") else { return Ok(None) };
    let bad =
        |why: &str| ApiError::bad_request(BAD_HEADER, format!("Bad header for Digest: {why}"));
    let text = value.to_str().map_err(|_| bad("not ASCII"))?;
    let encoded = text
        .split(',')
        .find_map(|part| {
            let (algorithm, value) = part.trim().split_once('=')?;
            algorithm.eq_ignore_ascii_case("sha-256").then_some(value)
        })
        .ok_or_else(|| bad("expected sha-256=<base64>"))?;
    let bytes = b64().decode(encoded).map_err(|e| bad(&e.to_string()))?;
    Ok(Some(bytes.try_into().map_err(|_| bad("a SHA-256 has 32 bytes"))?))
}

/// `POST /api/storage/upload?token=…`: the body, streamed into the blob store, becomes a
/// file; its `_storage` row (in the token's component instance) is committed once the bytes
/// are in place.
pub(crate) async fn upload(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<UploadAnswer>, ApiError> {
    let token = query.get("token").map(String::as_str).unwrap_or_default();
    let component = state.deployment.upload_tokens().redeem(token).map_err(|e| match e {
        TokenError::Invalid => ApiError::new(
            StatusCode::UNAUTHORIZED,
            TOKEN_INVALID,
            "Couldn't decode the StoreFileAuthorization token",
        ),
        TokenError::Expired => ApiError::new(
            StatusCode::UNAUTHORIZED,
            TOKEN_EXPIRED,
            "Store File Authorization expired",
        ),
    })?;
    let content_type = match headers.get(header::CONTENT_TYPE) {
        None => None,
        Some(value) => Some(value.to_str().map(str::to_owned).map_err(|_| {
            ApiError::bad_request(BAD_HEADER, "Bad header for Content-Type: not ASCII")
        })?),
    };
    let expected = expected_digest(&headers)?;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_UPLOAD_BYTES) {
        return Err(too_large());
    }

    let engine = state.deployment.engine().clone();
    let temp = TempFile(engine.blobs().temp_path());
    let mut file = tokio::fs::File::create(&temp.0).await.map_err(internal)?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request("BadBody", format!("The upload's body broke off: {e}"))
        })?;
        hasher.update(&chunk);
        size += chunk.len() as u64;
        if size > MAX_UPLOAD_BYTES {
            return Err(too_large());
        }
        file.write_all(&chunk).await.map_err(internal)?;
    }
    file.sync_all().await.map_err(internal)?;
    drop(file);
    let sha256: [u8; 32] = hasher.finalize().into();
    if let Some(expected) = expected
        && expected != sha256
    {
        return Err(ApiError::bad_request(
            "Sha256Mismatch",
            format!(
                "Sha256 mismatch. Expected: {} Actual: {}",
                b64().encode(expected),
                b64().encode(sha256)
            ),
        ));
    }
    let id = tokio::task::spawn_blocking(move || {
        let staged = engine.blobs().adopt(&temp.0, sha256, size).map_err(internal)?;
        let table = atrium_runtime::components::names::qualify(&component, STORAGE_TABLE);
        engine.commit_file(&table, &staged, content_type.as_deref()).map_err(internal)
    })
    .await
    .map_err(internal)??;
    Ok(Json(UploadAnswer { storage_id: id.encode() }))
}

fn not_found(id: &str) -> Response {
    ApiError::new(StatusCode::NOT_FOUND, FILE_NOT_FOUND, format!("File {id} not found"))
        .into_response()
}

/// `GET`/`HEAD /api/storage/<id>`: the file, or one range of it.
pub(crate) async fn download(
    State(state): State<AppState>,
    Path(text): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = DocumentId::decode(&text) else {
        return ApiError::bad_request(
            INVALID_STORAGE_PATH,
            format!("Invalid storage path: \"{text}\". Please use `storage.getUrl()` to generate a valid URL to retrieve files. See https://docs.convex.dev/file-storage/serve-files for more details"),
        )
        .into_response();
    };
    // The row, the open blob and (for a small file) its bytes, in one trip to the blocking
    // pool: a small file's download costs one hop, not one per open and per read.
    let engine = state.deployment.engine().clone();
    let found = tokio::task::spawn_blocking(move || {
        let Some(file) = engine.file(&id).map_err(internal)? else { return Ok(None) };
        let Ok(mut blob) = std::fs::File::open(engine.blobs().path_of(&file.sha256)) else {
            return Ok(None); // Deleted (and collected) since the row was read.
        };
        let contents = if file.size <= SMALL {
            let mut bytes = Vec::with_capacity(file.size as usize);
            std::io::Read::read_to_end(&mut blob, &mut bytes).map_err(internal)?;
            Contents::Bytes(bytes)
        } else {
            Contents::File(tokio::fs::File::from_std(blob))
        };
        Ok::<_, ApiError>(Some((file, contents)))
    })
    .await;
    let (file, contents) = match found {
        Ok(Ok(Some(found))) => found,
        Ok(Ok(None)) => return not_found(&text),
        Ok(Err(e)) => return e.into_response(),
        Err(e) => return internal(e).into_response(),
    };
    let etag = format!("\"{}\"", hex::encode(file.sha256));
    let mut response = Response::builder()
        .header(header::CACHE_CONTROL, CACHE_CONTROL)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::ETAG, &etag);
    if let Some(content_type) = &file.content_type
        && let Ok(value) = HeaderValue::from_str(content_type)
    {
        response = response.header(header::CONTENT_TYPE, value);
    }
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return response.status(StatusCode::NOT_MODIFIED).body(Body::empty()).unwrap_or_default();
    }
    // One range is served; several, or one outside the file, get a bare 416; a header
    // that does not parse is ignored (the whole file), as Convex does.
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| http_range_header::parse_range_header(v).ok());
    if let Some(parsed) = range
        && file.size > 0
    {
        let ranges = match parsed.validate(file.size) {
            Ok(ranges) if ranges.len() == 1 => ranges,
            _ => return StatusCode::RANGE_NOT_SATISFIABLE.into_response(),
        };
        let (start, end) = (*ranges[0].start(), *ranges[0].end());
        let length = end - start + 1;
        let body = match contents {
            Contents::Bytes(bytes) => Body::from(bytes[start as usize..=end as usize].to_vec()),
            Contents::File(mut blob) => {
                if let Err(e) = blob.seek(SeekFrom::Start(start)).await {
                    return internal(e).into_response();
                }
                Body::from_stream(tokio_util::io::ReaderStream::with_capacity(
                    blob.take(length),
                    CHUNK,
                ))
            }
        };
        return response
            .status(StatusCode::PARTIAL_CONTENT)
            .header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{}", file.size))
            .header(header::CONTENT_LENGTH, length)
            .body(body)
            .unwrap_or_default();
    }
    let body = match contents {
        Contents::Bytes(bytes) => Body::from(bytes),
        Contents::File(blob) => {
            Body::from_stream(tokio_util::io::ReaderStream::with_capacity(blob, CHUNK))
        }
    };
    response
        .header("digest", format!("sha-256={}", b64().encode(file.sha256)))
        .header(header::CONTENT_LENGTH, file.size)
        .body(body)
        .unwrap_or_default()
}

/// A download's bytes: read whole when small, else streamed from the open blob.
enum Contents {
    Bytes(Vec<u8>),
    File(tokio::fs::File),
}
