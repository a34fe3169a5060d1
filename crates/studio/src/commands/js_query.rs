//! Commands of the Query area's JavaScript queries: a query body written like a Convex
//! function (`async (ctx) => …`) run read-only on the deployment through Atrium's
//! `_system/atrium/queryFromSource` (Atrium's engine; a Convex deployment lacks it and the
//! answer says so), once or kept live.

use std::sync::Arc;

use atrium_client::dashboard::is_missing_function;
use atrium_value::{Object, Value};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{WatchRef, WatchRequest};
use crate::{CommandError, Studio};

const PATH: &str = "_system/atrium/queryFromSource:default";

/// A query's text.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct JsQueryRequest {
    pub source: String,
}

/// The deployment's answer: `{value | error, errorData, logLines, cost}` in Convex JSON
/// (the same shape each live update carries).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct JsQueryResult {
    /// False when the deployment cannot run ad-hoc queries (a Convex deployment).
    pub available: bool,
    #[ts(type = "unknown")]
    pub answer: serde_json::Value,
}

fn args(source: &str) -> Value {
    Value::Object(Object::from_iter([("source".to_owned(), Value::from(source))]))
}

pub(super) async fn run_js_query(
    studio: &Arc<Studio>,
    request: JsQueryRequest,
) -> Result<JsQueryResult, CommandError> {
    let connected = studio.connected()?;
    match connected.http.query(PATH, &args(&request.source)).await {
        Ok(answer) => {
            Ok(JsQueryResult { available: true, answer: atrium_value::json::to_json(&answer) })
        }
        Err(e) if is_missing_function(&e) => {
            Ok(JsQueryResult { available: false, answer: serde_json::Value::Null })
        }
        Err(e) => Err(CommandError::from(e)),
    }
}

pub(super) async fn watch_js_query(
    studio: &Arc<Studio>,
    request: JsQueryRequest,
) -> Result<WatchRef, CommandError> {
    let watch = WatchRequest {
        path: PATH.to_owned(),
        args: serde_json::json!({ "source": request.source }),
        identity: None,
    };
    super::functions::watch_query(studio, watch).await
}
