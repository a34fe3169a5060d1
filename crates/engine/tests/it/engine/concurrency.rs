//! Snapshots, serializable commits (conflicts and retries), subscriptions invalidated
//! precisely, and reads that do not wait for a commit.

use super::*;

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
    assert_eq!(&*hit.table, "messages");
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
fn a_subscription_older_than_the_remembered_commits_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let options = EngineOptions { commit_memory: 2, ..EngineOptions::default() };
    let engine = Engine::open(&dir.path().join("deployment.sqlite3"), options).unwrap();
    let id = insert(&engine, "t", Object::new());
    let mut tx = engine.begin();
    tx.get(&id).unwrap();
    // Three commits elsewhere: the one after the read is no longer remembered.
    for _ in 0..3 {
        insert(&engine, "other", Object::new());
    }
    let refused = engine.subscribe(tx.read_set().clone(), tx.snapshot()).unwrap_err();
    assert!(refused.ts > tx.snapshot(), "{refused:?}");
    assert_eq!(refused.document, None);
    let mut fresh = engine.begin();
    fresh.get(&id).unwrap();
    assert!(engine.subscribe(fresh.read_set().clone(), fresh.snapshot()).is_ok());
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
