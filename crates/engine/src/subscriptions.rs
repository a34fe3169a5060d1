//! Read sets and subscriptions: which live queries a commit affects, exactly.
//!
//! A [`ReadSet`] is the list of index key ranges a transaction or query read. A commit
//! produces the keys it wrote — for each changed document, its old and new key in every
//! index of its table. A subscription is hit when one of its ranges contains one of those
//! keys; the hit carries the cause (commit timestamp, table, document). Unrelated writes to
//! the same table hit nothing. The same test is the optimistic-concurrency check at commit.
//!
//! Searches read terms, not key ranges: a read set also lists [`SearchRead`]s, and a
//! commit's write to a search index carries the written document's terms and filter values
//! ([`SearchEntry`]); a search read is hit when a version matches it.

use std::sync::Arc;

use atrium_value::DocumentId;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::search::{SearchEntry, SearchRead};
use crate::{IndexId, KeyRange, Timestamp};

/// The index key ranges (and searches) something read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadSet {
    ranges: Vec<(IndexId, KeyRange)>,
    searches: Vec<SearchRead>,
}

impl ReadSet {
    pub fn add(&mut self, index: IndexId, range: KeyRange) {
        if !range.is_empty() && !self.ranges.iter().any(|(i, r)| *i == index && *r == range) {
            self.ranges.push((index, range));
        }
    }

    pub fn add_search(&mut self, read: SearchRead) {
        if !self.searches.contains(&read) {
            self.searches.push(read);
        }
    }

    pub fn ranges(&self) -> &[(IndexId, KeyRange)] {
        &self.ranges
    }

    pub fn searches(&self) -> &[SearchRead] {
        &self.searches
    }

    pub fn len(&self) -> usize {
        self.ranges.len() + self.searches.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty() && self.searches.is_empty()
    }

    pub fn extend(&mut self, other: &ReadSet) {
        for (index, range) in &other.ranges {
            self.add(*index, range.clone());
        }
        for read in &other.searches {
            self.add_search(read.clone());
        }
    }

    /// The first write this read set depends on, if any.
    pub fn first_hit<'a>(&self, writes: &'a [WrittenKey]) -> Option<&'a WrittenKey> {
        writes.iter().find(|w| {
            self.ranges.iter().any(|(index, range)| w.hits(*index, range))
                || self.searches.iter().any(|read| w.hits_search(read))
        })
    }
}

/// What a commit wrote, for conflict checks and invalidation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenKey {
    pub index: IndexId,
    /// `None`: the whole index changed (its table was dropped).
    pub key: Option<Vec<u8>>,
    pub table: String,
    pub document: Option<DocumentId>,
    /// A write to a search index: the terms and filter values of one version (then `key`
    /// is not an index key).
    pub search: Option<Arc<SearchEntry>>,
}

impl WrittenKey {
    fn hits(&self, index: IndexId, range: &KeyRange) -> bool {
        self.search.is_none()
            && self.index == index
            && self.key.as_ref().is_none_or(|key| range.contains(key))
    }

    fn hits_search(&self, read: &SearchRead) -> bool {
        self.index == read.index
            && match (&self.search, &self.key) {
                (Some(entry), _) => read.matches(entry),
                (None, None) => true,
                (None, Some(_)) => false,
            }
    }
}

/// Identifies a registered subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SubscriptionId(pub u64);

/// A subscription hit by a commit, and the write that hit it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalidation {
    pub subscription: SubscriptionId,
    pub ts: Timestamp,
    /// Shared by every hit of one write (a commit may hit thousands of subscriptions).
    pub table: Arc<str>,
    /// The document whose write hit the subscription (`None` when a whole table changed).
    pub document: Option<DocumentId>,
    /// Who registered the subscription ([`Subscriptions::register_for`]; 0: nobody said),
    /// so a commit's hits can go straight to their owners.
    pub owner: u64,
}

/// The subscriptions reading one range of one index, in registration order. Clients
/// subscribed to the same query read the same ranges: the range is stored and tested once,
/// however many of them there are.
#[derive(Debug)]
struct RangeGroup {
    range: KeyRange,
    ids: Vec<SubscriptionId>,
}

/// Live subscriptions, indexed so a commit finds the ones it hits without testing all of
/// them: point ranges (`db.get`) by exact key, other ranges per index sorted by start, each
/// distinct range once with the subscriptions that read it. Registering, hitting and
/// unregistering cost per distinct range, plus one step per subscription.
#[derive(Debug, Default)]
pub struct Subscriptions {
    next_id: u64,
    /// Shared with whoever registered them (sessions sharing a query run share its read set).
    read_sets: FxHashMap<SubscriptionId, Arc<ReadSet>>,
    /// The owners of subscriptions registered with one.
    owners: FxHashMap<SubscriptionId, u64>,
    points: FxHashMap<(IndexId, Vec<u8>), Vec<SubscriptionId>>,
    ranges: FxHashMap<IndexId, Vec<RangeGroup>>,
    searches: FxHashMap<IndexId, Vec<(SearchRead, SubscriptionId)>>,
}

/// Where `range`'s group is in `list` (sorted by start; equal starts in creation order):
/// `Ok(position)`, or `Err(position)` where a new group for it goes.
fn find_group(list: &[RangeGroup], range: &KeyRange) -> Result<usize, usize> {
    let from = list.partition_point(|g| g.range.start < range.start);
    let to = from + list[from..].partition_point(|g| g.range.start <= range.start);
    list[from..to].iter().position(|g| g.range == *range).map(|at| from + at).ok_or(to)
}

/// Removes the `gone` subscriptions from `ids` (ascending, as registered).
fn remove_ids(ids: &mut Vec<SubscriptionId>, gone: &FxHashSet<SubscriptionId>) {
    if gone.len() <= 4 {
        // One session leaving: find its few ids instead of testing every id here.
        for id in gone {
            if let Ok(at) = ids.binary_search(id) {
                ids.remove(at);
            }
        }
    } else {
        ids.retain(|s| !gone.contains(s));
    }
}

impl Subscriptions {
    pub fn len(&self) -> usize {
        self.read_sets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.read_sets.is_empty()
    }

    pub fn read_set(&self, id: SubscriptionId) -> Option<&ReadSet> {
        self.read_sets.get(&id).map(|r| &**r)
    }

    pub fn register(&mut self, read_set: impl Into<Arc<ReadSet>>) -> SubscriptionId {
        self.register_for(read_set, 0)
    }

    /// Registers a read set for `owner`, whom its invalidation names (0: nobody).
    pub fn register_for(
        &mut self,
        read_set: impl Into<Arc<ReadSet>>,
        owner: u64,
    ) -> SubscriptionId {
        let read_set = read_set.into();
        self.next_id += 1;
        let id = SubscriptionId(self.next_id);
        for (index, range) in read_set.ranges() {
            match range.as_point() {
                Some(key) => self.points.entry((*index, key.to_vec())).or_default().push(id),
                None => {
                    let list = self.ranges.entry(*index).or_default();
                    match find_group(list, range) {
                        Ok(at) => list[at].ids.push(id),
                        Err(at) => {
                            list.insert(at, RangeGroup { range: range.clone(), ids: vec![id] })
                        }
                    }
                }
            }
        }
        for read in read_set.searches() {
            self.searches.entry(read.index).or_default().push((read.clone(), id));
        }
        self.read_sets.insert(id, read_set);
        if owner != 0 {
            self.owners.insert(id, owner);
        }
        id
    }

    pub fn unregister(&mut self, id: SubscriptionId) {
        self.unregister_all(std::iter::once(id));
    }

    /// The subscriptions `writes` hit, each once with its first cause. Hit subscriptions
    /// are removed: their result is stale, and whoever re-runs the query registers the new
    /// read set.
    pub fn invalidate(&mut self, writes: &[WrittenKey], ts: Timestamp) -> Vec<Invalidation> {
        let mut hit: Vec<(SubscriptionId, usize)> = Vec::new();
        let mut seen = FxHashSet::default();
        for (w, write) in writes.iter().enumerate() {
            let mut found = |id: SubscriptionId| {
                if seen.insert(id) {
                    hit.push((id, w));
                }
            };
            if let Some(reads) = self.searches.get(&write.index) {
                for (read, id) in reads {
                    if write.hits_search(read) {
                        found(*id);
                    }
                }
            }
            if write.search.is_some() {
                continue;
            }
            let groups = self.ranges.get(&write.index).map_or(&[][..], Vec::as_slice);
            match &write.key {
                Some(key) => {
                    if let Some(ids) = self.points.get(&(write.index, key.clone())) {
                        ids.iter().copied().for_each(&mut found);
                    }
                    let candidates =
                        groups.partition_point(|g| g.range.start.as_slice() <= key.as_slice());
                    for group in &groups[..candidates] {
                        if group.range.contains(key) {
                            group.ids.iter().copied().for_each(&mut found);
                        }
                    }
                }
                None => {
                    for ((index, _), ids) in &self.points {
                        if *index == write.index {
                            ids.iter().copied().for_each(&mut found);
                        }
                    }
                    for group in groups {
                        group.ids.iter().copied().for_each(&mut found);
                    }
                }
            }
        }
        // One copy of each hitting write's table name, shared by all its hits.
        let mut tables: Vec<Option<Arc<str>>> = vec![None; writes.len()];
        let invalidations: Vec<Invalidation> = hit
            .into_iter()
            .map(|(subscription, w)| Invalidation {
                subscription,
                ts,
                table: tables[w].get_or_insert_with(|| writes[w].table.as_str().into()).clone(),
                document: writes[w].document,
                owner: self.owners.get(&subscription).copied().unwrap_or(0),
            })
            .collect();
        self.unregister_all(invalidations.iter().map(|i| i.subscription));
        invalidations
    }

    /// Unregisters many subscriptions at once: each distinct range or point they read is
    /// visited once, however many of them read it (a commit that hits thousands of
    /// subscribers of one query).
    fn unregister_all(&mut self, ids: impl Iterator<Item = SubscriptionId>) {
        let mut gone = FxHashSet::default();
        let mut removed = Vec::new();
        for id in ids {
            let Some(read_set) = self.read_sets.remove(&id) else { continue };
            self.owners.remove(&id);
            gone.insert(id);
            removed.push(read_set);
        }
        if removed.is_empty() {
            return;
        }
        let mut points: FxHashSet<(IndexId, &[u8])> = FxHashSet::default();
        let mut ranges: FxHashSet<(IndexId, &KeyRange)> = FxHashSet::default();
        let mut search_indexes = FxHashSet::default();
        for read_set in &removed {
            search_indexes.extend(read_set.searches().iter().map(|read| read.index));
            for (index, range) in read_set.ranges() {
                match range.as_point() {
                    Some(key) => points.insert((*index, key)),
                    None => ranges.insert((*index, range)),
                };
            }
        }
        for (index, key) in points {
            let slot = (index, key.to_vec());
            if let Some(ids) = self.points.get_mut(&slot) {
                remove_ids(ids, &gone);
                if ids.is_empty() {
                    self.points.remove(&slot);
                }
            }
        }
        for (index, range) in ranges {
            let Some(list) = self.ranges.get_mut(&index) else { continue };
            if let Ok(at) = find_group(list, range) {
                remove_ids(&mut list[at].ids, &gone);
                if list[at].ids.is_empty() {
                    list.remove(at);
                }
            }
            if list.is_empty() {
                self.ranges.remove(&index);
            }
        }
        for index in search_indexes {
            if let Some(list) = self.searches.get_mut(&index) {
                list.retain(|(_, s)| !gone.contains(s));
                if list.is_empty() {
                    self.searches.remove(&index);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key_range::key_successor;

    fn write(index: u32, key: &[u8]) -> WrittenKey {
        WrittenKey {
            index: IndexId(index),
            key: Some(key.to_vec()),
            table: "t".into(),
            document: None,
            search: None,
        }
    }

    fn read_set(ranges: &[(u32, KeyRange)]) -> ReadSet {
        let mut set = ReadSet::default();
        for (i, r) in ranges {
            set.add(IndexId(*i), r.clone());
        }
        set
    }

    #[test]
    fn only_intersecting_subscriptions_are_hit() {
        let mut subs = Subscriptions::default();
        let low = subs.register(read_set(&[(1, KeyRange { start: vec![0], end: Some(vec![10]) })]));
        let high = subs.register(read_set(&[(1, KeyRange { start: vec![10], end: None })]));
        let point = subs.register(read_set(&[(2, KeyRange::point(&[5]))]));
        let other_index = subs.register(read_set(&[(3, KeyRange::all())]));

        let hits = subs.invalidate(&[write(1, &[4])], Timestamp(7));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].subscription, low);
        assert_eq!(hits[0].ts, Timestamp(7));
        assert!(subs.read_set(low).is_none(), "a hit subscription is removed");

        assert!(
            subs.invalidate(&[write(2, &[6]), write(2, &key_successor(&[5]))], Timestamp(8))
                .is_empty()
        );
        let hits = subs.invalidate(&[write(2, &[5]), write(1, &[200])], Timestamp(9));
        let ids: Vec<_> = hits.iter().map(|h| h.subscription).collect();
        assert_eq!(ids, vec![point, high]);
        assert!(subs.read_set(other_index).is_some());
    }

    #[test]
    fn a_hit_names_the_owner_its_subscription_was_registered_for() {
        let mut subs = Subscriptions::default();
        let owned = subs.register_for(read_set(&[(1, KeyRange::all())]), 42);
        let anonymous = subs.register(read_set(&[(1, KeyRange::all())]));
        let hits = subs.invalidate(&[write(1, &[4])], Timestamp(3));
        let owners: Vec<_> = hits.iter().map(|h| (h.subscription, h.owner)).collect();
        assert_eq!(owners, vec![(owned, 42), (anonymous, 0)]);
        assert!(subs.owners.is_empty(), "a hit subscription forgets its owner");
        let again = subs.register_for(read_set(&[(2, KeyRange::point(&[1]))]), 7);
        subs.unregister(again);
        assert!(subs.owners.is_empty(), "an unregistered subscription forgets its owner");
    }

    #[test]
    fn subscribers_of_one_range_share_its_entry_and_leave_it_one_by_one() {
        let mut subs = Subscriptions::default();
        let shared = Arc::new(read_set(&[(1, KeyRange { start: vec![1], end: Some(vec![9]) })]));
        let ids: Vec<_> =
            (0..1000).map(|owner| subs.register_for(shared.clone(), owner + 1)).collect();
        // Same start, another end: its own entry, between the shared one's readers.
        let wider = subs.register(read_set(&[(1, KeyRange { start: vec![1], end: None })]));
        let last = subs.register_for(shared.clone(), 5000);
        assert_eq!(subs.ranges[&IndexId(1)].len(), 2, "one entry per distinct range");
        assert_eq!(subs.ranges[&IndexId(1)][0].ids.len(), 1001);
        subs.unregister(ids[500]);
        subs.unregister(ids[0]);
        assert_eq!(subs.ranges[&IndexId(1)][0].ids.len(), 999);
        assert!(subs.read_set(ids[500]).is_none());
        assert_eq!(subs.read_set(ids[1]), Some(&*shared));

        // Outside the shared range: only the wider one.
        let hits = subs.invalidate(&[write(1, &[20])], Timestamp(3));
        assert_eq!(hits.iter().map(|h| h.subscription).collect::<Vec<_>>(), vec![wider]);
        let hits = subs.invalidate(&[write(1, &[4])], Timestamp(4));
        assert_eq!(hits.len(), 999, "every remaining reader, once");
        assert!(hits.iter().all(|h| h.ts == Timestamp(4) && &*h.table == "t"));
        let owners: Vec<u64> = hits.iter().map(|h| h.owner).collect();
        let mut expected: Vec<u64> = (1..=1000).filter(|o| *o != 1 && *o != 501).collect();
        expected.push(5000);
        assert_eq!(owners, expected, "in registration order, each with its owner");
        assert!(hits.iter().any(|h| h.subscription == last));
        assert!(subs.is_empty());
        assert!(subs.ranges.is_empty() && subs.owners.is_empty(), "nothing left behind");
    }

    #[test]
    fn a_dropped_table_hits_every_reader_of_its_indexes() {
        let mut subs = Subscriptions::default();
        let a = subs.register(read_set(&[(1, KeyRange::point(&[1]))]));
        let b = subs.register(read_set(&[(1, KeyRange::all())]));
        let whole = WrittenKey {
            index: IndexId(1),
            key: None,
            table: "t".into(),
            document: None,
            search: None,
        };
        let mut ids: Vec<_> =
            subs.invalidate(&[whole], Timestamp(1)).iter().map(|h| h.subscription).collect();
        ids.sort();
        assert_eq!(ids, vec![a, b]);
        assert!(subs.is_empty());
    }
}
