#!/usr/bin/env bash
# SQL over 1,000,000 generated documents (release build): Atrium's path — Convex documents
# into a polars frame, then a GROUP BY on a plain and a nested field in polars SQL — beside
# DuckDB (from PyPI, in a venv under the cache) reading the same NDJSON and running the same
# GROUP BY, in the same run. Prints both and the ratios. DOCS=… for another size.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/atrium/target}"
DOCS="${DOCS:-1000000}"
VENV="$HOME/.cache/atrium/bench-venv"
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
"$VENV/bin/pip" install --quiet duckdb >&2
cargo build --release -p atrium-studio --example sql_bench >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
atrium="$("$CARGO_TARGET_DIR/release/examples/sql_bench" "$DOCS" "$work/orders.ndjson")"
"$VENV/bin/python" - "$work/orders.ndjson" "$atrium" <<'PY'
import json, statistics, sys, time
import duckdb

path, atrium = sys.argv[1], json.loads(sys.argv[2])
con = duckdb.connect()
started = time.perf_counter()
con.execute(f"CREATE TABLE orders AS SELECT * FROM read_ndjson_auto('{path}')")
load_ms = (time.perf_counter() - started) * 1000
query = ("SELECT city, profile.tier AS tier, count(*) AS n, sum(amount) AS total, avg(amount) AS mean "
         "FROM orders GROUP BY city, profile.tier ORDER BY city, tier")
runs = []
for _ in range(5):
    started = time.perf_counter()
    rows = con.execute(query).fetchall()
    runs.append((time.perf_counter() - started) * 1000)
runs.sort()
counted = sum(r[2] for r in rows)
assert len(rows) == atrium["groups"] and counted == atrium["rows_counted"], (len(rows), counted, atrium)
print(f"documents: {atrium['documents']:,} ({len(rows)} groups, both engines agree)")
print(f"load into memory  Atrium (documents -> polars frame) {atrium['load_ms']:9.1f} ms   DuckDB (read_ndjson_auto) {load_ms:9.1f} ms   ratio {atrium['load_ms'] / load_ms:5.2f}x")
print(f"  of which polars' own NDJSON reader, on the same file: {atrium['polars_ndjson_ms']:9.1f} ms")
print(f"GROUP BY (median of 5)  Atrium polars SQL {atrium['query_ms_median']:9.1f} ms   DuckDB {runs[2]:9.1f} ms   ratio {atrium['query_ms_median'] / runs[2]:5.2f}x")
PY
