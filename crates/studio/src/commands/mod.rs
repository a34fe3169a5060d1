//! The command table: every request the UI can make, declared once.
//!
//! Each row names a command, its request and response types, and the handler, an
//! `async fn(&Studio, Request) -> Result<Response, CommandError>`. From the table come
//! [`dispatch`] (what the hosts call with a command name and a JSON payload) and
//! [`typescript_bindings`] (the UI's types, written to `ui/src/generated/studio.ts`).
//!
//! Adding a command: write the handler in a module here, add a row, run `make generate`.

mod app;
mod auth;
mod bindings;
mod components;
mod connections;
mod data;
mod deployment_env;
mod deployment_snapshot;
mod files;
mod functions;
mod health;
mod history;
mod http_actions;
mod js_query;
mod live;
mod metrics;
mod projects;
mod promote;
mod schedules;
mod sql;
mod text_search;
mod vector;

pub use crate::component_info::ComponentSummary;
pub use crate::connections::ConnectionDraft;
pub use crate::sql::export::ExportProgress;
pub use crate::watches::QueryVersion;
pub use auth::{AuthProviderList, TokenCheck, TokenRequest};
pub use connections::{
    ConnectionInfo, ConnectionList, ConnectionRef, ConnectionTest, ConnectionTestResult,
};
pub use data::{
    ApplyRequest, ApplyResult, ClearResult, DocumentDetail, DocumentRequest, IndexSummary,
    RestoreRequest, RevisionInfo, RowsRequest, TableRequest, TableSchemaInfo, TableSummary,
    ViewRef, WriteRequest,
};
pub use deployment_env::DeploymentEnvSet;
pub use deployment_snapshot::{DeploymentExport, DeploymentImport, ImportConfirm, ImportOutcome};
pub use files::{
    FilePageView, FileRef, FileReferenceView, FileReferencesView, FileUpload, FileUploaded,
    FileView, FilesConfirm, FilesDelete, FilesRequest,
};
pub use functions::{
    CronJob, DryRunResult, DryRunWrite, FunctionInfo, FunctionList, FunctionListRequest, HttpRoute,
    ModuleSource, RunRequest, RunResult, SourceRequest, WatchRef, WatchRequest,
};
pub use health::{
    FunctionHealth, HealthRequest, HealthSeries, HealthView, SchedulerHealth, SubscriptionHealth,
};
pub use history::{CodeChangeView, HistoryEvent, HistoryPage, HistoryRequest};
pub use http_actions::{HttpActionRequest, HttpActionResult};
pub use js_query::{JsQueryRequest, JsQueryResult};
pub use live::{
    LiveSearchRead, LiveSubscription, LogSearch, LogSearchResult, ReadRange, SaveText, SavedFile,
    SubscriptionCause, SubscriptionReport,
};
pub use metrics::{MetricsRequest, MetricsResult};
pub use projects::{
    CliEnvWritten, EnvVar, ProjectConfirm, ProjectCreate, ProjectEnvSet, ProjectImport,
    ProjectOpen, ProjectPort, ProjectRef, SnapshotDone,
};
pub use promote::{
    Changes, PromoteDone, PromotePreview, PromotePreviewRequest, PromoteRequest, PushDiff,
};
pub use schedules::{
    CancelAllRequest, CronJobView, CronRef, CronRunView, CronScheduleView, JobRef,
    ScheduledJobView, SchedulesRequest, SchedulesView,
};
pub use sql::{
    ExportDone, ExportRequest, SqlOutcome, SqlRequest, SqlResultInfo, SqlRows, SqlRowsRequest,
    SqlTableRequest, ViewExportRequest,
};

pub use text_search::{TextSearch, TextSearchResult};
pub use vector::{
    FilterTerm, MapPoint, RecallCheck, RecallResult, SkippedView, VectorHitView, VectorIndexList,
    VectorIndexView, VectorMap, VectorMapRequest, VectorSearch, VectorSearchResult,
};

use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{CommandError, Studio, StudioEvent};

macro_rules! command_table {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident ( $request:ty ) -> $response:ty = $handler:path;
    )*) => {
        /// The names of every command, in table order.
        pub const COMMAND_NAMES: &[&str] = &[$(stringify!($name)),*];

        /// Runs the command `name` with a JSON `payload` (`null` for commands that take no
        /// request) and returns its JSON response.
        pub async fn dispatch(
            studio: &Arc<Studio>,
            name: &str,
            payload: serde_json::Value,
        ) -> Result<serde_json::Value, CommandError> {
            match name {
                $(stringify!($name) => {
                    let request: $request = decode(name, payload)?;
                    let response: $response = $handler(studio, request).await?;
                    encode(&response)
                })*
                _ => Err(CommandError::unknown_command(name)),
            }
        }

        /// The TypeScript declarations of every command's types, the `Commands` map and
        /// the event type, as committed in `ui/src/generated/studio.ts`.
        pub fn typescript_bindings() -> String {
            let mut out = bindings::Bindings::default();
            $(out.command::<$request, $response>(
                stringify!($name),
                &[$($doc),*],
            );)*
            out.extra::<StudioEvent>();
            out.extra::<CommandError>();
            out.finish()
        }
    };
}

command_table! {
    /// What this Atrium is, where it keeps its files, and problems found at start-up.
    app_info(()) -> crate::AppInfo = app::app_info;
    /// The user's settings.
    get_settings(()) -> crate::Settings = app::get_settings;
    /// Changes some settings, saves them, and announces `settings_changed`.
    update_settings(crate::SettingsPatch) -> crate::Settings = app::update_settings;
    /// Which deployment is connected and the state of the connection.
    connection_status(()) -> crate::ConnectionStatus = app::connection_status;
    /// Tries a deployment URL and admin key: what the key may do, or which part is wrong.
    test_connection(ConnectionTest) -> ConnectionTestResult = connections::test_connection;
    /// The saved connections (and the built-in sample project), without their keys.
    list_connections(()) -> ConnectionList = connections::list_connections;
    /// Adds or changes a saved connection; its admin key goes to the key store.
    save_connection(ConnectionDraft) -> ConnectionList = connections::save_connection;
    /// Forgets a saved connection and its admin key.
    remove_connection(ConnectionRef) -> ConnectionList = connections::remove_connection;
    /// Connects to a saved connection (closing open data views).
    connect(ConnectionRef) -> crate::ConnectionStatus = connections::connect;
    /// Disconnects from the current deployment.
    disconnect(()) -> crate::ConnectionStatus = connections::disconnect;
    /// The connected deployment's tables with their document counts.
    data_tables(()) -> Vec<TableSummary> = data::data_tables;
    /// Opens a live view of a table (filtered and sorted) and returns its first rows.
    data_open(crate::data::ViewSpec) -> crate::data::Rows = data::data_open;
    /// Rows of an open view by offset.
    data_rows(RowsRequest) -> crate::data::Rows = data::data_rows;
    /// Closes a view (its subscriptions end).
    data_close(ViewRef) -> () = data::data_close;
    /// Commits edits — in one transaction where the deployment can.
    data_apply(ApplyRequest) -> ApplyResult = data::data_apply;
    /// Deletes every document of a table (needs `confirmed`).
    data_clear_table(TableRequest) -> ClearResult = data::data_clear_table;
    /// Creates an empty table.
    data_create_table(TableRequest) -> () = data::data_create_table;
    /// A document and, where the deployment offers it, its revision history.
    data_document(DocumentRequest) -> DocumentDetail = data::data_document;
    /// Puts a document back as it was at a revision.
    data_restore(RestoreRequest) -> () = data::data_restore;
    /// A table's declared schema and its indexes.
    data_schema(TableRequest) -> TableSchemaInfo = data::data_schema;
    /// A table's documents matching text in one of its search indexes, most relevant first.
    data_search(TextSearch) -> TextSearchResult = text_search::text_search;
    /// The connected deployment's log entries followed so far (newer ones arrive as
    /// `log_entries` events).
    logs_recent(()) -> Vec<crate::logs::LogEntry> = live::logs_recent;
    /// Searches the deployment's whole log archive (newest first, by pages).
    search_logs(LogSearch) -> LogSearchResult = live::search_logs;
    /// Saves exported text (filtered logs) to the Downloads folder; returns its path.
    save_export(SaveText) -> SavedFile = live::save_export;
    /// Every live subscription on the deployment and the write that last re-ran each.
    inspect_subscriptions(()) -> SubscriptionReport = live::inspect_subscriptions;
    /// The deployment's component instances (the app's root not among them), each with
    /// the npm package and version it came from when known.
    component_list(()) -> Vec<ComponentSummary> = components::component_list;
    /// The deployment's (or one component instance's) functions with their validators, and
    /// its HTTP routes.
    function_list(FunctionListRequest) -> FunctionList = functions::function_list;
    /// Sends a request to one of the deployment's HTTP action routes: status, headers, body.
    http_action_request(HttpActionRequest) -> HttpActionResult = http_actions::http_action_request;
    /// Runs a function as admin or acting as a user: its result, logs, duration, error.
    run_function(RunRequest) -> RunResult = functions::run_function;
    /// Runs a mutation and rolls it back: its result and the writes it would make.
    dry_run_function(RunRequest) -> DryRunResult = functions::dry_run_function;
    /// A function module's source, where the deployment serves it.
    function_source(SourceRequest) -> ModuleSource = functions::function_source;
    /// A running local project's auth providers (from its `auth.config.ts`).
    project_auth_providers(ProjectRef) -> AuthProviderList = projects::project_auth_providers;
    /// The connected deployment's auth providers (from its `auth.config.ts`).
    auth_providers(()) -> AuthProviderList = auth::auth_providers;
    /// The connected deployment's environment variables, by name (the CLI's `env list`).
    deployment_env(()) -> Vec<EnvVar> = deployment_env::deployment_env;
    /// Sets or removes one of the connected deployment's environment variables (needs
    /// `confirmed` where the connection asks before writes); the variables after it.
    deployment_env_set(DeploymentEnvSet) -> Vec<EnvVar> = deployment_env::deployment_env_set;
    /// Asks the connected deployment for a snapshot ZIP (the CLI's export routes) and saves
    /// it to the export folder, announcing `snapshot_progress`.
    deployment_export(DeploymentExport) -> SnapshotDone = deployment_snapshot::deployment_export;
    /// Uploads a snapshot ZIP to the connected deployment and imports it (the CLI's import
    /// routes): completed, or waiting for confirmation with the deployment's summary.
    deployment_import(DeploymentImport) -> ImportOutcome = deployment_snapshot::deployment_import;
    /// Confirms an import that waits for confirmation; answers once it completed.
    deployment_import_confirm(ImportConfirm) -> ImportOutcome = deployment_snapshot::deployment_import_confirm;
    /// A pasted JWT checked by the deployment: the identity and claims, or why it is refused.
    verify_user_token(TokenRequest) -> TokenCheck = auth::verify_user_token;
    /// Keeps a query live; each result arrives as `query_watch_update`.
    watch_query(WatchRequest) -> WatchRef = functions::watch_query;
    /// Stops keeping a query live.
    unwatch_query(WatchRef) -> () = functions::unwatch_query;
    /// Calls, errors and p50/p95/p99 execution time per function over a window, from the
    /// log archive, with the series of one function (or all) for charts.
    function_metrics(MetricsRequest) -> MetricsResult = metrics::function_metrics;
    /// Scheduled functions (filtered by function and state) and cron jobs with their runs.
    schedules_list(SchedulesRequest) -> SchedulesView = schedules::schedules_list;
    /// The Health overview: failure rate and p99 over time, top failing and slowest
    /// functions, scheduler lag, live subscriptions, table sizes.
    health_overview(HealthRequest) -> HealthView = health::health_overview;
    /// A page of the deployment's events (History), newest first.
    history_events(HistoryRequest) -> HistoryPage = history::history_events;
    /// Cancels a pending or in-progress scheduled function.
    schedules_cancel(JobRef) -> () = schedules::schedules_cancel;
    /// Cancels every pending or in-progress scheduled function of a function (or all).
    schedules_cancel_all(CancelAllRequest) -> () = schedules::schedules_cancel_all;
    /// Makes a pending scheduled function due now (Atrium's engine).
    schedules_run_now(JobRef) -> () = schedules::schedules_run_now;
    /// Runs a cron job's next run now (Atrium's engine); it joins the cron's history.
    crons_run_now(CronRef) -> () = schedules::crons_run_now;
    /// A page of stored files, newest first, with the deployment's file count.
    files_list(FilesRequest) -> FilePageView = files::files_list;
    /// How many files the deployment stores.
    files_count(()) -> f64 = files::files_count;
    /// Deletes files, all or none.
    files_delete(FilesDelete) -> () = files::files_delete;
    /// A fresh single-use upload URL (the UI posts each file to one, showing progress).
    files_upload_url(FilesConfirm) -> String = files::files_upload_url;
    /// Uploads a file given as base64 bytes or a path on this machine; its storage ID.
    files_upload(FileUpload) -> FileUploaded = files::files_upload;
    /// The documents that hold a file's ID (Atrium's engine; `offered: false` elsewhere).
    files_references(FileRef) -> FileReferencesView = files::files_references;
    /// The tables loaded for SQL, with their columns and notes.
    sql_tables(()) -> Vec<crate::sql::LoadedTableInfo> = sql::sql_tables;
    /// Loads (or reloads) a table for SQL, announcing `sql_load_progress`.
    sql_load(SqlTableRequest) -> crate::sql::LoadedTableInfo = sql::sql_load;
    /// Runs SQL over the deployment's tables (loading those it names): a kept result or an
    /// error with its position.
    sql_run(SqlRequest) -> SqlOutcome = sql::sql_run;
    /// Rows of a kept SQL result, as JSON objects.
    sql_rows(SqlRowsRequest) -> SqlRows = sql::sql_rows;
    /// Writes a result or a whole table to CSV, JSONL or Parquet in the export folder,
    /// announcing `export_progress`.
    sql_export(ExportRequest) -> ExportDone = sql::sql_export;
    /// Writes an open Data view as it stands (filters, sort, index range) to CSV, JSONL or
    /// Parquet, announcing `export_progress`.
    data_export(ViewExportRequest) -> ExportDone = sql::data_export;
    /// Runs a query written like a Convex function (`async (ctx) => …`) read-only: its
    /// value, logs and cost (documents and bytes read, indexes, rows returned).
    run_js_query(JsQueryRequest) -> JsQueryResult = js_query::run_js_query;
    /// Keeps such a query live; each answer arrives as `query_watch_update`.
    watch_js_query(JsQueryRequest) -> WatchRef = js_query::watch_js_query;
    /// The local projects with their state, URL and data size.
    project_list(()) -> Vec<crate::projects::ProjectInfo> = projects::project_list;
    /// Creates a project from a template in a new folder.
    project_create(ProjectCreate) -> Vec<crate::projects::ProjectInfo> = projects::project_create;
    /// Adds an existing Convex project folder (checked: convex/, node_modules/convex).
    project_open(ProjectOpen) -> Vec<crate::projects::ProjectInfo> = projects::project_open;
    /// Starts a project on its own engine and ports.
    project_start(ProjectRef) -> Vec<crate::projects::ProjectInfo> = projects::project_start;
    /// Stops a project's engine.
    project_stop(ProjectRef) -> Vec<crate::projects::ProjectInfo> = projects::project_stop;
    /// Removes a project from the list (its folder and data stay).
    project_remove(ProjectRef) -> Vec<crate::projects::ProjectInfo> = projects::project_remove;
    /// Starts a project if needed and connects to it.
    project_connect(ProjectRef) -> crate::ConnectionStatus = projects::project_connect;
    /// Writes the official CLI's two variables into the running project's `.env.local`.
    project_write_env(ProjectRef) -> CliEnvWritten = projects::project_write_env;
    /// Deletes a project's data (needs `confirmed`) and starts it again.
    project_reset(ProjectConfirm) -> Vec<crate::projects::ProjectInfo> = projects::project_reset;
    /// Writes a running project's data as a snapshot ZIP to the export folder.
    project_export(ProjectRef) -> SnapshotDone = projects::project_export;
    /// Imports a snapshot ZIP into a running project, all or nothing.
    project_import(ProjectImport) -> SnapshotDone = projects::project_import;
    /// A running project's environment variables.
    project_env(ProjectRef) -> Vec<EnvVar> = projects::project_env;
    /// Sets or removes one of a running project's environment variables.
    project_env_set(ProjectEnvSet) -> Vec<EnvVar> = projects::project_env_set;
    /// What pushing a running project would change on another saved deployment.
    promote_preview(PromotePreviewRequest) -> PromotePreview = promote::promote_preview;
    /// Pushes a running project's code (and, if asked, its data) to another saved
    /// deployment through the CLI's routes; progress as `promote_progress`.
    promote(PromoteRequest) -> PromoteDone = promote::promote;
    /// Chooses the port a project is served on (null: free ports); restarts it if running.
    project_set_port(ProjectPort) -> Vec<crate::projects::ProjectInfo> = projects::project_set_port;
    /// The deployment's vector indexes with their state (counts, memory, graph), or their
    /// definitions from the schema where the deployment cannot be searched from here.
    vector_indexes(()) -> VectorIndexList = vector::vector_indexes;
    /// Searches a vector index by a vector or a document's vector, with filter terms; the
    /// hits come with their documents.
    vector_search(VectorSearch) -> VectorSearchResult = vector::vector_search;
    /// Recall@k of the approximate index against an exact scan over sample queries.
    vector_recall(RecallCheck) -> RecallResult = vector::vector_recall;
    /// A sample of an index's vectors projected to 2D (PCA), grouped by a filter field.
    vector_map(VectorMapRequest) -> VectorMap = vector::vector_map;
}

fn decode<T: DeserializeOwned>(
    command: &str,
    payload: serde_json::Value,
) -> Result<T, CommandError> {
    serde_json::from_value(payload).map_err(|e| CommandError::bad_request(command, e))
}

fn encode<T: Serialize>(response: &T) -> Result<serde_json::Value, CommandError> {
    serde_json::to_value(response).map_err(CommandError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorCode, HostKind, StudioConfig};
    use serde_json::json;

    fn studio(dir: &std::path::Path) -> Arc<Studio> {
        Arc::new(Studio::new(StudioConfig {
            host: HostKind::Browser,
            config_dir: dir.to_path_buf(),
            data_dir: dir.join("data"),
            key_store: Some(crate::KeyStoreKind::PrivateFile),
            export_dir: dir.join("exports"),
        }))
    }

    #[tokio::test]
    async fn dispatch_runs_a_command() {
        let dir = tempfile::tempdir().unwrap();
        let info = dispatch(&studio(dir.path()), "app_info", json!(null)).await.unwrap();
        assert_eq!(info["host"], "browser");
        assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    }

    #[tokio::test]
    async fn unknown_command_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = dispatch(&studio(dir.path()), "drop_everything", json!(null)).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::UnknownCommand);
        assert!(err.message.contains("drop_everything"), "{}", err.message);
    }

    #[tokio::test]
    async fn bad_payload_is_a_bad_request_naming_the_command() {
        let dir = tempfile::tempdir().unwrap();
        let studio = studio(dir.path());
        let err =
            dispatch(&studio, "update_settings", json!({"theme": "purple"})).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::BadRequest);
        assert!(err.message.contains("update_settings"), "{}", err.message);
        let err =
            dispatch(&studio, "update_settings", json!({"colour": "dark"})).await.unwrap_err();
        assert!(err.message.contains("colour"), "{}", err.message);
        // Nothing was saved by the failed calls.
        assert!(!dir.path().join("settings.json").exists());
    }

    #[tokio::test]
    async fn update_settings_saves_and_announces() {
        let dir = tempfile::tempdir().unwrap();
        let studio = studio(dir.path());
        let mut events = studio.subscribe();
        let settings =
            dispatch(&studio, "update_settings", json!({"theme": "dark"})).await.unwrap();
        assert_eq!(settings, json!({"theme": "dark"}));
        match events.try_recv().unwrap() {
            StudioEvent::SettingsChanged { settings } => {
                assert_eq!(settings.theme, crate::ThemePreference::Dark)
            }
            other => panic!("unexpected event {other:?}"),
        }
        // A new studio on the same folder reads the saved value.
        let again = dispatch(&self::studio(dir.path()), "get_settings", json!(null)).await.unwrap();
        assert_eq!(again, json!({"theme": "dark"}));
    }

    #[test]
    fn every_command_is_in_the_bindings() {
        let ts = typescript_bindings();
        for name in COMMAND_NAMES {
            assert!(ts.contains(&format!("  {name}: {{")), "{name} missing from the bindings");
        }
    }
}
