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
use atrium_protocol::convex_json;
use atrium_protocol::dashboard::{
    AddDocumentArgs, ApplyWritesArgs, ClearTablePage, ClearTablePageArgs, ComponentInstance,
    CreateTableArgs, DeleteDocumentsArgs, DocumentHistoryArgs, DocumentPage, DocumentRef,
    DocumentWrite, GetByIdArgs, IndexesArgs, NoArgs, PaginatedTableDocumentsArgs, PaginationOpts,
    PatchDocumentsFieldsArgs, ReplaceDocumentArgs, RestoreRevisionArgs, SortOrder, TableMapping,
    TableSizeArgs, TableWindow, TableWindowArgs, path,
};
use atrium_value::Value;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{ClientError, DeploymentClient};

/// The wire types a caller of these functions handles.
pub use atrium_protocol::dashboard::{
    Backfill, CronJobSpec as CronJob, IndexInfo, RangeExpr, RangeKind, Revision,
    Schemas as SchemaTexts,
};

/// A read-only dashboard function and its arguments.
#[derive(Debug, Clone, PartialEq)]
pub enum DashboardQuery {
    /// `{tableNumber: name}` of the user tables.
    TableMapping,
    /// The number of documents in a table.
    TableSize { table: String },
    /// Documents `offset..offset + limit` of a table in the order of `index` (creation
    /// time when `None`) within `range` (Convex's index range expressions; empty for all),
    /// and how many the range holds (Atrium extension).
    TableWindow {
        table: String,
        index: Option<String>,
        range: Vec<RangeExpr>,
        offset: u64,
        limit: usize,
        descending: bool,
    },
    /// One page of a table in creation order (Convex's dashboard query), or through
    /// `filters` (Convex's base64 filter expression, `atrium_protocol::table_filters`).
    TablePage {
        table: String,
        cursor: Option<String>,
        limit: usize,
        descending: bool,
        filters: Option<String>,
    },
    /// A document by ID (`null` when there is none).
    Document { id: String },
    /// A table's indexes with their fields and backfill state.
    Indexes { table: String },
    /// The schema in force (`{active: JSON text | null}`).
    Schemas,
    /// A document's revisions, newest first (Atrium extension).
    History { id: String, limit: usize },
}

fn order(descending: bool) -> SortOrder {
    if descending { SortOrder::Desc } else { SortOrder::Asc }
}

/// Arguments as the Convex object they stand for. Every argument type here holds only
/// strings, numbers and values that were Convex values already, so this cannot fail.
pub(crate) fn args_of<T: Serialize>(args: &T) -> Value {
    convex_json::to_value(args).expect("dashboard arguments are always Convex JSON")
}

fn unexpected(what: &str, value: &Value, reason: &str) -> ClientError {
    ClientError::NotADeployment {
        url: String::new(),
        reason: format!(
            "{what} has an unexpected shape ({reason}): {}",
            atrium_value::json::to_json(value)
        ),
    }
}

/// An answer read as `T`, or an error saying `what` had an unexpected shape.
pub(crate) fn decode<T: DeserializeOwned>(what: &str, value: &Value) -> Result<T, ClientError> {
    convex_json::from_value(value).map_err(|reason| unexpected(what, value, &reason))
}

impl DashboardQuery {
    pub fn path(&self) -> &'static str {
        match self {
            Self::TableMapping => path::TABLE_MAPPING,
            Self::TableSize { .. } => path::TABLE_SIZE,
            Self::TableWindow { .. } => path::TABLE_WINDOW,
            Self::TablePage { .. } => path::PAGINATED_TABLE_DOCUMENTS,
            Self::Document { .. } => path::GET_BY_ID,
            Self::Indexes { .. } => path::INDEXES,
            Self::Schemas => path::GET_SCHEMAS,
            Self::History { .. } => path::DOCUMENT_HISTORY,
        }
    }

    pub fn args(&self) -> Value {
        match self {
            Self::TableMapping | Self::Schemas => args_of(&NoArgs {}),
            Self::TableSize { table } => args_of(&TableSizeArgs { table_name: table.clone() }),
            Self::TableWindow { table, index, range, offset, limit, descending } => {
                args_of(&TableWindowArgs {
                    table: table.clone(),
                    index: index.clone(),
                    range: (!range.is_empty()).then(|| range.clone()),
                    offset: Some(*offset as f64),
                    num_items: Some(*limit as f64),
                    order: Some(order(*descending)),
                })
            }
            Self::TablePage { table, cursor, limit, descending, filters } => {
                args_of(&PaginatedTableDocumentsArgs {
                    pagination_opts: PaginationOpts {
                        num_items: Some(*limit as f64),
                        cursor: cursor.clone(),
                    },
                    table: table.clone(),
                    filters: filters.clone(),
                    order: Some(order(*descending)),
                })
            }
            Self::Document { id } => args_of(&GetByIdArgs { id: id.clone() }),
            Self::Indexes { table } => {
                args_of(&IndexesArgs { table_name: table.clone(), table_namespace: None })
            }
            Self::History { id, limit } => {
                args_of(&DocumentHistoryArgs { id: id.clone(), limit: Some(*limit as f64) })
            }
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
    /// As one of `applyWrites`'s writes (a patch names no table there).
    fn to_wire(&self) -> DocumentWrite {
        match self.clone() {
            Write::Insert { table, document } => DocumentWrite::Insert { table, document },
            Write::Patch { id, fields, .. } => DocumentWrite::Patch { id, fields },
            Write::Replace { id, document } => DocumentWrite::Replace { id, document },
            Write::Delete { id } => DocumentWrite::Delete { id },
        }
    }

    /// As a call to Convex's own dashboard mutation for it.
    fn to_frontend_call(&self) -> (&'static str, Value) {
        match self.clone() {
            Write::Insert { table, document } => {
                (path::ADD_DOCUMENT, args_of(&AddDocumentArgs { table, documents: vec![document] }))
            }
            Write::Patch { table, id, fields } => (
                path::PATCH_DOCUMENTS_FIELDS,
                args_of(&PatchDocumentsFieldsArgs { table, fields, ids: vec![id] }),
            ),
            Write::Replace { id, document } => {
                (path::REPLACE_DOCUMENT, args_of(&ReplaceDocumentArgs { id, document }))
            }
            Write::Delete { id } => (
                path::DELETE_DOCUMENTS,
                args_of(&DeleteDocumentsArgs {
                    to_delete: vec![DocumentRef { id, table_name: String::new() }],
                }),
            ),
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

impl Page {
    pub fn from_value(value: &Value) -> Result<Self, ClientError> {
        let page: DocumentPage = decode("a table page", value)?;
        let continue_cursor = page.continue_cursor.filter(|_| !page.is_done);
        Ok(Self { documents: page.page, is_done: page.is_done, continue_cursor })
    }
}

impl Window {
    pub fn from_value(value: &Value) -> Result<Self, ClientError> {
        let window: TableWindow = decode("a table window", value)?;
        Ok(Self { documents: window.page, total: window.total as u64 })
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
        let mapping: TableMapping = decode("the table mapping", &mapping)?;
        let mut names: Vec<String> = mapping.into_values().collect();
        names.sort();
        Ok(names)
    }

    pub async fn table_size(&self, table: &str) -> Result<u64, ClientError> {
        let value = self.dashboard(&DashboardQuery::TableSize { table: table.to_owned() }).await?;
        decode::<f64>("a table size", &value).map(|n| n as u64)
    }

    /// A table's indexes with their fields and backfill state.
    pub async fn indexes(&self, table: &str) -> Result<Vec<IndexInfo>, ClientError> {
        let value = self.dashboard(&DashboardQuery::Indexes { table: table.to_owned() }).await?;
        decode("the index list", &value)
    }

    /// The schema in force and one being validated, as Convex's schema JSON text.
    pub async fn schemas(&self) -> Result<SchemaTexts, ClientError> {
        decode("the schemas", &self.dashboard(&DashboardQuery::Schemas).await?)
    }

    /// A document's revisions, newest first (Atrium extension).
    pub async fn history(&self, id: &str, limit: usize) -> Result<Vec<Revision>, ClientError> {
        let query = DashboardQuery::History { id: id.to_owned(), limit };
        decode("a document history", &self.dashboard(&query).await?)
    }

    /// The deployment's component instances, the app's root included (`components:list`);
    /// none from a deployment that does not answer it.
    pub async fn components(&self) -> Result<Vec<ComponentInstance>, ClientError> {
        match self.query(path::COMPONENTS_LIST, &args_of(&NoArgs {})).await {
            Ok(value) => decode("the component list", &value),
            Err(error) if is_missing_function(&error) => Ok(Vec::new()),
            Err(error) => Err(error),
        }
    }

    /// The project's cron jobs (Atrium extension).
    pub async fn cron_jobs(&self) -> Result<Vec<CronJob>, ClientError> {
        let value = self.query(path::CRON_JOBS, &args_of(&NoArgs {})).await?;
        decode("the cron jobs", &value)
    }

    /// Puts a document back as it was at revision `ts` (Atrium extension).
    pub async fn restore_revision(&self, id: &str, ts: f64) -> Result<(), ClientError> {
        let args = args_of(&RestoreRevisionArgs { id: id.to_owned(), ts });
        self.mutation(path::RESTORE_REVISION, &args).await.map(|_| ())
    }

    /// Applies edits in one transaction (Atrium extension): all or nothing. The answer is
    /// `{inserted: [id, …]}` (`atrium_protocol::dashboard::AppliedWrites`).
    pub async fn apply_writes(&self, writes: &[Write]) -> Result<Value, ClientError> {
        let args =
            args_of(&ApplyWritesArgs { writes: writes.iter().map(Write::to_wire).collect() });
        self.mutation(path::APPLY_WRITES, &args).await
    }

    /// Applies edits one call at a time with Convex's own dashboard mutations, for a
    /// deployment without `applyWrites`: not atomic; stops at the first failure.
    pub async fn apply_writes_one_by_one(&self, writes: &[Write]) -> Result<(), ClientError> {
        for write in writes {
            let (path, args) = write.to_frontend_call();
            self.mutation(path, &args).await?;
        }
        Ok(())
    }

    /// Deletes up to 4,000 of a table's oldest documents; `true` while more remain.
    pub async fn clear_table_page(&self, table: &str) -> Result<(u64, bool), ClientError> {
        let args = args_of(&ClearTablePageArgs { table_name: table.to_owned(), cursor: None });
        let value = self.mutation(path::CLEAR_TABLE_PAGE, &args).await?;
        let answer: ClearTablePage = decode("a cleared table page", &value)?;
        Ok((answer.deleted as u64, answer.has_more))
    }

    pub async fn create_table(&self, table: &str) -> Result<(), ClientError> {
        let args = args_of(&CreateTableArgs { table: table.to_owned() });
        self.mutation(path::CREATE_TABLE, &args).await.map(|_| ())
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
