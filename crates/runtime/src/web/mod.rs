//! The web platform globals a function sees: `web_globals.js` (TextEncoder, URL, crypto,
//! performance, console's timers, …; randomness seeded in queries and mutations, from the
//! OS in actions) over host halves in [`text`] (TextDecoder on `encoding_rs`, atob/btoa)
//! and [`url`] (URL and URLSearchParams on the `url` crate),
//! [`crypto`] (`crypto.subtle`, `CryptoKey`) and
//! `events.js` (DOMException, Event, EventTarget, AbortController/AbortSignal),
//! `streams.js` (ReadableStream and its readers) and `streams_write.js` (WritableStream,
//! TransformStream, the queuing strategies, TextEncoderStream/TextDecoderStream),
//! `fetch.js` (Headers, Request, Response everywhere; `fetch` itself in actions only, its
//! host half — concurrent requests on a small tokio runtime, drained by the event loop — in
//! [`fetch`]), `blob.js` (Blob, File) and `form_data.js` (FormData, its multipart parser
//! in [`form_data`]).
//!
//! It must not touch the database or the `Convex` host interface (the sandbox installs
//! that).

mod bytes;
mod crypto;
mod fetch;
mod form_data;
mod text;
mod url;

use std::rc::Rc;

use rquickjs::{Ctx, Exception, Function, Object};

use crate::RuntimeError;
use crate::call::FunctionKind;

const WEB_GLOBALS: &str = include_str!("web_globals.js");
const EVENTS: &str = include_str!("events.js");
const STREAMS: &str = include_str!("streams.js");
const STREAMS_WRITE: &str = include_str!("streams_write.js");
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
    if kind == FunctionKind::Action {
        let started = std::time::Instant::now();
        web_options.set(
            "clock",
            Function::new(ctx.clone(), move || started.elapsed().as_secs_f64() * 1000.0)?,
        )?;
    } else {
        web_options.set("clock", Function::new(ctx.clone(), || 0.0)?)?;
    }
    let host = Object::new(ctx.clone())?;
    text::install(ctx, &host)?;
    url::install(ctx, &host)?;
    web_options.set("host", host)?;
    web.call::<_, ()>((web_options,))?;

    // Events and cancellation; streams.
    ctx.eval::<Function, _>(EVENTS)?.call::<_, ()>(())?;
    let shared: Object = ctx.eval::<Function, _>(STREAMS)?.call(())?;
    ctx.eval::<Function, _>(STREAMS_WRITE)?.call::<_, ()>((shared,))?;

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
        fetch_options.set("io", io_functions(ctx)?)?;
    }
    fetch.call::<_, ()>((fetch_options,))?;
    Ok(())
}

/// The host functions `fetch.js` starts and aborts requests with, and the event loop's
/// `__atrium_io_wait` (see `sandbox::settle`), sharing one execution's [`fetch::Io`].
fn io_functions<'js>(ctx: &Ctx<'js>) -> Result<Object<'js>, RuntimeError> {
    let io = fetch::Io::new();
    let functions = Object::new(ctx.clone())?;
    let start_io = Rc::clone(&io);
    functions.set(
        "start",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>,
                  url: String,
                  method: String,
                  headers: Vec<Vec<String>>,
                  body: Option<rquickjs::ArrayBuffer<'js>>,
                  redirect: String|
                  -> rquickjs::Result<u32> {
                let request = fetch::Outgoing {
                    url,
                    method,
                    headers,
                    body: body.as_ref().map(bytes::buffer_bytes),
                    redirect,
                };
                start_io.start(request).map_err(|message| Exception::throw_type(&ctx, &message))
            },
        )?,
    )?;
    let abort_io = Rc::clone(&io);
    functions.set("abort", Function::new(ctx.clone(), move |id: u32| abort_io.abort(id))?)?;
    ctx.globals().set(
        "__atrium_io_wait",
        Function::new(ctx.clone(), move |ctx: Ctx<'js>, delay: f64| io.wait(&ctx, delay))?,
    )?;
    Ok(functions)
}

pub(crate) use bytes::buffer_bytes;
