//! Scans from an offset, and counts: live reads, right at every snapshot, within ranges.

use super::*;

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
