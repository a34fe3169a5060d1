//! The catalog: which tables and indexes exist, and how an index keys a document.
//!
//! Every table has two system indexes, `by_id` (`[_id]`) and `by_creation_time`
//! (`[_creationTime, _id]`). A user index declared on `[f1, f2]` keys documents by
//! `[f1, f2, _creationTime, _id]`, so every key names exactly one document and ties break
//! by creation time, as in Convex. Vector and text indexes will be catalogued beside these.

use std::collections::BTreeMap;

use atrium_value::names::{CREATION_TIME_FIELD, ID_FIELD, check_identifier};
use atrium_value::sort_key::write_sort_key;
use atrium_value::{TableNumber, Value};

use crate::{Document, EngineError, FieldPath};

/// Identifies an index within a deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IndexId(pub u32);

impl IndexId {
    /// The pseudo-index of table names: creating a table writes its name's key, and
    /// looking a table up reads it, so table creation takes part in conflict detection.
    pub const TABLE_NAMES: IndexId = IndexId(0);
}

pub const BY_ID: &str = "by_id";
pub const BY_CREATION_TIME: &str = "by_creation_time";
/// The most fields an index may have, counting the appended `_creationTime`.
pub const MAX_INDEX_FIELDS: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableInfo {
    pub name: String,
    pub number: TableNumber,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexState {
    /// Being filled from the table's existing documents; not yet used by queries.
    Backfilling,
    Ready,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexInfo {
    pub id: IndexId,
    pub table: TableNumber,
    /// The index's name within its table (`by_author`).
    pub name: String,
    /// The key's fields, including the appended `_creationTime` and `_id`.
    pub fields: Vec<FieldPath>,
    pub state: IndexState,
}

impl IndexInfo {
    /// The fields the user declared (without the appended system fields).
    pub fn declared_fields(&self) -> &[FieldPath] {
        match self.name.as_str() {
            BY_ID => &self.fields,
            BY_CREATION_TIME => &self.fields[..1],
            _ => &self.fields[..self.fields.len().saturating_sub(2)],
        }
    }

    /// The document's key in this index.
    pub fn key(&self, document: &Document) -> Vec<u8> {
        let mut key = Vec::new();
        for path in &self.fields {
            let value: Option<Value> = document.field(path);
            write_sort_key(value.as_ref(), &mut key);
        }
        key
    }
}

/// `a.b.c` as a field path.
pub(crate) fn path(dotted: &str) -> FieldPath {
    dotted.split('.').map(str::to_owned).collect()
}

/// The key fields of a system or user index.
pub(crate) fn index_fields(name: &str, declared: &[String]) -> Vec<FieldPath> {
    match name {
        BY_ID => vec![path(ID_FIELD)],
        BY_CREATION_TIME => vec![path(CREATION_TIME_FIELD), path(ID_FIELD)],
        _ => declared
            .iter()
            .map(|f| path(f))
            .chain([path(CREATION_TIME_FIELD), path(ID_FIELD)])
            .collect(),
    }
}

/// Checks a user index definition, as Convex does at schema push.
pub(crate) fn check_user_index(name: &str, declared: &[String]) -> Result<(), EngineError> {
    let invalid = |why: String| EngineError::InvalidIndex(why);
    check_identifier("index", name).map_err(invalid)?;
    if name == BY_ID || name == BY_CREATION_TIME || name.starts_with('_') {
        return Err(invalid(format!("`{name}` is reserved for system indexes")));
    }
    if declared.is_empty() {
        return Err(invalid(format!("index `{name}` must have at least one field")));
    }
    if declared.len() + 1 > MAX_INDEX_FIELDS {
        return Err(invalid(format!(
            "index `{name}` has {} fields; at most {} are allowed",
            declared.len(),
            MAX_INDEX_FIELDS - 1
        )));
    }
    for (i, field) in declared.iter().enumerate() {
        for segment in field.split('.') {
            check_identifier("field", segment)
                .map_err(|e| invalid(format!("index `{name}`: {e}")))?;
        }
        if field.starts_with('_') {
            return Err(invalid(format!(
                "index `{name}` names `{field}`: system fields are added to every index automatically"
            )));
        }
        if declared[..i].contains(field) {
            return Err(invalid(format!("index `{name}` names `{field}` twice")));
        }
    }
    Ok(())
}

/// Tables and indexes, as of one commit.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub(crate) tables: BTreeMap<String, TableInfo>,
    pub(crate) table_names: BTreeMap<TableNumber, String>,
    pub(crate) indexes: BTreeMap<IndexId, IndexInfo>,
    pub(crate) next_index_id: u32,
}

impl Catalog {
    pub fn table(&self, name: &str) -> Option<&TableInfo> {
        self.tables.get(name)
    }

    pub fn table_name(&self, number: TableNumber) -> Option<&str> {
        self.table_names.get(&number).map(String::as_str)
    }

    pub fn tables(&self) -> impl Iterator<Item = &TableInfo> {
        self.tables.values()
    }

    /// All indexes of a table, system indexes first.
    pub fn indexes_of(&self, table: TableNumber) -> impl Iterator<Item = &IndexInfo> {
        self.indexes.values().filter(move |i| i.table == table)
    }

    pub fn index(&self, table: TableNumber, name: &str) -> Option<&IndexInfo> {
        self.indexes_of(table).find(|i| i.name == name)
    }

    pub fn index_by_id(&self, id: IndexId) -> Option<&IndexInfo> {
        self.indexes.get(&id)
    }

    /// The lowest free table number above 10000, skipping `reserved` ones.
    pub(crate) fn free_table_number(&self, reserved: &[TableNumber]) -> TableNumber {
        let mut n = TableNumber::FIRST_USER.0;
        while self.table_names.contains_key(&TableNumber(n)) || reserved.contains(&TableNumber(n)) {
            n += 1;
        }
        TableNumber(n)
    }

    pub(crate) fn add_table(&mut self, table: TableInfo) {
        self.table_names.insert(table.number, table.name.clone());
        self.tables.insert(table.name.clone(), table);
    }

    pub(crate) fn add_index(&mut self, index: IndexInfo) {
        self.next_index_id = self.next_index_id.max(index.id.0 + 1);
        self.indexes.insert(index.id, index);
    }

    pub(crate) fn remove_table(&mut self, name: &str) -> Option<TableInfo> {
        let table = self.tables.remove(name)?;
        self.table_names.remove(&table.number);
        self.indexes.retain(|_, i| i.table != table.number);
        Some(table)
    }
}

/// The key of a table name in the [`IndexId::TABLE_NAMES`] pseudo-index.
pub(crate) fn table_name_key(name: &str) -> Vec<u8> {
    atrium_value::sort_key::sort_key(&Value::from(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_index_rules() {
        let f = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(check_user_index("by_author", &f(&["author"])).is_ok());
        assert!(check_user_index("by_city", &f(&["profile.city", "age"])).is_ok());
        assert!(check_user_index("by_id", &f(&["x"])).is_err());
        assert!(check_user_index("by_x", &f(&[])).is_err());
        assert!(
            check_user_index("by_x", &f(&["_creationTime"]))
                .unwrap_err()
                .to_string()
                .contains("system")
        );
        assert!(
            check_user_index("by_x", &f(&["a", "a"])).unwrap_err().to_string().contains("twice")
        );
        assert!(check_user_index("by_x", &f(&["bad-name"])).is_err());
        let many: Vec<String> = (0..16).map(|i| format!("f{i}")).collect();
        assert!(check_user_index("by_many", &many).is_err());
    }

    #[test]
    fn user_indexes_append_creation_time_and_id() {
        let fields = index_fields("by_author", &["author".to_string()]);
        assert_eq!(
            fields,
            vec![vec!["author".to_string()], vec!["_creationTime".into()], vec!["_id".into()]]
        );
    }

    #[test]
    fn free_table_numbers_fill_gaps() {
        let mut catalog = Catalog::default();
        catalog.add_table(TableInfo { name: "a".into(), number: TableNumber(10001) });
        catalog.add_table(TableInfo { name: "c".into(), number: TableNumber(10003) });
        assert_eq!(catalog.free_table_number(&[]), TableNumber(10002));
        assert_eq!(catalog.free_table_number(&[TableNumber(10002)]), TableNumber(10004));
    }
}
