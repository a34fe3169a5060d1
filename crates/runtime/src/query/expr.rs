//! Filter expressions of Convex's query language: parsed from their JSON form and
//! evaluated against a document, comparing in Convex's total order (a missing field sorts
//! below everything), arithmetic on two int64s (checked) or two float64s.

use atrium_engine::Document;
use atrium_value::json::from_json;
use atrium_value::{Value, names::check_identifier};
use serde_json::Value as Json;

/// A query's failure, as user code sees it (declared here, at the bottom of the query
/// language, so the expression parser needs nothing above it).
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

/// A literal value, or `{"$undefined": null}` for undefined.
pub(crate) fn literal(json: &Json) -> Result<Option<Value>, QueryError> {
    if let Some(map) = json.as_object()
        && map.len() == 1
        && map.contains_key("$undefined")
    {
        return Ok(None);
    }
    from_json(json).map(Some).map_err(|e| e.to_string())
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

pub(crate) fn boolean(value: Option<Value>) -> Result<bool, QueryError> {
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
