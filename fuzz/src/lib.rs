//! Fuzz targets for the parsers of untrusted input, one function per target, each taking
//! the raw bytes libFuzzer makes. Each calls the real parser the way the server calls it
//! and checks what must hold for any input: no panic, and for what parses, that encoding it
//! again and parsing that gives the same value.
//!
//! `fuzz_targets/*.rs` hand these to libFuzzer (`make fuzz`); `tests/it/main.rs` replays
//! every file under `corpus/<target>/` through them in a normal `cargo test`, so the seeds
//! and every crash found (kept as `corpus/<target>/crash-*`) are regression tests on a
//! machine without cargo-fuzz. It must not be used by the product's crates.

mod import;
mod wire;

pub use import::{jsonl_import, push_body, snapshot_zip};
pub use wire::{convex_json, http_body, query_json, sync_message};

/// A fuzz target: takes any bytes; panics only on a bug.
pub type Target = fn(&[u8]);

/// Every target by name (the name of its `fuzz_targets/` binary and `corpus/` folder).
pub const TARGETS: &[(&str, Target)] = &[
    ("convex_json", convex_json),
    ("sync_message", sync_message),
    ("http_body", http_body),
    ("query_json", query_json),
    ("snapshot_zip", snapshot_zip),
    ("jsonl_import", jsonl_import),
    ("push_body", push_body),
];
