//! File storage's bytes: a content-addressed blob store beside the deployment's SQLite
//! file (`<file stem>.files/`), and the `_storage` rows that refer to it.
//!
//! A blob is written to `tmp/` first (hashed with SHA-256 while written, synced), then
//! renamed to `<two hex digits>/<sha256 hex>`; only then may a transaction insert a
//! `_storage` row naming its hash, so a crash never leaves a row pointing at half a file.
//! A renamed blob is *pinned* until the caller has committed (or abandoned) its row.
//! Collection removes the files no `_storage` row refers to and no writer has pinned; it
//! runs at start-up (with every leftover in `tmp/`), and in the background after a commit
//! deletes a `_storage` row. Each component instance stores its files in a storage table of
//! its own (`<path>/_storage`, [`is_storage_table`]); collection reads them all. Collection holds the pin lock throughout, so a blob pinned
//! before it started is kept and one pinned after waits for it to finish.
//!
//! It must not know HTTP or JavaScript: the server streams uploads into a [`BlobWriter`]
//! (or a temp file of its own from [`BlobStore::temp_path`]), the runtime stores bytes.

pub(crate) mod collect;
mod engine_api;
pub(crate) mod store;

pub use store::{
    BlobStore, BlobWriter, STORAGE_TABLE, StagedBlob, StoredFile, decode_sha256, is_storage_table,
};
