//! Calls over the deployment's HTTP API: `/api/check_admin_key` and `/api/{query,mutation,action}`.

use std::time::Duration;

use atrium_protocol::http::{CheckAdminKeyResponse, ErrorBody, UdfRequest, UdfResponse};
use atrium_value::Value;
use atrium_value::json::{from_json, to_json};
use reqwest::{StatusCode, Url};

/// How long to wait for a TCP/TLS connection before calling a deployment unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What went wrong talking to a deployment, worded for the person who configured it.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("`{url}` is not a deployment URL: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("could not reach {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the deployment at {url} refused the admin key: {message}")]
    BadAdminKey { url: String, message: String },
    #[error("{url} answered HTTP {status} ({code}): {message}")]
    Http { url: String, status: u16, code: String, message: String },
    #[error(
        "the connection to {url} was lost while the action ran; it may or may not have completed ({reason})"
    )]
    ConnectionLost { url: String, reason: String },
    #[error("the connection to {url} is closed")]
    Closed { url: String },
    #[error("{url} does not answer like a Convex deployment: {reason}")]
    NotADeployment { url: String, reason: String },
    /// The function ran (or was refused) and reported an error; `data` is a
    /// `ConvexError`'s payload.
    #[error("{message}")]
    Function { message: String, data: Option<Value>, log_lines: Vec<String> },
}

/// The three kinds of function the HTTP API runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunctionKind {
    Query,
    Mutation,
    Action,
}

impl FunctionKind {
    fn route(self) -> &'static str {
        match self {
            Self::Query => "query",
            Self::Mutation => "mutation",
            Self::Action => "action",
        }
    }
}

/// One deployment, reached at its URL, optionally as its admin.
#[derive(Debug, Clone)]
pub struct DeploymentClient {
    url: Url,
    admin_key: Option<String>,
    pub(crate) http: reqwest::Client,
}

impl DeploymentClient {
    /// A client for the deployment at `url` (`http://` or `https://`, e.g.
    /// `http://127.0.0.1:3210` or `https://happy-otter-123.convex.cloud`).
    pub fn new(url: &str) -> Result<Self, ClientError> {
        let bad = |reason: &str| ClientError::BadUrl { url: url.to_owned(), reason: reason.into() };
        let parsed = Url::parse(url.trim()).map_err(|e| bad(&e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(bad("it must start with http:// or https://"));
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(bad("it has no host"));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(bad("it must not have a query or fragment"));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(|e| bad(&e.to_string()))?;
        Ok(Self { url: parsed, admin_key: None, http })
    }

    /// Calls made from now on carry `admin_key` (`Authorization: Convex <key>`).
    pub fn with_admin_key(mut self, admin_key: impl Into<String>) -> Self {
        self.admin_key = Some(admin_key.into());
        self
    }

    /// Whether calls carry an admin key.
    pub fn has_admin_key(&self) -> bool {
        self.admin_key.is_some()
    }

    /// The admin key calls carry, if any.
    pub(crate) fn admin_key(&self) -> Option<&str> {
        self.admin_key.as_deref()
    }

    /// The deployment's URL, without a trailing slash.
    pub fn url(&self) -> String {
        self.url.as_str().trim_end_matches('/').to_owned()
    }

    pub(crate) fn endpoint(&self, route: &str) -> String {
        format!("{}/api/{route}", self.url())
    }

    pub(crate) fn authorize(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.admin_key {
            Some(key) => request.header("Authorization", format!("Convex {key}")),
            None => request,
        }
    }

    /// Checks that the admin key is the deployment's: what the key may do, or why not.
    pub async fn check_admin_key(&self) -> Result<CheckAdminKeyResponse, ClientError> {
        if self.admin_key.is_none() {
            return Err(ClientError::BadAdminKey {
                url: self.url(),
                message: "no admin key was given".into(),
            });
        }
        let request = self.authorize(self.http.get(self.endpoint("check_admin_key")));
        let (status, body) = self.send(request).await?;
        self.decode(status, &body)
    }

    /// The same deployment and admin key, acting as a user: functions see `identity`
    /// (`{subject, issuer, name, email, …}`) as the caller (Convex's
    /// `Convex <key>:<base64 identity>`). Without an admin key it changes nothing.
    pub fn acting_as(&self, identity: &serde_json::Value) -> Self {
        use base64::Engine as _;
        let mut client = self.clone();
        if let Some(key) = &self.admin_key {
            let encoded = base64::engine::general_purpose::STANDARD.encode(identity.to_string());
            client.admin_key = Some(format!("{key}:{encoded}"));
        }
        client
    }

    /// Runs a public function (any function, with an admin key) and returns its value.
    pub async fn call(
        &self,
        kind: FunctionKind,
        path: &str,
        args: &Value,
    ) -> Result<Value, ClientError> {
        self.call_with_logs(kind, path, args).await.map(|(value, _)| value)
    }

    /// Like [`DeploymentClient::call`], with the lines the function logged.
    pub async fn call_with_logs(
        &self,
        kind: FunctionKind,
        path: &str,
        args: &Value,
    ) -> Result<(Value, Vec<String>), ClientError> {
        self.call_in_component(None, kind, path, args).await
    }

    /// Like [`DeploymentClient::call_with_logs`], in the component instance at `component`
    /// (its path, as `componentPath` names it; `None` or `""` is the app). Reaching a
    /// component's functions takes an admin key.
    pub async fn call_in_component(
        &self,
        component: Option<&str>,
        kind: FunctionKind,
        path: &str,
        args: &Value,
    ) -> Result<(Value, Vec<String>), ClientError> {
        let body = UdfRequest {
            path: path.to_owned(),
            args: to_json(args),
            format: Some("convex_encoded_json".into()),
            component_path: component.filter(|c| !c.is_empty()).map(str::to_owned),
        };
        let request = self.authorize(self.http.post(self.endpoint(kind.route())).json(&body));
        let (status, body) = self.send(request).await?;
        match self.decode::<UdfResponse>(status, &body)? {
            UdfResponse::Success { value, log_lines } => {
                from_json(&value).map(|value| (value, log_lines)).map_err(|e| {
                    self.not_a_deployment(format!("its result is not Convex-encoded JSON: {e}"))
                })
            }
            UdfResponse::Error { error_message, error_data, log_lines } => {
                Err(ClientError::Function {
                    message: error_message,
                    data: error_data.as_ref().and_then(|d| from_json(d).ok()),
                    log_lines,
                })
            }
        }
    }

    pub async fn query(&self, path: &str, args: &Value) -> Result<Value, ClientError> {
        self.call(FunctionKind::Query, path, args).await
    }

    pub async fn mutation(&self, path: &str, args: &Value) -> Result<Value, ClientError> {
        self.call(FunctionKind::Mutation, path, args).await
    }

    pub async fn action(&self, path: &str, args: &Value) -> Result<Value, ClientError> {
        self.call(FunctionKind::Action, path, args).await
    }

    pub(crate) async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<(StatusCode, String), ClientError> {
        let unreachable =
            |e: reqwest::Error| ClientError::Unreachable { url: self.url(), reason: describe(&e) };
        let response = request.send().await.map_err(unreachable)?;
        let status = response.status();
        let body = response.text().await.map_err(unreachable)?;
        Ok((status, body))
    }

    /// Calls an Atrium extension endpoint (`request` is authorized here): its answer, or
    /// `None` when the deployment has no such endpoint (a Convex deployment answers 404).
    pub(crate) async fn extension<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<Option<T>, ClientError> {
        let (status, body) = self.send(self.authorize(request)).await?;
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        self.decode(status, &body).map(Some)
    }

    /// The body as `T` on success; otherwise the deployment's `{code, message}` error.
    pub(crate) fn decode<T: serde::de::DeserializeOwned>(
        &self,
        status: StatusCode,
        body: &str,
    ) -> Result<T, ClientError> {
        if status.is_success() {
            return serde_json::from_str(body)
                .map_err(|e| self.not_a_deployment(format!("unexpected answer ({e})")));
        }
        let Ok(ErrorBody { code, message }) = serde_json::from_str::<ErrorBody>(body) else {
            return Err(self.not_a_deployment(format!("HTTP {status} without a Convex error body")));
        };
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(ClientError::BadAdminKey { url: self.url(), message });
        }
        Err(ClientError::Http { url: self.url(), status: status.as_u16(), code, message })
    }

    fn not_a_deployment(&self, reason: String) -> ClientError {
        ClientError::NotADeployment { url: self.url(), reason }
    }
}

/// reqwest's error with its causes, e.g. "error sending request: connection refused".
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    if error.is_timeout() { format!("timed out ({text})") } else { text }
}
