//! `crypto.subtle.deriveBits` (and so `deriveKey`, which `crypto.js` builds on it): PBKDF2
//! and HKDF over HMAC-SHA-*, and ECDH on P-256 and P-384, each the RustCrypto crate's.
//!
//! It checks neither usages nor that the algorithm matches the key (`crypto.js` does).

use super::algorithm::{CryptoError, CryptoResult, Params, with_hash};
use super::keys::{Key, KeyTable, Material};

/// `length` bits derived with `key` (`None`: ECDH's whole shared secret).
pub(crate) fn derive_bits(
    params: &Params,
    key: &Key,
    keys: &KeyTable,
    length: Option<u32>,
) -> CryptoResult<Vec<u8>> {
    let bytes_for = |length: Option<u32>| -> CryptoResult<usize> {
        match length {
            Some(bits) if bits.is_multiple_of(8) => Ok(bits as usize / 8),
            Some(_) => Err(CryptoError::operation(format!(
                "{}: the length must be a multiple of 8",
                params.name
            ))),
            None => Err(CryptoError::operation(format!("{}: a length is required", params.name))),
        }
    };
    match (params.name.as_str(), &key.material) {
        ("PBKDF2", Material::Secret(password)) => {
            let salt = params.bytes(&params.salt, "salt")?;
            let iterations = params.iterations.unwrap_or(0);
            if iterations == 0 {
                return Err(CryptoError::operation("PBKDF2: iterations must be at least 1"));
            }
            let mut out = vec![0u8; bytes_for(length)?];
            with_hash!(params.hash()?, D => pbkdf2::pbkdf2_hmac::<D>(password, salt, iterations, &mut out));
            Ok(out)
        }
        ("HKDF", Material::Secret(ikm)) => {
            let salt = params.bytes(&params.salt, "salt")?;
            let info = params.bytes(&params.info, "info")?;
            let mut out = vec![0u8; bytes_for(length)?];
            with_hash!(params.hash()?, D => hkdf::Hkdf::<D>::new(Some(salt), ikm)
                .expand(info, &mut out)
                .map_err(|_| CryptoError::operation("HKDF: the length is too long for the hash"))?);
            Ok(out)
        }
        ("ECDH", Material::P256Private(_) | Material::P384Private(_)) => {
            let handle = params
                .public
                .ok_or_else(|| CryptoError::syntax("ECDH: the algorithm needs a `public` key"))?;
            let public = keys.get(handle)?;
            if public.algorithm != "ECDH" || public.kind() != "public" {
                return Err(CryptoError::invalid_access(
                    "ECDH: `public` must be a public ECDH key",
                ));
            }
            let secret = match (&key.material, &public.material) {
                (Material::P256Private(s), Material::P256Public(p)) => {
                    p256::ecdh::diffie_hellman(s.to_nonzero_scalar(), p.as_affine())
                        .raw_secret_bytes()
                        .to_vec()
                }
                (Material::P384Private(s), Material::P384Public(p)) => {
                    p384::ecdh::diffie_hellman(s.to_nonzero_scalar(), p.as_affine())
                        .raw_secret_bytes()
                        .to_vec()
                }
                _ => {
                    return Err(CryptoError::invalid_access(
                        "ECDH: the public key is on another curve",
                    ));
                }
            };
            match length {
                None => Ok(secret),
                Some(bits) if bits as usize > secret.len() * 8 => Err(CryptoError::operation(
                    format!("ECDH: the shared secret has only {} bits", secret.len() * 8),
                )),
                Some(bits) => {
                    let mut out = secret[..(bits as usize).div_ceil(8)].to_vec();
                    if !bits.is_multiple_of(8)
                        && let Some(last) = out.last_mut()
                    {
                        *last &= 0xffu8 << (8 - bits % 8);
                    }
                    Ok(out)
                }
            }
        }
        ("X25519", Material::X25519Private(secret)) => {
            let handle = params
                .public
                .ok_or_else(|| CryptoError::syntax("X25519: the algorithm needs a `public` key"))?;
            let public = match &keys.get(handle)?.material {
                Material::X25519Public(public) => public,
                _ => {
                    return Err(CryptoError::invalid_access(
                        "X25519: `public` must be a public X25519 key",
                    ));
                }
            };
            super::x25519::derive_bits(secret, public, length)
        }
        _ => Err(CryptoError::invalid_access(format!(
            "A {} {} key cannot derive bits",
            key.kind(),
            key.algorithm
        ))),
    }
}
