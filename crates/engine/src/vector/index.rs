//! [`VectorIndex`]: one vector index — its store, its graph (above the exact limit), the
//! documents it skipped — and how a commit's document writes become index writes.

use std::collections::{BTreeMap, HashMap};

use atrium_value::{DocumentId, Value};

use super::hnsw::Hnsw;
use super::store::{Scored, StoredVector, VectorStore, VectorsSnapshot, normalize};
use super::{
    MAX_RESULTS, SearchMethod, VectorIndexInfo, VectorIndexSpec, VectorQuery, VectorSearchOutcome,
};
use crate::catalog::path;
use crate::{Document, EngineError, IndexId};

/// Below this fraction of the index passing the filter, a filtered search scans the
/// passing vectors exactly instead of walking the graph.
const SELECTIVE_FILTER: f64 = 0.05;

/// One document's change to one vector index in a commit.
#[derive(Debug, Clone)]
pub struct VectorWrite {
    pub index: IndexId,
    pub id: DocumentId,
    /// The document's current slot, retired by this write.
    pub retire: Option<u32>,
    /// The new vector and the slot it takes.
    pub insert: Option<(u32, StoredVector)>,
    /// Why the new version is not indexed (`None`: it is, or it was deleted).
    pub skipped: Option<String>,
}

#[derive(Debug)]
pub(crate) struct VectorIndex {
    pub(crate) info: VectorIndexInfo,
    pub(crate) store: VectorStore,
    pub(crate) graph: Option<Hnsw>,
    /// Slots the stored graph covers (0: none stored).
    pub(crate) graph_saved: usize,
    pub(crate) skipped: BTreeMap<DocumentId, String>,
    pub(crate) build_ms: Option<f64>,
    /// A graph is being built in the background (searches are exact meanwhile).
    pub(crate) building: bool,
}

/// A document's vector and filter values, or why it is not indexed.
pub(crate) fn entry_of(
    spec: &VectorIndexSpec,
    document: &Document,
) -> Result<StoredVector, String> {
    let field = &spec.vector_field;
    let vector = match document.field(&path(field)) {
        None => return Err(format!("no `{field}` field")),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(format!(
                "`{field}` is a {}, not an array of float64",
                other.value_type().name()
            ));
        }
    };
    if vector.len() != spec.dimensions {
        return Err(format!(
            "`{field}` has {} dimensions; the index expects {}",
            vector.len(),
            spec.dimensions
        ));
    }
    let mut floats = Vec::with_capacity(vector.len());
    for (i, item) in vector.iter().enumerate() {
        match item {
            Value::Float64(x) if x.is_finite() => floats.push(*x as f32),
            Value::Float64(_) => return Err(format!("`{field}[{i}]` is not finite")),
            other => {
                return Err(format!(
                    "`{field}[{i}]` is a {}, not a float64",
                    other.value_type().name()
                ));
            }
        }
    }
    normalize(&mut floats);
    let filters = spec.filter_fields.iter().map(|f| document.field(&path(f))).collect();
    Ok(StoredVector { id: document.id, vector: floats, filters })
}

/// Whether two versions of a document index the same way (no write needed).
fn same_entry(spec: &VectorIndexSpec, old: &Document, new: &Document) -> bool {
    std::iter::once(&spec.vector_field).chain(&spec.filter_fields).all(|f| {
        let path = path(f);
        old.field(&path) == new.field(&path)
    })
}

/// The vector index writes for one document write. `next_slots` tracks the slots this
/// commit has handed out so far, per index.
pub(crate) fn stage_vector_writes(
    index: &VectorIndex,
    id: &DocumentId,
    old: Option<&Document>,
    new: Option<&Document>,
    next_slots: &mut HashMap<IndexId, u32>,
    out: &mut Vec<VectorWrite>,
) {
    let spec = &index.info.spec;
    if let (Some(old), Some(new)) = (old, new)
        && same_entry(spec, old, new)
    {
        return;
    }
    let retire = index.store.slot_of(id);
    let (insert, skipped) = match new.map(|d| entry_of(spec, d)) {
        None => (None, None),
        Some(Ok(entry)) => {
            let next = next_slots.entry(index.info.id).or_insert(index.store.slots() as u32);
            let slot = *next;
            *next += 1;
            (Some((slot, entry)), None)
        }
        Some(Err(reason)) => (None, Some(reason)),
    };
    if retire.is_none() && insert.is_none() && skipped.is_none() && !index.skipped.contains_key(id)
    {
        return;
    }
    out.push(VectorWrite { index: index.info.id, id: *id, retire, insert, skipped });
}

impl VectorIndex {
    pub(crate) fn new(info: VectorIndexInfo) -> Self {
        let dims = info.spec.dimensions;
        Self {
            info,
            store: VectorStore::new(dims),
            graph: None,
            graph_saved: 0,
            skipped: BTreeMap::new(),
            build_ms: None,
            building: false,
        }
    }

    /// Applies a committed write.
    pub(crate) fn apply(&mut self, write: VectorWrite) {
        if write.retire.is_some() {
            self.store.retire(&write.id);
        }
        if let Some((slot, entry)) = write.insert {
            let pushed = self.store.push(entry, true);
            debug_assert_eq!(pushed, slot, "vector slots are handed out in commit order");
        }
        match write.skipped {
            Some(reason) => {
                self.skipped.insert(write.id, reason);
            }
            None => {
                self.skipped.remove(&write.id);
            }
        }
    }

    /// Extends the graph with new slots; or, when the index has outgrown exact search and
    /// has no graph, marks it building and returns what a background build should read.
    pub(crate) fn maintain_graph(&mut self, exact_limit: usize) -> Option<VectorsSnapshot> {
        match &mut self.graph {
            Some(graph) => {
                graph.catch_up(&self.store);
                None
            }
            None if !self.building && self.store.live_count() > exact_limit => {
                self.building = true;
                Some(self.store.snapshot())
            }
            None => None,
        }
    }

    /// Takes a graph built in the background over the first slots, and extends it with
    /// the slots added since.
    pub(crate) fn finish_build(&mut self, mut graph: Hnsw, build_ms: f64) {
        graph.catch_up(&self.store);
        self.graph = Some(graph);
        self.building = false;
        self.build_ms = Some(build_ms);
    }

    /// Whether enough slots were added since the graph was stored that it should be
    /// stored again.
    pub(crate) fn graph_needs_saving(&self) -> bool {
        self.graph.as_ref().is_some_and(|g| {
            let added = g.len().saturating_sub(self.graph_saved);
            added > 0 && (self.graph_saved == 0 || added >= 1000.max(self.graph_saved / 10))
        })
    }

    /// Whether retired slots outnumber live ones enough to rebuild the index compactly.
    pub(crate) fn needs_compaction(&self) -> bool {
        let slots = self.store.slots();
        let live = self.store.live_count();
        !self.building && slots >= 1000 && slots - live > live
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        self.store.memory_bytes() + self.graph.as_ref().map_or(0, Hnsw::memory_bytes)
    }

    /// The query vector as unit-length f32, checked against the index.
    fn query_vector(&self, vector: &[f64]) -> Result<Vec<f32>, EngineError> {
        let dims = self.info.spec.dimensions;
        if vector.len() != dims {
            return Err(EngineError::InvalidVectorQuery(format!(
                "Expected a vector with dimensions {dims}, received {}.",
                vector.len()
            )));
        }
        if let Some(i) = vector.iter().position(|x| !x.is_finite()) {
            return Err(EngineError::InvalidVectorQuery(format!(
                "The query vector's element {i} is not a finite number."
            )));
        }
        let mut query: Vec<f32> = vector.iter().map(|&x| x as f32).collect();
        normalize(&mut query);
        Ok(query)
    }

    /// Which filter field each term names, checked against `filterFields`.
    /// Filter terms as (filter field position, value), checked against `filterFields`.
    pub(crate) fn filter_terms(
        &self,
        table: &str,
        filter: &[(String, Value)],
    ) -> Result<Vec<(usize, Value)>, EngineError> {
        filter
            .iter()
            .map(|(field, value)| {
                let position =
                    self.info.spec.filter_fields.iter().position(|f| f == field).ok_or_else(|| {
                        EngineError::InvalidVectorQuery(format!(
                            "Vector query against {table}.{} contains a filter on {field} but that field isn't indexed for filtering in `filterFields`.",
                            self.info.name
                        ))
                    })?;
                Ok((position, value.clone()))
            })
            .collect()
    }

    /// Whether a slot's filter values match any of the terms (all slots match none).
    pub(crate) fn matches(&self, slot: u32, terms: &[(usize, Value)]) -> bool {
        terms.is_empty() || {
            let values = self.store.filters(slot);
            terms.iter().any(|(i, v)| values[*i].as_ref() == Some(v))
        }
    }

    pub(crate) fn search(
        &self,
        query: &VectorQuery,
        exact_limit: usize,
        fallback: Option<&Hnsw>,
    ) -> Result<VectorSearchOutcome, EngineError> {
        if query.limit > MAX_RESULTS {
            return Err(EngineError::InvalidVectorQuery(format!(
                "Vector queries can fetch at most {MAX_RESULTS} results, requested {}.",
                query.limit
            )));
        }
        let vector = self.query_vector(&query.vector)?;
        let terms = self.filter_terms(&query.table, &query.filter)?;
        let store = &self.store;
        let matches = |slot: u32| self.matches(slot, &terms);
        let candidates = if terms.is_empty() {
            store.live_count()
        } else {
            store.live_slots().filter(|&s| matches(s)).count()
        };
        let use_graph = match query.method {
            SearchMethod::Exact => false,
            SearchMethod::Approximate => true,
            SearchMethod::Auto => {
                self.graph.is_some()
                    && candidates > exact_limit
                    && (candidates as f64) >= SELECTIVE_FILTER * store.live_count() as f64
            }
        };
        let scored = if use_graph {
            self.approximate(&vector, query.limit, &matches, fallback)
        } else {
            store.exact(&vector, query.limit, matches)
        };
        Ok(VectorSearchOutcome { hits: store.hits(scored), approximate: use_graph, candidates })
    }

    /// Graph search; with no graph of its own, through `fallback` (built for a check).
    pub(crate) fn approximate(
        &self,
        vector: &[f32],
        k: usize,
        accept: &dyn Fn(u32) -> bool,
        fallback: Option<&Hnsw>,
    ) -> Vec<Scored> {
        let Some(graph) = self.graph.as_ref().or(fallback) else {
            return self.store.exact(vector, k, accept);
        };
        graph.search(&self.store, vector, k, graph.params().ef_search, accept)
    }
}
