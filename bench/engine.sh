#!/usr/bin/env bash
# Runs the engine's criterion benchmarks and prints each engine figure beside raw rusqlite
# doing the equivalent work in the same run, as a ratio (engine time / rusqlite time).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/atrium/target}"
cargo bench -p atrium-engine --bench engine -- --noplot "$@" >&2
python3 - "$CARGO_TARGET_DIR/criterion" <<'PY'
import json, os, sys
root = sys.argv[1]
def mean(group, name):
    with open(os.path.join(root, group, name, "new", "estimates.json")) as f:
        return json.load(f)["mean"]["point_estimate"]  # nanoseconds
def show(ns):
    return f"{ns/1e6:.3f} ms" if ns >= 1e6 else f"{ns/1e3:.2f} µs"
print(f"{'benchmark':<12} {'engine':>12} {'rusqlite':>12} {'ratio':>9}")
for group in ["insert", "get", "range100", "invalidate"]:
    try:
        e, r = mean(group, "engine"), mean(group, "rusqlite")
    except FileNotFoundError:
        continue
    print(f"{group:<12} {show(e):>12} {show(r):>12} {e/r:>8.3f}x")
PY
