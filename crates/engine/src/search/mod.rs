//! Full-text search indexes: `searchIndex(name, { searchField, filterFields })`.
//!
//! Each index is a [`tantivy`] index stored in the data directory ([`store`]), plus exact
//! BM25 statistics (documents, tokens, document frequency per term) kept in memory beside
//! it. Commits change both under the commit lock, right after the SQLite transaction
//! succeeded, so a search never sees an uncommitted write and the next transaction sees
//! every committed one ([`index`]).
//!
//! **Persistence:** every tantivy commit records the engine timestamp it covers. When the
//! schema is applied after opening, an index stored for the same definition is opened and
//! the documents changed since that timestamp are read again from SQLite (the only source
//! of truth); an index that is missing, unreadable or built for another definition is
//! rebuilt. A build indexes the table at a snapshot without holding the commit lock, then
//! catches up with the commits made meanwhile. The schema push waits for it, as Convex's
//! does for a backfilling index, so no query ever reaches an index that is not ready.
//!
//! **Snapshots:** the tantivy index reflects the latest commit. A search inside a
//! transaction reads at the transaction's snapshot plus its own writes, as Convex's does:
//! documents changed after the snapshot (each index remembers recent changes) and
//! documents the transaction wrote are read at the transaction's view and scored there,
//! instead of their indexed version ([`query`]).
//!
//! **Semantics** ([`text`]): Convex's tokenizer (tantivy's simple tokenizer — split on
//! non-alphanumeric characters — terms of 32 bytes or more dropped, lowercased), at most
//! 16 query terms (the rest ignored), the last one also matching as a prefix (up to 16
//! completions, scored at half weight), BM25 relevance (k1 = 1.2, b = 0.75) ties broken
//! by newest first, `.eq` filters on `filterFields` (at most 8), at most 1024 results.
//! A search's read ([`SearchRead`]) is hit by a write whose old or new version matches a
//! query term and every filter, so subscriptions re-run for relevant writes only.
//!
//! It must not run JavaScript or know the query language's JSON (the runtime parses it).

mod engine_api;
pub(crate) mod index;
mod publisher;
pub(crate) mod query;
pub(crate) mod store;
pub mod text;

use atrium_value::names::check_identifier;
use atrium_value::{DocumentId, TableNumber, Value};
use serde_json::Value as Json;

pub(crate) use index::{SearchIndex, apply_commit, publish_waiting, stage_search_writes};
pub(crate) use publisher::start_publisher;
pub use text::{SearchEntry, SearchRead, tokenize};

use crate::{EngineError, IndexId};

/// Convex's bounds (its `crates/search/src/constants.rs`).
pub const MAX_QUERY_TERMS: usize = 16;
pub const MAX_TEXT_TERM_LENGTH: usize = 32;
pub const MAX_CANDIDATE_REVISIONS: usize = 1024;
pub const MAX_FILTER_CONDITIONS: usize = 8;
pub const MAX_PREFIX_MATCHES_PER_QUERY_TERM: usize = 16;
pub const MAX_FILTER_FIELDS: usize = 16;

/// What a schema declares for one search index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchIndexSpec {
    /// The string field searched (dotted for nested fields).
    pub search_field: String,
    pub filter_fields: Vec<String>,
}

impl SearchIndexSpec {
    /// Reads one entry of a table's exported `searchIndexes`.
    pub fn from_json(table: &str, json: &Json) -> Result<(String, SearchIndexSpec), String> {
        let name = json
            .get("indexDescriptor")
            .and_then(Json::as_str)
            .ok_or_else(|| format!("table `{table}`: a search index has no \"indexDescriptor\""))?;
        let what = format!("search index `{table}.{name}`");
        let search_field = json
            .get("searchField")
            .and_then(Json::as_str)
            .ok_or_else(|| format!("{what} has no \"searchField\""))?;
        let filter_fields = json
            .get("filterFields")
            .and_then(Json::as_array)
            .map(|fields| {
                fields
                    .iter()
                    .map(|f| {
                        f.as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| format!("{what}: filterFields must be strings"))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        let spec = SearchIndexSpec { search_field: search_field.to_owned(), filter_fields };
        spec.check(table, name).map_err(|e| e.to_string())?;
        Ok((name.to_owned(), spec))
    }

    /// Checks the definition as Convex does at schema push.
    pub fn check(&self, table: &str, name: &str) -> Result<(), EngineError> {
        let invalid = |why: String| EngineError::InvalidIndex(format!("`{table}.{name}`: {why}"));
        check_identifier("index", name).map_err(invalid)?;
        if self.filter_fields.len() > MAX_FILTER_FIELDS {
            return Err(invalid(format!(
                "at most {MAX_FILTER_FIELDS} filter fields are allowed, got {}",
                self.filter_fields.len()
            )));
        }
        for field in std::iter::once(&self.search_field).chain(&self.filter_fields) {
            for segment in field.split('.') {
                check_identifier("field", segment).map_err(invalid)?;
            }
        }
        Ok(())
    }
}

/// A search index as the engine knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchIndexInfo {
    pub id: IndexId,
    pub table: TableNumber,
    pub name: String,
    pub spec: SearchIndexSpec,
}

/// A search as `withSearchIndex(index, q => q.search(field, text).eq(f, v)…)` states it.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    pub table: String,
    pub index: String,
    /// `(field, text)` of each `q.search` (Convex allows exactly one).
    pub search: Vec<(String, String)>,
    /// `(field, value)` of each `.eq`; `None` is `undefined` (the field is missing).
    pub filters: Vec<(String, Option<Value>)>,
}

/// One search result before its document is read: relevance and the position in the
/// result order (`key` sorts like the results: score descending, newest first, then ID).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchCandidate {
    pub id: DocumentId,
    pub score: f64,
    pub creation_time: f64,
    pub key: Vec<u8>,
}

/// A search index's state, for inspectors.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchIndexStatus {
    pub table: String,
    pub info: SearchIndexInfo,
    /// Documents indexed (those whose search field is a string).
    pub documents: u64,
    /// Distinct terms.
    pub terms: usize,
    /// How long the index took to become ready (a build, or opening the stored index and
    /// catching it up), in milliseconds.
    pub build_ms: f64,
    /// Segments and term statistics, in bytes.
    pub memory_bytes: usize,
    /// `"ready"`: indexes are built before they serve; no other state is visible.
    pub state: &'static str,
}
