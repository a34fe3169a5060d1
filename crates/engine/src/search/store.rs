//! Search indexes on disk: where each one's tantivy directory lives, what its commits
//! record, building one in bulk, and its BM25 statistics read back from its postings.
//!
//! Each index is a tantivy index in `<database>.search/t<table number>-<index name>/`.
//! Every tantivy commit carries a payload naming the definition it was built for and the
//! engine timestamp it covers; tantivy writes a commit's segments (synced) before it
//! atomically replaces `meta.json`, so after a crash the directory holds exactly some
//! earlier commit, and the engine catches up from SQLite from the timestamp that commit
//! names. A build writes into `.build-t<n>-<name>/` and is renamed into place once it is
//! committed, so a killed build leaves only a leftover that the next open removes.
//!
//! It must not know the engine's commit path or its locks (`engine_api.rs` and `index.rs`
//! decide when to build, open and publish).

use std::path::{Path, PathBuf};

use atrium_value::DocumentId;
use serde_json::{Value as Json, json};
use tantivy::postings::Postings;
use tantivy::schema::{
    BytesOptions, Field, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{DocSet, Index, IndexWriter, Searcher, TERMINATED, TantivyDocument};

use super::SearchIndexInfo;
use super::text::{Indexed, Stats, TOKENIZER, analyzer};
use crate::{Catalog, EngineError, Timestamp};

/// The version of the on-disk layout; a directory of another version is rebuilt.
const FORMAT: u64 = 1;
/// Memory a bulk build's writer may buffer before it flushes segments (split among its
/// threads; tantivy wants at least 15 MB per thread).
const BUILD_MEMORY_PER_THREAD: usize = 128 << 20;

pub(crate) fn tantivy_error(error: tantivy::TantivyError) -> EngineError {
    EngineError::Corrupt(format!("search index: {error}"))
}

fn io_error(path: &Path, error: std::io::Error) -> EngineError {
    EngineError::Corrupt(format!("search index directory {}: {error}", path.display()))
}

/// The folder holding a deployment's search indexes.
pub(crate) fn root(database: &Path) -> PathBuf {
    database.with_extension("search")
}

/// The directory of an index.
pub(crate) fn index_dir(root: &Path, info: &SearchIndexInfo) -> PathBuf {
    root.join(format!("t{}-{}", info.table.0, info.name))
}

fn build_dir(root: &Path, info: &SearchIndexInfo) -> PathBuf {
    root.join(format!(".build-t{}-{}", info.table.0, info.name))
}

/// Removes what a killed build left, and the indexes of tables that no longer exist
/// (dropped while their index could not be removed). Run at open, before any index is.
pub(crate) fn remove_leftovers(root: &Path, catalog: &Catalog) {
    let Ok(entries) = std::fs::read_dir(root) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let table_exists = name
            .strip_prefix('t')
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(n, _)| n.parse::<u32>().ok())
            .is_some_and(|n| catalog.table_name(atrium_value::TableNumber(n)).is_some());
        if name.starts_with(".build-") || !table_exists {
            remove(&entry.path());
        }
    }
}

/// Removes an index's directory (logged, not fatal: the next open removes leftovers).
pub(crate) fn remove(dir: &Path) {
    if let Err(error) = std::fs::remove_dir_all(dir)
        && error.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!("cannot remove search index directory {}: {error}", dir.display());
    }
}

/// The definition an index's commits record.
fn definition(info: &SearchIndexInfo, table: &str) -> Json {
    json!({
        "format": FORMAT,
        "table": table,
        "tableNumber": info.table.0,
        "index": info.name,
        "searchField": info.spec.search_field,
        "filterFields": info.spec.filter_fields,
    })
}

/// What a commit of an index records: its definition and the engine timestamp it covers.
pub(crate) fn payload(info: &SearchIndexInfo, table: &str, ts: Timestamp) -> String {
    let mut value = definition(info, table);
    value["ts"] = Json::String(ts.0.to_string());
    value.to_string()
}

/// The timestamp a stored commit covers, when it was made for this very definition.
pub(crate) fn covered_ts(
    payload: Option<&str>,
    info: &SearchIndexInfo,
    table: &str,
) -> Result<Timestamp, String> {
    let payload = payload.ok_or("its last commit records no definition")?;
    let mut stored: Json = serde_json::from_str(payload).map_err(|e| e.to_string())?;
    let ts = stored.as_object_mut().and_then(|o| o.remove("ts"));
    if stored != definition(info, table) {
        return Err(format!("it was built for another definition ({payload})"));
    }
    ts.as_ref()
        .and_then(Json::as_str)
        .and_then(|t| t.parse::<u64>().ok())
        .map(Timestamp)
        .ok_or_else(|| format!("its last commit names no timestamp ({payload})"))
}

/// The fields of an index's tantivy documents.
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    pub(crate) id: Field,
    pub(crate) text: Field,
    pub(crate) creation_time: Field,
    pub(crate) filters: Vec<Field>,
}

/// The tantivy schema of an index with `filters` filter fields.
pub(crate) fn schema(filters: usize) -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let id = builder.add_bytes_field("id", BytesOptions::default().set_indexed().set_stored());
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(TOKENIZER)
        .set_index_option(IndexRecordOption::WithFreqs);
    let text = builder
        .add_text_field("text", TextOptions::default().set_indexing_options(indexing).set_stored());
    let creation_time = builder.add_f64_field("creation_time", STORED);
    let filters = (0..filters)
        .map(|i| {
            builder.add_bytes_field(
                &format!("filter{i}"),
                BytesOptions::default().set_indexed().set_stored(),
            )
        })
        .collect();
    (builder.build(), Fields { id, text, creation_time, filters })
}

/// A document version as a tantivy document.
pub(crate) fn document(fields: &Fields, id: &DocumentId, indexed: &Indexed) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_bytes(fields.id, &id.internal);
    doc.add_text(fields.text, &indexed.text);
    doc.add_f64(fields.creation_time, indexed.creation_time);
    for (field, value) in fields.filters.iter().zip(&indexed.filters) {
        doc.add_bytes(*field, value);
    }
    doc
}

/// Opens a stored index, checking it has the schema its definition needs.
pub(crate) fn open(dir: &Path, filters: usize) -> Result<(Index, Fields), EngineError> {
    if !dir.join("meta.json").exists() {
        return Err(EngineError::Corrupt(format!("{} holds no search index", dir.display())));
    }
    let index = Index::open_in_dir(dir).map_err(tantivy_error)?;
    let (expected, fields) = schema(filters);
    if index.schema() != expected {
        return Err(EngineError::Corrupt("the stored search index has another schema".into()));
    }
    index.tokenizers().register(TOKENIZER, analyzer());
    Ok((index, fields))
}

/// An index being built in bulk: a multi-threaded writer with a large buffer, in a
/// directory of its own until [`Build::finish`] moves it into place.
pub(crate) struct Build {
    dir: PathBuf,
    target: PathBuf,
    writer: IndexWriter,
    fields: Fields,
    pub(crate) stats: Stats,
}

impl Build {
    pub(crate) fn start(root: &Path, info: &SearchIndexInfo) -> Result<Self, EngineError> {
        let dir = build_dir(root, info);
        remove(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
        let (schema, fields) = schema(info.spec.filter_fields.len());
        let index = Index::create_in_dir(&dir, schema).map_err(tantivy_error)?;
        index.tokenizers().register(TOKENIZER, analyzer());
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
        let writer = index
            .writer_with_num_threads(threads, threads * BUILD_MEMORY_PER_THREAD)
            .map_err(tantivy_error)?;
        Ok(Self { dir, target: index_dir(root, info), writer, fields, stats: Stats::default() })
    }

    pub(crate) fn add(&mut self, id: &DocumentId, indexed: &Indexed) -> Result<(), EngineError> {
        self.writer.add_document(document(&self.fields, id, indexed)).map_err(tantivy_error)?;
        self.stats.add(&indexed.tokens, 1);
        Ok(())
    }

    /// Commits the build (recording `payload`), waits for its merges and moves it into
    /// place, replacing what was there. Returns its statistics.
    pub(crate) fn finish(mut self, payload: &str) -> Result<Stats, EngineError> {
        let mut commit = self.writer.prepare_commit().map_err(tantivy_error)?;
        commit.set_payload(payload);
        commit.commit().map_err(tantivy_error)?;
        self.writer.wait_merging_threads().map_err(tantivy_error)?;
        remove(&self.target);
        std::fs::rename(&self.dir, &self.target).map_err(|e| io_error(&self.target, e))?;
        if let Some(parent) = self.target.parent()
            && let Ok(parent) = std::fs::File::open(parent)
        {
            // The rename itself is durable once the folder is synced.
            let _ = parent.sync_all();
        }
        Ok(self.stats)
    }
}

/// An index's exact BM25 statistics read back from its postings (live documents only).
pub(crate) fn stats_of(searcher: &Searcher, text: Field) -> Result<Stats, EngineError> {
    let mut stats = Stats { documents: searcher.num_docs(), ..Stats::default() };
    let io = |e: std::io::Error| EngineError::Corrupt(format!("search index: {e}"));
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(text).map_err(tantivy_error)?;
        let alive = segment.alive_bitset();
        let mut terms = inverted.terms().stream().map_err(io)?;
        while terms.advance() {
            let mut postings = inverted
                .read_postings_from_terminfo(terms.value(), IndexRecordOption::WithFreqs)
                .map_err(io)?;
            let (mut documents, mut tokens) = (0u64, 0u64);
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    documents += 1;
                    tokens += u64::from(postings.term_freq());
                }
                doc = postings.advance();
            }
            if documents > 0 {
                let term = std::str::from_utf8(terms.key()).map_err(|_| {
                    EngineError::Corrupt("search index: a term is not UTF-8".into())
                })?;
                *stats.frequencies.entry(term.to_owned()).or_default() += documents;
                stats.tokens += tokens;
            }
        }
    }
    Ok(stats)
}
