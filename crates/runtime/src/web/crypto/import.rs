//! `crypto.subtle.importKey`: `raw`, `pkcs8`, `spki` and `jwk` key data turned into
//! [`Key`]s, with the spec's `DataError` for data that does not parse or does not fit the
//! algorithm. DER parsing is the RustCrypto crates' (`pkcs8`, `spki`, `sec1`).
//!
//! Usage checks (which usages an algorithm allows) are `crypto.js`'s; this module never
//! hands material back to script.

use ed25519_dalek::{SigningKey, VerifyingKey};
use rsa::BigUint;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::{RsaPrivateKey, RsaPublicKey};

use super::algorithm::{CryptoError, CryptoResult, Hash, Params};
use super::keys::{Jwk, Key, Material, jwk_alg, unb64};

fn bad(what: &str) -> impl Fn(String) -> CryptoError + '_ {
    move |e| CryptoError::data(format!("Invalid {what}: {e}"))
}

/// Imports `raw`, `pkcs8` or `spki` bytes.
pub(crate) fn import_bytes(
    params: &Params,
    format: &str,
    data: &[u8],
    extractable: bool,
) -> CryptoResult<Key> {
    let name = params.name.as_str();
    let unsupported =
        || CryptoError::not_supported(format!("Unsupported key format `{format}` for {name} keys"));
    let material = match (name, format) {
        ("HMAC", "raw") => {
            hmac_length_fits(params, data.len())?;
            Material::Secret(data.to_vec())
        }
        ("AES-GCM" | "AES-CBC" | "AES-CTR" | "AES-KW", "raw") => {
            aes_length_fits(data.len())?;
            Material::Secret(data.to_vec())
        }
        ("PBKDF2" | "HKDF", "raw") => Material::Secret(data.to_vec()),
        ("RSASSA-PKCS1-v1_5" | "RSA-PSS" | "RSA-OAEP", "pkcs8") => Material::RsaPrivate(Box::new(
            RsaPrivateKey::from_pkcs8_der(data)
                .map_err(|e| bad("PKCS #8 RSA key")(e.to_string()))?,
        )),
        ("RSASSA-PKCS1-v1_5" | "RSA-PSS" | "RSA-OAEP", "spki") => Material::RsaPublic(Box::new(
            RsaPublicKey::from_public_key_der(data)
                .map_err(|e| bad("SPKI RSA key")(e.to_string()))?,
        )),
        ("ECDSA" | "ECDH", "raw" | "pkcs8" | "spki") => ec(curve(params)?, format, data)?,
        ("Ed25519", "raw") => {
            let bytes: [u8; 32] = data
                .try_into()
                .map_err(|_| CryptoError::data("An Ed25519 public key is 32 bytes"))?;
            Material::Ed25519Public(
                VerifyingKey::from_bytes(&bytes).map_err(|e| bad("Ed25519 key")(e.to_string()))?,
            )
        }
        ("Ed25519", "pkcs8") => Material::Ed25519Private(Box::new(
            SigningKey::from_pkcs8_der(data)
                .map_err(|e| bad("PKCS #8 Ed25519 key")(e.to_string()))?,
        )),
        ("Ed25519", "spki") => Material::Ed25519Public(
            VerifyingKey::from_public_key_der(data)
                .map_err(|e| bad("SPKI Ed25519 key")(e.to_string()))?,
        ),
        ("X25519", "raw" | "pkcs8" | "spki") => super::x25519::import(format, data)?,
        _ => return Err(unsupported()),
    };
    Ok(Key::new(name, key_hash(params)?, extractable, material))
}

/// Imports a JSON Web Key (given as JSON text).
pub(crate) fn import_jwk(params: &Params, jwk: &str, extractable: bool) -> CryptoResult<Key> {
    let jwk: Jwk = serde_json::from_str(jwk).map_err(|e| bad("JWK")(e.to_string()))?;
    let name = params.name.as_str();
    let hash = key_hash(params)?;
    let expect_kty = |kty: &str| {
        if jwk.kty == kty {
            Ok(())
        } else {
            Err(CryptoError::data(format!("A {name} JWK has kty `{kty}`, not `{}`", jwk.kty)))
        }
    };
    let expect_alg = |length: usize| match (&jwk.alg, jwk_alg(name, hash, length)) {
        (Some(got), Some(want)) if *got != want => {
            Err(CryptoError::data(format!("The JWK's alg `{got}` does not match {want}")))
        }
        _ => Ok(()),
    };
    let material = match name {
        "HMAC" | "AES-GCM" | "AES-CBC" | "AES-CTR" | "AES-KW" | "PBKDF2" | "HKDF" => {
            expect_kty("oct")?;
            let k = unb64(&jwk.k, "k")?;
            if name == "HMAC" {
                hmac_length_fits(params, k.len())?;
            } else if name.starts_with("AES-") {
                aes_length_fits(k.len())?;
            }
            expect_alg(k.len() * 8)?;
            Material::Secret(k)
        }
        "RSASSA-PKCS1-v1_5" | "RSA-PSS" | "RSA-OAEP" => {
            expect_kty("RSA")?;
            expect_alg(0)?;
            rsa_jwk(&jwk)?
        }
        "ECDSA" | "ECDH" => {
            expect_kty("EC")?;
            let want = curve(params)?;
            if jwk.crv.as_deref() != Some(want) {
                return Err(CryptoError::data(format!(
                    "The JWK's crv {:?} is not the namedCurve {want}",
                    jwk.crv
                )));
            }
            let mut point = vec![4u8];
            point.extend(unb64(&jwk.x, "x")?);
            point.extend(unb64(&jwk.y, "y")?);
            let public = ec(want, "raw", &point)?;
            match &jwk.d {
                None => public,
                Some(_) => {
                    let private = ec(want, "d", &unb64(&jwk.d, "d")?)?;
                    let matches = match (&private, &public) {
                        (Material::P256Private(s), Material::P256Public(p)) => s.public_key() == *p,
                        (Material::P384Private(s), Material::P384Public(p)) => s.public_key() == *p,
                        _ => false,
                    };
                    if !matches {
                        return Err(CryptoError::data(
                            "The JWK's `x`/`y` are not the public half of `d`",
                        ));
                    }
                    private
                }
            }
        }
        "Ed25519" => {
            expect_kty("OKP")?;
            if jwk.crv.as_deref() != Some("Ed25519") {
                return Err(CryptoError::data("An Ed25519 JWK has crv `Ed25519`"));
            }
            match &jwk.d {
                Some(_) => {
                    let d: [u8; 32] = unb64(&jwk.d, "d")?
                        .try_into()
                        .map_err(|_| CryptoError::data("An Ed25519 `d` is 32 bytes"))?;
                    let key = SigningKey::from_bytes(&d);
                    if jwk.x.is_some() && unb64(&jwk.x, "x")? != key.verifying_key().to_bytes() {
                        return Err(CryptoError::data(
                            "The JWK's `x` is not the public half of `d`",
                        ));
                    }
                    Material::Ed25519Private(Box::new(key))
                }
                None => {
                    let x: [u8; 32] = unb64(&jwk.x, "x")?
                        .try_into()
                        .map_err(|_| CryptoError::data("An Ed25519 `x` is 32 bytes"))?;
                    Material::Ed25519Public(
                        VerifyingKey::from_bytes(&x)
                            .map_err(|e| bad("Ed25519 key")(e.to_string()))?,
                    )
                }
            }
        }
        "X25519" => {
            expect_kty("OKP")?;
            if jwk.crv.as_deref() != Some("X25519") {
                return Err(CryptoError::data("An X25519 JWK has crv `X25519`"));
            }
            let x = jwk.x.is_some().then(|| unb64(&jwk.x, "x")).transpose()?;
            match &jwk.d {
                Some(_) => super::x25519::private_from_jwk(&unb64(&jwk.d, "d")?, x.as_deref())?,
                None => super::x25519::import("raw", &unb64(&jwk.x, "x")?)?,
            }
        }
        other => {
            return Err(CryptoError::not_supported(format!("Unsupported JWK import for {other}")));
        }
    };
    Ok(Key::new(name, hash, extractable, material))
}

/// The hash HMAC and RSA keys are bound to (required for them, absent for the others).
fn key_hash(params: &Params) -> CryptoResult<Option<Hash>> {
    match params.name.as_str() {
        "HMAC" | "RSASSA-PKCS1-v1_5" | "RSA-PSS" | "RSA-OAEP" => params.hash().map(Some),
        _ => Ok(None),
    }
}

fn curve(params: &Params) -> CryptoResult<&'static str> {
    match params.named_curve.as_deref() {
        Some("P-256") => Ok("P-256"),
        Some("P-384") => Ok("P-384"),
        Some(other) => Err(CryptoError::not_supported(format!("Unsupported namedCurve {other}"))),
        None => {
            Err(CryptoError::syntax(format!("{}: the algorithm needs a namedCurve", params.name)))
        }
    }
}

fn hmac_length_fits(params: &Params, bytes: usize) -> CryptoResult<()> {
    if bytes == 0 {
        return Err(CryptoError::data("An HMAC key cannot be empty"));
    }
    match params.length {
        Some(bits) if bits as usize > bytes * 8 || (bits as usize) <= (bytes - 1) * 8 => {
            Err(CryptoError::data(format!(
                "The key is {} bits, not the given length {bits}",
                bytes * 8
            )))
        }
        _ => Ok(()),
    }
}

fn aes_length_fits(bytes: usize) -> CryptoResult<()> {
    match bytes {
        16 | 24 | 32 => Ok(()),
        n => Err(CryptoError::data(format!("An AES key is 128, 192 or 256 bits, not {}", n * 8))),
    }
}

/// An EC key on `curve` from `raw` (SEC1 point), `pkcs8`, `spki`, or `d` (a JWK scalar).
fn ec(curve: &str, format: &str, data: &[u8]) -> CryptoResult<Material> {
    macro_rules! on_curve {
        ($c:ident, $private:ident, $public:ident) => {
            match format {
                "raw" => Material::$public(
                    $c::PublicKey::from_sec1_bytes(data)
                        .map_err(|e| bad("EC point")(e.to_string()))?,
                ),
                "pkcs8" => {
                    Material::$private($c::SecretKey::from_pkcs8_der(data).map_err(|e| {
                        bad(concat!("PKCS #8 key on ", stringify!($c)))(e.to_string())
                    })?)
                }
                "spki" => Material::$public(
                    $c::PublicKey::from_public_key_der(data)
                        .map_err(|e| bad(concat!("SPKI key on ", stringify!($c)))(e.to_string()))?,
                ),
                _ => Material::$private(
                    $c::SecretKey::from_slice(data).map_err(|e| bad("EC scalar")(e.to_string()))?,
                ),
            }
        };
    }
    Ok(match curve {
        "P-256" => on_curve!(p256, P256Private, P256Public),
        _ => on_curve!(p384, P384Private, P384Public),
    })
}

fn rsa_jwk(jwk: &Jwk) -> CryptoResult<Material> {
    let int = |member: &Option<String>, name: &str| -> CryptoResult<BigUint> {
        Ok(BigUint::from_bytes_be(&unb64(member, name)?))
    };
    let (n, e) = (int(&jwk.n, "n")?, int(&jwk.e, "e")?);
    if jwk.d.is_none() {
        let key = RsaPublicKey::new(n, e).map_err(|e| bad("RSA JWK")(e.to_string()))?;
        return Ok(Material::RsaPublic(Box::new(key)));
    }
    let primes = match (&jwk.p, &jwk.q) {
        (Some(_), Some(_)) => vec![int(&jwk.p, "p")?, int(&jwk.q, "q")?],
        _ => vec![],
    };
    let mut key = RsaPrivateKey::from_components(n, e, int(&jwk.d, "d")?, primes)
        .map_err(|e| bad("RSA JWK")(e.to_string()))?;
    key.validate().map_err(|e| bad("RSA JWK")(e.to_string()))?;
    key.precompute().map_err(|e| bad("RSA JWK")(e.to_string()))?;
    Ok(Material::RsaPrivate(Box::new(key)))
}
