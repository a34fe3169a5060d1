//! Signing keys: a provider's JWKS, fetched over HTTP (reqwest, the engine's client) or read
//! from a `data:` URI, and OIDC discovery (`<domain>/.well-known/openid-configuration` →
//! `jwks_uri`). Both are cached by URL; a caller that meets an unknown `kid` asks again with
//! `fresh`, which refetches.
//!
//! No lock is held across a fetch: the issuer may be this deployment's own HTTP actions,
//! served by the same process. It verifies nothing (see `verify`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jsonwebtoken::jwk::Jwk;

use super::error::TokenError;

/// The keys of one JWKS that this engine can use (keys of other types are skipped).
#[derive(Debug, Default)]
pub(crate) struct KeySet {
    pub(crate) keys: Vec<Jwk>,
}

impl KeySet {
    pub(crate) fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.common.key_id.as_deref() == Some(kid))
    }
}

/// Cached key sets and discovery answers, by URL.
#[derive(Debug)]
pub(crate) struct KeyCache {
    client: reqwest::Client,
    sets: Mutex<HashMap<String, Arc<KeySet>>>,
    discovered: Mutex<HashMap<String, String>>,
}

impl Default for KeyCache {
    fn default() -> Self {
        Self {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .expect("an HTTP client builds"),
            sets: Mutex::default(),
            discovered: Mutex::default(),
        }
    }
}

fn invalid(message: String) -> TokenError {
    TokenError::new("InvalidAuthHeader", message)
}

/// The usable keys of a JWKS document (`{"keys": [...]}`).
fn parse_set(body: &[u8]) -> Option<KeySet> {
    let json: serde_json::Value = serde_json::from_slice(body).ok()?;
    let keys = json.get("keys")?.as_array()?;
    let keys = keys.iter().filter_map(|k| serde_json::from_value::<Jwk>(k.clone()).ok()).collect();
    Some(KeySet { keys })
}

impl KeyCache {
    /// Forgets every cached answer (new providers).
    pub(crate) fn clear(&self) {
        self.sets.lock().unwrap().clear();
        self.discovered.lock().unwrap().clear();
    }

    /// A custom JWT provider's keys from `jwks` (a URL or a `data:` URI), with Convex's
    /// messages for a fetch that fails.
    pub(crate) async fn custom_jwks(
        &self,
        jwks: &str,
        fresh: bool,
    ) -> Result<Arc<KeySet>, TokenError> {
        if let Ok(url) = data_url::DataUrl::process(jwks) {
            let bad = || {
                invalid("Invalid JWKS data URL. Check that the data URL is properly formatted and contains valid base64-encoded JSON.".into())
            };
            let (body, _) = url.decode_to_vec().map_err(|_| bad())?;
            return parse_set(&body).map(Arc::new).ok_or_else(bad);
        }
        if !fresh && let Some(set) = self.sets.lock().unwrap().get(jwks) {
            return Ok(set.clone());
        }
        let response = self
            .client
            .get(jwks)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| invalid(format!("Could not fetch JWKS from URL '{jwks}': {e}. Check that the URL is correct and accessible.")))?;
        let status = response.status();
        if status != reqwest::StatusCode::OK {
            return Err(invalid(format!(
                "Could not fetch JWKS from URL '{jwks}': HTTP {} {}. Check that the URL is correct and accessible.",
                status.as_u16(),
                status.canonical_reason().unwrap_or("Unknown")
            )));
        }
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("unknown")
            .to_owned();
        let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if essence != "application/json" && essence != "application/jwk-set+json" {
            return Err(invalid(format!(
                "Invalid Content-Type '{content_type}' when fetching JWKS from '{jwks}'. Expected 'application/json' or 'application/jwk-set+json'."
            )));
        }
        let body = response.bytes().await.map_err(|e| invalid(format!("Could not fetch JWKS from URL '{jwks}': {e}. Check that the URL is correct and accessible.")))?;
        let set = Arc::new(parse_set(&body).ok_or_else(|| invalid(format!("Invalid JWKS response body from '{jwks}'. The response is not valid JSON or doesn't match the expected JWKS format.")))?);
        self.sets.lock().unwrap().insert(jwks.to_owned(), set.clone());
        Ok(set)
    }

    /// An OIDC issuer's keys, through discovery; every failure is Convex's
    /// `AuthProviderDiscoveryFailed` naming the issuer.
    pub(crate) async fn oidc_jwks(
        &self,
        issuer: &str,
        fresh: bool,
    ) -> Result<Arc<KeySet>, TokenError> {
        let failed = |detail: String| {
            TokenError::new(
                "AuthProviderDiscoveryFailed",
                format!("Auth provider discovery of {issuer} failed"),
            )
            .with_detail(detail)
        };
        let cached = self.discovered.lock().unwrap().get(issuer).cloned();
        let jwks_uri = match cached {
            Some(uri) if !fresh => uri,
            _ => {
                let url =
                    format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
                let response = self
                    .client
                    .get(&url)
                    .send()
                    .await
                    .map_err(|e| failed(format!("{url}: {e}")))?;
                let status = response.status();
                let body = response.bytes().await.map_err(|e| failed(format!("{url}: {e}")))?;
                if !status.is_success() {
                    return Err(TokenError::new(
                        "AuthProviderDiscoveryFailed",
                        format!(
                            "Auth provider discovery of {issuer} failed: {} {}",
                            status,
                            String::from_utf8_lossy(&body)
                        ),
                    ));
                }
                let metadata: serde_json::Value = serde_json::from_slice(&body)
                    .map_err(|e| failed(format!("{url} is not JSON: {e}")))?;
                let discovered_issuer =
                    metadata.get("issuer").and_then(|v| v.as_str()).unwrap_or("");
                if discovered_issuer != issuer {
                    return Err(failed(format!(
                        "{url} names the issuer `{discovered_issuer}`, not `{issuer}`"
                    )));
                }
                let uri = metadata
                    .get("jwks_uri")
                    .and_then(|v| v.as_str())
                    .ok_or_else(|| failed(format!("{url} has no `jwks_uri`")))?
                    .to_owned();
                self.discovered.lock().unwrap().insert(issuer.to_owned(), uri.clone());
                uri
            }
        };
        if !fresh && let Some(set) = self.sets.lock().unwrap().get(&jwks_uri) {
            return Ok(set.clone());
        }
        let response = self
            .client
            .get(&jwks_uri)
            .send()
            .await
            .map_err(|e| failed(format!("{jwks_uri}: {e}")))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| failed(format!("{jwks_uri}: {e}")))?;
        if !status.is_success() {
            return Err(failed(format!("{jwks_uri} answered {status}")));
        }
        let set =
            Arc::new(parse_set(&body).ok_or_else(|| failed(format!("{jwks_uri} is not a JWKS")))?);
        self.sets.lock().unwrap().insert(jwks_uri, set.clone());
        Ok(set)
    }
}
