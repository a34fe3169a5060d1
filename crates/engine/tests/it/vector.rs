//! Vector indexes through the engine's public API on a real SQLite file: exact and
//! approximate search checked against a brute-force scan written here, writes visible to
//! the next search, documents the index cannot hold, persistence of the graph, backfill.

use atrium_engine::vector::{SearchMethod, VectorIndexSpec, VectorQuery};
use atrium_engine::{Engine, EngineError, EngineOptions};
use atrium_value::{DocumentId, Object, Value};

fn open_with(dir: &tempfile::TempDir, exact_limit: usize) -> Engine {
    let options = EngineOptions { vector_exact_limit: exact_limit, ..EngineOptions::default() };
    Engine::open(&dir.path().join("deployment.sqlite3"), options).unwrap()
}

fn spec(dimensions: usize) -> VectorIndexSpec {
    VectorIndexSpec {
        vector_field: "embedding".into(),
        dimensions,
        filter_fields: vec!["topic".into()],
    }
}

/// A small deterministic generator (splitmix64), so the data is the same on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.next().max(1e-12), self.next());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

fn note(topic: &str, embedding: &[f64]) -> Object {
    [
        ("topic".to_string(), Value::from(topic)),
        (
            "embedding".to_string(),
            Value::Array(embedding.iter().map(|x| Value::Float64(*x)).collect()),
        ),
    ]
    .into_iter()
    .collect()
}

fn insert_all(engine: &Engine, docs: &[Object]) -> Vec<DocumentId> {
    let mut ids = Vec::new();
    for chunk in docs.chunks(500) {
        let (batch, _) = engine
            .run(1, |tx| chunk.iter().map(|d| tx.insert("notes", d.clone())).collect())
            .unwrap();
        ids.extend::<Vec<DocumentId>>(batch);
    }
    ids
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    dot / (norm(a) * norm(b))
}

/// The brute-force top k: (id, score) by score descending, ties by ID.
fn brute_force(
    ids: &[DocumentId],
    vectors: &[Vec<f64>],
    query: &[f64],
    k: usize,
    accept: impl Fn(usize) -> bool,
) -> Vec<(DocumentId, f64)> {
    let mut scored: Vec<(DocumentId, f64)> = (0..ids.len())
        .filter(|&i| accept(i))
        .map(|i| (ids[i], cosine(&vectors[i], query)))
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.truncate(k);
    scored
}

fn query(
    vector: &[f64],
    limit: usize,
    filter: &[(&str, &str)],
    method: SearchMethod,
) -> VectorQuery {
    VectorQuery {
        table: "notes".into(),
        index: "by_embedding".into(),
        vector: vector.to_vec(),
        limit,
        filter: filter.iter().map(|(f, v)| (f.to_string(), Value::from(*v))).collect(),
        method,
    }
}

const TOPICS: [&str; 3] = ["cooking", "travel", "music"];

#[test]
fn filtered_exact_search_returns_the_brute_force_top_k() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open_with(&dir, 10_000);
    engine.create_table("notes").unwrap();
    engine.add_vector_index("notes", "by_embedding", &spec(16), |_, _| {}).unwrap();
    let mut rng = Rng(7);
    let vectors: Vec<Vec<f64>> =
        (0..600).map(|_| (0..16).map(|_| rng.normal()).collect()).collect();
    let topics: Vec<&str> = (0..600).map(|i| TOPICS[i % 3]).collect();
    let docs: Vec<Object> = vectors.iter().zip(&topics).map(|(v, t)| note(t, v)).collect();
    let ids = insert_all(&engine, &docs);

    for q in 0..20 {
        let vector: Vec<f64> = (0..16).map(|_| rng.normal()).collect();
        let filter: &[(&str, &str)] =
            if q % 2 == 0 { &[("topic", "cooking"), ("topic", "music")] } else { &[] };
        let found = engine.vector_search(&query(&vector, 25, filter, SearchMethod::Auto)).unwrap();
        assert!(!found.approximate, "600 vectors are under the exact limit");
        let expected = brute_force(&ids, &vectors, &vector, 25, |i| {
            filter.is_empty() || filter.iter().any(|(_, t)| topics[i] == *t)
        });
        let got: Vec<DocumentId> = found.hits.iter().map(|h| h.id).collect();
        let want: Vec<DocumentId> = expected.iter().map(|(id, _)| *id).collect();
        assert_eq!(got, want, "query {q}");
        for (hit, (_, score)) in found.hits.iter().zip(&expected) {
            assert!((f64::from(hit.score) - score).abs() < 1e-4, "{} vs {score}", hit.score);
        }
        assert_eq!(found.candidates, if filter.is_empty() { 600 } else { 400 });
    }
}

/// 50 clusters of 100 points around random centres; queries are fresh points near them.
fn clustered(
    rng: &mut Rng,
    n: usize,
    dims: usize,
    clusters: usize,
) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let centres: Vec<Vec<f64>> =
        (0..clusters).map(|_| (0..dims).map(|_| rng.normal()).collect()).collect();
    let mut point =
        |c: usize| -> Vec<f64> { centres[c].iter().map(|x| x + 0.35 * rng.normal()).collect() };
    let data = (0..n).map(|i| point(i % clusters)).collect();
    let queries = (0..100).map(|i| point((i * 7) % clusters)).collect();
    (data, queries)
}

#[test]
fn approximate_search_recalls_at_least_95_percent_at_10_on_clustered_data() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open_with(&dir, 500);
    engine.create_table("notes").unwrap();
    engine.add_vector_index("notes", "by_embedding", &spec(32), |_, _| {}).unwrap();
    let mut rng = Rng(11);
    let (vectors, queries) = clustered(&mut rng, 5000, 32, 50);
    let docs: Vec<Object> = vectors.iter().map(|v| note("cooking", v)).collect();
    let ids = insert_all(&engine, &docs[..1000]);

    // Past the exact limit a graph is built in the background; meanwhile commits go on and
    // searches scan exactly.
    let status = &engine.vector_index_statuses()[0];
    if status.building {
        let found = engine.vector_search(&query(&queries[0], 10, &[], SearchMethod::Auto)).unwrap();
        assert!(!found.approximate);
    }
    let ids = [ids, insert_all(&engine, &docs[1000..])].concat();
    engine.wait_for_vector_builds();
    let status = &engine.vector_index_statuses()[0];
    assert_eq!(status.vectors, 5000);
    assert!(!status.building && status.graph_build_ms.is_some());
    assert_eq!(status.graph_nodes, Some(5000), "the graph takes in what was written meanwhile");

    let mut total = 0.0;
    for vector in &queries {
        let found = engine.vector_search(&query(vector, 10, &[], SearchMethod::Auto)).unwrap();
        assert!(found.approximate);
        let expected = brute_force(&ids, &vectors, vector, 10, |_| true);
        let hit = expected.iter().filter(|(id, _)| found.hits.iter().any(|h| h.id == *id)).count();
        total += hit as f64 / 10.0;
    }
    let recall = total / queries.len() as f64;
    assert!(recall >= 0.95, "recall@10 = {recall}");

    let report = engine.vector_recall("notes", "by_embedding", 10, 50, &[]).unwrap();
    assert!(report.graph_in_use);
    assert_eq!(report.recalls.len(), 50);
    assert!(report.mean >= 0.95, "the engine's own check: {}", report.mean);
}

#[test]
fn a_write_is_searchable_in_the_next_transaction() {
    for exact_limit in [10_000, 20] {
        let dir = tempfile::tempdir().unwrap();
        let engine = open_with(&dir, exact_limit);
        engine.create_table("notes").unwrap();
        engine.add_vector_index("notes", "by_embedding", &spec(8), |_, _| {}).unwrap();
        let mut rng = Rng(3);
        let docs: Vec<Object> = (0..50)
            .map(|_| note("music", &(0..8).map(|_| rng.normal()).collect::<Vec<_>>()))
            .collect();
        insert_all(&engine, &docs);
        engine.wait_for_vector_builds();

        let target = [1.0, -2.0, 3.0, -4.0, 5.0, -6.0, 7.0, -8.0];
        let id = engine.run(1, |tx| tx.insert("notes", note("travel", &target))).unwrap().0;
        let found = engine.vector_search(&query(&target, 1, &[], SearchMethod::Auto)).unwrap();
        assert_eq!(found.hits[0].id, id, "limit {exact_limit}");
        assert!((found.hits[0].score - 1.0).abs() < 1e-5);
        let filtered = engine
            .vector_search(&query(&target, 5, &[("topic", "travel")], SearchMethod::Auto))
            .unwrap();
        assert_eq!(filtered.hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![id]);

        // Moving the vector moves the document; deleting it removes it.
        let opposite: Vec<f64> = target.iter().map(|x| -x).collect();
        engine
            .run(1, |tx| {
                let mut patch = std::collections::BTreeMap::new();
                patch.insert(
                    "embedding".to_string(),
                    atrium_engine::PatchValue::Set(Value::Array(
                        opposite.iter().map(|x| Value::Float64(*x)).collect(),
                    )),
                );
                tx.patch(&id, patch)
            })
            .unwrap();
        let found = engine.vector_search(&query(&opposite, 1, &[], SearchMethod::Auto)).unwrap();
        assert_eq!(found.hits[0].id, id);
        engine.run(1, |tx| tx.delete(&id)).unwrap();
        let found = engine.vector_search(&query(&opposite, 256, &[], SearchMethod::Auto)).unwrap();
        assert!(found.hits.iter().all(|h| h.id != id));
        assert_eq!(found.hits.len(), 50);
    }
}

#[test]
fn documents_the_index_cannot_hold_are_stored_but_not_indexed_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open_with(&dir, 10_000);
    engine.create_table("notes").unwrap();
    engine.add_vector_index("notes", "by_embedding", &spec(8), |_, _| {}).unwrap();
    let short = engine.run(1, |tx| tx.insert("notes", note("music", &[1.0; 7]))).unwrap().0;
    let good = engine.run(1, |tx| tx.insert("notes", note("music", &[1.0; 8]))).unwrap().0;
    let status = &engine.vector_index_statuses()[0];
    assert_eq!((status.vectors, status.skipped), (1, 1));
    assert_eq!(status.skipped_sample[0].0, short);
    assert!(status.skipped_sample[0].1.contains("7 dimensions; the index expects 8"));

    let hits = engine.vector_search(&query(&[1.0; 8], 10, &[], SearchMethod::Auto)).unwrap().hits;
    assert_eq!(hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![good]);

    // Fixing the document indexes it.
    engine.run(1, |tx| tx.replace(&short, note("music", &[0.5; 8]))).unwrap();
    let status = &engine.vector_index_statuses()[0];
    assert_eq!((status.vectors, status.skipped), (2, 0));

    let error = |q: VectorQuery| engine.vector_search(&q).unwrap_err().to_string();
    assert_eq!(
        error(query(&[1.0; 3], 10, &[], SearchMethod::Auto)),
        "Expected a vector with dimensions 8, received 3."
    );
    assert_eq!(
        error(query(&[1.0; 8], 257, &[], SearchMethod::Auto)),
        "Vector queries can fetch at most 256 results, requested 257."
    );
    assert!(
        error(query(&[1.0; 8], 10, &[("title", "x")], SearchMethod::Auto))
            .contains("contains a filter on title but that field isn't indexed for filtering")
    );
    assert!(matches!(
        engine.vector_search(&VectorQuery {
            index: "nope".into(),
            ..query(&[1.0; 8], 1, &[], SearchMethod::Auto)
        }),
        Err(EngineError::IndexNotFound(_))
    ));
    let missing_table =
        VectorQuery { table: "ghosts".into(), ..query(&[1.0; 8], 1, &[], SearchMethod::Auto) };
    assert!(engine.vector_search(&missing_table).unwrap().hits.is_empty());
}

#[test]
fn the_graph_is_stored_and_loaded_not_rebuilt_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(5);
    let (vectors, queries) = clustered(&mut rng, 1500, 16, 15);
    let before = {
        let engine = open_with(&dir, 100);
        engine.create_table("notes").unwrap();
        engine.add_vector_index("notes", "by_embedding", &spec(16), |_, _| {}).unwrap();
        insert_all(&engine, &vectors.iter().map(|v| note("music", v)).collect::<Vec<_>>());
        engine.wait_for_vector_builds();
        assert!(engine.vector_index_statuses()[0].graph_build_ms.is_some());
        engine.vector_search(&query(&queries[0], 10, &[], SearchMethod::Auto)).unwrap()
    };
    let engine = open_with(&dir, 100);
    let status = &engine.vector_index_statuses()[0];
    assert_eq!(status.graph_nodes, Some(1500));
    assert_eq!(status.graph_build_ms, None, "loaded, not built");
    let after = engine.vector_search(&query(&queries[0], 10, &[], SearchMethod::Auto)).unwrap();
    assert_eq!(before, after);
    // The loaded graph keeps growing with new writes.
    let id = engine.run(1, |tx| tx.insert("notes", note("travel", &queries[1]))).unwrap().0;
    let found = engine.vector_search(&query(&queries[1], 1, &[], SearchMethod::Auto)).unwrap();
    assert!(found.approximate);
    assert_eq!(found.hits[0].id, id);
}

#[test]
fn adding_an_index_backfills_existing_documents_and_rewrites_compact() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open_with(&dir, 10_000);
    let mut rng = Rng(9);
    let vectors: Vec<Vec<f64>> =
        (0..1200).map(|_| (0..4).map(|_| rng.normal()).collect()).collect();
    let mut docs: Vec<Object> = vectors.iter().map(|v| note("music", v)).collect();
    docs.push(note("music", &[1.0, f64::NAN, 0.0, 0.0]));
    let ids = insert_all(&engine, &docs);
    let mut seen = Vec::new();
    engine
        .add_vector_index("notes", "by_embedding", &spec(4), |done, total| seen.push((done, total)))
        .unwrap();
    assert_eq!(seen.last(), Some(&(1201, 1201)));
    let status = &engine.vector_index_statuses()[0];
    assert_eq!((status.vectors, status.skipped), (1200, 1));
    assert!(status.skipped_sample[0].1.contains("not finite"));

    // Rewriting every vector twice retires most slots; the index compacts itself and
    // still answers exactly.
    for round in 0..2 {
        engine
            .run(1, |tx| {
                for (id, v) in ids.iter().zip(&vectors) {
                    let moved: Vec<f64> = v.iter().map(|x| x + round as f64).collect();
                    tx.replace(id, note("music", &moved))?;
                }
                Ok(())
            })
            .unwrap();
    }
    let moved: Vec<Vec<f64>> =
        vectors.iter().map(|v| v.iter().map(|x| x + 1.0).collect()).collect();
    let found = engine.vector_search(&query(&moved[0], 5, &[], SearchMethod::Exact)).unwrap();
    let expected = brute_force(&ids[..1200], &moved, &moved[0], 5, |_| true);
    assert_eq!(
        found.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
        expected.iter().map(|e| e.0).collect::<Vec<_>>()
    );
    drop(engine);
    let engine = open_with(&dir, 10_000);
    assert_eq!(engine.vector_index_statuses()[0].vectors, 1200);
    let again = engine.vector_search(&query(&moved[0], 5, &[], SearchMethod::Exact)).unwrap();
    assert_eq!(found, again);
}
