//! `crypto.subtle.sign` and `verify`: HMAC, RSASSA-PKCS1-v1_5, RSA-PSS, ECDSA (P-256,
//! P-384; signatures as r ‖ s, as Web Crypto writes them) and Ed25519, each the RustCrypto
//! crate's. A signature that does not parse verifies as `false`, as the spec says.
//!
//! It checks neither usages nor that the algorithm matches the key (`crypto.js` does).

use ed25519_dalek::{Signer as _, Verifier as _};
use hmac::{Mac, digest::KeyInit};
use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use rsa::{Pkcs1v15Sign, Pss};

use super::algorithm::{CryptoError, CryptoResult, Hash, Params, with_hash};
use super::keys::{Key, Material};
use super::random::Rng;

fn key_hash(key: &Key) -> CryptoResult<Hash> {
    key.hash.ok_or_else(|| CryptoError::operation("The key has no hash"))
}

fn wrong_key(key: &Key, op: &str) -> CryptoError {
    CryptoError::invalid_access(format!("A {} {} key cannot {op}", key.kind(), key.algorithm))
}

fn salt_length(params: &Params) -> CryptoResult<usize> {
    params
        .salt_length
        .map(|n| n as usize)
        .ok_or_else(|| CryptoError::syntax("RSA-PSS: the algorithm needs `saltLength`"))
}

/// Signs `data` with `key`.
pub(crate) fn sign(
    params: &Params,
    key: &Key,
    data: &[u8],
    rng: &mut Rng,
) -> CryptoResult<Vec<u8>> {
    let failed = |e: &dyn std::fmt::Display| CryptoError::operation(format!("Signing failed: {e}"));
    match (params.name.as_str(), &key.material) {
        ("HMAC", Material::Secret(secret)) => Ok(with_hash!(key_hash(key)?, D => {
            let mut mac = <hmac::Hmac<D> as KeyInit>::new_from_slice(secret).map_err(|e| failed(&e))?;
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        })),
        ("RSASSA-PKCS1-v1_5", Material::RsaPrivate(private)) => {
            let hash = key_hash(key)?;
            let scheme = with_hash!(hash, D => Pkcs1v15Sign::new::<D>());
            private.sign(scheme, &hash.digest(data)).map_err(|e| failed(&e))
        }
        ("RSA-PSS", Material::RsaPrivate(private)) => {
            let hash = key_hash(key)?;
            let salt = salt_length(params)?;
            let scheme = with_hash!(hash, D => Pss::new_with_salt::<D>(salt));
            let mut rng = rng.get()?;
            private.sign_with_rng(&mut rng, scheme, &hash.digest(data)).map_err(|e| failed(&e))
        }
        ("ECDSA", Material::P256Private(secret)) => {
            let digest = params.hash()?.digest(data);
            let signer = p256::ecdsa::SigningKey::from(secret);
            let signature: p256::ecdsa::Signature =
                signer.sign_prehash(&digest).map_err(|e| failed(&e))?;
            Ok(signature.to_bytes().to_vec())
        }
        ("ECDSA", Material::P384Private(secret)) => {
            let digest = params.hash()?.digest(data);
            let signer = p384::ecdsa::SigningKey::from(secret);
            let signature: p384::ecdsa::Signature =
                signer.sign_prehash(&digest).map_err(|e| failed(&e))?;
            Ok(signature.to_bytes().to_vec())
        }
        ("Ed25519", Material::Ed25519Private(signer)) => Ok(signer.sign(data).to_bytes().to_vec()),
        _ => Err(wrong_key(key, "sign")),
    }
}

/// Whether `signature` is `key`'s signature of `data`.
pub(crate) fn verify(
    params: &Params,
    key: &Key,
    signature: &[u8],
    data: &[u8],
) -> CryptoResult<bool> {
    match (params.name.as_str(), &key.material) {
        ("HMAC", Material::Secret(secret)) => Ok(with_hash!(key_hash(key)?, D => {
            let mut mac = <hmac::Hmac<D> as KeyInit>::new_from_slice(secret)
                .map_err(|e| CryptoError::operation(e.to_string()))?;
            mac.update(data);
            mac.verify_slice(signature).is_ok()
        })),
        ("RSASSA-PKCS1-v1_5", Material::RsaPublic(public)) => {
            let hash = key_hash(key)?;
            let scheme = with_hash!(hash, D => Pkcs1v15Sign::new::<D>());
            Ok(public.verify(scheme, &hash.digest(data), signature).is_ok())
        }
        ("RSA-PSS", Material::RsaPublic(public)) => {
            let hash = key_hash(key)?;
            let salt = salt_length(params)?;
            let scheme = with_hash!(hash, D => Pss::new_with_salt::<D>(salt));
            Ok(public.verify(scheme, &hash.digest(data), signature).is_ok())
        }
        ("ECDSA", Material::P256Public(public)) => {
            let digest = params.hash()?.digest(data);
            let Ok(signature) = p256::ecdsa::Signature::from_slice(signature) else {
                return Ok(false);
            };
            Ok(p256::ecdsa::VerifyingKey::from(public).verify_prehash(&digest, &signature).is_ok())
        }
        ("ECDSA", Material::P384Public(public)) => {
            let digest = params.hash()?.digest(data);
            let Ok(signature) = p384::ecdsa::Signature::from_slice(signature) else {
                return Ok(false);
            };
            Ok(p384::ecdsa::VerifyingKey::from(public).verify_prehash(&digest, &signature).is_ok())
        }
        ("Ed25519", Material::Ed25519Public(public)) => {
            let Ok(signature) = ed25519_dalek::Signature::from_slice(signature) else {
                return Ok(false);
            };
            Ok(public.verify(data, &signature).is_ok())
        }
        _ => Err(wrong_key(key, "verify")),
    }
}
