#!/usr/bin/env bash
# The scheduler: 50 scheduled actions that each wait 1 s, through the concurrent pool,
# beside the same actions one at a time (the old loop) measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/atrium/target}"
[[ -d tests/fixtures/schedules/node_modules/convex ]] || (cd tests/fixtures/schedules && npm ci --no-audit --no-fund --loglevel=error)
cargo test -p atrium-runtime --test it scheduler_bench -- --ignored --nocapture --test-threads=1 2>/dev/null \
  | grep -v -E '^(running|test |$)|test result'
