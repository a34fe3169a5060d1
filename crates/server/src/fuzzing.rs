//! The server's parsers of untrusted bodies, opened for the fuzz targets (`fuzz/`): each
//! function calls the parser exactly as its route does. Nothing else may use this module;
//! it holds no logic of its own.

use atrium_engine::Engine;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, header};
use serde_json::Value as Json;

/// A push request body as `/api/deploy2/*` reads it (Brotli when `brotli`), then the modules
/// a `start_push` names (against no current code).
pub fn push_body(brotli: bool, body: &[u8]) -> Result<usize, String> {
    let mut headers = HeaderMap::new();
    if brotli {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
    }
    let json: Json = crate::push::body_json(&headers, &Bytes::copy_from_slice(body))?;
    crate::push::modules_of(&json, &[]).map(|modules| modules.len())
}

/// A snapshot import (`format`: `zip`, `jsonLines`, `jsonArray`; `mode` as the import API
/// names it) into `engine`; how many documents were written.
pub fn import(
    engine: &Engine,
    bytes: &[u8],
    format: &str,
    table: Option<&str>,
    mode: &str,
) -> Result<u64, String> {
    let mode = crate::snapshot::ImportMode::parse(Some(mode))?;
    crate::snapshot::import(
        engine,
        bytes,
        format,
        table,
        mode,
        crate::snapshot::Requestor::SnapshotImport,
    )
}
