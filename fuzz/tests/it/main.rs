//! The fuzz targets as normal tests, so `make test` exercises them without cargo-fuzz:
//! `replay` runs every corpus file through its target; `mutate` runs a few seconds of
//! seeded random mutations of the corpus through each (longer with
//! `ATRIUM_FUZZ_SECONDS`).

mod mutate;
mod replay;

use std::path::{Path, PathBuf};

/// The corpus files of a target, in name order; a target without any fails.
fn corpus(name: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(name);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "target {name} has no corpus");
    files
}
mod replace_bug;
