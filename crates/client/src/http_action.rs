//! Trying a deployment's HTTP action route: one request to its site, answered with the
//! status, headers and body as they came back (no Convex error parsing: the route's own
//! answer is the result). Must not send the admin key — an HTTP action sees what a browser
//! would send.
//!
//! Convex serves HTTP actions at the site URL: `https://<name>.convex.site` for a cloud
//! deployment of `https://<name>.convex.cloud`, and `<deployment URL>/http` for a
//! self-hosted backend or Atrium's engine.

use reqwest::Method;

use crate::{ClientError, DeploymentClient};

/// What the route answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpActionAnswer {
    pub status: u16,
    /// In the order received; a header sent twice appears twice.
    pub headers: Vec<(String, String)>,
    /// The body as text (invalid UTF-8 replaced).
    pub body: String,
}

impl DeploymentClient {
    /// The deployment's site URL for HTTP actions, without a trailing slash.
    pub fn site_url(&self) -> String {
        let url = self.url();
        match url.strip_suffix(".convex.cloud") {
            Some(name) => format!("{name}.convex.site"),
            None => format!("{url}/http"),
        }
    }

    /// Sends `method path` (the path starts with `/`, query string allowed) with `headers`
    /// and `body` to the deployment's HTTP actions.
    pub async fn http_action(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: Option<String>,
    ) -> Result<HttpActionAnswer, ClientError> {
        let url = format!("{}{path}", self.site_url());
        let bad = |reason: String| ClientError::BadUrl { url: url.clone(), reason };
        if !path.starts_with('/') {
            return Err(bad("the path must start with /".into()));
        }
        let method = Method::from_bytes(method.trim().to_ascii_uppercase().as_bytes())
            .map_err(|_| bad(format!("{method:?} is not an HTTP method")))?;
        let mut request = self.http.request(method, &url);
        for (name, value) in headers {
            request = request.header(name.trim(), value.trim());
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = request.send().await.map_err(|e| {
            if e.is_builder() {
                bad(e.to_string())
            } else {
                ClientError::Unreachable { url: url.clone(), reason: e.to_string() }
            }
        })?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned())
            })
            .collect();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| ClientError::Unreachable { url: url.clone(), reason: e.to_string() })?;
        Ok(HttpActionAnswer { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() })
    }
}
