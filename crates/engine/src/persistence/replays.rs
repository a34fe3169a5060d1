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

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: u64 = 3600 * 1_000_000_000;

    fn db() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(SCHEMA).unwrap();
        c
    }

    fn record(c: &Connection, session: &str, request: u32, ts: u64) {
        let key = ReplayKey { session: session.into(), request };
        let w = ReplayWrite { key, answer: format!("answer {request}") };
        write(c, Timestamp(ts), &w, &AtomicU64::new(0)).unwrap();
    }

    fn count(c: &Connection) -> usize {
        c.query_row("SELECT COUNT(*) FROM mutation_replays", [], |r| r.get::<_, i64>(0)).unwrap()
            as usize
    }

    fn has(c: &Connection, session: &str, request: u32) -> bool {
        read(c, &ReplayKey { session: session.into(), request }).unwrap().is_some()
    }

    #[test]
    fn prune_forgets_records_older_than_the_retention_window() {
        let c = db();
        let now = 100 * HOUR;
        record(&c, "old", 1, now - 25 * HOUR);
        record(&c, "edge", 2, now - 24 * HOUR);
        record(&c, "new", 3, now - HOUR);
        assert_eq!(prune(&c, Timestamp(now)).unwrap(), 1);
        assert!(!has(&c, "old", 1));
        // Exactly 24 h old is still inside the window.
        assert!(has(&c, "edge", 2) && has(&c, "new", 3));
        let kept = read(&c, &ReplayKey { session: "new".into(), request: 3 }).unwrap().unwrap();
        assert_eq!(kept, ReplayRecord { ts: Timestamp(now - HOUR), answer: "answer 3".into() });
    }

    #[test]
    fn prune_keeps_only_the_newest_records_over_the_limit() {
        let c = db();
        let now = 100 * HOUR;
        let extra = 5;
        let tx = c.unchecked_transaction().unwrap();
        for i in 0..(REPLAY_LIMIT + extra) as u64 {
            // Written oldest first, all inside the retention window.
            tx.prepare_cached(
                "INSERT INTO mutation_replays (session, request, ts, answer) VALUES ('s', ?1, ?2, '')",
            )
            .unwrap()
            .execute(params![i as i64, (now - HOUR + i) as i64])
            .unwrap();
        }
        tx.commit().unwrap();
        assert_eq!(prune(&c, Timestamp(now)).unwrap(), extra);
        assert_eq!(count(&c), REPLAY_LIMIT);
        assert!(!has(&c, "s", (extra - 1) as u32), "the oldest over the limit went");
        assert!(has(&c, "s", extra as u32) && has(&c, "s", (REPLAY_LIMIT + extra - 1) as u32));
    }

    #[test]
    fn writing_prunes_now_and_then_without_touching_recent_records() {
        let c = db();
        let now = 100 * HOUR;
        record(&c, "stale", 0, now - 48 * HOUR);
        let written = AtomicU64::new(0);
        for i in 1..=PRUNE_EVERY {
            let w = ReplayWrite {
                key: ReplayKey { session: "live".into(), request: i as u32 },
                answer: String::new(),
            };
            write(&c, Timestamp(now + i), &w, &written).unwrap();
            if i < PRUNE_EVERY {
                assert!(has(&c, "stale", 0), "pruned before the {PRUNE_EVERY}th write");
            }
        }
        assert!(!has(&c, "stale", 0), "the {PRUNE_EVERY}th write prunes");
        assert_eq!(count(&c), PRUNE_EVERY as usize);
    }

    #[test]
    fn a_replayed_request_keeps_one_record_with_the_latest_answer() {
        let c = db();
        record(&c, "s", 7, HOUR);
        record(&c, "s", 7, 2 * HOUR);
        assert_eq!(count(&c), 1);
        assert_eq!(
            read(&c, &ReplayKey { session: "s".into(), request: 7 }).unwrap().unwrap().ts,
            Timestamp(2 * HOUR)
        );
    }
}
