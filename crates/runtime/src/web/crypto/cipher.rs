//! `crypto.subtle.encrypt` and `decrypt`: AES-GCM (96- or 128-bit IVs, 96- to 128-bit tags),
//! AES-CBC (PKCS #7 padding), AES-CTR (32-, 64- or 128-bit counters; other widths while the
//! counter does not wrap), AES-KW (RFC 3394, for wrapKey/unwrapKey) and RSA-OAEP, each
//! the RustCrypto crate's.
//!
//! It checks neither usages nor that the algorithm matches the key (`crypto.js` does).

use aes::{Aes128, Aes192, Aes256};
use aes_gcm::AesGcm;
use aes_gcm::aead::consts::{U12, U13, U14, U15, U16};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit, StreamCipher};
use rsa::Oaep;

use super::algorithm::{CryptoError, CryptoResult, Params, with_hash};
use super::keys::{Key, Material};
use super::random::Rng;

/// Runs `$body` with `$aes` bound to the AES variant for a key of `$len` bytes.
macro_rules! with_aes {
    ($len:expr, $aes:ident => $body:expr) => {
        match $len {
            16 => {
                type $aes = Aes128;
                $body
            }
            24 => {
                type $aes = Aes192;
                $body
            }
            _ => {
                type $aes = Aes256;
                $body
            }
        }
    };
}

fn failed(what: &str) -> impl Fn(String) -> CryptoError + '_ {
    move |e| CryptoError::operation(format!("{what} failed: {e}"))
}

/// Encrypts (`encrypt`) or decrypts `data` with `key`.
pub(crate) fn run(
    params: &Params,
    key: &Key,
    data: &[u8],
    encrypt: bool,
    rng: &mut Rng,
) -> CryptoResult<Vec<u8>> {
    let op = if encrypt { "Encryption" } else { "Decryption" };
    match (params.name.as_str(), &key.material) {
        ("AES-GCM", Material::Secret(secret)) => gcm(params, secret, data, encrypt),
        ("AES-CBC", Material::Secret(secret)) => {
            let iv = params.bytes(&params.iv, "iv")?;
            if iv.len() != 16 {
                return Err(CryptoError::operation("AES-CBC: the iv must be 16 bytes"));
            }
            with_aes!(secret.len(), A => {
                if encrypt {
                    let cipher = cbc::Encryptor::<A>::new_from_slices(secret, iv)
                        .map_err(|e| failed(op)(e.to_string()))?;
                    Ok(cipher.encrypt_padded_vec_mut::<Pkcs7>(data))
                } else {
                    let cipher = cbc::Decryptor::<A>::new_from_slices(secret, iv)
                        .map_err(|e| failed(op)(e.to_string()))?;
                    cipher
                        .decrypt_padded_vec_mut::<Pkcs7>(data)
                        .map_err(|_| CryptoError::operation("AES-CBC: the data is not correctly padded"))
                }
            })
        }
        ("AES-CTR", Material::Secret(secret)) => ctr(params, secret, data),
        // Only `wrapKey`/`unwrapKey` reach AES-KW (crypto.js refuses it for encrypt/decrypt).
        ("AES-KW", Material::Secret(secret)) => with_aes!(secret.len(), A => {
            let kek = aes_kw::Kek::<A>::try_from(secret.as_slice())
                .map_err(|e| failed(op)(e.to_string()))?;
            if encrypt {
                kek.wrap_vec(data).map_err(|e| failed("AES-KW wrapping")(e.to_string()))
            } else {
                kek.unwrap_vec(data).map_err(|e| failed("AES-KW unwrapping")(e.to_string()))
            }
        }),
        ("RSA-OAEP", Material::RsaPublic(public)) if encrypt => {
            let hash = key.hash.ok_or_else(|| CryptoError::operation("The key has no hash"))?;
            let label = oaep_label(params)?;
            let padding = with_hash!(hash, D => match label {
                Some(label) => Oaep::new_with_label::<D, _>(label),
                None => Oaep::new::<D>(),
            });
            let mut rng = rng.get()?;
            public.encrypt(&mut rng, padding, data).map_err(|e| failed(op)(e.to_string()))
        }
        ("RSA-OAEP", Material::RsaPrivate(private)) if !encrypt => {
            let hash = key.hash.ok_or_else(|| CryptoError::operation("The key has no hash"))?;
            let label = oaep_label(params)?;
            let padding = with_hash!(hash, D => match label {
                Some(label) => Oaep::new_with_label::<D, _>(label),
                None => Oaep::new::<D>(),
            });
            private.decrypt(padding, data).map_err(|e| failed(op)(e.to_string()))
        }
        _ => Err(CryptoError::invalid_access(format!(
            "A {} {} key cannot {}",
            key.kind(),
            key.algorithm,
            if encrypt { "encrypt" } else { "decrypt" }
        ))),
    }
}

/// The OAEP label: the rsa crate takes it as text, so a label that is not UTF-8 is refused.
fn oaep_label(params: &Params) -> CryptoResult<Option<String>> {
    match params.label.as_deref() {
        None | Some([]) => Ok(None),
        Some(bytes) => String::from_utf8(bytes.to_vec()).map(Some).map_err(|_| {
            CryptoError::not_supported("RSA-OAEP labels that are not UTF-8 text are not supported")
        }),
    }
}

fn gcm(params: &Params, secret: &[u8], data: &[u8], encrypt: bool) -> CryptoResult<Vec<u8>> {
    let iv = params.bytes(&params.iv, "iv")?;
    let tag_bits = params.tag_length.unwrap_or(128);
    let aad = params.additional_data.as_deref().unwrap_or_default();
    let payload = Payload { msg: data, aad };
    /// One AES-GCM with nonce size `$n` and tag size `$t` (bytes, as typenum).
    macro_rules! seal {
        ($a:ty, $n:ty, $t:ty) => {{
            let cipher = AesGcm::<$a, $n, $t>::new_from_slice(secret)
                .map_err(|e| CryptoError::operation(e.to_string()))?;
            let nonce = aes_gcm::Nonce::<$n>::from_slice(iv);
            if encrypt { cipher.encrypt(nonce, payload) } else { cipher.decrypt(nonce, payload) }
        }};
    }
    /// Dispatches on the tag length for nonce size `$n`.
    macro_rules! tags {
        ($a:ty, $n:ty) => {
            match tag_bits {
                128 => seal!($a, $n, U16),
                120 => seal!($a, $n, U15),
                112 => seal!($a, $n, U14),
                104 => seal!($a, $n, U13),
                96 => seal!($a, $n, U12),
                other => {
                    return Err(CryptoError::operation(format!(
                        "AES-GCM: {other}-bit tags are not supported (96, 104, 112, 120 or 128)"
                    )));
                }
            }
        };
    }
    let result = with_aes!(secret.len(), A => match iv.len() {
        12 => tags!(A, U12),
        16 => tags!(A, U16),
        n => {
            return Err(CryptoError::not_supported(format!(
                "AES-GCM: {}-bit IVs are not supported (96 or 128)",
                n * 8
            )));
        }
    });
    result.map_err(|_| {
        CryptoError::operation(if encrypt {
            "AES-GCM: encryption failed"
        } else {
            "AES-GCM: the data could not be authenticated"
        })
    })
}

fn ctr(params: &Params, secret: &[u8], data: &[u8]) -> CryptoResult<Vec<u8>> {
    let counter = params.bytes(&params.counter, "counter")?;
    if counter.len() != 16 {
        return Err(CryptoError::operation("AES-CTR: the counter must be 16 bytes"));
    }
    let bits = params.length.unwrap_or(0);
    if bits == 0 || bits > 128 {
        return Err(CryptoError::operation("AES-CTR: the counter length must be 1 to 128 bits"));
    }
    if !matches!(bits, 32 | 64 | 128) {
        // A 128-bit counter gives the same stream as long as the low `bits` do not wrap.
        let low =
            u128::from_be_bytes(counter.try_into().expect("16 bytes")) & ((1u128 << bits) - 1);
        let blocks = (data.len() as u128).div_ceil(16);
        if low + blocks > (1u128 << bits) {
            return Err(CryptoError::operation("AES-CTR: the counter would wrap"));
        }
    }
    let mut out = data.to_vec();
    with_aes!(secret.len(), A => {
        let bad = |e: cbc::cipher::InvalidLength| CryptoError::operation(e.to_string());
        match bits {
            32 => ctr::Ctr32BE::<A>::new_from_slices(secret, counter).map_err(bad)?.apply_keystream(&mut out),
            64 => ctr::Ctr64BE::<A>::new_from_slices(secret, counter).map_err(bad)?.apply_keystream(&mut out),
            _ => ctr::Ctr128BE::<A>::new_from_slices(secret, counter).map_err(bad)?.apply_keystream(&mut out),
        }
    });
    Ok(out)
}
