//! The dashboard functions' wire types: the argument shapes Convex's validators expect, a
//! bad argument named by its path (and a bad write by its position), values and numbers
//! read however Convex JSON writes them.

use atrium_protocol::convex_json::{from_value, to_value};
use atrium_protocol::dashboard::{
    ApplyWritesArgs, DocumentWrite, IndexesArgs, MaybeDocument, PaginatedTableDocumentsArgs,
    PaginationOpts, RangeExpr, RangeKind, SortOrder, TableWindow, TableWindowArgs,
};
use atrium_value::Value;
use atrium_value::json::{from_json, to_json};
use serde_json::json;

fn value(json: serde_json::Value) -> Value {
    from_json(&json).unwrap()
}

#[test]
fn arguments_are_written_as_convex_validators_expect() {
    let indexes = IndexesArgs { table_name: "messages".into(), table_namespace: None };
    assert_eq!(
        to_json(&to_value(&indexes).unwrap()),
        json!({"tableName": "messages", "tableNamespace": null})
    );
    let page = |order| PaginatedTableDocumentsArgs {
        pagination_opts: PaginationOpts { num_items: Some(10.0), cursor: None },
        table: "messages".into(),
        filters: None,
        order,
    };
    // Convex's paginatedTableDocuments takes no `order`: newest first is its only order.
    assert_eq!(
        to_json(&to_value(&page(Some(SortOrder::Desc))).unwrap()),
        json!({"paginationOpts": {"numItems": 10.0, "cursor": null}, "table": "messages", "filters": null})
    );
    assert_eq!(to_json(&to_value(&page(Some(SortOrder::Asc))).unwrap())["order"], json!("asc"));
}

#[test]
fn a_bad_argument_is_named() {
    let err = from_value::<PaginatedTableDocumentsArgs>(&value(
        json!({"table": "t", "paginationOpts": {"numItems": "ten", "cursor": null}}),
    ))
    .unwrap_err();
    assert!(err.contains("paginationOpts.numItems") && err.contains("number"), "{err}");
    let err = from_value::<TableWindowArgs>(&value(json!({"offset": 1}))).unwrap_err();
    assert!(err.contains("table"), "{err}");
    let err = from_value::<ApplyWritesArgs>(&value(json!({"writes": [
        {"op": "delete", "id": "x"},
        {"op": "upsert", "id": "y"},
    ]})))
    .unwrap_err();
    assert!(err.contains("write 2") && err.contains("upsert"), "{err}");
}

#[test]
fn values_and_numbers_read_as_convex_json_writes_them() {
    // An `$integer` serves where a number is expected.
    let args = value(json!({"table": "t", "offset": {"$integer": "AwAAAAAAAAA="}, "range": [
        {"type": "Gte", "fieldPath": "n", "value": {"$integer": "AQAAAAAAAAA="}},
        {"type": "Eq", "fieldPath": "missing"},
    ]}));
    let window: TableWindowArgs = from_value(&args).unwrap();
    assert_eq!(window.offset, Some(3.0));
    assert_eq!(
        window.range.unwrap(),
        vec![
            RangeExpr {
                kind: RangeKind::Gte,
                field_path: "n".into(),
                value: Some(Value::Int64(1))
            },
            RangeExpr { kind: RangeKind::Eq, field_path: "missing".into(), value: None },
        ]
    );
    let writes = ApplyWritesArgs {
        writes: vec![
            DocumentWrite::Insert {
                table: "t".into(),
                document: value(json!({"b": {"$bytes": "AQI="}})),
            },
            DocumentWrite::Delete { id: "x".into() },
        ],
    };
    assert_eq!(from_value::<ApplyWritesArgs>(&to_value(&writes).unwrap()).unwrap(), writes);
    let answer = TableWindow { page: vec![Value::Int64(-1)], total: 2.0 };
    assert_eq!(from_value::<TableWindow>(&to_value(&answer).unwrap()).unwrap(), answer);
    assert_eq!(from_value::<MaybeDocument>(&Value::Null).unwrap(), MaybeDocument(None));
    assert_eq!(to_value(&MaybeDocument(None)).unwrap(), Value::Null);
}
