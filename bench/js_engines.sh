#!/usr/bin/env bash
# The `convex` library's own per-call work in three JavaScript engines, on one esbuild bundle
# of tests/bench/js_engines/entry.mjs: QuickJS (the one the runtime embeds, bare: no host),
# V8 (Node, what Convex runs functions in) and JavaScriptCore (the system's WebKitGTK copy,
# skipped when its headers are missing). Per engine: an empty query's `invokeQuery`, a
# stand-in with no library work, and `jsonToConvex` of one 5-field document; the median of
# 3 rounds, and each engine's library time against QuickJS's. Not a target: it measures what
# the runtime's empty-query ratio (bench/runtime.sh) would be on another engine.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/atrium/target}"
[[ -d tests/fixtures/kitchen/node_modules/convex ]] || (cd tests/fixtures/kitchen && npm ci --no-audit --no-fund --loglevel=error)
work="$(mktemp -d)"
# Bundled from inside the fixture, whose node_modules hold `convex` and esbuild.
cp tests/bench/js_engines/entry.mjs tests/fixtures/kitchen/.js-engines-entry.mjs
trap 'rm -rf "$work" tests/fixtures/kitchen/.js-engines-entry.mjs' EXIT
(cd tests/fixtures/kitchen && node_modules/.bin/esbuild .js-engines-entry.mjs --bundle \
  --format=iife --platform=neutral --main-fields=module,main --log-level=warning \
  --outfile="$work/bundle.js")
cargo build --release -q -p atrium-runtime --example js_bundle >&2
echo "QuickJS…" >&2
"$CARGO_TARGET_DIR/release/examples/js_bundle" "$work/bundle.js" > "$work/quickjs.txt"
echo "V8 (node $(node --version))…" >&2
node "$work/bundle.js" > "$work/v8.txt"
if pkg-config --exists javascriptcoregtk-4.1 2>/dev/null; then
  echo "JavaScriptCore $(pkg-config --modversion javascriptcoregtk-4.1)…" >&2
  cc -O2 tests/bench/js_engines/jsc.c -o "$work/jsc" $(pkg-config --cflags --libs javascriptcoregtk-4.1)
  "$work/jsc" "$work/bundle.js" > "$work/jsc.txt"
fi
python3 - "$work" <<'PY'
import os, statistics, sys
work = sys.argv[1]
def rounds(name):
    path = os.path.join(work, name)
    if not os.path.exists(path):
        return None
    rows = [line.split() for line in open(path) if line.strip()]
    if any(r[0] == "error" for r in rows):
        sys.exit(f"{name}: {' '.join(rows[0])}")
    return [statistics.median(float(r[i]) for r in rows) for i in range(3)]
engines = [("QuickJS", rounds("quickjs.txt")), ("V8", rounds("v8.txt")), ("JavaScriptCore", rounds("jsc.txt"))]
quick = engines[0][1]
print(f"{'engine':<16}{'invokeQuery':>13}{'stand-in':>11}{'library':>10}{'jsonToConvex':>15}{'library vs QuickJS':>20}")
for name, r in engines:
    if r is None:
        print(f"{name:<16}  (not built here)")
        continue
    library = r[0] - r[1]
    ratio = library / (quick[0] - quick[1])
    print(f"{name:<16}{r[0]:>10.2f} µs{r[1]:>8.2f} µs{library:>7.2f} µs{r[2]*1000:>11.0f} ns{ratio:>19.2f}x")
PY
