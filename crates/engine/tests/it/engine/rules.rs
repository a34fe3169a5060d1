//! History and retention, bad input refused, the schema enforced, system tables.

use super::*;

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
