//! Convex's serialized query language: a source (`FullTableScan` or `IndexRange`) and
//! operators (`filter`, `limit`) applied in order, streamed one document at a time.
//!
//! Filter expressions compare in Convex's total order, where a missing field
//! (`undefined`) sorts below everything; arithmetic works on two int64s (checked) or two
//! float64s. Every row scanned counts toward the read set, filtered out or not.

use std::collections::VecDeque;

use atrium_engine::range::compile;
use atrium_engine::{Document, IndexInfo, IndexRangeExpr, KeyRange, Order, Transaction};
use atrium_value::json::from_json;
use atrium_value::{Value, names::check_identifier};
use serde_json::Value as Json;

/// A query's failure, as user code sees it.
pub type QueryError = String;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Compare(Comparison, Box<Expr>, Box<Expr>),
    Arithmetic(Arithmetic, Box<Expr>, Box<Expr>),
    Neg(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Field(Vec<String>),
    /// `None` is `undefined`.
    Literal(Option<Value>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Eq,
    Neq,
    Lt,
    Lte,
    Gt,
    Gte,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arithmetic {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operator {
    Filter(Expr),
    Limit(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    FullTableScan { table: String, order: Order },
    IndexRange { table: String, index: String, range: Vec<IndexRangeExpr>, order: Order },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub source: Source,
    pub operators: Vec<Operator>,
}

const MAX_OPERATORS: usize = 256;

/// A literal value, or `{"$undefined": null}` for undefined.
fn literal(json: &Json) -> Result<Option<Value>, QueryError> {
    if let Some(map) = json.as_object()
        && map.len() == 1
        && map.contains_key("$undefined")
    {
        return Ok(None);
    }
    from_json(json).map(Some).map_err(|e| e.to_string())
}

fn order(json: Option<&Json>) -> Result<Order, QueryError> {
    match json.and_then(Json::as_str) {
        None | Some("asc") => Ok(Order::Asc),
        Some("desc") => Ok(Order::Desc),
        Some(other) => Err(format!("Invalid query order `{other}`")),
    }
}

fn field_path(path: &str) -> Result<Vec<String>, QueryError> {
    path.split('.')
        .map(|segment| check_identifier("field", segment).map(|_| segment.to_owned()))
        .collect()
}

impl Expr {
    pub fn parse(json: &Json) -> Result<Expr, QueryError> {
        let map = json
            .as_object()
            .filter(|m| m.len() == 1)
            .ok_or_else(|| format!("Invalid filter expression {json}"))?;
        let (op, arg) = map.iter().next().expect("one entry");
        let pair = |arg: &Json| -> Result<(Box<Expr>, Box<Expr>), QueryError> {
            match arg.as_array().map(Vec::as_slice) {
                Some([a, b]) => Ok((Box::new(Expr::parse(a)?), Box::new(Expr::parse(b)?))),
                _ => Err(format!("`{op}` takes two operands")),
            }
        };
        let list = |arg: &Json| -> Result<Vec<Expr>, QueryError> {
            arg.as_array()
                .ok_or_else(|| format!("`{op}` takes a list"))?
                .iter()
                .map(Expr::parse)
                .collect()
        };
        Ok(match op.as_str() {
            "$eq" | "$neq" | "$lt" | "$lte" | "$gt" | "$gte" => {
                let cmp = match op.as_str() {
                    "$eq" => Comparison::Eq,
                    "$neq" => Comparison::Neq,
                    "$lt" => Comparison::Lt,
                    "$lte" => Comparison::Lte,
                    "$gt" => Comparison::Gt,
                    _ => Comparison::Gte,
                };
                let (a, b) = pair(arg)?;
                Expr::Compare(cmp, a, b)
            }
            "$add" | "$sub" | "$mul" | "$div" | "$mod" => {
                let arith = match op.as_str() {
                    "$add" => Arithmetic::Add,
                    "$sub" => Arithmetic::Sub,
                    "$mul" => Arithmetic::Mul,
                    "$div" => Arithmetic::Div,
                    _ => Arithmetic::Mod,
                };
                let (a, b) = pair(arg)?;
                Expr::Arithmetic(arith, a, b)
            }
            "$neg" => Expr::Neg(Box::new(Expr::parse(arg)?)),
            "$not" => Expr::Not(Box::new(Expr::parse(arg)?)),
            "$and" => Expr::And(list(arg)?),
            "$or" => Expr::Or(list(arg)?),
            "$field" => Expr::Field(field_path(arg.as_str().ok_or("`$field` takes a string")?)?),
            "$literal" => Expr::Literal(literal(arg)?),
            other => return Err(format!("Unknown filter operator `{other}`")),
        })
    }

    /// Evaluates against a document; `Ok(None)` is `undefined`.
    pub fn eval(&self, document: &Document) -> Result<Option<Value>, QueryError> {
        Ok(match self {
            Expr::Literal(v) => v.clone(),
            Expr::Field(path) => document.field(path),
            Expr::Compare(cmp, a, b) => {
                let (a, b) = (a.eval(document)?, b.eval(document)?);
                // Option orders None (undefined) first, as Convex's total order does.
                let ordering = a.cmp(&b);
                Some(Value::Boolean(match cmp {
                    Comparison::Eq => ordering.is_eq(),
                    Comparison::Neq => !ordering.is_eq(),
                    Comparison::Lt => ordering.is_lt(),
                    Comparison::Lte => ordering.is_le(),
                    Comparison::Gt => ordering.is_gt(),
                    Comparison::Gte => ordering.is_ge(),
                }))
            }
            Expr::Arithmetic(op, a, b) => {
                Some(arithmetic(*op, a.eval(document)?, b.eval(document)?)?)
            }
            Expr::Neg(a) => Some(match a.eval(document)? {
                Some(Value::Int64(i)) => {
                    Value::Int64(i.checked_neg().ok_or("Integer overflow in negation")?)
                }
                Some(Value::Float64(f)) => Value::Float64(-f),
                other => return Err(format!("Cannot negate {}", shown(&other))),
            }),
            Expr::Not(a) => Some(Value::Boolean(!boolean(a.eval(document)?)?)),
            Expr::And(items) => {
                for item in items {
                    if !boolean(item.eval(document)?)? {
                        return Ok(Some(Value::Boolean(false)));
                    }
                }
                Some(Value::Boolean(true))
            }
            Expr::Or(items) => {
                for item in items {
                    if boolean(item.eval(document)?)? {
                        return Ok(Some(Value::Boolean(true)));
                    }
                }
                Some(Value::Boolean(false))
            }
        })
    }
}

fn shown(value: &Option<Value>) -> String {
    match value {
        None => "undefined".into(),
        Some(v) => format!("{v} (type {})", v.value_type().name()),
    }
}

fn boolean(value: Option<Value>) -> Result<bool, QueryError> {
    match value {
        Some(Value::Boolean(b)) => Ok(b),
        other => Err(format!("Cannot use value {} as a Boolean", shown(&other))),
    }
}

fn arithmetic(op: Arithmetic, a: Option<Value>, b: Option<Value>) -> Result<Value, QueryError> {
    let verb = match op {
        Arithmetic::Add => "add",
        Arithmetic::Sub => "subtract",
        Arithmetic::Mul => "multiply",
        Arithmetic::Div => "divide",
        Arithmetic::Mod => "take the remainder of",
    };
    match (&a, &b) {
        (Some(Value::Int64(x)), Some(Value::Int64(y))) => {
            let (x, y) = (*x, *y);
            let result = match op {
                Arithmetic::Add => x.checked_add(y),
                Arithmetic::Sub => x.checked_sub(y),
                Arithmetic::Mul => x.checked_mul(y),
                Arithmetic::Div => x.checked_div(y),
                Arithmetic::Mod => x.checked_rem(y),
            };
            result
                .map(Value::Int64)
                .ok_or_else(|| format!("Cannot {verb} {x} and {y}: overflow or division by zero"))
        }
        (Some(Value::Float64(x)), Some(Value::Float64(y))) => Ok(Value::Float64(match op {
            Arithmetic::Add => x + y,
            Arithmetic::Sub => x - y,
            Arithmetic::Mul => x * y,
            Arithmetic::Div => x / y,
            Arithmetic::Mod => x % y,
        })),
        _ => Err(format!("Cannot {verb} {} and {}", shown(&a), shown(&b))),
    }
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
            "Search" => {
                return Err("Search queries are not supported by this Atrium engine yet".into());
            }
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

/// A query being read, one document at a time.
#[derive(Debug)]
pub struct QueryStream {
    /// `None`: the table does not exist, so the result is empty.
    index: Option<(IndexInfo, KeyRange)>,
    order: Order,
    operators: Vec<Operator>,
    counts: Vec<usize>,
    after: Option<Vec<u8>>,
    buffer: VecDeque<(Vec<u8>, Document)>,
    source_exhausted: bool,
    done: bool,
    /// The index key of the last row read (returned or filtered out).
    position: Option<Vec<u8>>,
    /// Rows read from the index so far (Convex counts filtered rows too).
    pub rows_read: usize,
    /// Upper bound on how many rows the caller still wants (sizes index reads).
    size_hint: Option<usize>,
}

const PAGE: usize = 32;

impl QueryStream {
    pub fn open(query: Query, tx: &mut Transaction) -> Result<QueryStream, QueryError> {
        let (index, order) = match &query.source {
            Source::FullTableScan { table, order } => match tx.table_number(table) {
                None => (None, *order),
                Some(_) => {
                    let info = tx.index(table, "by_creation_time").map_err(|e| e.to_string())?;
                    (Some((info, KeyRange::all())), *order)
                }
            },
            Source::IndexRange { table, index, range, order } => {
                let info = tx.index(table, index).map_err(|e| e.to_string())?;
                let keys = compile(&info, &format!("{table}.{index}"), range)
                    .map_err(|e| e.to_string())?;
                (Some((info, keys)), *order)
            }
        };
        let counts = vec![0; query.operators.len()];
        Ok(QueryStream {
            index,
            order,
            operators: query.operators,
            counts,
            after: None,
            buffer: VecDeque::new(),
            source_exhausted: false,
            done: false,
            position: None,
            rows_read: 0,
            size_hint: None,
        })
    }

    /// The index the query reads (for cursor fingerprints).
    pub fn index(&self) -> Option<&IndexInfo> {
        self.index.as_ref().map(|(i, _)| i)
    }

    /// Starts reading after the index key `position` (a pagination cursor).
    pub fn start_after(&mut self, position: Vec<u8>) {
        self.after = Some(position.clone());
        self.position = Some(position);
    }

    /// Stops after the index key `position`, inclusive (a pagination end cursor).
    pub fn end_at(&mut self, position: &[u8]) {
        if let Some((_, range)) = &mut self.index {
            match self.order {
                Order::Asc => {
                    let end = atrium_engine::key_range::key_successor(position);
                    if range.end.as_ref().is_none_or(|e| end < *e) {
                        range.end = Some(end);
                    }
                }
                Order::Desc => {
                    if position > range.start.as_slice() {
                        range.start = position.to_vec();
                    }
                }
            }
        }
    }

    pub fn set_size_hint(&mut self, rows: usize) {
        self.size_hint = Some(rows.max(1));
    }

    pub fn position(&self) -> Option<&[u8]> {
        self.position.as_deref()
    }

    /// How many rows to read next: no more than a leading `limit` still allows.
    fn page_size(&self) -> usize {
        let by_limit = match self.operators.first() {
            Some(Operator::Limit(n)) => (n.saturating_sub(self.counts[0])).clamp(1, PAGE),
            _ => PAGE,
        };
        by_limit.min(self.size_hint.unwrap_or(PAGE)).max(1)
    }

    fn pull(&mut self, tx: &mut Transaction) -> Result<Option<Document>, QueryError> {
        if self.buffer.is_empty() {
            let Some((index, range)) = &self.index else { return Ok(None) };
            if self.source_exhausted {
                return Ok(None);
            }
            let page = tx
                .scan(index, range, self.order, self.after.as_deref(), self.page_size())
                .map_err(|e| e.to_string())?;
            self.source_exhausted = page.exhausted;
            if let Some((key, _)) = page.documents.last() {
                self.after = Some(key.clone());
            }
            self.buffer.extend(page.documents);
        }
        Ok(self.buffer.pop_front().map(|(key, document)| {
            self.position = Some(key);
            self.rows_read += 1;
            document
        }))
    }

    /// Whether nothing more can come: the index range is exhausted or a limit is reached.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The next document, or `None` when the query is done.
    pub fn next(&mut self, tx: &mut Transaction) -> Result<Option<Document>, QueryError> {
        if self.done
            || self
                .operators
                .iter()
                .zip(&self.counts)
                .any(|(op, c)| matches!(op, Operator::Limit(n) if c >= n))
        {
            self.done = true;
            return Ok(None);
        }
        'rows: loop {
            let Some(document) = self.pull(tx)? else {
                self.done = true;
                return Ok(None);
            };
            for (i, op) in self.operators.iter().enumerate() {
                match op {
                    Operator::Filter(expr) => {
                        if !boolean(expr.eval(&document)?)? {
                            continue 'rows;
                        }
                    }
                    Operator::Limit(n) => {
                        if self.counts[i] >= *n {
                            self.done = true;
                            return Ok(None);
                        }
                        self.counts[i] += 1;
                    }
                }
            }
            return Ok(Some(document));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        assert!(
            Query::parse(&json!({"source": {"type": "Search", "indexName": "a.b", "filters": []}}))
                .unwrap_err()
                .contains("not supported")
        );
        let _ = Object::new();
    }
}
