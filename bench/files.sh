#!/usr/bin/env bash
# File storage benchmarks (release build): upload and download of one 200 MB file and of
# 10,000 small files beside a plain file copy on the same disk in the same run, and the
# engine's RSS during the 200 MB upload above its idle RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/atrium/target}"
scripts/setup.sh test >/dev/null
cargo build --release -p atrium-server >&2
ATRIUM_ENGINE_BIN="$CARGO_TARGET_DIR/release/atrium-engine" node tests/bench/files.mjs "$@"
