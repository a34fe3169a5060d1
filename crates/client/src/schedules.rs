//! Typed calls for the Schedules area: Convex's dashboard functions for scheduled jobs and
//! crons (`paginatedScheduledJobs`, `listCronJobs`, `listCronJobRuns`), Convex's cancel
//! routes (`/api/cancel_job`, `/api/cancel_all_jobs`), and Atrium's extensions (every job
//! with its outcome, "run now"), which answer `None` / "not supported" on a deployment
//! without them.
//!
//! Every call names the component instance it is about (`component_id`, an ID from
//! `components:list`, as Convex's dashboard passes it; `None`: the app), since each
//! instance has its own scheduled functions and crons.
//!
//! It holds no presentation: callers turn the documents into their own views.

use atrium_protocol::dashboard::{PaginationOpts, path};
use atrium_protocol::schedules::{
    CancelAllJobsRequest, CancelJobRequest, ComponentArgs, Documents, PaginatedScheduledJobsArgs,
    RunCronNowArgs, RunScheduledNowArgs, ScheduledFunctionsArgs, ScheduledJobsPage,
};
use atrium_value::Value;

use crate::dashboard::{args_of, decode, is_missing_function};
use crate::{ClientError, DeploymentClient};

impl DeploymentClient {
    /// One page of pending and in-progress jobs, soonest first (Convex's
    /// `_scheduled_jobs` documents), of `udf_path` (`module.js:fn`) when given, of the
    /// component instance `component_id` (an ID from `components:list`; the app's when
    /// `None`).
    pub async fn scheduled_jobs_page(
        &self,
        component_id: Option<&str>,
        udf_path: Option<&str>,
        cursor: Option<String>,
        num_items: usize,
    ) -> Result<ScheduledJobsPage, ClientError> {
        let args = PaginatedScheduledJobsArgs {
            component_id: component_id.map(str::to_owned),
            pagination_opts: PaginationOpts { num_items: Some(num_items as f64), cursor },
            udf_path: udf_path.map(str::to_owned),
        };
        let value = self.query(path::PAGINATED_SCHEDULED_JOBS, &args_of(&args)).await?;
        decode("a page of scheduled jobs", &value)
    }

    /// Every scheduled function with its state and outcome, newest first, as
    /// `db.system.query("_scheduled_functions")` shows it (Atrium extension: `None` on a
    /// deployment without it).
    pub async fn scheduled_functions(
        &self,
        component_id: Option<&str>,
        udf_path: Option<&str>,
        state: Option<&str>,
    ) -> Result<Option<Vec<Value>>, ClientError> {
        let args = ScheduledFunctionsArgs {
            component_id: component_id.map(str::to_owned),
            udf_path: udf_path.map(str::to_owned),
            state: state.map(str::to_owned),
        };
        match self.query(path::SCHEDULED_FUNCTIONS, &args_of(&args)).await {
            Ok(value) => decode::<Documents>("the scheduled functions", &value).map(|d| Some(d.0)),
            Err(error) if is_missing_function(&error) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// The cron jobs of an instance, each with `lastRun` and `nextRun` (Convex's
    /// `listCronJobs`).
    pub async fn cron_jobs_with_runs(
        &self,
        component_id: Option<&str>,
    ) -> Result<Vec<Value>, ClientError> {
        let args = ComponentArgs { component_id: component_id.map(str::to_owned) };
        let value = self.query(path::LIST_CRON_JOBS, &args_of(&args)).await?;
        decode::<Documents>("the cron jobs", &value).map(|d| d.0)
    }

    /// The crons' recorded runs of an instance (`_cron_job_logs`, Convex's
    /// `listCronJobRuns`).
    pub async fn cron_job_runs(
        &self,
        component_id: Option<&str>,
    ) -> Result<Vec<Value>, ClientError> {
        let args = args_of(&ComponentArgs { component_id: component_id.map(str::to_owned) });
        let value = self.query(path::LIST_CRON_JOB_RUNS, &args).await?;
        decode::<Documents>("the cron job runs", &value).map(|d| d.0)
    }

    async fn post_admin(&self, route: &str, body: serde_json::Value) -> Result<(), ClientError> {
        let request = self.authorize(self.http.post(self.endpoint(route)).json(&body));
        let (status, text) = self.send(request).await?;
        self.decode::<serde_json::Value>(status, &text).map(|_| ())
    }

    /// Cancels one pending or in-progress job of an instance (`POST /api/cancel_job`).
    pub async fn cancel_job(
        &self,
        component_id: Option<&str>,
        id: &str,
    ) -> Result<(), ClientError> {
        let body =
            CancelJobRequest { id: id.to_owned(), component_id: component_id.map(str::to_owned) };
        self.post_admin("cancel_job", serde_json::to_value(body).expect("a plain struct")).await
    }

    /// Cancels every pending or in-progress job of an instance, of `udf_path` when given
    /// (`POST /api/cancel_all_jobs`).
    pub async fn cancel_all_jobs(
        &self,
        component_id: Option<&str>,
        udf_path: Option<&str>,
    ) -> Result<(), ClientError> {
        let body = CancelAllJobsRequest {
            component_id: component_id.map(str::to_owned),
            udf_path: udf_path.map(str::to_owned),
            ..Default::default()
        };
        self.post_admin("cancel_all_jobs", serde_json::to_value(body).expect("a plain struct"))
            .await
    }

    /// Makes a pending job due now (Atrium extension).
    pub async fn run_scheduled_now(&self, id: &str) -> Result<(), ClientError> {
        let args = args_of(&RunScheduledNowArgs { id: id.to_owned() });
        self.mutation(path::RUN_SCHEDULED_NOW, &args).await.map(|_| ())
    }

    /// Makes a cron's next run now (Atrium extension); the run joins its history.
    pub async fn run_cron_now(
        &self,
        component_id: Option<&str>,
        name: &str,
    ) -> Result<(), ClientError> {
        let component_id = component_id.map(str::to_owned);
        let args = args_of(&RunCronNowArgs { name: name.to_owned(), component_id });
        self.mutation(path::RUN_CRON_NOW, &args).await.map(|_| ())
    }
}
