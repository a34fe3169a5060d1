#!/usr/bin/env bash
# Function-call throughput in process (criterion): an empty query and an insert mutation
# through the runtime, beside the engine's raw get and raw insert measured in the same run
# (targets: empty query ≤ 2× raw get, insert mutation ≤ 2× raw insert), and a query returning
# 100 documents beside the engine's raw scan of them. `host_query` is the empty query's call
# with the `convex` library's `invokeQuery` taken out (the runtime's own cost); the last line
# is the library's share of the empty query.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/atrium/target}"
[[ -d tests/fixtures/kitchen/node_modules/convex ]] || (cd tests/fixtures/kitchen && npm ci --no-audit --no-fund --loglevel=error)
cargo bench -p atrium-runtime --bench runtime -- --noplot "$@" >&2
python3 - "$CARGO_TARGET_DIR/criterion/calls" <<'PY'
import json, os, sys
root = sys.argv[1]
def mean(name):
    with open(os.path.join(root, name, "new", "estimates.json")) as f:
        return json.load(f)["mean"]["point_estimate"]  # nanoseconds
floors = {"empty_query": "engine_get", "host_query": "engine_get", "insert_mutation": "engine_insert", "list_query": "engine_scan"}
print(f"{'benchmark':<18} {'per call':>12} {'calls/s':>10} {'vs floor':>10}  floor")
for name in ["empty_query", "host_query", "engine_get", "insert_mutation", "engine_insert", "list_query", "engine_scan"]:
    ns = mean(name)
    floor = floors.get(name)
    ratio = f"{ns / mean(floor):>9.2f}x" if floor else f"{'':>10}"
    print(f"{name:<18} {ns/1e3:>9.1f} µs {1e9/ns:>10.0f} {ratio}  {floor or ''}")
library = mean("empty_query") - mean("host_query")
print(f"the library's invokeQuery: {library/1e3:.1f} µs of the empty query's {mean('empty_query')/1e3:.1f} µs")
PY
