//! A query run through the deployment's query cache, for sync sessions and the HTTP API
//! alike: the run another caller made of the same query (at the same timestamp, or kept from
//! before it, `deployment/query_cache.rs`; another user's too when that run read no
//! identity), or a run of its own on a blocking thread, which fills the slot where it
//! finishes and is kept for later callers. The run's result is
//! serialized once, as the body of a sync `QueryUpdated` (`frames.rs`).
//!
//! It runs and shares; what a caller makes of the outcome (a Transition, an HTTP answer, a
//! log entry for a cached answer) is the caller's.

use std::sync::Arc;

use atrium_engine::Timestamp;
use atrium_protocol::format::ValueFormat;
use atrium_runtime::{Caller, FunctionKind, FunctionOutcome, Runner, RuntimeError};
use atrium_value::Value;

use super::frames::updated_body;
use super::wire::logs;
use crate::auth::Identity;
use crate::deployment::{Deployment, QueryKeys, SharedOutcome, SharedRun, Slot, SlotFiller};

/// What a run of a query needs, made only by the caller that runs it.
pub(crate) struct QueryRun {
    /// Set up for the caller: component, identity, journal, request.
    pub(crate) runner: Runner,
    pub(crate) caller: Caller,
    pub(crate) path: String,
    pub(crate) args: Value,
    /// How a runtime error reads to this caller.
    pub(crate) describe: Box<dyn FnOnce(&RuntimeError) -> String + Send>,
}

/// A query's keys among the shared runs (`QueryKeys`): callers that ask the same thing share
/// them. `scope` keeps apart callers whose errors read differently.
pub(crate) fn query_keys(
    scope: &str,
    identity: &Identity,
    component: &str,
    path: &str,
    args: &Value,
    journal: Option<&str>,
) -> QueryKeys {
    let query =
        format!("{component}\u{0}{path}\u{0}{}\u{0}{journal:?}", atrium_value::json::to_json(args));
    // Admins may run internal functions and components' ones; everyone else, as a client,
    // only public ones: a run one may take, another may not.
    let access = match identity {
        Identity::Admin => "admin",
        Identity::AdminActingAs(_) | Identity::User(_) | Identity::Anonymous => "client",
    };
    QueryKeys {
        own: Arc::from(format!("{scope}\u{0}{identity:?}\u{0}{query}")),
        any: Arc::from(format!("{scope}\u{0}any {access}\u{0}{query}")),
    }
}

/// The run of the query `keys` name at `ts`: shared, or started by `start` (called only when
/// this caller is the one to run it). `true` with it when this caller ran it.
///
/// A run taken from under the query's `any` key while in flight was expected to read no
/// identity; if it read it after all (or failed before it ran), it is another caller's
/// answer, and this caller runs its own.
pub(crate) async fn shared_query(
    deployment: &Arc<Deployment>,
    keys: &QueryKeys,
    ts: Timestamp,
    start: impl FnOnce() -> Result<QueryRun, String>,
) -> (SharedOutcome, bool) {
    let mut start = Some(start);
    let mut own_only = false;
    loop {
        let (slot, under_any) = deployment.query_slot(keys, ts.0, own_only);
        let ran = match slot.claim() {
            Some(filler) => {
                // A caller that ran its own never looks again (below), so it is there.
                let start = start.take().expect("a caller runs at most once");
                run(deployment, keys, ts, &slot, filler, start);
                true
            }
            None => false,
        };
        let outcome = slot.wait().await;
        let anothers = match &outcome {
            Ok(run) => run.outcome.read_identity && run.ran_as != keys.own,
            Err(_) => under_any && !ran,
        };
        if anothers && !own_only && start.is_some() {
            own_only = true;
            continue;
        }
        return (outcome, ran);
    }
}

/// Starts `start`'s run on a blocking thread; it fills `slot` where it finishes, not after
/// the caller is polled again, once the deployment keeps it for later timestamps.
fn run(
    deployment: &Arc<Deployment>,
    keys: &QueryKeys,
    ts: Timestamp,
    slot: &Slot,
    filler: SlotFiller,
    start: impl FnOnce() -> Result<QueryRun, String>,
) {
    let QueryRun { runner, caller, path, args, describe } = match start() {
        Ok(run) => run,
        Err(message) => return filler.fill(Err(message)),
    };
    let (deployment, keys, kept) = (deployment.clone(), keys.clone(), slot.clone());
    tokio::task::spawn_blocking(move || {
        let run = runner.at_snapshot(ts).run_as(caller, &path, FunctionKind::Query, args);
        let shared = match run {
            Ok(outcome) => Ok(Arc::new(shared_run(outcome, keys.own.clone()))),
            Err(error) => Err(describe(&error)),
        };
        if let Ok(run) = &shared {
            deployment.keep_run(&keys, &kept, run);
        }
        filler.fill(shared);
    });
}

/// A finished run with its result serialized once, for every caller that shares it.
fn shared_run(mut outcome: FunctionOutcome, ran_as: Arc<str>) -> SharedRun {
    let read_set = Arc::new(std::mem::take(&mut outcome.read_set));
    let (body, value_bytes) = match &outcome.result {
        Ok(value) => {
            let value = ValueFormat::ConvexEncodedJson.encode(value);
            let (body, bytes) = updated_body(&value, &logs(&outcome), outcome.journal.as_deref());
            (Some(body), bytes)
        }
        Err(_) => (None, 0),
    };
    SharedRun { outcome, read_set, body, value_bytes, ran_as }
}
