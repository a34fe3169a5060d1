//! Which part of a Data area filter the deployment evaluates: the clauses Convex's
//! `paginatedTableDocuments` takes in its `filters` argument, and a chosen index range, as
//! one filter expression. The studio still tests every clause on what comes back, so what
//! is sent only needs to keep every document the studio's filter keeps:
//! - clauses joined by OR are sent only when there is one (Convex ANDs its clauses);
//! - `contains` and `regex` are the studio's own and are never sent;
//! - the studio compares an int64 and a float64 by value, Convex by type first, so an
//!   equality on a number is sent as "any of" both kinds, and a range on a number is kept
//!   in the studio.
//!
//! It must not evaluate anything or reach the deployment; `view.rs` sends the expression.

use atrium_protocol::table_filters::{
    ClauseOp, FilterClause, FilterExpression, IndexClause, IndexFilter, LowerOp, UpperOp,
};
use atrium_value::Value;
use atrium_value::json::{from_json, to_json};

use super::filter::{Combinator, Filter, FilterOp};
use super::types::IndexRange;

/// The expression to send, or `None` when the deployment has nothing to evaluate.
pub(crate) fn server_expression(
    filter: &Filter,
    range: Option<&IndexRange>,
    descending: bool,
) -> Option<FilterExpression> {
    let enabled: Vec<_> = filter.clauses.iter().filter(|c| c.enabled).collect();
    let sendable = filter.combinator == Combinator::And || enabled.len() == 1;
    let clauses: Vec<FilterClause> = if sendable {
        enabled.iter().filter_map(|c| clause(&c.field, c.op, &c.value)).collect()
    } else {
        Vec::new()
    };
    let index = range.and_then(index_filter);
    if clauses.is_empty() && index.is_none() {
        return None;
    }
    let order = Some(if descending {
        atrium_protocol::dashboard::SortOrder::Desc
    } else {
        atrium_protocol::dashboard::SortOrder::Asc
    });
    Some(FilterExpression { clauses, order, index })
}

/// A number as both kinds where it has both (`3` and `3n`), else as it is.
fn both_kinds(value: Value) -> Vec<Value> {
    match value {
        Value::Float64(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
            vec![Value::Float64(f), Value::Int64(f as i64)]
        }
        Value::Int64(n) if n.unsigned_abs() < (1 << 53) => {
            vec![Value::Int64(n), Value::Float64(n as f64)]
        }
        other => vec![other],
    }
}

fn is_number(value: &Value) -> bool {
    matches!(value, Value::Float64(_) | Value::Int64(_))
}

fn clause(field: &str, op: FilterOp, json: &serde_json::Value) -> Option<FilterClause> {
    let value = from_json(json).ok()?;
    let make = |op: ClauseOp, value: serde_json::Value| FilterClause {
        op,
        field: Some(field.to_owned()),
        value: Some(value),
        id: None,
        enabled: Some(true),
    };
    let list = |values: Vec<Value>| serde_json::Value::Array(values.iter().map(to_json).collect());
    Some(match op {
        FilterOp::Eq | FilterOp::Neq if is_number(&value) => {
            let any = op == FilterOp::Eq;
            make(if any { ClauseOp::AnyOf } else { ClauseOp::NoneOf }, list(both_kinds(value)))
        }
        FilterOp::Eq => make(ClauseOp::Eq, json.clone()),
        FilterOp::Neq => make(ClauseOp::Neq, json.clone()),
        FilterOp::Lt | FilterOp::Lte | FilterOp::Gt | FilterOp::Gte if is_number(&value) => {
            return None;
        }
        FilterOp::Lt => make(ClauseOp::Lt, json.clone()),
        FilterOp::Lte => make(ClauseOp::Lte, json.clone()),
        FilterOp::Gt => make(ClauseOp::Gt, json.clone()),
        FilterOp::Gte => make(ClauseOp::Gte, json.clone()),
        FilterOp::AnyOf | FilterOp::NoneOf => {
            let Value::Array(values) = value else { return None };
            let op = if op == FilterOp::AnyOf { ClauseOp::AnyOf } else { ClauseOp::NoneOf };
            make(op, list(values.into_iter().flat_map(both_kinds).collect()))
        }
        FilterOp::Type => make(ClauseOp::Type, json.clone()),
        FilterOp::Contains | FilterOp::Regex => return None,
    })
}

/// A chosen range as Convex's index filter: equalities first, then at most one field with
/// a lower and/or upper bound. `None` when the range does not have that shape.
fn index_filter(range: &IndexRange) -> Option<IndexFilter> {
    let mut clauses = Vec::new();
    let mut bounded: Option<(String, IndexClause)> = None;
    for c in &range.clauses {
        let value = Some(c.value.clone());
        match (c.op, &mut bounded) {
            (FilterOp::Eq, None) => clauses.push(IndexClause::Eq { enabled: true, value }),
            (FilterOp::Gt | FilterOp::Gte | FilterOp::Lt | FilterOp::Lte, None) => {
                let mut clause = IndexClause::Range {
                    enabled: true,
                    lower_op: None,
                    lower_value: None,
                    upper_op: None,
                    upper_value: None,
                };
                bound(&mut clause, c.op, value);
                bounded = Some((c.field.clone(), clause));
            }
            (
                FilterOp::Gt | FilterOp::Gte | FilterOp::Lt | FilterOp::Lte,
                Some((field, clause)),
            ) if *field == c.field => {
                bound(clause, c.op, value);
            }
            _ => return None,
        }
    }
    clauses.extend(bounded.map(|(_, clause)| clause));
    Some(IndexFilter { name: range.name.clone(), clauses })
}

fn bound(clause: &mut IndexClause, op: FilterOp, value: Option<serde_json::Value>) {
    let IndexClause::Range { lower_op, lower_value, upper_op, upper_value, .. } = clause else {
        return;
    };
    match op {
        FilterOp::Gt => (*lower_op, *lower_value) = (Some(LowerOp::Gt), value),
        FilterOp::Gte => (*lower_op, *lower_value) = (Some(LowerOp::Gte), value),
        FilterOp::Lt => (*upper_op, *upper_value) = (Some(UpperOp::Lt), value),
        FilterOp::Lte => (*upper_op, *upper_value) = (Some(UpperOp::Lte), value),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::filter::Clause;
    use crate::data::types::RangeClause;
    use serde_json::json;

    fn c(field: &str, op: FilterOp, value: serde_json::Value) -> Clause {
        Clause { field: field.into(), op, value, enabled: true }
    }

    #[test]
    fn sends_what_convex_evaluates_and_keeps_the_rest() {
        let filter = Filter {
            combinator: Combinator::And,
            clauses: vec![
                c("author", FilterOp::Eq, json!("ada")),
                c("body", FilterOp::Contains, json!("hi")),
                c("n", FilterOp::Gt, json!(3)),
                c("n", FilterOp::Eq, json!(3)),
                c("tags", FilterOp::Type, json!("array")),
            ],
        };
        let sent = server_expression(&filter, None, true).unwrap();
        let ops: Vec<(ClauseOp, &str)> =
            sent.clauses.iter().map(|c| (c.op, c.field.as_deref().unwrap())).collect();
        assert_eq!(
            ops,
            [(ClauseOp::Eq, "author"), (ClauseOp::AnyOf, "n"), (ClauseOp::Type, "tags")]
        );
        assert_eq!(sent.clauses[1].value, Some(json!([3.0, {"$integer": "AwAAAAAAAAA="}])));

        let or = Filter { combinator: Combinator::Or, clauses: filter.clauses[..2].to_vec() };
        assert_eq!(
            server_expression(&or, None, true),
            None,
            "OR of two clauses stays in the studio"
        );
        let regex_only = Filter {
            combinator: Combinator::And,
            clauses: vec![c("a", FilterOp::Regex, json!("x"))],
        };
        assert_eq!(server_expression(&regex_only, None, false), None);
    }

    #[test]
    fn an_index_range_goes_with_the_filter() {
        let range = IndexRange {
            name: "by_author_n".into(),
            clauses: vec![
                RangeClause { field: "author".into(), op: FilterOp::Eq, value: json!("ada") },
                RangeClause { field: "n".into(), op: FilterOp::Gte, value: json!(2) },
                RangeClause { field: "n".into(), op: FilterOp::Lt, value: json!(9) },
            ],
            descending: false,
        };
        let filter = Filter {
            combinator: Combinator::And,
            clauses: vec![c("body", FilterOp::Contains, json!("x"))],
        };
        let sent = server_expression(&filter, Some(&range), false).unwrap();
        assert!(sent.clauses.is_empty());
        let index = sent.index.unwrap();
        assert_eq!(index.clauses.len(), 2);
        assert!(matches!(
            &index.clauses[1],
            IndexClause::Range { lower_op: Some(LowerOp::Gte), upper_op: Some(UpperOp::Lt), .. }
        ));
        let two_ranges = IndexRange {
            clauses: vec![
                RangeClause { field: "a".into(), op: FilterOp::Gt, value: json!(1) },
                RangeClause { field: "b".into(), op: FilterOp::Gt, value: json!(1) },
            ],
            ..range
        };
        assert_eq!(index_filter(&two_ranges), None);
    }
}
