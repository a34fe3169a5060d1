//! Order statistics over an ordered index, so that finding the key at offset `n` (a grid's
//! jump to row `n`) does not read the `n` entries before it.
//!
//! [`Blocks`] cuts an index's key space into contiguous blocks, each with its start key and
//! the number of live entries it holds at the latest commit it describes (`as_of`), and a
//! Fenwick tree over those counts: the block holding position `n` and the entries before a
//! block are found in O(log blocks). A jump then skips whole blocks by their counts and
//! leaves only the part inside one block (at most two blocks' worth of entries) to SQLite;
//! the jump itself lives in `jumps.rs`.
//!
//! [`OrderStats`] holds the blocks of the indexes jumped into (built in the background after
//! the first deep jump, `build.rs`) and keeps them current: every commit adds or removes one
//! per index entry it writes, under the commit lock, before the commit's timestamp is
//! published — imports, clears and restores are commits like any other. A structure
//! describes every snapshot from its `as_of` on; an older snapshot falls back to counting in
//! SQLite. A build in progress logs the commits that land meanwhile and applies them when
//! done. Dropping a table forgets its indexes' blocks (indexes are never dropped on their
//! own; a new index or backfill has a new ID, whose blocks are built on its first deep jump).
//!
//! Memory: per block one key (an index key: the indexed values, creation time and ID;
//! ~45 bytes for `by_creation_time`) with its `Vec` header, a count and a tree node: ~90
//! bytes. Blocks hold [`BLOCK`] (256) entries when cut; a jump merges neighbours again once
//! there are more than `2 × entries / BLOCK + 16` blocks, so a million entries cost ~3,900
//! blocks, ~350 KB, and never more than ~7,800 (~700 KB) — more for indexes over long
//! values. At most [`MAX_INDEXES`] indexes keep blocks (the least recently jumped into is
//! forgotten first), and a build's log of the commits landing meanwhile is cut off at
//! [`MAX_BUILD_LOG`] entries (the build is abandoned).
//!
//! It must not read storage itself (the jump in `jumps.rs` and the build in `build.rs` do).

pub(crate) mod build;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::persistence::IndexWrite;
use crate::{IndexId, Timestamp};

/// Entries per block when blocks are cut, unless
/// [`crate::EngineOptions::order_stats_block`] says otherwise.
pub(crate) const BLOCK: u64 = 256;
/// Indexes with blocks at most.
pub(crate) const MAX_INDEXES: usize = 64;
/// Index entries a build may log before it is abandoned.
pub(crate) const MAX_BUILD_LOG: usize = 1 << 20;

/// Key-range blocks with live-entry counts, as of one commit.
#[derive(Debug, Clone)]
pub(crate) struct Blocks {
    /// Each block's least key; the first is empty (the least key of all). Increasing.
    starts: Vec<Vec<u8>>,
    counts: Vec<u64>,
    /// 1-based Fenwick tree over `counts`.
    tree: Vec<u64>,
    /// The commit these counts describe (they hold for every later snapshot too, until a
    /// commit changes them and moves this on).
    pub(crate) as_of: Timestamp,
    /// Entries per block when cut.
    block: u64,
}

impl Blocks {
    /// Blocks from their start keys (the first is made the least key) and counts.
    pub(crate) fn new(
        mut starts: Vec<Vec<u8>>,
        mut counts: Vec<u64>,
        as_of: Timestamp,
        block: u64,
    ) -> Self {
        if starts.is_empty() {
            starts.push(Vec::new());
            counts.push(0);
        }
        starts[0].clear();
        let mut blocks = Self { starts, counts, tree: Vec::new(), as_of, block: block.max(1) };
        blocks.rebuild_tree();
        blocks
    }

    fn rebuild_tree(&mut self) {
        let n = self.counts.len();
        self.tree = vec![0; n + 1];
        for i in 1..=n {
            self.tree[i] += self.counts[i - 1];
            let parent = i + (i & i.wrapping_neg());
            if parent <= n {
                self.tree[parent] += self.tree[i];
            }
        }
    }

    /// Entries per block when cut.
    pub(crate) fn block_size(&self) -> u64 {
        self.block
    }

    /// A block holding more than this is cut again before a jump reads inside it.
    pub(crate) fn split_above(&self) -> u64 {
        2 * self.block
    }

    pub(crate) fn len(&self) -> usize {
        self.starts.len()
    }

    pub(crate) fn count(&self, block: usize) -> u64 {
        self.counts[block]
    }

    pub(crate) fn start(&self, block: usize) -> &[u8] {
        &self.starts[block]
    }

    /// The first key after the block (`None` for the last block).
    pub(crate) fn end(&self, block: usize) -> Option<&[u8]> {
        self.starts.get(block + 1).map(Vec::as_slice)
    }

    /// The block holding `key`.
    pub(crate) fn block_of(&self, key: &[u8]) -> usize {
        self.starts.partition_point(|s| s.as_slice() <= key) - 1
    }

    /// The block holding the greatest key below `end` (`end` must not be the empty key).
    pub(crate) fn block_before(&self, end: &[u8]) -> usize {
        self.starts.partition_point(|s| s.as_slice() < end).max(1) - 1
    }

    /// Entries in the blocks before `block`.
    pub(crate) fn before(&self, block: usize) -> u64 {
        let mut i = block;
        let mut sum = 0;
        while i > 0 {
            sum += self.tree[i];
            i &= i - 1;
        }
        sum
    }

    pub(crate) fn total(&self) -> u64 {
        self.before(self.len())
    }

    /// The block holding position `pos` (0-based, over all blocks) and the position within
    /// it; `None` past the last entry.
    pub(crate) fn find(&self, pos: u64) -> Option<(usize, u64)> {
        if pos >= self.total() {
            return None;
        }
        let n = self.len();
        let mut i = 0usize;
        let mut rest = pos;
        let mut step = n.next_power_of_two();
        while step > 0 {
            let next = i + step;
            if next <= n && self.tree[next] <= rest {
                rest -= self.tree[next];
                i = next;
            }
            step >>= 1;
        }
        Some((i, rest))
    }

    /// Adds `delta` to the block holding `key`. `false` when a count would go below zero
    /// (the blocks no longer describe the index).
    pub(crate) fn apply(&mut self, key: &[u8], delta: i64) -> bool {
        let block = self.block_of(key);
        let Some(count) = self.counts[block].checked_add_signed(delta) else { return false };
        self.counts[block] = count;
        let mut i = block + 1;
        while i < self.tree.len() {
            self.tree[i] = self.tree[i].wrapping_add_signed(delta);
            i += i & i.wrapping_neg();
        }
        true
    }

    /// Replaces `block` by blocks starting at `starts` (the first must be the block's start)
    /// with `counts`, which must add up to the block's count.
    pub(crate) fn split(&mut self, block: usize, starts: Vec<Vec<u8>>, counts: Vec<u64>) {
        debug_assert_eq!(counts.iter().sum::<u64>(), self.counts[block]);
        debug_assert_eq!(starts.first().map(Vec::as_slice), Some(self.start(block)));
        self.starts.splice(block..=block, starts);
        self.counts.splice(block..=block, counts);
        self.rebuild_tree();
    }

    /// Merges neighbours that together hold at most a block's entries, when there are many
    /// more blocks than the entries need (deletes emptied them): keeps the block count
    /// under `2 × entries / block + 16`.
    pub(crate) fn compact(&mut self) {
        if (self.len() as u64) <= 2 * self.total() / self.block + 16 {
            return;
        }
        let mut starts = Vec::with_capacity(self.len());
        let mut counts: Vec<u64> = Vec::with_capacity(self.len());
        for (start, count) in self.starts.drain(..).zip(self.counts.drain(..)) {
            match counts.last_mut() {
                Some(last) if *last + count <= self.block => *last += count,
                _ => {
                    starts.push(start);
                    counts.push(count);
                }
            }
        }
        self.starts = starts;
        self.counts = counts;
        self.rebuild_tree();
    }
}

/// One index's order statistics: being built, or ready.
#[derive(Debug)]
pub(crate) enum Stats {
    /// A build reading the index as of `since`; commits after it are logged here.
    Building {
        since: Timestamp,
        log: Vec<(Vec<u8>, i64)>,
        last: Timestamp,
    },
    Ready(Blocks),
}

#[derive(Debug, Default)]
pub(crate) struct OrderStats {
    indexes: HashMap<IndexId, (Arc<Mutex<Stats>>, u64)>,
    uses: u64,
}

impl OrderStats {
    /// The statistics of `index`, if kept (marks them used).
    pub(crate) fn get(&mut self, index: IndexId) -> Option<Arc<Mutex<Stats>>> {
        self.uses += 1;
        let uses = self.uses;
        self.indexes.get_mut(&index).map(|(stats, used)| {
            *used = uses;
            stats.clone()
        })
    }

    /// Starts a build of `index` as of `since` (the latest commit; call it under the commit
    /// lock). `None` when the index already has statistics or a build.
    pub(crate) fn start_build(
        &mut self,
        index: IndexId,
        since: Timestamp,
    ) -> Option<Arc<Mutex<Stats>>> {
        if self.indexes.contains_key(&index) {
            return None;
        }
        if self.indexes.len() >= MAX_INDEXES {
            let oldest = self.indexes.iter().min_by_key(|(_, (_, used))| *used).map(|(id, _)| *id);
            self.indexes.remove(&oldest.expect("not empty"));
        }
        self.uses += 1;
        let stats = Arc::new(Mutex::new(Stats::Building { since, log: Vec::new(), last: since }));
        self.indexes.insert(index, (stats.clone(), self.uses));
        Some(stats)
    }

    /// Applies one commit's index entries (under the commit lock, before its timestamp is
    /// published). Statistics that stop making sense are forgotten.
    pub(crate) fn commit(&mut self, ts: Timestamp, writes: &[IndexWrite]) {
        if self.indexes.is_empty() {
            return;
        }
        let mut broken = Vec::new();
        let mut start = 0;
        while start < writes.len() {
            let index = writes[start].index;
            let end = start + writes[start..].iter().take_while(|w| w.index == index).count();
            if let Some((stats, _)) = self.indexes.get(&index)
                && !apply_writes(&mut stats.lock().unwrap(), ts, &writes[start..end])
            {
                broken.push(index);
            }
            start = end;
        }
        for index in broken {
            self.forget(index);
        }
    }

    pub(crate) fn forget(&mut self, index: IndexId) {
        self.indexes.remove(&index);
    }
}

/// One commit's entries for one index. `false`: the statistics must go.
fn apply_writes(stats: &mut Stats, ts: Timestamp, writes: &[IndexWrite]) -> bool {
    let delta = |w: &IndexWrite| if w.deleted { -1 } else { 1 };
    match stats {
        Stats::Building { log, last, .. } => {
            log.extend(writes.iter().map(|w| (w.key.clone(), delta(w))));
            *last = ts;
            log.len() <= MAX_BUILD_LOG
        }
        Stats::Ready(blocks) => {
            blocks.as_of = ts;
            writes.iter().all(|w| blocks.apply(&w.key, delta(w)))
        }
    }
}

/// Finishes a build: the blocks read as of `since`, with the commits logged meanwhile.
/// `None` when they do not add up (the caller forgets the index's statistics).
pub(crate) fn finish_build(stats: &mut Stats, mut blocks: Blocks) -> Option<()> {
    let Stats::Building { since, log, last } = stats else { return None };
    debug_assert_eq!(blocks.as_of, *since);
    for (key, delta) in log.iter() {
        if !blocks.apply(key, *delta) {
            return None;
        }
    }
    blocks.as_of = *last;
    *stats = Stats::Ready(blocks);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u32) -> Vec<u8> {
        n.to_be_bytes().to_vec()
    }

    #[test]
    fn finds_positions_and_counts_across_blocks() {
        let mut blocks = Blocks::new(
            vec![vec![9], key(10), key(20), key(30)],
            vec![3, 0, 5, 2],
            Timestamp(1),
            4,
        );
        assert_eq!(blocks.start(0), b"", "the first block starts at the least key");
        assert_eq!(blocks.total(), 10);
        assert_eq!(blocks.before(2), 3);
        assert_eq!(blocks.find(0), Some((0, 0)));
        assert_eq!(blocks.find(3), Some((2, 0)), "the empty block is skipped");
        assert_eq!(blocks.find(9), Some((3, 1)));
        assert_eq!(blocks.find(10), None);
        assert_eq!(blocks.block_of(&key(20)), 2);
        assert_eq!(blocks.block_of(&key(19)), 1);
        assert_eq!(blocks.block_before(&key(20)), 1);
        assert_eq!(blocks.block_before(&[0]), 0);
        assert!(blocks.apply(&key(15), 4));
        assert_eq!(blocks.find(3), Some((1, 0)));
        assert!(!blocks.apply(&key(31), -3), "more deletes than entries");
        blocks.split(2, vec![key(20), key(25)], vec![1, 4]);
        assert_eq!(blocks.find(8), Some((3, 0)));
        assert_eq!(blocks.end(3), Some(&key(30)[..]));
        assert_eq!(blocks.total(), 14);
    }

    #[test]
    fn compacting_merges_emptied_blocks_and_keeps_positions() {
        let n = 100u32;
        let starts: Vec<Vec<u8>> = (0..n).map(key).collect();
        let mut blocks = Blocks::new(starts, vec![1; n as usize], Timestamp(1), 10);
        let before: Vec<_> = (0..n as u64).map(|p| blocks.find(p).unwrap()).collect();
        blocks.compact();
        assert!(blocks.len() <= 10, "{} blocks", blocks.len());
        let after: Vec<u64> = (0..n as u64)
            .map(|p| {
                let (b, r) = blocks.find(p).unwrap();
                blocks.before(b) + r
            })
            .collect();
        assert_eq!(after, (0..n as u64).collect::<Vec<_>>());
        assert_eq!(before.len(), after.len());
    }

    #[test]
    fn builds_log_commits_and_finish_with_them() {
        let mut registry = OrderStats::default();
        let index = IndexId(7);
        let stats = registry.start_build(index, Timestamp(5)).unwrap();
        assert!(registry.start_build(index, Timestamp(6)).is_none(), "one build at a time");
        let write = |k: u32, deleted| IndexWrite {
            index,
            key: key(k),
            id: atrium_value::DocumentId::new(atrium_value::TableNumber(10001), [0; 14], 1.0),
            deleted,
        };
        registry.commit(Timestamp(6), &[write(3, false), write(1, true)]);
        let blocks = Blocks::new(vec![vec![], key(2)], vec![1, 1], Timestamp(5), 4);
        finish_build(&mut stats.lock().unwrap(), blocks).unwrap();
        {
            let guard = stats.lock().unwrap();
            let Stats::Ready(blocks) = &*guard else { panic!("not ready") };
            assert_eq!(blocks.as_of, Timestamp(6));
            assert_eq!((blocks.count(0), blocks.count(1)), (0, 2));
        }
        drop(stats);
        registry.commit(Timestamp(7), &[write(0, true)]);
        assert!(registry.get(index).is_none(), "a count below zero forgets the index");
    }

    #[test]
    fn at_most_so_many_indexes_keep_statistics_the_least_recently_used_go_first() {
        let mut registry = OrderStats::default();
        for id in 0..MAX_INDEXES as u32 {
            registry.start_build(IndexId(id), Timestamp(1)).unwrap();
        }
        registry.get(IndexId(0)).unwrap();
        registry.start_build(IndexId(1000), Timestamp(1)).unwrap();
        assert!(registry.get(IndexId(0)).is_some(), "used recently");
        assert!(registry.get(IndexId(1)).is_none(), "the least recently used");
        assert_eq!(registry.indexes.len(), MAX_INDEXES);
    }
}
