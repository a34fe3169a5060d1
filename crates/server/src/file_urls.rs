//! Upload tokens and file storage's public URLs for one deployment: [`UploadTokens`]
//! issues the tokens in `generateUploadUrl`'s URLs (single-use, valid for an hour, each
//! naming the component instance whose storage the file joins) and redeems them when an
//! upload arrives; as the runtime's
//! [`FileUrls`](atrium_runtime::file_urls::FileUrls) it names URLs on the cloud origin the
//! server listens on.
//!
//! Tokens live in memory: a restart voids the unused ones (an upload URL is meant to be
//! used within moments of being issued). It must not read bodies nor touch the blob store.

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use atrium_runtime::file_urls::FileUrls;
use atrium_value::DocumentId;

/// How long an upload URL works (Convex's hour).
pub(crate) const TOKEN_VALIDITY: Duration = Duration::from_secs(60 * 60);

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenError {
    /// Not issued here, or already used.
    Invalid,
    /// Issued more than [`TOKEN_VALIDITY`] ago.
    Expired,
}

/// The deployment's upload tokens and public origin.
#[derive(Debug)]
pub struct UploadTokens {
    origin: RwLock<String>,
    /// Each token's issue time and the component instance its file goes to.
    issued: Mutex<HashMap<String, (Instant, String)>>,
}

impl Default for UploadTokens {
    fn default() -> Self {
        Self { origin: RwLock::new("http://127.0.0.1:3210".into()), issued: Mutex::default() }
    }
}

impl UploadTokens {
    /// Sets the cloud origin URLs are named on (the server's, once it listens).
    pub fn set_origin(&self, origin: &str) {
        *self.origin.write().unwrap() = origin.trim_end_matches('/').to_owned();
    }

    /// Redeems `token`: valid once, within its hour. Answers the component instance the
    /// file goes to (`""`: the app).
    pub(crate) fn redeem(&self, token: &str) -> Result<String, TokenError> {
        let mut issued = self.issued.lock().unwrap();
        let (at, component) = issued.remove(token).ok_or(TokenError::Invalid)?;
        if at.elapsed() > TOKEN_VALIDITY {
            return Err(TokenError::Expired);
        }
        Ok(component)
    }

    /// Issues a token for a file of `component` (forgetting those whose hour is long over).
    fn issue(&self, component: &str) -> String {
        let token = crate::ids::random_hex(24);
        let mut issued = self.issued.lock().unwrap();
        // Expired tokens are kept for a second hour, so they answer "expired", not "invalid".
        issued.retain(|_, (at, _)| at.elapsed() < TOKEN_VALIDITY * 2);
        issued.insert(token.clone(), (Instant::now(), component.to_owned()));
        token
    }

    #[cfg(test)]
    fn backdate(&self, token: &str, by: Duration) {
        if let Some((at, _)) = self.issued.lock().unwrap().get_mut(token) {
            *at = at.checked_sub(by).expect("the clock has run longer than `by`");
        }
    }
}

impl FileUrls for UploadTokens {
    fn upload_url(&self, component: &str) -> String {
        let token = self.issue(component);
        format!("{}/api/storage/upload?token={token}", self.origin.read().unwrap())
    }

    fn download_url(&self, id: &DocumentId) -> String {
        format!("{}/api/storage/{}", self.origin.read().unwrap(), id.encode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token_of(url: &str) -> String {
        url.split("token=").nth(1).unwrap().to_owned()
    }

    #[test]
    fn a_token_works_once_and_only_within_its_hour() {
        let tokens = UploadTokens::default();
        tokens.set_origin("http://127.0.0.1:9/");
        let url = tokens.upload_url("");
        assert!(url.starts_with("http://127.0.0.1:9/api/storage/upload?token="), "{url}");
        let token = token_of(&url);
        assert_eq!(tokens.redeem(&token), Ok(String::new()));
        let counter = token_of(&tokens.upload_url("counter"));
        assert_eq!(tokens.redeem(&counter), Ok("counter".to_owned()), "the file's instance");
        assert_eq!(tokens.redeem(&token), Err(TokenError::Invalid), "single use");
        assert_eq!(tokens.redeem("beef"), Err(TokenError::Invalid));
        let old = token_of(&tokens.upload_url(""));
        tokens.backdate(&old, TOKEN_VALIDITY + Duration::from_secs(1));
        assert_eq!(tokens.redeem(&old), Err(TokenError::Expired));
    }
}
