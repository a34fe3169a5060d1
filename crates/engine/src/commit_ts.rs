//! Writes that carry `db.vars.commitTs`: insert, replace and patch with placeholders at
//! [`CommitTsSlots`], and where a transaction's own write still holds them.
//!
//! Until commit a placeholder reads as `MAX_COMMIT_TS` (validation, the transaction's own
//! index reads); [`crate::Engine::commit`] writes the commit timestamp into every slot
//! before it computes a single index key or stores the document, inside the same SQLite
//! transaction. This module only routes the slots; it must not resolve them itself.

use std::collections::BTreeMap;

use atrium_value::pending::CommitTsSlots;
use atrium_value::{DocumentId, Object};

use crate::{EngineError, PatchValue, Transaction};

impl Transaction {
    /// [`Transaction::insert`] with placeholders at `commit_ts` (relative to the fields).
    pub fn insert_with_commit_ts(
        &mut self,
        table: &str,
        fields: Object,
        commit_ts: CommitTsSlots,
    ) -> Result<DocumentId, EngineError> {
        if table.starts_with('_') {
            return self.insert(table, fields); // Refused there, with the usual message.
        }
        self.insert_any(table, fields, commit_ts)
    }

    /// [`Transaction::replace`] with placeholders at `commit_ts` (relative to the fields).
    pub fn replace_with_commit_ts(
        &mut self,
        id: &DocumentId,
        fields: Object,
        commit_ts: CommitTsSlots,
    ) -> Result<(), EngineError> {
        self.replace_any(id, fields, commit_ts)
    }

    /// [`Transaction::patch`] whose set values hold placeholders at `commit_ts` (relative to
    /// the document, so each slot starts with its patched field).
    pub fn patch_with_commit_ts(
        &mut self,
        id: &DocumentId,
        patch: BTreeMap<String, PatchValue>,
        commit_ts: CommitTsSlots,
    ) -> Result<(), EngineError> {
        self.patch_any(id, patch, commit_ts)
    }

    /// Where this transaction's own new version of `id` still holds placeholders (`None`
    /// when it has not written `id`): a read inside the transaction hands them back as the
    /// `{"$commitTs": null}` token, as Convex does.
    pub fn commit_ts_slots(&self, id: &DocumentId) -> Option<&CommitTsSlots> {
        self.writes.get(id).filter(|w| w.new.is_some()).map(|w| &w.commit_ts)
    }
}
