//! Repository checks that keep the architecture honest, run as tests by `cargo test`.
//!
//! - Dependency rules ([`deps`]): only `src-tauri` reaches tauri; polars is a direct
//!   dependency of `atrium-studio` alone, and the value, protocol, logs, engine, runtime,
//!   server and client crates reach neither, so their tests build fast; the studio does
//!   not depend on the engine or the runtime directly (its door to the local engine is
//!   `atrium-server`), nor the engine on the protocol crate.
//! - Module docs ([`docs`]): every Rust file opens with a `//!` doc saying what it owns.
//!
//! `cargo run -p xtask` prints any violations and exits non-zero when there are some.

mod deps;
mod docs;

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
    match deps::WorkspaceGraph::from_cargo_metadata(&repo_root()) {
        Ok(graph) => problems.extend(deps::violations(&graph)),
        Err(e) => problems.push(e),
    }
    problems.extend(docs::files_without_module_docs(&repo_root()));
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
