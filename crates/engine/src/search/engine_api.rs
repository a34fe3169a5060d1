//! The public [`Engine`] methods of search indexes: add (with a backfill), drop, inspect.
//! Searching is [`crate::Transaction::search`] (`query.rs`); commits reach the indexes
//! through `index.rs`.

use std::sync::{Arc, RwLock};
use std::time::Instant;

use atrium_value::TableNumber;

use super::index::indexed_of;
use super::{SearchIndex, SearchIndexInfo, SearchIndexSpec, SearchIndexStatus, store};
use crate::inner::Inner;
use crate::{Engine, EngineError, Timestamp};

/// An index listed as being built for as long as this lives.
struct Building<'a> {
    inner: &'a Inner,
    key: (TableNumber, String),
}

impl<'a> Building<'a> {
    fn start(inner: &'a Inner, table: TableNumber, name: &str) -> Self {
        let key = (table, name.to_owned());
        inner.search_builds.lock().unwrap().push(key.clone());
        Self { inner, key }
    }
}

impl Drop for Building<'_> {
    fn drop(&mut self) {
        let mut builds = self.inner.search_builds.lock().unwrap();
        if let Some(i) = builds.iter().position(|k| *k == self.key) {
            builds.swap_remove(i);
        }
    }
}

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

    /// Adds a search index to a table (`progress`: documents read, documents in the
    /// table). An index of that name with the same spec is kept; with another spec it is
    /// replaced. The index stored by an earlier run for this very definition is opened and
    /// brought up to date from storage; otherwise the table's documents are indexed in
    /// bulk at a snapshot while commits go on, then the commits made meanwhile are caught
    /// up under the commit lock.
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
        let root = store::root(self.inner.persistence.path());
        let dir = store::index_dir(&root, &info);
        if dir.exists() {
            match self.load_search_index(&info, table, &dir) {
                Ok(index) => return Ok(self.register_search_index(index, started)),
                Err(why) => tracing::warn!("rebuilding search index {table}.{name}: {why}"),
            }
        }
        // Index the table at a snapshot, without holding the commit lock. Meanwhile a
        // search of the index is told it is backfilling.
        let _building = Building::start(&self.inner, number, name);
        let snapshot = self.inner.commit.lock().unwrap().last_ts;
        let mut build = store::Build::start(&root, &info)?;
        let mut failed = None;
        self.inner.backfill_scan(&catalog, table, snapshot, progress, |document| {
            if let Some(indexed) = indexed_of(spec, document)
                && let Err(error) = build.add(&document.id, &indexed)
            {
                failed.get_or_insert(error);
            }
        })?;
        if let Some(error) = failed {
            return Err(error);
        }
        let stats = build.finish(&store::payload(&info, table, snapshot))?;
        let (mut index, covered) = SearchIndex::open(info, table, &dir, Some(stats))?;
        // Commits made during the build, then every later one through the commit path.
        let state = self.inner.commit.lock().unwrap();
        index.catch_up(&self.inner.persistence, covered, state.last_ts)?;
        let info = self.register_search_index(index, started);
        drop(state);
        Ok(info)
    }

    /// Opens the stored index and catches it up to the latest commit (under the commit
    /// lock); `Err` says why it must be rebuilt instead.
    fn load_search_index(
        &self,
        info: &SearchIndexInfo,
        table: &str,
        dir: &std::path::Path,
    ) -> Result<SearchIndex, String> {
        let (mut index, covered) =
            SearchIndex::open(info.clone(), table, dir, None).map_err(|e| e.to_string())?;
        // Deletions older than the retention window are gone from storage: an index that
        // old cannot learn of them.
        let keep = self.inner.options.retention.as_nanos() as u64;
        let cutoff = Timestamp::next_after(Timestamp::ZERO).0.saturating_sub(keep);
        if covered.0 < cutoff {
            return Err("it is older than the retention window".into());
        }
        let state = self.inner.commit.lock().unwrap();
        let changed = index
            .catch_up(&self.inner.persistence, covered, state.last_ts)
            .map_err(|e| e.to_string())?;
        drop(state);
        tracing::info!("loaded search index {table}.{}; {changed} documents caught up", info.name);
        Ok(index)
    }

    fn register_search_index(&self, mut index: SearchIndex, started: Instant) -> SearchIndexInfo {
        index.build_ms = started.elapsed().as_secs_f64() * 1000.0;
        let info = index.info.clone();
        self.inner.searches.write().unwrap().insert(info.id, Arc::new(RwLock::new(index)));
        info
    }

    /// Removes a search index, and its stored directory.
    pub fn drop_search_index(&self, table: &str, name: &str) -> Result<(), EngineError> {
        let _state = self.inner.commit.lock().unwrap();
        let index = self.search_index(table, name)?;
        let (id, dir) = {
            let index = index.read().unwrap();
            (index.info.id, index.dir.clone())
        };
        self.inner.searches.write().unwrap().remove(&id);
        store::remove(&dir);
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
