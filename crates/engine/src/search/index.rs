//! [`SearchIndex`]: one search index — a tantivy index stored on disk ([`super::store`])
//! with its exact BM25 statistics and the documents changed recently — and how a commit's
//! document writes become index writes and read-set keys.
//!
//! A commit puts its changes in the index's writer; they are *published* (a tantivy
//! commit: synced to disk and visible to searches) by the commit once [`PUBLISH_CHANGES`]
//! wait, or by the engine's idle publisher once they waited [`PUBLISH_AFTER`]: a commit
//! does not pay for a tantivy commit unless its writer is full.
//! Searches read documents changed after the published commit from storage instead
//! (`query.rs`), so they still see every commit.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use atrium_value::{DocumentId, Value};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::schema::Value as _;
use tantivy::{IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::store::{self, Fields, tantivy_error};
use super::text::{Indexed, SearchRead, Stats, filter_key, tokenize};
use super::{SearchIndexInfo, SearchIndexSpec};
use crate::catalog::path;
use crate::persistence::SqlitePersistence;
use crate::subscriptions::WrittenKey;
use crate::{Document, EngineError, IndexId, Timestamp};

/// How many recent changes an index remembers for searches at older snapshots.
const RECENT_CHANGES: usize = 10_000;
/// Memory tantivy's writer may buffer before it flushes a segment.
const WRITER_MEMORY: usize = 32 << 20;
/// A commit publishes an index once this many changes wait in its writer...
const PUBLISH_CHANGES: usize = 1000;
/// ...and the engine's idle publisher once changes have waited this long.
pub(crate) const PUBLISH_AFTER: Duration = Duration::from_millis(500);

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

pub(crate) struct SearchIndex {
    pub(crate) info: SearchIndexInfo,
    /// The table's name, recorded in each stored commit.
    table: String,
    pub(crate) dir: PathBuf,
    writer: IndexWriter,
    reader: IndexReader,
    fields: Fields,
    pub(crate) stats: Stats,
    /// Documents changed by recent commits, oldest first.
    recent: VecDeque<(Timestamp, DocumentId)>,
    /// Changes at or before this timestamp are no longer in `recent`.
    pub(crate) forgotten_until: Timestamp,
    /// Searches (and the stored directory) see every change up to this commit; later
    /// ones are in the writer only, and searches read their documents from storage.
    pub(crate) published_ts: Timestamp,
    /// The newest commit whose changes are in the writer.
    applied_ts: Timestamp,
    /// Changes in the writer since the last publish.
    pending: usize,
    last_publish: Instant,
    pub(crate) build_ms: f64,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").field("info", &self.info).finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Opens the index stored in `dir`, made for this definition (`stats`: its statistics
    /// when known, otherwise read from its postings). Returns it with the timestamp it
    /// covers; bring it up to date with [`SearchIndex::catch_up`].
    pub(crate) fn open(
        info: SearchIndexInfo,
        table: &str,
        dir: &Path,
        stats: Option<Stats>,
    ) -> Result<(Self, Timestamp), EngineError> {
        let (index, fields) = store::open(dir, info.spec.filter_fields.len())?;
        let meta = index.load_metas().map_err(tantivy_error)?;
        let covered = store::covered_ts(meta.payload.as_deref(), &info, table)
            .map_err(|why| EngineError::Corrupt(format!("stored search index: {why}")))?;
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY).map_err(tantivy_error)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(tantivy_error)?;
        let stats = match stats {
            Some(stats) => stats,
            None => store::stats_of(&reader.searcher(), fields.text)?,
        };
        let index = Self {
            info,
            table: table.to_owned(),
            dir: dir.to_owned(),
            writer,
            reader,
            fields,
            stats,
            recent: VecDeque::new(),
            forgotten_until: covered,
            published_ts: covered,
            applied_ts: covered,
            pending: 0,
            last_publish: Instant::now(),
            build_ms: 0.0,
        };
        Ok((index, covered))
    }

    fn id_term(&self, id: &DocumentId) -> Term {
        Term::from_field_bytes(self.fields.id, &id.internal)
    }

    /// Adds a document version (not yet visible: see [`SearchIndex::publish`]).
    fn add(&mut self, id: &DocumentId, indexed: &Indexed) -> Result<(), EngineError> {
        self.writer
            .add_document(store::document(&self.fields, id, indexed))
            .map_err(tantivy_error)?;
        self.stats.add(&indexed.tokens, 1);
        self.pending += 1;
        Ok(())
    }

    fn remove(&mut self, id: &DocumentId, old: &Indexed) {
        self.writer.delete_term(self.id_term(id));
        self.stats.add(&old.tokens, -1);
        self.pending += 1;
    }

    fn apply(&mut self, write: &SearchWrite, ts: Timestamp) -> Result<(), EngineError> {
        if let Some(old) = &write.old {
            self.remove(&write.id, old);
        }
        if let Some(new) = &write.new {
            self.add(&write.id, new)?;
        }
        self.applied_ts = self.applied_ts.max(ts);
        self.recent.push_back((ts, write.id));
        while self.recent.len() > RECENT_CHANGES {
            if let Some((old_ts, _)) = self.recent.pop_front() {
                self.forgotten_until = old_ts;
            }
        }
        Ok(())
    }

    /// Commits the writer's changes as covering every commit up to `ts` (stored durably,
    /// with `ts` in the commit) and makes them visible to searches.
    pub(crate) fn publish(&mut self, ts: Timestamp) -> Result<(), EngineError> {
        let ts = ts.max(self.applied_ts);
        let mut commit = self.writer.prepare_commit().map_err(tantivy_error)?;
        commit.set_payload(&store::payload(&self.info, &self.table, ts));
        commit.commit().map_err(tantivy_error)?;
        self.reader.reload().map_err(tantivy_error)?;
        self.published_ts = ts;
        self.applied_ts = ts;
        self.pending = 0;
        self.last_publish = Instant::now();
        Ok(())
    }

    /// Whether the writer holds so many changes that the commit itself publishes them;
    /// changes that only waited long are the idle publisher's, off the commit's path (a
    /// publish syncs files to disk, ~15 ms, which a mutation's reply would wait for).
    fn publish_due(&self) -> bool {
        self.pending >= PUBLISH_CHANGES
    }

    /// Publishes changes that have waited long enough (the engine's idle publisher).
    pub(crate) fn publish_if_idle(&mut self) -> Result<(), EngineError> {
        if self.pending > 0 && self.last_publish.elapsed() >= PUBLISH_AFTER {
            self.publish(self.applied_ts)?;
        }
        Ok(())
    }

    /// Whether the writer holds changes not yet published.
    pub(crate) fn has_pending(&self) -> bool {
        self.pending > 0
    }

    /// Brings an index that covers commits up to `from` up to `to`: every document of its
    /// table changed after `from` is read again at `to` (run it under the commit lock, with
    /// `to` the latest commit). Publishes; returns how many documents changed.
    pub(crate) fn catch_up(
        &mut self,
        persistence: &SqlitePersistence,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<usize, EngineError> {
        let mut changed = 0;
        for id in persistence.documents_changed_after(self.info.table, from)? {
            let old = self.stored_version(&id)?;
            let new = persistence
                .revision_at(&id, to)?
                .and_then(|r| r.document)
                .and_then(|d| indexed_of(&self.info.spec, &d));
            if old == new {
                continue;
            }
            changed += 1;
            if let Some(old) = &old {
                self.remove(&id, old);
            }
            if let Some(new) = &new {
                self.add(&id, new)?;
            }
        }
        self.publish(to)?;
        Ok(changed)
    }

    /// The version of a document the published index holds.
    fn stored_version(&self, id: &DocumentId) -> Result<Option<Indexed>, EngineError> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(self.id_term(id), IndexRecordOption::Basic);
        let top = searcher
            .search(&query, &TopDocs::with_limit(1).order_by_score())
            .map_err(tantivy_error)?;
        match top.first() {
            Some((_, address)) => {
                let doc: TantivyDocument = searcher.doc(*address).map_err(tantivy_error)?;
                Ok(Some(self.indexed_of_doc(&doc)?.1))
            }
            None => Ok(None),
        }
    }

    fn indexed_of_doc(&self, doc: &TantivyDocument) -> Result<(DocumentId, Indexed), EngineError> {
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
        Ok((id, Indexed { tokens: tokenize(text), text: text.to_owned(), filters, creation_time }))
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
            found.push(self.indexed_of_doc(&doc)?);
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

/// Applies a commit's search writes (already stored as documents) to the indexes, and
/// publishes those with enough waiting changes. Runs under the commit lock, so the next
/// transaction's searches see them.
pub(crate) fn apply_commit(indexes: &SearchIndexes, writes: Vec<SearchWrite>, ts: Timestamp) {
    let mut by_index: BTreeMap<IndexId, Vec<SearchWrite>> = BTreeMap::new();
    for write in writes {
        by_index.entry(write.index).or_default().push(write);
    }
    for (id, writes) in by_index {
        let Some(index) = indexes.get(&id) else { continue };
        let mut index = index.write().unwrap();
        for write in &writes {
            if let Err(error) = index.apply(write, ts) {
                tracing::error!("search index {}: {error}", id.0);
            }
        }
        if index.publish_due()
            && let Err(error) = index.publish(ts)
        {
            tracing::error!("search index {}: {error}", id.0);
        }
    }
}

/// Publishes every index whose changes waited [`PUBLISH_AFTER`] (or, with `all`, any
/// waiting change, as the engine closes).
pub(crate) fn publish_waiting(indexes: &SearchIndexes, all: bool) {
    for index in indexes.values() {
        let mut index = index.write().unwrap();
        let result = if all && index.has_pending() {
            let ts = index.applied_ts;
            index.publish(ts)
        } else {
            index.publish_if_idle()
        };
        if let Err(error) = result {
            tracing::error!("search index {}: {error}", index.info.id.0);
        }
    }
}
