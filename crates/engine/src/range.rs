//! Convex's index range expressions (`q.eq("author", "a").gt("_creationTime", 5)`),
//! validated and compiled to a [`KeyRange`] the way Convex's backend does.
//!
//! The equality fields, in any order, must be a prefix of the index's fields; at most one
//! more field may carry a lower and/or an upper bound.

use atrium_value::Value;
use atrium_value::sort_key::{prefix_successor, write_sort_key};

use crate::{EngineError, IndexInfo, KeyRange};

/// One comparison in an index range. `None` as a value means "the field is missing"
/// (`undefined`).
#[derive(Debug, Clone, PartialEq)]
pub enum IndexRangeExpr {
    Eq(String, Option<Value>),
    Gt(String, Option<Value>),
    Gte(String, Option<Value>),
    Lt(String, Option<Value>),
    Lte(String, Option<Value>),
}

/// Scan direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    #[default]
    Asc,
    Desc,
}

impl IndexRangeExpr {
    fn field(&self) -> &str {
        match self {
            IndexRangeExpr::Eq(f, _)
            | IndexRangeExpr::Gt(f, _)
            | IndexRangeExpr::Gte(f, _)
            | IndexRangeExpr::Lt(f, _)
            | IndexRangeExpr::Lte(f, _) => f,
        }
    }
}

fn encoded(value: &Option<Value>) -> Vec<u8> {
    let mut out = Vec::new();
    write_sort_key(value.as_ref(), &mut out);
    out
}

/// Compiles `exprs` against `index` (named `display_name` in messages, e.g.
/// `messages.by_author`).
pub fn compile(
    index: &IndexInfo,
    display_name: &str,
    exprs: &[IndexRangeExpr],
) -> Result<KeyRange, EngineError> {
    let invalid = |msg: String| EngineError::InvalidRange(msg);
    let index_fields: Vec<String> = index.fields.iter().map(|p| p.join(".")).collect();
    let rank = |field: &str| {
        index_fields.iter().position(|f| f == field).ok_or_else(|| {
            invalid(format!(
                "The index range included a comparison with `{field}`, but `{display_name}` doesn't index this field. Indexed fields: {}",
                index_fields.join(", ")
            ))
        })
    };

    let mut equalities: Vec<(usize, &Option<Value>)> = Vec::new();
    let mut bound_field: Option<(usize, &str)> = None;
    let mut lower: Option<(&Option<Value>, bool)> = None; // (value, inclusive)
    let mut upper: Option<(&Option<Value>, bool)> = None;
    for expr in exprs {
        let field = expr.field();
        let r = rank(field)?;
        let defined_twice =
            || invalid(format!("The index range defines more than one bound on `{field}`."));
        match expr {
            IndexRangeExpr::Eq(_, value) => {
                if equalities.iter().any(|(er, _)| *er == r)
                    || bound_field.is_some_and(|(br, _)| br == r)
                {
                    return Err(defined_twice());
                }
                equalities.push((r, value));
            }
            IndexRangeExpr::Gt(_, v)
            | IndexRangeExpr::Gte(_, v)
            | IndexRangeExpr::Lt(_, v)
            | IndexRangeExpr::Lte(_, v) => {
                if equalities.iter().any(|(er, _)| *er == r) {
                    return Err(defined_twice());
                }
                match bound_field {
                    Some((br, other)) if br != r => {
                        return Err(invalid(format!(
                            "The index range has bounds on both `{other}` and `{field}`; only one field may have range bounds."
                        )));
                    }
                    _ => bound_field = Some((r, field)),
                }
                let slot = if matches!(expr, IndexRangeExpr::Gt(..) | IndexRangeExpr::Gte(..)) {
                    &mut lower
                } else {
                    &mut upper
                };
                if slot.is_some() {
                    return Err(defined_twice());
                }
                *slot =
                    Some((v, matches!(expr, IndexRangeExpr::Gte(..) | IndexRangeExpr::Lte(..))));
            }
        }
    }

    equalities.sort_by_key(|(r, _)| *r);
    for (expected, (r, _)) in equalities.iter().enumerate() {
        if *r != expected {
            return Err(invalid(format!(
                "The index range for `{display_name}` didn't use the index fields in order: `{}` is compared before `{}`. Index fields: {}",
                index_fields[*r],
                index_fields[expected],
                index_fields.join(", ")
            )));
        }
    }
    if let Some((br, field)) = bound_field
        && br != equalities.len()
    {
        return Err(invalid(format!(
            "The index range for `{display_name}` didn't use the index fields in order: `{field}` has bounds but `{}` has no equality. Index fields: {}",
            index_fields[equalities.len()],
            index_fields.join(", ")
        )));
    }

    let mut prefix = Vec::new();
    for (_, value) in &equalities {
        prefix.extend(encoded(value));
    }
    let with = |value: &Option<Value>| [prefix.as_slice(), &encoded(value)].concat();
    let start = match lower {
        None => prefix.clone(),
        Some((v, true)) => with(v),
        Some((v, false)) => prefix_successor(&with(v)).unwrap_or_default(),
    };
    let end = match upper {
        None => prefix_successor(&prefix),
        Some((v, false)) => Some(with(v)),
        Some((v, true)) => prefix_successor(&with(v)),
    };
    Ok(KeyRange { start, end })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::index_fields;
    use crate::{IndexId, IndexState};
    use atrium_value::TableNumber;
    use atrium_value::sort_key::index_key;

    fn by_author() -> IndexInfo {
        IndexInfo {
            id: IndexId(3),
            table: TableNumber(10001),
            name: "by_author".into(),
            fields: index_fields("by_author", &["author".into(), "n".into()]),
            state: IndexState::Ready,
        }
    }

    fn key(author: &str, n: f64) -> Vec<u8> {
        index_key([
            Some(&Value::from(author)),
            Some(&Value::Float64(n)),
            Some(&Value::Float64(1.0)),
            Some(&Value::from("id")),
        ])
    }

    fn eq(f: &str, v: Value) -> IndexRangeExpr {
        IndexRangeExpr::Eq(f.into(), Some(v))
    }

    #[test]
    fn equality_then_bounds() {
        let r = compile(
            &by_author(),
            "t.by_author",
            &[IndexRangeExpr::Gt("n".into(), Some(Value::Float64(2.0))), eq("author", "a".into())],
        )
        .unwrap();
        assert!(!r.contains(&key("a", 2.0)));
        assert!(r.contains(&key("a", 2.5)));
        assert!(!r.contains(&key("b", 3.0)));
        let r = compile(
            &by_author(),
            "t.by_author",
            &[eq("author", "a".into()), IndexRangeExpr::Lte("n".into(), Some(Value::Float64(2.0)))],
        )
        .unwrap();
        assert!(
            r.contains(&key("a", 2.0))
                && r.contains(&key("a", -1.0))
                && !r.contains(&key("a", 2.1))
        );
        assert!(!r.contains(&key("", 1.0)));
    }

    #[test]
    fn no_expressions_is_the_whole_index() {
        assert_eq!(compile(&by_author(), "t.by_author", &[]).unwrap(), KeyRange::all());
    }

    #[test]
    fn errors_name_the_problem() {
        let err = |exprs: &[IndexRangeExpr]| {
            compile(&by_author(), "t.by_author", exprs).unwrap_err().to_string()
        };
        assert!(err(&[eq("nope", Value::Null)]).contains("doesn't index this field"));
        assert!(err(&[eq("n", Value::Null)]).contains("in order"));
        assert!(err(&[IndexRangeExpr::Gt("n".into(), None)]).contains("in order"));
        assert!(
            err(&[eq("author", Value::Null), eq("author", Value::Null)])
                .contains("more than one bound")
        );
        assert!(
            err(&[
                IndexRangeExpr::Gt("author".into(), None),
                IndexRangeExpr::Gt("author".into(), None)
            ])
            .contains("more than one bound")
        );
        assert!(
            err(&[IndexRangeExpr::Gt("author".into(), None), IndexRangeExpr::Lt("n".into(), None)])
                .contains("only one field")
        );
    }
}
