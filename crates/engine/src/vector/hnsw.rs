//! [`Hnsw`]: a hierarchical navigable small-world graph over a [`VectorStore`]'s slots
//! (Malkov & Yashunin, 2016), for approximate nearest-neighbour search by cosine
//! similarity.
//!
//! Node `n` is slot `n`; the graph covers slots `0..len()` and grows as slots are appended.
//! Retired slots stay in the graph for routing but are never returned. Neighbours are
//! chosen with the paper's heuristic (keep a candidate only if it is closer to the new node
//! than to any neighbour kept so far), which keeps clusters connected to each other.
//! The graph serialises to bytes so a restart does not rebuild it.

use std::collections::BinaryHeap;

use super::store::{Scored, TopK, VectorStore, Vectors, dot};
use crate::EngineError;

/// Graph parameters. Defaults: 16 links per node (32 on the bottom layer), 100 candidates
/// while building, at least 64 while searching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HnswParams {
    pub m: usize,
    pub ef_construction: usize,
    pub ef_search: usize,
}

impl Default for HnswParams {
    fn default() -> Self {
        Self { m: 16, ef_construction: 100, ef_search: 64 }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Hnsw {
    params: HnswParams,
    /// `links[node][layer]`: the node's neighbours on that layer.
    links: Vec<Vec<Vec<u32>>>,
    entry: Option<u32>,
    top_layer: usize,
    rng: u64,
}

/// Which nodes a search may return.
pub(crate) type Accept<'a> = &'a dyn Fn(u32) -> bool;

struct Visited {
    bits: Vec<u64>,
}

impl Visited {
    fn new(n: usize) -> Self {
        Self { bits: vec![0; n.div_ceil(64)] }
    }
    /// Marks `node`; true when it was not marked before.
    fn insert(&mut self, node: u32) -> bool {
        let (word, bit) = (node as usize / 64, 1u64 << (node % 64));
        let fresh = self.bits[word] & bit == 0;
        self.bits[word] |= bit;
        fresh
    }
}

impl Hnsw {
    pub(crate) fn new(params: HnswParams) -> Self {
        Self { params, links: Vec::new(), entry: None, top_layer: 0, rng: 0x2545_f491_4f6c_dd1d }
    }

    /// Builds a graph over all of `store`'s slots.
    pub(crate) fn build(store: &impl Vectors, params: HnswParams) -> Self {
        let mut graph = Self::new(params);
        graph.catch_up(store);
        graph
    }

    /// Builds a graph over `vectors`, checking `stop` every thousand nodes; `None` when it
    /// said to stop.
    pub(crate) fn build_until(
        vectors: &impl Vectors,
        params: HnswParams,
        stop: &dyn Fn() -> bool,
    ) -> Option<Self> {
        let mut graph = Self::new(params);
        while graph.links.len() < vectors.slots() {
            if graph.links.len().is_multiple_of(1000) && stop() {
                return None;
            }
            graph.insert(vectors, graph.links.len() as u32);
        }
        Some(graph)
    }

    pub(crate) fn params(&self) -> HnswParams {
        self.params
    }

    /// The number of slots the graph covers.
    pub(crate) fn len(&self) -> usize {
        self.links.len()
    }

    /// Adds the slots appended to `store` since the graph last saw it.
    pub(crate) fn catch_up(&mut self, store: &impl Vectors) {
        while self.links.len() < store.slots() {
            self.insert(store, self.links.len() as u32);
        }
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        self.links
            .iter()
            .map(|layers| 24 + layers.iter().map(|l| 24 + l.capacity() * 4).sum::<usize>())
            .sum()
    }

    fn max_links(&self, layer: usize) -> usize {
        if layer == 0 { self.params.m * 2 } else { self.params.m }
    }

    fn random_layer(&mut self) -> usize {
        // xorshift64*: deterministic, so the same data builds the same graph.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        let bits = self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11;
        let uniform = (bits as f64 + 1.0) / (1u64 << 53) as f64;
        let level_mult = 1.0 / (self.params.m.max(2) as f64).ln();
        ((-uniform.ln() * level_mult) as usize).min(16)
    }

    fn insert(&mut self, store: &impl Vectors, node: u32) {
        debug_assert_eq!(node as usize, self.links.len());
        let layer = self.random_layer();
        self.links.push(vec![Vec::new(); layer + 1]);
        let Some(entry) = self.entry else {
            self.entry = Some(node);
            self.top_layer = layer;
            return;
        };
        let query = store.vector(node);
        let mut nearest = Scored { score: dot(query, store.vector(entry)), slot: entry };
        for l in (layer + 1..=self.top_layer).rev() {
            nearest = self.greedy(store, query, nearest, l);
        }
        let mut entry_points = vec![nearest];
        for l in (0..=layer.min(self.top_layer)).rev() {
            let candidates = self.search_layer(
                store,
                query,
                &entry_points,
                self.params.ef_construction,
                l,
                None,
            );
            let chosen = select_neighbours(store, &candidates, self.max_links(l));
            self.links[node as usize][l] = chosen.iter().map(|s| s.slot).collect();
            for neighbour in &chosen {
                self.link(store, neighbour.slot, node, neighbour.score, l);
            }
            entry_points = candidates;
        }
        if layer > self.top_layer {
            self.top_layer = layer;
            self.entry = Some(node);
        }
    }

    /// Adds `node` to `from`'s links on `layer`, pruning them with the heuristic when full.
    fn link(&mut self, store: &impl Vectors, from: u32, node: u32, score: f32, layer: usize) {
        let max = self.max_links(layer);
        let links = &mut self.links[from as usize][layer];
        if links.len() < max {
            links.push(node);
            return;
        }
        let base = store.vector(from);
        let mut candidates: Vec<Scored> = links
            .iter()
            .map(|&n| Scored { score: dot(base, store.vector(n)), slot: n })
            .chain([Scored { score, slot: node }])
            .collect();
        candidates.sort_by(|a, b| b.cmp(a));
        let kept = select_neighbours(store, &candidates, max);
        *links = kept.iter().map(|s| s.slot).collect();
    }

    fn greedy(&self, store: &impl Vectors, query: &[f32], start: Scored, layer: usize) -> Scored {
        let mut best = start;
        loop {
            let mut improved = false;
            for &n in &self.links[best.slot as usize][layer] {
                let candidate = Scored { score: dot(query, store.vector(n)), slot: n };
                if candidate > best {
                    best = candidate;
                    improved = true;
                }
            }
            if !improved {
                return best;
            }
        }
    }

    /// Beam search on one layer: the `ef` best nodes found (best first) among those
    /// `accept` lets through (all when `None`).
    fn search_layer(
        &self,
        store: &impl Vectors,
        query: &[f32],
        entry_points: &[Scored],
        ef: usize,
        layer: usize,
        accept: Option<Accept<'_>>,
    ) -> Vec<Scored> {
        let mut visited = Visited::new(self.links.len());
        let mut candidates: BinaryHeap<Scored> = BinaryHeap::new();
        let mut found = TopK::new(ef);
        let mut found_count = 0usize;
        let mut worst_found = f32::NEG_INFINITY;
        for &point in entry_points {
            if visited.insert(point.slot) {
                candidates.push(point);
                if accept.is_none_or(|f| f(point.slot)) {
                    found.offer(point);
                    found_count += 1;
                }
            }
        }
        if found_count >= ef {
            worst_found = found.worst().map_or(f32::NEG_INFINITY, |w| w.score);
        }
        while let Some(current) = candidates.pop() {
            if found_count >= ef && current.score < worst_found {
                break;
            }
            for &n in &self.links[current.slot as usize][layer] {
                if !visited.insert(n) {
                    continue;
                }
                let candidate = Scored { score: dot(query, store.vector(n)), slot: n };
                if found_count < ef || candidate.score > worst_found {
                    candidates.push(candidate);
                    if accept.is_none_or(|f| f(n)) {
                        found.offer(candidate);
                        found_count += 1;
                        if found_count >= ef {
                            worst_found = found.worst().map_or(f32::NEG_INFINITY, |w| w.score);
                        }
                    }
                }
            }
        }
        found.into_sorted()
    }

    /// The approximate top `k` live slots that `accept` lets through, best first.
    pub(crate) fn search(
        &self,
        store: &VectorStore,
        query: &[f32],
        k: usize,
        ef: usize,
        accept: Accept<'_>,
    ) -> Vec<Scored> {
        let Some(entry) = self.entry else { return Vec::new() };
        let mut nearest = Scored { score: dot(query, store.vector(entry)), slot: entry };
        for l in (1..=self.top_layer).rev() {
            nearest = self.greedy(store, query, nearest, l);
        }
        let live_and_accepted = |slot: u32| store.is_live(slot) && accept(slot);
        let mut found =
            self.search_layer(store, query, &[nearest], ef.max(k), 0, Some(&live_and_accepted));
        found.truncate(k);
        found
    }

    /// The graph as bytes: a header, then each node's layers and links (little-endian).
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(32 + self.memory_bytes());
        out.extend_from_slice(MAGIC);
        for n in [
            self.params.m,
            self.params.ef_construction,
            self.params.ef_search,
            self.top_layer,
            self.links.len(),
        ] {
            out.extend_from_slice(&(n as u32).to_le_bytes());
        }
        out.extend_from_slice(&self.entry.unwrap_or(u32::MAX).to_le_bytes());
        out.extend_from_slice(&self.rng.to_le_bytes());
        for layers in &self.links {
            out.push(layers.len() as u8);
            for links in layers {
                out.extend_from_slice(&(links.len() as u16).to_le_bytes());
                for n in links {
                    out.extend_from_slice(&n.to_le_bytes());
                }
            }
        }
        out
    }

    /// Reads what [`Hnsw::to_bytes`] wrote.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, EngineError> {
        let corrupt = || EngineError::Corrupt("a stored vector index graph is damaged".into());
        let mut reader = Reader { bytes, at: 0 };
        if reader.take(MAGIC.len()).ok_or_else(corrupt)? != MAGIC {
            return Err(corrupt());
        }
        let mut header = [0usize; 5];
        for h in &mut header {
            *h = reader.u32().ok_or_else(corrupt)? as usize;
        }
        let [m, ef_construction, ef_search, top_layer, nodes] = header;
        let entry = reader.u32().ok_or_else(corrupt)?;
        let rng = u64::from_le_bytes(reader.take(8).ok_or_else(corrupt)?.try_into().unwrap());
        let mut links = Vec::with_capacity(nodes);
        for _ in 0..nodes {
            let layer_count = reader.take(1).ok_or_else(corrupt)?[0] as usize;
            let mut layers = Vec::with_capacity(layer_count);
            for _ in 0..layer_count {
                let count =
                    u16::from_le_bytes(reader.take(2).ok_or_else(corrupt)?.try_into().unwrap());
                let mut list = Vec::with_capacity(count as usize);
                for _ in 0..count {
                    let n = reader.u32().ok_or_else(corrupt)?;
                    if n as usize >= nodes {
                        return Err(corrupt());
                    }
                    list.push(n);
                }
                layers.push(list);
            }
            links.push(layers);
        }
        if reader.at != bytes.len() || (entry != u32::MAX && entry as usize >= nodes) {
            return Err(corrupt());
        }
        Ok(Self {
            params: HnswParams { m, ef_construction, ef_search },
            links,
            entry: (entry != u32::MAX).then_some(entry),
            top_layer,
            rng,
        })
    }
}

const MAGIC: &[u8] = b"ATRIUM-HNSW-1\0";

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let slice = self.bytes.get(self.at..self.at + n)?;
        self.at += n;
        Some(slice)
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4).map(|b| u32::from_le_bytes(b.try_into().unwrap()))
    }
}

/// The paper's neighbour heuristic over candidates sorted best first: keep a candidate
/// only when it is more similar to the base than to every neighbour already kept.
fn select_neighbours(store: &impl Vectors, candidates: &[Scored], max: usize) -> Vec<Scored> {
    let mut kept: Vec<Scored> = Vec::with_capacity(max);
    for candidate in candidates {
        if kept.len() >= max {
            break;
        }
        let vector = store.vector(candidate.slot);
        if kept.iter().all(|k| dot(vector, store.vector(k.slot)) < candidate.score) {
            kept.push(*candidate);
        }
    }
    kept
}
