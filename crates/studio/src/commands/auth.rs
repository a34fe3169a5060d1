//! Commands about signed-in users: the connected deployment's auth providers, and a pasted
//! JWT checked by the deployment (the identity functions would see and the token's claims,
//! or Convex's refusal with its precise cause), so the Functions runner can run as the
//! token's user.
//!
//! It must not verify tokens itself: the deployment does (Atrium's `verify_token`
//! endpoint); a deployment without it is said plainly.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{CommandError, ErrorCode, Studio};

const NOT_SERVED: &str =
    "This deployment does not check tokens for the dashboard (only Atrium's local engine does).";

/// The deployment's auth providers, as `auth.config.ts` declares them.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AuthProviderList {
    /// False where the deployment does not list them (a Convex deployment).
    pub available: bool,
    /// `{domain, applicationID}` or `{type: "customJwt", issuer, jwks, algorithm,
    /// applicationID}`.
    #[ts(type = "Array<Record<string, unknown>>")]
    pub providers: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
pub struct TokenRequest {
    /// A JWT (a leading `Bearer ` is ignored).
    pub token: String,
}

/// A token as the deployment judged it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TokenCheck {
    pub ok: bool,
    /// The `UserIdentity` functions would see (when accepted).
    #[ts(type = "Record<string, unknown> | null")]
    pub identity: Option<serde_json::Value>,
    /// The token's claims (when accepted).
    #[ts(type = "Record<string, unknown> | null")]
    pub claims: Option<serde_json::Value>,
    /// Convex's code and message (when refused), e.g. `NoAuthProvider`.
    pub code: Option<String>,
    pub message: Option<String>,
    /// The precise cause where Convex's message is general.
    pub detail: Option<String>,
}

pub(super) async fn auth_providers(
    studio: &Arc<Studio>,
    _: (),
) -> Result<AuthProviderList, CommandError> {
    let connected = studio.connected()?;
    Ok(match connected.http.auth_providers().await? {
        Some(list) => AuthProviderList { available: true, providers: list.providers },
        None => AuthProviderList { available: false, providers: Vec::new() },
    })
}

pub(super) async fn verify_user_token(
    studio: &Arc<Studio>,
    request: TokenRequest,
) -> Result<TokenCheck, CommandError> {
    if request.token.trim().is_empty() {
        return Err(CommandError::new(ErrorCode::BadRequest, "Paste a JWT to check."));
    }
    let connected = studio.connected()?;
    let answer = connected
        .http
        .verify_token(&request.token)
        .await?
        .ok_or_else(|| CommandError::new(ErrorCode::NotFound, NOT_SERVED))?;
    let refusal = answer.error;
    Ok(TokenCheck {
        ok: refusal.is_none(),
        identity: answer.identity,
        claims: answer.claims,
        code: refusal.as_ref().map(|r| r.code.clone()),
        message: refusal.as_ref().map(|r| r.message.clone()),
        detail: refusal.and_then(|r| r.detail),
    })
}
