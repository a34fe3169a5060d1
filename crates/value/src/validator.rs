//! Convex validators: parsed from the JSON the `convex` library exports (`exportArgs()`,
//! `exportReturns()`, `schema.export()`), shown as `v.…` source, and checked against values
//! with Convex's error messages.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value as Json;

use crate::json::{from_json, to_json};
use crate::{DocumentId, Path, Value};

/// A Convex validator.
#[derive(Debug, Clone, PartialEq)]
pub enum Validator {
    Null,
    /// `v.number()` / `v.float64()`.
    Float64,
    /// `v.int64()` (`bigint` in JSON).
    Int64,
    /// `v.commitTs()`: an int64 the transaction's commit timestamp fills in. At rest it is a
    /// plain `Int64`; before commit the placeholder reads as [`crate::pending::MAX_COMMIT_TS`],
    /// so it validates the same way.
    CommitTs,
    Boolean,
    String,
    Bytes,
    Any,
    Literal(Value),
    /// `v.id("table")`.
    Id(String),
    Array(Box<Validator>),
    Object(BTreeMap<String, FieldValidator>),
    Record {
        keys: Box<Validator>,
        values: Box<Validator>,
    },
    Union(Vec<Validator>),
}

/// An object field's validator and whether the field may be missing.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldValidator {
    pub validator: Validator,
    pub optional: bool,
}

/// Tells which table a document ID belongs to, in the current deployment.
pub trait IdTables {
    /// `Some((table name, is_system_table))`, or `None` when no table has the ID's number.
    fn table_of(&self, id: &DocumentId) -> Option<(String, bool)>;
}

/// A value that fails its validator: the detail sentence, where, the offending value, and
/// the validator it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub detail: String,
    pub path: Path,
    /// `Object: {…}` for object-level problems (missing or extra fields), else `Value: …`.
    pub value_line: String,
    pub validator: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.detail)?;
        if !self.path.is_root() {
            write!(f, "\nPath: {}", self.path)?;
        }
        write!(f, "\n{}\nValidator: {}", self.value_line, self.validator)
    }
}

impl std::error::Error for ValidationError {}

fn invalid(message: impl Into<String>) -> String {
    format!("Invalid validator: {}", message.into())
}

impl Validator {
    /// Parses validator JSON (`{"type": "object", "value": {…}}`).
    pub fn from_json(json: &Json) -> Result<Validator, String> {
        let kind = json
            .get("type")
            .and_then(Json::as_str)
            .ok_or_else(|| invalid(format!("{json} has no \"type\"")))?;
        let field = |name: &str| {
            json.get(name).ok_or_else(|| invalid(format!("a {kind} validator needs \"{name}\"")))
        };
        Ok(match kind {
            "null" => Validator::Null,
            "number" | "float64" => Validator::Float64,
            "bigint" | "int64" => Validator::Int64,
            "commitTs" => Validator::CommitTs,
            "boolean" => Validator::Boolean,
            "string" => Validator::String,
            "bytes" => Validator::Bytes,
            "any" => Validator::Any,
            "literal" => {
                Validator::Literal(from_json(field("value")?).map_err(|e| invalid(e.to_string()))?)
            }
            "id" => Validator::Id(
                field("tableName")?
                    .as_str()
                    .ok_or_else(|| invalid("\"tableName\" must be a string"))?
                    .to_owned(),
            ),
            "array" => Validator::Array(Box::new(Validator::from_json(field("value")?)?)),
            "object" => {
                let fields = field("value")?
                    .as_object()
                    .ok_or_else(|| invalid("object \"value\" must be an object"))?;
                let mut out = BTreeMap::new();
                for (name, spec) in fields {
                    out.insert(name.clone(), FieldValidator::from_json(name, spec)?);
                }
                Validator::Object(out)
            }
            "record" => {
                let values = field("values")?;
                let values = match values.get("fieldType") {
                    Some(inner) => inner,
                    None => values,
                };
                Validator::Record {
                    keys: Box::new(Validator::from_json(field("keys")?)?),
                    values: Box::new(Validator::from_json(values)?),
                }
            }
            "union" => Validator::Union(
                field("value")?
                    .as_array()
                    .ok_or_else(|| invalid("union \"value\" must be an array"))?
                    .iter()
                    .map(Validator::from_json)
                    .collect::<Result<_, _>>()?,
            ),
            other => return Err(invalid(format!("unknown validator type \"{other}\""))),
        })
    }

    /// Checks `value`, naming the first problem found.
    pub fn validate(&self, value: &Value, ids: &dyn IdTables) -> Result<(), ValidationError> {
        self.check(value, &Path::root(), ids)
    }

    fn mismatch(&self, value: &Value, path: &Path) -> ValidationError {
        ValidationError {
            detail: "Value does not match validator.".into(),
            path: path.clone(),
            value_line: format!("Value: {value}"),
            validator: self.to_string(),
        }
    }

    fn check(&self, value: &Value, path: &Path, ids: &dyn IdTables) -> Result<(), ValidationError> {
        let ok = match (self, value) {
            (Validator::Any, _)
            | (Validator::Null, Value::Null)
            | (Validator::Float64, Value::Float64(_))
            | (Validator::Int64 | Validator::CommitTs, Value::Int64(_))
            | (Validator::Boolean, Value::Boolean(_))
            | (Validator::String, Value::String(_))
            | (Validator::Bytes, Value::Bytes(_)) => true,
            (Validator::Literal(expected), actual) => {
                if expected != actual {
                    return Err(ValidationError {
                        detail: format!("`{actual}` does not match literal validator `{self}`."),
                        path: path.clone(),
                        value_line: format!("Value: {actual}"),
                        validator: self.to_string(),
                    });
                }
                true
            }
            (Validator::Id(table), Value::String(text)) => {
                let Ok(id) = DocumentId::decode(text) else {
                    return Err(self.mismatch(value, path));
                };
                match ids.table_of(&id) {
                    None => return Err(self.mismatch(value, path)),
                    Some((actual, system)) if actual != *table => {
                        let detail = if system {
                            format!(
                                "Found ID \"{text}\" from a system table, which does not match the table name in validator `{self}`."
                            )
                        } else {
                            format!(
                                "Found ID \"{text}\" from table `{actual}`, which does not match the table name in validator `{self}`."
                            )
                        };
                        return Err(ValidationError {
                            detail,
                            path: path.clone(),
                            value_line: format!("Value: {value}"),
                            validator: self.to_string(),
                        });
                    }
                    Some(_) => true,
                }
            }
            (Validator::Array(inner), Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    inner.check(item, &path.index(i), ids)?;
                }
                true
            }
            (Validator::Object(fields), Value::Object(object)) => {
                let object_error = |detail: String| ValidationError {
                    detail,
                    path: path.clone(),
                    value_line: format!("Object: {value}"),
                    validator: self.to_string(),
                };
                for (name, spec) in fields {
                    if !spec.optional && !object.contains_key(name) {
                        return Err(object_error(format!(
                            "Object is missing the required field `{name}`. Consider wrapping the field validator in `v.optional(...)` if this is expected."
                        )));
                    }
                }
                for (name, field_value) in object {
                    match fields.get(name) {
                        None => {
                            return Err(object_error(format!(
                                "Object contains extra field `{name}` that is not in the validator."
                            )));
                        }
                        Some(spec) => spec.validator.check(field_value, &path.field(name), ids)?,
                    }
                }
                true
            }
            (Validator::Record { keys, values }, Value::Object(object)) => {
                for (key, field_value) in object {
                    keys.check(&Value::String(key.clone()), &path.field(key), ids)?;
                    values.check(field_value, &path.field(key), ids)?;
                }
                true
            }
            (Validator::Union(members), _) => {
                members.iter().any(|m| m.check(value, path, ids).is_ok())
            }
            _ => false,
        };
        if ok { Ok(()) } else { Err(self.mismatch(value, path)) }
    }
}

impl FieldValidator {
    fn from_json(name: &str, spec: &Json) -> Result<FieldValidator, String> {
        let field_type = spec
            .get("fieldType")
            .ok_or_else(|| invalid(format!("A validator is undefined for field \"{name}\"")))?;
        Ok(FieldValidator {
            validator: Validator::from_json(field_type)?,
            optional: spec.get("optional").and_then(Json::as_bool).unwrap_or(false),
        })
    }
}

impl fmt::Display for Validator {
    /// The validator as `convex/values` source: `v.object({ body: v.string() })`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Validator::Null => f.write_str("v.null()"),
            Validator::Float64 => f.write_str("v.float64()"),
            Validator::Int64 => f.write_str("v.int64()"),
            Validator::CommitTs => f.write_str("v.commitTs()"),
            Validator::Boolean => f.write_str("v.boolean()"),
            Validator::String => f.write_str("v.string()"),
            Validator::Bytes => f.write_str("v.bytes()"),
            Validator::Any => f.write_str("v.any()"),
            Validator::Literal(value) => write!(f, "v.literal({})", to_json(value)),
            Validator::Id(table) => write!(f, "v.id(\"{table}\")"),
            Validator::Array(inner) => write!(f, "v.array({inner})"),
            Validator::Object(fields) => {
                f.write_str("v.object({")?;
                for (i, (name, spec)) in fields.iter().enumerate() {
                    let sep = if i == 0 { " " } else { ", " };
                    if spec.optional {
                        write!(f, "{sep}{name}: v.optional({})", spec.validator)?;
                    } else {
                        write!(f, "{sep}{name}: {}", spec.validator)?;
                    }
                }
                f.write_str(if fields.is_empty() { "})" } else { " })" })
            }
            Validator::Record { keys, values } => write!(f, "v.record({keys}, {values})"),
            Validator::Union(members) => {
                f.write_str("v.union(")?;
                for (i, m) in members.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{m}")?;
                }
                f.write_str(")")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TableNumber;
    use serde_json::json;

    struct Tables;
    impl IdTables for Tables {
        fn table_of(&self, id: &DocumentId) -> Option<(String, bool)> {
            match id.table.0 {
                10001 => Some(("messages".into(), false)),
                10002 => Some(("users".into(), false)),
                539 => Some(("_scheduled_functions".into(), true)),
                _ => None,
            }
        }
    }

    fn id(table: u32) -> Value {
        Value::String(DocumentId { table: TableNumber(table), internal: [3; 16] }.encode())
    }

    fn message_validator() -> Validator {
        Validator::from_json(&json!({"type": "object", "value": {
            "body": {"fieldType": {"type": "string"}, "optional": false},
            "author": {"fieldType": {"type": "id", "tableName": "users"}, "optional": false},
            "tags": {"fieldType": {"type": "array", "value": {"type": "union", "value": [{"type": "string"}, {"type": "null"}]}}, "optional": true},
            "n": {"fieldType": {"type": "bigint"}, "optional": true}
        }}))
        .unwrap()
    }

    fn object(fields: &[(&str, Value)]) -> Value {
        Value::Object(fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }

    #[test]
    fn accepts_matching_values() {
        let v = message_validator();
        let value = object(&[
            ("body", "hi".into()),
            ("author", id(10002)),
            ("tags", Value::Array(vec!["a".into(), Value::Null])),
        ]);
        assert_eq!(v.validate(&value, &Tables), Ok(()));
    }

    #[test]
    fn names_missing_and_extra_fields() {
        let v = message_validator();
        let err = v.validate(&object(&[("author", id(10002))]), &Tables).unwrap_err();
        assert!(err.detail.starts_with("Object is missing the required field `body`"), "{err}");
        assert!(err.value_line.starts_with("Object: "));
        let err = v
            .validate(
                &object(&[("body", "x".into()), ("author", id(10002)), ("extra", Value::Null)]),
                &Tables,
            )
            .unwrap_err();
        assert_eq!(err.detail, "Object contains extra field `extra` that is not in the validator.");
    }

    #[test]
    fn reports_the_path_of_a_nested_mismatch() {
        let v = message_validator();
        let value = object(&[
            ("body", "x".into()),
            ("author", id(10002)),
            ("tags", Value::Array(vec!["a".into(), Value::Int64(1)])),
        ]);
        let err = v.validate(&value, &Tables).unwrap_err();
        assert_eq!(err.detail, "Value does not match validator.");
        assert_eq!(err.path.to_string(), ".tags[1]");
        assert_eq!(err.validator, "v.union(v.string(), v.null())");
        assert!(err.to_string().contains("Path: .tags[1]"));
    }

    #[test]
    fn numbers_and_bigints_are_distinct() {
        assert!(Validator::Float64.validate(&Value::Int64(1), &Tables).is_err());
        assert!(Validator::Int64.validate(&Value::Float64(1.0), &Tables).is_err());
        let commit_ts = Validator::from_json(&json!({"type": "commitTs"})).unwrap();
        assert_eq!(commit_ts, Validator::CommitTs);
        assert_eq!(commit_ts.to_string(), "v.commitTs()");
        assert!(commit_ts.validate(&Value::Int64(7), &Tables).is_ok());
        assert!(commit_ts.validate(&Value::Float64(7.0), &Tables).is_err());
        let lit = Validator::Literal(Value::Float64(3.0));
        let err = lit.validate(&Value::Int64(3), &Tables).unwrap_err();
        assert!(err.detail.contains("does not match literal validator"), "{err}");
    }

    #[test]
    fn ids_must_belong_to_the_named_table() {
        let v = Validator::Id("users".into());
        assert!(v.validate(&id(10002), &Tables).is_ok());
        let err = v.validate(&id(10001), &Tables).unwrap_err();
        assert!(err.detail.contains("from table `messages`"), "{err}");
        let err = v.validate(&id(539), &Tables).unwrap_err();
        assert!(err.detail.contains("from a system table"), "{err}");
        assert_eq!(
            v.validate(&"nope".into(), &Tables).unwrap_err().detail,
            "Value does not match validator."
        );
        assert!(v.validate(&id(10099), &Tables).is_err(), "unknown table number");
    }

    #[test]
    fn records_check_keys_and_values() {
        let v = Validator::from_json(&json!({"type": "record", "keys": {"type": "string"}, "values": {"fieldType": {"type": "number"}, "optional": false}})).unwrap();
        assert!(v.validate(&object(&[("a", Value::Float64(1.0))]), &Tables).is_ok());
        assert_eq!(
            v.validate(&object(&[("a", "x".into())]), &Tables).unwrap_err().path.to_string(),
            ".a"
        );
    }

    #[test]
    fn bad_validator_json_is_explained() {
        assert!(Validator::from_json(&json!({"type": "mystery"})).unwrap_err().contains("mystery"));
        let err = Validator::from_json(&json!({"type": "object", "value": {"x": {}}})).unwrap_err();
        assert!(err.contains("A validator is undefined for field \"x\""), "{err}");
    }

    #[test]
    fn displays_as_source() {
        assert_eq!(
            message_validator().to_string(),
            "v.object({ author: v.id(\"users\"), body: v.string(), n: v.optional(v.int64()), tags: v.optional(v.array(v.union(v.string(), v.null()))) })"
        );
    }
}
