//! File storage's methods on [`Engine`] and [`Transaction`]: storing, restoring and
//! reading `_storage` rows with their blobs, and collection on demand.

use atrium_value::DocumentId;

use super::store::{
    BlobStore, STORAGE_TABLE, STORAGE_TABLE_NUMBER, StagedBlob, StoredFile, file_fields,
    is_storage_table, storage_error,
};
use crate::{Engine, EngineError, Transaction};

impl Transaction {
    /// Inserts the row of a staged blob into `table`: `_storage`, or a component
    /// instance's (`<path>/_storage`). Keep `blob` alive until the commit.
    pub fn insert_file(
        &mut self,
        table: &str,
        blob: &StagedBlob,
        content_type: Option<&str>,
    ) -> Result<DocumentId, EngineError> {
        if !is_storage_table(table) {
            return Err(EngineError::InvalidTableName(format!("`{table}` is not a storage table")));
        }
        let fields = file_fields(blob, content_type);
        self.insert_system(table, fields)
    }

    /// Inserts a row of the storage table `table` (`_storage`, or a component instance's)
    /// under a given ID and creation time (a snapshot import restoring a file). A
    /// component's table is created with the ID's table number when missing. Keep `blob`
    /// alive until the commit.
    pub fn restore_file(
        &mut self,
        table: &str,
        id: DocumentId,
        creation_time: f64,
        blob: &StagedBlob,
        content_type: Option<&str>,
    ) -> Result<(), EngineError> {
        if !is_storage_table(table) {
            return Err(EngineError::InvalidTableName(format!("`{table}` is not a storage table")));
        }
        if table == STORAGE_TABLE {
            if id.table.0 != STORAGE_TABLE_NUMBER {
                return Err(EngineError::InvalidDocumentFields(format!(
                    "{id} is not a storage ID"
                )));
            }
            self.insert_table_only(STORAGE_TABLE)?;
        } else {
            self.ensure_table(table, Some(id.table))?;
        }
        self.insert_with_id(table, id, creation_time, file_fields(blob, content_type))
    }

    /// The file `id`, if it names one (in `_storage` or a component instance's).
    pub fn file(&mut self, id: &DocumentId) -> Result<Option<StoredFile>, EngineError> {
        if !self.table_name(id.table).is_some_and(|name| is_storage_table(&name)) {
            return Ok(None);
        }
        Ok(self.get(id)?.as_ref().and_then(StoredFile::from_document))
    }
}

impl Engine {
    /// The deployment's blob store.
    pub fn blobs(&self) -> &BlobStore {
        &self.inner.blobs
    }

    /// Stores `bytes` as a file and commits its `_storage` row.
    pub fn store_file(
        &self,
        bytes: &[u8],
        content_type: Option<&str>,
    ) -> Result<DocumentId, EngineError> {
        let blob = self.blobs().put(bytes).map_err(storage_error)?;
        self.commit_file(STORAGE_TABLE, &blob, content_type)
    }

    /// Commits the row of a staged blob in the storage table `table` (`_storage`, or a
    /// component instance's).
    pub fn commit_file(
        &self,
        table: &str,
        blob: &StagedBlob,
        content_type: Option<&str>,
    ) -> Result<DocumentId, EngineError> {
        Ok(self.run(16, |tx| tx.insert_file(table, blob, content_type))?.0)
    }

    /// The latest `_storage` row `id`.
    pub fn file(&self, id: &DocumentId) -> Result<Option<StoredFile>, EngineError> {
        self.begin().file(id)
    }

    /// Removes the blobs no `_storage` row refers to; the number removed.
    pub fn collect_blobs(&self) -> Result<usize, EngineError> {
        super::collect::collect(&self.inner)
    }
}
