# Atrium's entry points. The README names two: `make run` and `make test`.
# One cargo target dir outside the clone, shared by every clone and by CI.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/atrium/target
ATRIUM := $(CARGO_TARGET_DIR)/debug/atrium

.PHONY: run test setup-run setup-test ui app lint rust-tests ui-tests e2e generate package fuzz

## Install what is missing, build, and open Atrium (browser mode when there is no display).
run: setup-run app
	$(ATRIUM)

## Install what tests need and run every test: Rust, UI unit tests, end-to-end.
# `cargo test` also builds the binaries the end-to-end tests start (`atrium`,
# `atrium-engine`), with the same features, so nothing is compiled twice.
test: setup-test ui lint rust-tests ui-tests e2e

setup-run:
	@scripts/setup.sh run

setup-test:
	@scripts/setup.sh test

ui:
	cd ui && npm run --silent build

# src-tauri embeds ui/dist, so the UI is built first. atrium-engine is the headless engine.
app: ui
	cargo build -p atrium -p atrium-server

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --quiet -- -D warnings
	cd ui && npx eslint . --max-warnings 0

rust-tests:
	cargo test --workspace

ui-tests:
	cd ui && npx vitest run

e2e:
	cd tests && node --test --test-concurrency=1 e2e/

## Fuzz each target for SECONDS seconds (libFuzzer via cargo-fuzz, installed when missing).
# `make test` replays every target's corpus through it (the atrium-fuzz crate's tests).
SECONDS ?= 60
fuzz:
	scripts/fuzz.sh $(SECONDS)

## Regenerate the UI's TypeScript types from the studio's command table.
generate:
	ATRIUM_UPDATE_BINDINGS=1 cargo test -p atrium-studio --test it generated_bindings

## Build the release .deb (see CONTRIBUTING.md).
package: setup-run ui
	scripts/package.sh
