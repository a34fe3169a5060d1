//! `crypto.subtle.generateKey`: secret keys (HMAC, AES-GCM/CBC/CTR/KW), RSA key pairs (RSASSA-PKCS1-v1_5,
//! RSA-PSS, RSA-OAEP), EC key pairs (ECDSA, ECDH on P-256, P-384), Ed25519 and X25519 key pairs,
//! from the execution's [`Rng`] (so refused in queries and mutations, as Convex does).
//!
//! It checks no usages (`crypto.js` does) and hands no material to script.

use rsa::{BigUint, RsaPrivateKey};

use super::algorithm::{CryptoError, CryptoResult, Hash, Params};
use super::keys::{Key, Material};
use super::random::Rng;

/// A generated key: one secret key, or a key pair.
#[derive(Debug)]
pub(crate) enum Generated {
    Secret(Box<Key>),
    Pair { public: Box<Key>, private: Box<Key> },
}

/// Generates a key (or pair) for `params`. Public keys are always extractable.
pub(crate) fn generate(
    params: &Params,
    extractable: bool,
    rng: &mut Rng,
) -> CryptoResult<Generated> {
    let name = params.name.as_str();
    let pair = |hash: Option<Hash>, public: Material, private: Material| Generated::Pair {
        public: Box::new(Key::new(name, hash, true, public)),
        private: Box::new(Key::new(name, hash, extractable, private)),
    };
    match name {
        "HMAC" => {
            let hash = params.hash()?;
            let bits = params.length.map_or(hash.block_bits(), |n| n as usize);
            if bits == 0 || !bits.is_multiple_of(8) {
                return Err(CryptoError::operation(
                    "HMAC: the length must be a positive multiple of 8",
                ));
            }
            let mut secret = vec![0u8; bits / 8];
            rng.fill(&mut secret)?;
            Ok(Generated::Secret(Box::new(Key::new(
                name,
                Some(hash),
                extractable,
                Material::Secret(secret),
            ))))
        }
        "AES-GCM" | "AES-CBC" | "AES-CTR" | "AES-KW" => {
            let bits = params.length.unwrap_or(0);
            if !matches!(bits, 128 | 192 | 256) {
                return Err(CryptoError::operation("AES: the length must be 128, 192 or 256"));
            }
            let mut secret = vec![0u8; bits as usize / 8];
            rng.fill(&mut secret)?;
            Ok(Generated::Secret(Box::new(Key::new(
                name,
                None,
                extractable,
                Material::Secret(secret),
            ))))
        }
        "RSASSA-PKCS1-v1_5" | "RSA-PSS" | "RSA-OAEP" => {
            let hash = params.hash()?;
            let bits = params.modulus_length.unwrap_or(0) as usize;
            if !(1024..=8192).contains(&bits) || !bits.is_multiple_of(8) {
                return Err(CryptoError::operation(format!(
                    "RSA: modulusLength {bits} is not supported (1024 to 8192, a multiple of 8)"
                )));
            }
            let exponent = params.bytes(&params.public_exponent, "publicExponent")?;
            let exponent = BigUint::from_bytes_be(exponent);
            let mut rng = rng.get()?;
            let private = RsaPrivateKey::new_with_exp(&mut rng, bits, &exponent)
                .map_err(|e| CryptoError::operation(format!("RSA key generation failed: {e}")))?;
            let public = private.to_public_key();
            Ok(pair(
                Some(hash),
                Material::RsaPublic(Box::new(public)),
                Material::RsaPrivate(Box::new(private)),
            ))
        }
        "ECDSA" | "ECDH" => {
            let mut rng = rng.get()?;
            match params.named_curve.as_deref() {
                Some("P-256") => {
                    let secret = p256::SecretKey::random(&mut rng);
                    let public = secret.public_key();
                    Ok(pair(None, Material::P256Public(public), Material::P256Private(secret)))
                }
                Some("P-384") => {
                    let secret = p384::SecretKey::random(&mut rng);
                    let public = secret.public_key();
                    Ok(pair(None, Material::P384Public(public), Material::P384Private(secret)))
                }
                other => {
                    Err(CryptoError::not_supported(format!("Unsupported namedCurve {other:?}")))
                }
            }
        }
        "Ed25519" => {
            let mut rng = rng.get()?;
            let signer = ed25519_dalek::SigningKey::generate(&mut rng);
            let public = signer.verifying_key();
            Ok(pair(
                None,
                Material::Ed25519Public(public),
                Material::Ed25519Private(Box::new(signer)),
            ))
        }
        "X25519" => {
            let secret = x25519_dalek::StaticSecret::random_from_rng(rng.get()?);
            let public = x25519_dalek::PublicKey::from(&secret);
            Ok(pair(
                None,
                Material::X25519Public(public),
                Material::X25519Private(Box::new(secret)),
            ))
        }
        other => Err(CryptoError::not_supported(format!("generateKey does not support {other}"))),
    }
}
