//! Calling other functions: `runUdf` (`ctx.runQuery`/`ctx.runMutation` inside a query or
//! mutation, in the caller's transaction) and an action's `runQuery`/`runMutation`/
//! `runAction` (each in its own transaction). Both reach the runner through
//! [`NestedCalls`](crate::call::NestedCalls).

use atrium_value::json::{from_json, to_json};
use atrium_value::{Object, Value};
use serde::Deserialize;
use serde_json::Value as Json;

use crate::call::{FunctionKind, Nested};
use crate::components::names::Target;
use crate::host::{HostState, SyscallError, import_time};

/// Nested calls deeper than this fail.
const MAX_DEPTH: usize = 8;

/// Where a call goes, as the library says it: by name in the caller's own component
/// (`messages:send` or `messages.js:send`), by reference to a child component's function
/// (`_reference/childComponent/…`), or by function handle.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Address {
    pub(crate) name: Option<String>,
    pub(crate) reference: Option<String>,
    pub(crate) function_handle: Option<String>,
}

impl Address {
    /// The function this address names, called from `state`'s component.
    pub(crate) fn target(&self, state: &HostState) -> Result<Target, String> {
        let target = Target::from_address(
            &state.component,
            self.name.as_deref(),
            self.reference.as_deref(),
            self.function_handle.as_deref(),
        )?;
        if let Some(calls) = state.calls()
            && calls.project_of(&target.component).is_none()
        {
            return Err(format!("Component \"{}\" not found", target.component));
        }
        Ok(target)
    }
}

/// A function to call and its arguments.
#[derive(Debug, Deserialize)]
pub(crate) struct CallArgs {
    #[serde(flatten)]
    pub(crate) address: Address,
    pub(crate) args: Option<Json>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RunUdfArgs {
    #[serde(flatten)]
    address: Address,
    args: Option<Json>,
    udf_type: Option<Json>,
}

/// `createFunctionHandle(reference)`: the handle of the function the address names.
pub(crate) fn create_handle(state: &mut HostState, address: Address) -> Result<Json, SyscallError> {
    let target = address.target(state)?;
    Ok(Json::String(target.handle()))
}

/// The called function and its arguments.
pub(crate) fn called_function(
    state: &HostState,
    address: &Address,
    args: Option<Json>,
) -> Result<(Target, Value), SyscallError> {
    let target = address.target(state)?;
    let name = target.path.clone();
    let call_args = match args {
        None | Some(Json::Null) => Value::Object(Object::new()),
        Some(json) => {
            from_json(&json).map_err(|e| format!("Invalid arguments for `{name}`: {e}"))?
        }
    };
    // The library sends a bare object; a legacy one-element array is accepted too.
    let call_args = match call_args {
        Value::Array(mut items) if items.len() == 1 => items.remove(0),
        other => other,
    };
    Ok((target, call_args))
}

fn nested_failure(error: crate::FunctionError) -> SyscallError {
    SyscallError { message: error.message, data: error.data.as_ref().map(to_json) }
}

/// `ctx.runQuery` / `ctx.runMutation` from a query or mutation: the callee runs in this
/// transaction; a failing mutation's writes are undone.
pub(crate) fn run_udf(state: &mut HostState, args: RunUdfArgs) -> Result<Json, SyscallError> {
    let kind = match args.udf_type.as_ref().and_then(Json::as_str) {
        Some("query") | Some("snapshotQuery") => FunctionKind::Query,
        Some("mutation") => FunctionKind::Mutation,
        other => return Err(format!("Unsupported udfType {other:?} for runUdf").into()),
    };
    if kind == FunctionKind::Mutation && state.kind != FunctionKind::Mutation {
        return Err("ctx.runMutation is only allowed in mutations and actions".into());
    }
    if state.depth >= MAX_DEPTH {
        return Err(format!("Function calls are nested more than {MAX_DEPTH} levels deep").into());
    }
    let (target, call_args) = called_function(state, &args.address, args.args)?;
    let name = target.path.clone();
    let depth = state.depth + 1;
    if state.calls().is_none() {
        return Err("Calling other functions is not possible here".into());
    }
    let tx = state.tx.take().ok_or_else(import_time)?;
    let checkpoint = tx.checkpoint();
    let calls = state.calls().expect("checked above");
    let outcome = calls.run_nested(&target, kind, &call_args, tx, depth);
    match outcome {
        Ok(Nested { mut tx, result, logs }) => {
            state.logs.extend(logs);
            if result.is_err() {
                tx.rollback_to(checkpoint);
            }
            state.tx = Some(tx);
            result.map(|v| to_json(&v)).map_err(nested_failure)
        }
        Err(error) => {
            // The transaction went with the failed call: this execution cannot go on.
            Err(format!("Failed to run `{name}`: {error}").into())
        }
    }
}

/// `ctx.runQuery` / `runMutation` / `runAction` from an action: each its own
/// transaction, as Convex runs them.
pub(crate) fn run_from_action(
    state: &mut HostState,
    op: &str,
    args: CallArgs,
) -> Result<Json, SyscallError> {
    if state.kind != FunctionKind::Action {
        return Err(format!("`{op}` is only available in actions").into());
    }
    let kind = match op {
        "1.0/actions/query" => FunctionKind::Query,
        "1.0/actions/mutation" => FunctionKind::Mutation,
        _ => FunctionKind::Action,
    };
    let (target, call_args) = called_function(state, &args.address, args.args)?;
    let calls = state.calls().ok_or("Calling other functions is not possible here")?;
    let outcome =
        calls.run(&target, kind, call_args).map_err(|e| SyscallError::from(e.to_string()))?;
    state.logs.extend(outcome.logs);
    outcome.result.map(|v| to_json(&v)).map_err(nested_failure)
}
