#!/usr/bin/env bash
# Soak (release build): 1,000 official ConvexClients on loopback subscribed across 100
# queries while mutations arrive at a steady rate for 10 minutes; it stops by itself and
# reports the engine's RSS growth after warm-up, missed or out-of-order updates, and p99
# latency per 30 s window (exit status 1 on a missed or out-of-order update).
#   bench/soak.sh [SECONDS] [CLIENTS]      (defaults 600, 1000)
# More settings (SOAK_QUERIES, SOAK_RATE, SOAK_WARMUP, SOAK_WINDOW) are read from the
# environment; the script itself is tests/bench/soak.mjs. ATRIUM_ENGINE_BIN picks a
# prebuilt engine instead of building one.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/atrium/target}"
export SOAK_SECONDS="${1:-${SOAK_SECONDS:-600}}" SOAK_CLIENTS="${2:-${SOAK_CLIENTS:-1000}}"
if [ -z "${ATRIUM_ENGINE_BIN:-}" ]; then
  scripts/setup.sh test >/dev/null
  cargo build --release -p atrium-server >&2
  export ATRIUM_ENGINE_BIN="$CARGO_TARGET_DIR/release/atrium-engine"
fi
# 1,000 sockets plus the engine's: raise the open-file limit where allowed.
ulimit -n 65536 2>/dev/null || true
node tests/bench/soak.mjs
