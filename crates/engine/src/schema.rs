//! A deployment's schema (from `schema.ts`'s `export()`): per-table document validators and
//! index definitions, enforced on every write when `schemaValidation` is on.
//!
//! Tables not listed in the schema are not validated. The system fields `_id` and
//! `_creationTime` are implicitly allowed. Vector index definitions become
//! [`crate::vector`] indexes; search index definitions become
//! [`crate::search`] indexes (the deployment adds them when it applies the schema).

use std::collections::BTreeMap;

use atrium_value::validator::{IdTables, ValidationError, Validator};
use atrium_value::{DocumentId, Object, Value};
use serde_json::Value as Json;

use crate::Catalog;
use crate::vector::VectorIndexSpec;

/// One table's part of the schema.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSchema {
    /// `None`: no `documentType` (any document).
    pub document: Option<Validator>,
    /// Index name → declared fields.
    pub indexes: BTreeMap<String, Vec<String>>,
    /// Vector index name → definition.
    pub vector_indexes: BTreeMap<String, VectorIndexSpec>,
    /// Search index definitions, as exported (read with `search::SearchIndexSpec::from_json`).
    pub search_indexes: Vec<Json>,
}

/// A deployment's schema.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Schema {
    pub tables: BTreeMap<String, TableSchema>,
    pub schema_validation: bool,
    /// The JSON it was parsed from (`schema.export()`), for tools that show it.
    pub exported: Json,
    /// The same JSON as the text `export()` returned, fields in declaration order (empty
    /// when built from a JSON value).
    pub exported_text: String,
}

impl Schema {
    /// Parses the JSON text `schema.export()` returns, keeping the text.
    pub fn from_json_text(text: &str) -> Result<Schema, String> {
        let json: Json = serde_json::from_str(text).map_err(|e| format!("schema JSON: {e}"))?;
        let mut schema = Self::from_json(&json)?;
        schema.exported_text = text.to_owned();
        Ok(schema)
    }

    /// Parses the JSON `schema.export()` returns.
    pub fn from_json(json: &Json) -> Result<Schema, String> {
        let tables = json
            .get("tables")
            .and_then(Json::as_array)
            .ok_or("schema JSON has no \"tables\" array")?;
        let mut schema = Schema {
            tables: BTreeMap::new(),
            schema_validation: json.get("schemaValidation").and_then(Json::as_bool).unwrap_or(true),
            exported: json.clone(),
            exported_text: String::new(),
        };
        for table in tables {
            let name = table
                .get("tableName")
                .and_then(Json::as_str)
                .ok_or("a schema table has no \"tableName\"")?
                .to_owned();
            let document = match table.get("documentType") {
                None | Some(Json::Null) => None,
                Some(v) => {
                    Some(Validator::from_json(v).map_err(|e| format!("table `{name}`: {e}"))?)
                }
            };
            let mut indexes = BTreeMap::new();
            for index in table.get("indexes").and_then(Json::as_array).into_iter().flatten() {
                let index_name =
                    index.get("indexDescriptor").and_then(Json::as_str).ok_or_else(|| {
                        format!("table `{name}`: an index has no \"indexDescriptor\"")
                    })?;
                let fields = index
                    .get("fields")
                    .and_then(Json::as_array)
                    .ok_or_else(|| format!("index `{name}.{index_name}` has no \"fields\""))?
                    .iter()
                    .map(|f| {
                        f.as_str().map(str::to_owned).ok_or_else(|| {
                            format!("index `{name}.{index_name}`: fields must be strings")
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                indexes.insert(index_name.to_owned(), fields);
            }
            let list =
                |key: &str| table.get(key).and_then(Json::as_array).cloned().unwrap_or_default();
            let mut vector_indexes = BTreeMap::new();
            for index in list("vectorIndexes") {
                let (index_name, spec) = VectorIndexSpec::from_json(&name, &index)?;
                if indexes.contains_key(&index_name) || vector_indexes.contains_key(&index_name) {
                    return Err(format!("table `{name}` has two indexes named `{index_name}`"));
                }
                vector_indexes.insert(index_name, spec);
            }
            schema.tables.insert(
                name,
                TableSchema {
                    document,
                    indexes,
                    vector_indexes,
                    search_indexes: list("searchIndexes"),
                },
            );
        }
        Ok(schema)
    }

    /// Checks a document against its table's validator, when validation is on.
    pub fn check(
        &self,
        table: &str,
        fields: &Object,
        ids: &dyn IdTables,
    ) -> Result<(), ValidationError> {
        if !self.schema_validation {
            return Ok(());
        }
        let Some(validator) = self.tables.get(table).and_then(|t| t.document.as_ref()) else {
            return Ok(());
        };
        validator.validate(&Value::Object(fields.clone()), ids)
    }
}

/// Resolves ID table numbers through a catalog (plus tables a transaction is creating).
pub(crate) struct CatalogIds<'a> {
    pub(crate) catalog: &'a Catalog,
    pub(crate) extra: Vec<(u32, String)>,
}

impl IdTables for CatalogIds<'_> {
    fn table_of(&self, id: &DocumentId) -> Option<(String, bool)> {
        let name = self.catalog.table_name(id.table).map(str::to_owned).or_else(|| {
            self.extra.iter().find(|(n, _)| *n == id.table.0).map(|(_, name)| name.clone())
        })?;
        let system = name.starts_with('_');
        Some((name, system))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_the_exported_shape() {
        let schema = Schema::from_json(&json!({"tables": [{
            "tableName": "messages",
            "indexes": [{"indexDescriptor": "by_author", "fields": ["author"]}],
            "searchIndexes": [{"indexDescriptor": "search_body", "searchField": "body", "filterFields": []}],
            "vectorIndexes": [],
            "documentType": {"type": "object", "value": {"author": {"fieldType": {"type": "string"}, "optional": false}}}
        }], "schemaValidation": true}))
        .unwrap();
        let table = &schema.tables["messages"];
        assert_eq!(table.indexes["by_author"], vec!["author".to_string()]);
        assert_eq!(table.search_indexes.len(), 1);
        assert!(table.document.is_some());
        assert!(Schema::from_json(&json!({"tables": [{}]})).unwrap_err().contains("tableName"));
    }
}
