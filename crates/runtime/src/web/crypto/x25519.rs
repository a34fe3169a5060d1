//! X25519 (RFC 7748) for `deriveBits`/`deriveKey`: its keys as `raw`, `pkcs8` and `spki`
//! bytes (RFC 8410's structures, through the `pkcs8`/`spki` crates) and the shared secret,
//! x25519-dalek's. An all-zero secret (a small-order public key) is an `OperationError`,
//! as the spec says.
//!
//! It checks neither usages nor extractability (`crypto.js`, `export.rs` do).

use rsa::pkcs8::der::asn1::OctetStringRef;
use rsa::pkcs8::der::{Decode, Encode};
use rsa::pkcs8::spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use rsa::pkcs8::{ObjectIdentifier, PrivateKeyInfo};
use x25519_dalek::{PublicKey, StaticSecret};

use super::algorithm::{CryptoError, CryptoResult};
use super::keys::Material;

/// id-X25519 (RFC 8410).
const OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.110");
const ALGORITHM: AlgorithmIdentifierRef<'static> =
    AlgorithmIdentifierRef { oid: OID, parameters: None };

fn key_bytes(bytes: &[u8], what: &str) -> CryptoResult<[u8; 32]> {
    bytes.try_into().map_err(|_| CryptoError::data(format!("An X25519 {what} is 32 bytes")))
}

fn bad(what: &str) -> impl Fn(String) -> CryptoError + '_ {
    move |e| CryptoError::data(format!("Invalid {what}: {e}"))
}

/// An X25519 key from `raw` (public), `pkcs8` (private) or `spki` (public) bytes.
pub(super) fn import(format: &str, data: &[u8]) -> CryptoResult<Material> {
    match format {
        "raw" => Ok(Material::X25519Public(PublicKey::from(key_bytes(data, "public key")?))),
        "pkcs8" => {
            let info = PrivateKeyInfo::from_der(data)
                .map_err(|e| bad("PKCS #8 X25519 key")(e.to_string()))?;
            if info.algorithm.oid != OID {
                return Err(CryptoError::data("The PKCS #8 key is not an X25519 key"));
            }
            // CurvePrivateKey ::= OCTET STRING, inside the PrivateKeyInfo's.
            let inner = OctetStringRef::from_der(info.private_key)
                .map_err(|e| bad("PKCS #8 X25519 key")(e.to_string()))?;
            let secret = key_bytes(inner.as_bytes(), "private key")?;
            Ok(Material::X25519Private(Box::new(StaticSecret::from(secret))))
        }
        "spki" => {
            let info = SubjectPublicKeyInfoRef::from_der(data)
                .map_err(|e| bad("SPKI X25519 key")(e.to_string()))?;
            if info.algorithm.oid != OID {
                return Err(CryptoError::data("The SPKI key is not an X25519 key"));
            }
            let bytes = info.subject_public_key.as_bytes().unwrap_or_default();
            Ok(Material::X25519Public(PublicKey::from(key_bytes(bytes, "public key")?)))
        }
        other => Err(CryptoError::not_supported(format!("Unsupported key format `{other}`"))),
    }
}

/// A private key from a JWK's `d`, checked against its `x` when given.
pub(super) fn private_from_jwk(d: &[u8], x: Option<&[u8]>) -> CryptoResult<Material> {
    let secret = StaticSecret::from(key_bytes(d, "`d`")?);
    if x.is_some_and(|x| x != PublicKey::from(&secret).as_bytes()) {
        return Err(CryptoError::data("The JWK's `x` is not the public half of `d`"));
    }
    Ok(Material::X25519Private(Box::new(secret)))
}

/// The key as `raw` (public), `pkcs8` (private) or `spki` (public) bytes; `None` when the
/// format does not fit the key.
pub(super) fn export(format: &str, material: &Material) -> Option<Vec<u8>> {
    match (format, material) {
        ("raw", Material::X25519Public(public)) => Some(public.as_bytes().to_vec()),
        ("spki", Material::X25519Public(public)) => SubjectPublicKeyInfoRef {
            algorithm: ALGORITHM,
            subject_public_key: rsa::pkcs8::der::asn1::BitStringRef::from_bytes(public.as_bytes())
                .ok()?,
        }
        .to_der()
        .ok(),
        ("pkcs8", Material::X25519Private(secret)) => {
            let bytes = secret.to_bytes();
            let inner = OctetStringRef::new(&bytes).ok()?.to_der().ok()?;
            PrivateKeyInfo::new(ALGORITHM, &inner).to_der().ok()
        }
        _ => None,
    }
}

/// `length` bits (`None`: all 256) of the shared secret of `secret` and `public`.
pub(super) fn derive_bits(
    secret: &StaticSecret,
    public: &PublicKey,
    length: Option<u32>,
) -> CryptoResult<Vec<u8>> {
    let shared = secret.diffie_hellman(public);
    if !shared.was_contributory() {
        return Err(CryptoError::operation("X25519: the shared secret is all zeros"));
    }
    let bytes = shared.as_bytes();
    match length {
        None => Ok(bytes.to_vec()),
        Some(bits) if bits > 256 => {
            Err(CryptoError::operation("X25519: the shared secret has only 256 bits"))
        }
        Some(bits) => {
            let mut out = bytes[..(bits as usize).div_ceil(8)].to_vec();
            if !bits.is_multiple_of(8)
                && let Some(last) = out.last_mut()
            {
                *last &= 0xffu8 << (8 - bits % 8);
            }
            Ok(out)
        }
    }
}
