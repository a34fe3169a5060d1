#!/usr/bin/env bash
# Actions' fetch: three requests to a stand-in that delays each by 500 ms, with Promise.all,
# beside the same three awaited one after another (the baseline) measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/atrium/target}"
[[ -d tests/fixtures/sdks/node_modules/convex ]] || (cd tests/fixtures/sdks && npm ci --no-audit --no-fund --loglevel=error)
cargo test -p atrium-runtime --test it fetch_figures -- --ignored --nocapture --test-threads=1 2>/dev/null \
  | grep -v -E '^(running|test |$)|test result'
