//! The file work of local projects: copying a template, a folder's size, why a folder
//! cannot run as a Convex project (with the command that fixes it), and the `.env.local`
//! the official CLI reads. It must not start engines or know the project list.

use std::path::{Path, PathBuf};

use crate::{CommandError, ErrorCode};

pub(super) fn io(what: &str, path: &Path, e: std::io::Error) -> CommandError {
    CommandError::new(ErrorCode::Io, format!("Could not {what} {}: {e}", path.display()))
}

pub(super) fn copy_dir(from: &Path, to: &Path, skip: &[&str]) -> Result<(), CommandError> {
    std::fs::create_dir_all(to).map_err(|e| io("create", to, e))?;
    for entry in std::fs::read_dir(from).map_err(|e| io("read", from, e))? {
        let entry = entry.map_err(|e| io("read", from, e))?;
        let name = entry.file_name();
        if skip.iter().any(|s| name == *s) {
            continue;
        }
        let (source, target) = (entry.path(), to.join(&name));
        let kind = entry.file_type().map_err(|e| io("read", &source, e))?;
        if kind.is_dir() {
            copy_dir(&source, &target, &[])?;
        } else if kind.is_symlink() {
            // node_modules/.bin holds relative links; they stay links.
            let link = std::fs::read_link(&source).map_err(|e| io("read", &source, e))?;
            #[cfg(unix)]
            std::os::unix::fs::symlink(&link, &target).map_err(|e| io("link", &target, e))?;
            #[cfg(not(unix))]
            std::fs::copy(source.parent().unwrap_or(from).join(&link), &target)
                .map_err(|e| io("copy", &source, e))?;
        } else {
            std::fs::copy(&source, &target).map_err(|e| io("copy", &source, e))?;
        }
    }
    Ok(())
}

pub(super) fn folder_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| match e.file_type() {
                    Ok(t) if t.is_dir() => folder_size(&e.path()),
                    _ => e.metadata().map(|m| m.len()).unwrap_or(0),
                })
                .sum()
        })
        .unwrap_or(0)
}

/// Why `dir` cannot run as a Convex project, if it cannot: no `convex/` folder, or no
/// `convex` package installed (with the command that installs it).
pub(crate) fn diagnose(dir: &Path) -> Option<String> {
    if !dir.is_dir() {
        return Some(format!("{} is not a folder.", dir.display()));
    }
    if !dir.join("convex").is_dir() {
        return Some(format!(
            "{} is not a Convex project: it has no convex/ folder.",
            dir.display()
        ));
    }
    if !dir.join("node_modules/convex/package.json").is_file() {
        let declared = std::fs::read_to_string(dir.join("package.json"))
            .is_ok_and(|p| p.contains("\"convex\""));
        let command = if declared { "npm install" } else { "npm install convex" };
        return Some(format!(
            "{} has no node_modules/convex, which its functions import. Install it: \
             cd {} && {command}",
            dir.display(),
            shell_quote(&dir.display().to_string())
        ));
    }
    None
}

fn shell_quote(text: &str) -> String {
    if text.chars().all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c)) {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// Sets `CONVEX_SELF_HOSTED_URL` and `CONVEX_SELF_HOSTED_ADMIN_KEY` in `<dir>/.env.local`
/// (other lines kept), so the official CLI (`npx convex dev`) and the app use the engine.
pub(crate) fn write_cli_env(
    dir: &Path,
    url: &str,
    admin_key: &str,
) -> Result<PathBuf, CommandError> {
    let path = dir.join(".env.local");
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(io("read", &path, e)),
    };
    let mut lines: Vec<String> = existing
        .lines()
        .filter(|l| {
            !l.starts_with("CONVEX_SELF_HOSTED_URL=")
                && !l.starts_with("CONVEX_SELF_HOSTED_ADMIN_KEY=")
                && !l.starts_with("CONVEX_DEPLOYMENT=")
        })
        .map(str::to_owned)
        .collect();
    lines.push(format!("CONVEX_SELF_HOSTED_URL={url}"));
    lines.push(format!("CONVEX_SELF_HOSTED_ADMIN_KEY={admin_key}"));
    // The key is a secret: the file is the owner's only.
    crate::files::write_atomically(&path, (lines.join("\n") + "\n").as_bytes(), true)
        .map_err(|e| io("write", &path, e))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnoses_folders_that_cannot_run() {
        let dir = tempfile::tempdir().unwrap();
        assert!(diagnose(dir.path()).unwrap().contains("has no convex/ folder"));
        std::fs::create_dir(dir.path().join("convex")).unwrap();
        let missing = diagnose(dir.path()).unwrap();
        assert!(missing.ends_with("&& npm install convex"), "{missing}");
        std::fs::write(dir.path().join("package.json"), "{\"dependencies\":{\"convex\":\"1\"}}")
            .unwrap();
        assert!(diagnose(dir.path()).unwrap().ends_with("&& npm install"));
        assert_eq!(shell_quote("/a b/c"), "'/a b/c'");
    }

    #[test]
    fn the_cli_env_keeps_other_lines() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".env.local"), "VITE_X=1\nCONVEX_DEPLOYMENT=dev:old\n")
            .unwrap();
        let path = write_cli_env(dir.path(), "http://127.0.0.1:5", "name|abc").unwrap();
        assert_eq!(
            std::fs::read_to_string(path).unwrap(),
            "VITE_X=1\nCONVEX_SELF_HOSTED_URL=http://127.0.0.1:5\nCONVEX_SELF_HOSTED_ADMIN_KEY=name|abc\n"
        );
    }
}
