//! Atrium's auth endpoints as a client: the deployment's auth providers and a user token
//! checked against them (`/api/atrium/auth_providers`, `/api/atrium/verify_token`). `None`
//! where the deployment does not serve them (a Convex deployment).
//!
//! It must not verify tokens itself: the deployment does.

use atrium_protocol::atrium::{AuthProviders, VerifyTokenRequest, VerifyTokenResponse};

use crate::{ClientError, DeploymentClient};

impl DeploymentClient {
    /// The providers of the deployment's `auth.config.ts`.
    pub async fn auth_providers(&self) -> Result<Option<AuthProviders>, ClientError> {
        self.extension(self.http.get(self.endpoint("atrium/auth_providers"))).await
    }

    /// `token` checked as the deployment checks a user's: the identity and claims, or why it
    /// is refused.
    pub async fn verify_token(
        &self,
        token: &str,
    ) -> Result<Option<VerifyTokenResponse>, ClientError> {
        let body = VerifyTokenRequest { token: token.to_owned() };
        self.extension(self.http.post(self.endpoint("atrium/verify_token")).json(&body)).await
    }
}
