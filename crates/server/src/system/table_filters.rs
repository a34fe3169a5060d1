//! The filters Convex's `paginatedTableDocuments` evaluates (`filters`, see
//! `atrium_protocol::table_filters`), compiled once per call: clauses ANDed, each on a
//! field path, compared in Convex's value order (a missing field is `undefined`, below
//! every value, as `q.field` reads it), and an index with equalities and a range turned
//! into the engine's index range expressions.
//!
//! It must not read documents or pages itself; `frontend.rs` scans and asks
//! [`DocumentFilter::matches`].

use atrium_engine::IndexRangeExpr;
use atrium_protocol::table_filters::{
    ClauseOp, FilterExpression, IndexClause, IndexFilter, LowerOp, UpperOp,
};
use atrium_value::{DocumentId, Value};

/// The type names `type` and `notype` take, as Convex's dashboard names them.
const TYPES: &[&str] =
    &["string", "boolean", "number", "bigint", "null", "id", "array", "object", "bytes", "unset"];

#[derive(Debug)]
enum Test {
    Compare(ClauseOp, Option<Value>),
    OneOf(Vec<Value>, bool),
    Type(String, bool),
}

/// A filter expression's clauses, ready to test documents.
#[derive(Debug, Default)]
pub(super) struct DocumentFilter {
    clauses: Vec<(Vec<String>, Test)>,
}

fn value_of(n: usize, json: &serde_json::Value) -> Result<Value, String> {
    atrium_value::json::from_json(json)
        .map_err(|e| format!("Filter {}: invalid value {json}: {e}", n + 1))
}

impl DocumentFilter {
    pub(super) fn new(expression: &FilterExpression) -> Result<Self, String> {
        let mut clauses = Vec::new();
        for (n, clause) in expression.clauses.iter().enumerate() {
            let (true, Some(field)) = (clause.is_active(), clause.field.as_deref()) else {
                continue;
            };
            let test = match clause.op {
                ClauseOp::AnyOf | ClauseOp::NoneOf => {
                    let values = match &clause.value {
                        Some(serde_json::Value::Array(items)) => items
                            .iter()
                            .map(|item| value_of(n, item))
                            .collect::<Result<Vec<_>, _>>()?,
                        None => Vec::new(),
                        Some(other) => {
                            return Err(format!(
                                "Filter {}: anyOf and noneOf take a list, not {other}",
                                n + 1
                            ));
                        }
                    };
                    // An empty list filters nothing out, as on Convex.
                    if values.is_empty() {
                        continue;
                    }
                    Test::OneOf(values, clause.op == ClauseOp::AnyOf)
                }
                ClauseOp::Type | ClauseOp::Notype => {
                    let name = clause.value.as_ref().and_then(serde_json::Value::as_str);
                    match name {
                        Some(name) if TYPES.contains(&name) => {
                            Test::Type(name.to_owned(), clause.op == ClauseOp::Type)
                        }
                        _ => {
                            return Err(format!(
                                "Filter {}: a type filter takes one of {}",
                                n + 1,
                                TYPES.join(", ")
                            ));
                        }
                    }
                }
                op => Test::Compare(op, clause.value.as_ref().map(|v| value_of(n, v)).transpose()?),
            };
            clauses.push((field.split('.').map(str::to_owned).collect(), test));
        }
        Ok(Self { clauses })
    }

    /// Whether `document` passes every clause.
    pub(super) fn matches(&self, document: &Value) -> bool {
        self.clauses.iter().all(|(path, test)| {
            let field = document.get_path(path.iter().map(String::as_str));
            match test {
                Test::Compare(op, value) => {
                    let order = field.cmp(&value.as_ref());
                    match op {
                        ClauseOp::Eq => order.is_eq(),
                        ClauseOp::Neq => order.is_ne(),
                        ClauseOp::Lt => order.is_lt(),
                        ClauseOp::Lte => order.is_le(),
                        ClauseOp::Gt => order.is_gt(),
                        ClauseOp::Gte => order.is_ge(),
                        _ => false,
                    }
                }
                Test::OneOf(values, any) => field.is_some_and(|f| values.contains(f)) == *any,
                Test::Type(name, wanted) => is_type(field, name) == *wanted,
            }
        })
    }
}

fn is_type(value: Option<&Value>, name: &str) -> bool {
    match (value, name) {
        (None, "unset") => true,
        (None, _) => false,
        (Some(Value::String(s)), "id") => DocumentId::decode(s).is_ok(),
        (Some(v), _) => v.value_type().name() == name,
    }
}

/// The index range expressions for `filter` on an index of `fields` (dotted paths, in
/// order): enabled equalities on the leading fields, then at most one range.
pub(super) fn index_range(
    fields: &[String],
    filter: &IndexFilter,
) -> Result<Vec<IndexRangeExpr>, String> {
    let enabled: Vec<&IndexClause> = filter
        .clauses
        .iter()
        .take_while(|c| {
            matches!(
                c,
                IndexClause::Eq { enabled: true, .. } | IndexClause::Range { enabled: true, .. }
            )
        })
        .collect();
    if enabled.len() > fields.len() {
        return Err(format!(
            "Index {} has {} fields, but the query has {} clauses.",
            filter.name,
            fields.len(),
            enabled.len()
        ));
    }
    let value = |json: &Option<serde_json::Value>| -> Result<Option<Value>, String> {
        json.as_ref()
            .map(|j| {
                atrium_value::json::from_json(j)
                    .map_err(|e| format!("Invalid index value {j}: {e}"))
            })
            .transpose()
    };
    let mut exprs = Vec::new();
    for (i, (clause, field)) in enabled.iter().zip(fields).enumerate() {
        match clause {
            IndexClause::Eq { value: v, .. } => {
                exprs.push(IndexRangeExpr::Eq(field.clone(), value(v)?))
            }
            IndexClause::Range { lower_op, lower_value, upper_op, upper_value, .. } => {
                if i + 1 != enabled.len() {
                    return Err(
                        "Invalid index filter selection - a range must be the last clause.".into(),
                    );
                }
                match lower_op {
                    Some(LowerOp::Gt) => {
                        exprs.push(IndexRangeExpr::Gt(field.clone(), value(lower_value)?))
                    }
                    Some(LowerOp::Gte) => {
                        exprs.push(IndexRangeExpr::Gte(field.clone(), value(lower_value)?))
                    }
                    None => {}
                }
                match upper_op {
                    Some(UpperOp::Lt) => {
                        exprs.push(IndexRangeExpr::Lt(field.clone(), value(upper_value)?))
                    }
                    Some(UpperOp::Lte) => {
                        exprs.push(IndexRangeExpr::Lte(field.clone(), value(upper_value)?))
                    }
                    None => {}
                }
            }
        }
    }
    Ok(exprs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use atrium_protocol::table_filters::FilterClause;
    use serde_json::json;

    fn clause(op: ClauseOp, field: &str, value: serde_json::Value) -> FilterClause {
        FilterClause { op, field: Some(field.into()), value: Some(value), id: None, enabled: None }
    }

    fn passing(clauses: Vec<FilterClause>, docs: &[serde_json::Value]) -> Vec<usize> {
        let filter =
            DocumentFilter::new(&FilterExpression { clauses, order: None, index: None }).unwrap();
        let docs: Vec<Value> =
            docs.iter().map(|d| atrium_value::json::from_json(d).unwrap()).collect();
        docs.iter().enumerate().filter(|(_, d)| filter.matches(d)).map(|(i, _)| i).collect()
    }

    #[test]
    fn clauses_follow_convexs_order_and_and_together() {
        let docs = [
            json!({"author": "ada", "n": 1.0, "at": {"city": "Oslo"}}),
            json!({"author": "bob", "n": 5.0}),
            json!({"author": "cy", "n": {"$integer": "BwAAAAAAAAA="}}),
        ];
        let cases = vec![
            (vec![clause(ClauseOp::Eq, "at.city", json!("Oslo"))], vec![0]),
            (vec![clause(ClauseOp::Neq, "at.city", json!("Oslo"))], vec![1, 2]),
            // A missing field is undefined, below every value.
            (vec![clause(ClauseOp::Lt, "at.city", json!("A"))], vec![1, 2]),
            // An int64 sorts below every float64 in Convex's order.
            (vec![clause(ClauseOp::Gte, "n", json!(2.0))], vec![1]),
            (
                vec![
                    clause(ClauseOp::AnyOf, "author", json!(["bob", "cy"])),
                    clause(ClauseOp::Lt, "n", json!(6.0)),
                ],
                vec![1, 2],
            ),
            (vec![clause(ClauseOp::NoneOf, "author", json!(["bob"]))], vec![0, 2]),
            (vec![clause(ClauseOp::AnyOf, "author", json!([]))], vec![0, 1, 2]),
            (vec![clause(ClauseOp::Type, "n", json!("bigint"))], vec![2]),
            (vec![clause(ClauseOp::Notype, "at", json!("unset"))], vec![0]),
        ];
        for (clauses, want) in cases {
            assert_eq!(passing(clauses.clone(), &docs), want, "{clauses:?}");
        }
        let mut off = clause(ClauseOp::Eq, "author", json!("nobody"));
        off.enabled = Some(false);
        assert_eq!(passing(vec![off], &docs), vec![0, 1, 2]);
    }

    #[test]
    fn bad_clauses_and_index_filters_are_refused_with_reasons() {
        let bad = |c: FilterClause| {
            DocumentFilter::new(&FilterExpression { clauses: vec![c], order: None, index: None })
                .unwrap_err()
        };
        assert!(bad(clause(ClauseOp::Type, "a", json!("text"))).contains("type filter"));
        assert!(bad(clause(ClauseOp::AnyOf, "a", json!(1))).contains("list"));
        assert!(
            bad(clause(ClauseOp::Eq, "a", json!({"$integer": 5})))
                .contains("Filter 1: invalid value")
        );

        let fields = vec!["author".to_owned(), "n".to_owned()];
        let index = |clauses| IndexFilter { name: "by_author_n".into(), clauses };
        let eq = IndexClause::Eq { enabled: true, value: Some(json!("ada")) };
        let range = IndexClause::Range {
            enabled: true,
            lower_op: Some(LowerOp::Gt),
            lower_value: Some(json!(1.0)),
            upper_op: Some(UpperOp::Lte),
            upper_value: Some(json!(4.0)),
        };
        let exprs = index_range(&fields, &index(vec![eq.clone(), range.clone()])).unwrap();
        assert_eq!(exprs.len(), 3);
        assert!(
            matches!(&exprs[2], IndexRangeExpr::Lte(f, Some(Value::Float64(v))) if f == "n" && *v == 4.0)
        );
        assert!(
            index_range(&fields, &index(vec![range.clone(), eq.clone()]))
                .unwrap_err()
                .contains("last")
        );
        assert!(
            index_range(&fields, &index(vec![eq.clone(), eq.clone(), eq]))
                .unwrap_err()
                .contains("has 2 fields")
        );
    }
}
