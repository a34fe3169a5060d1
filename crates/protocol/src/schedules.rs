//! The Schedules area's wire contracts: arguments and answers of Convex's dashboard
//! functions for scheduled jobs and crons (`paginatedScheduledJobs`, `listCronJobs`,
//! `listCronJobRuns`, as Convex's `system-udfs` declare them), Convex's cancel routes
//! (`POST /api/cancel_job`, `/api/cancel_all_jobs`), and Atrium's extensions (every
//! scheduled function with its outcome, "run now" for a job or a cron). Paths are in
//! [`crate::dashboard::path`].
//!
//! Documents cross as Convex values in Convex's shapes (`_scheduled_jobs`: `{udfPath,
//! udfArgs, state: {type}, nextTs, completedTs?}`; `_cron_jobs` with `lastRun` and
//! `nextRun`; `_cron_job_logs`). It must not hold behaviour.

use atrium_value::Value;
use serde::{Deserialize, Serialize};

use crate::convex_json::values;
use crate::dashboard::PaginationOpts;

/// `listCronJobs`, `listCronJobRuns`: `{componentId?}` (`null`: the app itself).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentArgs {
    #[serde(default)]
    pub component_id: Option<String>,
}

/// `paginatedScheduledJobs`: `{componentId?, paginationOpts, udfPath?}` — pending and
/// in-progress jobs, soonest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaginatedScheduledJobsArgs {
    #[serde(default)]
    pub component_id: Option<String>,
    pub pagination_opts: PaginationOpts,
    /// `module.js:function`; Convex's validator takes a string or nothing (never null).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub udf_path: Option<String>,
}

/// A page of `_scheduled_jobs` documents: `{page, isDone, continueCursor}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduledJobsPage {
    #[serde(with = "values")]
    pub page: Vec<Value>,
    #[serde(default)]
    pub is_done: bool,
    #[serde(default)]
    pub continue_cursor: String,
}

/// A list of documents (`listCronJobs`: `_cron_jobs` with `lastRun` and `nextRun`;
/// `listCronJobRuns`: `_cron_job_logs`; `scheduledFunctions`: `_scheduled_functions`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Documents(#[serde(with = "values")] pub Vec<Value>);

/// `scheduledFunctions` (Atrium): every `_scheduled_functions` document, whatever its
/// state, as `db.system.query("_scheduled_functions")` shows it; filtered by function
/// (`module.js:function`) and state kind when given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduledFunctionsArgs {
    /// The component instance (`componentId`); the app's jobs when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub udf_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// `runScheduledNow` (Atrium): a pending job, due now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunScheduledNowArgs {
    pub id: String,
}

/// `runCronNow` (Atrium): a cron's next run, now (recorded in its history as any run), of
/// the component instance `componentId` (the app's when absent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunCronNowArgs {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component_id: Option<String>,
}

/// `POST /api/cancel_job`: `{id, componentId?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelJobRequest {
    pub id: String,
    #[serde(default)]
    pub component_id: Option<String>,
}

/// `POST /api/cancel_all_jobs`: `{componentId?, udfPath?, startNextTs?, endNextTs?}` —
/// every pending or in-progress job (of `udfPath` when given, due within the bounds).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelAllJobsRequest {
    #[serde(default)]
    pub component_id: Option<String>,
    #[serde(default)]
    pub udf_path: Option<String>,
    #[serde(default)]
    pub component_path: Option<String>,
    /// Inclusive lower bound of the jobs' `nextTs` (ns).
    #[serde(default)]
    pub start_next_ts: Option<u64>,
    /// Exclusive upper bound of the jobs' `nextTs` (ns).
    #[serde(default)]
    pub end_next_ts: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convex_json::{from_value, to_value};

    #[test]
    fn a_missing_udf_path_is_not_sent_as_null() {
        let args = PaginatedScheduledJobsArgs::default();
        let value = to_value(&args).unwrap();
        assert!(value.get_path(["udfPath"]).is_none(), "{value}");
        assert_eq!(from_value::<PaginatedScheduledJobsArgs>(&value).unwrap(), args);
        let bad = to_value(&serde_json::json!({"paginationOpts": 3})).unwrap();
        assert!(
            from_value::<PaginatedScheduledJobsArgs>(&bad).unwrap_err().contains("paginationOpts")
        );
    }
}
