//! Calling one registered function inside a prepared [`Sandbox`] (globals installed, per-call
//! state set): its module imported (a warm isolate has it already), the
//! export checked (kind, visibility), arguments validated, `invokeQuery`/`invokeMutation`/
//! `invokeAction` called and its promise settled, the result size- and returns-validated,
//! and a broken limit worded as Convex words it.
//!
//! It must not begin, commit or retry transactions (the runner does).

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use atrium_value::Value;
use atrium_value::json::from_json_str;
use atrium_value::pending::CommitTsSlots;
use atrium_value::validator::Validator;
use rquickjs::{Ctx, Function, Object, Persistent, Promise};

use crate::call::{Caller, FunctionKind, Limits};
use crate::isolates::Export;
use crate::sandbox::{Sandbox, describe, settle};
use crate::{FunctionError, HostState, RuntimeError};

/// One call: which export of which module file, as what, for whom, with what arguments
/// (`args_json` is the `[args]` text the library's invoke methods take).
pub(crate) struct Call<'a> {
    pub(crate) file: &'a Path,
    pub(crate) path: &'a str,
    pub(crate) export: &'a str,
    pub(crate) kind: FunctionKind,
    pub(crate) caller: Caller,
    pub(crate) args: &'a Value,
    pub(crate) args_json: &'a str,
}

/// Runs `call` in `sandbox`. `Err` is a failure of the runtime (or a function that is not
/// there); `Ok(Err)` the function's own failure.
pub(crate) fn invoke(
    sandbox: &Sandbox,
    call: &Call<'_>,
    limits: &Limits,
) -> Result<Result<Value, FunctionError>, RuntimeError> {
    let Call { file, path, export, kind, caller, args, args_json } = *call;
    let (state, timed_out, time_limit) = (&sandbox.state, &sandbox.timed_out, sandbox.time_limit);

    sandbox.context.with(|ctx| -> Result<Result<Value, FunctionError>, RuntimeError> {
        let namespace = sandbox.module(&ctx, file)?;
        let value: rquickjs::Value = namespace.get(export)?;
        // What an earlier call read of the same function object, else read now.
        let known = sandbox.export(file, export).filter(|known| {
            known.kind == kind
                && known.function.clone().restore(&ctx).is_ok_and(|f| f.into_value() == value)
        });
        let read = match known {
            Some(known) => known,
            None => {
                let read = Rc::new(read_export(&ctx, value, path, export, kind)?);
                sandbox.keep_export(file, export, read.clone());
                read
            }
        };
        if caller == Caller::Client && read.internal && !read.public {
            return Err(RuntimeError::FunctionNotFound(format!(
                "Could not find public function for '{path}'. Did you forget to run `npx convex dev` or `npx convex deploy`?"
            )));
        }
        if let Some(validator) = &read.args
            && let Err(error) = validator.validate(args, &state.borrow().ids())
        {
            return Ok(Err(FunctionError { message: format!("ArgumentValidationError: {error}"), data: None }));
        }
        let returns = read.returns.clone();
        let function = read.function.clone().restore(&ctx)?;
        let invoke = read.invoke.clone().restore(&ctx)?;
        let call = match kind {
            FunctionKind::Action => invoke.call::<_, Promise>((rquickjs::function::This(function.clone()), "", args_json)),
            _ => invoke.call::<_, Promise>((rquickjs::function::This(function.clone()), args_json)),
        };
        let settled = call.and_then(|p| settle(&ctx, &p));
        if timed_out.load(Ordering::Relaxed) {
            return Ok(Err(FunctionError {
                message: format!("Function execution timed out (maximum duration: {})", seconds(time_limit)),
                data: None,
            }));
        }
        Ok(match settled {
            Ok(Some(value)) => {
                let text: String = value
                    .as_string()
                    .ok_or_else(|| RuntimeError::Js("the function's result is not a string".into()))?
                    .to_string()?;
                if text.len() > limits.result_size {
                    return Ok(Err(FunctionError {
                        message: format!(
                            "Function {path} return value is too large ({} bytes; the limit is {} bytes)",
                            text.len(),
                            limits.result_size
                        ),
                        data: None,
                    }));
                }
                state.borrow_mut().result_bytes = Some(text.len());
                let value = decode_result(&text, kind, state)
                    .map_err(|e| FunctionError { message: format!("Invalid return value: {e}"), data: None });
                match (value, &returns) {
                    (Ok(value), Some(validator)) => match validator.validate(&value, &state.borrow().ids()) {
                        Ok(()) => Ok(value),
                        Err(error) => Err(FunctionError { message: format!("ReturnsValidationError: {error}"), data: None }),
                    },
                    (value, _) => value,
                }
            }
            Ok(None) => Err(FunctionError { message: "Returned promise will never resolve".into(), data: None }),
            Err(e) => Err(out_of_limits(&ctx, e, limits)),
        })
    })
}

/// What a call needs of the export `export` (`value`) of the module of `path`, registered
/// as a `kind` function: an error names what it is instead.
fn read_export<'js>(
    ctx: &Ctx<'js>,
    value: rquickjs::Value<'js>,
    path: &str,
    export: &str,
    kind: FunctionKind,
) -> Result<Export, RuntimeError> {
    let Some(function) = value.into_object() else {
        return Err(RuntimeError::FunctionNotFound(format!(
            "Could not find function for `{path}`: the module has no export named `{export}`"
        )));
    };
    if !function.get::<_, Option<bool>>(kind.marker())?.unwrap_or(false) {
        let registered = [FunctionKind::Query, FunctionKind::Mutation, FunctionKind::Action]
            .into_iter()
            .find(|k| function.get::<_, Option<bool>>(k.marker()).ok().flatten().unwrap_or(false));
        return Err(match registered {
            Some(k) => RuntimeError::WrongKind(format!(
                "Function {path} is registered as a {} but is being run as a {}.",
                k.noun(),
                kind.noun()
            )),
            None => RuntimeError::FunctionNotFound(format!(
                "Function {path} is not a Convex function. Did you forget to wrap it with `query`, `mutation` or `action`?"
            )),
        });
    }
    let invoke: Function = function.get(kind.invoke_method())?;
    Ok(Export {
        public: function.get::<_, Option<bool>>("isPublic")?.unwrap_or(false),
        internal: function.get::<_, Option<bool>>("isInternal")?.unwrap_or(false),
        args: exported_validator(&function, "exportArgs")?.map(Rc::new),
        returns: exported_validator(&function, "exportReturns")?.map(Rc::new),
        invoke: Persistent::save(ctx, invoke),
        function: Persistent::save(ctx, function),
        kind,
    })
}

/// A function's return value; a mutation's may hold `db.vars.commitTs` (read back from its
/// own writes), which the runner resolves once the mutation commits.
fn decode_result(
    text: &str,
    kind: FunctionKind,
    state: &RefCell<HostState>,
) -> Result<Value, atrium_value::json::JsonError> {
    if kind != FunctionKind::Mutation {
        return from_json_str(text);
    }
    let json: serde_json::Value =
        serde_json::from_str(text).map_err(|e| atrium_value::json::JsonError {
            path: atrium_value::Path::root(),
            message: format!("not valid JSON: {e}"),
        })?;
    let (value, slots) = CommitTsSlots::decode(&json)?;
    state.borrow_mut().result_commit_ts = slots;
    Ok(value)
}

fn seconds(d: Duration) -> String {
    format!("{}s", d.as_secs_f64())
}

/// The validator a registered function exports (`exportArgs`/`exportReturns`), unless
/// absent or `any`.
pub(crate) fn exported_validator(
    function: &Object<'_>,
    method: &str,
) -> Result<Option<Validator>, RuntimeError> {
    let Some(export) = function.get::<_, Option<Function>>(method)? else { return Ok(None) };
    let text: Option<String> = export.call((rquickjs::function::This(function.clone()),))?;
    let Some(text) = text else { return Ok(None) };
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| RuntimeError::Js(format!("{method}() returned invalid JSON: {e}")))?;
    if json.is_null() {
        return Ok(None);
    }
    let validator = Validator::from_json(&json).map_err(RuntimeError::Js)?;
    Ok((validator != Validator::Any).then_some(validator))
}

/// A failure, worded as a broken limit when it was one.
fn out_of_limits(ctx: &Ctx<'_>, error: rquickjs::Error, limits: &Limits) -> FunctionError {
    let described = describe(ctx, error);
    if described.message.contains("out of memory") {
        return FunctionError {
            message: format!(
                "JavaScript execution ran out of memory (maximum memory usage: {} MB)",
                limits.memory >> 20
            ),
            data: None,
        };
    }
    if described.message.contains("stack overflow") {
        return FunctionError {
            message: "Uncaught RangeError: Maximum call stack size exceeded".into(),
            data: None,
        };
    }
    described
}
