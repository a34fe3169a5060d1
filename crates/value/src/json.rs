//! The Convex JSON wire encoding, both ways.
//!
//! Int64 is `{"$integer": base64(8 bytes, little-endian)}`; Float64 is a JSON number when
//! finite and not `-0`, otherwise `{"$float": base64(8 bytes, little-endian IEEE-754)}`;
//! bytes are `{"$bytes": base64}`. JSON numbers always decode to Float64. An object with
//! exactly one key `$integer`, `$float` or `$bytes` is that type; any other key starting
//! with `$` is invalid, and the legacy `$set`/`$map` are refused.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value as Json;

use crate::limits::{MAX_ARRAY_LENGTH, MAX_OBJECT_FIELDS, MAX_VALUE_NESTING};
use crate::names::check_field_name;
use crate::{Object, Path, Value};

/// Why a JSON value is not a Convex value, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at {path})")]
pub struct JsonError {
    pub path: Path,
    pub message: String,
}

fn error(path: &Path, message: impl Into<String>) -> JsonError {
    JsonError { path: path.clone(), message: message.into() }
}

/// Encodes a value as Convex JSON.
pub fn to_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Int64(i) => special("$integer", &i.to_le_bytes()),
        Value::Float64(f) => {
            let plain = f.is_finite() && !(*f == 0.0 && f.is_sign_negative());
            match serde_json::Number::from_f64(*f) {
                Some(number) if plain => Json::Number(number),
                _ => special("$float", &f.to_le_bytes()),
            }
        }
        Value::Boolean(b) => Json::Bool(*b),
        Value::String(s) => Json::String(s.clone()),
        Value::Bytes(b) => special("$bytes", b),
        Value::Array(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Object(fields) => {
            Json::Object(fields.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

fn special(key: &str, bytes: &[u8]) -> Json {
    let mut map = serde_json::Map::new();
    map.insert(key.to_owned(), Json::String(BASE64.encode(bytes)));
    Json::Object(map)
}

/// Decodes Convex JSON into a value.
///
/// Convex's shape limits are checked on the way, before anything is allocated for the part
/// that breaks them, with Convex's messages: arrays of at most [`MAX_ARRAY_LENGTH`]
/// elements, objects of at most [`MAX_OBJECT_FIELDS`] fields, at most
/// [`MAX_VALUE_NESTING`] levels of arrays and objects.
pub fn from_json(json: &Json) -> Result<Value, JsonError> {
    decode(json, &Path::root(), 1)
}

/// Decodes Convex JSON text into a value.
///
/// Text is read straight into a [`Value`] (no `serde_json` tree in between: this runs for
/// every stored document read and every function result). Anything that reader does not
/// accept as plainly valid is decoded again through the tree, so errors, and every value,
/// are exactly [`from_json`]'s.
pub fn from_json_str(text: &str) -> Result<Value, JsonError> {
    use serde::de::DeserializeSeed as _;
    let mut reader = serde_json::Deserializer::from_str(text);
    if let Ok(value) = (Direct { depth: 1 }).deserialize(&mut reader)
        && reader.end().is_ok()
    {
        return Ok(value);
    }
    let json: Json = serde_json::from_str(text)
        .map_err(|e| error(&Path::root(), format!("not valid JSON: {e}")))?;
    from_json(&json)
}

/// The direct reader of [`from_json_str`]: it fails (and the tree decoder takes over) on
/// anything [`decode`] would refuse, so it never accepts what the tree decoder refuses.
/// `depth` counts as in [`check_shape`].
struct Direct {
    depth: usize,
}

fn refuse<E: serde::de::Error>() -> E {
    E::custom("not plain Convex JSON")
}

impl<'de> serde::de::DeserializeSeed<'de> for Direct {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Direct {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Convex JSON")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Boolean(b))
    }
    // As `serde_json::Number::as_f64`.
    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Float64(n as f64))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Float64(n as f64))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Value::Float64(n))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        if self.depth > MAX_VALUE_NESTING {
            return Err(refuse());
        }
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Direct { depth: self.depth + 1 })? {
            if items.len() == MAX_ARRAY_LENGTH {
                return Err(refuse());
            }
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Object::new();
        let mut key: Option<String> = map.next_key()?;
        if let Some(first) = key.as_ref().filter(|k| k.starts_with('$')) {
            // A `{"$integer": …}`-like scalar: the tree decoder reads it, from its entries.
            let mut entries = serde_json::Map::new();
            entries.insert(first.clone(), map.next_value()?);
            while let Some((k, v)) = map.next_entry::<String, Json>()? {
                entries.insert(k, v);
            }
            return from_json(&Json::Object(entries)).map_err(|_| refuse());
        }
        if self.depth > MAX_VALUE_NESTING {
            return Err(refuse());
        }
        while let Some(name) = key {
            if name.starts_with('$') || check_field_name(&name).is_err() {
                return Err(refuse());
            }
            object.insert(name, map.next_value_seed(Direct { depth: self.depth + 1 })?);
            if object.len() > MAX_OBJECT_FIELDS {
                return Err(refuse());
            }
            key = map.next_key()?;
        }
        Ok(Value::Object(object))
    }
}

/// Convex's refusals of a value's shape, word for word.
fn check_shape(json: &Json, path: &Path, depth: usize) -> Result<(), JsonError> {
    let nested = match json {
        Json::Array(items) => {
            if items.len() > MAX_ARRAY_LENGTH {
                return Err(error(
                    path,
                    format!(
                        "Array length is too long ({} > maximum length {MAX_ARRAY_LENGTH})",
                        items.len()
                    ),
                ));
            }
            true
        }
        Json::Object(map) => {
            if map.len() > MAX_OBJECT_FIELDS {
                return Err(error(
                    path,
                    format!(
                        "Object has too many fields ({} > maximum number {MAX_OBJECT_FIELDS})",
                        map.len()
                    ),
                ));
            }
            // `{"$integer": …}` and its kind are scalars, not objects.
            !(map.len() == 1 && map.keys().all(|k| k.starts_with('$')))
        }
        _ => false,
    };
    if nested && depth > MAX_VALUE_NESTING {
        return Err(error(
            path,
            format!(
                "Value is too nested (nested {depth} levels deep > maximum nesting {MAX_VALUE_NESTING})"
            ),
        ));
    }
    Ok(())
}

fn decode(json: &Json, path: &Path, depth: usize) -> Result<Value, JsonError> {
    check_shape(json, path, depth)?;
    Ok(match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Boolean(*b),
        Json::Number(n) => Value::Float64(
            n.as_f64().ok_or_else(|| error(path, format!("the number {n} is not a float64")))?,
        ),
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| decode(item, &path.index(i), depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Json::Object(map) => {
            if map.len() == 1 {
                let (key, inner) = map.iter().next().expect("one entry");
                if let Some(value) = decode_special(key, inner, path)? {
                    return Ok(value);
                }
            }
            let mut object = Object::new();
            for (key, inner) in map {
                if key.starts_with('$') {
                    return Err(error(
                        path,
                        format!("field name `{key}` starts with `$`, which is reserved"),
                    ));
                }
                check_field_name(key).map_err(|reason| error(path, reason))?;
                object.insert(key.clone(), decode(inner, &path.field(key), depth + 1)?);
            }
            Value::Object(object)
        }
    })
}

/// The value of a one-key `$…` object, `None` when the key is not special.
fn decode_special(key: &str, inner: &Json, path: &Path) -> Result<Option<Value>, JsonError> {
    let base64 = |what: &str| -> Result<Vec<u8>, JsonError> {
        let text = inner
            .as_str()
            .ok_or_else(|| error(path, format!("`{key}` must hold a base64 string for {what}")))?;
        BASE64.decode(text).map_err(|e| error(path, format!("`{key}` is not valid base64: {e}")))
    };
    let eight = |bytes: Vec<u8>| -> Result<[u8; 8], JsonError> {
        bytes.try_into().map_err(|b: Vec<u8>| {
            error(path, format!("`{key}` must hold 8 bytes, not {}", b.len()))
        })
    };
    Ok(Some(match key {
        "$integer" => Value::Int64(i64::from_le_bytes(eight(base64("an int64")?)?)),
        "$float" => {
            let f = f64::from_le_bytes(eight(base64("a float64")?)?);
            if f.is_finite() && !(f == 0.0 && f.is_sign_negative()) {
                return Err(error(
                    path,
                    format!("`$float` holds {f}, which should be encoded as a plain number"),
                ));
            }
            Value::Float64(f)
        }
        "$bytes" => Value::Bytes(base64("bytes")?),
        "$set" | "$map" => {
            return Err(error(path, format!("`{key}` values are no longer supported")));
        }
        "$undefined" => return Err(error(path, "`undefined` is not a Convex value")),
        _ => return Ok(None),
    }))
}

/// `Display` for a value is its Convex JSON text; it lives beside the encoding it prints, so
/// `value.rs` stays below `json.rs`.
impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", to_json(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested_arrays(levels: usize, inner: Json) -> Json {
        (0..levels).fold(inner, |inner, _| Json::Array(vec![inner]))
    }

    #[test]
    fn text_at_and_past_the_limits_decodes_as_the_tree() {
        let mut fields = serde_json::Map::new();
        for i in 0..1025 {
            fields.insert(format!("f{i}"), Json::Null);
        }
        let integer = serde_json::json!({ "$integer": "AQAAAAAAAAA=" });
        for json in [
            nested_arrays(64, Json::Null),
            nested_arrays(65, Json::Null),
            nested_arrays(64, integer.clone()),
            nested_arrays(64, serde_json::json!({})),
            nested_arrays(63, serde_json::json!({ "a": {} })),
            Json::Array(vec![Json::Null; 8192]),
            Json::Array(vec![Json::Null; 8193]),
            Json::Object(fields.clone().into_iter().take(1024).collect()),
            Json::Object(fields),
        ] {
            assert_eq!(from_json_str(&json.to_string()), from_json(&json));
        }
    }

    #[test]
    fn convex_shape_limits_are_refused_with_convex_messages() {
        assert!(from_json(&nested_arrays(64, Json::Null)).is_ok());
        let integer = serde_json::json!({"$integer": "AQAAAAAAAAA="});
        assert!(from_json(&nested_arrays(64, integer)).is_ok(), "an int64 is not a level");
        let error = from_json(&nested_arrays(65, Json::Null)).unwrap_err();
        assert_eq!(
            error.message,
            "Value is too nested (nested 65 levels deep > maximum nesting 64)"
        );
        assert_eq!(error.path.to_string(), nested_path(64));

        assert!(from_json(&Json::Array(vec![Json::Null; 8192])).is_ok());
        let error = from_json(&Json::Array(vec![Json::Null; 8193])).unwrap_err();
        assert_eq!(error.message, "Array length is too long (8193 > maximum length 8192)");

        let fields =
            |n: usize| Json::Object((0..n).map(|i| (format!("f{i}"), Json::Null)).collect());
        assert!(from_json(&fields(1024)).is_ok());
        let error = from_json(&serde_json::json!({ "a": fields(1025) })).unwrap_err();
        assert_eq!(error.message, "Object has too many fields (1025 > maximum number 1024)");
        assert_eq!(error.path.to_string(), Path::root().field("a").to_string());
    }

    fn nested_path(levels: usize) -> String {
        (0..levels).fold(Path::root(), |path, _| path.index(0)).to_string()
    }
    use serde_json::json;

    #[test]
    fn encodes_like_the_convex_library() {
        assert_eq!(to_json(&Value::Int64(1)), json!({"$integer": "AQAAAAAAAAA="}));
        assert_eq!(to_json(&Value::Float64(f64::NAN)), json!({"$float": "AAAAAAAA+H8="}));
        assert_eq!(to_json(&Value::Float64(f64::INFINITY)), json!({"$float": "AAAAAAAA8H8="}));
        assert_eq!(to_json(&Value::Float64(-0.0)), json!({"$float": "AAAAAAAAAIA="}));
        assert_eq!(to_json(&Value::Float64(1.5)), json!(1.5));
        assert_eq!(to_json(&Value::Bytes(vec![1, 2, 3])), json!({"$bytes": "AQID"}));
    }

    #[test]
    fn numbers_decode_to_float64() {
        assert_eq!(from_json(&json!(3)).unwrap(), Value::Float64(3.0));
        assert_eq!(from_json(&json!({"$integer": "AQAAAAAAAAA="})).unwrap(), Value::Int64(1));
    }

    #[test]
    fn rejects_bad_specials_with_their_path() {
        let err = from_json(&json!({"a": [1, {"$float": "AAAAAAAA8D8="}]})).unwrap_err();
        assert_eq!(err.path.to_string(), ".a[1]");
        assert!(err.message.contains("plain number"), "{err}");
        let err = from_json(&json!({"$integer": "AQ=="})).unwrap_err();
        assert!(err.message.contains("8 bytes"), "{err}");
        let err = from_json(&json!({"x": {"$set": []}})).unwrap_err();
        assert!(err.message.contains("$set"), "{err}");
        let err = from_json(&json!({"$foo": 1, "b": 2})).unwrap_err();
        assert!(err.message.contains("$foo"), "{err}");
        assert!(from_json(&json!({"$undefined": null})).is_err());
    }

    #[test]
    fn a_special_key_beside_others_is_refused() {
        let err = from_json(&json!({"$integer": "AQAAAAAAAAA=", "b": 1})).unwrap_err();
        assert!(err.message.contains("$integer"), "{err}");
    }
}
