#!/usr/bin/env bash
# The Data area on a 1,000,000-document table (release builds): time to first rows and
# to jump to row 900,000 in Chromium beside the same windows read directly over HTTP, and
# the app's memory. DOCS=… for another size. The script itself is tests/bench/data-grid.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/atrium/target}"
scripts/setup.sh test >/dev/null
(cd ui && npm run build >/dev/null)
cargo build --release -p atrium-server -p atrium >&2
cd tests
ATRIUM_ENGINE_BIN="$CARGO_TARGET_DIR/release/atrium-engine" ATRIUM_BIN="$CARGO_TARGET_DIR/release/atrium" \
  node bench/data-grid.mjs
