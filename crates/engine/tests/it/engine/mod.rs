//! The engine through its public API on a real SQLite file: documents, indexes, snapshots,
//! serializability, subscription precision, history, and bad input;
//! a submodule per area.

use std::collections::BTreeMap;

use atrium_engine::range::compile;
use atrium_engine::{
    Engine, EngineError, EngineOptions, IndexRangeExpr, KeyRange, Order, PatchValue, Transaction,
};
use atrium_value::{DocumentId, Object, Value};

mod commit_ts;
mod concurrency;
mod counts;
mod jumps;
mod rules;

pub(super) fn open(dir: &tempfile::TempDir) -> Engine {
    Engine::open(&dir.path().join("deployment.sqlite3"), EngineOptions::default()).unwrap()
}

pub(super) fn obj(fields: &[(&str, Value)]) -> Object {
    fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

pub(super) fn message(author: &str, body: &str) -> Object {
    obj(&[("author", author.into()), ("body", body.into())])
}

pub(super) fn insert(engine: &Engine, table: &str, fields: Object) -> DocumentId {
    engine.run(3, |tx| tx.insert(table, fields.clone())).unwrap().0
}

pub(super) fn scan_all(
    tx: &mut Transaction,
    table: &str,
    index: &str,
    exprs: &[IndexRangeExpr],
    order: Order,
) -> Vec<Object> {
    let info = tx.index(table, index).unwrap();
    let range = compile(&info, &format!("{table}.{index}"), exprs).unwrap();
    tx.scan(&info, &range, order, None, 1000)
        .unwrap()
        .documents
        .into_iter()
        .map(|(_, d)| d.fields)
        .collect()
}
#[test]
fn documents_round_trip_and_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    let id = insert(&engine, "messages", message("a", "hello"));
    assert_eq!(id.table.0, 10001, "the first user table gets 10001");
    assert_eq!(id.encode().len(), 32);

    engine
        .run(1, |tx| {
            let mut patch = BTreeMap::new();
            patch.insert("body".to_string(), PatchValue::Set("edited".into()));
            patch.insert("author".to_string(), PatchValue::Remove);
            tx.patch(&id, patch)
        })
        .unwrap();
    drop(engine);

    let engine = open(&dir);
    let mut tx = engine.begin();
    let doc = tx.get(&id).unwrap().unwrap();
    assert_eq!(doc.fields, obj(&[("body", "edited".into())]));
    assert!(doc.creation_time > 1.0e12, "creation time is milliseconds since the epoch");
    assert_eq!(engine.count("messages").unwrap(), 1);

    engine.run(1, |tx| tx.delete(&id)).unwrap();
    assert_eq!(engine.begin().get(&id).unwrap(), None);
    assert_eq!(engine.count("messages").unwrap(), 0);
}

#[test]
fn tables_get_the_lowest_free_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    let a = insert(&engine, "a", Object::new());
    let b = insert(&engine, "b", Object::new());
    assert_eq!((a.table.0, b.table.0), (10001, 10002));
    assert!(a.encode().starts_with("j57") && b.encode().starts_with("j97"));
    engine.drop_table("a").unwrap();
    assert_eq!(engine.begin().get(&a).unwrap(), None);
    let c = insert(&engine, "c", Object::new());
    assert_eq!(c.table.0, 10001);
}

#[test]
fn creation_times_strictly_increase_and_scans_keep_insertion_order() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    let (ids, _) = engine
        .run(1, |tx| {
            (0..5)
                .map(|i| tx.insert("t", obj(&[("i", Value::Int64(i))])))
                .collect::<Result<Vec<_>, _>>()
        })
        .unwrap();
    let mut tx = engine.begin();
    let docs: Vec<_> = ids.iter().map(|id| tx.get(id).unwrap().unwrap()).collect();
    for pair in docs.windows(2) {
        assert!(pair[0].creation_time < pair[1].creation_time);
    }
    let order: Vec<_> =
        tx.collect_table("t").unwrap().into_iter().map(|d| d.fields["i"].clone()).collect();
    assert_eq!(order, (0..5).map(Value::Int64).collect::<Vec<_>>());
    assert!(tx.collect_table("missing").unwrap().is_empty());
}

#[test]
fn user_indexes_backfill_and_answer_ranges_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    for (author, n) in [("b", 2.0), ("a", 3.0), ("a", 1.0), ("c", 1.0), ("a", 2.0)] {
        let mut fields = message(author, "x");
        fields.insert("n".into(), Value::Float64(n));
        insert(&engine, "messages", fields);
    }
    let mut reports = Vec::new();
    engine
        .add_index("messages", "by_author", &["author".into(), "n".into()], |done, total| {
            reports.push((done, total))
        })
        .unwrap();
    assert_eq!(reports.first(), Some(&(0, 5)));
    assert_eq!(reports.last(), Some(&(5, 5)));

    let mut tx = engine.begin();
    let eq_a = [IndexRangeExpr::Eq("author".into(), Some("a".into()))];
    let ns = |docs: Vec<Object>| docs.iter().map(|d| d["n"].clone()).collect::<Vec<_>>();
    assert_eq!(
        ns(scan_all(&mut tx, "messages", "by_author", &eq_a, Order::Asc)),
        vec![1.0.into(), 2.0.into(), 3.0.into()]
    );
    assert_eq!(
        ns(scan_all(&mut tx, "messages", "by_author", &eq_a, Order::Desc)),
        vec![3.0.into(), 2.0.into(), 1.0.into()]
    );
    let gt = [
        IndexRangeExpr::Eq("author".into(), Some("a".into())),
        IndexRangeExpr::Gt("n".into(), Some(Value::Float64(1.0))),
    ];
    assert_eq!(
        ns(scan_all(&mut tx, "messages", "by_author", &gt, Order::Asc)),
        vec![2.0.into(), 3.0.into()]
    );

    // New writes maintain the index.
    drop(tx);
    let mut fields = message("a", "y");
    fields.insert("n".into(), Value::Float64(0.5));
    insert(&engine, "messages", fields);
    let mut tx = engine.begin();
    assert_eq!(scan_all(&mut tx, "messages", "by_author", &eq_a, Order::Asc).len(), 4);

    assert!(matches!(
        engine.add_index("messages", "by_author", &["body".into()], |_, _| {}),
        Err(EngineError::IndexExists { .. })
    ));
    assert!(matches!(tx.index("messages", "by_nothing"), Err(EngineError::IndexNotFound(_))));
}

#[test]
fn scans_page_with_cursors_and_see_the_transactions_own_writes() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    for i in 0..10 {
        insert(&engine, "t", obj(&[("i", Value::Int64(i))]));
    }
    let mut tx = engine.begin();
    let index = tx.index("t", "by_creation_time").unwrap();
    let mut seen = Vec::new();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = tx.scan(&index, &KeyRange::all(), Order::Asc, after.as_deref(), 3).unwrap();
        assert!(page.documents.len() <= 3);
        after = page.documents.last().map(|(k, _)| k.clone());
        seen.extend(page.documents.into_iter().map(|(_, d)| d.fields["i"].clone()));
        if page.exhausted {
            break;
        }
    }
    assert_eq!(seen, (0..10).map(Value::Int64).collect::<Vec<_>>());

    // Own writes: a deleted document disappears, an inserted one appears, an edit shows.
    let all = tx.collect_table("t").unwrap();
    tx.delete(&all[0].id).unwrap();
    tx.replace(&all[1].id, obj(&[("i", Value::Int64(100))])).unwrap();
    tx.insert("t", obj(&[("i", Value::Int64(10))])).unwrap();
    let now: Vec<_> =
        tx.collect_table("t").unwrap().into_iter().map(|d| d.fields["i"].clone()).collect();
    let mut expected: Vec<Value> = vec![Value::Int64(100)];
    expected.extend((2..11).map(Value::Int64));
    assert_eq!(now, expected);
}
