//! [`FileUrls`]: where file storage's URLs come from. The server that serves
//! `/api/storage/*` issues upload tokens and knows its public origin; the runtime only asks
//! it, through this trait, when a function calls `generateUploadUrl` or `getUrl`.
//!
//! It must not serve HTTP nor hold tokens itself ([`LocalOrigin`], the default without a
//! server, issues URLs no one will accept an upload at).

use atrium_value::DocumentId;

/// Issues upload URLs and names download URLs.
pub trait FileUrls: Send + Sync + std::fmt::Debug {
    /// A fresh `<cloud origin>/api/storage/upload?token=…`; the file uploaded there is
    /// stored in the instance at `component` (`""`: the app).
    fn upload_url(&self, component: &str) -> String;
    /// `<cloud origin>/api/storage/<id>`.
    fn download_url(&self, id: &DocumentId) -> String;
}

/// URLs on a fixed origin, with tokens nothing redeems: for runners without a server.
#[derive(Debug, Clone)]
pub struct LocalOrigin(pub String);

impl Default for LocalOrigin {
    fn default() -> Self {
        Self("http://127.0.0.1:3210".into())
    }
}

impl FileUrls for LocalOrigin {
    fn upload_url(&self, _component: &str) -> String {
        let mut token = [0u8; 16];
        getrandom::fill(&mut token).expect("the OS random source is available");
        format!("{}/api/storage/upload?token={}", self.0, hex::encode(token))
    }

    fn download_url(&self, id: &DocumentId) -> String {
        format!("{}/api/storage/{}", self.0, id.encode())
    }
}
