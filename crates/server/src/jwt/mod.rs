//! User tokens: the providers of `auth.config.ts` ([`providers`]), their keys ([`keys`]),
//! and [`Verifier::verify`], which turns a JWT into the `UserIdentity` functions see
//! ([`identity`]) or refuses it with Convex's code and message for the cause.
//!
//! Signatures are checked by `jsonwebtoken` (RustCrypto); this module only picks the
//! provider and key and checks the claims in Convex's order. It must not hold a lock while a
//! key set is fetched (the issuer may be this deployment's own HTTP actions).

mod error;
mod identity;
mod keys;
pub mod providers;

use std::sync::RwLock;

use base64::Engine as _;
use jsonwebtoken::{Algorithm as JwtAlgorithm, DecodingKey, Validation};
use serde_json::{Map, Value as Json};

pub use error::TokenError;
pub use providers::AuthProvider;
use providers::{Algorithm, no_provider_message, with_protocol};

/// Seconds of clock skew a custom JWT's `exp`/`nbf`/`iat` are allowed (Convex: 5).
const CUSTOM_JWT_LEEWAY: u64 = 5;

fn invalid(message: impl Into<String>) -> TokenError {
    TokenError::new("InvalidAuthHeader", message)
}

/// A verified token: the identity functions see and the claims it carried.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    pub identity: Json,
    pub claims: Json,
}

/// The deployment's providers and their cached keys.
#[derive(Debug, Default)]
pub struct Verifier {
    providers: RwLock<Vec<AuthProvider>>,
    keys: keys::KeyCache,
}

const OIDC_REFUSED: &str = "Could not verify OIDC token claim. Check that the token signature is valid and the token hasn't expired.";

impl Verifier {
    pub fn providers(&self) -> Vec<AuthProvider> {
        self.providers.read().unwrap().clone()
    }

    /// Replaces the providers (new code or environment); cached keys are dropped.
    pub fn set_providers(&self, providers: Vec<AuthProvider>) {
        let mut current = self.providers.write().unwrap();
        if *current != providers {
            *current = providers;
            self.keys.clear();
        }
    }

    /// Verifies `token` against the providers.
    pub async fn verify(&self, token: &str) -> Result<Verified, TokenError> {
        let claims = unverified_claims(token)?;
        let Some(issuer) = claims.get("iss").and_then(Json::as_str).map(str::to_owned) else {
            return Err(invalid(
                "Missing issuer claim ('iss') in JWT payload. The JWT must include an 'iss' claim that matches one of your configured auth providers.",
            ));
        };
        let audiences: Vec<String> = match claims.get("aud") {
            Some(Json::String(aud)) => vec![aud.clone()],
            Some(Json::Array(list)) => {
                list.iter().filter_map(|a| a.as_str().map(str::to_owned)).collect()
            }
            _ => Vec::new(),
        };
        let providers = self.providers();
        let provider =
            providers.iter().find(|p| p.matches(&audiences, &issuer)).cloned().ok_or_else(
                || TokenError::new("NoAuthProvider", no_provider_message(&providers)),
            )?;
        match provider {
            AuthProvider::Oidc { application_id, .. } => {
                self.verify_oidc(token, &issuer, &application_id).await
            }
            AuthProvider::CustomJwt { issuer: expected, jwks, algorithm, application_id } => {
                self.verify_custom(token, &jwks, algorithm, &expected, application_id.as_deref())
                    .await
            }
        }
    }

    async fn verify_oidc(
        &self,
        token: &str,
        issuer: &str,
        application_id: &str,
    ) -> Result<Verified, TokenError> {
        let refused =
            |detail: String| TokenError::new("Unauthenticated", OIDC_REFUSED).with_detail(detail);
        let header = jsonwebtoken::decode_header(token).map_err(|_| {
            invalid("Could not parse as OIDC ID token. Token might not be an OIDC-compliant JWT.")
        })?;
        // Convex accepts RS256 (Clerk, Auth0) and EdDSA from OIDC providers.
        if !matches!(header.alg, JwtAlgorithm::RS256 | JwtAlgorithm::EdDSA) {
            return Err(refused(format!(
                "the token is signed with {:?}; OIDC tokens must use RS256 or EdDSA",
                header.alg
            )));
        }
        let mut set = self.keys.oidc_jwks(issuer, false).await?;
        let pick = |set: &keys::KeySet| -> Option<jsonwebtoken::jwk::Jwk> {
            match &header.kid {
                Some(kid) => set.find(kid).cloned(),
                None if set.keys.len() == 1 => set.keys.first().cloned(),
                None => None,
            }
        };
        let key = match pick(&set) {
            Some(key) => key,
            None => {
                set = self.keys.oidc_jwks(issuer, true).await?;
                pick(&set).ok_or_else(|| {
                    refused(match &header.kid {
                        Some(kid) => format!("no key with kid '{kid}' in the issuer's JWKS, even after fetching it again"),
                        None => "the token has no 'kid' and the issuer's JWKS has more than one key".into(),
                    })
                })?
            }
        };
        let decoding = DecodingKey::from_jwk(&key)
            .map_err(|e| refused(format!("the JWKS key cannot be used: {e}")))?;
        let mut validation = Validation::new(header.alg);
        validation.leeway = 0;
        validation.validate_nbf = false;
        validation.set_audience(&[application_id]);
        validation.set_issuer(&[issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let data = jsonwebtoken::decode::<Map<String, Json>>(token, &decoding, &validation)
            .map_err(|e| refused(describe(&e)))?;
        let subject = data.claims.get("sub").and_then(Json::as_str).unwrap_or_default().to_owned();
        Ok(Verified {
            identity: identity::from_oidc(&data.claims, issuer, &subject),
            claims: Json::Object(data.claims),
        })
    }

    async fn verify_custom(
        &self,
        token: &str,
        jwks: &str,
        algorithm: Algorithm,
        expected_issuer: &str,
        application_id: Option<&str>,
    ) -> Result<Verified, TokenError> {
        let header = jsonwebtoken::decode_header(token).ok();
        let kid = header.as_ref().and_then(|h| h.kid.clone());
        let undecodable = |detail: String| {
            invalid(match &kid {
                Some(kid) => format!("Could not decode token. The JWT's 'kid' (key ID) header is '{kid}', does this key match any key in the provider's JWKS?"),
                None => "Could not decode token. JWT may be missing a 'kid' (key ID) header.".into(),
            })
            .with_detail(detail)
        };
        let Some(kid_value) = kid.clone() else {
            return Err(undecodable("the token has no 'kid' header".into()));
        };
        let alg = match algorithm {
            Algorithm::RS256 => JwtAlgorithm::RS256,
            Algorithm::ES256 => JwtAlgorithm::ES256,
        };
        let mut set = self.keys.custom_jwks(jwks, false).await?;
        if set.find(&kid_value).is_none() && !jwks.starts_with("data:") {
            set = self.keys.custom_jwks(jwks, true).await?;
        }
        let key = set.find(&kid_value).ok_or_else(|| {
            undecodable(format!(
                "no key with kid '{kid_value}' in the JWKS, even after fetching it again"
            ))
        })?;
        let decoding = DecodingKey::from_jwk(key)
            .map_err(|e| undecodable(format!("the JWKS key cannot be used: {e}")))?;
        // The signature first, then the claims in Convex's order.
        let mut validation = Validation::new(alg);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<Map<String, Json>>(token, &decoding, &validation)
            .map_err(|e| undecodable(describe(&e)))?;
        let claims = data.claims;
        let Some(token_issuer) = claims.get("iss").and_then(Json::as_str) else {
            return Err(invalid(
                "Missing issuer claim ('iss') in JWT payload. The JWT must include an 'iss' claim that matches one of your configured auth providers.",
            ));
        };
        if with_protocol(token_issuer).trim_end_matches('/')
            != expected_issuer.trim_end_matches('/')
        {
            return Err(invalid(format!("Invalid issuer: {token_issuer} != {expected_issuer}")));
        }
        if let Some(application_id) = application_id {
            let audiences: Vec<String> = match claims.get("aud") {
                Some(Json::String(aud)) => vec![aud.clone()],
                Some(Json::Array(list)) => {
                    list.iter().filter_map(|a| a.as_str().map(str::to_owned)).collect()
                }
                _ => {
                    return Err(invalid(
                        "Missing audience claim ('aud') in JWT payload. The JWT must include an 'aud' claim that matches your configured application ID.",
                    ));
                }
            };
            if !audiences.iter().any(|a| a == application_id) {
                return Err(invalid(format!(
                    "Invalid audience: {application_id} not in {audiences:?}"
                )));
            }
        }
        check_times(&claims)?;
        let subject =
            claims.get("sub").and_then(Json::as_str).ok_or_else(|| invalid("Missing subject"))?;
        if claims.get("exp").and_then(Json::as_f64).is_none() {
            return Err(invalid("Missing expiry"));
        }
        Ok(Verified {
            identity: identity::from_custom_jwt(&claims, token_issuer, subject),
            claims: Json::Object(claims.clone()),
        })
    }
}

/// `exp`, `nbf` and `iat` against the clock with Convex's leeway for custom JWTs.
fn check_times(claims: &Map<String, Json>) -> Result<(), TokenError> {
    let now = jsonwebtoken::get_current_timestamp() as i64;
    let leeway = CUSTOM_JWT_LEEWAY as i64;
    let time = |name: &str| claims.get(name).and_then(Json::as_f64).map(|t| t as i64);
    let refused = |what: String| invalid(format!("Could not validate token: {what}"));
    if let Some(exp) = time("exp")
        && exp + leeway < now
    {
        return Err(refused(format!("Token expired {} seconds ago", now - exp)));
    }
    if let Some(nbf) = time("nbf")
        && nbf - leeway > now
    {
        return Err(refused(format!("Token will be valid in {} seconds", nbf - now)));
    }
    if let Some(iat) = time("iat")
        && iat - leeway > now
    {
        return Err(refused(format!("Token was issued {} seconds in the future", iat - now)));
    }
    Ok(())
}

/// The payload of a JWT, unverified (to pick the provider).
fn unverified_claims(token: &str) -> Result<Map<String, Json>, TokenError> {
    let unparsable = || {
        invalid(
            "Could not parse JWT payload. Check that the token is a valid JWT format with three base64-encoded parts separated by dots.",
        )
    };
    let mut parts = token.split('.');
    let (Some(_), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(unparsable());
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| unparsable())?;
    serde_json::from_slice(&bytes).map_err(|_| unparsable())
}

/// A sentence for a `jsonwebtoken` failure, for the detail beside Convex's message.
fn describe(error: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match error.kind() {
        ErrorKind::ExpiredSignature => "the token has expired (exp is in the past)".into(),
        ErrorKind::InvalidSignature => "the signature does not match the key".into(),
        ErrorKind::InvalidAudience => "the audience (aud) is not the application ID".into(),
        ErrorKind::InvalidIssuer => "the issuer (iss) is not the provider's".into(),
        ErrorKind::ImmatureSignature => "the token is not valid yet (nbf)".into(),
        ErrorKind::MissingRequiredClaim(claim) => format!("the token has no `{claim}` claim"),
        ErrorKind::InvalidAlgorithm => "the token's algorithm is not the key's".into(),
        _ => error.to_string(),
    }
}
