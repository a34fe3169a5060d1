//! Cutting an index's live entries into blocks of equal size, for the order statistics
//! (`crate::order_stats`): one ordered pass over the entries of a key range, keeping every
//! `every`-th key. It must not keep any state.

use rusqlite::params;

use super::SqlitePersistence;
use super::sqlite::{live_entries_sql, to_i64};
use crate::{EngineError, IndexId, KeyRange, Order, Timestamp};

/// Block start keys and each block's number of entries.
pub(crate) type BlockStarts = (Vec<Vec<u8>>, Vec<u64>);

impl SqlitePersistence {
    /// The keys at positions 0, `every`, 2 × `every`, … among the live entries of `index`
    /// within `range` as of `ts`, each with the number of entries from it to the next (the
    /// last block may hold fewer). Empty when the range holds no entries; `None` when
    /// `stop` said so (it is asked at each block).
    pub(crate) fn block_starts(
        &self,
        index: IndexId,
        range: &KeyRange,
        ts: Timestamp,
        every: u64,
        stop: &dyn Fn() -> bool,
    ) -> Result<Option<BlockStarts>, EngineError> {
        let every = every.max(1);
        let sql = live_entries_sql("e.key", range, Some(Order::Asc), false);
        self.read(|c| {
            let mut statement = c.prepare_cached(&sql)?;
            // The statement names ?4 only when the range has an end.
            let mut rows = match &range.end {
                Some(end) => {
                    statement.query(params![i64::from(index.0), to_i64(ts), range.start, end])?
                }
                None => statement.query(params![i64::from(index.0), to_i64(ts), range.start])?,
            };
            let mut starts = Vec::new();
            let mut counts: Vec<u64> = Vec::new();
            let mut n = 0u64;
            // Only the kept keys are copied out of SQLite.
            while let Some(row) = rows.next()? {
                if n.is_multiple_of(every) {
                    if stop() {
                        return Ok(None);
                    }
                    starts.push(row.get::<_, Vec<u8>>(0)?);
                    counts.push(0);
                }
                *counts.last_mut().expect("pushed at n = 0") += 1;
                n += 1;
            }
            Ok(Some((starts, counts)))
        })
    }
}
