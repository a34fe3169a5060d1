#!/usr/bin/env bash
# Runs every fuzz target under libFuzzer for the given number of seconds each, one at a
# time at the lowest CPU priority, starting from its committed seed corpus (`fuzz/corpus/`).
# New inputs go to a work corpus in the cargo target dir, so the committed one stays small;
# a crash stops the run and leaves its input in fuzz/artifacts/<target>/ (copy it into
# fuzz/corpus/<target>/ as `crash-<what>` when fixing it: the corpus test then replays it).
#
# cargo-fuzz is installed when missing. The toolchain is stable: RUSTC_BOOTSTRAP=1 lets
# cargo-fuzz pass its -Z flags, and `--sanitizer none` skips AddressSanitizer (safe Rust
# needs no ASan to find panics, overflows and aborts; ASan would cost 2-3x speed).
# Usage: scripts/fuzz.sh SECONDS [TARGET...]; FUZZ_RUNS=N also stops a target after N
# executions (the acceptance run: FUZZ_RUNS=10000000 scripts/fuzz.sh 1800 stops each at
# 10 million executions or 30 minutes, whichever comes first).
set -euo pipefail
seconds=${1:-60}
shift || true
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/atrium/target}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
fuzz=(cargo fuzz run --sanitizer none --features libfuzzer)
runs=${FUZZ_RUNS:--1}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(ls fuzz/corpus)
fi
for target in "${targets[@]}"; do
  work="$CARGO_TARGET_DIR/fuzz-corpus/$target"
  mkdir -p "$work" "fuzz/artifacts/$target"
  echo "== $target: ${seconds}s, $runs runs"
  log="$work.log"
  status=0
  nice -n 19 "${fuzz[@]}" "$target" "$work" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -runs="$runs" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -n 40 "$log" >&2
    echo "$target: libFuzzer stopped with status $status (input in fuzz/artifacts/$target/)" >&2
    exit 1
  fi
done
