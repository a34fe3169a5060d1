//! What opening and loading a deployment does to its data folder and database: the admin
//! key file (created once, 0600) and the schema applied (violations listed, tables and
//! indexes created and backfilled with progress, vector and search indexes the schema no
//! longer declares dropped). It must not run functions.

use std::path::Path;

use atrium_engine::search::SearchIndexSpec;
use atrium_engine::{Engine, Schema};

use super::error::DeploymentError;
use crate::auth::generate_admin_key;

pub(super) fn load_or_create_admin_key(
    data_dir: &Path,
    instance: &str,
) -> Result<String, DeploymentError> {
    let path = data_dir.join("admin_key");
    let io = |error| DeploymentError::DataDir { path: path.display().to_string(), error };
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_owned();
        if !existing.is_empty() {
            return Ok(existing);
        }
    }
    let key = generate_admin_key(instance);
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, &key).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    std::fs::rename(&tmp, &path).map_err(io)?;
    Ok(key)
}

/// Creates the schema's tables and indexes that do not exist yet.
/// What a new index's backfill has done: table, index, documents done, documents in all.
pub type BackfillProgress<'a> = &'a dyn Fn(&str, &str, u64, u64);

pub(super) fn apply_schema(
    engine: &Engine,
    schema: &Schema,
    progress: BackfillProgress<'_>,
) -> Result<(), DeploymentError> {
    const SHOWN: usize = 5;
    let violations = engine
        .schema_violations(schema, SHOWN + 1)
        .map_err(|e| DeploymentError::Schema(e.to_string()))?;
    if !violations.is_empty() {
        let listed: Vec<String> = violations
            .iter()
            .take(SHOWN)
            .map(|(table, id, error)| format!("- document {id} in table `{table}`: {error}"))
            .collect();
        let more = if violations.len() > SHOWN { "\n- and more" } else { "" };
        return Err(DeploymentError::Schema(format!(
            "existing documents do not match the schema:\n{}{more}",
            listed.join("\n")
        )));
    }
    for (table, spec) in &schema.tables {
        let catalog = engine.catalog();
        if catalog.table(table).is_none() {
            engine.create_table(table).map_err(|e| DeploymentError::Schema(e.to_string()))?;
        }
        for (index, fields) in &spec.indexes {
            let catalog = engine.catalog();
            let number = catalog.table(table).map(|t| t.number);
            if number.is_some_and(|n| catalog.index(n, index).is_none()) {
                engine
                    .add_index(table, index, fields, |done, total| {
                        tracing::info!("backfilling {table}.{index}: {done}/{total}");
                        progress(table, index, done, total);
                    })
                    .map_err(|e| DeploymentError::Schema(e.to_string()))?;
            }
        }
    }
    for info in engine.vector_index_infos() {
        let table = engine.catalog().table_name(info.table).map(str::to_owned);
        let declared = table
            .as_ref()
            .and_then(|t| schema.tables.get(t))
            .is_some_and(|t| t.vector_indexes.contains_key(&info.name));
        if let (Some(table), false) = (table, declared) {
            engine
                .drop_vector_index(&table, &info.name)
                .map_err(|e| DeploymentError::Schema(e.to_string()))?;
        }
    }
    for (table, spec) in &schema.tables {
        for (index, vector) in &spec.vector_indexes {
            engine
                .add_vector_index(table, index, vector, |done, total| {
                    progress(table, index, done, total);
                })
                .map_err(|e| DeploymentError::Schema(e.to_string()))?;
        }
    }
    apply_search_indexes(engine, schema, progress)?;
    engine.set_schema(Some(schema.clone()));
    Ok(())
}

/// Drops the search indexes the schema no longer declares and builds the ones it declares
/// (they are kept in memory: after a restart this rebuilds them, with progress).
fn apply_search_indexes(
    engine: &Engine,
    schema: &Schema,
    progress: BackfillProgress<'_>,
) -> Result<(), DeploymentError> {
    let schema_error = |e: String| DeploymentError::Schema(e);
    let mut declared = Vec::new();
    for (table, spec) in &schema.tables {
        for json in &spec.search_indexes {
            let (name, index) = SearchIndexSpec::from_json(table, json).map_err(schema_error)?;
            declared.push((table.clone(), name, index));
        }
    }
    for info in engine.search_index_infos() {
        let table = engine.catalog().table_name(info.table).map(str::to_owned);
        if let Some(table) = table
            && !declared.iter().any(|(t, n, _)| *t == table && *n == info.name)
        {
            engine
                .drop_search_index(&table, &info.name)
                .map_err(|e| DeploymentError::Schema(e.to_string()))?;
        }
    }
    for (table, name, spec) in &declared {
        engine
            .add_search_index(table, name, spec, |done, total| {
                tracing::info!("indexing {table}.{name} for search: {done}/{total}");
                progress(table, name, done, total);
            })
            .map_err(|e| DeploymentError::Schema(e.to_string()))?;
    }
    Ok(())
}
