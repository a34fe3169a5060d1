//! The writes a transaction buffers until commit: each document's [`PendingWrite`] (the
//! version it replaced and the new one), a patch's [`PatchValue`]s, and the
//! [`PendingChange`]s a dry run reports.
//!
//! A leaf: plain values, shared by `transaction.rs` (which buffers them) and `engine.rs`
//! (which commits them); it must not import either.

use atrium_value::pending::CommitTsSlots;
use atrium_value::{DocumentId, TableNumber, Value};

use crate::{Document, Timestamp};

/// A field's new value in a patch.
#[derive(Debug, Clone, PartialEq)]
pub enum PatchValue {
    Set(Value),
    /// Remove the field (`undefined` in a Convex patch).
    Remove,
}

#[derive(Debug, Clone)]
pub(crate) struct PendingWrite {
    pub(crate) table: TableNumber,
    /// The version the transaction replaced, as of its snapshot (`None` for an insert).
    pub(crate) old: Option<(Document, Timestamp)>,
    /// `None` for a delete.
    pub(crate) new: Option<Document>,
    /// Where `new`'s fields hold `db.vars.commitTs` (read as `MAX_COMMIT_TS` until commit).
    pub(crate) commit_ts: CommitTsSlots,
}

impl PendingWrite {
    pub(crate) fn new(
        table: TableNumber,
        old: Option<(Document, Timestamp)>,
        new: Option<Document>,
    ) -> Self {
        PendingWrite { table, old, new, commit_ts: CommitTsSlots::default() }
    }

    /// Writes the commit timestamp into every placeholder of the new version (commit only).
    pub(crate) fn resolve_commit_ts(&mut self, ts: Timestamp) {
        if let Some(document) = &mut self.new
            && !self.commit_ts.is_empty()
        {
            let ts = i64::try_from(ts.0).expect("commit timestamps fit in an int64");
            std::mem::take(&mut self.commit_ts).resolve(&mut document.fields, ts);
        }
    }
}

/// One document a transaction would change if it committed.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingChange {
    pub table: String,
    pub id: DocumentId,
    pub before: Option<Document>,
    pub after: Option<Document>,
}
