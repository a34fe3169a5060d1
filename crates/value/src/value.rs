//! [`Value`]: a Convex value, and Convex's total order across all values.

use std::cmp::Ordering;
use std::collections::BTreeMap;

/// An object's fields, kept sorted by name (as Convex's encoder writes them).
pub type Object = BTreeMap<String, Value>;

/// A Convex value.
///
/// Equality and order are Convex's total order: first by type (`null < int64 < float64 <
/// boolean < string < bytes < array < object`), then within the type. Int64 and Float64
/// never interleave (`5n < 1.0`); floats follow IEEE total order, so `-0 < 0` and NaN
/// equals itself and sorts above +∞.
#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Int64(i64),
    Float64(f64),
    Boolean(bool),
    String(String),
    Bytes(Vec<u8>),
    Array(Vec<Value>),
    Object(Object),
}

/// The type of a value, in Convex's type order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ValueType {
    Null,
    Int64,
    Float64,
    Boolean,
    String,
    Bytes,
    Array,
    Object,
}

impl ValueType {
    /// The name Convex uses in messages and validators (`v.int64()` is "bigint" in JS).
    pub fn name(self) -> &'static str {
        match self {
            ValueType::Null => "null",
            ValueType::Int64 => "bigint",
            ValueType::Float64 => "number",
            ValueType::Boolean => "boolean",
            ValueType::String => "string",
            ValueType::Bytes => "bytes",
            ValueType::Array => "array",
            ValueType::Object => "object",
        }
    }
}

impl Value {
    pub fn value_type(&self) -> ValueType {
        match self {
            Value::Null => ValueType::Null,
            Value::Int64(_) => ValueType::Int64,
            Value::Float64(_) => ValueType::Float64,
            Value::Boolean(_) => ValueType::Boolean,
            Value::String(_) => ValueType::String,
            Value::Bytes(_) => ValueType::Bytes,
            Value::Array(_) => ValueType::Array,
            Value::Object(_) => ValueType::Object,
        }
    }

    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Value::Object(object) => Some(object),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value at a dotted field path (`profile.city`), if every step is an object field.
    pub fn get_path<'a>(&self, path: impl IntoIterator<Item = &'a str>) -> Option<&Value> {
        let mut current = self;
        for field in path {
            current = current.as_object()?.get(field)?;
        }
        Some(current)
    }

    /// The size Convex counts against its limits, in bytes: roughly the value's encoded
    /// size (type tag plus payload, strings and keys with a terminator).
    pub fn size(&self) -> usize {
        match self {
            Value::Null | Value::Boolean(_) => 1,
            Value::Int64(_) | Value::Float64(_) => 9,
            Value::String(s) => s.len() + 2,
            Value::Bytes(b) => b.len() + 2,
            Value::Array(items) => 2 + items.iter().map(Value::size).sum::<usize>(),
            Value::Object(fields) => {
                2 + fields.iter().map(|(k, v)| k.len() + 1 + v.size()).sum::<usize>()
            }
        }
    }

    /// How deeply arrays and objects nest: 0 for a scalar, 1 for `[1]` or `{a: 1}`.
    pub fn nesting(&self) -> usize {
        match self {
            Value::Array(items) => 1 + items.iter().map(Value::nesting).max().unwrap_or(0),
            Value::Object(fields) => 1 + fields.values().map(Value::nesting).max().unwrap_or(0),
            _ => 0,
        }
    }
}

impl Ord for Value {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Value::Null, Value::Null) => Ordering::Equal,
            (Value::Int64(a), Value::Int64(b)) => a.cmp(b),
            (Value::Float64(a), Value::Float64(b)) => a.total_cmp(b),
            (Value::Boolean(a), Value::Boolean(b)) => a.cmp(b),
            (Value::String(a), Value::String(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Value::Bytes(a), Value::Bytes(b)) => a.cmp(b),
            (Value::Array(a), Value::Array(b)) => a.cmp(b),
            // Field by field in name order; a field name compares as a string.
            (Value::Object(a), Value::Object(b)) => a
                .iter()
                .map(|(k, v)| (k.as_bytes(), v))
                .cmp(b.iter().map(|(k, v)| (k.as_bytes(), v))),
            _ => self.value_type().cmp(&other.value_type()),
        }
    }
}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Value {}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int64(v)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float64(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Boolean(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::String(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::String(v)
    }
}

impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(v)
    }
}

impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Value::Array(v)
    }
}

impl From<Object> for Value {
    fn from(v: Object) -> Self {
        Value::Object(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(fields: &[(&str, Value)]) -> Value {
        Value::Object(fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }

    #[test]
    fn types_order_before_values() {
        let ascending = [
            Value::Null,
            Value::Int64(i64::MIN),
            Value::Int64(i64::MAX),
            Value::Float64(f64::NEG_INFINITY),
            Value::Float64(-0.0),
            Value::Float64(0.0),
            Value::Float64(f64::INFINITY),
            Value::Float64(f64::NAN),
            Value::Boolean(false),
            Value::Boolean(true),
            Value::from(""),
            Value::from("a"),
            Value::from("ab"),
            Value::from("b"),
            Value::Bytes(vec![]),
            Value::Bytes(vec![0]),
            Value::Array(vec![]),
            Value::Array(vec![Value::Null]),
            Value::Array(vec![Value::Int64(1)]),
            obj(&[]),
            obj(&[("a", Value::Null)]),
            obj(&[("a", Value::Int64(1))]),
            obj(&[("b", Value::Null)]),
        ];
        for pair in ascending.windows(2) {
            assert!(pair[0] < pair[1], "{} should sort before {}", pair[0], pair[1]);
        }
    }

    #[test]
    fn int64_and_float64_never_interleave() {
        assert!(Value::Int64(5) < Value::Float64(1.0));
        assert_ne!(Value::Int64(3), Value::Float64(3.0));
    }

    #[test]
    fn nan_equals_itself_and_zeros_differ() {
        assert_eq!(Value::Float64(f64::NAN), Value::Float64(f64::NAN));
        assert_ne!(Value::Float64(0.0), Value::Float64(-0.0));
    }

    #[test]
    fn size_and_nesting() {
        let v = obj(&[("a", Value::Array(vec![Value::Int64(1), obj(&[])]))]);
        assert_eq!(v.nesting(), 3);
        assert_eq!(Value::Null.nesting(), 0);
        assert_eq!(v.size(), 2 + (1 + 1) + (2 + 9 + 2));
    }

    #[test]
    fn get_path_walks_objects() {
        let v = obj(&[("profile", obj(&[("city", Value::from("Tokyo"))]))]);
        assert_eq!(v.get_path(["profile", "city"]), Some(&Value::from("Tokyo")));
        assert_eq!(v.get_path(["profile", "zip"]), None);
        assert_eq!(v.get_path([]), Some(&v));
    }
}
