//! `db.vars.commitTs`: placeholders read as the largest int64 inside their transaction and
//! become the commit timestamp in the stored document and every index key.

use atrium_engine::Schema;
use atrium_value::pending::{CommitTsSlots, MAX_COMMIT_TS};
use serde_json::json;

use super::*;

/// Fields and slots from Convex JSON holding `{"$commitTs": null}` tokens.
fn decode(json: serde_json::Value) -> (Object, CommitTsSlots) {
    let (value, slots) = CommitTsSlots::decode(&json).unwrap();
    let Value::Object(fields) = value else { panic!("an object") };
    (fields, slots)
}

fn ts_index(engine: &Engine) {
    engine.add_index("events", "by_at", &["at".into()], |_, _| {}).unwrap();
}

#[test]
fn placeholders_become_the_commit_ts_in_the_document_and_its_index() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    let early = insert(&engine, "events", obj(&[("at", Value::Int64(5))]));
    ts_index(&engine);

    let mut tx = engine.begin();
    let (fields, slots) =
        decode(json!({"at": {"$commitTs": null}, "log": [{"t": {"$commitTs": null}}]}));
    let id = tx.insert_with_commit_ts("events", fields, slots).unwrap();
    // Before commit: the largest int64, after every real timestamp in the index.
    assert_eq!(tx.get(&id).unwrap().unwrap().fields["at"], Value::Int64(MAX_COMMIT_TS));
    assert_eq!(tx.commit_ts_slots(&id).unwrap().len(), 2);
    assert_eq!(tx.commit_ts_slots(&early), None);
    let order = scan_all(&mut tx, "events", "by_at", &[], Order::Asc);
    assert_eq!(order.last().unwrap()["at"], Value::Int64(MAX_COMMIT_TS));
    let outcome = engine.commit(tx).unwrap();
    let ts = Value::Int64(outcome.ts.0 as i64);

    let mut tx = engine.begin();
    let stored = tx.get(&id).unwrap().unwrap();
    assert_eq!(stored.fields["at"], ts);
    assert_eq!(stored.fields["log"], Value::Array(vec![Value::Object(obj(&[("t", ts.clone())]))]));
    assert_eq!(tx.commit_ts_slots(&id), None, "nothing pending after commit");
    // The index holds the resolved key: an equality on the commit ts finds it, and no
    // placeholder key is left behind.
    let hit = scan_all(
        &mut tx,
        "events",
        "by_at",
        &[IndexRangeExpr::Eq("at".into(), Some(ts.clone()))],
        Order::Asc,
    );
    assert_eq!(hit, vec![stored.fields.clone()]);
    let max = [IndexRangeExpr::Eq("at".into(), Some(Value::Int64(MAX_COMMIT_TS)))];
    assert!(scan_all(&mut tx, "events", "by_at", &max, Order::Asc).is_empty());
    drop(tx);

    // It survives reopening: the stored revision holds the int64.
    drop(engine);
    let engine = open(&dir);
    assert_eq!(engine.begin().get(&id).unwrap().unwrap().fields["at"], ts);
}

#[test]
fn patches_keep_untouched_placeholders_and_drop_overwritten_ones() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    let mut tx = engine.begin();
    let (fields, slots) = decode(json!({"a": {"$commitTs": null}, "b": {"$commitTs": null}}));
    let id = tx.insert_with_commit_ts("events", fields, slots).unwrap();
    // A plain patch of `b` overwrites its placeholder; `a` keeps its own.
    tx.patch(&id, BTreeMap::from([("b".to_owned(), PatchValue::Set(Value::Int64(1)))])).unwrap();
    // A patch with a placeholder adds one in `c`.
    let (_, token) = decode(json!({"c": {"$commitTs": null}}));
    let patch = BTreeMap::from([("c".to_owned(), PatchValue::Set(Value::Int64(MAX_COMMIT_TS)))]);
    tx.patch_with_commit_ts(&id, patch, token).unwrap();
    let outcome = engine.commit(tx).unwrap();
    let ts = Value::Int64(outcome.ts.0 as i64);
    let stored = engine.begin().get(&id).unwrap().unwrap().fields;
    assert_eq!(stored, obj(&[("a", ts.clone()), ("b", Value::Int64(1)), ("c", ts)]));

    // A replace without placeholders clears them all.
    let mut tx = engine.begin();
    let (fields, slots) = decode(json!({"a": {"$commitTs": null}}));
    tx.replace_with_commit_ts(&id, fields, slots).unwrap();
    tx.replace(&id, obj(&[("a", Value::Int64(MAX_COMMIT_TS))])).unwrap();
    engine.commit(tx).unwrap();
    let stored = engine.begin().get(&id).unwrap().unwrap().fields;
    assert_eq!(stored["a"], Value::Int64(MAX_COMMIT_TS), "a concrete int64 is never replaced");
}

#[test]
fn commit_ts_fields_validate_as_int64() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    let schema = Schema::from_json(&json!({"tables": [{
        "tableName": "events",
        "indexes": [],
        "documentType": {"type": "object", "value": {
            "at": {"fieldType": {"type": "commitTs"}, "optional": false}
        }}
    }], "schemaValidation": true}))
    .unwrap();
    engine.set_schema(Some(schema));
    let mut tx = engine.begin();
    let (fields, slots) = decode(json!({"at": {"$commitTs": null}}));
    tx.insert_with_commit_ts("events", fields, slots).unwrap();
    tx.insert("events", obj(&[("at", Value::Int64(3))])).unwrap();
    let err = tx.insert("events", obj(&[("at", Value::Float64(3.0))])).unwrap_err();
    assert!(err.to_string().contains("v.commitTs()"), "{err}");
    engine.commit(tx).unwrap();
}
