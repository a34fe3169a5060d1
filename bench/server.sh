#!/usr/bin/env bash
# Server benchmarks (release build): mutation → subscriber update latency with 100
# ConvexClients beside a bare WebSocket broadcast, and empty-query HTTP requests/s beside a
# bare Node HTTP server, all measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/atrium/target}"
scripts/setup.sh test >/dev/null
cargo build --release -p atrium-server >&2
ATRIUM_ENGINE_BIN="$CARGO_TARGET_DIR/release/atrium-engine" node tests/bench/server.mjs
