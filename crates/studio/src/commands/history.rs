//! The History area's command: the connected deployment's events (Convex's deployment
//! audit log, `paginatedDeploymentEvents`), newest first, a page at a time, each turned
//! into a plain view of what changed: per component, functions and modules added, removed
//! and changed, indexes added and removed, the schema before and after; an environment
//! variable's name; an import's tables. A deployment without the function says so
//! (`available: false`) rather than failing.
//!
//! It must not word events for display (the UI does) nor hold any event state.

use std::sync::Arc;

use atrium_protocol::deployment_events::{
    ClearTablesMetadata, ComponentTables, EnvironmentVariableMetadata, IndexMetadata, PushMetadata,
    SnapshotImportMetadata, action,
};
use atrium_value::Value;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use ts_rs::TS;

use crate::{CommandError, Studio};

/// Events per page.
const PAGE: usize = 25;

/// Which page of events to read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct HistoryRequest {
    /// Where the previous page ended; the newest events when absent.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Only these actions (Convex's names: `push_config_with_components`, …); all when
    /// absent.
    #[serde(default)]
    pub actions: Option<Vec<String>>,
}

/// One component instance's part of a push.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct CodeChangeView {
    /// The instance's path; `None` for the app.
    pub component: Option<String>,
    /// `create`, `modify`, `unmount` or `remount`.
    pub kind: String,
    /// Whether the deployment reports functions (Atrium's engine does; Convex reports
    /// modules only).
    pub has_functions: bool,
    pub functions_added: Vec<String>,
    pub functions_removed: Vec<String>,
    pub functions_changed: Vec<String>,
    pub modules_added: Vec<String>,
    pub modules_removed: Vec<String>,
    /// `table.index (field, field)`.
    pub indexes_added: Vec<String>,
    pub indexes_removed: Vec<String>,
    /// Whether the schema changed; its JSON text before and after (when the deployment
    /// keeps it).
    pub schema_changed: bool,
    pub schema_before: Option<String>,
    pub schema_after: Option<String>,
}

/// One deployment event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct HistoryEvent {
    pub id: String,
    /// Milliseconds since the epoch.
    pub time_ms: f64,
    /// Convex's action name (`push_config_with_components`, `create_environment_variable`,
    /// `snapshot_import`, `clear_tables`, …).
    pub action: String,
    /// The team member who did it; `None` when the deployment did (the local engine, the
    /// CLI with an admin key).
    pub member_id: Option<String>,
    /// What the deployment said about it (where pushed code came from).
    pub message: Option<String>,
    pub code: Vec<CodeChangeView>,
    /// An environment variable's name (never its value).
    pub variable: Option<String>,
    /// Tables an import wrote into or a clear emptied.
    pub tables: Vec<String>,
    /// Tables an import emptied (replace modes).
    pub tables_deleted: Vec<String>,
    /// An import's mode (`RequireEmpty`, `Append`, `Replace`, `ReplaceAll`).
    pub import_mode: Option<String>,
    /// Who asked for an import: `snapshotImport` (the CLI), `snapshotRestore` (a snapshot
    /// restored from the dashboard), `cloudRestore` (a Convex backup).
    pub requestor: Option<String>,
    /// The metadata as JSON text, for actions not described above.
    pub details: String,
}

/// A page of events, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct HistoryPage {
    /// Whether the deployment keeps deployment events at all.
    pub available: bool,
    pub events: Vec<HistoryEvent>,
    /// Where the next page starts; `None` when this is the last.
    pub next_cursor: Option<String>,
}

fn parsed<T: DeserializeOwned>(metadata: &Json) -> Option<T> {
    serde_json::from_value(metadata.clone()).ok()
}

fn index_text(index: &IndexMetadata) -> String {
    let name = index.name.clone().unwrap_or_default();
    match (index.kind.as_str(), &index.search_field, &index.vector_field) {
        ("search", Some(field), _) => format!("{name} (search {field})"),
        ("vector", _, Some(field)) => format!("{name} (vector {field})"),
        _ => format!("{name} ({})", index.fields.join(", ")),
    }
}

fn code_changes(metadata: &Json) -> Vec<CodeChangeView> {
    let Some(push) = parsed::<PushMetadata>(metadata) else { return Vec::new() };
    push.component_diffs
        .into_iter()
        .map(|c| {
            let d = c.component_diff;
            let functions = d.function_diff.clone().unwrap_or_default();
            let indexes = d.index_diff.unwrap_or_default();
            let schema = d.schema_diff;
            CodeChangeView {
                component: c.component_path.filter(|p| !p.is_empty()),
                kind: d.diff_type.kind,
                has_functions: d.function_diff.is_some(),
                functions_added: functions.added,
                functions_removed: functions.removed,
                functions_changed: functions.changed,
                modules_added: d.module_diff.added,
                modules_removed: d.module_diff.removed,
                indexes_added: indexes.added_indexes.iter().map(index_text).collect(),
                indexes_removed: indexes.removed_indexes.iter().map(index_text).collect(),
                schema_changed: schema.is_some(),
                schema_before: schema.as_ref().and_then(|s| s.previous_schema.clone()),
                schema_after: schema.and_then(|s| s.next_schema),
            }
        })
        .collect()
}

fn table_names(groups: &[ComponentTables]) -> Vec<String> {
    groups
        .iter()
        .flat_map(|g| {
            g.table_names.iter().map(move |t| match &g.component {
                Some(c) if !c.is_empty() => format!("{c}/{t}"),
                _ => t.clone(),
            })
        })
        .collect()
}

/// An event document (Convex's `_deployment_audit_log` shape) as a view.
pub(crate) fn event_view(document: &Value) -> HistoryEvent {
    let json = atrium_value::json::to_json(document);
    let metadata = json.get("metadata").cloned().unwrap_or(Json::Null);
    let action = json.get("action").and_then(Json::as_str).unwrap_or_default().to_owned();
    let member_id = match json.get("member_id") {
        None | Some(Json::Null) => None,
        Some(Json::Object(o)) => o.get("$integer").map(|v| v.to_string()),
        Some(other) => Some(other.to_string()),
    };
    let mut view = HistoryEvent {
        id: json.get("_id").and_then(Json::as_str).unwrap_or_default().to_owned(),
        time_ms: json.get("_creationTime").and_then(Json::as_f64).unwrap_or_default(),
        member_id,
        message: metadata.get("message").and_then(Json::as_str).map(str::to_owned),
        details: serde_json::to_string_pretty(&metadata).unwrap_or_default(),
        ..HistoryEvent::default()
    };
    match action.as_str() {
        action::PUSH_CONFIG_WITH_COMPONENTS => view.code = code_changes(&metadata),
        action::PUSH_CONFIG => {
            // Convex's older push event: the app's module diff only.
            let modules = metadata.get("modules").cloned().unwrap_or(Json::Null);
            let names = |key: &str| -> Vec<String> {
                modules.get(key).and_then(parsed).unwrap_or_default()
            };
            view.code = vec![CodeChangeView {
                kind: "modify".into(),
                modules_added: names("added"),
                modules_removed: names("removed"),
                schema_changed: metadata.get("schema").is_some_and(|s| !s.is_null()),
                ..CodeChangeView::default()
            }];
        }
        a if a.ends_with("_environment_variable") => {
            view.variable =
                parsed::<EnvironmentVariableMetadata>(&metadata).map(|m| m.variable_name);
        }
        action::SNAPSHOT_IMPORT => {
            if let Some(m) = parsed::<SnapshotImportMetadata>(&metadata) {
                view.tables = table_names(&m.table_names);
                view.tables_deleted = table_names(&m.table_names_deleted);
                view.import_mode = Some(m.import_mode);
                view.requestor = m.requestor.get("type").and_then(Json::as_str).map(str::to_owned);
            }
        }
        action::CLEAR_TABLES => {
            view.tables =
                parsed::<ClearTablesMetadata>(&metadata).map(|m| m.table_names).unwrap_or_default();
        }
        _ => {}
    }
    view.action = action;
    view
}

pub(super) async fn history_events(
    studio: &Arc<Studio>,
    request: HistoryRequest,
) -> Result<HistoryPage, CommandError> {
    let connected = studio.connected()?;
    let page = connected.http.deployment_events_page(request.actions, request.cursor, PAGE).await?;
    let Some(page) = page else {
        return Ok(HistoryPage { available: false, events: Vec::new(), next_cursor: None });
    };
    Ok(HistoryPage {
        available: true,
        events: page.page.iter().map(event_view).collect(),
        next_cursor: if page.is_done { None } else { page.continue_cursor },
    })
}
