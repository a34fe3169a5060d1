//! Targets for bulk bodies: snapshot ZIPs and JSONL imports into a real engine (one per
//! process, in a temporary folder), and push bodies (Brotli-compressed JSON).

use std::sync::OnceLock;

use atrium_engine::{Engine, EngineOptions};

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<(tempfile::TempDir, Engine)> = OnceLock::new();
    let (_, engine) = ENGINE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let engine = Engine::open(&dir.path().join("fuzz.sqlite3"), EngineOptions::default())
            .expect("a new engine opens");
        (dir, engine)
    });
    engine
}

/// A snapshot ZIP, imported replacing everything.
pub fn snapshot_zip(data: &[u8]) {
    let _ = atrium_server::fuzzing::import(engine(), data, "zip", None, "replaceAll");
}

/// A JSONL file, imported into one table (replacing it): a valid import writes one
/// document per line, and the table then holds exactly those.
pub fn jsonl_import(data: &[u8]) {
    let engine = engine();
    let written = atrium_server::fuzzing::import(engine, data, "jsonLines", Some("t"), "replace");
    if let Ok(written) = written {
        let text = std::str::from_utf8(data).expect("an import that succeeded was UTF-8");
        let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
        assert_eq!(written, lines as u64, "every line of a valid import is written");
        assert_eq!(engine.count("t").expect("the table counts"), written);
    }
}

/// A push body: the first byte says whether the rest is Brotli.
pub fn push_body(data: &[u8]) {
    let Some((first, body)) = data.split_first() else { return };
    let _ = atrium_server::fuzzing::push_body(first & 1 == 1, body);
}
