//! The History area's wire contracts: Convex's deployment audit log. A deployment keeps
//! its events in the `_deployment_audit_log` system table (`{action, member_id,
//! metadata}`) and answers `_system/frontend/paginatedDeploymentEvents` (newest first,
//! `{paginationOpts, filters: {minDate, maxDate?, authorMemberIds?, actions?}}`) and
//! `_system/frontend/deploymentEvents:lastPushEvent`, as Convex's `system-udfs` declare them.
//!
//! The metadata types below are the shapes of the actions the local engine records
//! (Convex's `push_config_with_components`, `*_environment_variable`, `snapshot_import`,
//! `clear_tables`), read back by the studio from any deployment. Atrium adds
//! `functionDiff` (functions added, removed, changed) beside Convex's module, index and
//! schema diffs; a Convex deployment's events simply lack it. Environment events carry
//! names only, never values. It must not hold behaviour.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::dashboard::PaginationOpts;

/// The system table Convex keeps deployment events in.
pub const TABLE: &str = "_deployment_audit_log";

/// Paths of the deployment-event functions.
pub mod path {
    pub const PAGINATED_DEPLOYMENT_EVENTS: &str =
        "_system/frontend/paginatedDeploymentEvents:default";
    pub const LAST_PUSH_EVENT: &str = "_system/frontend/deploymentEvents:lastPushEvent";
}

/// Action names (Convex's).
pub mod action {
    pub const PUSH_CONFIG: &str = "push_config";
    pub const PUSH_CONFIG_WITH_COMPONENTS: &str = "push_config_with_components";
    pub const CREATE_ENVIRONMENT_VARIABLE: &str = "create_environment_variable";
    pub const UPDATE_ENVIRONMENT_VARIABLE: &str = "update_environment_variable";
    pub const DELETE_ENVIRONMENT_VARIABLE: &str = "delete_environment_variable";
    pub const SNAPSHOT_IMPORT: &str = "snapshot_import";
    pub const CLEAR_TABLES: &str = "clear_tables";
    /// Atrium's own: a local project's data was deleted and it started again empty (Convex
    /// has no such action; its deployments are not reset).
    pub const RESET_DEPLOYMENT: &str = "reset_deployment";
}

/// `paginatedDeploymentEvents`' filters. Convex requires `minDate` (ms since the epoch).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentEventFilters {
    #[serde(with = "crate::convex_json::number")]
    pub min_date: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_date: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<String>>,
}

/// `paginatedDeploymentEvents`' arguments.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaginatedDeploymentEventsArgs {
    pub pagination_opts: PaginationOpts,
    pub filters: DeploymentEventFilters,
}

/// Added and removed names (Convex's `moduleDiff`, `authDiff`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NameDiff {
    #[serde(default)]
    pub added: Vec<String>,
    #[serde(default)]
    pub removed: Vec<String>,
}

/// Atrium's function diff: `module:function` paths.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FunctionDiff {
    #[serde(default)]
    pub added: Vec<String>,
    #[serde(default)]
    pub removed: Vec<String>,
    #[serde(default)]
    pub changed: Vec<String>,
}

/// An index in Convex's audit shape: `{name, type: "database", fields}` (search:
/// `searchField`, vector: `vectorField`, `dimensions`; kept as given).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexMetadata {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector_field: Option<String>,
}

/// Convex's `indexDiff`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IndexDiff {
    #[serde(default)]
    pub added_indexes: Vec<IndexMetadata>,
    #[serde(default)]
    pub removed_indexes: Vec<IndexMetadata>,
}

/// Convex's `schemaDiff` (the schema as JSON text before and after).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SchemaDiff {
    #[serde(default)]
    pub previous_schema: Option<String>,
    #[serde(default)]
    pub next_schema: Option<String>,
}

/// `{type: "create" | "modify" | "unmount" | "remount"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffType {
    #[serde(rename = "type")]
    pub kind: String,
}

/// One component instance's part of a push (Convex's `componentDiff`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentDiff {
    pub diff_type: DiffType,
    #[serde(default)]
    pub index_diff: Option<IndexDiff>,
    #[serde(default)]
    pub module_diff: NameDiff,
    #[serde(default)]
    pub schema_diff: Option<SchemaDiff>,
    /// Atrium's: absent on Convex's events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_diff: Option<FunctionDiff>,
}

/// `{component_path, component_diff}` (`component_path` null: the app).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentPathDiff {
    pub component_path: Option<String>,
    pub component_diff: ComponentDiff,
}

/// `push_config_with_components`' metadata.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PushMetadata {
    #[serde(default)]
    pub auth_diff: Option<NameDiff>,
    #[serde(default)]
    pub component_diffs: Vec<ComponentPathDiff>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// `*_environment_variable`'s metadata: the name only, never the value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentVariableMetadata {
    pub variable_name: String,
}

/// `{component, table_names}` of a snapshot import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentTables {
    pub component: Option<String>,
    pub table_names: Vec<String>,
}

/// `snapshot_import`'s metadata (Convex's, counts as numbers; `requestor` is
/// `{type: "snapshotImport"}`, Atrium's restores say `{type: "snapshotRestore"}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotImportMetadata {
    pub table_names: Vec<ComponentTables>,
    pub table_count: f64,
    pub import_mode: String,
    pub import_format: Json,
    pub requestor: Json,
    #[serde(default)]
    pub table_names_deleted: Vec<ComponentTables>,
    #[serde(default)]
    pub table_count_deleted: f64,
}

/// `clear_tables`' metadata; Atrium names the tables (Convex's is empty).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClearTablesMetadata {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub table_names: Vec<String>,
}

/// `reset_deployment`'s metadata (Atrium's): who reset the deployment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResetMetadata {
    pub requestor: String,
}
