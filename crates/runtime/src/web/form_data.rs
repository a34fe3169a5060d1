//! `Request.formData()`'s host half: a multipart/form-data body split into its parts with
//! multer (the JavaScript half, `form_data.js`, builds the FormData).
//!
//! multer parses a stream asynchronously; the body is already in memory, so its one-item
//! stream never waits and `futures_executor::block_on` finishes it at once. It must not
//! touch the database.

use rquickjs::{ArrayBuffer, Ctx, Object, Value};

/// One part: its field name, file name and type (for file fields) and bytes.
struct Part {
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
    data: Vec<u8>,
}

fn split(content_type: &str, body: Vec<u8>) -> Result<Vec<Part>, String> {
    let boundary = multer::parse_boundary(content_type).map_err(|e| e.to_string())?;
    let stream = futures_util::stream::once(async move {
        Ok::<_, std::convert::Infallible>(bytes::Bytes::from(body))
    });
    let mut multipart = multer::Multipart::new(stream, boundary);
    futures_executor::block_on(async {
        let mut parts = Vec::new();
        while let Some(field) = multipart.next_field().await.map_err(|e| e.to_string())? {
            let name = field.name().unwrap_or_default().to_owned();
            let filename = field.file_name().map(str::to_owned);
            let content_type = field.content_type().map(ToString::to_string);
            let data = field.bytes().await.map_err(|e| e.to_string())?.to_vec();
            parts.push(Part { name, filename, content_type, data });
        }
        Ok(parts)
    })
}

/// The parts of `body` as `[{name, filename, contentType, data}]`, or the parser's
/// complaint as a string (the JavaScript half throws it as a TypeError).
pub(super) fn parse<'js>(
    ctx: Ctx<'js>,
    content_type: String,
    body: ArrayBuffer<'js>,
) -> rquickjs::Result<Value<'js>> {
    // SAFETY: the bytes are copied at once; no JavaScript runs while the slice lives.
    #[allow(unsafe_code, reason = "copying an ArrayBuffer's bytes before any JS runs")]
    let bytes = unsafe { body.as_bytes() }.map(<[u8]>::to_vec).unwrap_or_default();
    match split(&content_type, bytes) {
        Ok(parts) => {
            let array = rquickjs::Array::new(ctx.clone())?;
            for (i, part) in parts.into_iter().enumerate() {
                let object = Object::new(ctx.clone())?;
                object.set("name", part.name)?;
                object.set("filename", part.filename)?;
                object.set("contentType", part.content_type)?;
                object.set("data", ArrayBuffer::new(ctx.clone(), part.data)?)?;
                array.set(i, object)?;
            }
            Ok(array.into_value())
        }
        Err(message) => Ok(rquickjs::String::from_str(ctx, &message)?.into_value()),
    }
}
