//! File storage's blob store: content-addressed files committed with their `_storage` row,
//! shared by identical uploads, collected once no row refers to them, and swept of
//! leftovers (a crash between rename and commit, half-written temp files) at start-up.

use std::io::Write;

use atrium_engine::{Engine, EngineOptions, STORAGE_TABLE};
use sha2::{Digest, Sha256};

fn blob_files(engine: &Engine) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(engine.blobs().root()).unwrap() {
        let dir = dir.unwrap();
        if dir.file_type().unwrap().is_dir() {
            out.extend(std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()));
        }
    }
    out.retain(|p| !p.starts_with(engine.blobs().root().join("tmp")));
    out
}

#[test]
fn a_stored_file_has_its_row_and_its_bytes_under_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(&dir.path().join("d.sqlite3"), EngineOptions::default()).unwrap();
    let id = engine.store_file(b"hello, files", Some("text/plain")).unwrap();
    let file = engine.file(&id).unwrap().expect("the row is committed");
    assert_eq!(file.size, 12);
    assert_eq!(file.content_type.as_deref(), Some("text/plain"));
    let digest: [u8; 32] = Sha256::digest(b"hello, files").into();
    assert_eq!(file.sha256, digest);
    assert_eq!(engine.blobs().read(&file.sha256).unwrap(), b"hello, files");
    assert!(engine.blobs().path_of(&digest).ends_with(hex::encode(digest)));
    // `_storage` is readable like any table, with Convex's fields.
    let rows = engine.begin().collect_table(STORAGE_TABLE).unwrap();
    assert_eq!(rows.len(), 1);
    let value = rows[0].to_value();
    assert_eq!(
        value.get_path(["sha256"]).and_then(|v| v.as_str()),
        Some(file.sha256_base64().as_str())
    );
    assert!(id.encode().starts_with("kg2"), "{id}");
}

#[test]
fn identical_bytes_share_a_blob_until_the_last_row_goes() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(&dir.path().join("d.sqlite3"), EngineOptions::default()).unwrap();
    let a = engine.store_file(b"same", None).unwrap();
    let b = engine.store_file(b"same", Some("application/octet-stream")).unwrap();
    assert_ne!(a, b);
    assert_eq!(blob_files(&engine).len(), 1);
    engine.run(1, |tx| tx.delete(&a)).unwrap();
    engine.collect_blobs().unwrap();
    assert_eq!(blob_files(&engine).len(), 1, "b still refers to the blob");
    engine.run(1, |tx| tx.delete(&b)).unwrap();
    engine.collect_blobs().unwrap();
    assert!(blob_files(&engine).is_empty());
    assert_eq!(engine.file(&b).unwrap(), None);
}

#[test]
fn a_pinned_blob_survives_collection_until_its_row_commits() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(&dir.path().join("d.sqlite3"), EngineOptions::default()).unwrap();
    let staged = engine.blobs().put(b"in flight").unwrap();
    assert_eq!(engine.collect_blobs().unwrap(), 0, "a staged blob is pinned");
    let id = engine.commit_file(atrium_engine::STORAGE_TABLE, &staged, None).unwrap();
    drop(staged);
    assert_eq!(engine.collect_blobs().unwrap(), 0, "now its row refers to it");
    assert_eq!(engine.file(&id).unwrap().unwrap().size, 9);
    // Abandoned after staging (the writer failed before committing): collected.
    drop(engine.blobs().put(b"abandoned").unwrap());
    assert_eq!(engine.collect_blobs().unwrap(), 1);
}

#[test]
fn start_up_sweeps_unreferenced_blobs_and_half_written_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.sqlite3");
    let (kept, root) = {
        let engine = Engine::open(&path, EngineOptions::default()).unwrap();
        let kept = engine.store_file(b"kept", None).unwrap();
        // As if killed between the rename and the commit…
        std::mem::forget(engine.blobs().put(b"renamed, never committed").unwrap());
        // …and in the middle of writing another.
        let mut half = engine.blobs().writer().unwrap();
        half.write_all(b"half a fi").unwrap();
        std::mem::forget(half);
        assert_eq!(blob_files(&engine).len(), 2);
        (kept, engine.blobs().root().to_path_buf())
    };
    assert_eq!(std::fs::read_dir(root.join("tmp")).unwrap().count(), 1);
    let engine = Engine::open(&path, EngineOptions::default()).unwrap();
    assert_eq!(blob_files(&engine).len(), 1);
    assert_eq!(std::fs::read_dir(root.join("tmp")).unwrap().count(), 0);
    let file = engine.file(&kept).unwrap().unwrap();
    assert_eq!(engine.blobs().read(&file.sha256).unwrap(), b"kept");
}

#[test]
fn deleting_a_row_collects_its_blob_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(&dir.path().join("d.sqlite3"), EngineOptions::default()).unwrap();
    let id = engine.store_file(b"to be deleted", None).unwrap();
    let path = engine.blobs().path_of(&engine.file(&id).unwrap().unwrap().sha256);
    assert!(path.exists());
    engine.run(1, |tx| tx.delete(&id)).unwrap();
    // The collector thread runs after the commit; wait for it (no time limit asserted).
    while path.exists() {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}
