//! Environment variables: kept in the `_environment_variables` system table, handed to
//! functions as `process.env`. Changing them re-runs every live query; each change is a
//! deployment event (its name, never its value) in the same transaction.

use std::collections::BTreeMap;

use atrium_engine::{Engine, EngineError, PatchValue};
use atrium_protocol::deployment_events::{EnvironmentVariableMetadata, action};
use atrium_value::{Object, Value};

pub(crate) const TABLE: &str = "_environment_variables";
const MAX_NAME: usize = 40;
const MAX_VALUE: usize = 8 * 1024;

/// Checks a variable's name and value, naming what is wrong.
pub(crate) fn check(name: &str, value: Option<&str>) -> Result<(), String> {
    let mut chars = name.chars();
    let valid_start = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !valid_start || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!(
            "Environment variable name `{name}` must start with a letter or underscore and contain only letters, digits and underscores"
        ));
    }
    if name.len() > MAX_NAME {
        return Err(format!(
            "Environment variable name `{name}` is longer than {MAX_NAME} characters"
        ));
    }
    if let Some(value) = value
        && value.len() > MAX_VALUE
    {
        return Err(format!(
            "The value of `{name}` is {} bytes; the limit is {MAX_VALUE}",
            value.len()
        ));
    }
    Ok(())
}

/// Every variable, by name.
pub(crate) fn load(engine: &Engine) -> Result<BTreeMap<String, String>, EngineError> {
    let mut tx = engine.begin();
    Ok(tx
        .collect_table(TABLE)?
        .into_iter()
        .filter_map(|doc| {
            let name = doc.fields.get("name")?.as_str()?.to_owned();
            let value = doc.fields.get("value")?.as_str()?.to_owned();
            Some((name, value))
        })
        .collect())
}

/// Sets (`Some`) or removes (`None`) variables in one transaction.
pub(crate) fn apply(engine: &Engine, changes: &[(String, Option<String>)]) -> Result<(), String> {
    for (name, value) in changes {
        check(name, value.as_deref())?;
    }
    engine
        .run(16, |tx| {
            let existing = tx.collect_table(TABLE)?;
            for (name, value) in changes {
                let current = existing
                    .iter()
                    .find(|d| d.fields.get("name").and_then(Value::as_str) == Some(name));
                let event = match (current, value) {
                    (Some(_), None) => Some(action::DELETE_ENVIRONMENT_VARIABLE),
                    (Some(doc), Some(value)) => (doc.fields.get("value").and_then(Value::as_str)
                        != Some(value.as_str()))
                    .then_some(action::UPDATE_ENVIRONMENT_VARIABLE),
                    (None, Some(_)) => Some(action::CREATE_ENVIRONMENT_VARIABLE),
                    (None, None) => None,
                };
                if let Some(event) = event {
                    // The name only: a value never reaches the audit log.
                    let metadata = EnvironmentVariableMetadata { variable_name: name.clone() };
                    crate::deployment_events::record(tx, event, &metadata)?;
                }
                match (current, value) {
                    (Some(doc), None) => tx.delete(&doc.id)?,
                    (Some(doc), Some(value)) => {
                        let mut patch = BTreeMap::new();
                        patch.insert(
                            "value".to_string(),
                            PatchValue::Set(Value::from(value.as_str())),
                        );
                        tx.patch(&doc.id, patch)?;
                    }
                    (None, Some(value)) => {
                        let mut fields = Object::new();
                        fields.insert("name".into(), Value::from(name.as_str()));
                        fields.insert("value".into(), Value::from(value.as_str()));
                        tx.insert_system(TABLE, fields)?;
                    }
                    (None, None) => {}
                }
            }
            Ok(())
        })
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_values_are_checked() {
        assert!(check("OPENAI_KEY", Some("x")).is_ok());
        assert!(check("_private", None).is_ok());
        assert!(check("9LIVES", Some("x")).unwrap_err().contains("9LIVES"));
        assert!(check("has-dash", Some("x")).is_err());
        assert!(check(&"A".repeat(41), Some("x")).is_err());
        assert!(check("BIG", Some(&"x".repeat(8193))).unwrap_err().contains("8192"));
    }
}
