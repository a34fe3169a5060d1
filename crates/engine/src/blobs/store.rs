//! The blob store itself (files under `<file stem>.files/`, temp files, pins, the
//! collection pass) and `_storage`'s row shape. A leaf: it must not reach the engine's
//! state (`collect.rs` and `engine_api.rs` do).

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, Weak};

use atrium_value::{DocumentId, Object, Value};
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::EngineError;

/// The system table of stored files.
pub const STORAGE_TABLE: &str = "_storage";
/// `_storage`'s table number (as in Convex).
pub(crate) const STORAGE_TABLE_NUMBER: u32 = 540;

/// Whether the catalog name `table` is a storage table: the app's `_storage` or a component
/// instance's `<path>/_storage` (each instance stores its own files).
pub fn is_storage_table(table: &str) -> bool {
    atrium_value::names::split_component(table).1 == STORAGE_TABLE
}

/// The store's directory and the blobs pinned by writers that have not committed yet.
#[derive(Debug)]
pub struct BlobStore {
    root: PathBuf,
    pins: Arc<Mutex<HashMap<[u8; 32], usize>>>,
    /// A background collection is asked for (coalesces requests).
    pub(crate) requested: AtomicBool,
}

/// A file being written into the store: hashed and counted as it goes.
#[derive(Debug)]
pub struct BlobWriter {
    file: File,
    path: PathBuf,
    hasher: Sha256,
    size: u64,
}

/// A blob in place whose row is not committed yet. While it lives, collection keeps its
/// file; drop it once the commit that refers to it has finished (either way).
#[derive(Debug)]
pub struct StagedBlob {
    pub sha256: [u8; 32],
    pub size: u64,
    pins: Weak<Mutex<HashMap<[u8; 32], usize>>>,
}

/// What `_storage` says about one file.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFile {
    pub id: DocumentId,
    pub creation_time: f64,
    pub sha256: [u8; 32],
    pub size: u64,
    pub content_type: Option<String>,
}

impl BlobStore {
    /// The store beside the SQLite file `db` (created if missing). Leftover temporary
    /// files (from a crash mid-write) are removed.
    pub(crate) fn open(db: &Path) -> io::Result<Self> {
        let root = db.with_extension("files");
        let tmp = root.join("tmp");
        fs::create_dir_all(&tmp)?;
        for entry in fs::read_dir(&tmp)? {
            let path = entry?.path();
            if let Err(e) = fs::remove_file(&path) {
                tracing::warn!("cannot remove leftover upload {}: {e}", path.display());
            }
        }
        Ok(Self { root, pins: Arc::default(), requested: AtomicBool::new(false) })
    }

    /// The store's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A fresh path in the store's temporary folder, for writers that write themselves
    /// (then [`BlobStore::adopt`]).
    pub fn temp_path(&self) -> PathBuf {
        let mut random = [0u8; 12];
        getrandom::fill(&mut random).expect("the OS random source is available");
        let name: String = random.iter().map(|b| format!("{b:02x}")).collect();
        self.root.join("tmp").join(name)
    }

    /// Starts writing a blob.
    pub fn writer(&self) -> io::Result<BlobWriter> {
        let path = self.temp_path();
        let file = File::create(&path)?;
        Ok(BlobWriter { file, path, hasher: Sha256::new(), size: 0 })
    }

    /// Writes `bytes` as one blob.
    pub fn put(&self, bytes: &[u8]) -> io::Result<StagedBlob> {
        let mut writer = self.writer()?;
        writer.write_all(bytes)?;
        writer.finish(self)
    }

    /// Moves the synced temporary file `temp` (whose hash and size the caller computed)
    /// into place and pins it.
    pub fn adopt(&self, temp: &Path, sha256: [u8; 32], size: u64) -> io::Result<StagedBlob> {
        let target = self.path_of(&sha256);
        let mut pins = self.pins.lock().unwrap();
        let result = (|| {
            if let Some(dir) = target.parent() {
                fs::create_dir_all(dir)?;
            }
            if target.exists() {
                // The same bytes are already stored: keep the one copy.
                fs::remove_file(temp)
            } else {
                fs::rename(temp, &target)
            }
        })();
        if let Err(e) = result {
            let _ = fs::remove_file(temp);
            return Err(e);
        }
        *pins.entry(sha256).or_default() += 1;
        Ok(StagedBlob { sha256, size, pins: Arc::downgrade(&self.pins) })
    }

    /// Where the blob with this hash lives (whether or not it exists).
    pub fn path_of(&self, sha256: &[u8; 32]) -> PathBuf {
        let name = hex::encode(sha256);
        self.root.join(&name[..2]).join(name)
    }

    /// Opens a stored blob for reading.
    pub fn open_blob(&self, sha256: &[u8; 32]) -> io::Result<File> {
        File::open(self.path_of(sha256))
    }

    /// Reads a whole blob.
    pub fn read(&self, sha256: &[u8; 32]) -> io::Result<Vec<u8>> {
        fs::read(self.path_of(sha256))
    }

    /// Every blob file in the store, by hash.
    fn files(&self) -> io::Result<Vec<([u8; 32], PathBuf)>> {
        let mut out = Vec::new();
        for dir in fs::read_dir(&self.root)? {
            let dir = dir?;
            if dir.file_name() == "tmp" || !dir.file_type()?.is_dir() {
                continue;
            }
            for entry in fs::read_dir(dir.path())? {
                let entry = entry?;
                let mut hash = [0u8; 32];
                if hex::decode_to_slice(entry.file_name().as_encoded_bytes(), &mut hash).is_ok() {
                    out.push((hash, entry.path()));
                }
            }
        }
        Ok(out)
    }

    /// Removes the blobs not in `referenced` (read under the pin lock) and not pinned.
    pub(crate) fn collect(
        &self,
        referenced: impl FnOnce() -> Result<HashSet<[u8; 32]>, EngineError>,
    ) -> Result<usize, EngineError> {
        let pins = self.pins.lock().unwrap();
        let files = self.files().map_err(storage_error)?;
        let referenced = referenced()?;
        let mut removed = 0;
        for (hash, path) in files {
            if !referenced.contains(&hash) && !pins.contains_key(&hash) {
                fs::remove_file(&path).map_err(storage_error)?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

impl BlobWriter {
    /// Syncs the file and moves it into `store`.
    pub fn finish(mut self, store: &BlobStore) -> io::Result<StagedBlob> {
        self.file.flush()?;
        self.file.sync_all()?;
        let sha256: [u8; 32] = self.hasher.clone().finalize().into();
        store.adopt(&self.path, sha256, self.size)
    }

    /// Bytes written so far.
    pub fn size(&self) -> u64 {
        self.size
    }
}

impl Write for BlobWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let n = self.file.write(bytes)?;
        self.hasher.update(&bytes[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        // Abandoned (or finished: then the rename already moved it and this fails quietly).
        let _ = fs::remove_file(&self.path);
    }
}

impl Drop for StagedBlob {
    fn drop(&mut self) {
        if let Some(pins) = self.pins.upgrade() {
            let mut pins = pins.lock().unwrap();
            if let Some(count) = pins.get_mut(&self.sha256) {
                *count -= 1;
                if *count == 0 {
                    pins.remove(&self.sha256);
                }
            }
        }
    }
}

impl StoredFile {
    /// Reads a `_storage` document.
    pub fn from_document(document: &crate::Document) -> Option<Self> {
        let fields = &document.fields;
        let sha256 = match fields.get("sha256") {
            Some(Value::String(text)) => decode_sha256(text)?,
            _ => return None,
        };
        let size = match fields.get("size") {
            Some(Value::Int64(n)) => *n as u64,
            Some(Value::Float64(n)) => *n as u64,
            _ => return None,
        };
        let content_type = match fields.get("contentType") {
            Some(Value::String(text)) => Some(text.clone()),
            _ => None,
        };
        Some(Self {
            id: document.id,
            creation_time: document.creation_time,
            sha256,
            size,
            content_type,
        })
    }

    /// The hash as `_storage` shows it (base64, as Convex does for current clients).
    pub fn sha256_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.sha256)
    }
}

/// A SHA-256 written as base64 (current) or hex (older Convex clients).
pub fn decode_sha256(text: &str) -> Option<[u8; 32]> {
    let mut hash = [0u8; 32];
    if hex::decode_to_slice(text, &mut hash).is_ok() {
        return Some(hash);
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(text).ok()?;
    bytes.try_into().ok()
}

/// A `_storage` row's fields, as Convex shows them: the hash in base64, the size a
/// float64, a missing type `null`.
pub(crate) fn file_fields(blob: &StagedBlob, content_type: Option<&str>) -> Object {
    let mut fields = Object::new();
    fields.insert(
        "sha256".into(),
        Value::String(base64::engine::general_purpose::STANDARD.encode(blob.sha256)),
    );
    fields.insert("size".into(), Value::Float64(blob.size as f64));
    let content_type = content_type.map_or(Value::Null, |t| Value::String(t.to_owned()));
    fields.insert("contentType".into(), content_type);
    fields
}

pub(crate) fn storage_error(e: io::Error) -> EngineError {
    EngineError::Files(e.to_string())
}
