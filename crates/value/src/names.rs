//! Naming rules: object field names, identifiers (tables, indexes, field-path segments),
//! and user table names. Each check returns a sentence naming what is wrong.

/// The longest object field name, in characters.
pub const MAX_FIELD_NAME_LEN: usize = 1024;
/// The longest identifier (table, index, field-path segment).
pub const MAX_IDENTIFIER_LEN: usize = 64;

/// An object field name: at most 1024 printable ASCII characters, not starting with `$`.
/// The empty name is allowed.
pub fn check_field_name(name: &str) -> Result<(), String> {
    if name.len() > MAX_FIELD_NAME_LEN {
        return Err(format!(
            "field name `{}…` is {} characters long; the limit is {MAX_FIELD_NAME_LEN}",
            &name[..32.min(name.len())],
            name.len()
        ));
    }
    if let Some(bad) = name.chars().find(|c| !(' '..='~').contains(c)) {
        return Err(format!(
            "field name {name:?} contains {bad:?}; field names must be printable ASCII"
        ));
    }
    if name.starts_with('$') {
        return Err(format!("field name `{name}` starts with `$`, which is reserved"));
    }
    Ok(())
}

/// An identifier: `[A-Za-z_][A-Za-z0-9_]*`, at most 64 characters, not all underscores.
pub fn check_identifier(kind: &str, name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return Err(format!("{kind} name is empty"));
    };
    if name.len() > MAX_IDENTIFIER_LEN {
        return Err(format!(
            "{kind} name `{name}` is {} characters long; the limit is {MAX_IDENTIFIER_LEN}",
            name.len()
        ));
    }
    if !(first.is_ascii_alphabetic() || first == '_') {
        return Err(format!("{kind} name `{name}` must start with a letter or underscore"));
    }
    if let Some(bad) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '_')) {
        return Err(format!(
            "{kind} name `{name}` contains {bad:?}; only letters, digits and underscores are allowed"
        ));
    }
    if name.chars().all(|c| c == '_') {
        return Err(format!("{kind} name `{name}` cannot be only underscores"));
    }
    Ok(())
}

/// The separator between a component instance's path and its table's name in the catalog:
/// component `counter`'s table `shards` is stored as `counter/shards`, a name no table of
/// the app (nor of another instance) can have.
pub const COMPONENT_SEPARATOR: char = '/';

/// Splits a catalog name into its component path (`""` for the app) and the table's own
/// name: `a/b/shards` → (`a/b`, `shards`).
pub fn split_component(name: &str) -> (&str, &str) {
    name.rsplit_once(COMPONENT_SEPARATOR).unwrap_or(("", name))
}

/// A table a component instance may create: its path's names are identifiers and the
/// table's own name is a user table name (or, with `system`, any name).
pub fn check_component_table_name(name: &str, system: bool) -> Result<(), String> {
    let (path, table) = split_component(name);
    for part in path.split(COMPONENT_SEPARATOR).filter(|_| !path.is_empty()) {
        check_identifier("component", part)?;
    }
    if system { check_identifier("table", table) } else { check_user_table_name(table) }
}

/// A table a user may create: an identifier not starting with `_` (reserved for system
/// tables).
pub fn check_user_table_name(name: &str) -> Result<(), String> {
    check_identifier("table", name)?;
    if name.starts_with('_') {
        return Err(format!(
            "table name `{name}` starts with `_`, which is reserved for system tables"
        ));
    }
    Ok(())
}

/// The system fields every document has.
pub const ID_FIELD: &str = "_id";
pub const CREATION_TIME_FIELD: &str = "_creationTime";

/// A top-level document field: a valid field name, and `_`-prefixed only for system fields.
pub fn check_top_level_field(name: &str) -> Result<(), String> {
    check_field_name(name)?;
    if name.starts_with('_') && name != ID_FIELD && name != CREATION_TIME_FIELD {
        return Err(format!(
            "Field '{name}' starts with an underscore, which is only allowed for system fields like '_id'"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names() {
        assert!(check_field_name("").is_ok());
        assert!(check_field_name("hello world!").is_ok());
        assert!(check_field_name("$x").unwrap_err().contains("$"));
        assert!(check_field_name("tab\there").unwrap_err().contains("printable ASCII"));
        assert!(check_field_name("é").is_err());
        assert!(check_field_name(&"a".repeat(1024)).is_ok());
        assert!(check_field_name(&"a".repeat(1025)).unwrap_err().contains("1025"));
    }

    #[test]
    fn identifiers() {
        assert!(check_identifier("table", "messages").is_ok());
        assert!(check_identifier("table", "_scheduled_functions").is_ok());
        assert!(check_identifier("index", "by_author_2").is_ok());
        assert!(check_identifier("table", "").unwrap_err().contains("empty"));
        assert!(check_identifier("table", "9lives").is_err());
        assert!(check_identifier("table", "has-dash").unwrap_err().contains("'-'"));
        assert!(check_identifier("table", "___").unwrap_err().contains("underscores"));
        assert!(check_identifier("table", &"t".repeat(65)).is_err());
    }

    #[test]
    fn user_tables_and_top_level_fields() {
        assert!(check_user_table_name("_tables").unwrap_err().contains("system"));
        assert!(check_top_level_field("_id").is_ok());
        assert!(check_top_level_field("_creationTime").is_ok());
        assert!(check_top_level_field("_secret").unwrap_err().contains("underscore"));
        assert!(check_top_level_field("body").is_ok());
    }
}
