//! Convex's size and shape limits, and the rules for documents' top-level fields.
//!
//! Every violation names the path where it was found, so a user can find the offending
//! part of a large document.

use crate::names::{check_field_name, check_top_level_field};
use crate::{Object, Path, Value};

/// The largest document, in bytes as counted by [`Value::size`].
pub const MAX_DOCUMENT_SIZE: usize = 1 << 20;
/// How deeply arrays and objects may nest in a document (the document itself is level 1).
pub const MAX_DOCUMENT_NESTING: usize = 16;
/// How deeply arrays and objects may nest in function arguments and results.
pub const MAX_VALUE_NESTING: usize = 64;
/// The largest value (arguments, results), in bytes.
pub const MAX_VALUE_SIZE: usize = 32 << 20;
/// The longest array.
pub const MAX_ARRAY_LENGTH: usize = 8192;
/// The most fields in one object.
pub const MAX_OBJECT_FIELDS: usize = 1024;

/// A value or document that breaks a limit or a naming rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error("Document is too large: {size} bytes; the limit is {limit} bytes")]
    DocumentTooLarge { size: usize, limit: usize },
    #[error("Value is too large: {size} bytes; the limit is {limit} bytes")]
    ValueTooLarge { size: usize, limit: usize },
    #[error("Document is too nested: more than {limit} levels of arrays and objects (at {path})")]
    TooNested { path: Path, limit: usize },
    #[error("Array is too long: {length} elements; the limit is {limit} (at {path})")]
    ArrayTooLong { path: Path, length: usize, limit: usize },
    #[error("Object has too many fields: {count}; the limit is {limit} (at {path})")]
    TooManyFields { path: Path, count: usize, limit: usize },
    #[error("Invalid field name: {reason} (at {path})")]
    InvalidFieldName { path: Path, reason: String },
}

struct Shape {
    max_nesting: usize,
}

fn check_shape(value: &Value, path: &Path, depth: usize, shape: &Shape) -> Result<(), LimitError> {
    let nested = matches!(value, Value::Array(_) | Value::Object(_));
    if nested && depth > shape.max_nesting {
        return Err(LimitError::TooNested { path: path.clone(), limit: shape.max_nesting });
    }
    match value {
        Value::Array(items) => {
            if items.len() > MAX_ARRAY_LENGTH {
                return Err(LimitError::ArrayTooLong {
                    path: path.clone(),
                    length: items.len(),
                    limit: MAX_ARRAY_LENGTH,
                });
            }
            for (i, item) in items.iter().enumerate() {
                check_shape(item, &path.index(i), depth + 1, shape)?;
            }
        }
        Value::Object(fields) => {
            check_field_count(fields, path)?;
            for (name, field) in fields {
                check_field_name(name).map_err(|reason| LimitError::InvalidFieldName {
                    path: path.clone(),
                    reason,
                })?;
                check_shape(field, &path.field(name), depth + 1, shape)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn check_field_count(fields: &Object, path: &Path) -> Result<(), LimitError> {
    if fields.len() > MAX_OBJECT_FIELDS {
        return Err(LimitError::TooManyFields {
            path: path.clone(),
            count: fields.len(),
            limit: MAX_OBJECT_FIELDS,
        });
    }
    Ok(())
}

/// Checks a document's fields (system fields included, if present) against every limit.
pub fn check_document(document: &Object) -> Result<(), LimitError> {
    let root = Path::root();
    check_field_count(document, &root)?;
    for (name, field) in document {
        check_top_level_field(name)
            .map_err(|reason| LimitError::InvalidFieldName { path: root.clone(), reason })?;
        check_shape(field, &root.field(name), 2, &Shape { max_nesting: MAX_DOCUMENT_NESTING })?;
    }
    let size = Value::Object(document.clone()).size();
    if size > MAX_DOCUMENT_SIZE {
        return Err(LimitError::DocumentTooLarge { size, limit: MAX_DOCUMENT_SIZE });
    }
    Ok(())
}

/// Checks a function argument or result against the general value limits.
pub fn check_value(value: &Value) -> Result<(), LimitError> {
    check_shape(value, &Path::root(), 1, &Shape { max_nesting: MAX_VALUE_NESTING })?;
    let size = value.size();
    if size > MAX_VALUE_SIZE {
        return Err(LimitError::ValueTooLarge { size, limit: MAX_VALUE_SIZE });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(fields: Vec<(&str, Value)>) -> Object {
        fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }

    fn nest(levels: usize) -> Value {
        (0..levels).fold(Value::Null, |inner, _| Value::Array(vec![inner]))
    }

    #[test]
    fn a_normal_document_passes() {
        let d = doc(vec![("body", "hi".into()), ("tags", Value::Array(vec!["a".into()]))]);
        assert_eq!(check_document(&d), Ok(()));
    }

    #[test]
    fn oversized_documents_are_refused() {
        let d = doc(vec![("blob", Value::Bytes(vec![0; MAX_DOCUMENT_SIZE]))]);
        assert!(matches!(check_document(&d), Err(LimitError::DocumentTooLarge { .. })));
    }

    #[test]
    fn nesting_is_counted_from_the_document() {
        // The document is level 1; a field holding 15 nested arrays reaches level 16.
        assert_eq!(check_document(&doc(vec![("a", nest(15))])), Ok(()));
        let err = check_document(&doc(vec![("a", nest(16))])).unwrap_err();
        match err {
            LimitError::TooNested { path, limit } => {
                assert_eq!(limit, 16);
                assert_eq!(path.to_string(), format!(".a{}", "[0]".repeat(15)));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn field_names_are_checked_with_their_path() {
        let inner: Object = doc(vec![("bad\u{7}", Value::Null)]);
        let err = check_document(&doc(vec![("a", Value::Object(inner))])).unwrap_err();
        assert!(
            matches!(&err, LimitError::InvalidFieldName { path, .. } if path.to_string() == ".a")
        );
        let err = check_document(&doc(vec![("_private", Value::Null)])).unwrap_err();
        assert!(err.to_string().contains("underscore"), "{err}");
    }

    #[test]
    fn arrays_and_field_counts() {
        let long = Value::Array(vec![Value::Null; MAX_ARRAY_LENGTH + 1]);
        assert!(matches!(
            check_document(&doc(vec![("a", long)])),
            Err(LimitError::ArrayTooLong { length: 8193, .. })
        ));
        let wide: Object =
            (0..=MAX_OBJECT_FIELDS).map(|i| (format!("f{i}"), Value::Null)).collect();
        assert!(matches!(
            check_value(&Value::Object(wide)),
            Err(LimitError::TooManyFields { count: 1025, .. })
        ));
    }

    #[test]
    fn values_allow_deeper_nesting_than_documents() {
        assert_eq!(check_value(&nest(64)), Ok(()));
        assert!(matches!(check_value(&nest(65)), Err(LimitError::TooNested { limit: 64, .. })));
    }
}
