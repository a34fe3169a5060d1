//! The UI's built files (`ui/dist`), embedded in the binary for browser mode.
//!
//! The desktop window gets the same files through Tauri's own embedding.

use std::borrow::Cow;

use atrium_studio::browser::UiAssets;

#[derive(rust_embed::Embed)]
#[folder = "../ui/dist"]
struct Dist;

#[derive(Debug)]
pub(crate) struct EmbeddedUi;

impl UiAssets for EmbeddedUi {
    fn get(&self, path: &str) -> Option<Cow<'static, [u8]>> {
        Dist::get(path).map(|file| file.data)
    }
}
