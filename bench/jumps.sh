#!/usr/bin/env bash
# Deep jumps in the engine (crates/engine/benches/jumps.rs): on a 1,000,000-document table
# (DOCS=… for another size), a grid window at row 1,000 and at row 900,000 through the order
# statistics and through SQLite alone (the old path), measured in the same run, with the
# deep/shallow ratio of each and the time to the first rows; the same within an index range
# over the middle 80% of the table (row 720,000 of it as the deep row).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/atrium/target}"
cargo bench -p atrium-engine --bench jumps -- --noplot "$@" >&2
python3 - "$CARGO_TARGET_DIR/criterion/jump" <<'PY'
import json, os, sys
root = sys.argv[1]
def mean(name):
    with open(os.path.join(root, name, "new", "estimates.json")) as f:
        return json.load(f)["mean"]["point_estimate"] / 1e6  # milliseconds
print(f"first rows (count + 260 rows): {mean('first_rows'):.2f} ms")
print(f"{'path':<22} {'row 1,000':>12} {'deep row':>12} {'deep/shallow':>13}")
for path, label in [("stats", "statistics"), ("sql", "SQL only (old path)"),
                    ("stats_range", "statistics, range"), ("sql_range", "SQL only, range")]:
    shallow, deep = mean(f"{path}_shallow"), mean(f"{path}_deep")
    print(f"{label:<22} {shallow:>9.2f} ms {deep:>9.2f} ms {deep / shallow:>12.2f}x")
print(f"row 900,000, old path / statistics: {mean('sql_deep') / mean('stats_deep'):.1f}x")
print(f"range row 720,000, old path / statistics: {mean('sql_range_deep') / mean('stats_range_deep'):.1f}x")
PY
