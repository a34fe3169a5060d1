//! `crypto.subtle.exportKey`: a [`Key`] written as `raw`, `pkcs8`, `spki` or `jwk`, and
//! only when it is extractable (`InvalidAccessError` otherwise, checked here so that no
//! script path reaches the material of a non-extractable key).
//!
//! DER encoding is the RustCrypto crates'; `key_ops` and `ext` are added by `crypto.js`.

use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};

use super::algorithm::{CryptoError, CryptoResult};
use super::keys::{Jwk, Key, Material, b64, jwk_alg};

fn failed(e: impl std::fmt::Display) -> CryptoError {
    CryptoError::operation(format!("The key could not be encoded: {e}"))
}

fn check_extractable(key: &Key) -> CryptoResult<()> {
    if key.extractable {
        Ok(())
    } else {
        Err(CryptoError::invalid_access("key is not extractable"))
    }
}

/// Exports `raw`, `pkcs8` or `spki` bytes.
pub(crate) fn export_bytes(key: &Key, format: &str) -> CryptoResult<Vec<u8>> {
    check_extractable(key)?;
    let wrong = || {
        CryptoError::invalid_access(format!(
            "A {} {} key cannot be exported as `{format}`",
            key.kind(),
            key.algorithm
        ))
    };
    Ok(match (format, &key.material) {
        ("raw", Material::Secret(bytes)) => bytes.clone(),
        ("raw", Material::P256Public(k)) => k.to_sec1_bytes().to_vec(),
        ("raw", Material::P384Public(k)) => k.to_sec1_bytes().to_vec(),
        ("raw", Material::Ed25519Public(k)) => k.to_bytes().to_vec(),
        ("pkcs8", Material::RsaPrivate(k)) => k.to_pkcs8_der().map_err(failed)?.as_bytes().to_vec(),
        ("pkcs8", Material::P256Private(k)) => {
            k.to_pkcs8_der().map_err(failed)?.as_bytes().to_vec()
        }
        ("pkcs8", Material::P384Private(k)) => {
            k.to_pkcs8_der().map_err(failed)?.as_bytes().to_vec()
        }
        ("pkcs8", Material::Ed25519Private(k)) => {
            k.to_pkcs8_der().map_err(failed)?.as_bytes().to_vec()
        }
        ("spki", Material::RsaPublic(k)) => k.to_public_key_der().map_err(failed)?.into_vec(),
        ("spki", Material::P256Public(k)) => k.to_public_key_der().map_err(failed)?.into_vec(),
        ("spki", Material::P384Public(k)) => k.to_public_key_der().map_err(failed)?.into_vec(),
        ("spki", Material::Ed25519Public(k)) => k.to_public_key_der().map_err(failed)?.into_vec(),
        ("raw" | "pkcs8" | "spki", Material::X25519Private(_) | Material::X25519Public(_)) => {
            super::x25519::export(format, &key.material).ok_or_else(wrong)?
        }
        ("raw" | "pkcs8" | "spki", _) => return Err(wrong()),
        _ => return Err(CryptoError::not_supported(format!("Unsupported key format `{format}`"))),
    })
}

/// Exports a JSON Web Key, as JSON text.
pub(crate) fn export_jwk(key: &Key) -> CryptoResult<String> {
    check_extractable(key)?;
    let mut jwk = Jwk::default();
    match &key.material {
        Material::Secret(bytes) => {
            if !(key.algorithm == "HMAC" || key.algorithm.starts_with("AES-")) {
                return Err(CryptoError::not_supported(format!(
                    "{} keys cannot be exported as JWK",
                    key.algorithm
                )));
            }
            jwk.kty = "oct".into();
            jwk.k = Some(b64(bytes));
            jwk.alg = jwk_alg(&key.algorithm, key.hash, bytes.len() * 8);
        }
        Material::RsaPrivate(_) | Material::RsaPublic(_) => {
            jwk.kty = "RSA".into();
            jwk.alg = jwk_alg(&key.algorithm, key.hash, 0);
            let public = key.rsa_public().expect("an RSA key");
            jwk.n = Some(b64(&public.n().to_bytes_be()));
            jwk.e = Some(b64(&public.e().to_bytes_be()));
            if let Material::RsaPrivate(k) = &key.material {
                let [p, q] = k.primes() else {
                    return Err(CryptoError::not_supported(
                        "Multi-prime RSA keys cannot be exported",
                    ));
                };
                jwk.d = Some(b64(&k.d().to_bytes_be()));
                jwk.p = Some(b64(&p.to_bytes_be()));
                jwk.q = Some(b64(&q.to_bytes_be()));
                let (Some(dp), Some(dq), Some(qi)) = (k.dp(), k.dq(), k.crt_coefficient()) else {
                    return Err(CryptoError::operation("The RSA key has no CRT values"));
                };
                jwk.dp = Some(b64(&dp.to_bytes_be()));
                jwk.dq = Some(b64(&dq.to_bytes_be()));
                jwk.qi = Some(b64(&qi.to_bytes_be()));
            }
        }
        Material::P256Private(_)
        | Material::P256Public(_)
        | Material::P384Private(_)
        | Material::P384Public(_) => {
            let (point, d) = match &key.material {
                Material::P256Private(k) => {
                    (k.public_key().to_sec1_bytes().to_vec(), Some(k.to_bytes().to_vec()))
                }
                Material::P256Public(k) => (k.to_sec1_bytes().to_vec(), None),
                Material::P384Private(k) => {
                    (k.public_key().to_sec1_bytes().to_vec(), Some(k.to_bytes().to_vec()))
                }
                Material::P384Public(k) => (k.to_sec1_bytes().to_vec(), None),
                _ => unreachable!("an EC key"),
            };
            // Uncompressed SEC1: 0x04 ‖ x ‖ y, each coordinate half the rest.
            let half = (point.len() - 1) / 2;
            jwk.kty = "EC".into();
            jwk.crv = key.curve().map(str::to_string);
            jwk.x = Some(b64(&point[1..=half]));
            jwk.y = Some(b64(&point[1 + half..]));
            jwk.d = d.map(|d| b64(&d));
        }
        Material::Ed25519Private(k) => {
            jwk.kty = "OKP".into();
            jwk.crv = Some("Ed25519".into());
            jwk.alg = jwk_alg(&key.algorithm, None, 0);
            jwk.x = Some(b64(&k.verifying_key().to_bytes()));
            jwk.d = Some(b64(&k.to_bytes()));
        }
        Material::Ed25519Public(k) => {
            jwk.kty = "OKP".into();
            jwk.crv = Some("Ed25519".into());
            jwk.alg = jwk_alg(&key.algorithm, None, 0);
            jwk.x = Some(b64(&k.to_bytes()));
        }
        Material::X25519Private(k) => {
            jwk.kty = "OKP".into();
            jwk.crv = Some("X25519".into());
            jwk.x = Some(b64(x25519_dalek::PublicKey::from(&**k).as_bytes()));
            jwk.d = Some(b64(&k.to_bytes()));
        }
        Material::X25519Public(k) => {
            jwk.kty = "OKP".into();
            jwk.crv = Some("X25519".into());
            jwk.x = Some(b64(k.as_bytes()));
        }
    }
    serde_json::to_string(&jwk).map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::crypto::keys::KeyTable;

    #[test]
    fn the_host_refuses_material_of_non_extractable_keys_whatever_script_does() {
        let key = Key::new("AES-GCM", None, false, Material::Secret(vec![7; 16]));
        for format in ["raw", "pkcs8", "spki"] {
            assert_eq!(export_bytes(&key, format).unwrap_err().name, "InvalidAccessError");
        }
        assert_eq!(export_jwk(&key).unwrap_err().name, "InvalidAccessError");
        let extractable = Key::new("AES-GCM", None, true, Material::Secret(vec![7; 16]));
        assert_eq!(export_bytes(&extractable, "raw").unwrap(), vec![7; 16]);
        assert_eq!(
            export_jwk(&extractable).unwrap(),
            r#"{"kty":"oct","alg":"A128GCM","k":"BwcHBwcHBwcHBwcHBwcHBw"}"#
        );
    }

    #[test]
    fn a_key_serves_only_its_own_algorithm() {
        let mut keys = KeyTable::default();
        let handle = keys.insert(Key::new("HMAC", None, true, Material::Secret(vec![1; 32])));
        assert!(keys.for_algorithm(handle, "HMAC").is_ok());
        assert_eq!(keys.for_algorithm(handle, "AES-GCM").unwrap_err().name, "InvalidAccessError");
        assert_eq!(keys.get(handle + 1).unwrap_err().name, "InvalidAccessError");
        // Debug output never shows the material.
        assert!(!format!("{:?}", keys).contains("[1, 1"));
    }
}
