//! How a result value is written: Convex JSON (`convex_encoded_json`, lossless) or clean JSON
//! (`json`: int64 as a decimal string, NaN/±Infinity as strings, bytes as plain base64).

use atrium_value::Value;
use atrium_value::json::to_json;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value as Json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueFormat {
    ConvexEncodedJson,
    CleanJson,
}

impl ValueFormat {
    /// Parses a `format` field; `None` when absent. Unknown names are an error naming them.
    pub fn parse(name: Option<&str>) -> Result<Option<ValueFormat>, String> {
        match name {
            None => Ok(None),
            Some("convex_encoded_json" | "convex_json") => Ok(Some(ValueFormat::ConvexEncodedJson)),
            Some("json" | "convex_clean_json") => Ok(Some(ValueFormat::CleanJson)),
            Some(other) => {
                Err(format!("Unknown format `{other}`: use \"json\" or \"convex_encoded_json\""))
            }
        }
    }

    pub fn encode(self, value: &Value) -> Json {
        match self {
            ValueFormat::ConvexEncodedJson => to_json(value),
            ValueFormat::CleanJson => clean(value),
        }
    }
}

fn clean(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Int64(i) => Json::String(i.to_string()),
        Value::Float64(f) if f.is_nan() => Json::String("NaN".into()),
        Value::Float64(f) if f.is_infinite() => {
            Json::String(if *f > 0.0 { "Infinity" } else { "-Infinity" }.into())
        }
        Value::Float64(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::Boolean(b) => Json::Bool(*b),
        Value::String(s) => Json::String(s.clone()),
        Value::Bytes(b) => Json::String(BASE64.encode(b)),
        Value::Array(items) => Json::Array(items.iter().map(clean).collect()),
        Value::Object(fields) => {
            Json::Object(fields.iter().map(|(k, v)| (k.clone(), clean(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn clean_json_is_readable() {
        let value = Value::Array(vec![
            Value::Int64(5),
            Value::Float64(f64::NAN),
            Value::Float64(f64::NEG_INFINITY),
            Value::Bytes(vec![1, 2]),
            Value::Float64(1.5),
        ]);
        assert_eq!(
            ValueFormat::CleanJson.encode(&value),
            json!(["5", "NaN", "-Infinity", "AQI=", 1.5])
        );
        assert_eq!(
            ValueFormat::ConvexEncodedJson.encode(&Value::Int64(5)),
            json!({"$integer": "BQAAAAAAAAA="})
        );
    }

    #[test]
    fn formats_parse_with_aliases() {
        assert_eq!(
            ValueFormat::parse(Some("convex_json")),
            Ok(Some(ValueFormat::ConvexEncodedJson))
        );
        assert_eq!(ValueFormat::parse(None), Ok(None));
        assert!(ValueFormat::parse(Some("xml")).unwrap_err().contains("xml"));
    }
}
