//! Mutation replay records: a mutation's answer stored in the same SQLite transaction as
//! its commit, under the (sync session, request ID) the client sent it with, so a client
//! that reconnects after an engine restart and sends the mutation again gets the stored
//! answer instead of a second run (exactly once across restarts).
//!
//! The engine does not know what an answer says: the caller hands [`Transaction::
//! record_replay`] a function that writes it from the commit timestamp (a result may
//! contain that timestamp). A commit that writes nothing stores no record (running such a
//! mutation again changes nothing).
//!
//! Retention: a client replays only the mutations it sent on a connection that dropped,
//! when it reconnects, so records are needed for a while, not forever. They are kept for
//! [`REPLAY_RETENTION`] after their commit and at most [`REPLAY_LIMIT`] of them (the newest);
//! older ones go at start-up and, amortised, as new ones are written (see
//! `persistence/replays.rs`). A replay older than that runs again.
//!
//! It must not run functions or know the sync protocol.

use std::time::Duration;

use crate::{Engine, EngineError, Timestamp, Transaction};

/// How long a replay record is kept after its commit.
pub const REPLAY_RETENTION: Duration = Duration::from_secs(24 * 60 * 60);

/// How many replay records are kept at most (the newest).
pub const REPLAY_LIMIT: usize = 100_000;

/// Who sent a mutation: the sync session and the request ID within it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReplayKey {
    pub session: String,
    pub request: u32,
}

/// Writes a mutation's answer given its commit timestamp.
pub type ReplayAnswer = Box<dyn FnOnce(Timestamp) -> String + Send + Sync>;

/// A stored answer: the commit it came with and the text the caller wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayRecord {
    pub ts: Timestamp,
    pub answer: String,
}

/// A record waiting for its transaction's commit.
pub(crate) struct PendingReplay {
    pub(crate) key: ReplayKey,
    pub(crate) answer: ReplayAnswer,
}

/// A record as a commit writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayWrite {
    pub key: ReplayKey,
    pub answer: String,
}

impl PendingReplay {
    pub(crate) fn at(self, ts: Timestamp) -> ReplayWrite {
        ReplayWrite { key: self.key, answer: (self.answer)(ts) }
    }
}

impl Transaction {
    /// Stores `answer(commit ts)` under `key` in this transaction's commit (if it writes
    /// anything), replacing an earlier call's. A retried transaction must call it again.
    pub fn record_replay(
        &mut self,
        key: ReplayKey,
        answer: impl FnOnce(Timestamp) -> String + Send + Sync + 'static,
    ) {
        self.replay = Some(PendingReplay { key, answer: Box::new(answer) });
    }
}

impl Engine {
    /// The stored answer of the mutation `key` names, if it committed within the
    /// retention window.
    pub fn replay_record(&self, key: &ReplayKey) -> Result<Option<ReplayRecord>, EngineError> {
        self.inner.persistence.replay_record(key)
    }
}
