//! The pushed code in the data folder, so a restart serves what was last deployed:
//! `pushed_code.json` holds the modules and the component definitions together, written to
//! a temporary file, synced and renamed into place, so a crash leaves the previous push or
//! this one, never one's modules with the other's components. Folders written before it
//! existed hold `pushed_modules.json` and `pushed_components.json`, which are still read
//! (and removed once `pushed_code.json` replaces them).
//!
//! It owns the files only: it must not analyse or install code.

use std::path::{Path, PathBuf};

use atrium_protocol::push::{PushedComponents, PushedModule};
use serde::{Deserialize, Serialize};

use super::DeploymentError;

const PUSHED_CODE_FILE: &str = "pushed_code.json";
const LEGACY_MODULES_FILE: &str = "pushed_modules.json";
const LEGACY_COMPONENTS_FILE: &str = "pushed_components.json";

#[derive(Serialize, Deserialize)]
struct PushedCode {
    modules: Vec<PushedModule>,
    components: PushedComponents,
}

fn data_error(path: &Path, error: impl std::fmt::Display) -> DeploymentError {
    DeploymentError::DataDir {
        path: path.display().to_string(),
        error: std::io::Error::other(error.to_string()),
    }
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>, DeploymentError> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| data_error(path, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(data_error(path, e)),
    }
}

/// The code last pushed into `data_dir`, if any.
pub(super) fn load(
    data_dir: &Path,
) -> Result<Option<(Vec<PushedModule>, PushedComponents)>, DeploymentError> {
    if let Some(code) = read_json::<PushedCode>(&data_dir.join(PUSHED_CODE_FILE))? {
        return Ok(Some((code.modules, code.components)));
    }
    let Some(modules) = read_json(&data_dir.join(LEGACY_MODULES_FILE))? else {
        return Ok(None);
    };
    let components = read_json(&data_dir.join(LEGACY_COMPONENTS_FILE))?.unwrap_or_default();
    Ok(Some((modules, components)))
}

/// Stores a push atomically (see the module doc).
pub(super) fn store(
    data_dir: &Path,
    modules: &[PushedModule],
    components: &PushedComponents,
) -> Result<(), DeploymentError> {
    #[derive(Serialize)]
    struct Borrowed<'a> {
        modules: &'a [PushedModule],
        components: &'a PushedComponents,
    }
    let path = data_dir.join(PUSHED_CODE_FILE);
    let bytes =
        serde_json::to_vec(&Borrowed { modules, components }).map_err(|e| data_error(&path, e))?;
    let tmp: PathBuf = path.with_extension("tmp");
    let write = || -> std::io::Result<()> {
        use std::io::Write as _;
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        atrium_engine::fault::point(atrium_engine::fault::points::PUSH_APPLY);
        std::fs::rename(&tmp, &path)
    };
    write().map_err(|e| data_error(&path, e))?;
    for legacy in [LEGACY_MODULES_FILE, LEGACY_COMPONENTS_FILE] {
        let _ = std::fs::remove_file(data_dir.join(legacy));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(path: &str) -> PushedModule {
        serde_json::from_value(serde_json::json!({"path": path, "source": "export {}"})).unwrap()
    }

    #[test]
    fn a_push_reads_back_and_replaces_the_legacy_files() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(dir.path()).unwrap().is_none());
        std::fs::write(
            dir.path().join(LEGACY_MODULES_FILE),
            serde_json::to_vec(&[module("old.js")]).unwrap(),
        )
        .unwrap();
        let (modules, _) = load(dir.path()).unwrap().expect("the legacy file is read");
        assert_eq!(modules, vec![module("old.js")]);

        store(dir.path(), &[module("new.js")], &PushedComponents::default()).unwrap();
        let (modules, _) = load(dir.path()).unwrap().unwrap();
        assert_eq!(modules, vec![module("new.js")]);
        assert!(!dir.path().join(LEGACY_MODULES_FILE).exists());
        assert!(!dir.path().join("pushed_code.tmp").exists());
    }
}
