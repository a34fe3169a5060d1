//! Snapshot export and import over HTTP, as the CLI and dashboard drive them:
//! `POST /api/export/request/zip`, `GET /api/export/zip/{key}`, `POST /api/import/
//! {start_upload, upload_part, finish_upload}` and `POST /api/perform_import`, all admin.
//! The ZIP layout and the import itself live in `crate::snapshot`; this module keeps the
//! records `exports:getLatest` and `queryImport` read. Exports and uploaded parts live in
//! temporary files beside the blob store, never whole in memory.
//!
//! It must not check the admin key itself: these routes are admin through their layer
//! (`server.rs`).

use std::collections::BTreeMap;
use std::sync::Arc;

use atrium_value::Value;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use crate::snapshot::Requestor;
use crate::state::{ApiError, AppState, internal, parse_body};

/// `POST /api/export/request/zip`: writes the snapshot now; `exports:getLatest` then reports
/// it completed.
pub(crate) async fn request_export(
    State(state): State<AppState>,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Result<StatusCode, ApiError> {
    let include_storage = query.get("includeStorage").is_some_and(|v| v == "true");
    let engine = state.deployment.engine().clone();
    let (ts, zip) = tokio::task::spawn_blocking(move || {
        let file = temp_file(&engine)?;
        let (ts, out) =
            crate::snapshot::export_zip(&engine, include_storage, std::io::BufWriter::new(file))?;
        let file = out.into_inner().map_err(|e| e.to_string())?;
        Ok::<_, String>((ts, file))
    })
    .await
    .map_err(internal)?
    .map_err(internal)?;
    let size = zip.as_file().metadata().map_err(internal)?.len();
    let (id, created) = crate::snapshot::record_id(533);
    let int = |n: u64| Value::Int64(n as i64);
    let mut document = atrium_value::Object::new();
    for (k, v) in [
        ("_id", Value::String(id.clone())),
        ("_creationTime", Value::Float64(created)),
        ("state", Value::from("completed")),
        ("start_ts", int(ts)),
        ("complete_ts", int(ts)),
        ("expiration_ts", int(ts + 30 * 24 * 3600 * 1_000_000_000)),
        ("zip_object_key", Value::String(format!("{ts}.zip"))),
        ("component", Value::Null),
        ("requestor", Value::from("snapshotExport")),
        ("size", int(size)),
    ] {
        document.insert(k.to_owned(), v);
    }
    let mut format = atrium_value::Object::new();
    format.insert("format".into(), Value::from("zip"));
    format.insert("include_storage".into(), Value::Boolean(include_storage));
    document.insert("format".into(), Value::Object(format));
    state.deployment.exports.lock().unwrap().push(crate::deployment::ExportRecord {
        document: Value::Object(document),
        id,
        start_ts: ts,
        zip: Arc::new(zip),
    });
    Ok(StatusCode::OK)
}

/// `GET /api/export/zip/{start_ts or id}`: the ZIP.
pub(crate) async fn download_export(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let record = state
        .deployment
        .exports
        .lock()
        .unwrap()
        .iter()
        .find(|r| r.id == key || r.start_ts.to_string() == key)
        .cloned()
        .ok_or_else(|| {
            ApiError::new(StatusCode::NOT_FOUND, "ExportNotFound", format!("No export {key}"))
        })?;
    let file = tokio::fs::File::open(record.zip.path()).await.map_err(internal)?;
    let length = file.metadata().await.map_err(internal)?.len();
    let mut response = Response::new(Body::from_stream(
        tokio_util::io::ReaderStream::with_capacity(file, 1 << 16),
    ));
    let name = format!("snapshot_{}_{}.zip", state.deployment.name(), record.start_ts);
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename={name}")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=2592000"));
    Ok(response)
}

fn unknown_token() -> ApiError {
    ApiError::bad_request("InvalidUploadToken", "Unknown upload token: start the upload again")
}

/// The blob store's temporary folder (cleared of leftovers at start).
fn temp_dir(engine: &atrium_engine::Engine) -> Result<std::path::PathBuf, String> {
    let dir = engine.blobs().root().join("tmp");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

/// A temporary file there, removed when dropped.
fn temp_file(engine: &atrium_engine::Engine) -> Result<tempfile::NamedTempFile, String> {
    tempfile::NamedTempFile::new_in(temp_dir(engine)?).map_err(|e| e.to_string())
}

pub(crate) async fn start_upload(State(state): State<AppState>) -> Json<serde_json::Value> {
    let (token, _) = crate::snapshot::record_id(534);
    state.deployment.uploads.lock().unwrap().insert(token.clone(), BTreeMap::new());
    Json(serde_json::json!({ "uploadToken": token }))
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UploadPart {
    upload_token: Option<String>,
    part_number: Option<u32>,
}

pub(crate) async fn upload_part(
    State(state): State<AppState>,
    Query(part): Query<UploadPart>,
    body: Bytes,
) -> Result<Json<String>, ApiError> {
    let (Some(token), Some(number)) = (part.upload_token, part.part_number) else {
        return Err(ApiError::bad_request(
            "InvalidUpload",
            "upload_part needs uploadToken and partNumber",
        ));
    };
    if !state.deployment.uploads.lock().unwrap().contains_key(&token) {
        return Err(unknown_token());
    }
    let engine = state.deployment.engine().clone();
    let part = tokio::task::spawn_blocking(move || {
        let mut part = tempfile::NamedTempFile::new_in(temp_dir(&engine)?)
            .map_err(|e| format!("Could not keep the part: {e}"))?;
        std::io::Write::write_all(&mut part, &body)
            .map_err(|e| format!("Could not keep the part: {e}"))?;
        Ok::<_, String>(part)
    })
    .await
    .map_err(internal)?
    .map_err(internal)?;
    let mut uploads = state.deployment.uploads.lock().unwrap();
    uploads.get_mut(&token).ok_or_else(unknown_token)?.insert(number, part);
    Ok(Json(format!("part-{number}")))
}

/// `POST /api/import/finish_upload`: runs the import at once (no confirmation step) and
/// records its outcome for `queryImport`.
pub(crate) async fn finish_upload(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let request: serde_json::Value = parse_body(&body)?;
    let token = request["uploadToken"].as_str().unwrap_or_default().to_owned();
    let parts =
        state.deployment.uploads.lock().unwrap().remove(&token).ok_or_else(unknown_token)?;
    let format = request
        .pointer("/import/format")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("jsonLines")
        .to_owned();
    let table =
        request.pointer("/import/tableName").and_then(serde_json::Value::as_str).map(str::to_owned);
    let mode_text =
        request.pointer("/import/mode").and_then(serde_json::Value::as_str).map(str::to_owned);
    let mode = crate::snapshot::ImportMode::parse(mode_text.as_deref())
        .map_err(|e| ApiError::bad_request("InvalidImport", e))?;
    let engine = state.deployment.engine().clone();
    let (f, t) = (format.clone(), table.clone());
    let outcome = tokio::task::spawn_blocking(move || {
        // The parts joined in one file; a ZIP is read from it entry by entry.
        let mut joined = temp_file(&engine)?;
        for (_, mut part) in parts {
            std::io::Seek::rewind(&mut part).map_err(|e| e.to_string())?;
            std::io::copy(&mut part, &mut joined).map_err(|e| e.to_string())?;
        }
        std::io::Seek::rewind(&mut joined).map_err(|e| e.to_string())?;
        if f == "zip" {
            let file = joined.reopen().map_err(|e| e.to_string())?;
            crate::snapshot::import_zip_file(&engine, file, mode, Requestor::SnapshotImport)
        } else {
            let bytes = std::fs::read(joined.path()).map_err(|e| e.to_string())?;
            crate::snapshot::import(
                &engine,
                &bytes,
                &f,
                t.as_deref(),
                mode,
                Requestor::SnapshotImport,
            )
        }
    })
    .await
    .map_err(internal)?;
    let (id, created) = crate::snapshot::record_id(534);
    let mut import_state = atrium_value::Object::new();
    match outcome {
        Ok(written) => {
            import_state.insert("state".into(), Value::from("completed"));
            import_state.insert("num_rows_written".into(), Value::Int64(written as i64));
        }
        Err(error) => {
            import_state.insert("state".into(), Value::from("failed"));
            import_state.insert("error_message".into(), Value::String(error));
        }
    }
    let mut format_doc = atrium_value::Object::new();
    format_doc.insert("format".into(), Value::String(format));
    if let Some(table) = table {
        format_doc.insert("table".into(), Value::String(table));
    }
    let mut document = atrium_value::Object::new();
    document.insert("_id".into(), Value::String(id.clone()));
    document.insert("_creationTime".into(), Value::Float64(created));
    document.insert("state".into(), Value::Object(import_state));
    document.insert("format".into(), Value::Object(format_doc));
    document
        .insert("mode".into(), Value::String(mode_text.unwrap_or_else(|| "requireEmpty".into())));
    document.insert("component_path".into(), Value::Null);
    document.insert(
        "requestor".into(),
        Value::Object([("type".to_string(), Value::from("snapshotImport"))].into_iter().collect()),
    );
    state.deployment.imports.lock().unwrap().push(crate::deployment::ImportRecord {
        id: id.clone(),
        document: Value::Object(document),
    });
    Ok(Json(serde_json::json!({ "importId": id })))
}

/// Imports run at finish_upload; there is nothing left to confirm.
pub(crate) async fn perform_import() -> StatusCode {
    StatusCode::OK
}
