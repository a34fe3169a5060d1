//! Snapshot export and import through the routes the official CLI uses (`npx convex
//! export` / `import`), so Convex cloud, self-hosted Convex and the local engine answer
//! alike: an export is requested, followed through `exports:getLatest` until it settles and
//! downloaded by its timestamp; an import is uploaded in parts, followed through
//! `queryImport` and, when the deployment asks (`waiting_for_confirmation`, with its
//! summary of what the import changes), confirmed with `perform_import`.
//!
//! It must not read or write ZIP contents, nor decide whether a write is allowed: the
//! caller (the studio) does, and the deployment refuses what it refuses.

use std::io::{Read, Write};
use std::time::Duration;

use atrium_protocol::convex_json;
use atrium_protocol::snapshot::{
    ExportRecord, FinishUpload, ImportArgs, ImportRecord, ImportStarted, ImportState,
    PerformImport, StartUpload, UPLOAD_PART_BYTES, path,
};
use atrium_value::Value;
use serde::de::DeserializeOwned;

use crate::{ClientError, DeploymentClient};

/// How often a settling export or import is asked about.
const POLL: Duration = Duration::from_millis(250);

/// Bytes done and, where known, the total: called as a download or upload advances.
pub type Progress<'a> = &'a mut (dyn FnMut(u64, Option<u64>) + Send);

impl DeploymentClient {
    /// Starts an export (with stored files when `include_storage`) and waits until it
    /// completes: its record. A failed export is an error with the deployment's words.
    pub async fn export_snapshot(
        &self,
        include_storage: bool,
    ) -> Result<ExportRecord, ClientError> {
        let before = self.latest_export().await?.and_then(|r| r.start_ts());
        let url =
            format!("{}?includeStorage={include_storage}", self.endpoint(path::REQUEST_EXPORT));
        let (status, text) = self.send(self.authorize(self.http.post(url))).await?;
        if !status.is_success() {
            self.decode::<serde_json::Value>(status, &text)?;
        }
        loop {
            if let Some(record) = self.latest_export().await? {
                let newer = record.start_ts().is_some_and(|ts| Some(ts) != before);
                match record.state.as_str() {
                    "completed" if newer => return Ok(record),
                    "failed" => {
                        return Err(self.refused("ExportFailed", "The snapshot export failed"));
                    }
                    _ => {}
                }
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The newest export's record, if any.
    pub async fn latest_export(&self) -> Result<Option<ExportRecord>, ClientError> {
        let value = self.query(path::LATEST_EXPORT, &Value::Object(Default::default())).await?;
        if value == Value::Null {
            return Ok(None);
        }
        self.shaped(path::LATEST_EXPORT, &value).map(Some)
    }

    /// Writes the export taken at `start_ts` to `out`, chunk by chunk: its size.
    pub async fn download_export(
        &self,
        start_ts: i64,
        out: &mut (dyn Write + Send),
        progress: Progress<'_>,
    ) -> Result<u64, ClientError> {
        let url = format!("{}/{start_ts}", self.endpoint(path::DOWNLOAD_EXPORT));
        let lost =
            |e: reqwest::Error| ClientError::Unreachable { url: self.url(), reason: e.to_string() };
        let mut response = self.authorize(self.http.get(url)).send().await.map_err(lost)?;
        let status = response.status();
        if !status.is_success() {
            let text = response.text().await.map_err(lost)?;
            return self.decode::<serde_json::Value>(status, &text).map(|_| 0);
        }
        let total = response.content_length();
        let mut written = 0u64;
        while let Some(chunk) = response.chunk().await.map_err(lost)? {
            out.write_all(&chunk)
                .map_err(|e| self.refused("Io", &format!("Could not write the snapshot: {e}")))?;
            written += chunk.len() as u64;
            progress(written, total);
        }
        if total.is_some_and(|t| t != written) {
            return Err(self.refused("ExportTruncated", "The snapshot download ended early"));
        }
        Ok(written)
    }

    /// Uploads `file` (`size` bytes) in parts and asks the deployment to import it as
    /// `args` say: the import's ID. The import then runs, or waits for confirmation.
    pub async fn upload_import(
        &self,
        file: &mut (dyn Read + Send),
        size: u64,
        args: ImportArgs,
        progress: Progress<'_>,
    ) -> Result<String, ClientError> {
        let start: StartUpload = self.post_json(path::START_UPLOAD, None::<&()>).await?;
        let mut part_tokens = Vec::new();
        let (mut sent, mut number) = (0u64, 1u32);
        loop {
            let mut part = Vec::with_capacity(UPLOAD_PART_BYTES);
            Read::take(&mut *file, UPLOAD_PART_BYTES as u64)
                .read_to_end(&mut part)
                .map_err(|e| self.refused("Io", &format!("Could not read the snapshot: {e}")))?;
            if part.is_empty() && number > 1 {
                break;
            }
            let len = part.len() as u64;
            let url = format!(
                "{}?uploadToken={}&partNumber={number}",
                self.endpoint(path::UPLOAD_PART),
                urlencode(&start.upload_token)
            );
            let request =
                self.http.post(url).header("Content-Type", "application/octet-stream").body(part);
            let (status, text) = self.send(self.authorize(request)).await?;
            part_tokens.push(self.decode::<serde_json::Value>(status, &text)?);
            sent += len;
            number += 1;
            progress(sent, Some(size));
            if len < UPLOAD_PART_BYTES as u64 {
                break;
            }
        }
        let body = FinishUpload { import: args, upload_token: start.upload_token, part_tokens };
        let started: ImportStarted = self.post_json(path::FINISH_UPLOAD, Some(&body)).await?;
        Ok(started.import_id)
    }

    /// The import's state, asked again until it settles: waits for confirmation (unless
    /// `confirmed`: the confirmation was sent and may not have been seen yet), completes or
    /// fails. `on_state` sees each state read (its `progress_message`, ...).
    pub async fn settled_import(
        &self,
        import_id: &str,
        confirmed: bool,
        on_state: &mut (dyn FnMut(&ImportState) + Send),
    ) -> Result<ImportState, ClientError> {
        loop {
            let state = self.import_state(import_id).await?;
            on_state(&state);
            let waiting = state.state == "waiting_for_confirmation";
            if state.is_settled() && !(confirmed && waiting) {
                return Ok(state);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The import's state now.
    pub async fn import_state(&self, import_id: &str) -> Result<ImportState, ClientError> {
        let args = convex_json::to_value(&PerformImport { import_id: import_id.to_owned() })
            .expect("an import ID is a Convex object");
        let value = self.query(path::QUERY_IMPORT, &args).await?;
        Ok(self.shaped::<ImportRecord>(path::QUERY_IMPORT, &value)?.state)
    }

    /// Confirms an import that waits for confirmation.
    pub async fn perform_import(&self, import_id: &str) -> Result<(), ClientError> {
        let body = PerformImport { import_id: import_id.to_owned() };
        let request =
            self.authorize(self.http.post(self.endpoint(path::PERFORM_IMPORT)).json(&body));
        let (status, text) = self.send(request).await?;
        if status.is_success() {
            return Ok(());
        }
        self.decode::<serde_json::Value>(status, &text).map(|_| ())
    }

    async fn post_json<B: serde::Serialize, T: DeserializeOwned>(
        &self,
        route: &str,
        body: Option<&B>,
    ) -> Result<T, ClientError> {
        let mut request = self.http.post(self.endpoint(route));
        if let Some(body) = body {
            request = request.json(body);
        }
        let (status, text) = self.send(self.authorize(request)).await?;
        self.decode(status, &text)
    }

    fn shaped<T: DeserializeOwned>(&self, what: &str, value: &Value) -> Result<T, ClientError> {
        convex_json::from_value(value).map_err(|reason| ClientError::NotADeployment {
            url: self.url(),
            reason: format!("{what} answered an unexpected shape ({reason})"),
        })
    }

    fn refused(&self, code: &str, message: &str) -> ClientError {
        ClientError::Http {
            url: self.url(),
            status: 200,
            code: code.into(),
            message: message.into(),
        }
    }
}

/// The upload token as a query parameter (tokens are URL-safe on Convex and here; anything
/// else is percent-encoded).
fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
