//! Commands about deployments to connect to: trying a URL and admin key before saving them.

use atrium_client::{ClientError, DeploymentClient};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{CommandError, ErrorCode, Studio};

/// A deployment to try: its URL and, to act as its admin, its admin key.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ConnectionTest {
    pub url: String,
    /// Typed by the user into the connection form; never sent back to the UI.
    #[serde(default)]
    pub admin_key: Option<String>,
}

/// What the admin key may do on the deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConnectionTestResult {
    pub url: String,
    pub allowed_ops: Vec<String>,
    pub read_only: bool,
}

pub(super) async fn test_connection(
    _: &Studio,
    request: ConnectionTest,
) -> Result<ConnectionTestResult, CommandError> {
    let mut client = DeploymentClient::new(&request.url).map_err(client_error)?;
    if let Some(key) = request.admin_key.filter(|k| !k.trim().is_empty()) {
        client = client.with_admin_key(key.trim());
    }
    let answer = client.check_admin_key().await.map_err(client_error)?;
    Ok(ConnectionTestResult {
        url: client.url(),
        allowed_ops: answer.allowed_ops,
        read_only: answer.is_read_only,
    })
}

/// The client's error as a command error whose code says which part to fix.
fn client_error(error: ClientError) -> CommandError {
    let code = match &error {
        ClientError::BadUrl { .. } => ErrorCode::BadUrl,
        ClientError::Unreachable { .. }
        | ClientError::Closed { .. }
        | ClientError::ConnectionLost { .. } => ErrorCode::Unreachable,
        ClientError::BadAdminKey { .. } => ErrorCode::BadAdminKey,
        ClientError::NotADeployment { .. } | ClientError::Http { .. } => ErrorCode::NotADeployment,
        ClientError::Function { .. } => ErrorCode::FunctionFailed,
    };
    CommandError::new(code, error.to_string())
}
