//! serde adapters for Convex values inside wire types: a field holding an
//! [`atrium_value::Value`] (or a number that may arrive as a float or an `$integer`) is
//! written and read as Convex JSON, so a struct of them can be built from, or turned into,
//! the [`Value`] a function's arguments and answers are.
//!
//! It must not know any particular function's arguments; those live in [`crate::dashboard`].

use atrium_value::Value;
use atrium_value::json::{from_json, to_json};
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value as Json;

/// Reads a function's arguments (a Convex object) into `T`; the error names the argument
/// that was wrong and how (`paginationOpts.numItems: invalid type: string "x", expected a
/// number`).
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, String> {
    let json = to_json(value);
    serde_path_to_error::deserialize(json).map_err(|e| {
        let path = e.path().to_string();
        if path == "." { e.inner().to_string() } else { format!("`{path}`: {}", e.inner()) }
    })
}

/// Writes `T` as the Convex value it stands for.
pub fn to_value<T: Serialize>(value: &T) -> Result<Value, String> {
    let json = serde_json::to_value(value).map_err(|e| e.to_string())?;
    from_json(&json).map_err(|e| e.to_string())
}

/// `#[serde(with = "value")]`: a [`Value`] field as Convex JSON.
pub mod value {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Value, s: S) -> Result<S::Ok, S::Error> {
        to_json(value).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        from_json(&Json::deserialize(d)?).map_err(D::Error::custom)
    }
}

/// `#[serde(default, with = "option_value", skip_serializing_if = "Option::is_none")]`: an
/// optional [`Value`]; present-but-null reads as `Some(Value::Null)`, absent as `None`.
pub mod option_value {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Option<Value>, s: S) -> Result<S::Ok, S::Error> {
        value.as_ref().map(to_json).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
        super::value::deserialize(d).map(Some)
    }
}

/// `#[serde(with = "nullable_value")]`: a [`Value`] or `null` written as `None` (a document
/// that may be missing).
pub mod nullable_value {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Option<Value>, s: S) -> Result<S::Ok, S::Error> {
        value.as_ref().map_or(Json::Null, to_json).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
        let value = super::value::deserialize(d)?;
        Ok((value != Value::Null).then_some(value))
    }
}

/// `#[serde(with = "values")]`: a list of [`Value`]s.
pub mod values {
    use super::*;

    pub fn serialize<S: Serializer>(values: &[Value], s: S) -> Result<S::Ok, S::Error> {
        values.iter().map(to_json).collect::<Vec<_>>().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Value>, D::Error> {
        Vec::<Json>::deserialize(d)?
            .iter()
            .map(|json| from_json(json).map_err(D::Error::custom))
            .collect()
    }
}

/// A Convex number: a float, or an `$integer` read as one.
fn number_of(value: &Value) -> Option<f64> {
    match value {
        Value::Float64(n) => Some(*n),
        Value::Int64(n) => Some(*n as f64),
        _ => None,
    }
}

/// `#[serde(with = "number")]`: a number written as a Convex float, read from a float or an
/// `$integer`.
pub mod number {
    use super::*;

    pub fn serialize<S: Serializer>(n: &f64, s: S) -> Result<S::Ok, S::Error> {
        to_json(&Value::Float64(*n)).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        let value = super::value::deserialize(d)?;
        number_of(&value).ok_or_else(|| {
            D::Error::custom(format!("expected a number, found {}", value.value_type().name()))
        })
    }
}

/// `#[serde(default, with = "option_number", skip_serializing_if = "Option::is_none")]`: an
/// optional number (`null` reads as absent).
pub mod option_number {
    use super::*;

    pub fn serialize<S: Serializer>(n: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        n.map(Value::Float64).as_ref().map(to_json).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        match super::value::deserialize(d)? {
            Value::Null => Ok(None),
            value => number_of(&value).map(Some).ok_or_else(|| {
                D::Error::custom(format!("expected a number, found {}", value.value_type().name()))
            }),
        }
    }
}
