//! Where browser mode finds the UI's files, and how a URL path maps to one.

use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};

/// The UI's built files, looked up by path relative to the root (`index.html`,
/// `assets/index-abc123.js`).
pub trait UiAssets: Send + Sync + 'static {
    fn get(&self, path: &str) -> Option<Cow<'static, [u8]>>;
}

/// UI files read from a folder on disk (`ui/dist`), for tests and development.
#[derive(Debug, Clone)]
pub struct DirAssets {
    root: PathBuf,
}

impl DirAssets {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }
}

impl UiAssets for DirAssets {
    fn get(&self, path: &str) -> Option<Cow<'static, [u8]>> {
        // Only plain relative paths: no `..`, no absolute paths, no drive prefixes.
        let relative = Path::new(path);
        if !relative.components().all(|c| matches!(c, Component::Normal(_))) {
            return None;
        }
        std::fs::read(self.root.join(relative)).ok().map(Cow::Owned)
    }
}

pub(super) struct Found {
    pub(super) bytes: Cow<'static, [u8]>,
    pub(super) mime: mime_guess::Mime,
    pub(super) cache_control: &'static str,
}

/// Maps a request path to a file. The root and paths without a file extension get
/// `index.html` (the UI routes in the page); hashed build output under `assets/` may be
/// cached forever, everything else is revalidated.
pub(super) fn resolve(assets: &dyn UiAssets, path: &str) -> Option<Found> {
    let has_extension = path.rsplit('/').next().is_some_and(|name| name.contains('.'));
    let file = if path.is_empty() || !has_extension { "index.html" } else { path };
    let bytes = assets.get(file)?;
    let cache_control = if file.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Some(Found { bytes, mime: mime_guess::from_path(file).first_or_octet_stream(), cache_control })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dir_assets_refuse_paths_that_leave_the_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("ui")).unwrap();
        std::fs::write(dir.path().join("secret.txt"), "secret").unwrap();
        std::fs::write(dir.path().join("ui/index.html"), "<html>").unwrap();
        let assets = DirAssets::new(dir.path().join("ui"));
        assert!(assets.get("index.html").is_some());
        assert!(assets.get("../secret.txt").is_none());
        assert!(assets.get(&dir.path().join("secret.txt").display().to_string()).is_none());
    }

    #[test]
    fn resolve_serves_index_for_routes_and_types_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("assets")).unwrap();
        std::fs::write(dir.path().join("index.html"), "<html>").unwrap();
        std::fs::write(dir.path().join("assets/app-1.js"), "x").unwrap();
        let assets = DirAssets::new(dir.path());
        let root = resolve(&assets, "").unwrap();
        assert_eq!(root.mime.essence_str(), "text/html");
        assert_eq!(root.cache_control, "no-cache");
        assert_eq!(resolve(&assets, "data").unwrap().bytes.as_ref(), b"<html>");
        let js = resolve(&assets, "assets/app-1.js").unwrap();
        assert_eq!(js.mime.essence_str(), "text/javascript");
        assert!(js.cache_control.contains("immutable"));
        assert!(resolve(&assets, "missing.css").is_none());
    }
}
