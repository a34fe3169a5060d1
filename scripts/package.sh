#!/usr/bin/env bash
# Builds the release .deb with the Tauri CLI.
#
# The CLI wants its config beside the crate (src-tauri/tauri.conf.json) and refuses the
# root one for bundling, so we generate a git-ignored copy with paths made relative to
# src-tauri, then run the CLI from there.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/atrium/target}"

node - <<'JS'
const fs = require("fs");
const config = JSON.parse(fs.readFileSync("tauri.conf.json", "utf8"));
const up = (p) => "../" + p;
config.build.frontendDist = up(config.build.frontendDist);
config.bundle.icon = config.bundle.icon.map(up);
fs.writeFileSync("src-tauri/tauri.conf.json", JSON.stringify(config, null, 2) + "\n");
JS

(cd src-tauri && ../ui/node_modules/.bin/tauri build --bundles deb --ci)
deb=$(ls -t "$CARGO_TARGET_DIR"/release/bundle/deb/*.deb | head -n 1)
echo "package: $deb"
