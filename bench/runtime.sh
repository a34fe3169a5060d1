#!/usr/bin/env bash
# Function-call throughput in process (criterion): an empty query and an insert mutation
# through the runtime, beside the engine's raw insert rate measured in the same run.
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
raw = mean("engine_insert")
print(f"{'benchmark':<18} {'per call':>12} {'calls/s':>10} {'vs raw insert':>14}")
for name in ["empty_query", "insert_mutation", "engine_insert"]:
    ns = mean(name)
    print(f"{name:<18} {ns/1e3:>9.1f} µs {1e9/ns:>10.0f} {ns/raw:>13.2f}x")
PY
