//! What can go wrong in the engine, each error naming what was wrong.

use atrium_value::DocumentId;
use atrium_value::limits::LimitError;

use crate::Timestamp;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// Another transaction committed a write this one had read. Retry the transaction.
    #[error(
        "Write conflict: a transaction committed at {ts:?} wrote {what} in table `{table}`, which this transaction read. Retry it."
    )]
    Conflict { table: String, what: String, ts: Timestamp },
    #[error("Table `{0}` does not exist")]
    TableNotFound(String),
    #[error("Index {0} not found.")]
    IndexNotFound(String),
    #[error("Index {index} already exists")]
    IndexExists { index: String },
    #[error("Document {0} does not exist")]
    DocumentNotFound(DocumentId),
    #[error("Invalid table name: {0}")]
    InvalidTableName(String),
    #[error("Invalid index: {0}")]
    InvalidIndex(String),
    /// A vector search that cannot run (its message is Convex's where Convex has one).
    #[error("{0}")]
    InvalidVectorQuery(String),
    /// A search that cannot run (Convex's message).
    #[error("{0}")]
    InvalidSearchQuery(String),
    #[error("Invalid index range: {0}")]
    InvalidRange(String),
    #[error("Invalid document: {0}")]
    InvalidDocument(#[from] LimitError),
    #[error("Invalid document: {0}")]
    InvalidDocumentFields(String),
    #[error(
        "Failed to insert or update a document in table \"{table}\" because it does not match the schema: {error}"
    )]
    SchemaViolation { table: String, error: atrium_value::validator::ValidationError },
    #[error("This transaction was already committed or aborted")]
    TransactionClosed,
    #[error("Storage error: {0}")]
    Storage(#[from] rusqlite::Error),
    /// The blob store (file storage's bytes on disk) failed.
    #[error("File storage error: {0}")]
    Files(String),
    #[error("The data file is damaged: {0}")]
    Corrupt(String),
    /// The function log store (in the same file) failed.
    #[error(transparent)]
    Logs(#[from] atrium_logs::LogError),
}

impl EngineError {
    /// Whether running the same transaction again may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, EngineError::Conflict { .. })
    }
}
