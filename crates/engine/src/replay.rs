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
//! A leaf (types only; `Transaction::record_replay` and `Engine::replay_record` live with
//! their types). It must not run functions or know the sync protocol.

use std::time::Duration;

use crate::timestamp::Timestamp;

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
