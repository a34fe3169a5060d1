//! What SQL keeps while connected: the tables read into memory ([`LoadedTable`]), the
//! kept results ([`SqlState`]), and what the UI hears about them ([`LoadedTableInfo`],
//! [`LoadProgress`]). A leaf: the hub holds [`SqlState`] and the events carry the infos, so
//! this module must not import the studio, its events or the loading logic in `mod.rs`.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use polars::prelude::*;
use serde::Serialize;
use tokio_util::task::AbortOnDropHandle;
use ts_rs::TS;

use crate::{CommandError, ErrorCode};

/// Results kept for the grid and exports (older ones are dropped).
const KEPT_RESULTS: usize = 8;

/// A table read into memory.
#[derive(Debug)]
pub struct LoadedTable {
    pub frame: DataFrame,
    /// Values changed to fit a column type (see [`super::frame::documents_to_frame`]).
    pub notes: Vec<String>,
    /// Milliseconds since the epoch.
    pub loaded_at: f64,
    pub load_ms: f64,
}

/// A loaded table as the UI lists it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LoadedTableInfo {
    pub name: String,
    #[ts(type = "number")]
    pub documents: u64,
    pub columns: Vec<String>,
    pub notes: Vec<String>,
    pub loaded_at: f64,
    pub load_ms: f64,
}

/// Loading progress, announced as `sql_load_progress`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LoadProgress {
    pub table: String,
    #[ts(type = "number")]
    pub loaded: u64,
    #[ts(type = "number")]
    pub total: u64,
}

/// The loaded tables and kept results of the connected deployment.
#[derive(Debug, Default)]
pub(crate) struct SqlState {
    pub(super) tables: Mutex<HashMap<String, Arc<LoadedTable>>>,
    /// One task per loaded table, reloading it when the deployment reports a change.
    pub(super) watchers: Mutex<HashMap<String, AbortOnDropHandle<()>>>,
    results: Mutex<VecDeque<(u64, Arc<DataFrame>)>>,
    next_result: AtomicU64,
}

impl SqlState {
    /// Forgets everything (the deployment changed).
    pub(crate) fn clear(&self) {
        self.watchers.lock().unwrap().clear();
        self.tables.lock().unwrap().clear();
        self.results.lock().unwrap().clear();
    }

    pub(crate) fn table(&self, name: &str) -> Option<Arc<LoadedTable>> {
        self.tables.lock().unwrap().get(name).cloned()
    }

    pub(crate) fn tables(&self) -> Vec<LoadedTableInfo> {
        let tables = self.tables.lock().unwrap();
        let mut infos: Vec<LoadedTableInfo> =
            tables.iter().map(|(name, table)| info(name, table)).collect();
        infos.sort_by(|a, b| a.name.cmp(&b.name));
        infos
    }

    pub(crate) fn keep_result(&self, frame: DataFrame) -> u64 {
        let id = self.next_result.fetch_add(1, Ordering::Relaxed) + 1;
        let mut results = self.results.lock().unwrap();
        results.push_back((id, Arc::new(frame)));
        while results.len() > KEPT_RESULTS {
            results.pop_front();
        }
        id
    }

    pub(crate) fn result(&self, id: u64) -> Result<Arc<DataFrame>, CommandError> {
        self.results
            .lock()
            .unwrap()
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, f)| f.clone())
            .ok_or_else(|| {
                CommandError::new(
                    ErrorCode::NotFound,
                    format!("Result {id} is no longer kept: run the query again."),
                )
            })
    }
}

pub(crate) fn info(name: &str, table: &LoadedTable) -> LoadedTableInfo {
    LoadedTableInfo {
        name: name.to_owned(),
        documents: table.frame.height() as u64,
        columns: table.frame.get_column_names().iter().map(|c| c.to_string()).collect(),
        notes: table.notes.clone(),
        loaded_at: table.loaded_at,
        load_ms: table.load_ms,
    }
}
