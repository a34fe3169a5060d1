//! What a function may learn about its call and deployment: function, deployment and
//! request metadata, transaction metrics, the user identity; and the ops Atrium does not
//! support yet, refused with a clear message.

use serde_json::{Value as Json, json};

use super::OpResult;
use crate::call::FunctionKind;
use crate::host::{HostState, MAX_BYTES_READ, MAX_DOCUMENTS_READ};
use crate::scheduler::jobs::{MAX_SCHEDULED_ARGS_BYTES, MAX_SCHEDULED_PER_MUTATION};

/// The meta op `op`, or an unknown op's error. None of these take arguments.
pub(crate) fn op(state: &mut HostState, op: &str) -> OpResult {
    match op {
        "1.0/getFunctionMetadata" => Ok(json!({
            "name": crate::execution_log::identifier(&state.function_path),
            "componentPath": state.component,
        })),
        "1.0/getDeploymentMetadata" => {
            Ok(json!({ "name": "local", "region": null, "class": "local" }))
        }
        "1.0/getRequestMetadata" => match state.kind {
            FunctionKind::Query => {
                Err("RequestMetadataNotAllowed: request metadata is not available in queries"
                    .into())
            }
            _ => Ok(request_metadata(state)),
        },
        "1.0/getTransactionMetrics" => transaction_metrics(state),
        "1.0/getUserIdentity" => {
            // The result now depends on who asks: not to be shared between users.
            if let Some(calls) = state.calls() {
                calls.note_identity_read();
            }
            // A refused token throws in actions; queries and mutations see no identity.
            let refused = state.calls().and_then(|calls| calls.refused_identity());
            if let (Some(reason), FunctionKind::Action) = (refused, state.kind) {
                return Err(reason.to_owned());
            }
            Ok(state.calls().and_then(|calls| calls.identity()).cloned().unwrap_or(Json::Null))
        }
        other => Err(format!("Unknown or unsupported syscall `{other}`")),
    }
}

/// The request's metadata as the server told the runner (nulls where it did not).
fn request_metadata(state: &HostState) -> Json {
    let calls = state.calls();
    let request = calls.and_then(|c| c.request_metadata());
    json!({
        "ip": request.and_then(|r| r.ip.clone()),
        "userAgent": request.and_then(|r| r.user_agent.clone()),
        "requestId": calls.and_then(|c| c.request_id()).unwrap_or_default(),
        "scheduledFunctionId": null,
        "authToken": request.and_then(|r| r.auth_token.clone()),
    })
}

fn transaction_metrics(state: &HostState) -> OpResult {
    let tx = state
        .tx
        .as_ref()
        .ok_or("Transaction metrics are only available in queries and mutations")?;
    let (documents, bytes) = tx.read_stats();
    let metric =
        |used: u64, limit: u64| json!({ "used": used, "remaining": limit.saturating_sub(used) });
    Ok(json!({
        "bytesRead": metric(bytes, MAX_BYTES_READ),
        "bytesWritten": metric(0, 16 << 20),
        "databaseQueries": metric(state.next_query_id as u64, 4096),
        "documentsRead": metric(documents, MAX_DOCUMENTS_READ),
        "documentsWritten": metric(tx.write_count() as u64, 16_000),
        "functionsScheduled": metric(state.scheduled.count as u64, MAX_SCHEDULED_PER_MUTATION as u64),
        "scheduledFunctionArgsBytes": metric(state.scheduled.bytes as u64, MAX_SCHEDULED_ARGS_BYTES as u64),
    }))
}
