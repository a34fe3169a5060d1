//! Finding the key at an offset into an index range (a grid's jump to row `n`) in time that
//! does not grow with the offset, and counting a range, through the index's order
//! statistics (`crate::order_stats`).
//!
//! A range is read as three pieces: the part of its first block inside it (counted in
//! SQLite, at most a block), the whole blocks after it (counted by the statistics) and the
//! part of its last block (counted in SQLite). The position is found among those counts and
//! only the remainder inside one block is skipped in SQLite. A block that grew beyond two
//! blocks' worth is cut again (one pass over it) before it is read inside.
//!
//! The first jump of at least four blocks into an index starts building its statistics in
//! the background (`order_stats/build.rs`) and, like every jump until they are ready, counts
//! in SQLite as before. They are used when they describe the transaction's snapshot;
//! otherwise (an older snapshot, statistics turned off in
//! [`crate::EngineOptions::order_stats`]) the jump counts in SQLite. Small offsets always
//! do: skipping less than a block costs no more than reading inside one.
//!
//! It must not record reads (the transaction does) nor see a transaction's own writes.

use std::sync::Arc;

use crate::inner::Inner;
use crate::order_stats::{Blocks, Stats};
use crate::{EngineError, IndexId, KeyRange, Order, Timestamp};

impl crate::Engine {
    /// The order statistics kept for `index`, if any are ready: the commit they describe,
    /// their number of blocks and of entries (for tests and diagnostics).
    pub fn order_stats_of(&self, index: IndexId) -> Option<(Timestamp, usize, u64)> {
        let stats = self.inner.order_stats.lock().unwrap().get(index)?;
        let stats = stats.lock().unwrap();
        match &*stats {
            Stats::Ready(blocks) => Some((blocks.as_of, blocks.len(), blocks.total())),
            Stats::Building { .. } => None,
        }
    }
}

/// A range spanning blocks: the part of its first block (`head_range`, `head` entries),
/// the whole blocks after it (`middle` entries, `before_middle` entries before them in the
/// index) and the part of its last block (`tail_range`, `tail` entries).
struct Pieces {
    head_range: KeyRange,
    tail_range: KeyRange,
    head: u64,
    before_middle: u64,
    middle: u64,
    tail: u64,
}

impl Pieces {
    fn total(&self) -> u64 {
        self.head + self.middle + self.tail
    }
}

/// Why the statistics could not answer: count in SQLite instead.
struct Fallback;

impl Inner {
    /// The key of the live entry `offset` places into `range` (0 = the first) in `order`,
    /// as of `snapshot`; `None` when the range holds no more than `offset` entries.
    pub(crate) fn key_at_offset(
        self: &Arc<Self>,
        index: IndexId,
        range: &KeyRange,
        snapshot: Timestamp,
        order: Order,
        offset: u64,
    ) -> Result<Option<Vec<u8>>, EngineError> {
        let block = self.options.order_stats_block.max(1);
        if offset >= block
            && let Some(key) = self.with_stats(index, snapshot, offset >= 4 * block, |blocks| {
                self.jump(blocks, index, range, snapshot, order, offset)
            })?
        {
            return Ok(key);
        }
        self.persistence.key_at_offset(index, range, snapshot, order, offset)
    }

    /// The number of live entries of `index` within `range` as of `snapshot`: through the
    /// statistics when the index has them (a count does not build them), else in SQLite.
    pub(crate) fn count_range(
        self: &Arc<Self>,
        index: IndexId,
        range: &KeyRange,
        snapshot: Timestamp,
    ) -> Result<u64, EngineError> {
        let counted = self.with_stats(index, snapshot, false, |blocks| {
            Ok(match self.pieces(blocks, index, range, snapshot)? {
                Ok(Some(pieces)) => Ok(pieces.total()),
                Ok(None) => Ok(self.persistence.count_range(index, range, snapshot)?),
                Err(Fallback) => Err(Fallback),
            })
        })?;
        match counted {
            Some(n) => Ok(n),
            None => self.persistence.count_range(index, range, snapshot),
        }
    }

    /// Runs `f` with the statistics of `index` when they describe `snapshot` (when `build`
    /// and there are none, a build starts in the background). `None`: count in SQLite
    /// instead. Statistics that turn out to disagree with storage are forgotten.
    fn with_stats<T>(
        self: &Arc<Self>,
        index: IndexId,
        snapshot: Timestamp,
        build: bool,
        f: impl FnOnce(&mut Blocks) -> Result<Result<T, Fallback>, EngineError>,
    ) -> Result<Option<T>, EngineError> {
        if !self.options.order_stats {
            return Ok(None);
        }
        let stats = self.order_stats.lock().unwrap().get(index);
        let Some(stats) = stats else {
            if build {
                self.spawn_order_stats_build(index);
            }
            return Ok(None);
        };
        let mut stats = stats.lock().unwrap();
        let Stats::Ready(blocks) = &mut *stats else { return Ok(None) };
        if blocks.as_of > snapshot {
            return Ok(None);
        }
        match f(blocks)? {
            Ok(value) => Ok(Some(value)),
            Err(Fallback) => {
                drop(stats);
                tracing::warn!(
                    "order statistics of index {} disagree with storage; dropped",
                    index.0
                );
                self.order_stats.lock().unwrap().forget(index);
                Ok(None)
            }
        }
    }

    /// `range` in three pieces (see the module doc), its edge blocks cut first when they
    /// grew; `None` when it lies within one block.
    fn pieces(
        &self,
        blocks: &mut Blocks,
        index: IndexId,
        range: &KeyRange,
        snapshot: Timestamp,
    ) -> Result<Result<Option<Pieces>, Fallback>, EngineError> {
        if range.is_empty() {
            return Ok(Ok(None));
        }
        blocks.compact();
        let last = |blocks: &Blocks| match &range.end {
            Some(end) => blocks.block_before(end),
            None => blocks.len() - 1,
        };
        if !self.cut_if_large(blocks, index, snapshot, blocks.block_of(&range.start))?
            || !self.cut_if_large(blocks, index, snapshot, last(blocks))?
        {
            return Ok(Err(Fallback));
        }
        let (first, last) = (blocks.block_of(&range.start), last(blocks));
        if first >= last {
            return Ok(Ok(None));
        }
        let head_range =
            KeyRange { start: range.start.clone(), end: blocks.end(first).map(<[u8]>::to_vec) };
        let tail_range = KeyRange { start: blocks.start(last).to_vec(), end: range.end.clone() };
        let head = if range.start.as_slice() == blocks.start(first) {
            blocks.count(first)
        } else {
            self.persistence.count_range(index, &head_range, snapshot)?
        };
        let tail = match range.end {
            None => blocks.count(last),
            Some(_) => self.persistence.count_range(index, &tail_range, snapshot)?,
        };
        let before_middle = blocks.before(first + 1);
        let middle = blocks.before(last) - before_middle;
        Ok(Ok(Some(Pieces { head_range, tail_range, head, before_middle, middle, tail })))
    }

    /// The jump through `blocks`, which describe `snapshot`.
    fn jump(
        &self,
        blocks: &mut Blocks,
        index: IndexId,
        range: &KeyRange,
        snapshot: Timestamp,
        order: Order,
        offset: u64,
    ) -> Result<Result<Option<Vec<u8>>, Fallback>, EngineError> {
        let pieces = match self.pieces(blocks, index, range, snapshot)? {
            Ok(Some(pieces)) => pieces,
            // The whole range lies in one block.
            Ok(None) => {
                return Ok(Ok(self
                    .persistence
                    .key_at_offset(index, range, snapshot, order, offset)?));
            }
            Err(Fallback) => return Ok(Err(Fallback)),
        };
        let Pieces { head, middle, .. } = pieces;
        let total = pieces.total();
        if offset >= total {
            return Ok(Ok(None));
        }
        let pos = match order {
            Order::Asc => offset,
            Order::Desc => total - 1 - offset,
        };
        let at = |r: &KeyRange, n: u64| {
            self.persistence.key_at_offset(index, r, snapshot, Order::Asc, n)
        };
        let key = if pos < head {
            at(&pieces.head_range, pos)?
        } else if pos < head + middle {
            let target = pieces.before_middle + (pos - head);
            let Some((block, _)) = blocks.find(target) else { return Ok(Err(Fallback)) };
            if !self.cut_if_large(blocks, index, snapshot, block)? {
                return Ok(Err(Fallback));
            }
            let Some((block, within)) = blocks.find(target) else { return Ok(Err(Fallback)) };
            let block_range = KeyRange {
                start: blocks.start(block).to_vec(),
                end: blocks.end(block).map(<[u8]>::to_vec),
            };
            at(&block_range, within)?
        } else {
            at(&pieces.tail_range, pos - head - middle)?
        };
        Ok(key.map(Some).ok_or(Fallback))
    }

    /// Cuts `block` into blocks of the block size when it holds more than two blocks'
    /// worth. `false` when storage holds another number of entries there.
    fn cut_if_large(
        &self,
        blocks: &mut Blocks,
        index: IndexId,
        snapshot: Timestamp,
        block: usize,
    ) -> Result<bool, EngineError> {
        if blocks.count(block) <= blocks.split_above() {
            return Ok(true);
        }
        let range = KeyRange {
            start: blocks.start(block).to_vec(),
            end: blocks.end(block).map(<[u8]>::to_vec),
        };
        let Some((mut starts, counts)) =
            self.persistence
                .block_starts(index, &range, snapshot, blocks.block_size(), &|| false)?
        else {
            return Ok(false);
        };
        if counts.iter().sum::<u64>() != blocks.count(block) || starts.is_empty() {
            return Ok(false);
        }
        starts[0] = range.start;
        blocks.split(block, starts, counts);
        Ok(true)
    }
}
