//! Every Rust source file opens with a `//!` module doc saying what it owns.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source folders the rule covers: each crate's `src/` and `tests/`, and the hosts'.
fn source_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![root.join("src-tauri/src"), root.join("xtask/src")];
    if let Ok(crates) = std::fs::read_dir(root.join("crates")) {
        for krate in crates.flatten() {
            dirs.push(krate.path().join("src"));
            dirs.push(krate.path().join("tests"));
        }
    }
    dirs
}

pub(crate) fn files_without_module_docs(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for dir in source_dirs(root) {
        rust_files(&dir, &mut files);
    }
    files.sort();
    files
        .into_iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            !text.trim_start().starts_with("//!")
        })
        .map(|path| {
            let shown = path.strip_prefix(root).unwrap_or(&path).display().to_string();
            format!("{shown} has no `//!` module doc at the top")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_without_a_module_doc_is_named() {
        let dir = tempfile_dir();
        std::fs::create_dir_all(dir.join("crates/x/src")).unwrap();
        std::fs::write(dir.join("crates/x/src/lib.rs"), "//! Owns x.\n").unwrap();
        std::fs::write(dir.join("crates/x/src/bad.rs"), "// not a module doc\nfn f() {}\n")
            .unwrap();
        assert_eq!(
            files_without_module_docs(&dir),
            vec!["crates/x/src/bad.rs has no `//!` module doc at the top".to_string()]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn every_file_in_the_repo_has_a_module_doc() {
        assert_eq!(files_without_module_docs(&crate::repo_root()), Vec::<String>::new());
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("atrium-tidy-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }
}
