//! Vector indexes in storage: loading them at open (graphs brought up to date), storing a
//! grown graph, rewriting an index whole (after a build or a compaction).
//!
//! It must not reach the engine's shared state (`inner.rs` calls it when the engine
//! closes); the commit-time and background-build side is `engine_api.rs`.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use super::VectorIndex;
use super::hnsw::Hnsw;
use crate::persistence::SqlitePersistence;
use crate::{EngineError, IndexId};

pub(crate) type VectorIndexes = BTreeMap<IndexId, Arc<RwLock<VectorIndex>>>;

/// Reads every stored vector index, with its stored graph brought up to date (an index
/// that needs a graph and has none gets one from [`start_builds`] once the engine is up).
pub(crate) fn load(persistence: &SqlitePersistence) -> Result<VectorIndexes, EngineError> {
    let mut indexes = BTreeMap::new();
    for stored in persistence.load_vector_indexes()? {
        let mut index = VectorIndex::new(stored.info);
        index.store.reserve(stored.slots);
        persistence.read_vector_entries(&index.info, |entry, live| {
            index.store.push(entry, live);
        })?;
        index.skipped = stored.skipped.into_iter().collect();
        if let Some((slots, bytes)) = stored.graph
            && slots <= index.store.slots()
        {
            let graph = Hnsw::from_bytes(&bytes)?;
            if graph.len() == slots {
                index.graph = Some(graph);
                index.graph_saved = slots;
            }
        }
        if let Some(graph) = &mut index.graph {
            graph.catch_up(&index.store);
        }
        save_graph(persistence, &mut index, false)?;
        indexes.insert(index.info.id, Arc::new(RwLock::new(index)));
    }
    Ok(indexes)
}

/// Stores the index's graph when it has grown enough since last stored (or at all, when
/// `any_change`).
pub(crate) fn save_graph(
    persistence: &SqlitePersistence,
    index: &mut VectorIndex,
    any_change: bool,
) -> Result<(), EngineError> {
    let Some(graph) = &index.graph else { return Ok(()) };
    let due = if any_change { graph.len() > index.graph_saved } else { index.graph_needs_saving() };
    if due {
        persistence.save_vector_graph(index.info.id, graph.len(), &graph.to_bytes())?;
        index.graph_saved = graph.len();
    }
    Ok(())
}

/// Rewrites an index from its live entries (slots renumbered, no graph: the caller starts
/// a new build) and stores it.
pub(super) fn compact(
    persistence: &SqlitePersistence,
    index: &mut VectorIndex,
) -> Result<(), EngineError> {
    let mut fresh = VectorIndex::new(index.info.clone());
    fresh.store.reserve(index.store.live_count());
    for slot in index.store.live_slots() {
        fresh.store.push(index.store.entry(slot), true);
    }
    fresh.skipped = std::mem::take(&mut index.skipped);
    store_whole(persistence, &mut fresh)?;
    *index = fresh;
    Ok(())
}

/// Stores an index whose slots are all live (just built), with its graph.
pub(super) fn store_whole(
    persistence: &SqlitePersistence,
    index: &mut VectorIndex,
) -> Result<(), EngineError> {
    let graph = index.graph.as_ref().map(Hnsw::to_bytes);
    let store = &index.store;
    let mut entries = store.live_slots().map(|slot| store.entry(slot));
    persistence.replace_vector_index(
        &index.info,
        &mut entries,
        &index.skipped,
        graph.as_deref(),
    )?;
    index.graph_saved = index.graph.as_ref().map_or(0, Hnsw::len);
    Ok(())
}
