//! Building an index's order statistics on a thread of its own: one ordered pass over the
//! index's live entries as of the latest commit, while commits go on (they are logged into
//! the build and applied when it is done, `super::finish_build`). Jumps count in SQLite
//! meanwhile. The build stops early when the engine is dropped.
//!
//! It must not change storage.

use std::sync::{Arc, Mutex};

use super::{Blocks, Stats, finish_build};
use crate::inner::Inner;
use crate::{IndexId, KeyRange};

impl Inner {
    /// Starts building `index`'s statistics unless they exist or are being built.
    pub(crate) fn spawn_order_stats_build(self: &Arc<Self>, index: IndexId) {
        let (since, stats) = {
            // Registered under the commit lock, so every later commit is logged.
            let state = self.commit.lock().unwrap();
            let since = state.last_ts;
            match self.order_stats.lock().unwrap().start_build(index, since) {
                Some(stats) => (since, stats),
                None => return,
            }
        };
        *self.order_stats_builds.0.lock().unwrap() += 1;
        let inner = self.clone();
        let building = stats.clone();
        let spawned =
            std::thread::Builder::new().name("atrium-order-stats".into()).spawn(move || {
                inner.build_order_stats(index, since, &building);
                inner.order_stats_build_done();
            });
        if let Err(error) = spawned {
            tracing::warn!("could not start building order statistics: {error}");
            self.forget_build(index, &stats);
            self.order_stats_build_done();
        }
    }

    fn build_order_stats(
        self: &Arc<Self>,
        index: IndexId,
        since: crate::Timestamp,
        stats: &Arc<Mutex<Stats>>,
    ) {
        let block = self.options.order_stats_block.max(1);
        // Only this build holds the engine: it was dropped.
        let dropped = || Arc::strong_count(self) == 1;
        let built = self.persistence.block_starts(index, &KeyRange::all(), since, block, &dropped);
        let finished = match built {
            Ok(Some((starts, counts))) => {
                let blocks = Blocks::new(starts, counts, since, block);
                finish_build(&mut stats.lock().unwrap(), blocks).is_some()
            }
            Ok(None) => false,
            Err(error) => {
                tracing::warn!(
                    "could not build the order statistics of index {}: {error}",
                    index.0
                );
                false
            }
        };
        if !finished {
            self.forget_build(index, stats);
        }
    }

    /// Forgets `index`'s statistics if they are still `stats`.
    fn forget_build(&self, index: IndexId, stats: &Arc<Mutex<Stats>>) {
        let mut registry = self.order_stats.lock().unwrap();
        if registry.get(index).is_some_and(|s| Arc::ptr_eq(&s, stats)) {
            registry.forget(index);
        }
    }

    fn order_stats_build_done(&self) {
        let (count, done) = &self.order_stats_builds;
        *count.lock().unwrap() -= 1;
        done.notify_all();
    }
}

impl crate::Engine {
    /// Waits until no order statistics are being built (tests and benchmarks).
    pub fn wait_for_order_stats(&self) {
        let (count, done) = &self.inner.order_stats_builds;
        let mut building = count.lock().unwrap();
        while *building > 0 {
            building = done.wait(building).unwrap();
        }
    }
}
