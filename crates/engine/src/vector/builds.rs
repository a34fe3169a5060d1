//! Keeping vector indexes current: applying a commit's vector writes to the in-memory
//! indexes, and building HNSW graphs on threads of their own. Works on the engine's shared
//! state ([`Inner`]) and must not reach the [`crate::Engine`] API above it.

use std::sync::{Arc, RwLock};
use std::time::Instant;

use super::VectorIndex;
use super::VectorWrite;
use super::hnsw::Hnsw;
use super::storage::{VectorIndexes, compact, save_graph};
use super::store::VectorsSnapshot;
use crate::inner::Inner;

/// Starts building the graphs of indexes that need one (after opening).
pub(crate) fn start_builds(inner: &Arc<Inner>) {
    let indexes = inner.vectors.read().unwrap().clone();
    for index in indexes.values() {
        let snapshot = index.write().unwrap().maintain_graph(inner.options().vector_exact_limit);
        if let Some(snapshot) = snapshot {
            spawn_build(inner, index.clone(), snapshot);
        }
    }
}

/// Builds an index's graph on a thread of its own over `snapshot`; meanwhile commits go on
/// and searches scan exactly. The graph then takes in the slots added since, and is stored.
pub(super) fn spawn_build(
    inner: &Arc<Inner>,
    index: Arc<RwLock<VectorIndex>>,
    snapshot: VectorsSnapshot,
) {
    let params = inner.options().hnsw;
    let weak = Arc::downgrade(inner);
    *inner.vector_builds.0.lock().unwrap() += 1;
    let finished = |inner: &Inner| {
        let (count, done) = &inner.vector_builds;
        *count.lock().unwrap() -= 1;
        done.notify_all();
    };
    let building = index.clone();
    let spawned = std::thread::Builder::new().name("atrium-vector-graph".into()).spawn(move || {
        let started = Instant::now();
        // Stop when the engine is gone.
        let graph = Hnsw::build_until(&snapshot, params, &|| weak.strong_count() == 0);
        let Some(inner) = weak.upgrade() else { return };
        if let Some(graph) = graph {
            let mut index = building.write().unwrap();
            index.finish_build(graph, started.elapsed().as_secs_f64() * 1000.0);
            tracing::info!(
                "built the graph of vector index {} in {:.1} s",
                index.info.name,
                started.elapsed().as_secs_f64()
            );
            crate::fault::point(crate::fault::points::VECTOR_GRAPH_BUILT);
            if let Err(error) = save_graph(&inner.persistence, &mut index, true) {
                tracing::warn!("could not store the graph of {}: {error}", index.info.name);
            }
        }
        finished(&inner);
    });
    if let Err(error) = spawned {
        tracing::warn!("could not start a vector index graph build: {error}");
        index.write().unwrap().building = false;
        finished(inner);
    }
}

/// Applies a commit's vector writes (already stored) to the in-memory indexes. Runs under
/// the commit lock, so the next transaction's searches see them.
pub(crate) fn apply_commit(inner: &Arc<Inner>, indexes: &VectorIndexes, writes: Vec<VectorWrite>) {
    if writes.is_empty() {
        return;
    }
    let mut touched = Vec::new();
    for write in writes {
        if let Some(index) = indexes.get(&write.index) {
            if !touched.contains(&write.index) {
                touched.push(write.index);
            }
            index.write().unwrap().apply(write);
        }
    }
    let options = inner.options();
    for id in touched {
        let mut index = indexes[&id].write().unwrap();
        if index.needs_compaction()
            && let Err(error) = compact(&inner.persistence, &mut index)
        {
            tracing::warn!("could not compact vector index {}: {error}", index.info.name);
        }
        if let Some(snapshot) = index.maintain_graph(options.vector_exact_limit) {
            drop(index);
            spawn_build(inner, indexes[&id].clone(), snapshot);
            continue;
        }
        if let Err(error) = save_graph(&inner.persistence, &mut index, false) {
            tracing::warn!("could not store the graph of {}: {error}", index.info.name);
        }
    }
}
