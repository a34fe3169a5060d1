//! Query streams (`queryStream`, `queryStreamNext`, `queryCleanup`): a query opened on the
//! execution's transaction and read one document at a time.

use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::OpResult;
use super::database::document_json_text;
use crate::host::{HostState, import_time};
use crate::query::{Query, QueryStream};

#[derive(Debug, Deserialize)]
pub(crate) struct OpenArgs {
    #[serde(default, deserialize_with = "super::present")]
    query: Option<Json>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StreamArgs {
    query_id: Option<u64>,
}

impl StreamArgs {
    fn id(&self) -> Result<u32, String> {
        self.query_id.map(|n| n as u32).ok_or_else(|| "Missing argument `queryId`".into())
    }
}

pub(crate) fn open(state: &mut HostState, args: OpenArgs) -> OpResult {
    let query = Query::parse(args.query.as_ref().ok_or("Missing argument `query`")?)?;
    let query = state.own_query(query);
    let stream = QueryStream::open(query, state.tx.as_mut().ok_or_else(import_time)?)?;
    let id = state.next_query_id;
    state.next_query_id += 1;
    state.streams.insert(id, stream);
    Ok(json!({ "queryId": id }))
}

/// The next document as the reply's text, written directly: this runs once per document a
/// query reads, so it builds no JSON tree (the envelope's text and key order are those of
/// `{"value": ..., "done": ...}` as `serde_json` would write them).
pub(crate) fn next(state: &mut HostState, args: StreamArgs) -> Result<String, String> {
    let id = args.id()?;
    let stream = state.streams.get_mut(&id).ok_or_else(|| format!("Query {id} is not open"))?;
    let tx = state.tx.as_mut().ok_or_else(import_time)?;
    match stream.next(tx)? {
        Some(document) => {
            Ok(format!(r#"{{"value":{},"done":false}}"#, document_json_text(tx, &document)))
        }
        None => {
            state.streams.remove(&id);
            Ok(r#"{"value":null,"done":true}"#.to_owned())
        }
    }
}

pub(crate) fn cleanup(state: &mut HostState, args: StreamArgs) -> OpResult {
    Ok(json!(state.streams.remove(&args.id()?).is_some()))
}
