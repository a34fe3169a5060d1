//! The engine's idle publisher: a thread that publishes search index changes that have
//! waited [`PUBLISH_AFTER`] with no commit to publish them, so searches stop reading those
//! documents from storage and a restart has little to catch up. Works on the engine's
//! shared state ([`Inner`]) and must not reach the [`crate::Engine`] API above it.

use std::sync::Arc;

use super::index::{PUBLISH_AFTER, publish_waiting};
use crate::inner::Inner;

/// Starts the publisher; it stops once the engine is gone.
pub(crate) fn start_publisher(inner: &Arc<Inner>) {
    let weak = Arc::downgrade(inner);
    let spawned =
        std::thread::Builder::new().name("atrium-search-publish".into()).spawn(move || {
            loop {
                std::thread::sleep(PUBLISH_AFTER / 2);
                let Some(inner) = weak.upgrade() else { return };
                let indexes = inner.searches.read().unwrap().clone();
                publish_waiting(&indexes, false);
            }
        });
    if let Err(error) = spawned {
        tracing::warn!("cannot start the search index publisher: {error}");
    }
}
