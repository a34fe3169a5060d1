//! The public [`Engine`] methods of search indexes: add (with a backfill), drop, inspect.
//! Searching is [`crate::Transaction::search`] (`query.rs`); commits reach the indexes
//! through `index.rs`.

use std::sync::{Arc, RwLock};
use std::time::Instant;

use super::index::indexed_of;
use super::{SearchIndex, SearchIndexInfo, SearchIndexSpec, SearchIndexStatus};
use crate::{Engine, EngineError};

impl Engine {
    fn search_index(
        &self,
        table: &str,
        name: &str,
    ) -> Result<Arc<RwLock<SearchIndex>>, EngineError> {
        let number = self.catalog().table(table).map(|t| t.number);
        number
            .and_then(|number| {
                self.inner.searches.read().unwrap().values().find_map(|i| {
                    let info = &i.read().unwrap().info;
                    (info.table == number && info.name == name).then(|| i.clone())
                })
            })
            .ok_or_else(|| EngineError::IndexNotFound(format!("{table}.{name}")))
    }

    /// The search indexes' definitions.
    pub fn search_index_infos(&self) -> Vec<SearchIndexInfo> {
        let indexes = self.inner.searches.read().unwrap();
        indexes.values().map(|i| i.read().unwrap().info.clone()).collect()
    }

    /// Adds a search index to a table, indexing its documents (`progress`: documents
    /// read, documents in the table). An index of that name with the same spec is kept;
    /// with another spec it is replaced.
    pub fn add_search_index(
        &self,
        table: &str,
        name: &str,
        spec: &SearchIndexSpec,
        progress: impl FnMut(u64, u64),
    ) -> Result<SearchIndexInfo, EngineError> {
        spec.check(table, name)?;
        if let Ok(existing) = self.search_index(table, name) {
            let existing = existing.read().unwrap().info.clone();
            if existing.spec == *spec {
                return Ok(existing);
            }
            self.drop_search_index(table, name)?;
        }
        let started = Instant::now();
        // Under the commit lock, so no commit slips between the scan and the index.
        let state = self.inner.commit.lock().unwrap();
        let catalog = self.catalog();
        let number =
            catalog.table(table).ok_or_else(|| EngineError::TableNotFound(table.into()))?.number;
        if catalog.index(number, name).is_some() {
            return Err(EngineError::IndexExists { index: format!("{table}.{name}") });
        }
        let info = SearchIndexInfo {
            id: self.inner.allocate_index_id(),
            table: number,
            name: name.to_owned(),
            spec: spec.clone(),
        };
        let mut index = SearchIndex::new(info.clone(), state.last_ts)?;
        let mut failed = None;
        self.inner.backfill_scan(&catalog, table, state.last_ts, progress, |document| {
            if let Some(indexed) = indexed_of(spec, document)
                && let Err(error) = index.add(&document.id, &indexed)
            {
                failed.get_or_insert(error);
            }
        })?;
        if let Some(error) = failed {
            return Err(error);
        }
        index.publish()?;
        index.build_ms = started.elapsed().as_secs_f64() * 1000.0;
        self.inner.searches.write().unwrap().insert(info.id, Arc::new(RwLock::new(index)));
        drop(state);
        Ok(info)
    }

    /// Removes a search index.
    pub fn drop_search_index(&self, table: &str, name: &str) -> Result<(), EngineError> {
        let _state = self.inner.commit.lock().unwrap();
        let index = self.search_index(table, name)?;
        let id = index.read().unwrap().info.id;
        self.inner.searches.write().unwrap().remove(&id);
        Ok(())
    }

    /// Every search index's state.
    pub fn search_index_statuses(&self) -> Vec<SearchIndexStatus> {
        let catalog = self.catalog();
        let indexes = self.inner.searches.read().unwrap();
        indexes
            .values()
            .map(|index| {
                let index = index.read().unwrap();
                SearchIndexStatus {
                    table: catalog.table_name(index.info.table).unwrap_or("").to_owned(),
                    info: index.info.clone(),
                    documents: index.stats.documents,
                    terms: index.stats.frequencies.len(),
                    build_ms: index.build_ms,
                    memory_bytes: index.memory_bytes(),
                    state: "ready",
                }
            })
            .collect()
    }
}
