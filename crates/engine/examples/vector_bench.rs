//! The engine side of `bench/vector.sh`: stores N documents holding the vectors of a raw
//! float32 file, adds a vector index over them (backfill and HNSW graph build timed),
//! then searches with each query exactly and through the graph (latency per query, recall
//! against the given exact top-k), and reopens the store (the graph is loaded, not rebuilt).
//! Prints one JSON object.
//!
//! `vector_bench VECTORS.f32 QUERIES.f32 TRUTH.u32 DIMS K DATA_DIR`

use std::time::Instant;

use atrium_engine::vector::{SearchMethod, VectorIndexSpec, VectorQuery};
use atrium_engine::{Engine, EngineOptions};
use atrium_value::{DocumentId, Object, Value};

fn read_f32(path: &str, dims: usize) -> Vec<Vec<f32>> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let floats: Vec<f32> =
        bytes.chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect();
    floats.chunks_exact(dims).map(<[f32]>::to_vec).collect()
}

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    statm.split_whitespace().nth(1).and_then(|p| p.parse::<u64>().ok()).unwrap_or(0) * 4096
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    values[((values.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, vectors, queries, truth, dims, k, dir] = &args[..] else {
        panic!("usage: vector_bench VECTORS.f32 QUERIES.f32 TRUTH.u32 DIMS K DATA_DIR")
    };
    let (dims, k): (usize, usize) = (dims.parse().unwrap(), k.parse().unwrap());
    let vectors = read_f32(vectors, dims);
    let queries = read_f32(queries, dims);
    let truth: Vec<u32> = std::fs::read(truth)
        .unwrap()
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    let path = std::path::Path::new(dir).join("bench.sqlite3");
    let options = EngineOptions::default();
    let params = options.hnsw;
    let engine = Engine::open(&path, options.clone()).unwrap();

    let started = Instant::now();
    let mut ids: Vec<DocumentId> = Vec::with_capacity(vectors.len());
    for chunk in vectors.chunks(1000) {
        let (batch, _) = engine
            .run(1, |tx| {
                chunk
                    .iter()
                    .map(|v| {
                        let embedding =
                            Value::Array(v.iter().map(|x| Value::Float64(f64::from(*x))).collect());
                        let fields: Object =
                            [("embedding".to_string(), embedding)].into_iter().collect();
                        tx.insert("docs", fields)
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap();
        ids.extend(batch);
    }
    let insert_s = started.elapsed().as_secs_f64();

    let rss_before = rss_bytes();
    let started = Instant::now();
    let spec = VectorIndexSpec {
        vector_field: "embedding".into(),
        dimensions: dims,
        filter_fields: vec![],
    };
    engine.add_vector_index("docs", "by_embedding", &spec, |_, _| {}).unwrap();
    let backfill_s = started.elapsed().as_secs_f64();
    engine.wait_for_vector_builds();
    let index_s = started.elapsed().as_secs_f64();
    let rss_delta = rss_bytes().saturating_sub(rss_before);
    let status = engine.vector_index_statuses().remove(0);

    let query = |vector: &[f32], method| VectorQuery {
        table: "docs".into(),
        index: "by_embedding".into(),
        vector: vector.iter().map(|x| f64::from(*x)).collect(),
        limit: k,
        filter: Vec::new(),
        method,
    };
    let (mut exact_ms, mut graph_ms, mut hits) = (Vec::new(), Vec::new(), 0usize);
    for (i, q) in queries.iter().enumerate() {
        let started = Instant::now();
        let exact = engine.vector_search(&query(q, SearchMethod::Exact)).unwrap();
        exact_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        let found = engine.vector_search(&query(q, SearchMethod::Auto)).unwrap();
        graph_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        assert!(found.approximate && !exact.approximate);
        let expected = &truth[i * k..(i + 1) * k];
        hits += expected
            .iter()
            .filter(|&&row| found.hits.iter().any(|h| h.id == ids[row as usize]))
            .count();
    }
    drop(engine);
    let started = Instant::now();
    let reopened = Engine::open(&path, options).unwrap();
    let reopen_s = started.elapsed().as_secs_f64();
    let loaded = reopened.vector_index_statuses().remove(0);
    assert_eq!(loaded.graph_build_ms, None, "the graph is loaded, not rebuilt");
    assert_eq!(loaded.graph_nodes, Some(vectors.len()));

    println!(
        "{}",
        serde_json::json!({
            "n": vectors.len(), "dims": dims, "queries": queries.len(), "k": k,
            "m": params.m, "ef_construction": params.ef_construction, "ef_search": params.ef_search,
            "insert_s": insert_s,
            "index_s": index_s, "backfill_s": backfill_s,
            "graph_build_s": status.graph_build_ms.unwrap_or(0.0) / 1000.0,
            "memory_bytes": status.memory_bytes, "graph_bytes": status.graph_bytes,
            "rss_delta_bytes": rss_delta,
            "exact_ms_p50": percentile(&mut exact_ms, 0.5), "exact_ms_p95": percentile(&mut exact_ms, 0.95),
            "hnsw_ms_p50": percentile(&mut graph_ms, 0.5), "hnsw_ms_p95": percentile(&mut graph_ms, 0.95),
            "recall_at_k": hits as f64 / (queries.len() * k) as f64,
            "reopen_s": reopen_s,
        })
    );
}
