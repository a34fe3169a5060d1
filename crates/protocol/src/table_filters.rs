//! The `filters` argument of Convex's dashboard query `paginatedTableDocuments`: a filter
//! expression as JSON text in base64 (so `$`-keys of Convex JSON values survive as one
//! string). Clauses are ANDed: comparisons (`eq`, `neq`, `lt`, `lte`, `gt`, `gte`), set
//! membership (`anyOf`, `noneOf`) and type tests (`type`, `notype`); an optional `index`
//! names an index with equality clauses on its leading fields and a range on the next one.
//! Clause values are Convex JSON (`{"$integer": …}` for an int64).
//!
//! It must not evaluate anything: the engine's `system/table_filters.rs` does, and the
//! studio decides which of its filters it can send.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::dashboard::SortOrder;

/// A whole filter expression.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterExpression {
    pub clauses: Vec<FilterClause>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<SortOrder>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<IndexFilter>,
}

/// One clause on one field (a dotted path); a clause without a field, or with `enabled:
/// false`, is ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterClause {
    pub op: ClauseOp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Convex JSON; an array for `anyOf`/`noneOf`, a type name for `type`/`notype`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

impl FilterClause {
    /// Whether the clause takes part (it names a field and is not switched off).
    pub fn is_active(&self) -> bool {
        self.field.is_some() && self.enabled != Some(false)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ClauseOp {
    Eq,
    Neq,
    Lt,
    Lte,
    Gt,
    Gte,
    AnyOf,
    NoneOf,
    Type,
    Notype,
}

/// An index and the part of it to read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexFilter {
    pub name: String,
    /// Equalities on the index's fields in order, optionally ending with one range.
    pub clauses: Vec<IndexClause>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum IndexClause {
    #[serde(rename = "indexEq")]
    Eq {
        enabled: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<serde_json::Value>,
    },
    #[serde(rename = "indexRange", rename_all = "camelCase")]
    Range {
        enabled: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lower_op: Option<LowerOp>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lower_value: Option<serde_json::Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        upper_op: Option<UpperOp>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        upper_value: Option<serde_json::Value>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LowerOp {
    Gt,
    Gte,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum UpperOp {
    Lt,
    Lte,
}

impl FilterExpression {
    /// The argument text: the expression's JSON in standard base64.
    pub fn encode(&self) -> String {
        let json = serde_json::to_string(self).expect("a filter expression is always JSON");
        base64::engine::general_purpose::STANDARD.encode(json)
    }

    /// Reads the argument text (standard or URL-safe base64, padded or not); the error
    /// says what was wrong.
    pub fn decode(text: &str) -> Result<Self, String> {
        use base64::engine::general_purpose::{
            STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD,
        };
        let bytes = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
            .iter()
            .find_map(|engine| engine.decode(text.trim()).ok())
            .ok_or("`filters` is not base64")?;
        serde_json::from_slice(&bytes)
            .map_err(|e| format!("`filters` is not a filter expression: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_expression_reads_as_convexs_dashboard_writes_it() {
        let written = json!({
            "clauses": [
                {"op": "eq", "field": "author", "value": "ada", "id": "1", "enabled": true},
                {"op": "anyOf", "field": "n", "value": [1, {"$integer": "AQAAAAAAAAA="}]},
                {"op": "notype", "field": "body", "value": "unset", "enabled": false}
            ],
            "order": "asc",
            "index": {"name": "by_author", "clauses": [
                {"type": "indexEq", "enabled": true, "value": "ada"},
                {"type": "indexRange", "enabled": true, "lowerOp": "gte", "lowerValue": 3}
            ]}
        });
        let text = base64::engine::general_purpose::STANDARD.encode(written.to_string());
        let expression = FilterExpression::decode(&text).unwrap();
        assert_eq!(expression.clauses.iter().filter(|c| c.is_active()).count(), 2);
        assert_eq!(expression.clauses[1].op, ClauseOp::AnyOf);
        let index = expression.index.as_ref().unwrap();
        assert!(matches!(
            index.clauses[1],
            IndexClause::Range { lower_op: Some(LowerOp::Gte), upper_op: None, .. }
        ));
        assert_eq!(FilterExpression::decode(&expression.encode()).unwrap(), expression);
        assert!(FilterExpression::decode("not base64!").unwrap_err().contains("base64"));
        let not_an_expression =
            base64::engine::general_purpose::STANDARD.encode("{\"clauses\": 3}");
        assert!(
            FilterExpression::decode(&not_an_expression).unwrap_err().contains("filter expression")
        );
    }
}
