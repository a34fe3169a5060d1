//! Typed calls to the dashboard's system functions: Convex's `_system/frontend/*` (every
//! Convex deployment serves them to its dashboard) and Atrium's `_system/atrium/*`
//! extensions (a table window at a row offset, document history, several writes in one
//! transaction). A deployment without an extension answers "could not find function";
//! [`is_missing_function`] tells that apart so callers can fall back.
//!
//! Each query is a [`DashboardQuery`]: run it once over HTTP ([`DeploymentClient::dashboard`])
//! or keep it live over the sync socket ([`crate::SyncClient::subscribe`] with its
//! [`DashboardQuery::path`] and [`DashboardQuery::args`]).

use atrium_protocol::atrium::{DryRunRequest, DryRunResponse, LiveSubscriptions, ModuleSource};
use atrium_value::{Object, Value};

use crate::{ClientError, DeploymentClient};

/// A read-only dashboard function and its arguments.
#[derive(Debug, Clone, PartialEq)]
pub enum DashboardQuery {
    /// `{tableNumber: name}` of the user tables.
    TableMapping,
    /// The number of documents in a table.
    TableSize { table: String },
    /// Documents `offset..offset + limit` of a table in the order of `index` (creation
    /// time when `None`) within `range` (Convex's index range expressions; `Null` for all),
    /// and how many the range holds (Atrium extension).
    TableWindow {
        table: String,
        index: Option<String>,
        range: Value,
        offset: u64,
        limit: usize,
        descending: bool,
    },
    /// One page of a table in creation order (Convex's dashboard query).
    TablePage { table: String, cursor: Option<String>, limit: usize, descending: bool },
    /// A document by ID (`null` when there is none).
    Document { id: String },
    /// A table's indexes with their fields and backfill state.
    Indexes { table: String },
    /// The schema in force (`{active: JSON text | null}`).
    Schemas,
    /// A document's revisions, newest first (Atrium extension).
    History { id: String, limit: usize },
}

fn object(fields: Vec<(&str, Value)>) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<Object>())
}

fn order(descending: bool) -> Value {
    Value::from(if descending { "desc" } else { "asc" })
}

impl DashboardQuery {
    pub fn path(&self) -> &'static str {
        match self {
            Self::TableMapping => "_system/frontend/getTableMapping:default",
            Self::TableSize { .. } => "_system/frontend/tableSize:default",
            Self::TableWindow { .. } => "_system/atrium/tableWindow:default",
            Self::TablePage { .. } => "_system/frontend/paginatedTableDocuments:default",
            Self::Document { .. } => "_system/frontend/getById:default",
            Self::Indexes { .. } => "_system/frontend/indexes:default",
            Self::Schemas => "_system/frontend/getSchemas:default",
            Self::History { .. } => "_system/atrium/documentHistory:default",
        }
    }

    pub fn args(&self) -> Value {
        match self {
            Self::TableMapping | Self::Schemas => object(vec![]),
            Self::TableSize { table } => object(vec![("tableName", Value::from(table.as_str()))]),
            Self::TableWindow { table, index, range, offset, limit, descending } => object(vec![
                ("table", Value::from(table.as_str())),
                ("index", index.as_deref().map_or(Value::Null, Value::from)),
                ("range", range.clone()),
                ("offset", Value::Float64(*offset as f64)),
                ("numItems", Value::Float64(*limit as f64)),
                ("order", order(*descending)),
            ]),
            Self::TablePage { table, cursor, limit, descending } => object(vec![
                ("table", Value::from(table.as_str())),
                (
                    "paginationOpts",
                    object(vec![
                        ("numItems", Value::Float64(*limit as f64)),
                        ("cursor", cursor.as_deref().map_or(Value::Null, Value::from)),
                    ]),
                ),
                ("filters", Value::Null),
                ("order", order(*descending)),
            ]),
            Self::Document { id } => object(vec![("id", Value::from(id.as_str()))]),
            Self::Indexes { table } => object(vec![("tableName", Value::from(table.as_str()))]),
            Self::History { id, limit } => object(vec![
                ("id", Value::from(id.as_str())),
                ("limit", Value::Float64(*limit as f64)),
            ]),
        }
    }
}

/// One staged or immediate edit.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    Insert {
        table: String,
        document: Value,
    },
    /// Sets the given top-level fields of a document of `table`.
    Patch {
        table: String,
        id: String,
        fields: Value,
    },
    Replace {
        id: String,
        document: Value,
    },
    Delete {
        id: String,
    },
}

impl Write {
    fn to_value(&self) -> Value {
        match self {
            Write::Insert { table, document } => object(vec![
                ("op", Value::from("insert")),
                ("table", Value::from(table.as_str())),
                ("document", document.clone()),
            ]),
            Write::Patch { id, fields, .. } => object(vec![
                ("op", Value::from("patch")),
                ("id", Value::from(id.as_str())),
                ("fields", fields.clone()),
            ]),
            Write::Replace { id, document } => object(vec![
                ("op", Value::from("replace")),
                ("id", Value::from(id.as_str())),
                ("document", document.clone()),
            ]),
            Write::Delete { id } => {
                object(vec![("op", Value::from("delete")), ("id", Value::from(id.as_str()))])
            }
        }
    }
}

/// A page of documents: `{page, isDone, continueCursor}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub documents: Vec<Value>,
    pub is_done: bool,
    pub continue_cursor: Option<String>,
}

/// A window of a table and the table's size at the same snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub documents: Vec<Value>,
    pub total: u64,
}

fn unexpected(what: &str, value: &Value) -> ClientError {
    ClientError::NotADeployment {
        url: String::new(),
        reason: format!("{what} has an unexpected shape: {}", atrium_value::json::to_json(value)),
    }
}

fn documents(value: &Value, what: &str) -> Result<Vec<Value>, ClientError> {
    match value.get_path(["page"]) {
        Some(Value::Array(docs)) => Ok(docs.clone()),
        _ => Err(unexpected(what, value)),
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Float64(n) => Some(*n),
        Value::Int64(n) => Some(*n as f64),
        _ => None,
    }
}

impl Page {
    pub fn from_value(value: &Value) -> Result<Self, ClientError> {
        let documents = documents(value, "a table page")?;
        let is_done = matches!(value.get_path(["isDone"]), Some(Value::Boolean(true)));
        let continue_cursor = value
            .get_path(["continueCursor"])
            .and_then(Value::as_str)
            .filter(|_| !is_done)
            .map(str::to_owned);
        Ok(Self { documents, is_done, continue_cursor })
    }
}

impl Window {
    pub fn from_value(value: &Value) -> Result<Self, ClientError> {
        let documents = documents(value, "a table window")?;
        let total = value
            .get_path(["total"])
            .and_then(number)
            .ok_or_else(|| unexpected("a table window", value))?;
        Ok(Self { documents, total: total as u64 })
    }
}

/// Whether an error says the deployment has no such function (an Atrium extension asked
/// of a deployment that lacks it).
pub fn is_missing_function(error: &ClientError) -> bool {
    match error {
        ClientError::Function { message, .. } => {
            message.contains("Could not find") || message.contains("not found")
        }
        _ => false,
    }
}

impl DeploymentClient {
    /// Runs a dashboard query once.
    pub async fn dashboard(&self, query: &DashboardQuery) -> Result<Value, ClientError> {
        self.query(query.path(), &query.args()).await
    }

    /// The user tables' names, sorted.
    pub async fn table_names(&self) -> Result<Vec<String>, ClientError> {
        let mapping = self.dashboard(&DashboardQuery::TableMapping).await?;
        let Value::Object(mapping) = &mapping else {
            return Err(unexpected("the table mapping", &mapping));
        };
        let mut names: Vec<String> =
            mapping.values().filter_map(Value::as_str).map(str::to_owned).collect();
        names.sort();
        Ok(names)
    }

    pub async fn table_size(&self, table: &str) -> Result<u64, ClientError> {
        let value = self.dashboard(&DashboardQuery::TableSize { table: table.to_owned() }).await?;
        number(&value).map(|n| n as u64).ok_or_else(|| unexpected("a table size", &value))
    }

    /// Applies edits in one transaction (Atrium extension): all or nothing.
    pub async fn apply_writes(&self, writes: &[Write]) -> Result<Value, ClientError> {
        let args =
            object(vec![("writes", Value::Array(writes.iter().map(Write::to_value).collect()))]);
        self.mutation("_system/atrium/applyWrites:default", &args).await
    }

    /// Applies edits one call at a time with Convex's own dashboard mutations, for a
    /// deployment without `applyWrites`: not atomic; stops at the first failure.
    pub async fn apply_writes_one_by_one(&self, writes: &[Write]) -> Result<(), ClientError> {
        for write in writes {
            let (path, args) = match write {
                Write::Insert { table, document } => (
                    "_system/frontend/addDocument:default",
                    object(vec![
                        ("table", Value::from(table.as_str())),
                        ("documents", Value::Array(vec![document.clone()])),
                    ]),
                ),
                Write::Patch { table, id, fields } => (
                    "_system/frontend/patchDocumentsFields:default",
                    object(vec![
                        ("table", Value::from(table.as_str())),
                        ("fields", fields.clone()),
                        ("ids", Value::Array(vec![Value::from(id.as_str())])),
                    ]),
                ),
                Write::Replace { id, document } => (
                    "_system/frontend/replaceDocument:default",
                    object(vec![("id", Value::from(id.as_str())), ("document", document.clone())]),
                ),
                Write::Delete { id } => (
                    "_system/frontend/deleteDocuments:default",
                    object(vec![(
                        "toDelete",
                        Value::Array(vec![object(vec![("id", Value::from(id.as_str()))])]),
                    )]),
                ),
            };
            self.mutation(path, &args).await?;
        }
        Ok(())
    }

    /// Deletes up to 4,000 of a table's oldest documents; `true` while more remain.
    pub async fn clear_table_page(&self, table: &str) -> Result<(u64, bool), ClientError> {
        let value = self
            .mutation(
                "_system/frontend/clearTablePage:default",
                &object(vec![("tableName", Value::from(table)), ("cursor", Value::Null)]),
            )
            .await?;
        let deleted = value.get_path(["deleted"]).and_then(number).unwrap_or(0.0) as u64;
        let more = matches!(value.get_path(["hasMore"]), Some(Value::Boolean(true)));
        Ok((deleted, more))
    }

    pub async fn create_table(&self, table: &str) -> Result<(), ClientError> {
        self.mutation(
            "_system/frontend/createTable:default",
            &object(vec![("table", Value::from(table))]),
        )
        .await
        .map(|_| ())
    }
}

impl DeploymentClient {
    /// Atrium's subscription inspector (`GET /api/atrium/subscriptions`): `None` when the
    /// deployment has no such endpoint (a Convex deployment does not).
    pub async fn live_subscriptions(&self) -> Result<Option<LiveSubscriptions>, ClientError> {
        self.extension(self.http.get(self.endpoint("atrium/subscriptions"))).await
    }

    /// Runs a mutation without committing it (Atrium's `POST /api/atrium/dry_run`): its
    /// result and write set, or `None` when the deployment cannot dry-run (a Convex
    /// deployment).
    pub async fn dry_run(
        &self,
        path: &str,
        args: &Value,
    ) -> Result<Option<DryRunResponse>, ClientError> {
        let body = DryRunRequest { path: path.to_owned(), args: atrium_value::json::to_json(args) };
        self.extension(self.http.post(self.endpoint("atrium/dry_run")).json(&body)).await
    }

    /// A function module's source (Atrium's `GET /api/atrium/module_source`), or `None`
    /// when the deployment does not serve sources (or has no such module).
    pub async fn module_source(&self, module: &str) -> Result<Option<ModuleSource>, ClientError> {
        let request =
            self.http.get(self.endpoint("atrium/module_source")).query(&[("module", module)]);
        self.extension(request).await
    }
}
