#!/usr/bin/env bash
# Vector search on N generated clustered vectors (default 100,000 x 768; release build):
# Atrium's engine — documents stored, a vector index added (backfill + HNSW graph build),
# exact-scan and graph search per query, recall@10 against the exact top 10, memory, and
# reopening the store — beside faiss-cpu's IndexHNSWFlat (from PyPI, in a venv under the
# cache) with the same graph parameters on the same vectors, in the same run. Prints both
# and the ratios. N=… DIMS=… QUERIES=… for another size.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/atrium/target}"
N="${N:-100000}"
DIMS="${DIMS:-768}"
QUERIES="${QUERIES:-1000}"
VENV="$HOME/.cache/atrium/venv"
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
"$VENV/bin/pip" install --quiet faiss-cpu numpy psutil >&2
cargo build --release -p atrium-engine --example vector_bench >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "generating $N x $DIMS clustered vectors and $QUERIES queries…" >&2
"$VENV/bin/python" bench/vector_data.py "$work/v" "$N" "$DIMS" "$QUERIES" 100 0.05 10
echo "Atrium…" >&2
atrium="$("$CARGO_TARGET_DIR/release/examples/vector_bench" "$work/v.f32" "$work/v.q.f32" "$work/v.truth.u32" "$DIMS" 10 "$work")"
echo "faiss…" >&2
faiss="$("$VENV/bin/python" bench/vector_faiss.py --vectors "$work/v.f32" --queries "$work/v.q.f32" \
  --truth "$work/v.truth.u32" --dims "$DIMS" --k 10 --m 16 --ef-construction 100 --ef-search 64)"
python3 - "$atrium" "$faiss" <<'PY'
import json, sys
a, f = json.loads(sys.argv[1]), json.loads(sys.argv[2])
mib = lambda b: b / (1 << 20)
print(f"{a['n']:,} x {a['dims']} vectors, {a['queries']} queries, k = {a['k']}; HNSW M {a['m']}, efConstruction {a['ef_construction']}, efSearch {a['ef_search']} for both")
print(f"{'':28}{'Atrium':>14}{f['engine']:>22}{'ratio':>9}")
def row(label, x, y, fmt):
    print(f"{label:28}{fmt(x):>14}{fmt(y):>22}{x / y if y else float('nan'):>8.2f}x")
row("graph build (s)", a["graph_build_s"], f["build_s"], lambda v: f"{v:.1f}")
print(f"  (Atrium builds on 1 thread, in the background; faiss used {f['build_threads']}. Atrium also stored the")
print(f"   {a['n']:,} documents first ({a['insert_s']:.1f} s); adding the index read them back and stored the vectors")
print(f"   in {a['backfill_s']:.1f} s, commits blocked; the graph was ready {a['index_s']:.1f} s after the add began)")
row("graph search p50 (ms)", a["hnsw_ms_p50"], f["hnsw_ms_p50"], lambda v: f"{v:.3f}")
row("graph search p95 (ms)", a["hnsw_ms_p95"], f["hnsw_ms_p95"], lambda v: f"{v:.3f}")
row("recall@10", a["recall_at_k"], f["recall_at_k"], lambda v: f"{v:.4f}")
row("exact scan p50 (ms)", a["exact_ms_p50"], f["exact_ms_p50"], lambda v: f"{v:.2f}")
row("exact scan p95 (ms)", a["exact_ms_p95"], f["exact_ms_p95"], lambda v: f"{v:.2f}")
row("index memory (MiB)", mib(a["memory_bytes"]), mib(f["index_bytes"]), lambda v: f"{v:.1f}")
row("RSS growth (MiB)", mib(a["rss_delta_bytes"]), mib(f["rss_delta_bytes"]), lambda v: f"{v:.1f}")
print(f"reopening Atrium's store (vectors and graph loaded, not rebuilt): {a['reopen_s']:.2f} s")
PY
