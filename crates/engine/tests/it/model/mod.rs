//! Model-based test of the engine: proptest generates histories of up to three concurrent
//! transactions (point reads, index range scans with limits in both orders, inserts,
//! replaces, deletes, commits, aborts), subscriptions and reads at earlier snapshots. Each
//! history runs against the real engine (on SQLite) and against the reference model
//! (`reference.rs`); every read, every commit's outcome (committed or OCC conflict) and every
//! commit's set of invalidated subscriptions must agree, and so must the final contents.
//!
//! One engine serves every history, on one table emptied (and its old revisions pruned)
//! between histories, so that thousands of histories fit in CI time. `ATRIUM_MODEL_CASES`
//! sets the number of histories (default 10,000).

mod reference;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use atrium_engine::range::compile;
use atrium_engine::{
    Engine, EngineOptions, IndexInfo, IndexRangeExpr, KeyRange, Order, SubscriptionId, Timestamp,
    Transaction,
};
use atrium_value::{DocumentId, Object, Value};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reference::{Doc, DocId, Model};

const TXS: usize = 3;
/// At most this many documents per history: every scan then fits in the engine's first
/// storage page, whose size decides how much a limited scan records as read.
const MAX_DOCS: usize = 14;

#[derive(Debug, Clone)]
enum Op {
    Get {
        tx: usize,
        doc: usize,
    },
    Scan {
        tx: usize,
        lo: i64,
        width: i64,
        desc: bool,
        limit: usize,
    },
    Insert {
        tx: usize,
        v: i64,
    },
    Replace {
        tx: usize,
        doc: usize,
        v: i64,
    },
    Delete {
        tx: usize,
        doc: usize,
    },
    /// Writes a once-committed document back under its own ID, as an import does.
    Reinsert {
        tx: usize,
        doc: usize,
        v: i64,
    },
    Commit {
        tx: usize,
    },
    Abort {
        tx: usize,
    },
    /// Subscribes to what the transaction read, and ends it.
    Subscribe {
        tx: usize,
    },
    /// Reads the whole table at an earlier commit.
    ReadAt {
        commit: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let tx = 0..TXS;
    let doc = 0..MAX_DOCS;
    let v = 0..6i64;
    prop_oneof![
        3 => (tx.clone(), doc.clone()).prop_map(|(tx, doc)| Op::Get { tx, doc }),
        4 => (tx.clone(), v.clone(), 1..6i64, any::<bool>(), 1..5usize)
            .prop_map(|(tx, lo, width, desc, limit)| Op::Scan { tx, lo, width, desc, limit }),
        4 => (tx.clone(), v.clone()).prop_map(|(tx, v)| Op::Insert { tx, v }),
        3 => (tx.clone(), doc.clone(), v.clone()).prop_map(|(tx, doc, v)| Op::Replace { tx, doc, v }),
        2 => (tx.clone(), doc.clone()).prop_map(|(tx, doc)| Op::Delete { tx, doc }),
        2 => (tx.clone(), doc, v).prop_map(|(tx, doc, v)| Op::Reinsert { tx, doc, v }),
        4 => tx.clone().prop_map(|tx| Op::Commit { tx }),
        1 => tx.clone().prop_map(|tx| Op::Abort { tx }),
        2 => tx.prop_map(|tx| Op::Subscribe { tx }),
        1 => (0..64usize).prop_map(|commit| Op::ReadAt { commit }),
    ]
}

/// What the histories did, so a generator that stopped making conflicts fails the test.
#[derive(Debug, Default, Clone, Copy)]
struct Seen {
    commits: u64,
    conflicts: u64,
    invalidations: u64,
    late_subscriptions: u64,
}

/// One history's run: the engine's side and the model's side, step by step.
struct Run<'a> {
    engine: &'a Engine,
    table: String,
    model: Model,
    /// The engine's ID for each model document.
    ids: Vec<DocumentId>,
    names: HashMap<DocumentId, DocId>,
    /// Documents some commit held: only those are written back by ID (an ID an open
    /// transaction made up is not yet the engine's, so no import could carry it).
    committed: std::collections::BTreeSet<DocId>,
    txs: Vec<Option<(Transaction, reference::Tx)>>,
    subscriptions: BTreeMap<SubscriptionId, usize>,
    /// The engine's timestamp of each model commit.
    commit_ts: Vec<Timestamp>,
    seen: Seen,
}

impl<'a> Run<'a> {
    /// Starts a history on an empty `table`: created the first time, then emptied and its
    /// history pruned (also after a failed history, whatever that left).
    fn new(engine: &'a Engine, table: &str) -> Self {
        if engine.catalog().table(table).is_none() {
            engine.create_table(table).unwrap();
            engine.add_index(table, "by_v", &["v".into(), "n".into()], |_, _| {}).unwrap();
        } else {
            engine
                .run(1, |tx| {
                    for document in tx.collect_table(table)? {
                        tx.delete(&document.id)?;
                    }
                    Ok(())
                })
                .unwrap();
            engine.prune_history().unwrap();
        }
        Self {
            engine,
            table: table.to_owned(),
            model: Model::empty(),
            ids: Vec::new(),
            names: HashMap::new(),
            committed: Default::default(),
            txs: (0..TXS).map(|_| None).collect(),
            subscriptions: BTreeMap::new(),
            commit_ts: vec![engine.latest_ts()],
            seen: Seen::default(),
        }
    }

    fn tx(&mut self, slot: usize) -> &mut (Transaction, reference::Tx) {
        let (engine, model) = (self.engine, &self.model);
        self.txs[slot].get_or_insert_with(|| (engine.begin(), model.begin()))
    }

    fn take_tx(&mut self, slot: usize) -> (Transaction, reference::Tx) {
        self.tx(slot);
        self.txs[slot].take().expect("just begun")
    }

    fn doc(&self, doc: usize) -> Option<DocId> {
        (!self.ids.is_empty()).then(|| doc % self.ids.len())
    }

    fn named(&self, document: &atrium_engine::Document) -> (DocId, Doc) {
        let int = |field: &str| match document.fields.get(field) {
            Some(Value::Int64(n)) => *n,
            other => panic!("field {field} is {other:?}"),
        };
        (self.names[&document.id], Doc { v: int("v"), n: int("n") })
    }

    fn index(table: &str, tx: &mut Transaction) -> IndexInfo {
        tx.index(table, "by_v").unwrap()
    }

    fn fields(v: i64, n: i64) -> Object {
        [("v".to_string(), Value::Int64(v)), ("n".to_string(), Value::Int64(n))]
            .into_iter()
            .collect()
    }

    fn step(&mut self, op: &Op) {
        match *op {
            Op::Get { tx, doc } => {
                let Some(doc) = self.doc(doc) else { return };
                let id = self.ids[doc];
                let real = self.tx(tx).0.get(&id).unwrap().map(|d| self.named(&d));
                let (_, model_tx) = self.txs[tx].as_mut().unwrap();
                let expected = self.model.get(model_tx, doc).map(|d| (doc, d));
                assert_eq!(real, expected, "get of document {doc}");
            }
            Op::Scan { tx, lo, width, desc, limit } => {
                let hi = lo + width;
                self.tx(tx);
                let (real_tx, _) = self.txs[tx].as_mut().unwrap();
                let info = Self::index(&self.table, real_tx);
                let range = compile(
                    &info,
                    "by_v",
                    &[
                        IndexRangeExpr::Gte("v".into(), Some(Value::Int64(lo))),
                        IndexRangeExpr::Lt("v".into(), Some(Value::Int64(hi))),
                    ],
                )
                .unwrap();
                let order = if desc { Order::Desc } else { Order::Asc };
                let (real_tx, _) = self.txs[tx].as_mut().unwrap();
                let page = real_tx.scan(&info, &range, order, None, limit).unwrap();
                let real: Vec<_> = page.documents.iter().map(|(_, d)| self.named(d)).collect();
                let (_, model_tx) = self.txs[tx].as_mut().unwrap();
                let (expected, exhausted) = self.model.scan(model_tx, lo, hi, desc, limit);
                assert_eq!(real, expected, "scan of v in [{lo}, {hi}), limit {limit}");
                assert_eq!(page.exhausted, exhausted, "exhausted, scan of [{lo}, {hi})");
            }
            Op::Insert { tx, v } => {
                if self.model.documents_created() >= MAX_DOCS {
                    return;
                }
                let n = self.model.documents_created() as i64;
                let table = self.table.clone();
                let id = self.tx(tx).0.insert(&table, Self::fields(v, n)).unwrap();
                let (_, model_tx) = self.txs[tx].as_mut().unwrap();
                let doc = self.model.insert(model_tx, v);
                assert_eq!(doc, self.ids.len());
                self.ids.push(id);
                self.names.insert(id, doc);
            }
            Op::Replace { tx, doc, v } => {
                let Some(doc) = self.doc(doc) else { return };
                let id = self.ids[doc];
                self.tx(tx);
                let (real_tx, model_tx) = self.txs[tx].as_mut().unwrap();
                let n = real_tx.get(&id).unwrap().map(|d| d.fields["n"].clone());
                let fields = match n {
                    Some(Value::Int64(n)) => Self::fields(v, n),
                    _ => Self::fields(v, doc as i64),
                };
                let real = real_tx.replace(&id, fields).is_ok();
                let expected = self.model.replace(model_tx, doc, v).is_ok();
                assert_eq!(real, expected, "replace of document {doc}");
            }
            Op::Delete { tx, doc } => {
                let Some(doc) = self.doc(doc) else { return };
                let id = self.ids[doc];
                self.tx(tx);
                let (real_tx, model_tx) = self.txs[tx].as_mut().unwrap();
                let real = real_tx.delete(&id).is_ok();
                let expected = self.model.delete(model_tx, doc).is_ok();
                assert_eq!(real, expected, "delete of document {doc}");
            }
            Op::Reinsert { tx, doc, v } => {
                let Some(doc) = self.doc(doc).filter(|d| self.committed.contains(d)) else {
                    return;
                };
                let id = self.ids[doc];
                let table = self.table.clone();
                self.tx(tx);
                let (real_tx, model_tx) = self.txs[tx].as_mut().unwrap();
                let created = 1.7e12 + doc as f64;
                let real = real_tx.insert_with_id(&table, id, created, Self::fields(v, doc as i64));
                let expected = self.model.reinsert(model_tx, doc, v);
                assert_eq!(real.is_ok(), expected.is_ok(), "reinsert of document {doc}: {real:?}");
            }
            Op::Commit { tx } => self.commit(tx),
            Op::Abort { tx } => self.txs[tx] = None,
            Op::Subscribe { tx } => {
                let (real_tx, model_tx) = self.take_tx(tx);
                let real = self.engine.subscribe(real_tx.read_set().clone(), real_tx.snapshot());
                match (real, self.model.subscribe(model_tx)) {
                    (Ok(real), Ok(model)) => {
                        self.subscriptions.insert(real, model);
                    }
                    (Err(_), Err(())) => self.seen.late_subscriptions += 1,
                    (real, model) => panic!("subscribe: engine {real:?}, model {model:?}"),
                }
            }
            Op::ReadAt { commit } => {
                let k = commit % self.model.commit_count();
                let mut real_tx = self.engine.begin_at(self.commit_ts[k]).unwrap();
                let info = Self::index(&self.table, &mut real_tx);
                let page = real_tx.scan(&info, &KeyRange::all(), Order::Asc, None, 100).unwrap();
                let real: Vec<_> = page.documents.iter().map(|(_, d)| self.named(d)).collect();
                assert_eq!(real, self.model.state_at(k), "the table at commit {k}");
                let count = real_tx.count(&self.table).unwrap();
                assert_eq!(count, real.len() as u64, "the count at commit {k}");
            }
        }
    }

    fn commit(&mut self, slot: usize) {
        let (real_tx, model_tx) = self.take_tx(slot);
        let wrote = real_tx.has_writes();
        let real = self.engine.commit(real_tx);
        let expected = self.model.commit(model_tx);
        match (real, expected) {
            (Ok(outcome), Ok(hit)) => {
                assert_eq!(wrote, hit.is_some(), "whether the commit wrote");
                let Some(hit) = hit else { return };
                self.commit_ts.push(outcome.ts);
                let last = self.model.commit_count() - 1;
                self.committed.extend(self.model.state_at(last).into_iter().map(|(id, _)| id));
                let mut real: Vec<usize> = outcome
                    .invalidated
                    .iter()
                    .filter_map(|i| self.subscriptions.remove(&i.subscription))
                    .collect();
                real.sort_unstable();
                assert_eq!(real, hit, "subscriptions the commit invalidated");
                self.seen.commits += 1;
                self.seen.invalidations += hit.len() as u64;
            }
            (Err(e), Err(())) => {
                assert!(e.is_retryable(), "{e}");
                self.seen.conflicts += 1;
            }
            (real, model) => panic!("commit: engine {real:?}, model {model:?}"),
        }
    }

    /// The table as a new transaction sees it, and ends the history's subscriptions.
    fn finish(self) -> Seen {
        let mut tx = self.engine.begin();
        let info = Self::index(&self.table, &mut tx);
        let page = tx.scan(&info, &KeyRange::all(), Order::Asc, None, 100).unwrap();
        let real: Vec<_> = page.documents.iter().map(|(_, d)| self.named(d)).collect();
        assert_eq!(real, self.model.state_at(self.model.commit_count() - 1), "the final table");
        let count = self.engine.count(&self.table).unwrap();
        assert_eq!(count, real.len() as u64, "the final count");
        for id in self.subscriptions.keys() {
            self.engine.unsubscribe(*id);
        }
        self.seen
    }
}

fn cases() -> u32 {
    std::env::var("ATRIUM_MODEL_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(10_000)
}

#[test]
fn the_engine_agrees_with_the_reference_model() {
    let dir = tempfile::tempdir().unwrap();
    // No retention: emptying the table between histories leaves nothing behind to scan past.
    // Conflict checks remember 256 commits, far more than one history makes.
    let options =
        EngineOptions { retention: Duration::ZERO, commit_memory: 256, ..EngineOptions::default() };
    let engine = Engine::open(&dir.path().join("model.sqlite3"), options).unwrap();
    let config = Config { cases: cases(), failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let seen = std::cell::Cell::new(Seen::default());
    runner
        .run(&proptest::collection::vec(op(), 1..40), |ops| {
            let mut run = Run::new(&engine, "h");
            for op in &ops {
                run.step(op);
            }
            let history = run.finish();
            let total = seen.get();
            seen.set(Seen {
                commits: total.commits + history.commits,
                conflicts: total.conflicts + history.conflicts,
                invalidations: total.invalidations + history.invalidations,
                late_subscriptions: total.late_subscriptions + history.late_subscriptions,
            });
            Ok(())
        })
        .unwrap();
    let seen = seen.get();
    eprintln!("{} histories: {seen:?}", cases());
    assert!(
        seen.commits > 0
            && seen.conflicts > 0
            && seen.invalidations > 0
            && seen.late_subscriptions > 0,
        "the histories must commit, conflict, invalidate and subscribe late: {seen:?}"
    );
}
