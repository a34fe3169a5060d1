//! Commands of the Functions area: the deployment's functions with their validators (from
//! the function spec the CLI reads), running one — as admin or acting as a user — with its
//! result, logs, duration and error data, and keeping a query live, each new result
//! announced as `query_watch_update`.

use std::sync::Arc;
use std::time::Instant;

use atrium_client::{ClientError, FunctionKind, SyncClient};
use atrium_value::Value;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{CommandError, ErrorCode, Studio};

/// A function of the deployment.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FunctionInfo {
    /// `module:function`.
    pub path: String,
    /// query, mutation or action.
    pub kind: String,
    /// public or internal.
    pub visibility: String,
    /// The arguments validator (Convex's validator JSON), when it declares one.
    #[ts(type = "unknown")]
    pub args: serde_json::Value,
    #[ts(type = "unknown")]
    pub returns: serde_json::Value,
}

/// An HTTP route of the deployment's router.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct HttpRoute {
    pub method: String,
    /// The path on the deployment's site (a mounted component's under its prefix).
    pub path: String,
}

/// A cron job of the project (from `crons.ts`).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CronJob {
    pub name: String,
    /// `module:function` it runs.
    pub function: String,
    /// When, in words ("daily at 03:00 UTC").
    pub schedule: String,
    #[ts(type = "unknown")]
    pub args: serde_json::Value,
}

/// A module of the deployment that fails to load while the others serve (a local project
/// folder being worked on): its functions alone are unavailable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ModuleError {
    /// The module's path without extension (`messages`, `folder/file`).
    pub module: String,
    /// What went wrong (`Uncaught Error: boom`).
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FunctionList {
    pub functions: Vec<FunctionInfo>,
    pub routes: Vec<HttpRoute>,
    /// Empty where the deployment does not list them (a Convex deployment, through this).
    pub crons: Vec<CronJob>,
    /// Empty where the deployment does not list them (a Convex deployment refuses code
    /// with a failing module; a component's are not listed).
    pub module_errors: Vec<ModuleError>,
}

/// A Convex cron schedule in words.
pub(crate) fn describe_schedule(schedule: &serde_json::Value) -> String {
    // Numbers may arrive as JSON numbers or as Convex int64 (`{"$integer": …}`).
    let n = |k: &str| {
        let v = schedule.get(k);
        v.and_then(|v| v.as_f64())
            .or_else(|| {
                let value = atrium_value::json::from_json(v?).ok()?;
                match value {
                    Value::Int64(i) => Some(i as f64),
                    Value::Float64(f) => Some(f),
                    _ => None,
                }
            })
            .unwrap_or(0.0) as u64
    };
    let at = || format!("{:02}:{:02} UTC", n("hourUTC"), n("minuteUTC"));
    match schedule.get("type").and_then(|t| t.as_str()).unwrap_or_default() {
        // As written: `{seconds}`, `{minutes}` or `{hours}`.
        "interval" => match ["hours", "minutes", "seconds"].iter().find(|k| n(k) > 0) {
            Some(&"hours") => format!("every {} h", n("hours")),
            Some(&"minutes") => format!("every {} min", n("minutes")),
            _ => format!("every {} s", n("seconds")),
        },
        "hourly" => format!("hourly at :{:02}", n("minuteUTC")),
        "daily" => format!("daily at {}", at()),
        "weekly" => format!(
            "weekly on {} at {}",
            schedule.get("dayOfWeek").and_then(|d| d.as_str()).unwrap_or("?"),
            at()
        ),
        "monthly" => format!("monthly on day {} at {}", n("day"), at()),
        "cron" => format!("cron {}", schedule.get("cron").and_then(|c| c.as_str()).unwrap_or("?")),
        _ => schedule.to_string(),
    }
}

/// Whose functions to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct FunctionListRequest {
    /// A component instance's path (`shardedCounter`, `aggregate/batchWorker`); absent or
    /// `""` for the app's.
    #[serde(default)]
    pub component: Option<String>,
}

/// A function to run.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    pub path: String,
    /// The component instance it belongs to (its path); absent or `""` for the app's.
    #[serde(default)]
    pub component: Option<String>,
    /// query, mutation or action.
    pub kind: String,
    /// Convex-encoded JSON object.
    #[ts(type = "Record<string, unknown>")]
    pub args: serde_json::Value,
    /// Run acting as this user identity (`{subject, issuer, …}`) instead of as admin.
    #[serde(default)]
    #[ts(type = "Record<string, unknown> | null")]
    pub identity: Option<serde_json::Value>,
    #[serde(default)]
    pub confirmed: bool,
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RunResult {
    pub ok: bool,
    /// The returned value (Convex-encoded JSON); null on failure.
    #[ts(type = "unknown")]
    pub value: serde_json::Value,
    pub error: Option<String>,
    /// A ConvexError's data.
    #[ts(type = "unknown")]
    pub error_data: serde_json::Value,
    pub log_lines: Vec<String>,
    pub duration_ms: f64,
}

/// One document a dry-run mutation would change (Convex-encoded JSON; null: not there).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DryRunWrite {
    pub table: String,
    pub id: String,
    #[ts(type = "unknown")]
    pub before: serde_json::Value,
    #[ts(type = "unknown")]
    pub after: serde_json::Value,
}

/// What a mutation would do, run and rolled back.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DryRunResult {
    /// False on a deployment that cannot dry-run (a Convex deployment).
    pub available: bool,
    pub run: Option<RunResult>,
    pub writes: Vec<DryRunWrite>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct WatchRequest {
    pub path: String,
    #[ts(type = "Record<string, unknown>")]
    pub args: serde_json::Value,
    /// Keep it live acting as this user (a connection of its own) instead of as admin.
    #[serde(default)]
    #[ts(type = "Record<string, unknown> | null")]
    pub identity: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WatchRef {
    #[ts(type = "number")]
    pub watch: u64,
}

fn kind_of(kind: &str) -> Result<FunctionKind, CommandError> {
    match kind {
        "query" => Ok(FunctionKind::Query),
        "mutation" => Ok(FunctionKind::Mutation),
        "action" => Ok(FunctionKind::Action),
        other => Err(CommandError::new(
            ErrorCode::BadRequest,
            format!("kind must be query, mutation or action, not {other:?}"),
        )),
    }
}

fn args_value(json: &serde_json::Value) -> Result<Value, CommandError> {
    match atrium_value::json::from_json(json) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(CommandError::new(ErrorCode::BadRequest, "Arguments must be an object.")),
        Err(e) => Err(CommandError::new(
            ErrorCode::BadRequest,
            format!("The arguments are not valid Convex JSON: {e}"),
        )),
    }
}

pub(super) async fn function_list(
    studio: &Arc<Studio>,
    request: FunctionListRequest,
) -> Result<FunctionList, CommandError> {
    let connected = studio.connected()?;
    let component = request.component.as_deref().filter(|c| !c.is_empty());
    let (spec, _) = connected
        .http
        .call_in_component(
            component,
            FunctionKind::Query,
            "_system/cli/modules:apiSpec",
            &Value::Object(Default::default()),
        )
        .await?;
    let spec = atrium_value::json::to_json(&spec);
    let mut list = FunctionList {
        functions: Vec::new(),
        routes: Vec::new(),
        crons: Vec::new(),
        module_errors: Vec::new(),
    };
    for entry in spec.as_array().into_iter().flatten() {
        let text = |k: &str| entry.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        let validator = |k: &str| {
            entry
                .get(k)
                .and_then(|v| v.as_str())
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or(serde_json::Value::Null)
        };
        match text("functionType").as_str() {
            "HttpAction" => {
                list.routes.push(HttpRoute { method: text("method"), path: text("path") })
            }
            kind => {
                let identifier = text("identifier");
                let (module, name) = identifier.split_once(':').unwrap_or((&identifier, "default"));
                list.functions.push(FunctionInfo {
                    path: format!("{}:{name}", module.trim_end_matches(".js")),
                    kind: kind.to_lowercase(),
                    visibility: entry
                        .get("visibility")
                        .and_then(|v| v.get("kind"))
                        .and_then(|v| v.as_str())
                        .unwrap_or("public")
                        .to_owned(),
                    args: validator("args"),
                    returns: validator("returns"),
                });
            }
        }
    }
    list.functions.sort_by(|a, b| a.path.cmp(&b.path));
    // A mounted component's routes are reached under its prefix (`/ticker/` + `/count`).
    if let Some(path) = component {
        let mounted = connected.http.components().await?.into_iter().find(|c| c.path == path);
        if let Some(prefix) = mounted.and_then(|c| c.http_prefix) {
            for route in &mut list.routes {
                route.path = format!("{}{}", prefix.trim_end_matches('/'), route.path);
            }
        }
    }
    // Atrium's extension; a deployment without it simply lists none. A component's crons
    // are not among the app's.
    if component.is_some() {
        return Ok(list);
    }
    list.module_errors = module_errors(&connected.http).await;
    if let Ok(Value::Array(jobs)) = connected
        .http
        .query("_system/atrium/cronJobs:default", &Value::Object(Default::default()))
        .await
    {
        for job in jobs.iter().map(atrium_value::json::to_json) {
            let text = |k: &str| job.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            list.crons.push(CronJob {
                name: text("name"),
                function: text("function").trim_end_matches(".js").replace(".js:", ":"),
                schedule: describe_schedule(
                    job.get("schedule").unwrap_or(&serde_json::Value::Null),
                ),
                args: job.get("args").cloned().unwrap_or_default(),
            });
        }
    }
    Ok(list)
}

/// The app's modules that fail to load (Atrium's extension; none where it is missing).
async fn module_errors(http: &atrium_client::DeploymentClient) -> Vec<ModuleError> {
    use atrium_protocol::{convex_json, dashboard};
    let Ok(answer) =
        http.query(dashboard::path::MODULE_ERRORS, &Value::Object(Default::default())).await
    else {
        return Vec::new();
    };
    let errors: Vec<dashboard::ModuleError> = convex_json::from_value(&answer).unwrap_or_default();
    errors.into_iter().map(|e| ModuleError { module: e.path, message: e.message }).collect()
}

pub(super) async fn run_function(
    studio: &Arc<Studio>,
    request: RunRequest,
) -> Result<RunResult, CommandError> {
    let connected = studio.connected()?;
    let kind = kind_of(&request.kind)?;
    if kind != FunctionKind::Query {
        connected.allow_write(request.confirmed, ": only queries run.", "mutations and actions")?;
    }
    let args = args_value(&request.args)?;
    let client = connected.http_as(request.identity.as_ref());
    let started = Instant::now();
    let component = request.component.as_deref();
    let outcome = client.call_in_component(component, kind, &request.path, &args).await;
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(match outcome {
        Ok((value, log_lines)) => RunResult {
            ok: true,
            value: atrium_value::json::to_json(&value),
            error: None,
            error_data: serde_json::Value::Null,
            log_lines,
            duration_ms,
        },
        Err(ClientError::Function { message, data, log_lines }) => RunResult {
            ok: false,
            value: serde_json::Value::Null,
            error: Some(crate::error::clean_function_message(&message)),
            error_data: data.as_ref().map_or(serde_json::Value::Null, atrium_value::json::to_json),
            log_lines,
            duration_ms,
        },
        Err(other) => return Err(CommandError::from(other)),
    })
}

pub(super) async fn dry_run_function(
    studio: &Arc<Studio>,
    request: RunRequest,
) -> Result<DryRunResult, CommandError> {
    let connected = studio.connected()?;
    if request.kind != "mutation" {
        return Err(CommandError::new(ErrorCode::BadRequest, "Only mutations can be dry-run."));
    }
    let args = args_value(&request.args)?;
    let client = connected.http_as(request.identity.as_ref());
    let Some(answer) = client.dry_run(&request.path, &args).await? else {
        return Ok(DryRunResult { available: false, run: None, writes: Vec::new() });
    };
    let run = RunResult {
        ok: answer.status == "success",
        value: answer.value,
        error: answer.error_message.as_deref().map(crate::error::clean_function_message),
        error_data: answer.error_data.unwrap_or(serde_json::Value::Null),
        log_lines: answer.log_lines,
        duration_ms: answer.execution_time * 1000.0,
    };
    let writes = answer
        .writes
        .into_iter()
        .map(|w| DryRunWrite {
            table: w.table,
            id: w.id,
            before: w.before.unwrap_or(serde_json::Value::Null),
            after: w.after.unwrap_or(serde_json::Value::Null),
        })
        .collect();
    Ok(DryRunResult { available: true, run: Some(run), writes })
}

/// A module to show the source of.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SourceRequest {
    /// `tasks` (or a function path, `tasks:add`).
    pub module: String,
}

/// A module's source, when the deployment serves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ModuleSource {
    pub available: bool,
    pub path: String,
    pub source: String,
}

pub(super) async fn function_source(
    studio: &Arc<Studio>,
    request: SourceRequest,
) -> Result<ModuleSource, CommandError> {
    let connected = studio.connected()?;
    let module = request.module.split(':').next().unwrap_or_default();
    Ok(match connected.http.module_source(module).await? {
        Some(found) => ModuleSource { available: true, path: found.path, source: found.source },
        None => ModuleSource { available: false, path: String::new(), source: String::new() },
    })
}

pub(super) async fn watch_query(
    studio: &Arc<Studio>,
    request: WatchRequest,
) -> Result<WatchRef, CommandError> {
    let connected = studio.connected()?;
    let args = args_value(&request.args)?;
    // Acting as a user needs a sync connection of its own, held as long as the watch.
    let own = request.identity.as_ref().map(|i| SyncClient::connect(&connected.http.acting_as(i)));
    let subscription = own.as_ref().unwrap_or(&connected.sync).subscribe(&request.path, &args);
    let watch = crate::watches::start(studio, own, subscription);
    Ok(WatchRef { watch })
}

pub(super) async fn unwatch_query(
    studio: &Arc<Studio>,
    request: WatchRef,
) -> Result<(), CommandError> {
    studio.watches.lock().unwrap().remove(&request.watch);
    Ok(())
}
