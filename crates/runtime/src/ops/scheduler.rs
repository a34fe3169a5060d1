//! `ctx.scheduler.runAfter/runAt/cancel`: jobs written to `_scheduled_functions` — in the
//! mutation's transaction, or (from an action) committed at once in their own.

use atrium_value::DocumentId;
use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::calls::{Address, called_function};
use crate::call::FunctionKind;
use crate::host::{HostState, SyscallError, import_time};
use crate::scheduler::jobs;

#[derive(Debug, Deserialize)]
pub(crate) struct ScheduleArgs {
    #[serde(flatten)]
    address: Address,
    args: Option<Json>,
    ts: Option<Json>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CancelArgs {
    id: Option<Json>,
}

pub(crate) fn schedule(
    state: &mut HostState,
    op: &str,
    args: ScheduleArgs,
) -> Result<Json, SyscallError> {
    let from_action = op.starts_with("1.0/actions/");
    if from_action != (state.kind == FunctionKind::Action) || state.kind == FunctionKind::Query {
        return Err(format!("`{op}` is not available here").into());
    }
    if state.calls().is_none() {
        return Err("Scheduling is not possible here".into());
    }
    let (target, call_args) = called_function(state, &args.address, args.args)?;
    let name = target.path.clone();
    let ts = args.ts.as_ref().and_then(Json::as_f64).ok_or("Missing argument `ts`")?;
    let project = state
        .calls()
        .and_then(|calls| calls.project_of(&target.component))
        .ok_or_else(|| format!("Component \"{}\" not found", target.component))?;
    let caller = state.component.clone();
    let at =
        jobs::JobTarget { caller: &caller, target_component: &target.component, project: &project };
    let id = if from_action {
        // From an action the job commits at once, in its own transaction.
        let calls = state.calls().expect("checked above");
        let (id, _) = calls
            .engine()
            .run(16, |tx| Ok(jobs::schedule(tx, &at, &name, ts, call_args.clone())))
            .map_err(|e| SyscallError::from(e.to_string()))?;
        id?
    } else {
        state.scheduled.charge(&call_args)?;
        let tx = state.tx.as_mut().ok_or_else(import_time)?;
        jobs::schedule(tx, &at, &name, ts, call_args)?
    };
    Ok(json!(id.encode()))
}

pub(crate) fn cancel(
    state: &mut HostState,
    op: &str,
    args: CancelArgs,
) -> Result<Json, SyscallError> {
    let text = args.id.as_ref().and_then(Json::as_str).ok_or("Missing argument `id`")?;
    let id = DocumentId::decode(text).map_err(|e| format!("Invalid scheduled function ID: {e}"))?;
    if op.starts_with("1.0/actions/") {
        let calls = state.calls().ok_or("Scheduling is not possible here")?;
        let (result, _) = calls
            .engine()
            .run(16, |tx| Ok(jobs::cancel(tx, &state.component, &id)))
            .map_err(|e| SyscallError::from(e.to_string()))?;
        result?;
    } else {
        let component = state.component.clone();
        let tx = state.tx.as_mut().ok_or_else(import_time)?;
        jobs::cancel(tx, &component, &id)?;
    }
    Ok(Json::Null)
}
