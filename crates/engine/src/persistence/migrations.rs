//! The storage format's versions and the steps between them. A file records its version in
//! `meta.schema_version`; opening an older file upgrades it one step at a time, each step
//! and its new version number in one SQLite transaction (a crash mid-upgrade leaves the
//! file at the previous version, and the next open tries again). A file from a newer build
//! is refused with a message saying so: this build cannot know what its tables mean.
//!
//! Hand-written rather than `rusqlite_migration`: the steps are a few `CREATE TABLE`s run
//! on the connection the store already opens, and version 1 predates any migration crate's
//! bookkeeping (its number lives in `meta`, not in `PRAGMA user_version`).
//!
//! Adding a version: append its SQL to [`STEPS`]; never edit a released step. It must not
//! read or write documents itself beyond what a step's SQL does.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension};

use crate::EngineError;

/// Version 1: documents, index entries, catalog, vector indexes (`sqlite.rs`'s `SCHEMA`).
const FIRST: u32 = 1;

/// Each step upgrades the version before it to its number.
const STEPS: &[(u32, &str)] = &[
    // 2: mutation replay records (`crate::replay`).
    (2, super::replays::SCHEMA),
];

/// The version this build writes.
pub const CURRENT_VERSION: u32 = {
    let mut version = FIRST;
    let mut i = 0;
    while i < STEPS.len() {
        version = STEPS[i].0;
        i += 1;
    }
    version
};

fn version(c: &Connection) -> Result<Option<String>, EngineError> {
    Ok(c.query_row("SELECT value FROM meta WHERE key = 'schema_version'", [], |r| r.get(0))
        .optional()?)
}

/// Brings the file (whose version-1 tables exist) to [`CURRENT_VERSION`]; a new file is
/// stamped version 1 first. Returns the version it found.
pub(super) fn upgrade(c: &mut Connection, path: &Path) -> Result<u32, EngineError> {
    let found = match version(c)? {
        None => {
            c.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?1)",
                [FIRST.to_string()],
            )?;
            FIRST
        }
        Some(text) => text.parse::<u32>().map_err(|_| {
            EngineError::Corrupt(format!(
                "{} has an unreadable storage format {text:?}",
                path.display()
            ))
        })?,
    };
    if found > CURRENT_VERSION {
        return Err(EngineError::Corrupt(format!(
            "{} has storage format {found}, written by a newer Atrium; this one reads formats up to {CURRENT_VERSION}",
            path.display()
        )));
    }
    for (to, sql) in STEPS.iter().filter(|(to, _)| *to > found) {
        let tx = c.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute("UPDATE meta SET value = ?1 WHERE key = 'schema_version'", [to.to_string()])?;
        tx.commit()?;
        tracing::info!("upgraded {} to storage format {to}", path.display());
    }
    Ok(found)
}

/// The version recorded in the file.
pub fn stored_version(c: &Connection) -> Result<Option<u32>, EngineError> {
    Ok(version(c)?.and_then(|v| v.parse().ok()))
}
