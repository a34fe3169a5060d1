//! Query runs shared by sync sessions: at the newest timestamp, one run per distinct
//! (identity, component, function, arguments, journal), and with it the JSON text of its
//! result, which every session holding the query sends as it is. A hundred clients
//! subscribed to the same query cost one run and one serialization per commit, not a
//! hundred. It stores and hands out; running and sending are `sync`'s.

use std::collections::HashMap;
use std::sync::Arc;

use atrium_runtime::FunctionOutcome;

/// One query run, shared by every session that asks for it at the same timestamp.
#[derive(Debug)]
pub(crate) struct SharedRun {
    /// Its read set is in `read_set`, not here.
    pub(crate) outcome: FunctionOutcome,
    /// What it read, shared by every session's subscription to it.
    pub(crate) read_set: Arc<atrium_engine::ReadSet>,
    /// For a result (not a thrown error): the fields of its `QueryUpdated` modification
    /// after `queryId`, as JSON text (see `sync/frames.rs`).
    pub(crate) body: Option<Arc<str>>,
    /// The size of the result's JSON, for the inspector.
    pub(crate) value_bytes: usize,
}

/// A shared run, or why it could not run.
pub(crate) type SharedOutcome = Result<Arc<SharedRun>, String>;

/// A slot that holds, or is about to hold, one shared run.
pub(crate) type Slot = Arc<tokio::sync::OnceCell<SharedOutcome>>;

/// Runs at one timestamp, by their key.
#[derive(Debug, Default)]
pub(crate) struct QueryCache {
    ts: u64,
    slots: HashMap<String, Slot>,
}

impl QueryCache {
    /// The slot of `key` at `ts`. Only the newest timestamp is cached; an older one gets a
    /// private slot.
    pub(crate) fn slot(&mut self, key: &str, ts: u64) -> Slot {
        if ts > self.ts {
            self.ts = ts;
            self.slots.clear();
        }
        if ts < self.ts {
            return Slot::default();
        }
        if let Some(slot) = self.slots.get(key) {
            return slot.clone();
        }
        let slot = Slot::default();
        self.slots.insert(key.to_owned(), slot.clone());
        slot
    }

    /// Forgets every run (new code or environment: the same query may answer otherwise).
    pub(crate) fn clear(&mut self) {
        self.slots.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_shares_its_slot_at_the_newest_timestamp_only() {
        let mut cache = QueryCache::default();
        let first = cache.slot("q", 5);
        assert!(Arc::ptr_eq(&first, &cache.slot("q", 5)), "same key and timestamp: one slot");
        assert!(!Arc::ptr_eq(&first, &cache.slot("other", 5)));
        let newer = cache.slot("q", 6);
        assert!(!Arc::ptr_eq(&first, &newer), "a newer timestamp starts afresh");
        let older = cache.slot("q", 5);
        assert!(!Arc::ptr_eq(&older, &cache.slot("q", 5)), "an older timestamp is never shared");
        cache.clear();
        assert!(!Arc::ptr_eq(&newer, &cache.slot("q", 6)), "cleared");
    }
}
