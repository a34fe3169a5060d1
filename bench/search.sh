#!/usr/bin/env bash
# Full-text search on N generated short documents (default 1,000,000; release build):
# Atrium's engine — documents stored, a search index added (backfill into tantivy timed,
# with commits to another table going on meanwhile), the restart that opens the stored index,
# queries of 1–3 words with the last one a prefix (top 10 read), memory — beside SQLite
# FTS5 (the bundled SQLite) on the same text and queries (`w1 OR w2 OR w3*`, ORDER BY rank,
# LIMIT 10), in the same run. Prints both and the ratios. N=… QUERIES=… for another size.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/atrium/target}"
N="${N:-1000000}"
QUERIES="${QUERIES:-1000}"
cargo build --release -p atrium-engine --example search_bench >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "searching $N documents with $QUERIES queries…" >&2
out="$("$CARGO_TARGET_DIR/release/examples/search_bench" "$N" "$QUERIES" "$work")"
python3 - "$out" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
mib = lambda b: b / (1 << 20)
print(f"{r['n']:,} short documents (3–10 words of a 20,000-word Zipf vocabulary), {r['queries']} queries")
print(f"{'':30}{'Atrium (tantivy)':>18}{'SQLite FTS5':>14}{'ratio':>9}")
def row(label, a, f, fmt):
    print(f"{label:30}{fmt(a):>18}{fmt(f):>14}{a / f if f else float('nan'):>8.2f}x")
row("index build (s)", r["build_s"], r["fts_build_s"], lambda v: f"{v:.1f}")
print(f"  (Atrium stored the documents first, {r['insert_s']:.1f} s; the build read them back from SQLite")
print(f"   at a snapshot while {r['commits_during_build']:,} commits to another table went on. FTS5's build is")
print(f"   its INSERTs in one transaction.)")
print(f"restart with the stored index: {r['restart_s']:.2f} s (rebuilt: {r['restart_rebuilt']}); "
      f"index on disk {mib(r['index_dir_bytes']):.0f} MiB")
row("query p50 (ms)", r["p50_ms"], r["fts_p50_ms"], lambda v: f"{v:.3f}")
row("query p99 (ms)", r["p99_ms"], r["fts_p99_ms"], lambda v: f"{v:.3f}")
row("index size (MiB)", mib(r["rss_index_bytes"]), mib(r["fts_file_bytes"]), lambda v: f"{v:.0f}")
print(f"  (Atrium: resident memory grown while building — the index is stored on disk and mapped,")
print(f"   its statistics in memory; it reports {mib(r['index_memory_bytes']):.0f} MiB, {r['terms']:,} terms. FTS5: its")
print(f"   file on disk, resident growth {mib(r['fts_rss_bytes']):.0f} MiB)")
print(f"results returned: Atrium {r['found']:,}, FTS5 {r['fts_found']:,} (top 10 per query)")
PY
