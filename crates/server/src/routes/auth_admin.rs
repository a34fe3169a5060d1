//! Atrium's auth endpoints (admin): `GET /api/atrium/auth_providers` (the providers of the
//! loaded `auth.config.ts`) and `POST /api/atrium/verify_token` (a pasted JWT checked as a
//! user's `Authorization: Bearer` would be: the identity and claims, or Convex's refusal with
//! its precise cause), for the dashboard's "run as" with a token.
//!
//! It verifies through the deployment's verifier and must not check the admin key itself
//! (these routes are admin through their layer, `server.rs`).

use atrium_protocol::atrium::{
    AuthProviders, TokenRefusal, VerifyTokenRequest, VerifyTokenResponse,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;

use crate::jwt::AuthProvider;
use crate::state::{ApiError, AppState, parse_body};

/// `GET /api/atrium/auth_providers`.
pub(crate) async fn auth_providers(State(state): State<AppState>) -> Json<AuthProviders> {
    let providers = state.deployment.verifier().providers();
    Json(AuthProviders { providers: providers.iter().map(AuthProvider::to_json).collect() })
}

/// `POST /api/atrium/verify_token` `{token}`.
pub(crate) async fn verify_token(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Json<VerifyTokenResponse>, ApiError> {
    let request: VerifyTokenRequest = parse_body(&body)?;
    let token = request.token.trim();
    let token = crate::auth::bearer_token(Some(token)).unwrap_or(token);
    Ok(Json(match state.deployment.verifier().verify(token).await {
        Ok(verified) => VerifyTokenResponse {
            identity: Some(verified.identity),
            claims: Some(verified.claims),
            error: None,
        },
        Err(error) => VerifyTokenResponse {
            identity: None,
            claims: None,
            error: Some(TokenRefusal {
                code: error.code.into(),
                message: error.message,
                detail: error.detail,
            }),
        },
    }))
}
