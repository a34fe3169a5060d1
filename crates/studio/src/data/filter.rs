//! The Data area's filters and sort, evaluated on documents in the studio: field/operator/
//! value clauses joined by AND or OR, and a sort by any field. Values compare in Convex's
//! order, except that an int64 and a float64 compare by their numeric value (what a user
//! typing `3` against a `bigint` field means).

use std::cmp::Ordering;

use atrium_value::{DocumentId, Value};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{CommandError, ErrorCode};

/// How the clauses combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Combinator {
    #[default]
    And,
    Or,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FilterOp {
    Eq,
    Neq,
    Lt,
    Lte,
    Gt,
    Gte,
    /// The value is an array; the field equals one of its elements.
    AnyOf,
    /// The value is an array; the field equals none of its elements.
    NoneOf,
    /// The value is a type name: string, number, bigint, boolean, null, id, array, object,
    /// bytes, or unset (the field is missing).
    Type,
    /// A string field containing the text (ignoring case), or an array field holding the
    /// value.
    Contains,
    /// A string field matching a regular expression (Rust `regex` syntax).
    Regex,
}

/// One condition on one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Clause {
    /// A field path; nested fields with dots (`address.city`).
    pub field: String,
    pub op: FilterOp,
    /// The operand, as Convex-encoded JSON.
    #[ts(type = "unknown")]
    pub value: serde_json::Value,
    /// Disabled clauses are kept in the filter but ignored.
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct Filter {
    #[serde(default)]
    pub combinator: Combinator,
    #[serde(default)]
    pub clauses: Vec<Clause>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Sort {
    pub field: String,
    pub descending: bool,
}

/// A clause ready to run.
#[derive(Debug)]
enum Test {
    Compare(FilterOp, Value),
    AnyOf(Vec<Value>, bool),
    Type(String),
    Contains(Value, Option<String>),
    Regex(regex::Regex),
}

/// A filter checked and compiled.
#[derive(Debug)]
pub(crate) struct CompiledFilter {
    combinator: Combinator,
    clauses: Vec<(Vec<String>, Test)>,
}

fn bad(n: usize, message: String) -> CommandError {
    CommandError::new(ErrorCode::BadRequest, format!("Filter clause {}: {message}", n + 1))
}

const TYPES: &[&str] =
    &["string", "number", "bigint", "boolean", "null", "id", "array", "object", "bytes", "unset"];

impl CompiledFilter {
    pub(crate) fn new(filter: &Filter) -> Result<Self, CommandError> {
        let mut clauses = Vec::new();
        for (n, clause) in filter.clauses.iter().enumerate().filter(|(_, c)| c.enabled) {
            if clause.field.trim().is_empty() {
                return Err(bad(n, "choose a field".into()));
            }
            let value = atrium_value::json::from_json(&clause.value)
                .map_err(|e| bad(n, format!("the value is not Convex JSON: {e}")))?;
            let test = match clause.op {
                FilterOp::AnyOf | FilterOp::NoneOf => match value {
                    Value::Array(values) => Test::AnyOf(values, clause.op == FilterOp::AnyOf),
                    _ => return Err(bad(n, "anyOf and noneOf take an array of values".into())),
                },
                FilterOp::Type => match value.as_str() {
                    Some(name) if TYPES.contains(&name) => Test::Type(name.to_owned()),
                    _ => {
                        return Err(bad(n, format!("type must be one of {}", TYPES.join(", "))));
                    }
                },
                FilterOp::Contains => {
                    let lower = value.as_str().map(str::to_lowercase);
                    Test::Contains(value, lower)
                }
                FilterOp::Regex => {
                    let pattern = value
                        .as_str()
                        .ok_or_else(|| bad(n, "regex takes a pattern string".into()))?;
                    Test::Regex(
                        regex::Regex::new(pattern)
                            .map_err(|e| bad(n, format!("bad regular expression: {e}")))?,
                    )
                }
                op => Test::Compare(op, value),
            };
            clauses.push((split_path(&clause.field), test));
        }
        Ok(Self { combinator: filter.combinator, clauses })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    pub(crate) fn matches(&self, document: &Value) -> bool {
        let check = |(path, test): &(Vec<String>, Test)| {
            passes(test, document.get_path(path.iter().map(String::as_str)))
        };
        match self.combinator {
            Combinator::And => self.clauses.iter().all(check),
            Combinator::Or => self.clauses.is_empty() || self.clauses.iter().any(check),
        }
    }
}

pub(crate) fn split_path(field: &str) -> Vec<String> {
    field.split('.').map(str::to_owned).collect()
}

/// Convex's order, but numbers of either kind by value.
pub(crate) fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Int64(x), Value::Float64(y)) => (*x as f64).total_cmp(y),
        (Value::Float64(x), Value::Int64(y)) => x.total_cmp(&(*y as f64)),
        _ => a.cmp(b),
    }
}

fn passes(test: &Test, field: Option<&Value>) -> bool {
    match test {
        Test::Type(name) => match field {
            None => name == "unset",
            Some(Value::String(s)) if name == "id" => DocumentId::decode(s).is_ok(),
            Some(v) => v.value_type().name() == name,
        },
        _ => {
            let Some(field) = field else {
                // A missing field only passes "not equal" and "none of".
                return matches!(test, Test::Compare(FilterOp::Neq, _) | Test::AnyOf(_, false));
            };
            match test {
                Test::Compare(op, value) => {
                    let order = compare(field, value);
                    match op {
                        FilterOp::Eq => order == Ordering::Equal,
                        FilterOp::Neq => order != Ordering::Equal,
                        FilterOp::Lt => order == Ordering::Less,
                        FilterOp::Lte => order != Ordering::Greater,
                        FilterOp::Gt => order == Ordering::Greater,
                        FilterOp::Gte => order != Ordering::Less,
                        _ => false,
                    }
                }
                Test::AnyOf(values, want) => {
                    values.iter().any(|v| compare(field, v) == Ordering::Equal) == *want
                }
                Test::Contains(value, lower) => match (field, lower) {
                    (Value::String(s), Some(needle)) => s.to_lowercase().contains(needle),
                    (Value::Array(items), _) => {
                        items.iter().any(|i| compare(i, value) == Ordering::Equal)
                    }
                    _ => false,
                },
                Test::Regex(regex) => field.as_str().is_some_and(|s| regex.is_match(s)),
                Test::Type(_) => unreachable!("handled above"),
            }
        }
    }
}

/// Sorts documents by a field (missing values first, as Convex orders `undefined`),
/// keeping the incoming order among equals.
pub(crate) fn sort(documents: &mut [Value], sort: &Sort) {
    let path = split_path(&sort.field);
    let key = |d: &Value| d.get_path(path.iter().map(String::as_str)).cloned();
    documents.sort_by(|a, b| {
        let order = match (key(a), key(b)) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => compare(&x, &y),
        };
        if sort.descending { order.reverse() } else { order }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(value: serde_json::Value) -> Value {
        atrium_value::json::from_json(&value).unwrap()
    }

    fn clause(field: &str, op: FilterOp, value: serde_json::Value) -> Clause {
        Clause { field: field.into(), op, value, enabled: true }
    }

    fn run(combinator: Combinator, clauses: Vec<Clause>, docs: &[Value]) -> Vec<usize> {
        let filter = CompiledFilter::new(&Filter { combinator, clauses }).unwrap();
        docs.iter().enumerate().filter(|(_, d)| filter.matches(d)).map(|(i, _)| i).collect()
    }

    #[test]
    fn clauses_combine_with_and_or() {
        let docs = [
            doc(json!({"author": "ann", "n": 1.0, "tags": ["a"], "address": {"city": "Oslo"}})),
            doc(json!({"author": "bob", "n": 5.0, "tags": ["b"]})),
            doc(json!({"author": "Annika", "n": {"$integer": "BwAAAAAAAAA="}})),
        ];
        let and = vec![
            clause("author", FilterOp::Contains, json!("ann")),
            clause("n", FilterOp::Gt, json!(2)),
        ];
        assert_eq!(run(Combinator::And, and.clone(), &docs), vec![2], "int64 7 > 2");
        assert_eq!(run(Combinator::Or, and, &docs), vec![0, 1, 2]);
        let cases: Vec<(Clause, Vec<usize>)> = vec![
            (clause("address.city", FilterOp::Eq, json!("Oslo")), vec![0]),
            (clause("address.city", FilterOp::Neq, json!("Oslo")), vec![1, 2]),
            (clause("n", FilterOp::Lte, json!(5)), vec![0, 1]),
            (clause("author", FilterOp::AnyOf, json!(["bob", "ann"])), vec![0, 1]),
            (clause("author", FilterOp::NoneOf, json!(["bob"])), vec![0, 2]),
            (clause("tags", FilterOp::Contains, json!("b")), vec![1]),
            (clause("tags", FilterOp::Type, json!("unset")), vec![2]),
            (clause("n", FilterOp::Type, json!("bigint")), vec![2]),
            (clause("author", FilterOp::Regex, json!("^[A-Z]")), vec![2]),
        ];
        for (c, want) in cases {
            assert_eq!(run(Combinator::And, vec![c.clone()], &docs), want, "{c:?}");
        }
        let mut disabled = clause("author", FilterOp::Eq, json!("nobody"));
        disabled.enabled = false;
        assert_eq!(run(Combinator::And, vec![disabled], &docs), vec![0, 1, 2]);
    }

    #[test]
    fn bad_clauses_name_themselves() {
        let err = |c: Clause| {
            CompiledFilter::new(&Filter { combinator: Combinator::And, clauses: vec![c] })
                .unwrap_err()
                .message
        };
        assert!(
            err(clause("a", FilterOp::Regex, json!("(")))
                .contains("clause 1: bad regular expression")
        );
        assert!(err(clause("a", FilterOp::AnyOf, json!(1))).contains("array"));
        assert!(err(clause("a", FilterOp::Type, json!("text"))).contains("type must be one of"));
        assert!(err(clause(" ", FilterOp::Eq, json!(1))).contains("field"));
    }

    #[test]
    fn sorting_puts_missing_first_and_mixes_number_kinds() {
        let mut docs = vec![
            doc(json!({"n": 2.5})),
            doc(json!({})),
            doc(json!({"n": {"$integer": "AwAAAAAAAAA="}})),
            doc(json!({"n": 1.0})),
        ];
        sort(&mut docs, &Sort { field: "n".into(), descending: false });
        let ns: Vec<String> = docs.iter().map(|d| format!("{:?}", d.get_path(["n"]))).collect();
        assert_eq!(ns, ["None", "Some(Float64(1.0))", "Some(Float64(2.5))", "Some(Int64(3))"]);
    }
}
