//! The providers of `convex/auth.config.ts`, checked as Convex checks them at push: OIDC
//! (`{ domain, applicationID }`) and custom JWT (`{ type: "customJwt", issuer, jwks,
//! algorithm, applicationID? }`), and which provider a token's `iss`/`aud` pick.
//!
//! It holds no keys and fetches nothing (see `keys`).

use serde_json::{Value as Json, json};

/// A custom JWT provider's signing algorithm (Convex supports these two).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    RS256,
    ES256,
}

/// One provider of `auth.config.ts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthProvider {
    Oidc { domain: String, application_id: String },
    CustomJwt { issuer: String, jwks: String, algorithm: Algorithm, application_id: Option<String> },
}

fn schema_error(detail: impl std::fmt::Display) -> String {
    format!("auth config file must include a list of provider credentials: {detail}")
}

/// Adds `https://` to an issuer without a scheme, as Convex does for both sides.
pub(crate) fn with_protocol(issuer: &str) -> String {
    if issuer.starts_with("https://") || issuer.starts_with("http://") {
        issuer.to_owned()
    } else {
        format!("https://{issuer}")
    }
}

impl AuthProvider {
    /// The providers of an auth config's default export, or Convex's message for what is
    /// wrong with them.
    pub fn parse_config(config: &Json) -> Result<Vec<AuthProvider>, String> {
        let Some(providers) = config.get("providers") else {
            return Err(schema_error("missing field `providers`"));
        };
        let Some(providers) = providers.as_array() else {
            return Err(schema_error("`providers` must be an array"));
        };
        providers.iter().enumerate().map(|(i, p)| Self::parse(i, p)).collect()
    }

    fn parse(index: usize, provider: &Json) -> Result<AuthProvider, String> {
        let Some(object) = provider.as_object() else {
            return Err(schema_error(format!("Provider at index {index} must be an object")));
        };
        let text = |key: &str| object.get(key).and_then(Json::as_str).map(str::to_owned);
        if !object.contains_key("applicationID")
            && (object.contains_key("applicationId") || object.contains_key("applicationid"))
        {
            return Err(schema_error(format!(
                "Provider at index {index} must have applicationID property spelled lowercase 'application', capital I, capital D."
            )));
        }
        let kind = text("type").unwrap_or_else(|| "unknown".into());
        match kind.as_str() {
            "customJwt" => {
                if object.contains_key("domain") {
                    return Err(schema_error(format!(
                        "Provider at index {index} is a customJwt so cannot have a 'domain' specified"
                    )));
                }
                let issuer = text("issuer").ok_or_else(|| {
                    schema_error(format!("Provider at index {index} needs an `issuer` string"))
                })?;
                let jwks = text("jwks").ok_or_else(|| {
                    schema_error(format!("Provider at index {index} needs a `jwks` string"))
                })?;
                let algorithm = match text("algorithm").as_deref() {
                    Some("RS256") => Algorithm::RS256,
                    Some("ES256") => Algorithm::ES256,
                    other => {
                        return Err(format!(
                            "Invalid signature algorithm (only RS256 and ES256 are supported): {}",
                            other.unwrap_or("(none)")
                        ));
                    }
                };
                let application_id = text("applicationID");
                let issuer = with_protocol(&issuer);
                if application_id.is_none()
                    && issuer.trim_end_matches('/') == "https://api.workos.com"
                {
                    return Err(format!(
                        "This auth configuration appears potentially insecure: Provider at index {index} has an issuer that is shared among many applications, so must to specify an ApplicationID to check against an `aud` field of a JWT."
                    ));
                }
                Ok(AuthProvider::CustomJwt { issuer, jwks, algorithm, application_id })
            }
            "oidc" | "unknown" => {
                if object.contains_key("issuer") {
                    return Err(schema_error(format!(
                        "Provider at index {index} is oidc so cannot have an 'issuer' specified."
                    )));
                }
                let domain = text("domain").ok_or_else(|| {
                    schema_error(format!("Provider at index {index} needs a `domain` string"))
                })?;
                let application_id = text("applicationID").ok_or_else(|| {
                    schema_error(format!(
                        "Provider at index {index} needs an `applicationID` string"
                    ))
                })?;
                Ok(AuthProvider::Oidc { domain: with_protocol(&domain), application_id })
            }
            other => Err(schema_error(format!(
                "Provider at index {index} has unexpected 'type' value '{other}'"
            ))),
        }
    }

    /// As `appAuth` in a push response and the dashboard show it.
    pub fn to_json(&self) -> Json {
        match self {
            AuthProvider::Oidc { domain, application_id } => {
                json!({ "domain": domain, "applicationID": application_id })
            }
            AuthProvider::CustomJwt { issuer, jwks, algorithm, application_id } => json!({
                "type": "customJwt",
                "issuer": issuer,
                "jwks": jwks,
                "algorithm": match algorithm { Algorithm::RS256 => "RS256", Algorithm::ES256 => "ES256" },
                "applicationID": application_id,
            }),
        }
    }

    /// Whether a token with these audiences and issuer is this provider's: the issuer must
    /// match (trailing slash and missing scheme forgiven), and the audience must contain the
    /// application ID when the provider has one.
    pub fn matches(&self, audiences: &[String], issuer: &str) -> bool {
        let (application_id, domain) = match self {
            AuthProvider::Oidc { domain, application_id } => (Some(application_id), domain),
            AuthProvider::CustomJwt { issuer, application_id, .. } => {
                (application_id.as_ref(), issuer)
            }
        };
        if application_id.is_some_and(|id| !audiences.contains(id)) {
            return false;
        }
        domain.trim_end_matches('/') == with_protocol(issuer).trim_end_matches('/')
    }

    fn label(&self) -> String {
        match self {
            AuthProvider::Oidc { domain, application_id } => {
                format!("OIDC(domain={domain}, app_id={application_id})")
            }
            AuthProvider::CustomJwt { issuer, application_id, .. } => format!(
                "CustomJWT(issuer={issuer}, app_id={})",
                application_id.as_deref().unwrap_or("none")
            ),
        }
    }
}

/// Convex's `NoAuthProvider` message, naming the configured providers.
pub fn no_provider_message(providers: &[AuthProvider]) -> String {
    if providers.is_empty() {
        return "No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts.".into();
    }
    let labels: Vec<String> = providers.iter().map(AuthProvider::label).collect();
    format!(
        "No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your configured providers: [{}]",
        labels.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_parse_and_match_as_convex_does() {
        let config = json!({ "providers": [
            { "domain": "https://issuer.test/", "applicationID": "convex" },
            { "type": "customJwt", "issuer": "auth.test", "jwks": "data:,{}", "algorithm": "ES256" },
        ]});
        let providers = AuthProvider::parse_config(&config).unwrap();
        assert!(providers[0].matches(&["convex".into()], "https://issuer.test"));
        assert!(!providers[0].matches(&["other".into()], "https://issuer.test"));
        assert!(providers[1].matches(&[], "auth.test/"));
        let wrong = json!({ "providers": [{ "domain": "x", "applicationId": "y" }] });
        assert!(AuthProvider::parse_config(&wrong).unwrap_err().contains("capital I, capital D"));
        let bad_alg = json!({ "providers": [{ "type": "customJwt", "issuer": "a", "jwks": "b", "algorithm": "HS256" }] });
        assert!(AuthProvider::parse_config(&bad_alg).unwrap_err().contains("HS256"));
        assert!(no_provider_message(&[]).contains("no providers configured"));
    }
}
