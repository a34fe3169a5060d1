//! Convex's serialized query language: a source (`FullTableScan`, `IndexRange` or `Search`)
//! and operators (`filter`, `limit`) applied in order, streamed one document at a time.
//! A `Search` source reads a search index (`atrium_engine::search`) in relevance order.
//!
//! Filter expressions compare in Convex's total order, where a missing field
//! (`undefined`) sorts below everything; arithmetic works on two int64s (checked) or two
//! float64s. Every row scanned counts toward the read set, filtered out or not.

mod expr;
mod stream;

use atrium_engine::search::SearchQuery;
use atrium_engine::{IndexRangeExpr, Order};
use serde_json::Value as Json;

use expr::literal;
pub use expr::{Arithmetic, Comparison, Expr, QueryError};
pub use stream::QueryStream;

#[derive(Debug, Clone, PartialEq)]
pub enum Operator {
    Filter(Expr),
    Limit(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    FullTableScan { table: String, order: Order },
    IndexRange { table: String, index: String, range: Vec<IndexRangeExpr>, order: Order },
    Search(SearchQuery),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub source: Source,
    pub operators: Vec<Operator>,
}

const MAX_OPERATORS: usize = 256;

fn order(json: Option<&Json>) -> Result<Order, QueryError> {
    match json.and_then(Json::as_str) {
        None | Some("asc") => Ok(Order::Asc),
        Some("desc") => Ok(Order::Desc),
        Some(other) => Err(format!("Invalid query order `{other}`")),
    }
}

/// `{ indexName: "table.index", filters: [{ type: "Search" | "Eq", fieldPath, value }] }`.
fn search_source(source: &Json) -> Result<SearchQuery, QueryError> {
    let name = source.get("indexName").and_then(Json::as_str).ok_or("Search needs indexName")?;
    let (table, index) =
        name.split_once('.').ok_or_else(|| format!("Invalid index name `{name}`"))?;
    let mut query = SearchQuery {
        table: table.to_owned(),
        index: index.to_owned(),
        search: Vec::new(),
        filters: Vec::new(),
    };
    for filter in source.get("filters").and_then(Json::as_array).into_iter().flatten() {
        let field = filter
            .get("fieldPath")
            .and_then(Json::as_str)
            .ok_or("Search filter needs fieldPath")?
            .to_owned();
        let value = filter.get("value").unwrap_or(&Json::Null);
        match filter.get("type").and_then(Json::as_str) {
            Some("Search") => {
                let text = value.as_str().ok_or("q.search needs a string to search for")?;
                query.search.push((field, text.to_owned()));
            }
            Some("Eq") => query.filters.push((field, literal(value)?)),
            other => return Err(format!("Unknown search filter type {other:?}")),
        }
    }
    Ok(query)
}

impl Query {
    pub fn parse(json: &Json) -> Result<Query, QueryError> {
        let source = json.get("source").ok_or("Query has no source")?;
        let kind = source.get("type").and_then(Json::as_str).ok_or("Query source has no type")?;
        let source = match kind {
            "FullTableScan" => Source::FullTableScan {
                table: source
                    .get("tableName")
                    .and_then(Json::as_str)
                    .ok_or("FullTableScan needs tableName")?
                    .to_owned(),
                order: order(source.get("order"))?,
            },
            "IndexRange" => {
                let name = source
                    .get("indexName")
                    .and_then(Json::as_str)
                    .ok_or("IndexRange needs indexName")?;
                let (table, index) =
                    name.split_once('.').ok_or_else(|| format!("Invalid index name `{name}`"))?;
                let mut range = Vec::new();
                for expr in source.get("range").and_then(Json::as_array).into_iter().flatten() {
                    let field = expr
                        .get("fieldPath")
                        .and_then(Json::as_str)
                        .ok_or("Range expression needs fieldPath")?
                        .to_owned();
                    let value = literal(expr.get("value").unwrap_or(&Json::Null))?;
                    range.push(match expr.get("type").and_then(Json::as_str) {
                        Some("Eq") => IndexRangeExpr::Eq(field, value),
                        Some("Gt") => IndexRangeExpr::Gt(field, value),
                        Some("Gte") => IndexRangeExpr::Gte(field, value),
                        Some("Lt") => IndexRangeExpr::Lt(field, value),
                        Some("Lte") => IndexRangeExpr::Lte(field, value),
                        other => return Err(format!("Unknown range expression type {other:?}")),
                    });
                }
                Source::IndexRange {
                    table: table.to_owned(),
                    index: index.to_owned(),
                    range,
                    order: order(source.get("order"))?,
                }
            }
            "Search" => Source::Search(search_source(source)?),
            other => return Err(format!("Unknown query source `{other}`")),
        };
        let mut operators = Vec::new();
        for op in json.get("operators").and_then(Json::as_array).into_iter().flatten() {
            if let Some(filter) = op.get("filter") {
                operators.push(Operator::Filter(Expr::parse(filter)?));
            } else if let Some(limit) = op.get("limit") {
                let n = limit
                    .as_f64()
                    .filter(|n| *n >= 0.0 && n.fract() == 0.0)
                    .ok_or("limit must be a non-negative integer")?;
                operators.push(Operator::Limit(n as usize));
            } else {
                return Err(format!("Unknown query operator {op}"));
            }
        }
        if operators.len() > MAX_OPERATORS {
            return Err(format!(
                "Query has {} operators; at most {MAX_OPERATORS} are allowed",
                operators.len()
            ));
        }
        Ok(Query { source, operators })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atrium_engine::Document;
    use atrium_value::Value;
    use atrium_value::json::from_json;
    use atrium_value::{DocumentId, Object, TableNumber};
    use serde_json::json;

    fn doc(fields: Json) -> Document {
        let Value::Object(fields) = from_json(&fields).unwrap() else { panic!() };
        Document {
            id: DocumentId { table: TableNumber(10001), internal: [0; 16] },
            creation_time: 1.0,
            fields,
        }
    }

    fn eval(expr: Json, d: &Document) -> Result<Option<Value>, QueryError> {
        Expr::parse(&expr)?.eval(d)
    }

    #[test]
    fn comparisons_use_the_total_order_with_undefined_lowest() {
        let d = doc(json!({"x": 1, "n": {"$integer": "AQAAAAAAAAA="}}));
        let t = Some(Value::Boolean(true));
        assert_eq!(eval(json!({"$eq": [{"$field": "x"}, {"$literal": 1}]}), &d).unwrap(), t);
        assert_eq!(
            eval(json!({"$eq": [{"$field": "n"}, {"$literal": 1}]}), &d).unwrap(),
            Some(Value::Boolean(false)),
            "1n != 1"
        );
        assert_eq!(
            eval(json!({"$eq": [{"$field": "missing"}, {"$literal": {"$undefined": null}}]}), &d)
                .unwrap(),
            t
        );
        assert_eq!(
            eval(json!({"$lt": [{"$field": "missing"}, {"$literal": null}]}), &d).unwrap(),
            t
        );
    }

    #[test]
    fn arithmetic_is_typed_and_checked() {
        let d = doc(json!({"n": {"$integer": "AQAAAAAAAAA="}, "f": 1.5}));
        assert_eq!(
            eval(
                json!({"$add": [{"$field": "n"}, {"$literal": {"$integer": "AQAAAAAAAAA="}}]}),
                &d
            )
            .unwrap(),
            Some(Value::Int64(2))
        );
        assert_eq!(
            eval(json!({"$mul": [{"$field": "f"}, {"$literal": 2}]}), &d).unwrap(),
            Some(Value::Float64(3.0))
        );
        assert!(
            eval(json!({"$add": [{"$field": "n"}, {"$literal": 1}]}), &d)
                .unwrap_err()
                .contains("Cannot add")
        );
        assert!(
            eval(
                json!({"$div": [{"$field": "n"}, {"$literal": {"$integer": "AAAAAAAAAAA="}}]}),
                &d
            )
            .is_err()
        );
        assert!(eval(json!({"$and": [{"$literal": 1}]}), &d).unwrap_err().contains("as a Boolean"));
    }

    #[test]
    fn parses_the_library_s_shape() {
        let q = Query::parse(&json!({"source": {"type": "IndexRange", "indexName": "messages.by_author",
            "range": [{"type": "Eq", "fieldPath": "author", "value": "a"}, {"type": "Gt", "fieldPath": "_creationTime", "value": 5}],
            "order": "desc"},
            "operators": [{"filter": {"$eq": [{"$field": "x"}, {"$literal": 1}]}}, {"limit": 5}]}))
        .unwrap();
        assert!(
            matches!(q.source, Source::IndexRange { ref table, ref index, order: Order::Desc, .. } if table == "messages" && index == "by_author")
        );
        assert_eq!(q.operators.len(), 2);
        let search =
            Query::parse(&json!({"source": {"type": "Search", "indexName": "a.b", "filters": []}}))
                .unwrap();
        assert!(
            matches!(search.source, Source::Search(ref q) if q.table == "a" && q.index == "b"),
            "{search:?}"
        );
        let _ = Object::new();
    }
}
