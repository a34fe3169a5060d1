//! Repository checks that keep the architecture honest, run as tests by `cargo test`.
//!
//! - Dependency rules ([`deps`]): only `src-tauri` reaches tauri; polars is a direct
//!   dependency of `atrium-studio` alone, and the value, protocol, logs, engine, runtime,
//!   server and client crates reach neither, so their tests build fast; the studio does
//!   not depend on the engine or the runtime directly (its door to the local engine is
//!   `atrium-server`), nor the engine on the protocol crate.
//! - Module docs ([`docs`]): every Rust file opens with a `//!` doc saying what it owns.
//! - Import cycles ([`cycles`]): no two files of a crate use each other, directly or
//!   around a loop.
//! - Unused dependencies ([`unused_deps`]): every declared dependency is used somewhere.
//!
//! `cargo run -p xtask` prints any violations and exits non-zero when there are some.

mod cycles;
mod deps;
mod docs;
mod unused_deps;

use std::path::PathBuf;
use std::process::ExitCode;

pub(crate) fn repo_root() -> PathBuf {
    // Cargo sets the variable when it runs us; the compile-time value is the fallback. (A
    // shared target dir can hold a binary built from another clone of the repository.)
    let manifest_dir =
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into());
    PathBuf::from(manifest_dir).parent().expect("xtask lives in the repo").to_path_buf()
}

fn main() -> ExitCode {
    let mut problems = Vec::new();
    match deps::cargo_metadata(&repo_root()) {
        Ok(metadata) => {
            match deps::WorkspaceGraph::from_metadata(&metadata) {
                Ok(graph) => problems.extend(deps::violations(&graph)),
                Err(e) => problems.push(e),
            }
            problems.extend(unused_deps::unused_dependencies(&repo_root(), &metadata));
        }
        Err(e) => problems.push(e),
    }
    problems.extend(docs::files_without_module_docs(&repo_root()));
    problems.extend(cycles::import_cycles(&repo_root()));
    if problems.is_empty() {
        println!("tidy: all checks pass");
        ExitCode::SUCCESS
    } else {
        for problem in &problems {
            eprintln!("tidy: {problem}");
        }
        ExitCode::FAILURE
    }
}
