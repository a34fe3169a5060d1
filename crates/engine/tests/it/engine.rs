//! The engine through its public API on a real SQLite file: documents, indexes, snapshots,
//! serializability, subscription precision, history, and bad input.

use std::collections::BTreeMap;

use atrium_engine::range::compile;
use atrium_engine::{
    Engine, EngineError, EngineOptions, IndexRangeExpr, KeyRange, Order, PatchValue, Transaction,
};
use atrium_value::{DocumentId, Object, Value};

fn open(dir: &tempfile::TempDir) -> Engine {
    Engine::open(&dir.path().join("deployment.sqlite3"), EngineOptions::default()).unwrap()
}

fn obj(fields: &[(&str, Value)]) -> Object {
    fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn message(author: &str, body: &str) -> Object {
    obj(&[("author", author.into()), ("body", body.into())])
}

fn insert(engine: &Engine, table: &str, fields: Object) -> DocumentId {
    engine.run(3, |tx| tx.insert(table, fields.clone())).unwrap().0
}

fn scan_all(
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

#[test]
fn readers_see_their_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    let id = insert(&engine, "t", obj(&[("v", Value::Int64(1))]));
    let mut old_reader = engine.begin();
    engine.run(1, |tx| tx.replace(&id, obj(&[("v", Value::Int64(2))]))).unwrap();
    insert(&engine, "t", obj(&[("v", Value::Int64(3))]));
    assert_eq!(old_reader.get(&id).unwrap().unwrap().fields["v"], Value::Int64(1));
    assert_eq!(old_reader.collect_table("t").unwrap().len(), 1);
    assert_eq!(engine.begin().collect_table("t").unwrap().len(), 2);
}

#[test]
fn conflicting_transactions_one_commits_the_other_retries() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    let id = insert(&engine, "counters", obj(&[("n", Value::Int64(0))]));

    let increment = |tx: &mut Transaction| {
        let n = match tx.get(&id).unwrap().unwrap().fields["n"] {
            Value::Int64(n) => n,
            _ => unreachable!(),
        };
        tx.replace(&id, obj(&[("n", Value::Int64(n + 1))])).unwrap();
    };
    let mut first = engine.begin();
    let mut second = engine.begin();
    increment(&mut first);
    increment(&mut second);
    engine.commit(first).unwrap();
    let err = engine.commit(second).unwrap_err();
    assert!(err.is_retryable(), "{err}");
    assert!(
        err.to_string().contains("counters") && err.to_string().contains(&id.encode()),
        "{err}"
    );
    assert_eq!(engine.begin().get(&id).unwrap().unwrap().fields["n"], Value::Int64(1));

    // Retried, it commits on top.
    engine
        .run(3, |tx| {
            increment(tx);
            Ok(())
        })
        .unwrap();
    assert_eq!(engine.begin().get(&id).unwrap().unwrap().fields["n"], Value::Int64(2));
}

#[test]
fn non_conflicting_transactions_both_commit() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    let a = insert(&engine, "t", obj(&[("v", Value::Int64(0))]));
    let b = insert(&engine, "t", obj(&[("v", Value::Int64(0))]));
    let mut first = engine.begin();
    let mut second = engine.begin();
    first.get(&a).unwrap();
    first.replace(&a, obj(&[("v", Value::Int64(1))])).unwrap();
    second.get(&b).unwrap();
    second.replace(&b, obj(&[("v", Value::Int64(1))])).unwrap();
    engine.commit(first).unwrap();
    engine.commit(second).unwrap();
}

#[test]
fn a_range_read_conflicts_with_an_insert_into_that_range_only() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    insert(&engine, "messages", message("a", "1"));
    engine.add_index("messages", "by_author", &["author".into()], |_, _| {}).unwrap();
    let eq = |a: &str| [IndexRangeExpr::Eq("author".into(), Some(a.into()))];

    // A transaction that read author "a" and writes elsewhere.
    let mut reader = engine.begin();
    scan_all(&mut reader, "messages", "by_author", &eq("a"), Order::Asc);
    reader.insert("summaries", obj(&[("count", Value::Int64(1))])).unwrap();
    insert(&engine, "messages", message("b", "unrelated"));
    engine.commit(reader).expect("a write outside the range read does not conflict");

    let mut reader = engine.begin();
    scan_all(&mut reader, "messages", "by_author", &eq("a"), Order::Asc);
    reader.insert("summaries", obj(&[("count", Value::Int64(1))])).unwrap();
    insert(&engine, "messages", message("a", "phantom"));
    assert!(engine.commit(reader).unwrap_err().is_retryable(), "a phantom in the range conflicts");
}

#[test]
fn concurrent_threads_never_lose_an_increment() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    let id = insert(&engine, "counters", obj(&[("n", Value::Int64(0))]));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let engine = engine.clone();
            std::thread::spawn(move || {
                for _ in 0..25 {
                    engine
                        .run(1000, |tx| {
                            let Value::Int64(n) = tx.get(&id)?.unwrap().fields["n"] else {
                                unreachable!()
                            };
                            tx.replace(&id, obj(&[("n", Value::Int64(n + 1))]))
                        })
                        .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(engine.begin().get(&id).unwrap().unwrap().fields["n"], Value::Int64(100));
}

#[test]
fn subscriptions_are_invalidated_precisely_with_their_cause() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    let first = insert(&engine, "messages", message("a", "1"));
    insert(&engine, "messages", message("b", "1"));
    engine.add_index("messages", "by_author", &["author".into()], |_, _| {}).unwrap();

    let subscribe = |author: &str| {
        let mut tx = engine.begin();
        scan_all(
            &mut tx,
            "messages",
            "by_author",
            &[IndexRangeExpr::Eq("author".into(), Some(author.into()))],
            Order::Asc,
        );
        engine.subscribe(tx.read_set().clone(), tx.snapshot()).unwrap()
    };
    let sub_a = subscribe("a");
    let sub_c = subscribe("c");
    let sub_get = {
        let mut tx = engine.begin();
        tx.get(&first).unwrap();
        engine.subscribe(tx.read_set().clone(), tx.snapshot()).unwrap()
    };

    // A write outside every subscribed range invalidates nothing, even in the same table.
    let (_, outcome) = engine.run(1, |tx| tx.insert("messages", message("b", "2"))).unwrap();
    assert_eq!(outcome.invalidated, vec![]);

    // A write inside the "a" range invalidates exactly that subscription, naming the cause.
    let (new_id, outcome) = engine.run(1, |tx| tx.insert("messages", message("a", "2"))).unwrap();
    assert_eq!(outcome.invalidated.len(), 1, "{:?}", outcome.invalidated);
    let hit = &outcome.invalidated[0];
    assert_eq!(hit.subscription, sub_a);
    assert_eq!(hit.table, "messages");
    assert_eq!(hit.document, Some(new_id));
    assert_eq!(hit.ts, outcome.ts);

    // Moving a document into "c" hits the "c" range (new key) and the point read (by_id).
    let (_, outcome) = engine
        .run(1, |tx| {
            let mut patch = BTreeMap::new();
            patch.insert("author".into(), PatchValue::Set("c".into()));
            tx.patch(&first, patch)
        })
        .unwrap();
    let mut hit: Vec<_> =
        outcome.invalidated.iter().map(|i| (i.subscription, i.document)).collect();
    hit.sort();
    assert_eq!(hit, vec![(sub_c, Some(first)), (sub_get, Some(first))]);
}

#[test]
fn a_subscription_registered_late_learns_of_commits_it_missed() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    let id = insert(&engine, "t", Object::new());
    let mut tx = engine.begin();
    tx.get(&id).unwrap();
    engine.run(1, |w| w.replace(&id, obj(&[("x", Value::Null)]))).unwrap();
    let missed = engine.subscribe(tx.read_set().clone(), tx.snapshot()).unwrap_err();
    assert_eq!(missed.document, Some(id));
}

#[test]
fn history_lists_revisions_and_an_old_version_can_be_restored() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    let id = insert(&engine, "t", obj(&[("v", Value::Int64(1))]));
    engine.run(1, |tx| tx.replace(&id, obj(&[("v", Value::Int64(2))]))).unwrap();
    engine.run(1, |tx| tx.delete(&id)).unwrap();
    let history = engine.history(&id, 10).unwrap();
    assert_eq!(history.len(), 3);
    assert!(history[0].document.is_none(), "newest first: the deletion");
    assert_eq!(history[2].document.as_ref().unwrap().fields["v"], Value::Int64(1));
    assert!(history[0].ts > history[1].ts && history[1].ts > history[2].ts);

    // Pruning with a generous retention window keeps everything.
    assert_eq!(engine.prune_history().unwrap(), 0);
    assert_eq!(engine.history(&id, 10).unwrap().len(), 3);

    // Restore the first version: same ID, same creation time, back in the table.
    let first = history[2].document.clone().unwrap();
    engine.run(1, |tx| tx.restore(first.clone())).unwrap();
    assert_eq!(engine.begin().get(&id).unwrap(), Some(first));
    assert_eq!(engine.history(&id, 10).unwrap().len(), 4);
}

#[test]
fn a_short_retention_window_prunes_old_revisions_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let engine = open(&dir);
        let id = insert(&engine, "t", obj(&[("v", Value::Int64(1))]));
        engine.run(1, |tx| tx.replace(&id, obj(&[("v", Value::Int64(2))]))).unwrap();
        assert_eq!(engine.history(&id, 10).unwrap().len(), 2);
        id
    };
    let options =
        EngineOptions { retention: std::time::Duration::ZERO, ..EngineOptions::default() };
    let engine = Engine::open(&dir.path().join("deployment.sqlite3"), options).unwrap();
    let history = engine.history(&id, 10).unwrap();
    assert_eq!(history.len(), 1, "only the current revision is left");
    assert_eq!(engine.begin().get(&id).unwrap().unwrap().fields["v"], Value::Int64(2));
}

#[test]
fn bad_input_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    insert(&engine, "t", Object::new());
    let before = engine.latest_ts();

    let too_big = obj(&[("blob", Value::Bytes(vec![0; 1 << 20]))]);
    let nested = obj(&[("a", (0..20).fold(Value::Null, |v, _| Value::Array(vec![v])))]);
    let bad_name = obj(&[("bad\u{1}", Value::Null)]);
    let system = obj(&[("_id", "x".into())]);
    for (what, fields) in [
        ("too big", too_big),
        ("too nested", nested),
        ("bad name", bad_name),
        ("system field", system),
    ] {
        let mut tx = engine.begin();
        let err = tx.insert("t", fields).unwrap_err();
        assert!(
            matches!(err, EngineError::InvalidDocument(_) | EngineError::InvalidDocumentFields(_)),
            "{what}: {err}"
        );
        engine.commit(tx).unwrap();
    }
    let mut tx = engine.begin();
    assert!(matches!(tx.insert("bad-table", Object::new()), Err(EngineError::InvalidTableName(_))));
    assert!(matches!(tx.insert("_system", Object::new()), Err(EngineError::InvalidTableName(_))));
    assert!(DocumentId::decode("not-an-id").is_err());
    drop(tx);

    assert_eq!(engine.latest_ts(), before, "nothing was committed");
    assert_eq!(engine.count("t").unwrap(), 1);
    assert!(engine.catalog().table("bad-table").is_none());
    assert!(
        engine
            .history(&DocumentId::decode("j57000820c20a1g7104gm2rc1m70ynr8").unwrap(), 5)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn reads_do_not_wait_for_a_commit_in_progress() {
    // Readers use their own connections (WAL): many concurrent readers while writing.
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    let id = insert(&engine, "t", obj(&[("v", Value::Int64(0))]));
    let writer = {
        let engine = engine.clone();
        std::thread::spawn(move || {
            for i in 0..50 {
                engine.run(10, |tx| tx.replace(&id, obj(&[("v", Value::Int64(i))]))).unwrap();
            }
        })
    };
    for _ in 0..200 {
        assert!(engine.begin().get(&id).unwrap().is_some());
    }
    writer.join().unwrap();
}

#[test]
fn the_schema_is_enforced_on_writes_and_existing_documents_are_checked() {
    use atrium_engine::Schema;
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    let user = insert(&engine, "users", obj(&[("name", "ada".into())]));
    let stray = insert(&engine, "messages", obj(&[("text", "old shape".into())]));
    let schema = Schema::from_json(&serde_json::json!({"tables": [{
        "tableName": "messages",
        "indexes": [],
        "documentType": {"type": "object", "value": {
            "body": {"fieldType": {"type": "string"}, "optional": false},
            "author": {"fieldType": {"type": "id", "tableName": "users"}, "optional": false}
        }}
    }], "schemaValidation": true}))
    .unwrap();

    let violations = engine.schema_violations(&schema, 10).unwrap();
    assert_eq!(violations.len(), 1);
    assert_eq!((violations[0].0.as_str(), violations[0].1), ("messages", stray));
    assert!(violations[0].2.contains("missing the required field `author`"), "{}", violations[0].2);

    engine.set_schema(Some(schema));
    let good = obj(&[("body", "hi".into()), ("author", Value::String(user.encode()))]);
    insert(&engine, "messages", good);
    let mut tx = engine.begin();
    let wrong_table = obj(&[("body", "hi".into()), ("author", Value::String(stray.encode()))]);
    let err = tx.insert("messages", wrong_table).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("Failed to insert or update a document in table \"messages\""),
        "{text}"
    );
    assert!(text.contains("from table `messages`"), "{text}");
    assert!(text.contains("Path: .author"), "{text}");
    let err = tx.replace(&stray, obj(&[("body", Value::Int64(1))])).unwrap_err();
    assert!(matches!(err, EngineError::SchemaViolation { .. }), "{err}");
    // Tables outside the schema are not validated.
    tx.insert("notes", obj(&[("anything", Value::Null)])).unwrap();
    engine.commit(tx).unwrap();
    assert_eq!(engine.count("messages").unwrap(), 2);
}

#[test]
fn system_tables_have_fixed_numbers_and_are_not_for_users() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    let (id, _) = engine
        .run(1, |tx| tx.insert_system("_scheduled_functions", obj(&[("name", "a:b".into())])))
        .unwrap();
    assert_eq!(id.table.0, 539);
    assert!(id.encode().starts_with("kc2"), "{}", id.encode());
    let mut tx = engine.begin();
    assert!(matches!(
        tx.insert("_scheduled_functions", Object::new()),
        Err(EngineError::InvalidTableName(_))
    ));
    assert!(matches!(
        tx.insert_system("_mine", Object::new()),
        Err(EngineError::InvalidTableName(_))
    ));
    assert_eq!(tx.collect_table("_scheduled_functions").unwrap().len(), 1);
}

#[test]
fn a_scan_can_start_at_an_offset_and_counts_are_live_reads() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    let ids: Vec<DocumentId> =
        (0..10).map(|n| insert(&engine, "rows", obj(&[("n", Value::Int64(n))]))).collect();
    let numbers = |page: atrium_engine::ScanPage| -> Vec<i64> {
        page.documents
            .into_iter()
            .map(|(_, d)| match d.fields.get("n") {
                Some(Value::Int64(n)) => *n,
                other => panic!("unexpected {other:?}"),
            })
            .collect()
    };
    let mut tx = engine.begin();
    let index = tx.index("rows", "by_creation_time").unwrap();
    assert_eq!(
        numbers(tx.scan_from_offset(&index, &KeyRange::all(), Order::Asc, 7, 2).unwrap()),
        vec![7, 8]
    );
    assert_eq!(
        numbers(tx.scan_from_offset(&index, &KeyRange::all(), Order::Desc, 7, 5).unwrap()),
        vec![2, 1, 0]
    );
    assert!(
        tx.scan_from_offset(&index, &KeyRange::all(), Order::Asc, 10, 5)
            .unwrap()
            .documents
            .is_empty()
    );
    assert_eq!(tx.count("rows").unwrap(), 10);
    assert_eq!(tx.count("no_such_table").unwrap(), 0);

    // A window at offset 7 re-runs when a row before it goes away (every row moves up),
    // but not when one after the window changes.
    let window = {
        let mut tx = engine.begin();
        let index = tx.index("rows", "by_creation_time").unwrap();
        tx.scan_from_offset(&index, &KeyRange::all(), Order::Asc, 7, 2).unwrap();
        engine.subscribe(tx.read_set().clone(), tx.snapshot()).unwrap()
    };
    let counted = {
        let mut tx = engine.begin();
        tx.count("rows").unwrap();
        engine.subscribe(tx.read_set().clone(), tx.snapshot()).unwrap()
    };
    let (_, outcome) = engine
        .run(1, |tx| {
            let mut patch = BTreeMap::new();
            patch.insert("n".into(), PatchValue::Set(Value::Int64(99)));
            tx.patch(&ids[9], patch)
        })
        .unwrap();
    let hit: Vec<_> = outcome.invalidated.iter().map(|i| i.subscription).collect();
    assert_eq!(hit, vec![counted], "only the count reads row 9");
    let (_, outcome) = engine.run(1, |tx| tx.delete(&ids[2])).unwrap();
    // (The count's subscription was used up by the first hit.)
    let hit: Vec<_> = outcome.invalidated.iter().map(|i| i.subscription).collect();
    assert_eq!(hit, vec![window]);
}

#[test]
fn counts_stay_right_at_every_snapshot_through_inserts_deletes_and_drops() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    let ids: Vec<DocumentId> =
        (0..5).map(|n| insert(&engine, "rows", obj(&[("n", Value::Int64(n))]))).collect();
    let after_five = engine.latest_ts();
    assert_eq!(engine.count("rows").unwrap(), 5, "the first count seeds the remembered one");
    engine
        .run(1, |tx| {
            tx.delete(&ids[0])?;
            tx.delete(&ids[1])?;
            tx.insert("rows", obj(&[("n", Value::Int64(9))]))?;
            // Inserted and deleted in one transaction: no change.
            let gone = tx.insert("rows", obj(&[("n", Value::Int64(10))]))?;
            tx.delete(&gone)?;
            let mut patch = BTreeMap::new();
            patch.insert("n".into(), PatchValue::Set(Value::Int64(99)));
            tx.patch(&ids[2], patch)
        })
        .unwrap();
    assert_eq!(engine.count("rows").unwrap(), 4);
    assert_eq!(engine.begin_at(after_five).unwrap().count("rows").unwrap(), 5);
    // A failed commit changes nothing.
    let mut tx = engine.begin();
    tx.insert("rows", obj(&[("n", Value::from("not checked here"))])).unwrap();
    let mut conflicting = engine.begin();
    conflicting.count("rows").unwrap();
    conflicting.insert("rows", obj(&[("n", Value::Int64(1))])).unwrap();
    engine.commit(tx).unwrap();
    assert!(engine.commit(conflicting).is_err(), "it read the count another commit changed");
    assert_eq!(engine.count("rows").unwrap(), 5);
    // Dropping the table forgets its count; a new table with its number starts at zero.
    engine.drop_table("rows").unwrap();
    insert(&engine, "other", obj(&[("n", Value::Int64(1))]));
    assert_eq!(engine.count("other").unwrap(), 1);
    insert(&engine, "rows", obj(&[("n", Value::Int64(1))]));
    assert_eq!(engine.count("rows").unwrap(), 1);
    // Reopening counts from storage.
    drop(engine);
    let engine = open(&dir);
    assert_eq!(engine.count("rows").unwrap(), 1);
}

#[test]
fn offsets_and_counts_work_within_an_index_range() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    for n in 0..20i64 {
        let city = if n % 2 == 0 { "Oslo" } else { "Rome" };
        insert(&engine, "people", obj(&[("city", city.into()), ("n", Value::Int64(n))]));
    }
    engine.add_index("people", "by_city_n", &["city".into(), "n".into()], |_, _| {}).unwrap();
    let mut tx = engine.begin();
    let index = tx.index("people", "by_city_n").unwrap();
    let range = compile(
        &index,
        "people.by_city_n",
        &[
            IndexRangeExpr::Eq("city".into(), Some("Rome".into())),
            IndexRangeExpr::Gt("n".into(), Some(Value::Int64(4))),
        ],
    )
    .unwrap();
    assert_eq!(tx.count_range(&index, &range).unwrap(), 8, "Rome with n in 5, 7, … 17, 19");
    let page = tx.scan_from_offset(&index, &range, Order::Desc, 2, 3).unwrap();
    let ns: Vec<Value> = page.documents.iter().map(|(_, d)| d.fields["n"].clone()).collect();
    assert_eq!(ns, vec![Value::Int64(15), Value::Int64(13), Value::Int64(11)]);
}
