//! Document counts per table, kept current at each commit so that counting a large table
//! (a grid's row total, `tableSize`) does not read every index entry.
//!
//! A table's counts are seeded by one full count at the latest commit (taken while no
//! commit can run), then every commit that inserts or deletes in the table appends its
//! new count. A read at snapshot `ts` takes the newest entry at or before `ts`; a snapshot
//! older than what is remembered is counted the slow way.

use std::collections::{HashMap, VecDeque};

use atrium_value::TableNumber;

use crate::Timestamp;

/// Counts remembered per table (older ones are dropped).
const REMEMBERED: usize = 256;

#[derive(Debug, Default)]
pub(crate) struct TableCounts {
    tables: HashMap<TableNumber, VecDeque<(Timestamp, u64)>>,
}

impl TableCounts {
    /// The count at `snapshot`, if remembered.
    pub(crate) fn at(&self, table: TableNumber, snapshot: Timestamp) -> Option<u64> {
        let entries = self.tables.get(&table)?;
        entries.iter().rev().find(|(ts, _)| *ts <= snapshot).map(|(_, n)| *n)
    }

    pub(crate) fn is_seeded(&self, table: TableNumber) -> bool {
        self.tables.contains_key(&table)
    }

    /// Starts remembering `table` with its count at `ts` (the latest commit).
    pub(crate) fn seed(&mut self, table: TableNumber, ts: Timestamp, count: u64) {
        self.tables.insert(table, VecDeque::from([(ts, count)]));
    }

    /// Applies one commit's inserts minus deletes per table.
    pub(crate) fn commit(&mut self, ts: Timestamp, deltas: &HashMap<TableNumber, i64>) {
        for (table, delta) in deltas {
            if *delta == 0 {
                continue;
            }
            if let Some(entries) = self.tables.get_mut(table) {
                let last = entries.back().map_or(0, |(_, n)| *n);
                entries.push_back((ts, last.saturating_add_signed(*delta)));
                while entries.len() > REMEMBERED {
                    entries.pop_front();
                }
            }
        }
    }

    /// Forgets a dropped table (its number may be reused).
    pub(crate) fn forget(&mut self, table: TableNumber) {
        self.tables.remove(&table);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_at_each_remembered_snapshot_and_not_before() {
        let t = TableNumber(10001);
        let mut counts = TableCounts::default();
        assert_eq!(counts.at(t, Timestamp(10)), None);
        counts.seed(t, Timestamp(10), 5);
        counts.commit(Timestamp(11), &HashMap::from([(t, 2)]));
        counts.commit(Timestamp(12), &HashMap::from([(t, -3)]));
        counts.commit(Timestamp(13), &HashMap::from([(TableNumber(10002), 1)]));
        assert_eq!(counts.at(t, Timestamp(9)), None, "older than the seed");
        assert_eq!(counts.at(t, Timestamp(10)), Some(5));
        assert_eq!(counts.at(t, Timestamp(11)), Some(7));
        assert_eq!(counts.at(t, Timestamp(99)), Some(4));
        assert!(!counts.is_seeded(TableNumber(10002)), "unseeded tables are not tracked");
        counts.forget(t);
        assert_eq!(counts.at(t, Timestamp(99)), None);
    }
}
