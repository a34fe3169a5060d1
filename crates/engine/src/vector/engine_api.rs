//! The public [`Engine`] methods of vector indexes: add, drop, search, inspect. Applying
//! commits and building graphs live in `builds.rs`, below the engine.

use std::sync::{Arc, RwLock};
use std::time::Instant;

use super::builds::spawn_build;
use super::hnsw::Hnsw;
use super::index::entry_of;
use super::storage::store_whole;
use super::{
    RecallReport, SearchMethod, StoredVector, VectorIndex, VectorIndexInfo, VectorIndexSpec,
    VectorIndexStatus, VectorQuery, VectorSearchOutcome,
};
use crate::{Engine, EngineError};

fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

impl Engine {
    fn vector_index(
        &self,
        table: &str,
        name: &str,
    ) -> Result<Arc<RwLock<VectorIndex>>, EngineError> {
        let number = self.catalog().table(table).map(|t| t.number);
        number
            .and_then(|number| {
                self.inner
                    .vectors
                    .read()
                    .unwrap()
                    .values()
                    .find(|i| {
                        let i = i.read().unwrap();
                        i.info.table == number && i.info.name == name
                    })
                    .cloned()
            })
            .ok_or_else(|| EngineError::IndexNotFound(format!("{table}.{name}")))
    }

    /// The vector indexes' definitions.
    pub fn vector_index_infos(&self) -> Vec<VectorIndexInfo> {
        let indexes = self.inner.vectors.read().unwrap();
        indexes.values().map(|i| i.read().unwrap().info.clone()).collect()
    }

    /// Adds a vector index to a table, indexing its documents (`progress`: documents
    /// read, documents in the table). Replaces an index of that name with another spec.
    pub fn add_vector_index(
        &self,
        table: &str,
        name: &str,
        spec: &VectorIndexSpec,
        progress: impl FnMut(u64, u64),
    ) -> Result<VectorIndexInfo, EngineError> {
        spec.check(table, name)?;
        if let Ok(existing) = self.vector_index(table, name) {
            let existing = existing.read().unwrap().info.clone();
            if existing.spec == *spec {
                return Ok(existing);
            }
            self.drop_vector_index(table, name)?;
        }
        // Under the commit lock, so no commit slips between the scan and the index.
        let state = self.inner.commit.lock().unwrap();
        let catalog = self.catalog();
        let number =
            catalog.table(table).ok_or_else(|| EngineError::TableNotFound(table.into()))?.number;
        if catalog.index(number, name).is_some() {
            return Err(EngineError::IndexExists { index: format!("{table}.{name}") });
        }
        let info = VectorIndexInfo {
            id: self.inner.allocate_index_id(),
            table: number,
            name: name.to_owned(),
            spec: spec.clone(),
        };
        let mut index = VectorIndex::new(info.clone());
        self.inner.backfill_scan(&catalog, table, state.last_ts, progress, |document| {
            match entry_of(spec, document) {
                Ok(entry) => {
                    index.store.push(entry, true);
                }
                Err(reason) => {
                    index.skipped.insert(document.id, reason);
                }
            }
        })?;
        store_whole(&self.inner.persistence, &mut index)?;
        let snapshot = index.maintain_graph(self.inner.options().vector_exact_limit);
        let index = Arc::new(RwLock::new(index));
        self.inner.vectors.write().unwrap().insert(info.id, index.clone());
        drop(state);
        if let Some(snapshot) = snapshot {
            spawn_build(&self.inner, index, snapshot);
        }
        Ok(info)
    }

    /// Waits until no vector index graph is being built (tests and benchmarks).
    pub fn wait_for_vector_builds(&self) {
        let (count, done) = &self.inner.vector_builds;
        let mut running = count.lock().unwrap();
        while *running > 0 {
            running = done.wait(running).unwrap();
        }
    }

    /// Removes a vector index.
    pub fn drop_vector_index(&self, table: &str, name: &str) -> Result<(), EngineError> {
        let _state = self.inner.commit.lock().unwrap();
        let index = self.vector_index(table, name)?;
        let id = index.read().unwrap().info.id;
        self.inner.persistence.drop_vector_index(id)?;
        self.inner.vectors.write().unwrap().remove(&id);
        Ok(())
    }

    /// Every vector index's state.
    pub fn vector_index_statuses(&self) -> Vec<VectorIndexStatus> {
        let catalog = self.catalog();
        let options = self.inner.options();
        let indexes = self.inner.vectors.read().unwrap();
        indexes
            .values()
            .map(|index| {
                let index = index.read().unwrap();
                VectorIndexStatus {
                    table: catalog.table_name(index.info.table).unwrap_or("").to_owned(),
                    info: index.info.clone(),
                    vectors: index.store.live_count(),
                    skipped: index.skipped.len(),
                    skipped_sample: index
                        .skipped
                        .iter()
                        .take(20)
                        .map(|(id, why)| (*id, why.clone()))
                        .collect(),
                    memory_bytes: index.memory_bytes(),
                    graph_nodes: index.graph.as_ref().map(Hnsw::len),
                    graph_bytes: index.graph.as_ref().map_or(0, Hnsw::memory_bytes),
                    graph_build_ms: index.build_ms,
                    building: index.building,
                    exact_limit: options.vector_exact_limit,
                    params: options.hnsw,
                }
            })
            .collect()
    }

    /// Searches a vector index at the latest commit.
    pub fn vector_search(&self, query: &VectorQuery) -> Result<VectorSearchOutcome, EngineError> {
        if self.catalog().table(&query.table).is_none() {
            // Convex answers a search of a table that does not exist with no results.
            return Ok(VectorSearchOutcome { hits: Vec::new(), approximate: false, candidates: 0 });
        }
        let index = self.vector_index(&query.table, &query.index)?;
        let index = index.read().unwrap();
        let options = self.inner.options();
        let built = (query.method == SearchMethod::Approximate && index.graph.is_none())
            .then(|| Hnsw::build(&index.store, options.hnsw));
        index.search(query, options.vector_exact_limit, built.as_ref())
    }

    /// Up to `limit` of an index's vectors (unit length), spread evenly over the index.
    pub fn vector_sample(
        &self,
        table: &str,
        name: &str,
        limit: usize,
    ) -> Result<Vec<StoredVector>, EngineError> {
        let index = self.vector_index(table, name)?;
        let index = index.read().unwrap();
        Ok(index.store.spread_live_slots(limit).into_iter().map(|s| index.store.entry(s)).collect())
    }

    /// An indexed document's stored vector (unit length), if it is indexed.
    pub fn vector_of(
        &self,
        table: &str,
        name: &str,
        id: &atrium_value::DocumentId,
    ) -> Result<Option<StoredVector>, EngineError> {
        let index = self.vector_index(table, name)?;
        let index = index.read().unwrap();
        Ok(index.store.slot_of(id).map(|slot| index.store.entry(slot)))
    }

    /// Recall@k of graph search against an exact scan, for `queries` of the index's own
    /// vectors (each query leaves its own document out), under the filter terms given.
    /// A small index that searches exactly gets a graph built for the check.
    pub fn vector_recall(
        &self,
        table: &str,
        name: &str,
        k: usize,
        queries: usize,
        filter: &[(String, atrium_value::Value)],
    ) -> Result<RecallReport, EngineError> {
        let index = self.vector_index(table, name)?;
        let index = index.read().unwrap();
        let store = &index.store;
        let terms = index.filter_terms(table, filter)?;
        let built;
        let fallback = if index.graph.is_none() {
            built = Hnsw::build(store, self.inner.options().hnsw);
            Some(&built)
        } else {
            None
        };
        let picked = store.spread_live_slots(queries);
        let (mut recalls, mut exact_ms, mut approximate_ms) = (Vec::new(), Vec::new(), Vec::new());
        for query_slot in picked {
            let accept = |slot: u32| slot != query_slot && index.matches(slot, &terms);
            let vector = store.vector(query_slot).to_vec();
            let started = Instant::now();
            let exact = store.exact(&vector, k, accept);
            exact_ms.push(started.elapsed().as_secs_f64() * 1000.0);
            let started = Instant::now();
            let approximate = index.approximate(&vector, k, &accept, fallback);
            approximate_ms.push(started.elapsed().as_secs_f64() * 1000.0);
            if exact.is_empty() {
                continue;
            }
            let found =
                exact.iter().filter(|e| approximate.iter().any(|a| a.slot == e.slot)).count();
            recalls.push(found as f32 / exact.len() as f32);
        }
        let mean = if recalls.is_empty() {
            1.0
        } else {
            recalls.iter().sum::<f32>() / recalls.len() as f32
        };
        Ok(RecallReport {
            k,
            mean,
            recalls,
            exact_ms: median(exact_ms),
            approximate_ms: median(approximate_ms),
            graph_in_use: index.graph.is_some(),
            vectors: store.live_count(),
        })
    }
}
