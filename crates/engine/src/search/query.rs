//! A search inside a transaction: the query compiled against its index with Convex's
//! checks and messages, recorded in the read set, and answered at the transaction's
//! snapshot plus its own writes.

use std::collections::BTreeSet;

use atrium_value::sort_key::sort_key;
use atrium_value::{DocumentId, Value};

use super::index::indexed_of;
use super::text::{Scorer, SearchRead, filter_key, scoring_terms, tokenize};
use super::{
    MAX_CANDIDATE_REVISIONS, MAX_FILTER_CONDITIONS, MAX_QUERY_TERMS, SearchCandidate,
    SearchIndexInfo, SearchQuery,
};
use crate::{Document, EngineError, Transaction};

fn invalid(message: String) -> EngineError {
    EngineError::InvalidSearchQuery(message)
}

/// Checks a search against its index and turns it into what it reads.
pub(crate) fn compile(
    query: &SearchQuery,
    info: &SearchIndexInfo,
) -> Result<SearchRead, EngineError> {
    let name = format!("{}.{}", query.table, query.index);
    let spec = &info.spec;
    let mut text: Option<&str> = None;
    for (field, value) in &query.search {
        if *field != spec.search_field {
            return Err(invalid(format!(
                "Search query against {name} contains a search filter against \"{field}\", which doesn't match the indexed `searchField` \"{}\".",
                spec.search_field
            )));
        }
        if text.is_some() {
            return Err(invalid(format!(
                "Search query against {name} contains multiple search filters against \"{field}\". Only one is allowed."
            )));
        }
        text = Some(value);
    }
    let mut filters = Vec::new();
    let mut shown_filters = Vec::new();
    for (field, value) in &query.filters {
        let Some(position) = spec.filter_fields.iter().position(|f| f == field) else {
            return Err(invalid(format!(
                "Search query against {name} contains an equality filter on \"{field}\" but that field isn't indexed for filtering in `filterFields`."
            )));
        };
        filters.push((position, filter_key(value.as_ref())));
        let shown = value
            .as_ref()
            .map_or_else(|| "undefined".to_owned(), |v| atrium_value::json::to_json(v).to_string());
        shown_filters.push((field.clone(), shown));
    }
    let Some(text) = text else {
        return Err(invalid(format!(
            "Search query against {name} does not contain any search filters. You must include a search filter like `q.search(\"{}\", searchText)`.",
            spec.search_field
        )));
    };
    if filters.len() > MAX_FILTER_CONDITIONS {
        return Err(invalid(format!(
            "Search query against {name} has too many filter conditions. Max: {MAX_FILTER_CONDITIONS} Actual: {}",
            filters.len()
        )));
    }
    let mut tokens = tokenize(text);
    tokens.truncate(MAX_QUERY_TERMS);
    let prefix = tokens.pop();
    Ok(SearchRead { index: info.id, terms: tokens, prefix, filters, shown_filters })
}

/// The position of a result in the result order, as an index key: score descending,
/// newest first, then ID.
fn result_key(score: f64, creation_time: f64, id: &DocumentId) -> Vec<u8> {
    let mut key = sort_key(&Value::Float64(-score));
    key.extend(sort_key(&Value::Float64(-creation_time)));
    key.extend(sort_key(&Value::Bytes(id.internal.to_vec())));
    key
}

impl Transaction {
    /// Runs a search at this transaction's snapshot (its own writes included): up to
    /// [`MAX_CANDIDATE_REVISIONS`] results in relevance order, their documents not yet
    /// read (read each with [`Transaction::get`]). The search is recorded in the read set.
    /// A table that does not exist has no results.
    pub fn search(&mut self, query: &SearchQuery) -> Result<Vec<SearchCandidate>, EngineError> {
        let Some(number) = self.table_number(&query.table) else { return Ok(Vec::new()) };
        let index = self
            .inner
            .searches
            .read()
            .unwrap()
            .values()
            .find(|i| {
                let i = i.read().unwrap();
                i.info.table == number && i.info.name == query.index
            })
            .cloned()
            .ok_or_else(|| {
                let name = format!("{}.{}", query.table, query.index);
                let key = (number, query.index.clone());
                if self.inner.search_builds.lock().unwrap().contains(&key) {
                    // Convex's `IndexBackfillingError`.
                    return EngineError::InvalidSearchQuery(format!(
                        "Index {name} is currently backfilling and not available to query yet."
                    ));
                }
                EngineError::IndexNotFound(name)
            })?;
        let info = index.read().unwrap().info.clone();
        let read = compile(query, &info)?;
        self.read_set.add_search(read.clone());
        if read.prefix.is_none() {
            return Ok(Vec::new());
        }
        let own: Vec<DocumentId> =
            self.writes.keys().filter(|id| id.table == number).copied().collect();
        let (scorer, indexed, changed) = {
            let index = index.read().unwrap();
            // Documents changed after the snapshot, or not yet published.
            let since = self.snapshot.min(index.published_ts);
            let changed = index.changed_after(since).ok_or_else(|| EngineError::Conflict {
                table: query.table.clone(),
                what: "more search index changes than the engine remembers".into(),
                ts: index.forgotten_until,
            })?;
            let weights = scoring_terms(&read, &index.stats);
            let scorer = Scorer::new(&weights, &index.stats);
            let limit = MAX_CANDIDATE_REVISIONS + changed.len() + own.len();
            (scorer, index.candidates(&read, &weights, limit)?, changed)
        };
        // Documents whose indexed version may not be the one this transaction sees.
        let overlay: BTreeSet<DocumentId> = changed.into_iter().chain(own).collect();
        let mut hits = Vec::new();
        let mut push = |id: DocumentId, tokens: &[String], creation_time: f64| {
            let score = scorer.score(tokens);
            if score > 0.0 {
                hits.push(SearchCandidate {
                    id,
                    score,
                    creation_time,
                    key: result_key(score, creation_time, &id),
                });
            }
        };
        for (id, entry) in indexed {
            if !overlay.contains(&id) {
                push(id, &entry.tokens, entry.creation_time);
            }
        }
        for id in overlay {
            let Some(document) = self.view(&id)? else { continue };
            let Some(entry) = indexed_of(&info.spec, &document) else { continue };
            let filters_match =
                read.filters.iter().all(|(i, value)| entry.filters.get(*i) == Some(value));
            if filters_match {
                push(id, &entry.tokens, entry.creation_time);
            }
        }
        hits.sort_by(|a, b| a.key.cmp(&b.key));
        hits.truncate(MAX_CANDIDATE_REVISIONS);
        Ok(hits)
    }

    /// The names of `table`'s search indexes.
    pub fn search_index_names(&self, table: &str) -> Vec<String> {
        let Some(number) = self.catalog.table(table).map(|t| t.number) else { return Vec::new() };
        let indexes = self.inner.searches.read().unwrap();
        let mut names: Vec<String> = indexes
            .values()
            .map(|i| i.read().unwrap())
            .filter(|i| i.info.table == number)
            .map(|i| i.info.name.clone())
            .collect();
        names.sort();
        names
    }

    /// The definition of `table`'s search index `index`, if it has one.
    pub fn search_index_spec(&self, table: &str, index: &str) -> Option<super::SearchIndexSpec> {
        let number = self.catalog.table(table)?.number;
        self.inner.searches.read().unwrap().values().find_map(|i| {
            let i = i.read().unwrap();
            (i.info.table == number && i.info.name == index).then(|| i.info.spec.clone())
        })
    }

    /// A document as this transaction sees it, without recording a read.
    fn view(&self, id: &DocumentId) -> Result<Option<Document>, EngineError> {
        Ok(match self.writes.get(id) {
            Some(write) => write.new.clone(),
            None => self.inner.persistence.revision_at(id, self.snapshot)?.and_then(|r| r.document),
        })
    }
}
