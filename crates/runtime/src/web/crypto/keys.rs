//! Key material and the per-execution table that holds it. A `CryptoKey` in JavaScript
//! carries only an opaque handle into [`KeyTable`]; the bytes stay here, so script can read
//! them only through `exportKey`, which refuses keys that are not extractable.
//!
//! It parses and encodes no key formats (`import`, `export`) and runs no algorithm.

use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

use super::algorithm::{CryptoError, CryptoResult, Hash};

/// The material of one key.
pub(crate) enum Material {
    Secret(Vec<u8>),
    RsaPrivate(Box<RsaPrivateKey>),
    RsaPublic(Box<RsaPublicKey>),
    P256Private(p256::SecretKey),
    P256Public(p256::PublicKey),
    P384Private(p384::SecretKey),
    P384Public(p384::PublicKey),
    Ed25519Private(Box<ed25519_dalek::SigningKey>),
    Ed25519Public(ed25519_dalek::VerifyingKey),
    X25519Private(Box<x25519_dalek::StaticSecret>),
    X25519Public(x25519_dalek::PublicKey),
}

/// A key: its material and the parts of its algorithm the operations need.
pub(crate) struct Key {
    /// The canonical algorithm name (`HMAC`, `RSA-PSS`, `ECDSA`, …).
    pub algorithm: String,
    /// HMAC and RSA keys are bound to a hash.
    pub hash: Option<Hash>,
    pub extractable: bool,
    pub material: Material,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the material.
        f.debug_struct("Key")
            .field("algorithm", &self.algorithm)
            .field("type", &self.kind())
            .field("extractable", &self.extractable)
            .finish()
    }
}

impl Key {
    pub fn new(algorithm: &str, hash: Option<Hash>, extractable: bool, material: Material) -> Key {
        Key { algorithm: algorithm.to_string(), hash, extractable, material }
    }

    /// `CryptoKey.type`.
    pub fn kind(&self) -> &'static str {
        match self.material {
            Material::Secret(_) => "secret",
            Material::RsaPrivate(_)
            | Material::P256Private(_)
            | Material::P384Private(_)
            | Material::Ed25519Private(_)
            | Material::X25519Private(_) => "private",
            _ => "public",
        }
    }

    /// The named curve of an EC key.
    pub fn curve(&self) -> Option<&'static str> {
        match self.material {
            Material::P256Private(_) | Material::P256Public(_) => Some("P-256"),
            Material::P384Private(_) | Material::P384Public(_) => Some("P-384"),
            _ => None,
        }
    }

    /// The RSA public half, for private and public RSA keys.
    pub fn rsa_public(&self) -> Option<RsaPublicKey> {
        match &self.material {
            Material::RsaPrivate(k) => Some(k.to_public_key()),
            Material::RsaPublic(k) => Some((**k).clone()),
            _ => None,
        }
    }

    /// `CryptoKey.algorithm`, as JSON (`crypto.js` turns `publicExponent` into bytes).
    pub fn algorithm_json(&self) -> Json {
        let mut alg = json!({ "name": self.algorithm });
        if let Some(hash) = self.hash {
            alg["hash"] = json!({ "name": hash.name() });
        }
        if let Material::Secret(bytes) = &self.material
            && (self.algorithm == "HMAC" || self.algorithm.starts_with("AES-"))
        {
            alg["length"] = json!(bytes.len() * 8);
        }
        if let Some(public) = self.rsa_public() {
            alg["modulusLength"] = json!(public.n().bits());
            alg["publicExponent"] = json!(public.e().to_bytes_be());
        }
        if let Some(curve) = self.curve() {
            alg["namedCurve"] = json!(curve);
        }
        alg
    }

    /// What `crypto.js` builds a `CryptoKey` from.
    pub fn info(&self, handle: u32) -> Json {
        json!({ "handle": handle, "type": self.kind(), "algorithm": self.algorithm_json() })
    }
}

/// The keys one execution created, by handle. Dropped with the execution's context.
#[derive(Debug, Default)]
pub(crate) struct KeyTable {
    keys: Vec<Key>,
}

impl KeyTable {
    pub fn insert(&mut self, key: Key) -> u32 {
        self.keys.push(key);
        u32::try_from(self.keys.len() - 1).expect("fewer than 2^32 keys")
    }

    pub fn get(&self, handle: u32) -> CryptoResult<&Key> {
        self.keys.get(handle as usize).ok_or_else(|| {
            CryptoError::invalid_access("The key is not a CryptoKey of this execution")
        })
    }

    /// The key, if it is one of `algorithm` (the key's algorithm binds what it may do).
    pub fn for_algorithm(&self, handle: u32, algorithm: &str) -> CryptoResult<&Key> {
        let key = self.get(handle)?;
        if key.algorithm == algorithm {
            Ok(key)
        } else {
            Err(CryptoError::invalid_access(format!(
                "The key is a {} key, not {algorithm}",
                key.algorithm
            )))
        }
    }
}

/// A JSON Web Key (RFC 7517) with the members Web Crypto reads and writes; `key_ops` and
/// `ext` are checked and added by `crypto.js`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Jwk {
    pub kty: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub d: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dq: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qi: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
}

/// base64url without padding, as JWKs spell their members.
pub(crate) fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A JWK member's bytes (base64url, padding tolerated).
pub(crate) fn unb64(member: &Option<String>, name: &str) -> CryptoResult<Vec<u8>> {
    use base64::Engine as _;
    let text = member
        .as_deref()
        .ok_or_else(|| CryptoError::data(format!("The JWK has no `{name}` member")))?;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|_| CryptoError::data(format!("The JWK's `{name}` member is not base64url")))
}

/// The JWK `alg` a key of `algorithm` with `hash` (or `length` bits, for AES) carries.
pub(crate) fn jwk_alg(algorithm: &str, hash: Option<Hash>, length: usize) -> Option<String> {
    let suffix = hash.map(Hash::jwk_suffix).unwrap_or("");
    match algorithm {
        "HMAC" => Some(format!("HS{suffix}")),
        "RSASSA-PKCS1-v1_5" => Some(format!("RS{suffix}")),
        "RSA-PSS" => Some(format!("PS{suffix}")),
        "RSA-OAEP" if hash == Some(Hash::Sha1) => Some("RSA-OAEP".into()),
        "RSA-OAEP" => Some(format!("RSA-OAEP-{suffix}")),
        "AES-GCM" => Some(format!("A{length}GCM")),
        "AES-CBC" => Some(format!("A{length}CBC")),
        "AES-CTR" => Some(format!("A{length}CTR")),
        "AES-KW" => Some(format!("A{length}KW")),
        "Ed25519" => Some("Ed25519".into()),
        _ => None,
    }
}
