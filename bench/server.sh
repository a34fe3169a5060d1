#!/usr/bin/env bash
# Server benchmarks (release build): mutation → update latency at 100 sync sockets beside a
# bare WebSocket broadcast of frames as long (its own process, after a request, as the
# engine's), with 100 ConvexClients' callback latency for reference; empty-query HTTP
# requests/s beside a bare Node HTTP server; a mutation's fan-out to 10,000 subscribers;
# idle memory per socket. All measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/atrium/target}"
scripts/setup.sh test >/dev/null
cargo build --release -p atrium-server >&2
ATRIUM_ENGINE_BIN="$CARGO_TARGET_DIR/release/atrium-engine" node tests/bench/server.mjs
