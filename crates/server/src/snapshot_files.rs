//! File storage in snapshots, in Convex's ZIP layout:
//!
//! ```text
//! _storage/documents.jsonl     {"_id", "_creationTime", "sha256" (base64), "size", "contentType"}
//! _storage/<id><.ext>          the file's bytes (the extension guessed from its type)
//! _components/<name>/_storage/ a component instance's files, laid out the same way
//! ```
//! Export writes them when asked (`--include-file-storage`); import puts the bytes back in
//! the blob store and the rows under their old IDs, so URLs and references still work.
//! Bytes are streamed both ways (blob file → ZIP entry, ZIP entry → blob writer), so a
//! big file is never held in memory.
//!
//! It must not know about user tables nor where a component's folder is (`snapshot.rs`
//! says: each storage table comes with its ZIP folder) nor HTTP.

use std::collections::BTreeMap;
use std::io::{Read, Seek};

use atrium_engine::{Engine, StagedBlob, StoredFile, Transaction, decode_sha256};
use atrium_value::DocumentId;
use serde_json::{Value as Json, json};

const DOCUMENTS: &str = "_storage/documents.jsonl";

/// A storage table (`_storage`, `<path>/_storage`) and its ZIP folder (`""`,
/// `_components/<name>/`, …, ending in `/`).
pub(crate) struct StorageFolder {
    pub table: String,
    pub folder: String,
}

/// Adds one ZIP entry (path, its bytes as a reader).
pub(crate) type WriteEntry<'a> = dyn FnMut(&str, &mut dyn Read) -> Result<(), String> + 'a;

/// Writes the files of each storage table `tx` sees into its folder (`write(path, bytes)`
/// adds a ZIP entry).
pub(crate) fn export(
    engine: &Engine,
    tx: &mut Transaction,
    tables: &[StorageFolder],
    write: &mut WriteEntry<'_>,
) -> Result<(), String> {
    for StorageFolder { table, folder } in tables {
        let rows = tx.collect_table(table).map_err(|e| e.to_string())?;
        let files: Vec<StoredFile> = rows.iter().filter_map(StoredFile::from_document).collect();
        if files.is_empty() && !folder.is_empty() {
            continue;
        }
        let mut lines = String::new();
        for file in &files {
            let line = json!({
                "_id": file.id.encode(),
                "_creationTime": file.creation_time,
                "sha256": file.sha256_base64(),
                "size": file.size,
                "contentType": file.content_type,
            });
            lines.push_str(&line.to_string());
            lines.push('\n');
        }
        write(&format!("{folder}{DOCUMENTS}"), &mut lines.as_bytes())?;
        for file in &files {
            let mut blob = engine
                .blobs()
                .open_blob(&file.sha256)
                .map_err(|e| format!("file {}: {e}", file.id.encode()))?;
            let name = format!("{folder}_storage/{}{}", file.id.encode(), extension(file));
            write(&name, &mut blob)?;
        }
    }
    Ok(())
}

/// The folders (ending in `/`, `""` for the app) of a ZIP's entries that hold a
/// `_storage/documents.jsonl`.
pub(crate) fn storage_folders<'n>(names: impl Iterator<Item = &'n str>) -> Vec<String> {
    names.filter_map(|n| n.strip_suffix(DOCUMENTS)).map(str::to_owned).collect()
}

/// `.png` for `image/png`; nothing when the type is unknown or missing. Where a type has
/// several extensions the usual one wins (`.txt`, not `.asm`, for `text/plain`).
fn extension(file: &StoredFile) -> String {
    const USUAL: &[&str] = &["txt", "jpg", "html", "js", "mp3", "mp4", "csv", "md", "svg"];
    let Some(content_type) = file.content_type.as_deref() else { return String::new() };
    let essence = content_type.split(';').next().unwrap_or(content_type).trim();
    let Some(extensions) = mime_guess::get_mime_extensions_str(essence) else {
        return String::new();
    };
    let usual = extensions.iter().find(|e| USUAL.contains(e));
    usual.or(extensions.first()).map(|e| format!(".{e}")).unwrap_or_default()
}

/// A file read from a snapshot, its bytes already in the blob store (pinned until the
/// import commits or fails).
pub(crate) struct ImportedFile {
    table: String,
    id: DocumentId,
    creation_time: f64,
    content_type: Option<String>,
    blob: StagedBlob,
}

/// The files of each storage folder in a snapshot ZIP (none for a folder without a
/// `_storage/documents.jsonl`), each entry streamed into the blob store and checked
/// against its `sha256`.
pub(crate) fn read<R: Read + Seek>(
    engine: &Engine,
    archive: &mut zip::ZipArchive<R>,
    folders: &[StorageFolder],
) -> Result<Vec<ImportedFile>, String> {
    let mut files = Vec::new();
    for folder in folders {
        read_folder(engine, archive, folder, &mut files)?;
    }
    Ok(files)
}

fn read_folder<R: Read + Seek>(
    engine: &Engine,
    archive: &mut zip::ZipArchive<R>,
    StorageFolder { table, folder }: &StorageFolder,
    files: &mut Vec<ImportedFile>,
) -> Result<(), String> {
    let documents = format!("{folder}{DOCUMENTS}");
    let mut text = String::new();
    match archive.by_name(&documents) {
        Ok(mut entry) => {
            entry.read_to_string(&mut text).map_err(|e| format!("{documents}: {e}"))?
        }
        Err(_) => return Ok(()),
    };
    // Blob entries by the ID their name starts with.
    let prefix = format!("{folder}_storage/");
    let mut blobs: BTreeMap<String, String> = BTreeMap::new();
    for name in archive.file_names() {
        if let Some(rest) = name.strip_prefix(&prefix)
            && name != documents
            && !rest.contains('/')
        {
            let id = rest.split('.').next().unwrap_or(rest);
            blobs.insert(id.to_owned(), name.to_owned());
        }
    }
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let at = || format!("{documents}, line {}", n + 1);
        let row: Json = serde_json::from_str(line).map_err(|e| format!("{}: {e}", at()))?;
        let text_id = row["_id"].as_str().ok_or_else(|| format!("{}: no _id", at()))?;
        let id = DocumentId::decode(text_id).map_err(|e| format!("{}: {e}", at()))?;
        let name = blobs
            .get(text_id)
            .ok_or_else(|| format!("{}: the snapshot has no bytes for file {text_id}", at()))?;
        let mut entry = archive.by_name(name).map_err(|e| format!("{name}: {e}"))?;
        let mut writer = engine.blobs().writer().map_err(|e| format!("{name}: {e}"))?;
        std::io::copy(&mut entry, &mut writer).map_err(|e| format!("{name}: {e}"))?;
        let blob = writer.finish(engine.blobs()).map_err(|e| format!("{name}: {e}"))?;
        if let Some(expected) = row["sha256"].as_str().and_then(decode_sha256)
            && blob.sha256 != expected
        {
            // (Unpinned when dropped; collection removes the blob.)
            return Err(format!("{name}: the bytes do not match the file's sha256"));
        }
        files.push(ImportedFile {
            table: table.clone(),
            id,
            creation_time: row["_creationTime"].as_f64().unwrap_or(0.0),
            content_type: row["contentType"].as_str().map(str::to_owned),
            blob,
        });
    }
    Ok(())
}

/// Inserts the files' rows under their IDs (those already present are kept); the number
/// written.
pub(crate) fn restore(
    tx: &mut Transaction,
    files: &[ImportedFile],
) -> Result<u64, atrium_engine::EngineError> {
    let mut written = 0;
    for file in files {
        if tx.file(&file.id)?.is_none() {
            tx.restore_file(
                &file.table,
                file.id,
                file.creation_time,
                &file.blob,
                file.content_type.as_deref(),
            )?;
            written += 1;
        }
    }
    Ok(written)
}
