//! Targets for what arrives as JSON text: Convex values, sync socket messages, HTTP
//! function-API bodies, and the query language (sources, index ranges, filters).

use atrium_engine::range::compile;
use atrium_engine::{Document, FieldPath, IndexId, IndexInfo, IndexRangeExpr, IndexState};
use atrium_protocol::http::{UdfRequest, arguments_object};
use atrium_protocol::sync::{ClientMessage, QuerySetModification};
use atrium_protocol::timestamp;
use atrium_runtime::query::{Operator, Query, Source};
use atrium_value::json::{from_json, from_json_str, to_json};
use atrium_value::sort_key::sort_key;
use atrium_value::{DocumentId, TableNumber, Value};
use serde_json::Value as Json;

/// Convex's JSON encoding of values (`$integer`, `$float`, `$bytes`): what decodes
/// encodes back to the same value, and its sort key orders it as the value orders.
pub fn convex_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(value) = from_json_str(text) else { return };
    let again = from_json(&to_json(&value)).expect("an encoded value decodes");
    assert_eq!(value, again, "the value changed on a round trip through JSON");
    assert_eq!(sort_key(&value), sort_key(&again));
    let _ = atrium_value::limits::check_value(&value);
}

/// Call arguments as a sync message or an HTTP body carries them.
fn arguments(args: &Json) {
    if let Ok(value) = arguments_object(args) {
        assert!(value.as_object().is_some(), "arguments decode to an object");
    }
}

/// A sync socket client message: parsed as the server parses it; what parses serialises
/// and parses back to the same message, and its arguments and timestamps decode or fail.
pub fn sync_message(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(message) = serde_json::from_str::<ClientMessage>(text) else { return };
    let again: ClientMessage = serde_json::from_str(&serde_json::to_string(&message).unwrap())
        .expect("a serialised message parses");
    assert_eq!(message, again);
    match &message {
        ClientMessage::Connect { max_observed_timestamp: Some(ts), .. } => {
            if let Ok(ts) = timestamp::decode(ts) {
                assert_eq!(timestamp::decode(&timestamp::encode(ts)), Ok(ts));
            }
        }
        ClientMessage::ModifyQuerySet { modifications, .. } => {
            for modification in modifications {
                if let QuerySetModification::Add { args, .. } = modification {
                    arguments(args);
                }
            }
        }
        ClientMessage::Mutation { args, .. } | ClientMessage::Action { args, .. } => {
            arguments(args)
        }
        _ => {}
    }
}

/// An HTTP function-API body (`/api/query`, `/api/mutation`, …, `/api/run`).
pub fn http_body(data: &[u8]) {
    let Ok(request) = serde_json::from_slice::<UdfRequest>(data) else { return };
    arguments(&request.args);
    let _ = atrium_protocol::format::ValueFormat::parse(request.format.as_deref());
}

/// The query language a function's `db.query(…)` sends the host: sources, index ranges,
/// orders, filters. What parses is run as far as it goes without storage: an index range
/// compiled against an index over the fields it names, each filter evaluated on a document.
pub fn query_json(data: &[u8]) {
    let Ok(json) = serde_json::from_slice::<Json>(data) else { return };
    let Ok(query) = Query::parse(&json) else { return };
    if let Source::IndexRange { range, .. } = &query.source {
        let mut fields: Vec<FieldPath> = Vec::new();
        for expr in range {
            let (IndexRangeExpr::Eq(f, _)
            | IndexRangeExpr::Gt(f, _)
            | IndexRangeExpr::Gte(f, _)
            | IndexRangeExpr::Lt(f, _)
            | IndexRangeExpr::Lte(f, _)) = expr;
            let path: FieldPath = f.split('.').map(str::to_owned).collect();
            if !fields.contains(&path) {
                fields.push(path);
            }
        }
        fields.extend([vec!["_creationTime".to_owned()], vec!["_id".to_owned()]]);
        let index = IndexInfo {
            id: IndexId(1),
            table: TableNumber(10001),
            name: "by_fuzz".into(),
            fields,
            state: IndexState::Ready,
        };
        if let Ok(keys) = compile(&index, "t.by_fuzz", range) {
            let _ = keys.is_empty();
        }
    }
    let document = sample_document();
    for operator in &query.operators {
        if let Operator::Filter(expr) = operator {
            let _ = expr.eval(&document);
        }
    }
}

/// A document with a field of every type, for filters to read.
fn sample_document() -> Document {
    let fields = from_json_str(
        r#"{"n": 1.5, "i": {"$integer": "AQAAAAAAAAA="}, "s": "text", "b": true, "z": null,
            "a": [1, "x", [2]], "o": {"p": {"q": 3}}, "y": {"$bytes": "AAE="}}"#,
    )
    .expect("the sample document decodes");
    let Value::Object(fields) = fields else { unreachable!("an object") };
    Document { id: DocumentId::new(TableNumber(10001), [7; 14], 1.0), creation_time: 1.0, fields }
}
