//! Which shared run a query's caller (a sync session, an HTTP query) takes: the query cache.
//! At a timestamp, one run per distinct (identity, component, function, arguments, journal),
//! whose result text every session holding the query sends as it is (`query_slot.rs`), so a
//! hundred clients of one query cost one run per commit, not a hundred.
//!
//! A run that returned a value is then *kept*, as Convex's query cache keeps it: it holds an
//! engine subscription of its own (an owner from [`CACHE_OWNERS`] up), and a session asking
//! at a later timestamp takes it instead of running the query again, while no commit has
//! touched what it read, it is at most [`MAX_AGE`] old and the deployment's code and
//! environment are those it ran with ([`QueryCache::clear`]). Convex keeps no error, and
//! bounds the age of results that read the clock by the same 17 s; Atrium does not track
//! which results read the clock, so the bound holds for all.
//!
//! A run that read no identity is the same for every caller with the same access: it is
//! filed and kept under the query's `any` key ([`QueryKeys`], [`QueryCache::adopt`]) and
//! taken by them all; a run that read it, only by its own identity. Once a query's last run
//! read no identity, its next run is started under `any`, so the callers of one commit's
//! re-run wait for one run whoever they are; should that run read the identity after all,
//! it is taken out from under `any` ([`QueryCache::withdraw`]) and every other caller runs
//! its own (`sync/shared.rs` checks whose run it took).
//!
//! A commit that touches a kept run's read set evicts it ([`QueryCache::evict`]) inside the
//! commit, before its timestamp becomes the latest, so a session that read timestamp `ts`
//! never takes a run that a commit at or before `ts` outdated. Kept runs are bounded by count
//! and by bytes (Convex's default, 100 MiB), the least recently used leaving first.
//!
//! It only decides and remembers; it never calls the engine (so its lock is never held
//! inside the engine's, except by `evict`, which the commit calls): the subscriptions it
//! lets go are handed back for the caller to drop.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::{Duration, Instant};

use atrium_engine::{Invalidation, SubscriptionId};
use lru::LruCache;
use rustc_hash::FxBuildHasher;

use super::query_slot::Slot;

/// The owners of kept runs' subscriptions: far above any socket number, so a hit names the
/// kept run it outdated and no session's inbox.
pub(crate) const CACHE_OWNERS: u64 = 1 << 63;

/// How long a kept run may be taken: Convex's bound for a result that read the clock (the
/// user and system time limits of a query, 1 s and 15 s, and 1 s more).
pub(crate) const MAX_AGE: Duration = Duration::from_secs(17);

/// How many queries the cache remembers (kept or not).
const MAX_ENTRIES: usize = 10_000;

/// How many bytes of kept results (their text and keys) the cache holds at most.
const MAX_BYTES: usize = 100 << 20;

/// A query's two keys: `own` names the caller's identity; `any` the caller's access only
/// (admin or public), under which a run that read no identity is kept, for every caller
/// with that access (Convex keeps such results without the identity too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueryKeys {
    pub(crate) own: Arc<str>,
    pub(crate) any: Arc<str>,
}

/// Runs by their key: the latest run of each, kept or not.
pub(crate) struct QueryCache {
    /// Hashed with Fx: every session a commit wakes looks its query up here.
    entries: LruCache<Arc<str>, Entry, FxBuildHasher>,
    /// Each kept run's key, by the owner its subscription names.
    kept: HashMap<u64, Arc<str>>,
    kept_bytes: usize,
    next_owner: u64,
}

impl Default for QueryCache {
    fn default() -> Self {
        Self {
            entries: LruCache::with_hasher(
                NonZeroUsize::new(MAX_ENTRIES).expect("not zero"),
                FxBuildHasher,
            ),
            kept: HashMap::new(),
            kept_bytes: 0,
            next_owner: CACHE_OWNERS,
        }
    }
}

/// A query's latest run.
struct Entry {
    slot: Slot,
    /// The timestamp it runs at.
    ts: u64,
    /// Set once the run is kept past `ts`.
    kept: Option<Kept>,
}

/// What keeps a run valid past its timestamp.
struct Kept {
    owner: u64,
    /// `None` while the engine subscription is being made: not to be taken yet.
    subscription: Option<SubscriptionId>,
    since: Instant,
    bytes: usize,
}

impl Entry {
    fn takeable_after_ts(&self, now: Instant) -> bool {
        self.kept.as_ref().is_some_and(|k| {
            k.subscription.is_some() && now.saturating_duration_since(k.since) <= MAX_AGE
        })
    }
}

impl QueryCache {
    /// The slot for `key` at `ts`: the run at `ts` (in flight or done), a kept run from
    /// before `ts`, or a new one. A run newer than `ts` is never taken: an older timestamp
    /// gets a slot of its own, which the cache does not remember. Also the subscriptions of
    /// runs this let go, for the caller to drop.
    pub(crate) fn slot(
        &mut self,
        key: &Arc<str>,
        ts: u64,
        now: Instant,
    ) -> (Slot, Vec<SubscriptionId>) {
        if let Some(entry) = self.entries.get(&**key) {
            if entry.ts == ts || (entry.ts < ts && entry.takeable_after_ts(now)) {
                return (entry.slot.clone(), Vec::new());
            }
            if entry.ts > ts {
                return (Slot::default(), Vec::new());
            }
        }
        let slot = Slot::default();
        let stale = self.put(key, &slot, ts);
        (slot, stale)
    }

    /// The slot for a query at `ts`, and whether it is under the query's `any` key: this
    /// caller's run at `ts` or kept from before; else a run that read no identity, at `ts`
    /// or kept; else, when the query's last run read no identity, a new run under `any`,
    /// which every caller at `ts` waits for (and runs its own after, should it read the
    /// identity after all: `sync/shared.rs`); else a new run of its own. `own_only` skips
    /// `any`. Also the subscriptions of runs this let go, for the caller to drop.
    pub(crate) fn slot_for(
        &mut self,
        keys: &QueryKeys,
        ts: u64,
        now: Instant,
        own_only: bool,
    ) -> (Slot, bool, Vec<SubscriptionId>) {
        let serves = |e: &Entry| e.ts == ts || (e.ts < ts && e.takeable_after_ts(now));
        let own_serves = self.entries.get(&*keys.own).is_some_and(serves);
        if !own_serves
            && !own_only
            && let Some(any) = self.entries.get(&*keys.any)
        {
            if serves(any) {
                return (any.slot.clone(), true, Vec::new());
            }
            if any.ts < ts {
                let (slot, stale) = self.slot(&keys.any, ts, now);
                return (slot, true, stale);
            }
        }
        let (slot, stale) = self.slot(&keys.own, ts, now);
        (slot, false, stale)
    }

    /// Files `slot`, a finished run at `ts`, under `key` (where it is kept), unless it is
    /// there already or a newer run is. `false` when it is not there. Also the subscriptions
    /// of the run it replaced, for the caller to drop.
    pub(crate) fn adopt(
        &mut self,
        key: &Arc<str>,
        slot: &Slot,
        ts: u64,
    ) -> (bool, Vec<SubscriptionId>) {
        match self.entries.peek(&**key) {
            Some(e) if Arc::ptr_eq(&e.slot, slot) => return (true, Vec::new()),
            Some(e) if e.ts >= ts => return (false, Vec::new()),
            _ => {}
        }
        (true, self.put(key, slot, ts))
    }

    /// Takes `slot` out from under `key` (a run under a query's `any` key that read the
    /// identity after all). The subscriptions to drop.
    pub(crate) fn withdraw(&mut self, key: &str, slot: &Slot) -> Vec<SubscriptionId> {
        let mut stale = Vec::new();
        if self.entries.peek(key).is_some_and(|e| Arc::ptr_eq(&e.slot, slot))
            && let Some(old) = self.entries.pop(key)
        {
            self.forget(old, &mut stale);
        }
        stale
    }

    /// Starts keeping `slot`'s run of `key`, `bytes` large: the owner to subscribe its read
    /// set for. `None` when it is no longer the key's latest run (cleared or replaced
    /// meanwhile) or already kept.
    pub(crate) fn begin_keep(
        &mut self,
        key: &str,
        slot: &Slot,
        bytes: usize,
        now: Instant,
    ) -> Option<u64> {
        let entry = self.entries.peek_mut(key)?;
        if !Arc::ptr_eq(&entry.slot, slot) || entry.kept.is_some() {
            return None;
        }
        let owner = self.next_owner;
        self.next_owner += 1;
        entry.kept = Some(Kept { owner, subscription: None, since: now, bytes });
        self.kept.insert(owner, key.into());
        self.kept_bytes += bytes;
        Some(owner)
    }

    /// Ends [`QueryCache::begin_keep`] with its subscription (`None`: a commit after the
    /// run's snapshot already touched what it read). The subscriptions to drop: this one if
    /// the run was let go meanwhile, and those of runs the byte bound pushed out.
    pub(crate) fn finish_keep(
        &mut self,
        owner: u64,
        subscription: Option<SubscriptionId>,
    ) -> Vec<SubscriptionId> {
        let mut stale = Vec::new();
        let kept = self.kept.get(&owner).and_then(|key| self.entries.peek_mut(&**key));
        match (kept.and_then(|e| e.kept.as_mut()), subscription) {
            (Some(kept), Some(id)) => kept.subscription = Some(id),
            (Some(_), None) => self.unkeep(owner),
            // A hit evicted it (the engine dropped the subscription), or it was let go.
            (None, Some(id)) => stale.push(id),
            (None, None) => {}
        }
        while self.kept_bytes > MAX_BYTES {
            let Some((_, old)) = self.entries.pop_lru() else { break };
            self.forget(old, &mut stale);
        }
        stale
    }

    /// Inside a commit: lets go of the kept runs its hits outdated (the engine has dropped
    /// their subscriptions). Their runs still serve their own timestamp.
    pub(crate) fn evict(&mut self, hits: &[Invalidation]) {
        for hit in hits.iter().filter(|h| h.owner >= CACHE_OWNERS) {
            self.unkeep(hit.owner);
        }
    }

    /// Forgets every run (new code or environment: the same query may answer otherwise).
    /// The subscriptions of the kept ones, for the caller to drop.
    pub(crate) fn clear(&mut self) -> Vec<SubscriptionId> {
        let mut stale = Vec::new();
        while let Some((_, old)) = self.entries.pop_lru() {
            self.forget(old, &mut stale);
        }
        stale
    }

    /// How many runs are kept past their timestamp.
    #[cfg(test)]
    fn kept_count(&self) -> usize {
        self.kept.len()
    }

    fn unkeep(&mut self, owner: u64) {
        let Some(key) = self.kept.remove(&owner) else { return };
        if let Some(entry) = self.entries.peek_mut(&*key)
            && let Some(kept) = entry.kept.take_if(|k| k.owner == owner)
        {
            self.kept_bytes -= kept.bytes;
        }
    }

    /// Makes `slot`, a run at `ts`, the latest of `key`; the subscriptions of the run it
    /// replaced (or the least recently used one it pushed out), for the caller to drop.
    fn put(&mut self, key: &Arc<str>, slot: &Slot, ts: u64) -> Vec<SubscriptionId> {
        let mut stale = Vec::new();
        let entry = Entry { slot: slot.clone(), ts, kept: None };
        if let Some((_, old)) = self.entries.push(key.clone(), entry) {
            self.forget(old, &mut stale);
        }
        stale
    }

    fn forget(&mut self, entry: Entry, stale: &mut Vec<SubscriptionId>) {
        if let Some(kept) = entry.kept {
            self.kept.remove(&kept.owner);
            self.kept_bytes -= kept.bytes;
            stale.extend(kept.subscription);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atrium_engine::Timestamp;

    fn hit(owner: u64) -> Invalidation {
        Invalidation {
            subscription: SubscriptionId(1),
            ts: Timestamp(9),
            table: "messages".into(),
            document: None,
            owner,
        }
    }

    /// Keeps `slot` of `key` with subscription `id`, as the deployment does after its run.
    fn keep(cache: &mut QueryCache, key: &str, slot: &Slot, id: u64, now: Instant) -> u64 {
        let owner = cache.begin_keep(key, slot, 10, now).expect("its latest run");
        assert!(cache.finish_keep(owner, Some(SubscriptionId(id))).is_empty());
        owner
    }

    #[test]
    fn a_run_is_shared_at_its_timestamp_and_taken_later_only_once_kept() {
        let (mut cache, now, key) = (QueryCache::default(), Instant::now(), Arc::from("q"));
        let (first, _) = cache.slot(&key, 5, now);
        assert!(
            Arc::ptr_eq(&first, &cache.slot(&key, 5, now).0),
            "same key and timestamp: one run"
        );
        assert!(!Arc::ptr_eq(&first, &cache.slot(&"other".into(), 5, now).0));
        let (newer, _) = cache.slot(&key, 6, now);
        assert!(!Arc::ptr_eq(&first, &newer), "not kept: a later timestamp runs again");
        keep(&mut cache, "q", &newer, 1, now);
        assert!(
            Arc::ptr_eq(&newer, &cache.slot(&key, 8, now).0),
            "kept: taken at a later timestamp"
        );
        let (older, _) = cache.slot(&key, 5, now);
        assert!(!Arc::ptr_eq(&older, &newer), "a run is never taken before its timestamp");
        assert!(!Arc::ptr_eq(&older, &cache.slot(&key, 5, now).0), "nor remembered for it");
        assert!(
            Arc::ptr_eq(&newer, &cache.slot(&key, 9, now).0),
            "the older slot replaced nothing"
        );
    }

    #[test]
    fn a_hit_evicts_a_kept_run_and_a_later_timestamp_runs_again() {
        let (mut cache, now, key) = (QueryCache::default(), Instant::now(), Arc::from("q"));
        let (slot, _) = cache.slot(&key, 5, now);
        let owner = keep(&mut cache, "q", &slot, 1, now);
        cache.evict(&[hit(7), hit(owner + 1)]);
        assert!(
            Arc::ptr_eq(&slot, &cache.slot(&key, 6, now).0),
            "other owners' hits evict nothing"
        );
        cache.evict(&[hit(owner)]);
        assert_eq!(cache.kept_count(), 0);
        assert!(
            Arc::ptr_eq(&slot, &cache.slot(&key, 5, now).0),
            "it still serves its own timestamp"
        );
        let (again, stale) = cache.slot(&key, 6, now);
        assert!(!Arc::ptr_eq(&slot, &again));
        assert!(stale.is_empty(), "the engine already dropped a hit subscription");
    }

    #[test]
    fn a_kept_run_expires_and_its_subscription_is_handed_back() {
        let (mut cache, now, key) = (QueryCache::default(), Instant::now(), Arc::from("q"));
        let (slot, _) = cache.slot(&key, 5, now);
        keep(&mut cache, "q", &slot, 41, now);
        let later = now + MAX_AGE + Duration::from_millis(1);
        let (again, stale) = cache.slot(&key, 6, later);
        assert!(!Arc::ptr_eq(&slot, &again), "too old to take");
        assert_eq!(stale, vec![SubscriptionId(41)], "the replaced run's subscription");
        assert_eq!(cache.kept_count(), 0);
    }

    #[test]
    fn a_run_let_go_while_subscribing_hands_its_subscription_back() {
        let (mut cache, now, key) = (QueryCache::default(), Instant::now(), Arc::from("q"));
        let (slot, _) = cache.slot(&key, 5, now);
        let owner = cache.begin_keep("q", &slot, 10, now).unwrap();
        assert!(!Arc::ptr_eq(&slot, &cache.slot(&key, 6, now).0), "not takeable before subscribed");
        assert_eq!(cache.finish_keep(owner, Some(SubscriptionId(3))), vec![SubscriptionId(3)]);
        assert_eq!(cache.kept_count(), 0);
        assert!(cache.begin_keep("q", &slot, 10, now).is_none(), "no longer the key's latest run");
        // Refused by the engine (a commit after the snapshot touched it): not kept.
        let (latest, _) = cache.slot(&key, 6, now);
        let owner = cache.begin_keep("q", &latest, 10, now).unwrap();
        assert!(cache.finish_keep(owner, None).is_empty());
        assert!(!Arc::ptr_eq(&latest, &cache.slot(&key, 7, now).0));
    }

    #[test]
    fn clearing_forgets_every_run_and_hands_back_their_subscriptions() {
        let (mut cache, now) = (QueryCache::default(), Instant::now());
        let (a, _) = cache.slot(&"a".into(), 5, now);
        let (b, _) = cache.slot(&"b".into(), 5, now);
        keep(&mut cache, "a", &a, 1, now);
        keep(&mut cache, "b", &b, 2, now);
        let mut stale = cache.clear();
        stale.sort();
        assert_eq!(stale, vec![SubscriptionId(1), SubscriptionId(2)]);
        assert!(!Arc::ptr_eq(&a, &cache.slot(&"a".into(), 5, now).0), "cleared");
    }

    fn keys(who: &str) -> QueryKeys {
        QueryKeys { own: format!("{who} q").into(), any: "any q".into() }
    }

    #[test]
    fn a_run_that_read_no_identity_serves_every_caller_with_its_access() {
        let (mut cache, now) = (QueryCache::default(), Instant::now());
        let (ada, bob, cy) = (keys("ada"), keys("bob"), keys("cy"));
        let mut take = |keys: &QueryKeys, ts| cache.slot_for(keys, ts, now, false);
        let (slot, under_any, _) = take(&ada, 5);
        assert!(!under_any, "nothing says yet that it reads no identity");
        let (bobs, ..) = take(&bob, 5);
        assert!(!Arc::ptr_eq(&slot, &bobs), "until Ada's run is filed under `any`, Bob runs his");
        assert_eq!(cache.adopt(&ada.any, &slot, 5), (true, Vec::new()));
        let (taken, under_any, _) = cache.slot_for(&cy, 5, now, false);
        assert!(Arc::ptr_eq(&slot, &taken) && under_any, "Cy takes it at its timestamp");
        assert!(Arc::ptr_eq(&bobs, &cache.slot_for(&bob, 5, now, false).0), "Bob has his own");
        assert!(!Arc::ptr_eq(&slot, &cache.slot_for(&cy, 5, now, true).0), "unless own only");
        let owner = keep(&mut cache, "any q", &slot, 1, now);
        assert!(Arc::ptr_eq(&slot, &cache.slot_for(&bob, 7, now, false).0), "kept: for anyone");
        let (late, ..) = cache.slot_for(&keys("dan"), 4, now, false);
        assert!(!cache.adopt(&ada.any, &late, 4).0, "an older run never replaces a newer");
        assert!(Arc::ptr_eq(&slot, &cache.slot_for(&cy, 7, now, false).0));
        cache.evict(&[hit(owner)]);
        // Outdated for everyone; its last run read no identity, so the next one runs where
        // every caller at its timestamp waits for it.
        let (next, under_any, _) = cache.slot_for(&cy, 8, now, false);
        assert!(!Arc::ptr_eq(&slot, &next) && under_any);
        assert!(Arc::ptr_eq(&next, &cache.slot_for(&ada, 8, now, false).0));
    }

    #[test]
    fn a_run_under_any_that_read_the_identity_is_withdrawn_from_it() {
        let (mut cache, now) = (QueryCache::default(), Instant::now());
        let (ada, bob) = (keys("ada"), keys("bob"));
        let (first, ..) = cache.slot_for(&ada, 5, now, false);
        cache.adopt(&ada.any, &first, 5);
        let (speculative, under_any, _) = cache.slot_for(&bob, 6, now, false);
        assert!(under_any);
        // It read the identity: filed under Bob's own key, taken out from under `any`.
        assert!(cache.withdraw(&bob.any, &speculative).is_empty());
        assert_eq!(cache.adopt(&bob.own, &speculative, 6), (true, Vec::new()));
        let owner = cache.begin_keep(&bob.own, &speculative, 10, now).unwrap();
        assert!(cache.finish_keep(owner, Some(SubscriptionId(4))).is_empty());
        let (adas, under_any, _) = cache.slot_for(&ada, 7, now, false);
        assert!(!Arc::ptr_eq(&adas, &speculative) && !under_any, "never Bob's for Ada");
        assert!(Arc::ptr_eq(&speculative, &cache.slot_for(&bob, 7, now, false).0), "Bob's own");
    }

    #[test]
    fn the_byte_bound_lets_the_least_recently_used_go_first() {
        let (mut cache, now) = (QueryCache::default(), Instant::now());
        let big = MAX_BYTES / 2 - 1;
        let keep_big = |cache: &mut QueryCache, key: &str, id: u64| {
            let (slot, _) = cache.slot(&key.into(), 5, now);
            let owner = cache.begin_keep(key, &slot, big, now).unwrap();
            (slot, cache.finish_keep(owner, Some(SubscriptionId(id))))
        };
        let (a, _) = keep_big(&mut cache, "a", 1);
        let (b, _) = keep_big(&mut cache, "b", 2);
        assert!(
            Arc::ptr_eq(&a, &cache.slot(&"a".into(), 6, now).0),
            "taking `a` makes `b` the oldest"
        );
        let (_, stale) = keep_big(&mut cache, "c", 3);
        assert_eq!(stale, vec![SubscriptionId(2)]);
        assert!(!Arc::ptr_eq(&b, &cache.slot(&"b".into(), 6, now).0));
        assert_eq!(cache.kept_count(), 2);
    }
}
