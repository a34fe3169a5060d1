//! Web Crypto: `crypto.subtle` and `CryptoKey` for every function kind. `crypto.js` is the
//! thin JavaScript class (argument checks, algorithm normalization, usages, promises,
//! `DOMException`s); the work is RustCrypto's, behind the host functions installed here.
//!
//! Key material lives in a [`KeyTable`] owned by these host functions (one per execution,
//! dropped with its context); script holds only opaque handles. It must not touch the
//! database, and it does not provide `crypto.getRandomValues` (`web_globals.js` does).

mod algorithm;
mod cipher;
mod derive;
mod export;
mod generate;
mod import;
mod keys;
mod random;
mod sign;
mod x25519;

use std::cell::RefCell;
use std::rc::Rc;

use rquickjs::{ArrayBuffer, Ctx, Exception, Function, IntoJs, Object, Value};

use self::algorithm::{CryptoError, Params};
use self::generate::Generated;
use self::keys::KeyTable;
use self::random::Rng;
use crate::RuntimeError;

const CRYPTO_JS: &str = include_str!("crypto.js");
const DOM_EXCEPTION_JS: &str = include_str!("dom_exception.js");
const LAZY_JS: &str = include_str!("lazy.js");

/// What the host functions share: the execution's keys and its randomness.
#[derive(Debug)]
struct State {
    keys: KeyTable,
    rng: Rng,
}

type Shared = Rc<RefCell<State>>;

/// A failed operation as a JavaScript exception `crypto.js` turns into a `DOMException`
/// (the name and message separated by U+0001, which no message of ours contains).
fn throw(ctx: &Ctx<'_>, error: CryptoError) -> rquickjs::Error {
    Exception::throw_message(ctx, &format!("\u{1}{}\u{1}{}", error.name, error.message))
}

/// A copy of an `ArrayBuffer`'s bytes (`crypto.js` passes every byte string as one).
fn bytes_of(buffer: &ArrayBuffer<'_>) -> Vec<u8> {
    // SAFETY: the bytes are copied at once; no JavaScript runs (so nothing can detach or
    // resize the buffer) while the slice lives.
    #[allow(unsafe_code, reason = "copying an ArrayBuffer's bytes before any JS runs")]
    let bytes = unsafe { buffer.as_bytes() }.map(<[u8]>::to_vec).unwrap_or_default();
    bytes
}

fn params(ctx: &Ctx<'_>, json: &str) -> rquickjs::Result<Params> {
    Params::from_json(json).map_err(|e| throw(ctx, e))
}

/// Installs `crypto.subtle`, `CryptoKey`, `SubtleCrypto` (loaded on first use, see
/// `lazy.js`) and `DOMException` if absent. Randomness for keys, salts and padding is the
/// OS's in actions and refused otherwise.
pub(crate) fn install<'js>(ctx: &Ctx<'js>, randomness_allowed: bool) -> Result<(), RuntimeError> {
    let dom_exception: Function = ctx.eval(DOM_EXCEPTION_JS)?;
    dom_exception.call::<_, ()>(())?;
    let load = Function::new(ctx.clone(), move |ctx: Ctx<'js>| -> rquickjs::Result<Object<'js>> {
        let state: Shared = Rc::new(RefCell::new(State {
            keys: KeyTable::default(),
            rng: Rng::new(randomness_allowed),
        }));
        let ops = Object::new(ctx.clone())?;
        install_ops(&ctx, &ops, &state)?;
        let crypto: Function = ctx.eval(CRYPTO_JS)?;
        crypto.call((ops,))
    })?;
    let lazy: Function = ctx.eval(LAZY_JS)?;
    lazy.call::<_, ()>((load,))?;
    Ok(())
}

fn install_ops<'js>(ctx: &Ctx<'js>, ops: &Object<'js>, state: &Shared) -> rquickjs::Result<()> {
    ops.set(
        "digest",
        Function::new(ctx.clone(), |ctx: Ctx<'js>, hash: String, data: ArrayBuffer<'js>| {
            let out = algorithm::digest(&hash, &bytes_of(&data)).map_err(|e| throw(&ctx, e))?;
            ArrayBuffer::new(ctx, out)
        })?,
    )?;

    let s = state.clone();
    ops.set(
        "importKey",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>,
                  format: String,
                  alg: String,
                  data: Option<ArrayBuffer<'js>>,
                  jwk: Option<String>,
                  extractable: bool| {
                let params = params(&ctx, &alg)?;
                let key = match (&data, &jwk) {
                    (_, Some(jwk)) => import::import_jwk(&params, jwk, extractable),
                    (Some(data), None) => {
                        import::import_bytes(&params, &format, &bytes_of(data), extractable)
                    }
                    (None, None) => Err(CryptoError::data("No key data")),
                }
                .map_err(|e| throw(&ctx, e))?;
                let mut state = s.borrow_mut();
                let handle = state.keys.insert(key);
                Ok::<_, rquickjs::Error>(
                    state.keys.get(handle).expect("just inserted").info(handle).to_string(),
                )
            },
        )?,
    )?;

    let s = state.clone();
    ops.set(
        "exportKey",
        Function::new(ctx.clone(), move |ctx: Ctx<'js>, format: String, handle: u32| {
            let state = s.borrow();
            let key = state.keys.get(handle).map_err(|e| throw(&ctx, e))?;
            if format == "jwk" {
                let jwk = export::export_jwk(key).map_err(|e| throw(&ctx, e))?;
                jwk.into_js(&ctx)
            } else {
                let bytes = export::export_bytes(key, &format).map_err(|e| throw(&ctx, e))?;
                Ok::<Value<'js>, rquickjs::Error>(ArrayBuffer::new(ctx, bytes)?.into_value())
            }
        })?,
    )?;

    let s = state.clone();
    ops.set(
        "generateKey",
        Function::new(ctx.clone(), move |ctx: Ctx<'js>, alg: String, extractable: bool| {
            let params = params(&ctx, &alg)?;
            let mut state = s.borrow_mut();
            let generated = generate::generate(&params, extractable, &mut state.rng)
                .map_err(|e| throw(&ctx, e))?;
            let mut add = |key| {
                let handle = state.keys.insert(key);
                state.keys.get(handle).expect("just inserted").info(handle)
            };
            let info = match generated {
                Generated::Secret(key) => add(*key),
                Generated::Pair { public, private } => {
                    serde_json::json!({ "publicKey": add(*public), "privateKey": add(*private) })
                }
            };
            Ok::<_, rquickjs::Error>(info.to_string())
        })?,
    )?;

    let s = state.clone();
    ops.set(
        "sign",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, alg: String, handle: u32, data: ArrayBuffer<'js>| {
                let params = params(&ctx, &alg)?;
                let state = &mut *s.borrow_mut();
                let key =
                    state.keys.for_algorithm(handle, &params.name).map_err(|e| throw(&ctx, e))?;
                let out = sign::sign(&params, key, &bytes_of(&data), &mut state.rng)
                    .map_err(|e| throw(&ctx, e))?;
                ArrayBuffer::new(ctx, out)
            },
        )?,
    )?;

    let s = state.clone();
    ops.set(
        "verify",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>,
                  alg: String,
                  handle: u32,
                  signature: ArrayBuffer<'js>,
                  data: ArrayBuffer<'js>| {
                let params = params(&ctx, &alg)?;
                let state = s.borrow();
                let key =
                    state.keys.for_algorithm(handle, &params.name).map_err(|e| throw(&ctx, e))?;
                sign::verify(&params, key, &bytes_of(&signature), &bytes_of(&data))
                    .map_err(|e| throw(&ctx, e))
            },
        )?,
    )?;

    for (name, encrypt) in [("encrypt", true), ("decrypt", false)] {
        let s = state.clone();
        ops.set(
            name,
            Function::new(
                ctx.clone(),
                move |ctx: Ctx<'js>, alg: String, handle: u32, data: ArrayBuffer<'js>| {
                    let params = params(&ctx, &alg)?;
                    let state = &mut *s.borrow_mut();
                    let key = state
                        .keys
                        .for_algorithm(handle, &params.name)
                        .map_err(|e| throw(&ctx, e))?;
                    let out = cipher::run(&params, key, &bytes_of(&data), encrypt, &mut state.rng)
                        .map_err(|e| throw(&ctx, e))?;
                    ArrayBuffer::new(ctx, out)
                },
            )?,
        )?;
    }

    let s = state.clone();
    ops.set(
        "deriveBits",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, alg: String, handle: u32, length: Option<u32>| {
                let params = params(&ctx, &alg)?;
                let state = s.borrow();
                let key =
                    state.keys.for_algorithm(handle, &params.name).map_err(|e| throw(&ctx, e))?;
                let out = derive::derive_bits(&params, key, &state.keys, length)
                    .map_err(|e| throw(&ctx, e))?;
                ArrayBuffer::new(ctx, out)
            },
        )?,
    )?;
    Ok(())
}
