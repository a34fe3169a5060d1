//! The `mutation_replays` table: mutation answers by (session, request ID), written in the
//! commit that made them (`crate::replay` says why and for how long). Only SQL lives here;
//! `sqlite.rs` calls it inside its commit transaction.

use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{Connection, OptionalExtension, params};

use crate::replay::{REPLAY_LIMIT, REPLAY_RETENTION, ReplayKey, ReplayRecord, ReplayWrite};
use crate::{EngineError, Timestamp};

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS mutation_replays (
    session TEXT NOT NULL,
    request INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    answer TEXT NOT NULL,
    PRIMARY KEY (session, request)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mutation_replays_by_ts ON mutation_replays (ts);
";

/// Old records are looked for once every this many records written.
const PRUNE_EVERY: u64 = 1024;

/// Writes one record in the commit at `ts`, and now and then forgets old ones.
pub(super) fn write(
    tx: &Connection,
    ts: Timestamp,
    write: &ReplayWrite,
    written: &AtomicU64,
) -> Result<(), EngineError> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO mutation_replays (session, request, ts, answer) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![write.key.session, i64::from(write.key.request), ts.0 as i64, write.answer])?;
    if written.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
        prune(tx, ts)?;
    }
    Ok(())
}

/// Forgets records older than the retention window before `now`, and all but the newest
/// [`REPLAY_LIMIT`].
pub(super) fn prune(c: &Connection, now: Timestamp) -> Result<usize, EngineError> {
    let cutoff = now.0.saturating_sub(REPLAY_RETENTION.as_nanos() as u64) as i64;
    let mut removed = c.execute("DELETE FROM mutation_replays WHERE ts < ?1", [cutoff])?;
    removed += c.execute(
        "DELETE FROM mutation_replays WHERE ts < (SELECT ts FROM mutation_replays \
         ORDER BY ts DESC LIMIT 1 OFFSET ?1)",
        [(REPLAY_LIMIT - 1) as i64],
    )?;
    Ok(removed)
}

pub(super) fn read(c: &Connection, key: &ReplayKey) -> Result<Option<ReplayRecord>, EngineError> {
    let row: Option<(i64, String)> = c
        .prepare_cached(
            "SELECT ts, answer FROM mutation_replays WHERE session = ?1 AND request = ?2",
        )?
        .query_row(params![key.session, i64::from(key.request)], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.map(|(ts, answer)| ReplayRecord { ts: Timestamp(ts as u64), answer }))
}
