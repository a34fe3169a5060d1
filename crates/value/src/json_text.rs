//! Convex JSON written straight to text: the same bytes as
//! `json::to_json(value).to_string()`, without building the `serde_json::Value` tree first
//! (one allocation per string, number and object saved on every document a function reads).
//!
//! Objects are written in key order (the order of [`Object`], which is also the order
//! `to_json` yields); numbers and strings go through `serde_json`'s own formatting and
//! escaping, so the text cannot drift from the tree encoder. It must not decode.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::{Object, Value};

/// `value` as Convex JSON text.
pub fn to_json_text(value: &Value) -> String {
    let mut out = Vec::with_capacity(128);
    write_json(value, &mut out);
    into_string(out)
}

/// An object with `extra` fields merged in (replacing fields of the same name), as Convex
/// JSON text: a stored document's user fields plus its system fields, without cloning the
/// fields into a new object. `extra` must be sorted by name.
pub fn object_with_to_json_text(fields: &Object, extra: &[(&str, Value)]) -> String {
    debug_assert!(extra.windows(2).all(|w| w[0].0 < w[1].0), "extra fields must be sorted");
    let mut out = Vec::with_capacity(128);
    out.push(b'{');
    let mut first = true;
    let mut extra = extra.iter().peekable();
    let mut entry = |out: &mut Vec<u8>, key: &str, value: &Value| {
        if !first {
            out.push(b',');
        }
        first = false;
        write_str(key, out);
        out.push(b':');
        write_json(value, out);
    };
    for (key, value) in fields {
        while let Some((name, system)) = extra.next_if(|(name, _)| *name < key.as_str()) {
            entry(&mut out, name, system);
        }
        // A field of the same name as an extra one is replaced, as `Object::insert` would.
        if let Some((name, system)) = extra.next_if(|(name, _)| *name == key.as_str()) {
            entry(&mut out, name, system);
            continue;
        }
        entry(&mut out, key, value);
    }
    for (name, system) in extra {
        entry(&mut out, name, system);
    }
    out.push(b'}');
    into_string(out)
}

/// Appends `value` as Convex JSON text to `out`.
pub fn write_json(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Int64(i) => special("$integer", &i.to_le_bytes(), out),
        Value::Float64(f) => {
            if f.is_finite() && !(*f == 0.0 && f.is_sign_negative()) {
                serde_json::to_writer(&mut *out, f).expect("writing to a Vec cannot fail");
            } else {
                special("$float", &f.to_le_bytes(), out);
            }
        }
        Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::String(s) => write_str(s, out),
        Value::Bytes(b) => special("$bytes", b, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json(item, out);
            }
            out.push(b']');
        }
        Value::Object(fields) => {
            out.push(b'{');
            for (i, (key, item)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(key, out);
                out.push(b':');
                write_json(item, out);
            }
            out.push(b'}');
        }
    }
}

fn special(key: &str, bytes: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"");
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":\"");
    out.extend_from_slice(BASE64.encode(bytes).as_bytes());
    out.extend_from_slice(b"\"}");
}

fn write_str(s: &str, out: &mut Vec<u8>) {
    serde_json::to_writer(&mut *out, s).expect("writing to a Vec cannot fail");
}

fn into_string(out: Vec<u8>) -> String {
    String::from_utf8(out).expect("JSON text written from strings is UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::to_json;

    fn sample() -> Value {
        let mut inner = Object::new();
        inner.insert("z".into(), Value::Int64(-7));
        inner.insert("a\"q\u{1}é".into(), Value::Bytes(vec![0, 1, 255]));
        let mut object = Object::new();
        for (i, f) in
            [0.0, -0.0, 1.5, 5.0, 1e300, 1e-7, f64::NAN, f64::INFINITY, -3.0].iter().enumerate()
        {
            object.insert(format!("f{i}"), Value::Float64(*f));
        }
        object.insert("Upper".into(), Value::Boolean(true));
        object.insert(
            "list".into(),
            Value::Array(vec![Value::Null, Value::Boolean(false), Value::Object(inner)]),
        );
        object.insert("text".into(), Value::from("line\nbreak \u{1F600} \\"));
        object.insert("empty".into(), Value::Object(Object::new()));
        Value::Object(object)
    }

    #[test]
    fn text_is_the_tree_encoders_text() {
        let value = sample();
        assert_eq!(to_json_text(&value), to_json(&value).to_string());
    }

    #[test]
    fn merged_object_is_the_inserted_objects_text() {
        let Value::Object(fields) = sample() else { unreachable!() };
        let extra = [
            ("_creationTime", Value::Float64(1.5e12)),
            ("_id", Value::from("abc")),
            ("list", Value::Null),
        ];
        let mut merged = fields.clone();
        for (name, value) in &extra {
            merged.insert((*name).to_owned(), value.clone());
        }
        assert_eq!(
            object_with_to_json_text(&fields, &extra),
            to_json(&Value::Object(merged)).to_string()
        );
        assert_eq!(
            object_with_to_json_text(&Object::new(), &extra[..2]),
            to_json(&Value::Object(
                extra[..2].iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
            ))
            .to_string()
        );
    }
}
