//! The host half of `TextDecoder` (every WHATWG encoding, with `encoding_rs`: fatal mode,
//! BOM handling, streaming decoders kept between calls) and of `atob`/`btoa` (forgiving
//! base64, as the HTML standard defines it). The JavaScript classes are in
//! `web_globals.js`.
//!
//! It holds no state beyond one execution's streaming decoders.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use encoding_rs::{CoderResult, DecoderResult, Encoding};
use rquickjs::{Ctx, Exception, Function, Object};

/// One execution's decoders in the middle of a stream, by id.
#[derive(Default)]
struct Decoders {
    open: RefCell<HashMap<u32, encoding_rs::Decoder>>,
    next: Cell<u32>,
}

/// The encoding a label names (its WHATWG name, lowercased as `TextDecoder.encoding`
/// reports it), or `None` for an unknown label and for `replacement`.
fn encoding_of(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.as_bytes()).filter(|e| *e != encoding_rs::REPLACEMENT)
}

/// Installs `textLabel`, `textOpen`, `textDecode`, `atob` and `btoa` on `host`.
pub(super) fn install<'js>(ctx: &Ctx<'js>, host: &Object<'js>) -> rquickjs::Result<()> {
    host.set(
        "textLabel",
        Function::new(ctx.clone(), |label: String| {
            encoding_of(&label).map(|e| e.name().to_ascii_lowercase())
        })?,
    )?;
    let decoders = Rc::new(Decoders::default());
    let open = Rc::clone(&decoders);
    host.set(
        "textOpen",
        Function::new(ctx.clone(), move |label: String, ignore_bom: bool| -> Option<u32> {
            let encoding = encoding_of(&label)?;
            let decoder = if ignore_bom {
                encoding.new_decoder_without_bom_handling()
            } else {
                encoding.new_decoder_with_bom_removal()
            };
            let id = open.next.get();
            open.next.set(id.wrapping_add(1));
            open.open.borrow_mut().insert(id, decoder);
            Some(id)
        })?,
    )?;
    host.set(
        "textDecode",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>,
                  id: u32,
                  bytes: rquickjs::ArrayBuffer<'js>,
                  fatal: bool,
                  last: bool|
                  -> rquickjs::Result<String> {
                let input = super::bytes::buffer_bytes(&bytes);
                let mut open = decoders.open.borrow_mut();
                let Some(decoder) = open.get_mut(&id) else {
                    return Err(Exception::throw_type(&ctx, "The decoder is closed"));
                };
                let decoded = decode(decoder, &input, fatal, last);
                if last || decoded.is_none() {
                    open.remove(&id);
                }
                decoded.ok_or_else(|| {
                    Exception::throw_type(&ctx, "The encoded data was not valid for this encoding")
                })
            },
        )?,
    )?;
    host.set(
        "atob",
        Function::new(ctx.clone(), |input: String| -> Option<String> {
            forgiving_base64(&input).map(|bytes| bytes.into_iter().map(char::from).collect())
        })?,
    )?;
    host.set(
        "btoa",
        Function::new(ctx.clone(), |bytes: rquickjs::ArrayBuffer<'js>| {
            base64::engine::general_purpose::STANDARD.encode(super::bytes::buffer_bytes(&bytes))
        })?,
    )?;
    Ok(())
}

/// Decodes `input` with `decoder`; `None` when `fatal` and the input is malformed.
fn decode(
    decoder: &mut encoding_rs::Decoder,
    input: &[u8],
    fatal: bool,
    last: bool,
) -> Option<String> {
    let capacity = decoder.max_utf8_buffer_length(input.len()).unwrap_or(input.len() * 3 + 16);
    let mut out = String::with_capacity(capacity);
    if fatal {
        let (result, _) = decoder.decode_to_string_without_replacement(input, &mut out, last);
        match result {
            DecoderResult::InputEmpty => Some(out),
            DecoderResult::Malformed(..) | DecoderResult::OutputFull => None,
        }
    } else {
        let (result, _, _) = decoder.decode_to_string(input, &mut out, last);
        (result == CoderResult::InputEmpty).then_some(out)
    }
}

/// The bytes of forgiving-base64 `input` (HTML's `atob`): ASCII whitespace ignored,
/// padding optional; `None` when it is not base64.
fn forgiving_base64(input: &str) -> Option<Vec<u8>> {
    let mut text: Vec<u8> =
        input.bytes().filter(|b| !matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')).collect();
    if input.chars().any(|c| c as u32 > 0x7f) {
        return None;
    }
    if text.len().is_multiple_of(4) && text.ends_with(b"==") {
        text.truncate(text.len() - 2);
    } else if text.len().is_multiple_of(4) && text.ends_with(b"=") {
        text.truncate(text.len() - 1);
    }
    if text.len() % 4 == 1
        || !text.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
    {
        return None;
    }
    const FORGIVING: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::RequireNone)
            .with_decode_allow_trailing_bits(true),
    );
    FORGIVING.decode(&text).ok()
}
