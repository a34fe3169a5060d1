//! [`VectorStore`]: one vector index's vectors in memory, in slots, with exact search.
//!
//! A slot holds a document's unit-length vector (cosine similarity is then a dot product)
//! and its filter field values. Slots are appended and never reused while a graph points at
//! them: replacing or deleting a document's vector retires its slot (still readable, so a
//! graph can route through it, but never returned). Compaction rebuilds the store.
//!
//! Vectors live in chunks of [`CHUNK`] slots; a full chunk is frozen behind an `Arc`, so a
//! [`VectorsSnapshot`] (what a background graph build reads) costs a copy of the last,
//! partial chunk only.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use atrium_value::{DocumentId, Value};

/// A search hit: the document and its cosine similarity to the query.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorHit {
    pub id: DocumentId,
    pub score: f32,
}

/// One stored vector with its document and filter values.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredVector {
    pub id: DocumentId,
    /// Unit length (all zeros when the document's vector was all zeros).
    pub vector: Vec<f32>,
    /// One value per filter field of the index, `None` when the document lacks it.
    pub filters: Vec<Option<Value>>,
}

/// Slots per frozen chunk of vectors.
pub(crate) const CHUNK: usize = 1024;

/// Read access to vectors by slot: the store itself, or a snapshot of it.
pub(crate) trait Vectors {
    fn vector(&self, slot: u32) -> &[f32];
    fn slots(&self) -> usize;
}

/// Vectors in chunks: frozen full ones (shared) and the partial last one.
#[derive(Debug, Clone, Default)]
struct Chunks {
    dims: usize,
    frozen: Vec<Arc<[f32]>>,
    tail: Vec<f32>,
}

impl Chunks {
    fn vector(&self, slot: u32) -> &[f32] {
        let (chunk, offset) = (slot as usize / CHUNK, slot as usize % CHUNK * self.dims);
        let data: &[f32] = match self.frozen.get(chunk) {
            Some(frozen) => frozen,
            None => &self.tail,
        };
        &data[offset..offset + self.dims]
    }

    fn push(&mut self, vector: &[f32]) {
        if self.tail.capacity() == 0 {
            self.tail.reserve_exact(CHUNK * self.dims);
        }
        self.tail.extend_from_slice(vector);
        if self.tail.len() == CHUNK * self.dims {
            self.frozen.push(Arc::from(std::mem::take(&mut self.tail)));
        }
    }

    fn bytes(&self) -> usize {
        (self.frozen.len() * CHUNK * self.dims + self.tail.capacity()) * 4
    }
}

/// The vectors of a store's first `slots` slots, as they were when taken.
#[derive(Debug, Clone)]
pub(crate) struct VectorsSnapshot {
    chunks: Chunks,
    slots: usize,
}

impl Vectors for VectorsSnapshot {
    fn vector(&self, slot: u32) -> &[f32] {
        self.chunks.vector(slot)
    }
    fn slots(&self) -> usize {
        self.slots
    }
}

impl Vectors for VectorStore {
    fn vector(&self, slot: u32) -> &[f32] {
        VectorStore::vector(self, slot)
    }
    fn slots(&self) -> usize {
        VectorStore::slots(self)
    }
}

#[derive(Debug, Default)]
pub(crate) struct VectorStore {
    pub(crate) dims: usize,
    vectors: Chunks,
    ids: Vec<DocumentId>,
    live: Vec<bool>,
    filters: Vec<Vec<Option<Value>>>,
    /// Live slots by document.
    slot_of: HashMap<DocumentId, u32>,
}

/// Scales `vector` to unit length in place (a zero vector stays zero).
pub(crate) fn normalize(vector: &mut [f32]) {
    let norm = dot(vector, vector).sqrt();
    if norm > 0.0 {
        for x in vector.iter_mut() {
            *x /= norm;
        }
    }
}

/// The dot product, with the widest SIMD the CPU offers (simsimd picks it at run time).
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    use simsimd::SpatialSimilarity;
    match f32::dot(a, b) {
        Some(d) => d as f32,
        None => portable_dot(a, b),
    }
}

/// The same in plain Rust, written so the compiler vectorises it (eight independent sums).
fn portable_dot(a: &[f32], b: &[f32]) -> f32 {
    let mut sums = [0f32; 8];
    let (a8, a_rest) = a.as_chunks::<8>();
    let (b8, b_rest) = b.as_chunks::<8>();
    for (x, y) in a8.iter().zip(b8) {
        for i in 0..8 {
            sums[i] += x[i] * y[i];
        }
    }
    let mut tail = 0f32;
    for (x, y) in a_rest.iter().zip(b_rest) {
        tail += x * y;
    }
    sums.iter().sum::<f32>() + tail
}

/// A candidate ordered by score, then by document ID (lower ID ranks first on ties).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scored {
    pub(crate) score: f32,
    pub(crate) slot: u32,
}

impl PartialEq for Scored {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Scored {}
impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scored {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score.total_cmp(&other.score).then_with(|| other.slot.cmp(&self.slot))
    }
}

/// Keeps the `k` best of what it is offered.
pub(crate) struct TopK {
    k: usize,
    /// Min-heap on score: the worst kept is on top.
    heap: BinaryHeap<std::cmp::Reverse<Scored>>,
}

impl TopK {
    pub(crate) fn new(k: usize) -> Self {
        Self { k, heap: BinaryHeap::with_capacity(k + 1) }
    }

    pub(crate) fn offer(&mut self, candidate: Scored) {
        if self.k == 0 {
            return;
        }
        if self.heap.len() < self.k {
            self.heap.push(std::cmp::Reverse(candidate));
        } else if let Some(worst) = self.heap.peek()
            && candidate > worst.0
        {
            self.heap.pop();
            self.heap.push(std::cmp::Reverse(candidate));
        }
    }

    /// The worst of those kept.
    pub(crate) fn worst(&self) -> Option<Scored> {
        self.heap.peek().map(|r| r.0)
    }

    /// Best first.
    pub(crate) fn into_sorted(self) -> Vec<Scored> {
        let mut out: Vec<Scored> = self.heap.into_iter().map(|r| r.0).collect();
        out.sort_by(|a, b| b.cmp(a));
        out
    }
}

impl VectorStore {
    pub(crate) fn new(dims: usize) -> Self {
        Self { dims, vectors: Chunks { dims, ..Chunks::default() }, ..Self::default() }
    }

    /// The number of slots, live or retired.
    pub(crate) fn slots(&self) -> usize {
        self.ids.len()
    }

    pub(crate) fn vector(&self, slot: u32) -> &[f32] {
        self.vectors.vector(slot)
    }

    /// The vectors as they are now (full chunks shared, the last one copied).
    pub(crate) fn snapshot(&self) -> VectorsSnapshot {
        VectorsSnapshot { chunks: self.vectors.clone(), slots: self.slots() }
    }

    /// Makes room for `additional` more slots at once (bulk loads grow no further).
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.ids.reserve_exact(additional);
        self.live.reserve_exact(additional);
        self.filters.reserve_exact(additional);
        self.slot_of.reserve(additional);
    }

    pub(crate) fn live_count(&self) -> usize {
        self.slot_of.len()
    }

    pub(crate) fn is_live(&self, slot: u32) -> bool {
        self.live[slot as usize]
    }

    pub(crate) fn id(&self, slot: u32) -> DocumentId {
        self.ids[slot as usize]
    }

    pub(crate) fn filters(&self, slot: u32) -> &[Option<Value>] {
        &self.filters[slot as usize]
    }

    pub(crate) fn slot_of(&self, id: &DocumentId) -> Option<u32> {
        self.slot_of.get(id).copied()
    }

    /// Appends a slot (live or already retired, as loaded from storage). The vector must be
    /// unit length already.
    pub(crate) fn push(&mut self, entry: StoredVector, live: bool) -> u32 {
        debug_assert_eq!(entry.vector.len(), self.dims);
        let slot = self.ids.len() as u32;
        self.vectors.push(&entry.vector);
        self.ids.push(entry.id);
        self.live.push(live);
        self.filters.push(entry.filters);
        if live && let Some(old) = self.slot_of.insert(entry.id, slot) {
            self.live[old as usize] = false;
        }
        slot
    }

    /// Retires a document's live slot, if it has one.
    pub(crate) fn retire(&mut self, id: &DocumentId) -> Option<u32> {
        let slot = self.slot_of.remove(id)?;
        self.live[slot as usize] = false;
        Some(slot)
    }

    pub(crate) fn entry(&self, slot: u32) -> StoredVector {
        StoredVector {
            id: self.id(slot),
            vector: self.vector(slot).to_vec(),
            filters: self.filters(slot).to_vec(),
        }
    }

    /// Up to `n` live slots spread evenly over the store, in slot order (samples).
    pub(crate) fn spread_live_slots(&self, n: usize) -> Vec<u32> {
        let live: Vec<u32> = self.live_slots().collect();
        let step = (live.len() as f64 / n.max(1) as f64).max(1.0);
        (0..n.min(live.len())).map(|i| live[(i as f64 * step) as usize]).collect()
    }

    /// Live slots, in slot order.
    pub(crate) fn live_slots(&self) -> impl Iterator<Item = u32> + '_ {
        self.live.iter().enumerate().filter(|(_, live)| **live).map(|(i, _)| i as u32)
    }

    /// Bytes held: vectors, IDs, flags and filter values.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.vectors.bytes()
            + self.ids.capacity() * std::mem::size_of::<DocumentId>()
            + self.live.capacity()
            + self.filters.iter().map(|f| 24 + f.capacity() * 32).sum::<usize>()
            + self.slot_of.capacity() * (std::mem::size_of::<DocumentId>() + 4)
    }

    /// The exact top `k` live slots by similarity to `query` (unit length) among those
    /// `accept` lets through, best first.
    pub(crate) fn exact(
        &self,
        query: &[f32],
        k: usize,
        mut accept: impl FnMut(u32) -> bool,
    ) -> Vec<Scored> {
        let mut top = TopK::new(k);
        for slot in self.live_slots() {
            if accept(slot) {
                top.offer(Scored { score: dot(query, self.vector(slot)), slot });
            }
        }
        top.into_sorted()
    }

    /// Turns slots into hits, breaking score ties by document ID as Convex does.
    pub(crate) fn hits(&self, scored: Vec<Scored>) -> Vec<VectorHit> {
        let mut hits: Vec<VectorHit> =
            scored.into_iter().map(|s| VectorHit { id: self.id(s.slot), score: s.score }).collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_matches_a_plain_sum() {
        let a: Vec<f32> = (0..19).map(|i| i as f32 * 0.5).collect();
        let b: Vec<f32> = (0..19).map(|i| 1.0 - i as f32 * 0.1).collect();
        let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - plain).abs() < 1e-3);
        assert!((portable_dot(&a, &b) - plain).abs() < 1e-3);
    }

    #[test]
    fn top_k_keeps_the_best() {
        let mut top = TopK::new(3);
        for (i, s) in [0.1, 0.9, 0.5, 0.7, 0.2].iter().enumerate() {
            top.offer(Scored { score: *s, slot: i as u32 });
        }
        let kept: Vec<u32> = top.into_sorted().iter().map(|s| s.slot).collect();
        assert_eq!(kept, vec![1, 3, 2]);
    }
}
