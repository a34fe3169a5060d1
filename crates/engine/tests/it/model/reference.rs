//! The reference model: what a serializable engine with range-precise read sets must do,
//! written as plainly as possible over `BTreeMap`s, with no storage, no index encoding and
//! no cleverness. It knows one table with one index on `(v, n)`; `n` is unique per
//! document, so the model can order documents without creation times or IDs.
//!
//! It must not look at the engine: `mod.rs` runs both and compares.

use std::collections::BTreeMap;

/// A document's name in the model: the order in which histories inserted them.
pub type DocId = usize;
/// The index key the model orders by: `(v, n)`.
pub type Key = (i64, i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Doc {
    pub v: i64,
    pub n: i64,
}

impl Doc {
    fn key(&self) -> Key {
        (self.v, self.n)
    }
}

/// Every live document at one commit.
pub type State = BTreeMap<DocId, Doc>;

/// One read a transaction depends on.
#[derive(Debug, Clone)]
enum Read {
    /// `db.get(id)`, found or not.
    Point(DocId),
    /// Index keys `lo <= key < hi`.
    Range { lo: Key, hi: Key },
}

/// One document a commit changed: its key before and after (`None`: absent).
#[derive(Debug, Clone)]
struct Written {
    id: DocId,
    old: Option<Key>,
    new: Option<Key>,
}

impl Read {
    fn hit(&self, w: &Written) -> bool {
        match self {
            Read::Point(id) => *id == w.id,
            Read::Range { lo, hi } => {
                [w.old, w.new].into_iter().flatten().any(|k| *lo <= k && k < *hi)
            }
        }
    }
}

#[derive(Debug)]
struct Commit {
    state: State,
    written: Vec<Written>,
}

/// An open transaction: its snapshot (a commit's position), its writes, its reads.
#[derive(Debug)]
pub struct Tx {
    snapshot: usize,
    writes: BTreeMap<DocId, Option<Doc>>,
    reads: Vec<Read>,
}

/// What a scan returns: documents in order, and whether the range held no more.
pub type Scan = (Vec<(DocId, Doc)>, bool);

#[derive(Debug)]
pub struct Model {
    commits: Vec<Commit>,
    next_id: DocId,
    subscriptions: BTreeMap<usize, Vec<Read>>,
    next_subscription: usize,
}

impl Model {
    /// An empty table, as of its first commit.
    pub fn empty() -> Self {
        Self {
            commits: vec![Commit { state: State::new(), written: Vec::new() }],
            next_id: 0,
            subscriptions: BTreeMap::new(),
            next_subscription: 0,
        }
    }

    pub fn commit_count(&self) -> usize {
        self.commits.len()
    }

    pub fn documents_created(&self) -> usize {
        self.next_id
    }

    /// The documents at the `k`th commit, in index order.
    pub fn state_at(&self, k: usize) -> Vec<(DocId, Doc)> {
        let mut docs: Vec<(DocId, Doc)> =
            self.commits[k].state.iter().map(|(id, d)| (*id, *d)).collect();
        docs.sort_by_key(|(_, d)| d.key());
        docs
    }

    pub fn begin(&self) -> Tx {
        Tx { snapshot: self.commits.len() - 1, writes: BTreeMap::new(), reads: Vec::new() }
    }

    fn visible(&self, tx: &Tx, id: DocId) -> Option<Doc> {
        match tx.writes.get(&id) {
            Some(write) => *write,
            None => self.commits[tx.snapshot].state.get(&id).copied(),
        }
    }

    pub fn get(&self, tx: &mut Tx, id: DocId) -> Option<Doc> {
        tx.reads.push(Read::Point(id));
        self.visible(tx, id)
    }

    /// Documents with `lo <= v < hi`, at most `limit`, ascending or descending.
    pub fn scan(&self, tx: &mut Tx, lo: i64, hi: i64, desc: bool, limit: usize) -> Scan {
        let ids: std::collections::BTreeSet<DocId> =
            self.commits[tx.snapshot].state.keys().chain(tx.writes.keys()).copied().collect();
        let mut docs: Vec<(DocId, Doc)> = ids
            .into_iter()
            .filter_map(|id| self.visible(tx, id).map(|d| (id, d)))
            .filter(|(_, d)| lo <= d.v && d.v < hi)
            .collect();
        docs.sort_by_key(|(_, d)| d.key());
        if desc {
            docs.reverse();
        }
        let (start, end) = ((lo, i64::MIN), (hi, i64::MIN));
        let exhausted = docs.len() <= limit;
        docs.truncate(limit);
        // A scan that stopped early read up to (and including) its last document.
        let read = match (exhausted, docs.last()) {
            (false, Some((_, last))) if desc => Read::Range { lo: last.key(), hi: end },
            (false, Some((_, last))) => Read::Range { lo: start, hi: (last.v, last.n + 1) },
            _ => Read::Range { lo: start, hi: end },
        };
        tx.reads.push(read);
        (docs, exhausted)
    }

    pub fn insert(&mut self, tx: &mut Tx, v: i64) -> DocId {
        let id = self.next_id;
        self.next_id += 1;
        tx.writes.insert(id, Some(Doc { v, n: id as i64 }));
        id
    }

    /// Replaces `v`; fails when the document does not exist for the transaction.
    pub fn replace(&self, tx: &mut Tx, id: DocId, v: i64) -> Result<(), ()> {
        tx.reads.push(Read::Point(id));
        let current = self.visible(tx, id).ok_or(())?;
        tx.writes.insert(id, Some(Doc { v, n: current.n }));
        Ok(())
    }

    /// Writes a document back under its own ID (an import's `insert_with_id`); fails when
    /// the document exists for the transaction.
    pub fn reinsert(&self, tx: &mut Tx, id: DocId, v: i64) -> Result<(), ()> {
        tx.reads.push(Read::Point(id));
        if self.visible(tx, id).is_some() {
            return Err(());
        }
        tx.writes.insert(id, Some(Doc { v, n: id as i64 }));
        Ok(())
    }

    pub fn delete(&self, tx: &mut Tx, id: DocId) -> Result<(), ()> {
        tx.reads.push(Read::Point(id));
        self.visible(tx, id).ok_or(())?;
        tx.writes.insert(id, None);
        Ok(())
    }

    /// Whether a commit after the `since`th wrote something `reads` depend on.
    fn conflicts(&self, reads: &[Read], since: usize) -> bool {
        self.commits[since + 1..]
            .iter()
            .any(|c| c.written.iter().any(|w| reads.iter().any(|r| r.hit(w))))
    }

    /// Commits: `Err` on a conflict; `Ok(None)` when there was nothing to write, else the
    /// subscriptions the commit invalidated (they end).
    pub fn commit(&mut self, tx: Tx) -> Result<Option<Vec<usize>>, ()> {
        if tx.writes.is_empty() {
            return Ok(None);
        }
        if self.conflicts(&tx.reads, tx.snapshot) {
            return Err(());
        }
        let mut state = self.commits.last().expect("a first commit").state.clone();
        let mut written = Vec::new();
        for (id, new) in tx.writes {
            let old = state.get(&id).map(Doc::key);
            match new {
                Some(doc) => state.insert(id, doc),
                None => state.remove(&id),
            };
            if old.is_some() || new.is_some() {
                written.push(Written { id, old, new: new.map(|d| d.key()) });
            }
        }
        let hit: Vec<usize> = self
            .subscriptions
            .iter()
            .filter(|(_, reads)| written.iter().any(|w| reads.iter().any(|r| r.hit(w))))
            .map(|(id, _)| *id)
            .collect();
        for id in &hit {
            self.subscriptions.remove(id);
        }
        self.commits.push(Commit { state, written });
        Ok(Some(hit))
    }

    /// Subscribes to what `tx` read; `Err` when a commit after its snapshot already
    /// changed it.
    pub fn subscribe(&mut self, tx: Tx) -> Result<usize, ()> {
        if self.conflicts(&tx.reads, tx.snapshot) {
            return Err(());
        }
        let id = self.next_subscription;
        self.next_subscription += 1;
        self.subscriptions.insert(id, tx.reads);
        Ok(id)
    }
}
