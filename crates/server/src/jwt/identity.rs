//! A verified token's claims as the `UserIdentity` functions see: `tokenIdentifier`
//! (`iss|sub`), `subject`, `issuer`, the standard OIDC claims under Convex's names
//! (`pictureUrl`, `emailVerified`, …) and the custom claims, as Convex builds them for OIDC
//! and custom JWT providers.
//!
//! It checks nothing: the claims reaching it were verified.

use serde_json::{Map, Value as Json};

/// Standard OIDC claims and the names `UserIdentity` gives them.
const STANDARD: &[(&str, &str)] = &[
    ("name", "name"),
    ("given_name", "givenName"),
    ("family_name", "familyName"),
    ("nickname", "nickname"),
    ("preferred_username", "preferredUsername"),
    ("profile", "profileUrl"),
    ("picture", "pictureUrl"),
    ("website", "websiteUrl"),
    ("email", "email"),
    ("email_verified", "emailVerified"),
    ("gender", "gender"),
    ("birthdate", "birthday"),
    ("zoneinfo", "timezone"),
    ("locale", "language"),
    ("phone_number", "phoneNumber"),
    ("phone_number_verified", "phoneNumberVerified"),
    ("address", "address"),
    ("updated_at", "updatedAt"),
];

/// Claims an ID token's standard fields consume, and those Convex drops because they change
/// on every refresh (`jti`, `nbf`, `fva`): none becomes a custom claim.
const NOT_CUSTOM_OIDC: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "azp",
    "at_hash",
    "c_hash",
    "jti",
    "nbf",
    "fva",
];

/// Registered JWT claims, which a custom JWT's custom claims leave out (and `fva`).
const NOT_CUSTOM_JWT: &[&str] = &["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "fva"];

fn base(issuer: &str, subject: &str) -> Map<String, Json> {
    let mut identity = Map::new();
    identity.insert("tokenIdentifier".into(), format!("{issuer}|{subject}").into());
    identity.insert("subject".into(), subject.into());
    identity.insert("issuer".into(), issuer.into());
    identity
}

/// The identity of an OIDC ID token.
pub(crate) fn from_oidc(claims: &Map<String, Json>, issuer: &str, subject: &str) -> Json {
    let mut identity = base(issuer, subject);
    for (claim, value) in claims {
        if let Some((_, name)) = STANDARD.iter().find(|(c, _)| c == claim) {
            let value = match (claim.as_str(), value) {
                ("address", Json::Object(address)) => match address.get("formatted") {
                    Some(formatted) => formatted.clone(),
                    None => continue,
                },
                ("updated_at", Json::Number(seconds)) => {
                    match seconds.as_i64().and_then(|s| chrono::DateTime::from_timestamp(s, 0)) {
                        Some(time) => Json::String(time.to_rfc3339()),
                        None => continue,
                    }
                }
                ("email_verified" | "phone_number_verified", Json::Bool(_)) => value.clone(),
                ("email_verified" | "phone_number_verified", _) => continue,
                (_, Json::String(_)) => value.clone(),
                _ => continue,
            };
            identity.insert((*name).into(), value);
        } else if !NOT_CUSTOM_OIDC.contains(&claim.as_str()) {
            identity.insert(claim.clone(), value.clone());
        }
    }
    Json::Object(identity)
}

/// The identity of a custom JWT: nested objects flattened to dotted names, as Convex does.
pub(crate) fn from_custom_jwt(claims: &Map<String, Json>, issuer: &str, subject: &str) -> Json {
    let mut identity = base(issuer, subject);
    let mut custom = Map::new();
    flatten("", claims, &mut custom);
    for (claim, value) in custom {
        if !NOT_CUSTOM_JWT.contains(&claim.as_str()) {
            identity.insert(claim, value);
        }
    }
    Json::Object(identity)
}

fn flatten(prefix: &str, object: &Map<String, Json>, out: &mut Map<String, Json>) {
    for (key, value) in object {
        let name = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match value {
            Json::Object(nested) => flatten(&name, nested, out),
            other => {
                out.insert(name, other.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn identities_take_convex_names() {
        let claims = json!({ "iss": "https://i.test", "sub": "u1", "aud": "app", "email": "a@b.c",
            "email_verified": true, "picture": "https://p", "org": "acme", "jti": "x" });
        let identity = from_oidc(claims.as_object().unwrap(), "https://i.test", "u1");
        assert_eq!(identity["tokenIdentifier"], "https://i.test|u1");
        assert_eq!(identity["pictureUrl"], "https://p");
        assert_eq!(identity["emailVerified"], true);
        assert_eq!(identity["org"], "acme");
        assert!(identity.get("jti").is_none() && identity.get("aud").is_none());
        let claims = json!({ "iss": "i", "sub": "s", "meta": { "role": "admin" }, "fva": [1] });
        let identity = from_custom_jwt(claims.as_object().unwrap(), "i", "s");
        assert_eq!(identity["meta.role"], "admin");
        assert!(identity.get("fva").is_none() && identity.get("iss").is_none());
    }
}
