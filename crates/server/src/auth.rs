//! Admin keys and the identity a request carries.
//!
//! Keys look like Convex's: `<instance name>|<64 hex chars>`; clients treat them as opaque.
//! A request's `Authorization` header is `Convex <key>` (admin), `Convex <key>:<base64
//! identity JSON>` (admin acting as a user) or `Bearer <jwt>` (a user, whose token the
//! `jwt` module verifies against `auth.config.ts`). No header is an anonymous caller.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

/// Who is calling.
#[derive(Debug, Clone, PartialEq)]
pub enum Identity {
    /// No credentials: public functions only.
    Anonymous,
    /// The deployment's admin key.
    Admin,
    /// An admin testing as a user: functions see this identity.
    AdminActingAs(serde_json::Value),
    /// A user whose token was verified: functions see this `UserIdentity`.
    User(serde_json::Value),
}

/// Why credentials were refused, with the code Convex uses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct AuthError {
    pub code: &'static str,
    pub message: String,
}

/// Makes a new admin key for an instance.
pub fn generate_admin_key(instance: &str) -> String {
    format!("{instance}|{}", crate::ids::random_hex(32))
}

/// Compares in time independent of where the strings differ.
fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq as _;
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

fn bad_admin_key() -> AuthError {
    AuthError {
        code: "BadAdminKey",
        message: "The provided admin key was invalid for this instance".into(),
    }
}

/// Strips the type prefixes cloud keys carry (`prod:`, `dev:`…), as Convex does.
fn normalize(key: &str) -> &str {
    for prefix in ["prod:", "dev:", "preview:", "project:"] {
        if let Some(rest) = key.strip_prefix(prefix) {
            return rest;
        }
    }
    key
}

/// Checks an admin key (optionally followed by `:<base64 identity>`).
pub fn check_admin_key(given: &str, admin_key: &str) -> Result<Identity, AuthError> {
    let given = normalize(given.trim());
    let (key, acting) = match given.split_once('|') {
        Some((_, after)) => match after.split_once(':') {
            Some((_, identity)) => (&given[..given.len() - identity.len() - 1], Some(identity)),
            None => (given, None),
        },
        None => (given, None),
    };
    if !same(key, admin_key) {
        return Err(bad_admin_key());
    }
    match acting {
        None => Ok(Identity::Admin),
        Some(encoded) => {
            let bytes = BASE64.decode(encoded).map_err(|e| AuthError {
                code: "InvalidAuthHeader",
                message: format!("The identity after the admin key is not base64: {e}"),
            })?;
            let identity: serde_json::Value =
                serde_json::from_slice(&bytes).map_err(|e| AuthError {
                    code: "InvalidAuthHeader",
                    message: format!("The identity after the admin key is not JSON: {e}"),
                })?;
            Ok(Identity::AdminActingAs(identity))
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header.
pub fn bearer_token(header: Option<&str>) -> Option<&str> {
    let header = header?.trim();
    let prefix = header.get(..7)?;
    prefix.eq_ignore_ascii_case("bearer ").then(|| header[7..].trim()).filter(|t| !t.is_empty())
}

/// The identity of a request from its `Authorization` header (or `adminKey` query value);
/// a user token is refused here (see [`bearer_token`]: it needs verifying).
pub fn identity_from_header(header: Option<&str>, admin_key: &str) -> Result<Identity, AuthError> {
    let Some(header) = header.map(str::trim).filter(|h| !h.is_empty()) else {
        return Ok(Identity::Anonymous);
    };
    let lower = header.to_ascii_lowercase();
    if lower.starts_with("convex ") {
        return check_admin_key(&header[7..], admin_key);
    }
    if lower.starts_with("bearer ") {
        return Err(AuthError {
            code: "BadAdminKey",
            message: "This route requires the deployment's admin key, not a user token".into(),
        });
    }
    Err(AuthError {
        code: "InvalidAuthHeader",
        message: "The Authorization header must be `Convex <admin key>` or `Bearer <token>`".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_check_and_carry_identities() {
        let key = generate_admin_key("atrium-local");
        assert!(key.starts_with("atrium-local|") && key.len() == "atrium-local|".len() + 64);
        assert_eq!(identity_from_header(Some(&format!("Convex {key}")), &key), Ok(Identity::Admin));
        assert_eq!(
            identity_from_header(Some(&format!("convex dev:{key}")), &key),
            Ok(Identity::Admin)
        );
        assert_eq!(identity_from_header(None, &key), Ok(Identity::Anonymous));
        assert_eq!(
            identity_from_header(Some("Convex atrium-local|00"), &key).unwrap_err().code,
            "BadAdminKey"
        );
        let identity = BASE64.encode(br#"{"subject":"u1","issuer":"https://convex.test"}"#);
        match identity_from_header(Some(&format!("Convex {key}:{identity}")), &key).unwrap() {
            Identity::AdminActingAs(json) => assert_eq!(json["subject"], "u1"),
            other => panic!("{other:?}"),
        }
        assert_eq!(identity_from_header(Some("Bearer abc"), &key).unwrap_err().code, "BadAdminKey");
        assert_eq!(bearer_token(Some("bearer  a.b.c ")), Some("a.b.c"));
        assert_eq!(bearer_token(Some("Convex k")), None);
        assert_eq!(
            identity_from_header(Some("Basic abc"), &key).unwrap_err().code,
            "InvalidAuthHeader"
        );
    }
}
