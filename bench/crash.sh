#!/usr/bin/env bash
# The engine's crash test with many more SIGKILL trials than the test suite runs.
#   bench/crash.sh [TRIALS]   (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/atrium/target}"
ATRIUM_CRASH_TRIALS="${1:-200}" cargo test --release -p atrium-engine --test crash -- --nocapture 2>&1 \
  | grep -E "crash test|test result|panicked"
