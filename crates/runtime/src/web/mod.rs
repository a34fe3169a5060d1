//! The web platform globals a function sees: `web_globals.js` (TextEncoder, URL, crypto,
//! timers, …; randomness seeded in queries and mutations, from the OS in actions),
//! [`crypto`] (`crypto.subtle`, `CryptoKey`) and
//! `fetch.js` (Headers, Request, Response everywhere; `fetch` itself in actions only, its
//! host half in [`fetch`]), `blob.js` (Blob, File) and `form_data.js` (FormData, its
//! multipart parser in [`form_data`]).
//!
//! It must not touch the database or the `Convex` host interface (the sandbox installs
//! that).

mod crypto;
mod fetch;
mod form_data;

use rquickjs::{Ctx, Function, Object};

use crate::RuntimeError;
use crate::call::FunctionKind;

const WEB_GLOBALS: &str = include_str!("web_globals.js");
const FETCH: &str = include_str!("fetch.js");
const BLOB: &str = include_str!("blob.js");
const FORM_DATA: &str = include_str!("form_data.js");

/// Installs the web globals for a `kind` function.
pub(crate) fn install(ctx: &Ctx<'_>, kind: FunctionKind) -> Result<(), RuntimeError> {
    // Web globals; randomness is seeded in queries and mutations, from the OS in actions.
    let web: Function = ctx.eval(WEB_GLOBALS)?;
    let web_options = Object::new(ctx.clone())?;
    if kind == FunctionKind::Action {
        web_options.set(
            "randomBytes",
            Function::new(ctx.clone(), |n: usize| -> Vec<u8> {
                let mut bytes = vec![0u8; n.min(65536)];
                getrandom::fill(&mut bytes).expect("the OS random source is available");
                bytes
            })?,
        )?;
    } else {
        let seeded: Function =
            ctx.eval("(n) => Array.from({ length: n }, () => Math.floor(Math.random() * 256))")?;
        web_options.set("randomBytes", seeded)?;
    }
    web.call::<_, ()>((web_options,))?;

    // crypto.subtle (Web Crypto): its own randomness only in actions.
    crypto::install(ctx, kind == FunctionKind::Action)?;
    // Blob and File; FormData (its multipart parser is the host's).
    ctx.eval::<Function, _>(BLOB)?.call::<_, ()>(())?;
    let form_data_options = Object::new(ctx.clone())?;
    form_data_options.set("parse", Function::new(ctx.clone(), form_data::parse)?)?;
    ctx.eval::<Function, _>(FORM_DATA)?.call::<_, ()>((form_data_options,))?;

    // Headers/Request/Response everywhere; fetch itself in actions only.
    let fetch: Function = ctx.eval(FETCH)?;
    let fetch_options = Object::new(ctx.clone())?;
    if kind == FunctionKind::Action {
        fetch_options.set("send", Function::new(ctx.clone(), fetch::send)?)?;
    }
    fetch.call::<_, ()>((fetch_options,))?;
    Ok(())
}
