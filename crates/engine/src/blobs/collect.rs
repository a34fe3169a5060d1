//! Collection of unreferenced blobs over the engine's state: the pass itself (at start-up
//! and on demand), and the background one a commit that deleted `_storage` rows asks for.
//! It must not be imported by `store.rs`.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::store::{StoredFile, is_storage_table};
use crate::inner::Inner;
use crate::{EngineError, Transaction};

pub(crate) fn collect(inner: &Arc<Inner>) -> Result<usize, EngineError> {
    inner.blobs.collect(|| {
        // A transaction at the latest commit (as `Engine::begin`, read under the commit lock).
        let ts = inner.commit.lock().unwrap().last_ts;
        let catalog = inner.catalog.read().unwrap().clone();
        let mut tx = Transaction::new(inner.clone(), ts, catalog, None);
        // Every instance's storage table: the app's `_storage` and each component's.
        let tables: Vec<String> = tx
            .catalog()
            .tables()
            .filter(|t| is_storage_table(&t.name))
            .map(|t| t.name.clone())
            .collect();
        let mut hashes = HashSet::new();
        for table in tables {
            let rows = tx.collect_table(&table)?;
            hashes.extend(rows.iter().filter_map(StoredFile::from_document).map(|f| f.sha256));
        }
        Ok(hashes)
    })
}

/// Asks for a collection in the background (after a commit deleted `_storage` rows).
pub(crate) fn request_collection(inner: &Arc<Inner>) {
    if inner.blobs.requested.swap(true, Ordering::SeqCst) {
        return; // One is already on its way; it will see this commit.
    }
    let weak = Arc::downgrade(inner);
    let spawned = std::thread::Builder::new().name("atrium-blob-collect".into()).spawn(move || {
        let Some(inner) = weak.upgrade() else { return };
        inner.blobs.requested.store(false, Ordering::SeqCst);
        match collect(&inner) {
            Ok(0) => {}
            Ok(n) => tracing::debug!("collected {n} unreferenced blobs"),
            Err(e) => tracing::warn!("blob collection failed: {e}"),
        }
    });
    if spawned.is_err() {
        inner.blobs.requested.store(false, Ordering::SeqCst);
    }
}
