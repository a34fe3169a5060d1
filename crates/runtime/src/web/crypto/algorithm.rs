//! The vocabulary every Web Crypto operation shares: the error a failed operation throws
//! (named as the spec names its `DOMException`s), the hash functions, `digest`, and the
//! normalized algorithm parameters `crypto.js` hands over as JSON.
//!
//! It holds no key material and never touches JavaScript values.

use serde::Deserialize;
use sha2::Digest as _;

/// A failed operation: `name` is the `DOMException` name the spec gives the failure
/// (`NotSupportedError`, `InvalidAccessError`, `DataError`, `OperationError`,
/// `SyntaxError`), `message` says what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CryptoError {
    pub name: &'static str,
    pub message: String,
}

impl CryptoError {
    pub fn not_supported(message: impl Into<String>) -> Self {
        CryptoError { name: "NotSupportedError", message: message.into() }
    }
    pub fn invalid_access(message: impl Into<String>) -> Self {
        CryptoError { name: "InvalidAccessError", message: message.into() }
    }
    pub fn data(message: impl Into<String>) -> Self {
        CryptoError { name: "DataError", message: message.into() }
    }
    pub fn operation(message: impl Into<String>) -> Self {
        CryptoError { name: "OperationError", message: message.into() }
    }
    pub fn syntax(message: impl Into<String>) -> Self {
        CryptoError { name: "SyntaxError", message: message.into() }
    }
}

pub(crate) type CryptoResult<T> = Result<T, CryptoError>;

/// The hash functions Web Crypto names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

/// Runs `$body` with `$d` bound to the digest type of `$hash`.
macro_rules! with_hash {
    ($hash:expr, $d:ident => $body:expr) => {
        match $hash {
            $crate::web::crypto::algorithm::Hash::Sha1 => {
                type $d = sha1::Sha1;
                $body
            }
            $crate::web::crypto::algorithm::Hash::Sha256 => {
                type $d = sha2::Sha256;
                $body
            }
            $crate::web::crypto::algorithm::Hash::Sha384 => {
                type $d = sha2::Sha384;
                $body
            }
            $crate::web::crypto::algorithm::Hash::Sha512 => {
                type $d = sha2::Sha512;
                $body
            }
        }
    };
}
pub(crate) use with_hash;

impl Hash {
    /// The hash a name (as `crypto.js` normalized it) stands for.
    pub fn parse(name: &str) -> CryptoResult<Hash> {
        match name {
            "SHA-1" => Ok(Hash::Sha1),
            "SHA-256" => Ok(Hash::Sha256),
            "SHA-384" => Ok(Hash::Sha384),
            "SHA-512" => Ok(Hash::Sha512),
            other => {
                Err(CryptoError::not_supported(format!("Unrecognized hash algorithm: {other}")))
            }
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Hash::Sha1 => "SHA-1",
            Hash::Sha256 => "SHA-256",
            Hash::Sha384 => "SHA-384",
            Hash::Sha512 => "SHA-512",
        }
    }

    /// The block size in bits: an HMAC key's default length.
    pub fn block_bits(self) -> usize {
        match self {
            Hash::Sha1 | Hash::Sha256 => 512,
            Hash::Sha384 | Hash::Sha512 => 1024,
        }
    }

    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        with_hash!(self, D => D::digest(data).to_vec())
    }

    /// The digits after the family name in a JWK `alg` (`HS256`, `RS1`, `PS512`, …).
    pub fn jwk_suffix(self) -> &'static str {
        match self {
            Hash::Sha1 => "1",
            Hash::Sha256 => "256",
            Hash::Sha384 => "384",
            Hash::Sha512 => "512",
        }
    }
}

/// An algorithm as `crypto.js` normalized it: the canonical name plus whichever parameters
/// the operation takes (byte strings as arrays, a `CryptoKey` as its handle).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Params {
    pub name: String,
    pub hash: Option<String>,
    pub length: Option<u32>,
    pub named_curve: Option<String>,
    pub modulus_length: Option<u32>,
    pub public_exponent: Option<Vec<u8>>,
    pub salt_length: Option<u32>,
    pub iv: Option<Vec<u8>>,
    pub counter: Option<Vec<u8>>,
    pub additional_data: Option<Vec<u8>>,
    pub tag_length: Option<u32>,
    pub label: Option<Vec<u8>>,
    pub salt: Option<Vec<u8>>,
    pub info: Option<Vec<u8>>,
    pub iterations: Option<u32>,
    /// ECDH: the peer's public key (a handle).
    pub public: Option<u32>,
}

impl Params {
    pub fn from_json(json: &str) -> CryptoResult<Params> {
        serde_json::from_str(json)
            .map_err(|e| CryptoError::syntax(format!("Invalid algorithm parameters: {e}")))
    }

    /// The `hash` member, required.
    pub fn hash(&self) -> CryptoResult<Hash> {
        match &self.hash {
            Some(name) => Hash::parse(name),
            None => Err(CryptoError::syntax(format!("{}: the algorithm needs a hash", self.name))),
        }
    }

    /// A byte-string member, required.
    pub fn bytes<'a>(&self, field: &'a Option<Vec<u8>>, what: &str) -> CryptoResult<&'a [u8]>
    where
        Self: 'a,
    {
        field.as_deref().ok_or_else(|| {
            CryptoError::syntax(format!("{}: the algorithm needs `{what}`", self.name))
        })
    }
}

/// `crypto.subtle.digest`.
pub(crate) fn digest(hash: &str, data: &[u8]) -> CryptoResult<Vec<u8>> {
    Ok(Hash::parse(hash)?.digest(data))
}
