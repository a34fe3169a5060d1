//! Jumps and range counts through the order statistics (`order_stats/`, `jumps.rs`) against
//! plain ordered scans: random offsets, ranges and orders, after random inserts, deletes and
//! patches that move keys, across commits and at older snapshots, and with commits landing
//! while statistics are built — with blocks of four entries, so that splits, merges and
//! every piece of a range are exercised.

use std::collections::BTreeMap;

use atrium_engine::range::compile;
use atrium_engine::{Engine, EngineOptions, IndexRangeExpr, KeyRange, Order, PatchValue};
use atrium_value::{DocumentId, Value};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use super::obj;

#[derive(Debug, Clone)]
enum Write {
    Insert(i64),
    Delete(usize),
    Move(usize, i64),
}

#[derive(Debug, Clone)]
struct Jump {
    /// Which recorded snapshot (counted back from the latest).
    back: usize,
    by_k: bool,
    lo: Option<i64>,
    hi: Option<i64>,
    desc: bool,
    offset: usize,
    limit: usize,
}

fn write() -> impl Strategy<Value = Write> {
    prop_oneof![
        4 => (0..40i64).prop_map(Write::Insert),
        1 => any::<usize>().prop_map(Write::Delete),
        2 => (any::<usize>(), 0..40i64).prop_map(|(d, k)| Write::Move(d, k)),
    ]
}

fn jump() -> impl Strategy<Value = Jump> {
    (
        prop_oneof![3 => Just(0usize), 1 => 1..4usize],
        any::<bool>(),
        proptest::option::weighted(0.4, 0..40i64),
        proptest::option::weighted(0.4, 0..40i64),
        any::<bool>(),
        prop_oneof![1 => 0..8usize, 4 => 8..200usize],
        1..6usize,
    )
        .prop_map(|(back, by_k, lo, hi, desc, offset, limit)| Jump {
            back,
            by_k,
            lo,
            hi,
            desc,
            offset,
            limit,
        })
}

fn open(dir: &tempfile::TempDir, order_stats: bool) -> Engine {
    let options = EngineOptions { order_stats, order_stats_block: 4, ..EngineOptions::default() };
    Engine::open(&dir.path().join("deployment.sqlite3"), options).unwrap()
}

fn apply(engine: &Engine, live: &mut Vec<DocumentId>, writes: &[Write]) {
    let (inserted, _) = engine
        .run(1, |tx| {
            let mut inserted = Vec::new();
            let mut gone = Vec::new();
            for w in writes {
                match *w {
                    Write::Insert(k) => {
                        inserted.push(tx.insert("rows", obj(&[("k", Value::Int64(k))]))?);
                    }
                    Write::Delete(d) if !live.is_empty() => {
                        let id = live[d % live.len()];
                        if !gone.contains(&id) {
                            tx.delete(&id)?;
                            gone.push(id);
                        }
                    }
                    Write::Move(d, k) if !live.is_empty() => {
                        let id = live[d % live.len()];
                        if !gone.contains(&id) {
                            let patch =
                                BTreeMap::from([("k".into(), PatchValue::Set(Value::Int64(k)))]);
                            tx.patch(&id, patch)?;
                        }
                    }
                    _ => {}
                }
            }
            Ok((inserted, gone))
        })
        .unwrap();
    let (new, gone) = inserted;
    live.retain(|id| !gone.contains(id));
    live.extend(new);
}

fn check(engine: &Engine, snapshots: &[atrium_engine::Timestamp], j: &Jump) {
    let ts = snapshots[snapshots.len() - 1 - j.back.min(snapshots.len() - 1)];
    let mut tx = engine.begin_at(ts).unwrap();
    let index = tx.index("rows", if j.by_k { "by_k" } else { "by_creation_time" }).unwrap();
    let range = if j.by_k {
        let mut exprs = Vec::new();
        if let Some(lo) = j.lo {
            exprs.push(IndexRangeExpr::Gte("k".into(), Some(Value::Int64(lo))));
        }
        if let Some(hi) = j.hi {
            exprs.push(IndexRangeExpr::Lt("k".into(), Some(Value::Int64(hi))));
        }
        compile(&index, "rows.by_k", &exprs).unwrap()
    } else {
        KeyRange::all()
    };
    let order = if j.desc { Order::Desc } else { Order::Asc };
    let all = tx.scan(&index, &range, order, None, 100_000).unwrap();
    let expected: Vec<Vec<u8>> =
        all.documents.iter().skip(j.offset).take(j.limit).map(|(k, _)| k.clone()).collect();
    let page = tx.scan_from_offset(&index, &range, order, j.offset as u64, j.limit).unwrap();
    let got: Vec<Vec<u8>> = page.documents.iter().map(|(k, _)| k.clone()).collect();
    assert_eq!(got, expected, "{j:?} at {ts:?} of {}", all.documents.len());
    assert_eq!(page.exhausted, j.offset + j.limit >= all.documents.len(), "{j:?}");
    // A jump may have started a build: later jumps use what it built.
    engine.wait_for_order_stats();
    let count = tx.count_range(&index, &range).unwrap();
    assert_eq!(count, all.documents.len() as u64, "count of {j:?} at {ts:?}");
}

#[test]
fn jumps_agree_with_ordered_scans_through_random_writes_and_snapshots() {
    let cases = std::env::var("ATRIUM_JUMP_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(32);
    let history = proptest::collection::vec(
        (proptest::collection::vec(write(), 1..40), proptest::collection::vec(jump(), 1..6)),
        1..10,
    );
    TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() })
        .run(&history, |steps| {
            let dir = tempfile::tempdir().unwrap();
            let engine = open(&dir, true);
            engine.run(1, |tx| tx.insert("rows", obj(&[("k", Value::Int64(0))]))).unwrap();
            engine.add_index("rows", "by_k", &["k".into()], |_, _| {}).unwrap();
            let mut live: Vec<DocumentId> =
                engine.begin().collect_table("rows").unwrap().iter().map(|d| d.id).collect();
            let mut snapshots = vec![engine.latest_ts()];
            for (writes, jumps) in &steps {
                apply(&engine, &mut live, writes);
                snapshots.push(engine.latest_ts());
                for j in jumps {
                    check(&engine, &snapshots, j);
                }
                // The statistics kept count every live entry of the latest commit.
                let catalog = engine.catalog();
                let table = catalog.table("rows").unwrap().number;
                for index in catalog.indexes_of(table) {
                    if let Some((_, _, total)) = engine.order_stats_of(index.id) {
                        prop_assert_eq!(total, live.len() as u64, "{}", index.name);
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn deep_jumps_build_statistics_that_follow_commits_drops_and_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir, true);
    let ids = engine
        .run(1, |tx| {
            (0..100i64)
                .map(|n| tx.insert("rows", obj(&[("n", Value::Int64(n))])))
                .collect::<Result<Vec<_>, _>>()
        })
        .unwrap()
        .0;
    let n_at = |engine: &Engine, offset: u64, order: Order| -> Option<i64> {
        let mut tx = engine.begin();
        let index = tx.index("rows", "by_creation_time").unwrap();
        let page = tx.scan_from_offset(&index, &KeyRange::all(), order, offset, 1).unwrap();
        page.documents.first().map(|(_, d)| match d.fields["n"] {
            Value::Int64(n) => n,
            _ => panic!("not a number"),
        })
    };
    let index = engine.begin().index("rows", "by_creation_time").unwrap().id;
    assert_eq!(n_at(&engine, 10, Order::Asc), Some(10));
    assert!(engine.order_stats_of(index).is_none(), "a shallow jump builds nothing");
    assert_eq!(n_at(&engine, 90, Order::Asc), Some(90), "answered while the build starts");
    engine.wait_for_order_stats();
    let (as_of, blocks, total) = engine.order_stats_of(index).expect("a deep jump builds them");
    assert_eq!((as_of, blocks, total), (engine.latest_ts(), 25, 100));
    // Appends land in the last block, which is cut again when a jump reads inside it.
    engine
        .run(1, |tx| {
            (100..200i64)
                .try_for_each(|n| tx.insert("rows", obj(&[("n", Value::Int64(n))])).map(|_| ()))
        })
        .unwrap();
    engine.run(1, |tx| ids[..50].iter().try_for_each(|id| tx.delete(id))).unwrap();
    assert_eq!(engine.order_stats_of(index).unwrap().2, 150);
    assert_eq!(n_at(&engine, 140, Order::Asc), Some(190));
    assert_eq!(n_at(&engine, 140, Order::Desc), Some(59));
    assert_eq!(n_at(&engine, 150, Order::Desc), None);
    let (_, blocks, _) = engine.order_stats_of(index).unwrap();
    assert!(blocks <= 2 * 150 / 4 + 16, "{blocks} blocks after splits and merges");
    // Dropping the table forgets them; a new table starts afresh.
    engine.drop_table("rows").unwrap();
    assert!(engine.order_stats_of(index).is_none());
    drop(engine);
    let engine = open(&dir, true);
    engine
        .run(1, |tx| {
            (0..30i64)
                .try_for_each(|n| tx.insert("rows", obj(&[("n", Value::Int64(n))])).map(|_| ()))
        })
        .unwrap();
    assert_eq!(n_at(&engine, 29, Order::Asc), Some(29));
    assert_eq!(n_at(&engine, 29, Order::Desc), Some(0));
}

#[test]
fn jumps_stay_right_while_commits_land_during_builds_and_reads() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir, true);
    engine
        .run(1, |tx| {
            (0..60i64)
                .try_for_each(|k| tx.insert("rows", obj(&[("k", Value::Int64(k))])).map(|_| ()))
        })
        .unwrap();
    engine.add_index("rows", "by_k", &["k".into()], |_, _| {}).unwrap();
    let writer = {
        let engine = engine.clone();
        std::thread::spawn(move || {
            let mut live: Vec<DocumentId> =
                engine.begin().collect_table("rows").unwrap().iter().map(|d| d.id).collect();
            for i in 0..150usize {
                let writes = [
                    Write::Insert((i * 7 % 40) as i64),
                    Write::Move(i * 13, (i % 40) as i64),
                    Write::Delete(i * 5),
                ];
                apply(&engine, &mut live, &writes[..if i % 3 == 0 { 3 } else { 2 }]);
            }
            live.len()
        })
    };
    let mut checked = 0;
    while !writer.is_finished() || checked < 50 {
        let snapshots = [engine.latest_ts()];
        for (i, offset) in [17usize, 40, 55, 90].into_iter().enumerate() {
            let j = Jump {
                back: 0,
                by_k: i % 2 == 0,
                lo: Some(3),
                hi: None,
                desc: i > 1,
                offset,
                limit: 3,
            };
            check(&engine, &snapshots, &j);
        }
        checked += 1;
    }
    let live = writer.join().unwrap() as u64;
    let catalog = engine.catalog();
    let table = catalog.table("rows").unwrap().number;
    let kept: Vec<u64> = catalog
        .indexes_of(table)
        .filter_map(|i| engine.order_stats_of(i.id))
        .map(|s| s.2)
        .collect();
    assert!(!kept.is_empty(), "the jumps built statistics");
    assert!(kept.iter().all(|n| *n == live), "{kept:?} != {live}");
}
