#!/usr/bin/env python3
"""Clustered test vectors for the vector benchmark (run with ~/.cache/atrium/venv/bin/python).

  vector_data.py PREFIX N DIMS QUERIES CLUSTERS SIGMA [K] [SEED]

Cluster centres are unit-length Gaussian vectors; each vector and each query is a random
centre plus N(0, SIGMA²) noise per dimension. Writes PREFIX.f32 (N x DIMS) and PREFIX.q.f32
(QUERIES x DIMS) as raw little-endian float32, and PREFIX.truth.u32: each query's exact
top-K rows by cosine similarity (raw little-endian uint32, QUERIES x K).
"""
import sys

import faiss
import numpy as np

prefix, n, dims, nq, clusters, sigma = sys.argv[1], *map(int, sys.argv[2:6]), float(sys.argv[6])
k = int(sys.argv[7]) if len(sys.argv) > 7 else 10
rng = np.random.default_rng(int(sys.argv[8]) if len(sys.argv) > 8 else 42)
centres = rng.standard_normal((clusters, dims), dtype=np.float32)
centres /= np.linalg.norm(centres, axis=1, keepdims=True)


def draw(m):
    x = rng.standard_normal((m, dims), dtype=np.float32) * sigma
    return x + centres[rng.integers(0, clusters, m)]


vectors, queries = draw(n), draw(nq)
vectors.astype("<f4").tofile(f"{prefix}.f32")
queries.astype("<f4").tofile(f"{prefix}.q.f32")
faiss.normalize_L2(vectors)
faiss.normalize_L2(queries)
flat = faiss.IndexFlatIP(dims)
flat.add(vectors)
_, truth = flat.search(queries, k)
truth.astype("<u4").tofile(f"{prefix}.truth.u32")
