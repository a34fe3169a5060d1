//! [`SearchIndex`]: one search index — a tantivy index in memory with its exact BM25
//! statistics and the documents changed recently — and how a commit's document writes
//! become index writes and read-set keys.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Arc, RwLock};

use atrium_value::{DocumentId, Value};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::Value as _;
use tantivy::schema::{
    BytesOptions, Field, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::text::{SearchEntry, SearchRead, Stats, TOKENIZER, analyzer, filter_key, tokenize};
use super::{SearchIndexInfo, SearchIndexSpec};
use crate::catalog::path;
use crate::subscriptions::WrittenKey;
use crate::{Document, EngineError, IndexId, Timestamp};

/// How many recent changes an index remembers for searches at older snapshots.
const RECENT_CHANGES: usize = 10_000;
/// Memory tantivy's writer may buffer before it flushes a segment.
const WRITER_MEMORY: usize = 64 << 20;

/// One document version as the index holds it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Indexed {
    pub(crate) text: String,
    pub(crate) tokens: Vec<String>,
    pub(crate) filters: Vec<Vec<u8>>,
    pub(crate) creation_time: f64,
}

impl Indexed {
    pub(crate) fn entry(&self) -> SearchEntry {
        SearchEntry { terms: self.tokens.iter().cloned().collect(), filters: self.filters.clone() }
    }
}

/// A document's text and filter values, when its search field is a string (otherwise it
/// is not indexed, as in Convex).
pub(crate) fn indexed_of(spec: &SearchIndexSpec, document: &Document) -> Option<Indexed> {
    let Some(Value::String(text)) = document.field(&path(&spec.search_field)) else {
        return None;
    };
    let filters =
        spec.filter_fields.iter().map(|f| filter_key(document.field(&path(f)).as_ref())).collect();
    Some(Indexed { tokens: tokenize(&text), text, filters, creation_time: document.creation_time })
}

/// One document's change to one search index in a commit.
#[derive(Debug, Clone)]
pub(crate) struct SearchWrite {
    pub(crate) index: IndexId,
    pub(crate) id: DocumentId,
    pub(crate) old: Option<Indexed>,
    pub(crate) new: Option<Indexed>,
}

struct Fields {
    id: Field,
    text: Field,
    creation_time: Field,
    filters: Vec<Field>,
}

pub(crate) struct SearchIndex {
    pub(crate) info: SearchIndexInfo,
    writer: IndexWriter,
    reader: IndexReader,
    fields: Fields,
    pub(crate) stats: Stats,
    /// Documents changed by recent commits, oldest first.
    recent: VecDeque<(Timestamp, DocumentId)>,
    /// Changes at or before this timestamp are no longer in `recent`.
    pub(crate) forgotten_until: Timestamp,
    pub(crate) build_ms: f64,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").field("info", &self.info).finish_non_exhaustive()
    }
}

fn tantivy_error(error: tantivy::TantivyError) -> EngineError {
    EngineError::Corrupt(format!("search index: {error}"))
}

impl SearchIndex {
    /// An empty index; every change up to `ts` is in it.
    pub(crate) fn new(info: SearchIndexInfo, ts: Timestamp) -> Result<Self, EngineError> {
        let mut builder = Schema::builder();
        let id = builder.add_bytes_field("id", BytesOptions::default().set_indexed().set_stored());
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqs);
        let text = builder.add_text_field(
            "text",
            TextOptions::default().set_indexing_options(indexing).set_stored(),
        );
        let creation_time = builder.add_f64_field("creation_time", STORED);
        let filters = (0..info.spec.filter_fields.len())
            .map(|i| {
                builder.add_bytes_field(
                    &format!("filter{i}"),
                    BytesOptions::default().set_indexed().set_stored(),
                )
            })
            .collect();
        let index = Index::create_in_ram(builder.build());
        index.tokenizers().register(TOKENIZER, analyzer());
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY).map_err(tantivy_error)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(tantivy_error)?;
        Ok(Self {
            info,
            writer,
            reader,
            fields: Fields { id, text, creation_time, filters },
            stats: Stats::default(),
            recent: VecDeque::new(),
            forgotten_until: ts,
            build_ms: 0.0,
        })
    }

    fn id_term(&self, id: &DocumentId) -> Term {
        Term::from_field_bytes(self.fields.id, &id.internal)
    }

    /// Adds a document version (not yet visible: see [`SearchIndex::publish`]).
    pub(crate) fn add(&mut self, id: &DocumentId, indexed: &Indexed) -> Result<(), EngineError> {
        let mut doc = TantivyDocument::default();
        doc.add_bytes(self.fields.id, &id.internal);
        doc.add_text(self.fields.text, &indexed.text);
        doc.add_f64(self.fields.creation_time, indexed.creation_time);
        for (field, value) in self.fields.filters.iter().zip(&indexed.filters) {
            doc.add_bytes(*field, value);
        }
        self.writer.add_document(doc).map_err(tantivy_error)?;
        self.stats.add(&indexed.tokens, 1);
        Ok(())
    }

    fn apply(&mut self, write: &SearchWrite, ts: Timestamp) -> Result<(), EngineError> {
        if let Some(old) = &write.old {
            self.writer.delete_term(self.id_term(&write.id));
            self.stats.add(&old.tokens, -1);
        }
        if let Some(new) = &write.new {
            self.add(&write.id, new)?;
        }
        self.recent.push_back((ts, write.id));
        while self.recent.len() > RECENT_CHANGES {
            if let Some((old_ts, _)) = self.recent.pop_front() {
                self.forgotten_until = old_ts;
            }
        }
        Ok(())
    }

    /// Makes added and deleted documents visible to searches.
    pub(crate) fn publish(&mut self) -> Result<(), EngineError> {
        self.writer.commit().map_err(tantivy_error)?;
        self.reader.reload().map_err(tantivy_error)
    }

    /// Documents changed by commits after `snapshot` (`None`: the index no longer
    /// remembers that far back).
    pub(crate) fn changed_after(&self, snapshot: Timestamp) -> Option<Vec<DocumentId>> {
        if snapshot < self.forgotten_until {
            return None;
        }
        Some(
            self.recent
                .iter()
                .rev()
                .take_while(|(ts, _)| *ts > snapshot)
                .map(|(_, id)| *id)
                .collect(),
        )
    }

    /// The indexed documents matching `read` (some query term, every filter), best
    /// `limit` by tantivy's own scoring, as they are at the latest commit.
    pub(crate) fn candidates(
        &self,
        read: &SearchRead,
        terms: &BTreeMap<String, f64>,
        limit: usize,
    ) -> Result<Vec<(DocumentId, Indexed)>, EngineError> {
        if terms.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let text: Vec<(Occur, Box<dyn Query>)> = terms
            .iter()
            .map(|(term, weight)| {
                let query = TermQuery::new(
                    Term::from_field_text(self.fields.text, term),
                    IndexRecordOption::WithFreqs,
                );
                let boosted: Box<dyn Query> =
                    Box::new(BoostQuery::new(Box::new(query), *weight as f32));
                (Occur::Should, boosted)
            })
            .collect();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(BooleanQuery::new(text)))];
        for (position, value) in &read.filters {
            let Some(field) = self.fields.filters.get(*position) else { continue };
            let query =
                TermQuery::new(Term::from_field_bytes(*field, value), IndexRecordOption::Basic);
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(query), 0.0))));
        }
        let searcher = self.reader.searcher();
        let top = searcher
            .search(&BooleanQuery::new(clauses), &TopDocs::with_limit(limit).order_by_score())
            .map_err(tantivy_error)?;
        let mut found = Vec::with_capacity(top.len());
        for (_, address) in top {
            let doc: TantivyDocument = searcher.doc(address).map_err(tantivy_error)?;
            let internal: [u8; 16] = doc
                .get_first(self.fields.id)
                .and_then(|v| v.as_bytes())
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| EngineError::Corrupt("search index entry without an ID".into()))?;
            let text = doc.get_first(self.fields.text).and_then(|v| v.as_str()).unwrap_or("");
            let creation_time =
                doc.get_first(self.fields.creation_time).and_then(|v| v.as_f64()).unwrap_or(0.0);
            let filters = self
                .fields
                .filters
                .iter()
                .map(|f| doc.get_first(*f).and_then(|v| v.as_bytes()).unwrap_or(&[]).to_vec())
                .collect();
            let id = DocumentId { table: self.info.table, internal };
            found.push((
                id,
                Indexed { tokens: tokenize(text), text: text.to_owned(), filters, creation_time },
            ));
        }
        Ok(found)
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        let searcher = self.reader.searcher();
        let segments: usize = searcher
            .segment_readers()
            .iter()
            .map(|s| s.space_usage().map_or(0, |u| u.total().get_bytes() as usize))
            .sum();
        let terms: usize = self.stats.frequencies.keys().map(|t| t.len() + 40).sum();
        segments + terms
    }
}

pub(crate) type SearchIndexes = BTreeMap<IndexId, Arc<RwLock<SearchIndex>>>;

/// The search writes and read-set keys of one document write (none when neither version
/// is indexed, or both index the same).
pub(crate) fn stage_search_writes(
    index: &SearchIndex,
    table: &str,
    id: &DocumentId,
    old: Option<&Document>,
    new: Option<&Document>,
    out: &mut Vec<SearchWrite>,
    written: &mut Vec<WrittenKey>,
) {
    let spec = &index.info.spec;
    let old = old.and_then(|d| indexed_of(spec, d));
    let new = new.and_then(|d| indexed_of(spec, d));
    if old == new {
        return;
    }
    for version in [&old, &new].into_iter().flatten() {
        written.push(WrittenKey {
            index: index.info.id,
            key: Some(Vec::new()),
            table: table.to_owned(),
            document: Some(*id),
            search: Some(Arc::new(version.entry())),
        });
    }
    out.push(SearchWrite { index: index.info.id, id: *id, old, new });
}

/// Applies a commit's search writes (already stored as documents) to the indexes and
/// publishes them. Runs under the commit lock, so the next transaction's searches see them.
pub(crate) fn apply_commit(indexes: &SearchIndexes, writes: Vec<SearchWrite>, ts: Timestamp) {
    if writes.is_empty() {
        return;
    }
    let mut touched = BTreeSet::new();
    for write in &writes {
        if let Some(index) = indexes.get(&write.index) {
            touched.insert(write.index);
            if let Err(error) = index.write().unwrap().apply(write, ts) {
                tracing::error!("search index {}: {error}", write.index.0);
            }
        }
    }
    for id in &touched {
        if let Err(error) = indexes[id].write().unwrap().publish() {
            tracing::error!("search index {}: {error}", id.0);
        }
    }
}
