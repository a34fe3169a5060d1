//! Watched queries: a query kept live on the connected deployment (as admin, or acting as
//! a user on a sync connection of its own), each new result announced as a
//! [`QueryVersion`] in `query_watch_update`. A watch ends when it is dropped from the
//! studio's watch list. This module does not check requests or know the command table;
//! [`QueryVersion`], which the events carry, is in `version.rs`, a leaf.

mod version;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use atrium_client::{ClientError, Subscription, SyncClient};
use tokio_util::task::AbortOnDropHandle;

pub use version::QueryVersion;

use crate::{Studio, StudioEvent};

/// Follows `subscription` until the watch is removed (or the connection fails, which is
/// announced as a last version with the error); `own` is a sync connection held as long as
/// the watch. Returns the watch's number.
pub(crate) fn start(
    studio: &Arc<Studio>,
    own: Option<SyncClient>,
    mut subscription: Subscription,
) -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let watch = NEXT.fetch_add(1, Ordering::Relaxed);
    let events = Arc::downgrade(studio);
    let task = tokio::spawn(async move {
        let _own = own;
        let mut version = 0;
        loop {
            let next = subscription.next().await;
            let Some(studio) = events.upgrade() else { return };
            version += 1;
            let (value, error) = match next {
                Ok(value) => (atrium_value::json::to_json(&value), None),
                Err(ClientError::Function { message, .. }) => {
                    (serde_json::Value::Null, Some(crate::error::clean_function_message(&message)))
                }
                Err(e) => {
                    let update = QueryVersion {
                        watch,
                        version,
                        received_ms: now_ms(),
                        value: serde_json::Value::Null,
                        error: Some(e.to_string()),
                    };
                    studio.emit(StudioEvent::QueryWatchUpdate { update });
                    return;
                }
            };
            let update = QueryVersion { watch, version, received_ms: now_ms(), value, error };
            studio.emit(StudioEvent::QueryWatchUpdate { update });
        }
    });
    studio.watches.lock().unwrap().insert(watch, AbortOnDropHandle::new(task));
    watch
}

fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}
