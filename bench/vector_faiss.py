#!/usr/bin/env python3
"""faiss side of the vector-search benchmark (run with ~/.cache/atrium/venv/bin/python).

Loads raw little-endian float32 vectors (n x D) and queries (q x D), L2-normalises both
(so cosine similarity = inner product) and measures, for faiss.IndexHNSWFlat(D, M, IP):

  build_s          wall time of index.add() with efConstruction set, default OpenMP threads
                   (build_threads = faiss.omp_get_max_threads())
  index_bytes      len(faiss.serialize_index(index))
  rss_delta_bytes  process RSS (psutil) after building minus before
  hnsw_ms_p50/p95  per-query latency at efSearch, one query per search() call, 1 thread
  exact_ms_p50/p95 the same for an exact IndexFlatIP scan, one query per call, 1 thread
  recall_at_k      mean over queries of |approx top-k ∩ exact top-k| / k

Exact top-k comes from --truth (raw little-endian uint32, q x k row indices into the
vectors) if given, otherwise from the exact scan. Latency loops are preceded by a short
untimed warm-up. Prints one JSON object on stdout.

  vector_faiss.py --vectors V.f32 --queries Q.f32 --dims D --k 10 --m 16 \
      --ef-construction 100 --ef-search 64 [--truth T.u32]
"""
import argparse
import json
import time

import faiss
import numpy as np
import psutil

WARMUP = 10


def load_f32(path, dims):
    a = np.fromfile(path, dtype="<f4")
    if a.size % dims:
        raise SystemExit(f"{path}: size is not a multiple of 4*{dims} bytes")
    a = np.ascontiguousarray(a.reshape(-1, dims), dtype=np.float32)
    faiss.normalize_L2(a)
    return a


def per_query(index, queries, k):
    """Search one query at a time; return (labels q x k, latencies in ms)."""
    for i in range(min(WARMUP, len(queries))):
        index.search(queries[i:i + 1], k)
    labels = np.empty((len(queries), k), dtype=np.int64)
    ms = np.empty(len(queries))
    for i in range(len(queries)):
        t = time.perf_counter()
        _, labels[i] = index.search(queries[i:i + 1], k)
        ms[i] = (time.perf_counter() - t) * 1e3
    return labels, ms


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--vectors", required=True)
    p.add_argument("--queries", required=True)
    p.add_argument("--dims", type=int, required=True)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--m", type=int, default=16)
    p.add_argument("--ef-construction", type=int, default=100)
    p.add_argument("--ef-search", type=int, default=64)
    p.add_argument("--truth")
    a = p.parse_args()

    xb = load_f32(a.vectors, a.dims)
    xq = load_f32(a.queries, a.dims)
    n, nq, k = len(xb), len(xq), a.k

    proc = psutil.Process()
    rss_before = proc.memory_info().rss
    index = faiss.IndexHNSWFlat(a.dims, a.m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = a.ef_construction
    build_threads = faiss.omp_get_max_threads()
    t = time.perf_counter()
    index.add(xb)
    build_s = time.perf_counter() - t
    rss_delta = proc.memory_info().rss - rss_before
    index_bytes = faiss.serialize_index(index).nbytes

    faiss.omp_set_num_threads(1)
    index.hnsw.efSearch = a.ef_search
    approx, hnsw_ms = per_query(index, xq, k)

    flat = faiss.IndexFlatIP(a.dims)
    flat.add(xb)
    exact, exact_ms = per_query(flat, xq, k)

    if a.truth:
        t_raw = np.fromfile(a.truth, dtype="<u4")
        if t_raw.size != nq * k:
            raise SystemExit(f"{a.truth}: expected {nq}x{k} uint32, got {t_raw.size} values")
        exact = t_raw.reshape(nq, k).astype(np.int64)
    recall = np.mean([len(set(approx[i]) & set(exact[i])) / k for i in range(nq)])

    print(json.dumps({
        "engine": f"faiss-cpu {faiss.__version__}",
        "n": n, "dims": a.dims, "queries": nq,
        "m": a.m, "ef_construction": a.ef_construction, "ef_search": a.ef_search,
        "build_s": round(build_s, 3), "build_threads": build_threads,
        "index_bytes": int(index_bytes), "rss_delta_bytes": int(rss_delta),
        "hnsw_ms_p50": round(float(np.percentile(hnsw_ms, 50)), 4),
        "hnsw_ms_p95": round(float(np.percentile(hnsw_ms, 95)), 4),
        "exact_ms_p50": round(float(np.percentile(exact_ms, 50)), 4),
        "exact_ms_p95": round(float(np.percentile(exact_ms, 95)), 4),
        "recall_at_k": round(float(recall), 4),
    }))


if __name__ == "__main__":
    main()
