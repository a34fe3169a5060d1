//! The studio's own log archive, for deployments that keep none Atrium can search (a
//! Convex deployment keeps its logs only briefly and offers no search): every entry the log
//! stream brings while connected is recorded in a SQLite file per saved connection, so
//! searches and per-function metrics reach past the entries held in memory, across
//! restarts. It is the log store the engine uses too (`atrium-logs`), opened on a file of the
//! studio's own.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use atrium_logs::{LogError, LogFilter, LogStore};
use serde_json::Value as Json;

/// Entries kept per connection (the oldest go first).
const KEPT: usize = 200_000;

/// One connection's recorded log archive.
#[derive(Debug, Clone)]
pub(crate) struct RecordedArchive {
    store: Arc<LogStore>,
}

impl RecordedArchive {
    /// Opens (creating) the archive of connection `id` under `data_dir`.
    pub(crate) fn open(data_dir: &Path, id: &str) -> Result<Self, String> {
        let path = Self::path(data_dir, id);
        let dir = path.parent().expect("the archive path has a folder");
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("Cannot create the log archive folder {}: {e}", dir.display()))?;
        let store = LogStore::open(&path, KEPT)
            .map_err(|e| format!("Cannot open the log archive {}: {e}", path.display()))?;
        Ok(Self { store: Arc::new(store) })
    }

    /// `<data dir>/log-archives/<id>.sqlite3`, with anything but `[A-Za-z0-9_-]` in the
    /// ID replaced so it stays one file name.
    fn path(data_dir: &Path, id: &str) -> PathBuf {
        let name: String = id
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
            .collect();
        data_dir.join("log-archives").join(format!("{name}.sqlite3"))
    }

    /// Runs `read` on the archive off the async threads; a failure says the recorded
    /// archive could not be read.
    pub(crate) async fn read<T: Send + 'static>(
        &self,
        read: impl FnOnce(&LogStore) -> Result<T, LogError> + Send + 'static,
    ) -> Result<T, crate::CommandError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || read(&store))
            .await
            .map_err(crate::CommandError::internal)?
            .map_err(|e| {
                crate::CommandError::internal(format!(
                    "The recorded log archive cannot be read: {e}"
                ))
            })
    }

    /// The timestamp (seconds) of the newest recorded entry: a stream that starts with the
    /// deployment's history records only what is newer.
    pub(crate) async fn newest_timestamp(&self) -> f64 {
        self.read(|store| store.search(&LogFilter::default(), None, 1))
            .await
            .ok()
            .and_then(|found| found.first().and_then(|r| r.entry["timestamp"].as_f64()))
            .unwrap_or(0.0)
    }

    /// Records `entries` (raw stream entries).
    pub(crate) async fn record(&self, entries: Vec<Json>) {
        let store = self.store.clone();
        let written = tokio::task::spawn_blocking(move || store.append(&entries)).await;
        if let Ok(Err(e)) = written {
            tracing::warn!("could not record log entries in the studio's archive: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_ids_become_one_file_name() {
        let path = RecordedArchive::path(Path::new("/d"), "../x y");
        assert_eq!(path, Path::new("/d/log-archives/___x_y.sqlite3"));
    }
}
