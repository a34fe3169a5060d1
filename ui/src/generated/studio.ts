// Generated from crates/studio/src/commands by `make generate`. Do not edit by hand:
// a test fails when this file differs from what the Rust command table produces.

/**
 * About this Atrium and where it keeps its files.
 */
export type AppInfo = { version: string, host: HostKind, config_dir: string, 
/**
 * Problems found at start-up that the user should know about.
 */
warnings: Array<string>, 
/**
 * Where admin keys are kept.
 */
key_store: KeyStoreKind, };

/**
 * Edits to commit together.
 */
export type ApplyRequest = { writes: Array<WriteRequest>, 
/**
 * The user confirmed (needed when the connection's safe mode asks for it).
 */
confirmed: boolean, };

export type ApplyResult = { 
/**
 * IDs of inserted documents, in order.
 */
inserted: Array<string>, 
/**
 * Whether the writes were committed in one transaction (false on a deployment that
 * lacks Atrium's `applyWrites`: applied one by one).
 */
atomic: boolean, };

/**
 * The deployment's auth providers, as `auth.config.ts` declares them.
 */
export type AuthProviderList = { 
/**
 * False where the deployment does not list them (a Convex deployment).
 */
available: boolean, 
/**
 * `{domain, applicationID}` or `{type: "customJwt", issuer, jwks, algorithm,
 * applicationID}`.
 */
providers: Array<Record<string, unknown>>, };

/**
 * Cancels every pending or in-progress job of a function (or of all).
 */
export type CancelAllRequest = { 
/**
 * The component instance (its path: `shardedCounter`, `pool/worker`); absent or `""`
 * for the app's. Each instance has its own scheduled functions and crons.
 */
component: string | null, function: string | null, confirmed: boolean, };

/**
 * Added, removed and changed names.
 */
export type Changes = { added: Array<string>, removed: Array<string>, changed: Array<string>, };

/**
 * One condition on one field.
 */
export type Clause = { 
/**
 * A field path; nested fields with dots (`address.city`).
 */
field: string, op: FilterOp, 
/**
 * The operand, as Convex-encoded JSON.
 */
value: unknown, 
/**
 * Disabled clauses are kept in the filter but ignored.
 */
enabled: boolean, };

export type ClearResult = { deleted: number, };

/**
 * The `.env.local` written for the official CLI.
 */
export type CliEnvWritten = { path: string, 
/**
 * What was set, the key's value left out.
 */
url: string, };

/**
 * One component instance's part of a push.
 */
export type CodeChangeView = { 
/**
 * The instance's path; `None` for the app.
 */
component: string | null, 
/**
 * `create`, `modify`, `unmount` or `remount`.
 */
kind: string, 
/**
 * Whether the deployment reports functions (Atrium's engine does; Convex reports
 * modules only).
 */
has_functions: boolean, functions_added: Array<string>, functions_removed: Array<string>, functions_changed: Array<string>, modules_added: Array<string>, modules_removed: Array<string>, 
/**
 * `table.index (field, field)`.
 */
indexes_added: Array<string>, indexes_removed: Array<string>, 
/**
 * Whether the schema changed; its JSON text before and after (when the deployment
 * keeps it).
 */
schema_changed: boolean, schema_before: string | null, schema_after: string | null, };

/**
 * How the clauses combine.
 */
export type Combinator = "and" | "or";

/**
 * A failed command: `code` for programs, `message` for people.
 */
export type CommandError = { code: ErrorCode, message: string, };

/**
 * One installed component instance.
 */
export type ComponentSummary = { 
/**
 * Its path from the app (`shardedCounter`, `aggregate/batchWorker`), as calls name it.
 */
path: string, 
/**
 * The definition's own name (`defineComponent("shardedCounter")`).
 */
definition_name: string | null, 
/**
 * Where the definition is (`…/node_modules/@convex-dev/x/dist/component`).
 */
definition: string | null, 
/**
 * The npm package it was installed from (`@convex-dev/workpool`), when known.
 */
package: string | null, 
/**
 * That package's version (`0.4.16`).
 */
version: string | null, 
/**
 * Where its HTTP routes are served on the deployment's site (`/ticker/`), when the
 * deployment says (`components:list`'s `httpPrefix`) and it is mounted.
 */
http_prefix: string | null, };

/**
 * A connection to add (no `id`) or change.
 */
export type ConnectionDraft = { id: string | null, name: string, url: string, colour: string, safe_mode: SafeMode, 
/**
 * A new admin key; blank or missing keeps the stored one.
 */
admin_key: string | null, };

/**
 * A connection as the UI sees it: everything but the key.
 */
export type ConnectionInfo = { id: string, name: string, url: string, colour: string, safe_mode: SafeMode, has_admin_key: boolean, 
/**
 * The sample project on the built-in engine (cannot be edited or removed).
 */
built_in: boolean, };

/**
 * The saved connections, which one is connected, and where keys are kept.
 */
export type ConnectionList = { connections: Array<ConnectionInfo>, active: string | null, key_store: KeyStoreKind, };

export type ConnectionRef = { id: string, };

/**
 * The state of the connection to the deployment.
 */
export type ConnectionState = { "state": "not_connected" } | { "state": "connecting" } | { "state": "connected" } | { "state": "reconnecting", attempt: number, reason: string, connected_before: boolean, } | { "state": "refused", reason: string, };

/**
 * Which deployment is connected, and how the connection is.
 */
export type ConnectionStatus = { deployment: DeploymentSummary | null, state: ConnectionState, };

/**
 * A deployment to try: its URL and, to act as its admin, its admin key.
 */
export type ConnectionTest = { url: string, 
/**
 * Typed by the user into the connection form; never sent back to the UI.
 */
admin_key: string | null, 
/**
 * A saved connection whose stored key to use when `admin_key` is blank.
 */
id: string | null, };

/**
 * What the admin key may do on the deployment.
 */
export type ConnectionTestResult = { url: string, allowed_ops: Array<string>, read_only: boolean, };

/**
 * A cron job of the project (from `crons.ts`).
 */
export type CronJob = { name: string, 
/**
 * `module:function` it runs.
 */
function: string, 
/**
 * When, in words ("daily at 03:00 UTC").
 */
schedule: string, args: unknown, };

/**
 * One cron job.
 */
export type CronJobView = { name: string, function: string, args: string, schedule: CronScheduleView, next_run_ms: number | null, running: boolean, 
/**
 * Newest first.
 */
runs: Array<CronRunView>, };

/**
 * A cron to run now.
 */
export type CronRef = { name: string, 
/**
 * The component instance (its path: `shardedCounter`, `pool/worker`); absent or `""`
 * for the app's. Each instance has its own scheduled functions and crons.
 */
component: string | null, confirmed: boolean, };

/**
 * One recorded run of a cron.
 */
export type CronRunView = { 
/**
 * The slot it ran for, ms since the epoch.
 */
ts_ms: number, 
/**
 * `success`, `err` or `canceled` (skipped slots).
 */
status: string, error: string | null, 
/**
 * For `canceled`: how many slots were skipped.
 */
skipped: number | null, seconds: number, log_lines: Array<string>, };

/**
 * A cron's schedule as declared: `kind` is `interval`, `hourly`, `daily`, `weekly`,
 * `monthly` or `cron`.
 */
export type CronScheduleView = { kind: string, seconds: number | null, minute_utc: number | null, hour_utc: number | null, 
/**
 * 0 = Sunday.
 */
day_of_week: number | null, day: number | null, cron: string | null, };

/**
 * Sets (`value`) or removes (`value: null`) one environment variable.
 */
export type DeploymentEnvSet = { name: string, value: string | null, 
/**
 * Given after the user confirmed (connections that ask before writes).
 */
confirmed: boolean, };

export type DeploymentExport = { 
/**
 * Include stored files (`_storage`), as `npx convex export --include-file-storage`.
 */
include_storage: boolean, };

export type DeploymentImport = { 
/**
 * A snapshot ZIP on this machine (from Atrium or `npx convex export`).
 */
path: string, 
/**
 * `requireEmpty` (the default: refuse if a table has data), `append`, `replace` or
 * `replaceAll`.
 */
mode: string | null, 
/**
 * Given after the user confirmed (connections that ask before writes).
 */
confirmed: boolean, };

/**
 * A deployment the dashboard can connect to.
 */
export type DeploymentKind = "local" | "remote";

/**
 * The connected deployment, as the header shows it.
 */
export type DeploymentSummary = { 
/**
 * The saved connection's ID.
 */
id: string, name: string, url: string, kind: DeploymentKind, colour: string, safe_mode: SafeMode, };

export type DocumentDetail = { 
/**
 * The document now (null if it does not exist).
 */
document: unknown, 
/**
 * Its revisions, newest first; `null` when the deployment does not offer history.
 */
history: Array<RevisionInfo> | null, };

export type DocumentRequest = { id: string, };

/**
 * What a mutation would do, run and rolled back.
 */
export type DryRunResult = { 
/**
 * False on a deployment that cannot dry-run (a Convex deployment).
 */
available: boolean, run: RunResult | null, writes: Array<DryRunWrite>, };

/**
 * One document a dry-run mutation would change (Convex-encoded JSON; null: not there).
 */
export type DryRunWrite = { table: string, id: string, before: unknown, after: unknown, };

export type EnvVar = { name: string, value: string, };

/**
 * Why a command failed, as a stable code the UI can branch on.
 */
export type ErrorCode = "unknown_command" | "bad_request" | "not_found" | "io" | "internal" | "bad_url" | "unreachable" | "bad_admin_key" | "not_a_deployment" | "function_failed" | "not_connected" | "read_only" | "needs_confirmation" | "too_large";

/**
 * An export written.
 */
export type ExportDone = { path: string, rows: number, bytes: number, };

export type ExportFormat = "csv" | "jsonl" | "parquet";

/**
 * Export progress, announced as `export_progress`.
 */
export type ExportProgress = { path: string, written: number, total: number, };

/**
 * What to export: a kept result, or a whole table (loaded first when it is not).
 */
export type ExportRequest = { result: number | null, table: string | null, format: ExportFormat, };

/**
 * A page of files, newest first.
 */
export type FilePageView = { files: Array<FileView>, 
/**
 * The cursor of the next page; `None` when this page is the last.
 */
next_cursor: string | null, 
/**
 * How many files the deployment stores.
 */
total: number, };

/**
 * A file by its storage ID.
 */
export type FileRef = { id: string, 
/**
 * The component instance (its path); absent or `""` for the app's. Each instance
 * stores its own files.
 */
component: string | null, };

/**
 * One document that holds a file's ID.
 */
export type FileReferenceView = { table: string, 
/**
 * The document's `_id`.
 */
id: string, 
/**
 * Where the ID sits in it (`avatar`, `photos[2]`).
 */
fields: Array<string>, 
/**
 * Whether one of those fields is declared `v.id("_storage")`.
 */
declared: boolean, };

/**
 * The documents that refer to a file.
 */
export type FileReferencesView = { 
/**
 * False when the deployment cannot search for them (a Convex deployment).
 */
offered: boolean, references: Array<FileReferenceView>, 
/**
 * How many documents were searched.
 */
searched: number, 
/**
 * False when the search stopped before the end (too many documents or references).
 */
complete: boolean, };

/**
 * A file to upload: its bytes as base64 (`base64`) or a path on this machine (`path`),
 * exactly one of them.
 */
export type FileUpload = { 
/**
 * The component instance (its path); absent or `""` for the app's. Each instance
 * stores its own files.
 */
component: string | null, base64: string | null, path: string | null, 
/**
 * The content type to store; none when absent.
 */
content_type: string | null, confirmed: boolean, };

/**
 * An uploaded file's storage ID.
 */
export type FileUploaded = { id: string, };

/**
 * One stored file.
 */
export type FileView = { 
/**
 * The storage ID.
 */
id: string, 
/**
 * ms since the epoch.
 */
creation_ms: number, size: number, content_type: string | null, sha256: string, 
/**
 * Where the deployment serves the file.
 */
url: string, };

/**
 * A write that needs only the safe-mode confirmation.
 */
export type FilesConfirm = { 
/**
 * The component instance (its path); absent or `""` for the app's. Each instance
 * stores its own files.
 */
component: string | null, confirmed: boolean, };

/**
 * Files to delete (all or none).
 */
export type FilesDelete = { ids: Array<string>, 
/**
 * The component instance (its path); absent or `""` for the app's. Each instance
 * stores its own files.
 */
component: string | null, confirmed: boolean, };

/**
 * Which page of files to list (newest first).
 */
export type FilesRequest = { 
/**
 * The component instance (its path); absent or `""` for the app's. Each instance
 * stores its own files.
 */
component: string | null, 
/**
 * The cursor a previous page answered; the first page when absent.
 */
cursor: string | null, 
/**
 * How many files (at most 500; 100 when absent).
 */
limit: number | null, };

export type Filter = { combinator: Combinator, clauses: Array<Clause>, };

export type FilterOp = "eq" | "neq" | "lt" | "lte" | "gt" | "gte" | "any_of" | "none_of" | "type" | "contains" | "regex";

/**
 * One filter term; terms are OR'd (Convex's `q.or(q.eq(field, value), …)`).
 */
export type FilterTerm = { field: string, 
/**
 * Convex-encoded JSON.
 */
value: unknown, };

/**
 * One function in a top list.
 */
export type FunctionHealth = { function: string, udf_type: string, calls: number, errors: number, 
/**
 * Errors per call, 0..1.
 */
failure_rate: number, p99_ms: number, };

/**
 * A function of the deployment.
 */
export type FunctionInfo = { 
/**
 * `module:function`.
 */
path: string, 
/**
 * query, mutation or action.
 */
kind: string, 
/**
 * public or internal.
 */
visibility: string, 
/**
 * The arguments validator (Convex's validator JSON), when it declares one.
 */
args: unknown, returns: unknown, };

export type FunctionList = { functions: Array<FunctionInfo>, routes: Array<HttpRoute>, 
/**
 * Empty where the deployment does not list them (a Convex deployment, through this).
 */
crons: Array<CronJob>, 
/**
 * Empty where the deployment does not list them (a Convex deployment refuses code
 * with a failing module; a component's are not listed).
 */
module_errors: Array<ModuleError>, };

/**
 * Whose functions to list.
 */
export type FunctionListRequest = { 
/**
 * A component instance's path (`shardedCounter`, `aggregate/batchWorker`); absent or
 * `""` for the app's.
 */
component: string | null, };

/**
 * One function's figures over the window.
 */
export type FunctionMetrics = { function: string, 
/**
 * Query, Mutation, Action or HttpAction.
 */
udf_type: string, calls: number, errors: number, p50_ms: number, p95_ms: number, p99_ms: number, };

/**
 * Which window to look at.
 */
export type HealthRequest = { window: MetricsWindow, };

/**
 * Figures over time (one entry per bucket).
 */
export type HealthSeries = { starts_ms: Array<number>, 
/**
 * Errors per call, 0..1; `None` for a bucket without calls.
 */
failure_rate: Array<number | null>, p99_ms: Array<number | null>, };

/**
 * The Health overview.
 */
export type HealthView = { 
/**
 * Where the executions came from: "deployment" or "recorded" (see `function_metrics`).
 */
metrics_source: string, bucket_seconds: number, executions: number, errors: number, series: HealthSeries, 
/**
 * Most errors first (functions with errors only).
 */
top_failing: Array<FunctionHealth>, 
/**
 * Highest p99 first.
 */
slowest: Array<FunctionHealth>, 
/**
 * `None` when the deployment's scheduled jobs could not be read.
 */
scheduler: SchedulerHealth | null, 
/**
 * `None` when the deployment has no subscription inspector (a Convex deployment).
 */
subscriptions: SubscriptionHealth | null, 
/**
 * Largest first.
 */
tables: Array<TableSummary>, 
/**
 * `None` when the deployment does not list stored files.
 */
files: number | null, };

/**
 * One deployment event.
 */
export type HistoryEvent = { id: string, 
/**
 * Milliseconds since the epoch.
 */
time_ms: number, 
/**
 * Convex's action name (`push_config_with_components`, `create_environment_variable`,
 * `snapshot_import`, `clear_tables`, …).
 */
action: string, 
/**
 * The team member who did it; `None` when the deployment did (the local engine, the
 * CLI with an admin key).
 */
member_id: string | null, 
/**
 * What the deployment said about it (where pushed code came from).
 */
message: string | null, code: Array<CodeChangeView>, 
/**
 * An environment variable's name (never its value).
 */
variable: string | null, 
/**
 * Tables an import wrote into or a clear emptied.
 */
tables: Array<string>, 
/**
 * Tables an import emptied (replace modes).
 */
tables_deleted: Array<string>, 
/**
 * An import's mode (`RequireEmpty`, `Append`, `Replace`, `ReplaceAll`).
 */
import_mode: string | null, 
/**
 * Who asked for an import: `snapshotImport` (the CLI), `snapshotRestore` (a snapshot
 * restored from the dashboard), `cloudRestore` (a Convex backup).
 */
requestor: string | null, 
/**
 * The metadata as JSON text, for actions not described above.
 */
details: string, };

/**
 * A page of events, newest first.
 */
export type HistoryPage = { 
/**
 * Whether the deployment keeps deployment events at all.
 */
available: boolean, events: Array<HistoryEvent>, 
/**
 * Where the next page starts; `None` when this is the last.
 */
next_cursor: string | null, };

/**
 * Which page of events to read.
 */
export type HistoryRequest = { 
/**
 * Where the previous page ended; the newest events when absent.
 */
cursor: string | null, 
/**
 * Only these actions (Convex's names: `push_config_with_components`, …); all when
 * absent.
 */
actions: Array<string> | null, };

/**
 * Which host the studio runs in.
 */
export type HostKind = "desktop" | "browser";

/**
 * A request to one of the deployment's HTTP routes.
 */
export type HttpActionRequest = { 
/**
 * GET, POST, …
 */
method: string, 
/**
 * From the router's root, starting with `/` (a query string may follow).
 */
path: string, 
/**
 * Header name and value pairs, in order.
 */
headers: Array<[string, string]>, 
/**
 * Sent as is; `None` sends no body.
 */
body: string | null, };

/**
 * What the route answered.
 */
export type HttpActionResult = { 
/**
 * The URL the request went to.
 */
url: string, status: number, headers: Array<[string, string]>, body: string, duration_ms: number, };

/**
 * An HTTP route of the deployment's router.
 */
export type HttpRoute = { method: string, 
/**
 * The path on the deployment's site (a mounted component's under its prefix).
 */
path: string, };

export type ImportConfirm = { import_id: string, confirmed: boolean, };

/**
 * Where an import stands once it settled.
 */
export type ImportOutcome = { import_id: string, 
/**
 * `waiting_for_confirmation` (confirm with `deployment_import_confirm`) or `completed`.
 */
state: string, 
/**
 * The deployment's summary of what the import changes, to show before confirming.
 */
message_to_confirm: string | null, 
/**
 * Documents written (a completed import).
 */
documents: number | null, };

/**
 * A range of an index: equalities on a prefix of its fields, then bounds on the next.
 */
export type IndexRange = { name: string, clauses: Array<RangeClause>, descending: boolean, };

/**
 * An index of a table.
 */
export type IndexSummary = { name: string, 
/**
 * An ordered index's fields (empty for a search index).
 */
fields: Array<string>, 
/**
 * A search index's `searchField` (null for an ordered index).
 */
search_field: string | null, 
/**
 * A search index's `filterFields`.
 */
filter_fields: Array<string>, 
/**
 * "done" or "backfilling".
 */
backfill: string, };

/**
 * A job to cancel or run now.
 */
export type JobRef = { id: string, 
/**
 * The component instance (its path: `shardedCounter`, `pool/worker`); absent or `""`
 * for the app's. Each instance has its own scheduled functions and crons.
 */
component: string | null, confirmed: boolean, };

/**
 * A query's text.
 */
export type JsQueryRequest = { source: string, };

/**
 * The deployment's answer: `{value | error, errorData, logLines, cost}` in Convex JSON
 * (the same shape each live update carries).
 */
export type JsQueryResult = { 
/**
 * False when the deployment cannot run ad-hoc queries (a Convex deployment).
 */
available: boolean, answer: unknown, };

/**
 * Which store holds the admin keys.
 */
export type KeyStoreKind = "keychain" | "private_file";

/**
 * A full-text search a live query ran: its index, its terms (the last one also matches
 * as a prefix) and its `.eq` filters.
 */
export type LiveSearchRead = { index: string, terms: Array<string>, prefix: string | null, 
/**
 * `(field, value)`; values as Convex JSON text, or `undefined`.
 */
filters: Array<[string, string]>, };

/**
 * One live query of one client session.
 */
export type LiveSubscription = { session_id: string, query_id: number, function: string, 
/**
 * The component instance the query is in (its path); `None` for the app's.
 */
component: string | null, args: unknown, identity: string, read_set: Array<ReadRange>, search_reads: Array<LiveSearchRead>, result_bytes: number, runs: number, last_cause: SubscriptionCause | null, };

/**
 * Loading progress, announced as `sql_load_progress`.
 */
export type LoadProgress = { table: string, loaded: number, total: number, };

/**
 * A loaded table as the UI lists it.
 */
export type LoadedTableInfo = { name: string, documents: number, columns: Array<string>, notes: Array<string>, loaded_at: number, load_ms: number, };

/**
 * One function execution (or an action's progress) from the log stream.
 */
export type LogEntry = { id: string, 
/**
 * "completion", or "progress" for lines an action logged while running.
 */
kind: string, 
/**
 * `module:function`.
 */
function: string, 
/**
 * The component instance the function ran in (its path); `None` for the app's.
 */
component: string | null, 
/**
 * Query, Mutation, Action or HttpAction.
 */
udf_type: string, 
/**
 * Milliseconds since the epoch.
 */
timestamp: number, 
/**
 * The error message of a failed execution.
 */
error: string | null, execution_ms: number | null, 
/**
 * A query answered with the result of an earlier run (Convex's `cachedResult`).
 */
cached: boolean, request_id: string | null, 
/**
 * HttpApi, Scheduler, Action (called by another execution), …
 */
caller: string | null, 
/**
 * The execution of the action that called this one.
 */
parent_id: string | null, documents_read: number | null, documents_written: number | null, lines: Array<LogLine>, };

/**
 * One line a function logged.
 */
export type LogLine = { 
/**
 * LOG, DEBUG, INFO, WARN or ERROR.
 */
level: string, text: string, 
/**
 * Milliseconds since the epoch.
 */
timestamp: number, };

/**
 * A search of the deployment's log archive.
 */
export type LogSearch = { 
/**
 * Text the entry holds (any case); empty for any.
 */
text: string, 
/**
 * Exactly this function (`module:function`); empty for any.
 */
function: string, 
/**
 * "success" or "failure"; empty for any.
 */
status: string, 
/**
 * Executions that logged a line at this level (LOG, INFO, WARN, ERROR, DEBUG); empty
 * for any.
 */
level: string, 
/**
 * Entries older than this archive position (the `next` of a previous page).
 */
before: number | null, };

/**
 * A page of the archive, newest first.
 */
export type LogSearchResult = { 
/**
 * Which archive answered: "deployment" (its own log store, Atrium's engine) or
 * "recorded" (what the studio recorded while connected).
 */
source: string, entries: Array<LogEntry>, 
/**
 * Where the next (older) page starts; null at the end.
 */
next: number | null, };

export type MapPoint = { id: string, x: number, y: number, 
/**
 * The colouring field's value as text (null when the document lacks it).
 */
group: string | null, };

/**
 * Metrics of every function over a window, and the chart series of one (or of all).
 */
export type MetricsReport = { 
/**
 * The window's start, in milliseconds since the epoch.
 */
since_ms: number, bucket_seconds: number, 
/**
 * Executions in the window (all functions).
 */
executions: number, 
/**
 * Busiest first.
 */
functions: Array<FunctionMetrics>, 
/**
 * Over time, for the chosen function (all functions when none was chosen).
 */
series: MetricsSeries, };

/**
 * Which metrics to compute.
 */
export type MetricsRequest = { window: MetricsWindow, 
/**
 * The function whose series to chart (`module:function`); all functions when absent.
 */
function: string | null, };

/**
 * The metrics and where their executions came from.
 */
export type MetricsResult = { 
/**
 * "deployment" (its own log archive) or "recorded" (what the studio recorded while
 * connected: a Convex deployment keeps no archive to read).
 */
source: string, report: MetricsReport, };

/**
 * Figures per time bucket, for charts; a bucket without calls has no percentiles.
 */
export type MetricsSeries = { 
/**
 * Each bucket's start, in milliseconds since the epoch.
 */
starts_ms: Array<number>, calls: Array<number>, errors: Array<number>, p50_ms: Array<number | null>, p95_ms: Array<number | null>, p99_ms: Array<number | null>, };

/**
 * How far back metrics look, and how wide their chart buckets are.
 */
export type MetricsWindow = "15m" | "1h" | "24h" | "7d";

/**
 * A module of the deployment that fails to load while the others serve (a local project
 * folder being worked on): its functions alone are unavailable.
 */
export type ModuleError = { 
/**
 * The module's path without extension (`messages`, `folder/file`).
 */
module: string, 
/**
 * What went wrong (`Uncaught Error: boom`).
 */
message: string, };

/**
 * A module's source, when the deployment serves it.
 */
export type ModuleSource = { available: boolean, path: string, source: string, };

/**
 * A project and a confirmation, for what cannot be undone.
 */
export type ProjectConfirm = { id: string, confirmed: boolean, };

export type ProjectCreate = { name: string, template: Template, 
/**
 * The new project's folder (must not exist or be empty); empty for
 * `~/AtriumProjects/<name>`.
 */
dir: string, };

/**
 * An environment variable of a project (`value` null removes it).
 */
export type ProjectEnvSet = { id: string, name: string, value: string | null, };

export type ProjectImport = { id: string, 
/**
 * A snapshot ZIP (from Atrium or `npx convex export`).
 */
path: string, 
/**
 * `requireEmpty` (the default: refuse if there is data), `append` or `replaceAll`.
 */
mode: string | null, };

/**
 * A project as the UI lists it (no admin key).
 */
export type ProjectInfo = { id: string, name: string, dir: string, state: ProjectState, 
/**
 * The deployment URL while running (what `CONVEX_SELF_HOSTED_URL` is set to).
 */
url: string | null, 
/**
 * The chosen port; null for free ones.
 */
port: number | null, error: string | null, 
/**
 * Bytes of its data folder.
 */
data_bytes: number, 
/**
 * Times its code was reloaded after a change on disk since it started.
 */
reloads: number, 
/**
 * Why the last change on disk could not be loaded (file and line where known); the
 * previous version keeps serving.
 */
reload_error: string | null, 
/**
 * Modules of its folder that fail to load (`Failed to analyze x.js: …`) while the
 * others serve: their functions alone are unavailable.
 */
module_errors: Array<string>, 
/**
 * A new index being filled after a reload: "tasks.by_priority: 5,000 of 20,000".
 */
backfill: string | null, 
/**
 * The built-in sample project, which Atrium runs itself: listed while it runs, and
 * neither stopped nor removed from here.
 */
built_in: boolean, 
/**
 * The component instances its code installs (while it runs), each with the npm
 * package and version it came from (`node_modules`), or none for a local one.
 */
components: Array<ComponentSummary>, };

export type ProjectOpen = { dir: string, };

export type ProjectPort = { id: string, 
/**
 * The deployment's port (HTTP actions on the next one); null for free ports.
 */
port: number | null, };

export type ProjectRef = { id: string, };

export type ProjectState = "stopped" | "running" | "failed";

export type PromoteDone = { target_name: string, 
/**
 * Modules the target gained and lost (`finish_push`'s diff).
 */
modules_added: Array<string>, modules_removed: Array<string>, 
/**
 * Documents imported when the data was copied.
 */
documents: number | null, };

export type PromotePreview = { target_name: string, target_url: string, 
/**
 * The target's safe mode: `confirm_writes` needs `confirmed`, `read_only` refuses.
 */
safe_mode: SafeMode, diff: PushDiff, };

export type PromotePreviewRequest = { 
/**
 * The local project (running).
 */
project: string, 
/**
 * The saved connection to promote to.
 */
target: string, };

/**
 * One step of promoting a local project to another deployment.
 */
export type PromoteProgress = { 
/**
 * `bundle`, `push` (start_push), `schema` (wait_for_schema), `finish` (finish_push),
 * `export`, `download`, `upload`, `import` or `done`.
 */
step: string, 
/**
 * What is happening, in the target's own words where it gives them.
 */
message: string, 
/**
 * Bytes moved so far (download and upload).
 */
done: number, total: number | null, };

export type PromoteRequest = { project: string, target: string, 
/**
 * Also copy the project's data (Convex's snapshot ZIP, with files).
 */
copy_data: boolean, 
/**
 * The import mode for the data: `requireEmpty` (the default: refuse if a target
 * table has data), `append` or `replace`.
 */
data_mode: string | null, 
/**
 * Given after the user confirmed (connections that ask before writes).
 */
confirmed: boolean, };

/**
 * What the push changes on the target.
 */
export type PushDiff = { 
/**
 * `module:function`; changed: its signature or its module's code differs.
 */
functions: Changes, 
/**
 * Tables of the schema; changed: the document validator differs.
 */
tables: Changes, 
/**
 * `table.index` (database, search and vector indexes); changed: its fields differ.
 */
indexes: Changes, 
/**
 * Environment variables the project has and the target lacks (names only).
 */
missing_env: Array<string>, 
/**
 * Nothing would change.
 */
unchanged: boolean, };

/**
 * A new result of a watched query.
 */
export type QueryVersion = { watch: number, 
/**
 * 1 for the first result, then one more per change.
 */
version: number, 
/**
 * When the studio received it (milliseconds since the epoch).
 */
received_ms: number, value: unknown, error: string | null, };

export type RangeClause = { field: string, 
/**
 * eq, gt, gte, lt or lte.
 */
op: FilterOp, 
/**
 * Convex-encoded JSON.
 */
value: unknown, };

/**
 * An index range a live query read (bounds as hex of the index key).
 */
export type ReadRange = { index: string, start: string, end: string | null, };

export type RecallCheck = { table: string, index: string, k: number, queries: number, filter: Array<FilterTerm>, };

export type RecallResult = { k: number, recalls: Array<number>, mean: number, exact_ms: number, approximate_ms: number, 
/**
 * False: the index searches exactly (it is small) and a graph was built to measure.
 */
graph_in_use: boolean, vectors: number, };

export type RestoreRequest = { id: string, ts: number, confirmed: boolean, };

/**
 * A revision of a document (`document` null when the revision deleted it).
 */
export type RevisionInfo = { 
/**
 * The commit timestamp (nanoseconds).
 */
ts: number, document: unknown, };

/**
 * Rows of a view, as Convex-encoded JSON documents.
 */
export type Rows = { offset: number, rows: unknown[], info: ViewInfo, };

export type RowsRequest = { view: number, offset: number, limit: number, };

/**
 * A function to run.
 */
export type RunRequest = { path: string, 
/**
 * The component instance it belongs to (its path); absent or `""` for the app's.
 */
component: string | null, 
/**
 * query, mutation or action.
 */
kind: string, 
/**
 * Convex-encoded JSON object.
 */
args: Record<string, unknown>, 
/**
 * Run acting as this user identity (`{subject, issuer, …}`) instead of as admin.
 */
identity: Record<string, unknown> | null, confirmed: boolean, };

/**
 * What a run did.
 */
export type RunResult = { ok: boolean, 
/**
 * The returned value (Convex-encoded JSON); null on failure.
 */
value: unknown, error: string | null, 
/**
 * A ConvexError's data.
 */
error_data: unknown, log_lines: Array<string>, duration_ms: number, };

/**
 * How careful the dashboard is with writes on a deployment.
 */
export type SafeMode = "normal" | "confirm_writes" | "read_only";

/**
 * Text to save as a file.
 */
export type SaveText = { 
/**
 * A plain file name (`logs.jsonl`); a number is added when it exists.
 */
file_name: string, text: string, };

/**
 * Where the file went.
 */
export type SavedFile = { path: string, };

/**
 * One scheduled function.
 */
export type ScheduledJobView = { id: string, 
/**
 * `module:function`.
 */
function: string, 
/**
 * The argument object as JSON text.
 */
args: string, 
/**
 * When it is (or was) due, ms since the epoch.
 */
scheduled_ms: number, state: string, completed_ms: number | null, error: string | null, };

/**
 * Scheduled functions waiting past their time.
 */
export type SchedulerHealth = { pending: number, 
/**
 * Pending jobs whose time has passed.
 */
overdue: number, 
/**
 * How long the most overdue job has waited, ms (0 when none).
 */
lag_ms: number, };

/**
 * Which scheduled functions to list.
 */
export type SchedulesRequest = { 
/**
 * The component instance (its path: `shardedCounter`, `pool/worker`); absent or `""`
 * for the app's. Each instance has its own scheduled functions and crons.
 */
component: string | null, 
/**
 * `module:function`; all functions when absent.
 */
function: string | null, 
/**
 * `pending`, `inProgress`, `success`, `failed` or `canceled`; all when absent.
 */
state: string | null, };

/**
 * The Schedules area's contents.
 */
export type SchedulesView = { jobs: Array<ScheduledJobView>, 
/**
 * Whether finished jobs are listed (Atrium's engine); a Convex deployment's dashboard
 * functions list pending and in-progress jobs only.
 */
history: boolean, crons: Array<CronJobView>, };

/**
 * Everything the user can set.
 */
export type Settings = { theme: ThemePreference, };

/**
 * A change to some settings; absent fields stay as they are.
 */
export type SettingsPatch = { theme?: ThemePreference, };

export type SkippedView = { id: string, reason: string, };

/**
 * A snapshot written or read.
 */
export type SnapshotDone = { path: string, bytes: number, 
/**
 * Documents imported (0 for an export).
 */
documents: number, };

/**
 * One step of a snapshot moving to or from the deployment.
 */
export type SnapshotProgress = { 
/**
 * `export` (the deployment writes it), `download`, `upload` or `import` (the
 * deployment reads it).
 */
stage: string, 
/**
 * Bytes moved so far (download and upload).
 */
done: number, 
/**
 * The total bytes, where known.
 */
total: number | null, 
/**
 * The deployment's own words on where it stands, where it gives them.
 */
message: string | null, };

export type Sort = { field: string, descending: boolean, };

/**
 * A module to show the source of.
 */
export type SourceRequest = { 
/**
 * `tasks` (or a function path, `tasks:add`).
 */
module: string, };

/**
 * Where a SQL error is, when polars' parser says (1-based).
 */
export type SqlError = { message: string, line: number | null, column: number | null, };

/**
 * What running SQL gave: a result, or an error with its position.
 */
export type SqlOutcome = { result: SqlResultInfo | null, error: SqlError | null, };

/**
 * A SQL statement to run.
 */
export type SqlRequest = { sql: string, };

/**
 * A result kept in the studio: its shape; rows are read with `sql_rows`.
 */
export type SqlResultInfo = { result: number, columns: Array<string>, 
/**
 * Each column's polars type (`i64`, `str`, `struct[2]`, …).
 */
types: Array<string>, rows: number, run_ms: number, 
/**
 * The tables the statement named, as loaded (with their notes).
 */
tables: Array<LoadedTableInfo>, };

/**
 * Rows of a result, each a JSON object of its columns.
 */
export type SqlRows = { rows: Record<string, unknown>[], };

export type SqlRowsRequest = { result: number, offset: number, limit: number, };

export type SqlTableRequest = { table: string, };

/**
 * Something changed that the UI shows.
 */
export type StudioEvent = { "type": "settings_changed", settings: Settings, } | { "type": "connection_changed", status: ConnectionStatus, } | { "type": "data_view_changed", info: ViewInfo, } | { "type": "query_watch_update", update: QueryVersion, } | { "type": "log_entries", entries: Array<LogEntry>, } | { "type": "sql_load_progress", progress: LoadProgress, } | { "type": "sql_table_reloaded", table: LoadedTableInfo, } | { "type": "projects_changed", projects: Array<ProjectInfo>, } | { "type": "export_progress", progress: ExportProgress, } | { "type": "snapshot_progress", progress: SnapshotProgress, } | { "type": "promote_progress", progress: PromoteProgress, };

/**
 * The write that last re-ran a live query.
 */
export type SubscriptionCause = { ts: number, table: string, document: string | null, 
/**
 * The mutation that committed it, when the deployment knows.
 */
function: string | null, request_id: string | null, };

/**
 * Live subscriptions, from the subscription inspector.
 */
export type SubscriptionHealth = { live: number, 
/**
 * Re-runs caused by writes per minute since the previous overview (`None` on the
 * first one).
 */
invalidations_per_minute: number | null, };

/**
 * The deployment's live subscriptions, or that it cannot list them.
 */
export type SubscriptionReport = { 
/**
 * False for a deployment without Atrium's inspector (a Convex deployment).
 */
available: boolean, subscriptions: Array<LiveSubscription>, };

export type TableRequest = { table: string, confirmed: boolean, };

/**
 * A table's declared schema (if any) and its indexes.
 */
export type TableSchemaInfo = { 
/**
 * The deployment's schema as JSON text (`{tables: [{tableName, documentType, …}]}`),
 * fields in declared order — parse it where order matters; null without a schema.
 */
schema_text: string | null, 
/**
 * Whether the schema declares this table.
 */
declared: boolean, 
/**
 * Whether the deployment enforces its schema.
 */
schema_validation: boolean, indexes: Array<IndexSummary>, };

/**
 * A table and its document count.
 */
export type TableSummary = { name: string, count: number, };

/**
 * Which template a new project starts from.
 */
export type Template = "sample" | "empty";

export type TextSearch = { table: string, index: string, text: string, 
/**
 * Equalities, all of which must hold (Convex's `.eq` chain).
 */
filters: Array<FilterTerm>, 
/**
 * At most this many results (default 50).
 */
limit: number | null, };

/**
 * Matching documents (Convex-encoded JSON) in relevance order, with their BM25 scores.
 */
export type TextSearchResult = { 
/**
 * False when the deployment cannot search from the dashboard (a Convex deployment,
 * which searches only inside functions); `rows` is then empty.
 */
offered: boolean, rows: Array<Record<string, unknown>>, scores: Array<number>, };

/**
 * Which colour theme the UI uses.
 */
export type ThemePreference = "system" | "light" | "dark";

/**
 * A token as the deployment judged it.
 */
export type TokenCheck = { ok: boolean, 
/**
 * The `UserIdentity` functions would see (when accepted).
 */
identity: Record<string, unknown> | null, 
/**
 * The token's claims (when accepted).
 */
claims: Record<string, unknown> | null, 
/**
 * Convex's code and message (when refused), e.g. `NoAuthProvider`.
 */
code: string | null, message: string | null, 
/**
 * The precise cause where Convex's message is general.
 */
detail: string | null, };

export type TokenRequest = { 
/**
 * A JWT (a leading `Bearer ` is ignored).
 */
token: string, };

export type VectorHitView = { id: string, score: number, 
/**
 * The document (Convex-encoded JSON; null if it is gone).
 */
document: unknown, };

/**
 * The vector indexes, and whether the deployment lets the studio search them.
 */
export type VectorIndexList = { searchable: boolean, 
/**
 * Why not, when not.
 */
message: string | null, indexes: Array<VectorIndexView>, };

/**
 * A vector index: its definition and, where the deployment reports it, its state.
 */
export type VectorIndexView = { table: string, name: string, vector_field: string, dimensions: number, filter_fields: Array<string>, 
/**
 * Documents indexed (null: the deployment does not say).
 */
vectors: number | null, 
/**
 * Documents the index does not hold, with some of them and why.
 */
skipped: number | null, skipped_sample: Array<SkippedView>, memory_bytes: number | null, 
/**
 * "exact" (searched by scanning every vector), "graph" (an HNSW graph), "building"
 * (a graph is being built; searches are exact meanwhile), or null.
 */
mode: string | null, graph_nodes: number | null, graph_bytes: number | null, graph_build_ms: number | null, exact_limit: number | null, 
/**
 * "M 16 · efConstruction 100 · efSearch 64".
 */
graph_params: string | null, };

export type VectorMap = { points: Array<MapPoint>, 
/**
 * The share of variance along each axis (0..1).
 */
explained: [number, number], 
/**
 * Vectors in the index (the map shows `points.len()` of them).
 */
total: number, };

export type VectorMapRequest = { table: string, index: string, 
/**
 * At most this many vectors (spread over the index).
 */
limit: number, 
/**
 * The filter field to colour points by (null: none).
 */
color_by: string | null, };

export type VectorSearch = { table: string, index: string, 
/**
 * A vector to search with…
 */
vector: Array<number> | null, 
/**
 * …or a document whose stored vector to search with ("more like this").
 */
like: string | null, limit: number, filter: Array<FilterTerm>, 
/**
 * "auto" (as `ctx.vectorSearch`), "exact" or "approximate".
 */
method: string, };

export type VectorSearchResult = { hits: Array<VectorHitView>, approximate: boolean, 
/**
 * Vectors the filter let through.
 */
candidates: number, took_ms: number, };

/**
 * What to export from the Data area: an open view as it stands (filters, sort, range).
 */
export type ViewExportRequest = { view: number, format: ExportFormat, };

/**
 * A view's size and progress.
 */
export type ViewInfo = { view: number, mode: ViewMode, 
/**
 * The index whose order (and range) a window follows; `None` for creation time or a
 * scan.
 */
index: string | null, 
/**
 * Rows in the view (for a scan: matching documents among those read).
 */
total: number, 
/**
 * Documents read (a scan) — the table's size for a window.
 */
scanned: number, 
/**
 * Whether every document of the table was considered.
 */
complete: boolean, 
/**
 * Why the view stopped updating, if it did.
 */
error: string | null, };

/**
 * How a view is served.
 */
export type ViewMode = "window" | "scan";

export type ViewRef = { view: number, };

/**
 * What to show: a table, optionally filtered and sorted, or a range of one of its indexes.
 */
export type ViewSpec = { table: string, filter: Filter | null, sort: Sort | null, index: IndexRange | null, };

export type WatchRef = { watch: number, };

export type WatchRequest = { path: string, args: Record<string, unknown>, 
/**
 * Keep it live acting as this user (a connection of its own) instead of as admin.
 */
identity: Record<string, unknown> | null, };

/**
 * One edit, with values as Convex-encoded JSON.
 */
export type WriteRequest = { "op": "insert", table: string, document: unknown, } | { "op": "patch", table: string, id: string, fields: Record<string, unknown>, } | { "op": "replace", id: string, document: unknown, } | { "op": "delete", id: string, };

/** Every studio command, with its request and response types. */
export interface Commands {
  /**
   * What this Atrium is, where it keeps its files, and problems found at start-up.
   */
  app_info: { request: null; response: AppInfo };
  /**
   * The user's settings.
   */
  get_settings: { request: null; response: Settings };
  /**
   * Changes some settings, saves them, and announces `settings_changed`.
   */
  update_settings: { request: SettingsPatch; response: Settings };
  /**
   * Which deployment is connected and the state of the connection.
   */
  connection_status: { request: null; response: ConnectionStatus };
  /**
   * Tries a deployment URL and admin key: what the key may do, or which part is wrong.
   */
  test_connection: { request: ConnectionTest; response: ConnectionTestResult };
  /**
   * The saved connections (and the built-in sample project), without their keys.
   */
  list_connections: { request: null; response: ConnectionList };
  /**
   * Adds or changes a saved connection; its admin key goes to the key store.
   */
  save_connection: { request: ConnectionDraft; response: ConnectionList };
  /**
   * Forgets a saved connection and its admin key.
   */
  remove_connection: { request: ConnectionRef; response: ConnectionList };
  /**
   * Connects to a saved connection (closing open data views).
   */
  connect: { request: ConnectionRef; response: ConnectionStatus };
  /**
   * Disconnects from the current deployment.
   */
  disconnect: { request: null; response: ConnectionStatus };
  /**
   * The connected deployment's tables with their document counts.
   */
  data_tables: { request: null; response: Array<TableSummary> };
  /**
   * Opens a live view of a table (filtered and sorted) and returns its first rows.
   */
  data_open: { request: ViewSpec; response: Rows };
  /**
   * Rows of an open view by offset.
   */
  data_rows: { request: RowsRequest; response: Rows };
  /**
   * Closes a view (its subscriptions end).
   */
  data_close: { request: ViewRef; response: null };
  /**
   * Commits edits — in one transaction where the deployment can.
   */
  data_apply: { request: ApplyRequest; response: ApplyResult };
  /**
   * Deletes every document of a table (needs `confirmed`).
   */
  data_clear_table: { request: TableRequest; response: ClearResult };
  /**
   * Creates an empty table.
   */
  data_create_table: { request: TableRequest; response: null };
  /**
   * A document and, where the deployment offers it, its revision history.
   */
  data_document: { request: DocumentRequest; response: DocumentDetail };
  /**
   * Puts a document back as it was at a revision.
   */
  data_restore: { request: RestoreRequest; response: null };
  /**
   * A table's declared schema and its indexes.
   */
  data_schema: { request: TableRequest; response: TableSchemaInfo };
  /**
   * A table's documents matching text in one of its search indexes, most relevant first.
   */
  data_search: { request: TextSearch; response: TextSearchResult };
  /**
   * The connected deployment's log entries followed so far (newer ones arrive as
   * `log_entries` events).
   */
  logs_recent: { request: null; response: Array<LogEntry> };
  /**
   * Searches the deployment's whole log archive (newest first, by pages).
   */
  search_logs: { request: LogSearch; response: LogSearchResult };
  /**
   * Saves exported text (filtered logs) to the Downloads folder; returns its path.
   */
  save_export: { request: SaveText; response: SavedFile };
  /**
   * Every live subscription on the deployment and the write that last re-ran each.
   */
  inspect_subscriptions: { request: null; response: SubscriptionReport };
  /**
   * The deployment's component instances (the app's root not among them), each with
   * the npm package and version it came from when known.
   */
  component_list: { request: null; response: Array<ComponentSummary> };
  /**
   * The deployment's (or one component instance's) functions with their validators, and
   * its HTTP routes.
   */
  function_list: { request: FunctionListRequest; response: FunctionList };
  /**
   * Sends a request to one of the deployment's HTTP action routes: status, headers, body.
   */
  http_action_request: { request: HttpActionRequest; response: HttpActionResult };
  /**
   * Runs a function as admin or acting as a user: its result, logs, duration, error.
   */
  run_function: { request: RunRequest; response: RunResult };
  /**
   * Runs a mutation and rolls it back: its result and the writes it would make.
   */
  dry_run_function: { request: RunRequest; response: DryRunResult };
  /**
   * A function module's source, where the deployment serves it.
   */
  function_source: { request: SourceRequest; response: ModuleSource };
  /**
   * A running local project's auth providers (from its `auth.config.ts`).
   */
  project_auth_providers: { request: ProjectRef; response: AuthProviderList };
  /**
   * The connected deployment's auth providers (from its `auth.config.ts`).
   */
  auth_providers: { request: null; response: AuthProviderList };
  /**
   * The connected deployment's environment variables, by name (the CLI's `env list`).
   */
  deployment_env: { request: null; response: Array<EnvVar> };
  /**
   * Sets or removes one of the connected deployment's environment variables (needs
   * `confirmed` where the connection asks before writes); the variables after it.
   */
  deployment_env_set: { request: DeploymentEnvSet; response: Array<EnvVar> };
  /**
   * Asks the connected deployment for a snapshot ZIP (the CLI's export routes) and saves
   * it to the export folder, announcing `snapshot_progress`.
   */
  deployment_export: { request: DeploymentExport; response: SnapshotDone };
  /**
   * Uploads a snapshot ZIP to the connected deployment and imports it (the CLI's import
   * routes): completed, or waiting for confirmation with the deployment's summary.
   */
  deployment_import: { request: DeploymentImport; response: ImportOutcome };
  /**
   * Confirms an import that waits for confirmation; answers once it completed.
   */
  deployment_import_confirm: { request: ImportConfirm; response: ImportOutcome };
  /**
   * A pasted JWT checked by the deployment: the identity and claims, or why it is refused.
   */
  verify_user_token: { request: TokenRequest; response: TokenCheck };
  /**
   * Keeps a query live; each result arrives as `query_watch_update`.
   */
  watch_query: { request: WatchRequest; response: WatchRef };
  /**
   * Stops keeping a query live.
   */
  unwatch_query: { request: WatchRef; response: null };
  /**
   * Calls, errors and p50/p95/p99 execution time per function over a window, from the
   * log archive, with the series of one function (or all) for charts.
   */
  function_metrics: { request: MetricsRequest; response: MetricsResult };
  /**
   * Scheduled functions (filtered by function and state) and cron jobs with their runs.
   */
  schedules_list: { request: SchedulesRequest; response: SchedulesView };
  /**
   * The Health overview: failure rate and p99 over time, top failing and slowest
   * functions, scheduler lag, live subscriptions, table sizes.
   */
  health_overview: { request: HealthRequest; response: HealthView };
  /**
   * A page of the deployment's events (History), newest first.
   */
  history_events: { request: HistoryRequest; response: HistoryPage };
  /**
   * Cancels a pending or in-progress scheduled function.
   */
  schedules_cancel: { request: JobRef; response: null };
  /**
   * Cancels every pending or in-progress scheduled function of a function (or all).
   */
  schedules_cancel_all: { request: CancelAllRequest; response: null };
  /**
   * Makes a pending scheduled function due now (Atrium's engine).
   */
  schedules_run_now: { request: JobRef; response: null };
  /**
   * Runs a cron job's next run now (Atrium's engine); it joins the cron's history.
   */
  crons_run_now: { request: CronRef; response: null };
  /**
   * A page of stored files, newest first, with the deployment's file count.
   */
  files_list: { request: FilesRequest; response: FilePageView };
  /**
   * How many files the deployment stores.
   */
  files_count: { request: null; response: number };
  /**
   * Deletes files, all or none.
   */
  files_delete: { request: FilesDelete; response: null };
  /**
   * A fresh single-use upload URL (the UI posts each file to one, showing progress).
   */
  files_upload_url: { request: FilesConfirm; response: string };
  /**
   * Uploads a file given as base64 bytes or a path on this machine; its storage ID.
   */
  files_upload: { request: FileUpload; response: FileUploaded };
  /**
   * The documents that hold a file's ID (Atrium's engine; `offered: false` elsewhere).
   */
  files_references: { request: FileRef; response: FileReferencesView };
  /**
   * The tables loaded for SQL, with their columns and notes.
   */
  sql_tables: { request: null; response: Array<LoadedTableInfo> };
  /**
   * Loads (or reloads) a table for SQL, announcing `sql_load_progress`.
   */
  sql_load: { request: SqlTableRequest; response: LoadedTableInfo };
  /**
   * Runs SQL over the deployment's tables (loading those it names): a kept result or an
   * error with its position.
   */
  sql_run: { request: SqlRequest; response: SqlOutcome };
  /**
   * Rows of a kept SQL result, as JSON objects.
   */
  sql_rows: { request: SqlRowsRequest; response: SqlRows };
  /**
   * Writes a result or a whole table to CSV, JSONL or Parquet in the export folder,
   * announcing `export_progress`.
   */
  sql_export: { request: ExportRequest; response: ExportDone };
  /**
   * Writes an open Data view as it stands (filters, sort, index range) to CSV, JSONL or
   * Parquet, announcing `export_progress`.
   */
  data_export: { request: ViewExportRequest; response: ExportDone };
  /**
   * Runs a query written like a Convex function (`async (ctx) => …`) read-only: its
   * value, logs and cost (documents and bytes read, indexes, rows returned).
   */
  run_js_query: { request: JsQueryRequest; response: JsQueryResult };
  /**
   * Keeps such a query live; each answer arrives as `query_watch_update`.
   */
  watch_js_query: { request: JsQueryRequest; response: WatchRef };
  /**
   * The local projects with their state, URL and data size.
   */
  project_list: { request: null; response: Array<ProjectInfo> };
  /**
   * Creates a project from a template in a new folder.
   */
  project_create: { request: ProjectCreate; response: Array<ProjectInfo> };
  /**
   * Adds an existing Convex project folder (checked: convex/, node_modules/convex).
   */
  project_open: { request: ProjectOpen; response: Array<ProjectInfo> };
  /**
   * Starts a project on its own engine and ports.
   */
  project_start: { request: ProjectRef; response: Array<ProjectInfo> };
  /**
   * Stops a project's engine.
   */
  project_stop: { request: ProjectRef; response: Array<ProjectInfo> };
  /**
   * Removes a project from the list (its folder and data stay).
   */
  project_remove: { request: ProjectRef; response: Array<ProjectInfo> };
  /**
   * Starts a project if needed and connects to it.
   */
  project_connect: { request: ProjectRef; response: ConnectionStatus };
  /**
   * Writes the official CLI's two variables into the running project's `.env.local`.
   */
  project_write_env: { request: ProjectRef; response: CliEnvWritten };
  /**
   * Deletes a project's data (needs `confirmed`) and starts it again.
   */
  project_reset: { request: ProjectConfirm; response: Array<ProjectInfo> };
  /**
   * Writes a running project's data as a snapshot ZIP to the export folder.
   */
  project_export: { request: ProjectRef; response: SnapshotDone };
  /**
   * Imports a snapshot ZIP into a running project, all or nothing.
   */
  project_import: { request: ProjectImport; response: SnapshotDone };
  /**
   * A running project's environment variables.
   */
  project_env: { request: ProjectRef; response: Array<EnvVar> };
  /**
   * Sets or removes one of a running project's environment variables.
   */
  project_env_set: { request: ProjectEnvSet; response: Array<EnvVar> };
  /**
   * What pushing a running project would change on another saved deployment.
   */
  promote_preview: { request: PromotePreviewRequest; response: PromotePreview };
  /**
   * Pushes a running project's code (and, if asked, its data) to another saved
   * deployment through the CLI's routes; progress as `promote_progress`.
   */
  promote: { request: PromoteRequest; response: PromoteDone };
  /**
   * Chooses the port a project is served on (null: free ports); restarts it if running.
   */
  project_set_port: { request: ProjectPort; response: Array<ProjectInfo> };
  /**
   * The deployment's vector indexes with their state (counts, memory, graph), or their
   * definitions from the schema where the deployment cannot be searched from here.
   */
  vector_indexes: { request: null; response: VectorIndexList };
  /**
   * Searches a vector index by a vector or a document's vector, with filter terms; the
   * hits come with their documents.
   */
  vector_search: { request: VectorSearch; response: VectorSearchResult };
  /**
   * Recall@k of the approximate index against an exact scan over sample queries.
   */
  vector_recall: { request: RecallCheck; response: RecallResult };
  /**
   * A sample of an index's vectors projected to 2D (PCA), grouped by a filter field.
   */
  vector_map: { request: VectorMapRequest; response: VectorMap };
}

/** The names of every command, in table order. */
export const COMMAND_NAMES = ["app_info", "get_settings", "update_settings", "connection_status", "test_connection", "list_connections", "save_connection", "remove_connection", "connect", "disconnect", "data_tables", "data_open", "data_rows", "data_close", "data_apply", "data_clear_table", "data_create_table", "data_document", "data_restore", "data_schema", "data_search", "logs_recent", "search_logs", "save_export", "inspect_subscriptions", "component_list", "function_list", "http_action_request", "run_function", "dry_run_function", "function_source", "project_auth_providers", "auth_providers", "deployment_env", "deployment_env_set", "deployment_export", "deployment_import", "deployment_import_confirm", "verify_user_token", "watch_query", "unwatch_query", "function_metrics", "schedules_list", "health_overview", "history_events", "schedules_cancel", "schedules_cancel_all", "schedules_run_now", "crons_run_now", "files_list", "files_count", "files_delete", "files_upload_url", "files_upload", "files_references", "sql_tables", "sql_load", "sql_run", "sql_rows", "sql_export", "data_export", "run_js_query", "watch_js_query", "project_list", "project_create", "project_open", "project_start", "project_stop", "project_remove", "project_connect", "project_write_env", "project_reset", "project_export", "project_import", "project_env", "project_env_set", "promote_preview", "promote", "project_set_port", "vector_indexes", "vector_search", "vector_recall", "vector_map"] as const;
