//! Writing the studio's small files safely: a temporary file in the same folder, synced,
//! then renamed over the old one, so a crash leaves the old or the new file, never half.

use std::io::Write as _;
use std::path::Path;

/// Writes `bytes` to `path` atomically, creating its folder. With `private`, the file is
/// readable by its owner only (0600 on Unix) from the moment it exists.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8], private: bool) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    let tmp = dir.join(name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)
}

/// Reads one of the studio's JSON files (`what` names its contents: "settings"). A missing
/// file is the default; an unreadable or damaged one is the default too, with a sentence
/// saying so — and the file is left as it is until something is saved over it.
pub(crate) fn read_json<T: serde::de::DeserializeOwned + Default>(
    path: &Path,
    what: &str,
) -> (T, Option<String>) {
    match std::fs::read(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (T::default(), None),
        Err(e) => (
            T::default(),
            Some(format!(
                "Could not read {}: {e}. Starting without the saved {what}.",
                path.display()
            )),
        ),
        Ok(bytes) => match serde_json::from_slice(&bytes) {
            Ok(value) => (value, None),
            Err(e) => (
                T::default(),
                Some(format!(
                    "{} is not valid {what} JSON ({e}). Starting without the saved {what}; the \
                     file is left as it is until you change something.",
                    path.display()
                )),
            ),
        },
    }
}

/// Writes one of the studio's JSON files atomically; an error names `what` and the path.
pub(crate) fn write_json<T: serde::Serialize>(
    path: &Path,
    value: &T,
    what: &str,
) -> Result<(), crate::CommandError> {
    let json = serde_json::to_vec_pretty(value).map_err(crate::CommandError::internal)?;
    write_atomically(path, &json, false).map_err(|e| {
        crate::CommandError::new(
            crate::ErrorCode::Io,
            format!("Could not save the {what} ({}): {e}", path.display()),
        )
    })
}

/// Creates a new file named `name` (only its last component; a name starting with `.` is
/// refused) in `dir`, or `stem-1.ext`, `stem-2.ext`, … when taken: an export never
/// overwrites another.
pub(crate) fn create_export_file(
    dir: &Path,
    name: &str,
) -> Result<(std::path::PathBuf, std::fs::File), crate::CommandError> {
    use crate::{CommandError, ErrorCode};
    let name = Path::new(name)
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| !n.is_empty() && !n.starts_with('.'))
        .ok_or_else(|| {
            CommandError::new(ErrorCode::BadRequest, format!("{name:?} is not a plain file name"))
        })?
        .to_owned();
    std::fs::create_dir_all(dir).map_err(|e| {
        CommandError::new(ErrorCode::Io, format!("Could not create {}: {e}", dir.display()))
    })?;
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) => (s.to_owned(), format!(".{e}")),
        None => (name.clone(), String::new()),
    };
    for n in 0.. {
        let path = if n == 0 { dir.join(&name) } else { dir.join(format!("{stem}-{n}{ext}")) };
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(CommandError::new(
                    ErrorCode::Io,
                    format!("Could not create {}: {e}", path.display()),
                ));
            }
        }
    }
    unreachable!("some numbered name is free")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_keeps_private_files_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b.json");
        write_atomically(&path, b"one", true).unwrap();
        write_atomically(&path, b"two", true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert!(!dir.path().join("a/b.json.tmp").exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
