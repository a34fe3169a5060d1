//! Snapshot export and import in Convex's ZIP layout, and JSONL / JSON-array imports.
//!
//! ```text
//! README.md
//! _tables/documents.jsonl            {"name": "messages", "id": 10001} per user table
//! <table>/documents.jsonl            one document per line, export_json encoding
//! <table>/generated_schema.jsonl     "uniform" (marks export_json)
//! _storage/…                         stored files, when asked for (`snapshot_files`; a
//!                                    component's in its own folder)
//! _components/<name>/…               a component instance's tables, laid out the same way
//!                                    (nested instances under its own `_components/`)
//! ```
//! export_json: int64 as a JSON integer, finite float64 as a number with a decimal point,
//! NaN/±∞ as `{"$float"}`, bytes as `{"$bytes"}`. Imports keep `_id`, `_creationTime` and
//! table numbers, so references between documents survive.

use std::collections::BTreeMap;
use std::io::{Read, Seek, Write};

use atrium_runtime::components::names::qualify;

use atrium_engine::Engine;
use atrium_value::json::{from_json, to_json};
use atrium_value::names::{CREATION_TIME_FIELD, ID_FIELD, split_component};
use atrium_value::{DocumentId, Object, TableNumber, Value};
use serde_json::Value as Json;

use atrium_protocol::deployment_events::{ComponentTables, SnapshotImportMetadata, action};

use crate::snapshot_files::StorageFolder;

const README: &str = "# Convex snapshot\n\nExported by Atrium's local engine. Each folder is a table; `documents.jsonl` holds one document per line.\n";

/// export_json for one value.
fn export_json(value: &Value) -> Json {
    match value {
        Value::Int64(i) => Json::from(*i),
        Value::Float64(f) if f.is_finite() => {
            serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number)
        }
        Value::Array(items) => Json::Array(items.iter().map(export_json).collect()),
        Value::Object(fields) => {
            Json::Object(fields.iter().map(|(k, v)| (k.clone(), export_json(v))).collect())
        }
        other => to_json(other),
    }
}

/// The reverse of [`export_json`]: integers are int64, numbers with a point are float64.
fn import_export_json(json: &Json) -> Result<Value, String> {
    Ok(match json {
        Json::Number(n) if n.is_i64() || n.is_u64() => {
            Value::Int64(n.as_i64().ok_or_else(|| format!("{n} does not fit an int64"))?)
        }
        Json::Array(items) => {
            Value::Array(items.iter().map(import_export_json).collect::<Result<_, _>>()?)
        }
        Json::Object(map)
            if !(map.len() == 1 && map.keys().next().is_some_and(|k| k.starts_with('$'))) =>
        {
            let mut object = Object::new();
            for (k, v) in map {
                object.insert(k.clone(), import_export_json(v)?);
            }
            Value::Object(object)
        }
        other => from_json(other).map_err(|e| e.to_string())?,
    })
}

/// The ZIP folder of a component instance's tables, as Convex lays them out:
/// `_components/a/_components/b/` for instance `a/b`; `""` for the app.
fn zip_folder(component: &str) -> String {
    component.split('/').filter(|p| !p.is_empty()).map(|p| format!("_components/{p}/")).collect()
}

/// The instance a ZIP folder (`""`, `_components/a/`, …, ending in `/`) holds; `None` for
/// a folder that is not one.
fn component_of_folder(folder: &str) -> Option<String> {
    let mut parts = folder.strip_suffix('/').unwrap_or(folder).split('/').filter(|p| !p.is_empty());
    let mut path: Vec<&str> = Vec::new();
    while let Some(marker) = parts.next() {
        if marker != "_components" {
            return None;
        }
        path.push(parts.next()?);
    }
    Some(path.join("/"))
}

/// Writes every user table at the latest commit (and with `include_storage` the stored
/// files) as a ZIP into `out`; returns (its timestamp, `out`).
pub(crate) fn export_zip<W: Write + Seek>(
    engine: &Engine,
    include_storage: bool,
    out: W,
) -> Result<(u64, W), String> {
    export_zip_with_progress(engine, include_storage, &|_, _| {}, out)
}

/// [`export_zip`], telling `progress` (documents written, documents in all) after each table.
/// Stored files are copied from their blob files into the ZIP, never held whole.
pub(crate) fn export_zip_with_progress<W: Write + Seek>(
    engine: &Engine,
    include_storage: bool,
    progress: &dyn Fn(u64, u64),
    out: W,
) -> Result<(u64, W), String> {
    let mut tx = engine.begin();
    let ts = tx.snapshot().0;
    let catalog = engine.catalog();
    let mut tables: Vec<(String, TableNumber, Vec<atrium_engine::Document>)> = Vec::new();
    for table in catalog.tables().filter(|t| !split_component(&t.name).1.starts_with('_')) {
        let documents = tx.collect_table(&table.name).map_err(|e| e.to_string())?;
        tables.push((table.name.clone(), table.number, documents));
    }
    tables.sort_by_key(|(name, _, docs)| (docs.len(), name.clone()));
    let mut zip = zip::ZipWriter::new(out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    let mut write = |path: &str, bytes: &mut dyn Read| -> Result<(), String> {
        zip.start_file(path, options).map_err(|e| e.to_string())?;
        std::io::copy(bytes, &mut zip).map(drop).map_err(|e| format!("{path}: {e}"))
    };
    write("README.md", &mut README.as_bytes())?;
    // One `_tables` index per component instance, each in its own folder.
    let mut indexes: BTreeMap<String, String> = BTreeMap::from([(String::new(), String::new())]);
    for (name, number, _) in &tables {
        let (component, table) = split_component(name);
        let index = indexes.entry(zip_folder(component)).or_default();
        index.push_str(&serde_json::json!({"name": table, "id": number.0}).to_string());
        index.push('\n');
    }
    for (folder, index) in &indexes {
        write(&format!("{folder}_tables/documents.jsonl"), &mut index.as_bytes())?;
    }
    let total: u64 = tables.iter().map(|(_, _, d)| d.len() as u64).sum();
    let mut done = 0;
    for (name, _, documents) in &tables {
        let mut lines = String::new();
        for document in documents {
            lines.push_str(&export_json(&document.to_value()).to_string());
            lines.push('\n');
        }
        let (component, table) = split_component(name);
        let folder = format!("{}{table}", zip_folder(component));
        write(&format!("{folder}/documents.jsonl"), &mut lines.as_bytes())?;
        write(&format!("{folder}/generated_schema.jsonl"), &mut &b"\"uniform\"\n"[..])?;
        done += documents.len() as u64;
        progress(done, total);
    }
    if include_storage {
        let storage: Vec<StorageFolder> = catalog
            .tables()
            .filter(|t| atrium_engine::is_storage_table(&t.name))
            .map(|t| StorageFolder {
                folder: zip_folder(split_component(&t.name).0),
                table: t.name.clone(),
            })
            .collect();
        crate::snapshot_files::export(engine, &mut tx, &storage, &mut write)?;
    }
    let out = zip.finish().map_err(|e| e.to_string())?;
    Ok((ts, out))
}

/// How an import treats existing data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ImportMode {
    RequireEmpty,
    Append,
    Replace,
    ReplaceAll,
}

impl ImportMode {
    pub(crate) fn parse(text: Option<&str>) -> Result<Self, String> {
        match text.unwrap_or("requireEmpty") {
            "requireEmpty" => Ok(ImportMode::RequireEmpty),
            "append" => Ok(ImportMode::Append),
            "replace" => Ok(ImportMode::Replace),
            "replaceAll" => Ok(ImportMode::ReplaceAll),
            other => Err(format!("Unknown import mode `{other}`")),
        }
    }
}

/// Documents to import, per table, with the table numbers a ZIP names.
struct Parsed {
    tables: BTreeMap<String, Vec<Object>>,
    numbers: BTreeMap<String, u32>,
    /// Stored files (`_storage/` in a ZIP).
    files: Vec<crate::snapshot_files::ImportedFile>,
}

fn parse_lines(text: &str, uniform: bool, table: &str) -> Result<Vec<Object>, String> {
    let mut documents = Vec::new();
    for (line_number, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let json: Json = serde_json::from_str(line)
            .map_err(|e| format!("{table}, line {}: not JSON: {e}", line_number + 1))?;
        let value = if uniform {
            import_export_json(&json)
        } else {
            from_json(&json).map_err(|e| e.to_string())
        }
        .map_err(|e| format!("{table}, line {}: {e}", line_number + 1))?;
        match value {
            Value::Object(object) => documents.push(object),
            _ => {
                return Err(format!(
                    "{table}, line {}: each line must be a JSON object",
                    line_number + 1
                ));
            }
        }
    }
    Ok(documents)
}

fn parse(
    engine: &Engine,
    bytes: &[u8],
    format: &str,
    table: Option<&str>,
) -> Result<Parsed, String> {
    let mut parsed =
        Parsed { tables: BTreeMap::new(), numbers: BTreeMap::new(), files: Vec::new() };
    let need_table =
        || table.map(str::to_owned).ok_or_else(|| format!("A {format} import needs a table name"));
    match format {
        "jsonLines" => {
            let text =
                std::str::from_utf8(bytes).map_err(|_| "The file is not UTF-8".to_owned())?;
            if text.starts_with('\u{feff}') {
                return Err("The file starts with a UTF-8 byte order mark; remove it".into());
            }
            let name = need_table()?;
            let docs = parse_lines(text, false, &name)?;
            parsed.tables.insert(name, docs);
        }
        "jsonArray" => {
            let name = need_table()?;
            let json: Json =
                serde_json::from_slice(bytes).map_err(|e| format!("The file is not JSON: {e}"))?;
            let Json::Array(items) = json else {
                return Err("A jsonArray import must hold one JSON array".into());
            };
            let mut docs = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match from_json(item).map_err(|e| format!("element {i}: {e}"))? {
                    Value::Object(object) => docs.push(object),
                    _ => return Err(format!("element {i} is not an object")),
                }
            }
            parsed.tables.insert(name, docs);
        }
        "zip" => {
            let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
                .map_err(|e| format!("Not a ZIP file: {e}"))?;
            return parse_zip(engine, archive);
        }
        "csv" => return Err("CSV imports are not supported by this engine yet; use JSONL".into()),
        other => return Err(format!("Unknown import format `{other}`")),
    }
    Ok(parsed)
}

/// A snapshot ZIP's tables and files (the files' bytes streamed into the blob store).
fn parse_zip<R: Read + Seek>(
    engine: &Engine,
    mut archive: zip::ZipArchive<R>,
) -> Result<Parsed, String> {
    let mut parsed =
        Parsed { tables: BTreeMap::new(), numbers: BTreeMap::new(), files: Vec::new() };
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| e.to_string())?;
        let name = entry.name().to_owned();
        if name.ends_with("documents.jsonl") || name.ends_with("generated_schema.jsonl") {
            let mut text = String::new();
            entry.read_to_string(&mut text).map_err(|e| format!("{name}: {e}"))?;
            files.insert(name, text);
        }
    }
    for (path, text) in &files {
        let Some(folder) = path.strip_suffix("_tables/documents.jsonl") else { continue };
        let Some(component) = component_of_folder(folder) else { continue };
        for line in text.lines() {
            let json: Json = serde_json::from_str(line).map_err(|e| format!("{path}: {e}"))?;
            if let (Some(name), Some(id)) = (json["name"].as_str(), json["id"].as_u64()) {
                parsed.numbers.insert(qualify(&component, name), id as u32);
            }
        }
    }
    for (path, text) in &files {
        let Some(folder) = path.strip_suffix("/documents.jsonl") else { continue };
        // `_components/a/_components/b/t` is table `t` of instance `a/b`.
        let (prefix, table) = folder.rsplit_once('/').map_or(("", folder), |(p, t)| (p, t));
        let prefix = if prefix.is_empty() { String::new() } else { format!("{prefix}/") };
        let Some(component) = component_of_folder(&prefix) else { continue };
        if table.starts_with('_') {
            continue;
        }
        let uniform = files
            .get(&format!("{folder}/generated_schema.jsonl"))
            .is_some_and(|s| s.trim() == "\"uniform\"");
        let name = qualify(&component, table);
        parsed.tables.insert(name.clone(), parse_lines(text, uniform, &name)?);
    }
    let storage: Vec<StorageFolder> = crate::snapshot_files::storage_folders(archive.file_names())
        .into_iter()
        .filter_map(|folder| {
            let component = component_of_folder(&folder)?;
            Some(StorageFolder { table: qualify(&component, atrium_engine::STORAGE_TABLE), folder })
        })
        .collect();
    parsed.files = crate::snapshot_files::read(engine, &mut archive, &storage)?;
    Ok(parsed)
}

/// Imports in one transaction; returns how many documents were written.
pub(crate) fn import(
    engine: &Engine,
    bytes: &[u8],
    format: &str,
    table: Option<&str>,
    mode: ImportMode,
    requestor: Requestor,
) -> Result<u64, String> {
    // (A ZIP's files' bytes go in first; their rows commit with the documents.)
    let parsed = parse(engine, bytes, format, table)?;
    let format = match (format, table) {
        ("zip", _) => serde_json::json!({"format": "zip"}),
        (format, table) => serde_json::json!({"format": format, "table": table.unwrap_or("")}),
    };
    import_parsed(engine, parsed, mode, Recorded { format, requestor })
}

/// Who asked for an import, as its deployment event says: the CLI's import route, or a
/// snapshot restored from the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Requestor {
    SnapshotImport,
    SnapshotRestore,
}

/// What an import's deployment event says besides its tables.
struct Recorded {
    format: Json,
    requestor: Requestor,
}

/// Imports a snapshot ZIP file, reading its entries from the file (a stored file's bytes
/// streamed into the blob store) in one transaction; how many documents were written.
pub(crate) fn import_zip_file(
    engine: &Engine,
    file: std::fs::File,
    mode: ImportMode,
    requestor: Requestor,
) -> Result<u64, String> {
    let archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| format!("Not a ZIP file: {e}"))?;
    let parsed = parse_zip(engine, archive)?;
    let format = serde_json::json!({"format": "zip"});
    import_parsed(engine, parsed, mode, Recorded { format, requestor })
}

/// The `snapshot_import` event of an import that wrote `written` into `tables` and
/// emptied `deleted` (names, never contents).
fn import_event(
    mode: ImportMode,
    tables: Vec<String>,
    deleted: Vec<String>,
    recorded: &Recorded,
) -> SnapshotImportMetadata {
    let by_component = |names: Vec<String>| {
        let mut grouped: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
        for name in names {
            let (component, table) = split_component(&name);
            let component = (!component.is_empty()).then(|| component.to_owned());
            grouped.entry(component).or_default().push(table.to_owned());
        }
        grouped
            .into_iter()
            .map(|(component, table_names)| ComponentTables { component, table_names })
            .collect::<Vec<_>>()
    };
    let (count, count_deleted) = (tables.len() as f64, deleted.len() as f64);
    let requestor = match recorded.requestor {
        Requestor::SnapshotImport => "snapshotImport",
        Requestor::SnapshotRestore => "snapshotRestore",
    };
    SnapshotImportMetadata {
        table_names: by_component(tables),
        table_count: count,
        import_mode: format!("{mode:?}"),
        import_format: recorded.format.clone(),
        requestor: serde_json::json!({"type": requestor}),
        table_names_deleted: by_component(deleted),
        table_count_deleted: count_deleted,
    }
}

fn import_parsed(
    engine: &Engine,
    parsed: Parsed,
    mode: ImportMode,
    recorded: Recorded,
) -> Result<u64, String> {
    atrium_engine::fault::point(atrium_engine::fault::points::SNAPSHOT_IMPORT);
    let (written, _) = engine
        .run(1, |tx| {
            let mut written = 0u64;
            let mut targets: Vec<String> = parsed.tables.keys().cloned().collect();
            if mode == ImportMode::ReplaceAll {
                targets.extend(
                    engine
                        .catalog()
                        .tables()
                        .map(|t| t.name.clone())
                        .filter(|n| !split_component(n).1.starts_with('_')),
                );
            }
            for name in &targets {
                if tx.table_number(name).is_none() {
                    continue;
                }
                let existing = tx.collect_table(name)?;
                match mode {
                    ImportMode::RequireEmpty if !existing.is_empty() && parsed.tables.contains_key(name) => {
                        return Err(atrium_engine::EngineError::InvalidDocumentFields(format!(
                            "table `{name}` is not empty ({} documents); import with --replace or --append",
                            existing.len()
                        )));
                    }
                    ImportMode::Replace | ImportMode::ReplaceAll => {
                        for document in existing {
                            tx.delete(&document.id)?;
                        }
                    }
                    _ => {}
                }
            }
            for (name, documents) in &parsed.tables {
                let number = tx.ensure_table(name, parsed.numbers.get(name).map(|n| TableNumber(*n)))?;
                for document in documents {
                    let mut fields = document.clone();
                    let id = fields.remove(ID_FIELD).and_then(|v| v.as_str().and_then(|s| DocumentId::decode(s).ok()));
                    let creation = match fields.remove(CREATION_TIME_FIELD) {
                        Some(Value::Float64(t)) => Some(t),
                        Some(Value::Int64(t)) => Some(t as f64),
                        _ => None,
                    };
                    match (id.filter(|id| id.table == number), creation) {
                        (Some(id), Some(creation)) if tx.get(&id)?.is_none() => {
                            tx.insert_with_id(name, id, creation, fields)?
                        }
                        _ => {
                            tx.insert(name, fields)?;
                        }
                    }
                    written += 1;
                }
            }
            written += crate::snapshot_files::restore(tx, &parsed.files)?;
            let tables: Vec<String> = parsed.tables.keys().cloned().collect();
            let deleted: Vec<String> = match mode {
                ImportMode::Replace | ImportMode::ReplaceAll => targets
                    .iter()
                    .filter(|t| !parsed.tables.contains_key(*t))
                    .cloned()
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                _ => Vec::new(),
            };
            let event = import_event(mode, tables, deleted, &recorded);
            crate::deployment_events::record(tx, action::SNAPSHOT_IMPORT, &event)?;
            Ok(written)
        })
        .map_err(|e| e.to_string())?;
    Ok(written)
}

/// A document ID for a record of a virtual system table (`_exports`, `_snapshot_imports`).
pub(crate) fn record_id(table: u32) -> (String, f64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    let mut random = [0u8; 14];
    getrandom::fill(&mut random).expect("the OS random source is available");
    (DocumentId::new(TableNumber(table), random, now).encode(), now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_json_keeps_types_apart() {
        let value = Value::Array(vec![
            Value::Int64(5),
            Value::Float64(5.0),
            Value::Float64(f64::NAN),
            Value::Bytes(vec![1]),
        ]);
        let json = export_json(&value);
        assert_eq!(json.to_string(), r#"[5,5.0,{"$float":"AAAAAAAA+H8="},{"$bytes":"AQ=="}]"#);
        assert_eq!(
            import_export_json(&serde_json::from_str(&json.to_string()).unwrap()).unwrap(),
            value
        );
    }

    #[test]
    fn round_trip_through_a_zip_keeps_ids_and_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let source = Engine::open(&dir.path().join("a.sqlite3"), Default::default()).unwrap();
        let mut fields = Object::new();
        fields.insert("n".into(), Value::Int64(7));
        let (id, _) = source.run(1, |tx| tx.insert("things", fields.clone())).unwrap();
        let (_, zip) = export_zip(&source, false, std::io::Cursor::new(Vec::new())).unwrap();
        let zip = zip.into_inner();

        let target = Engine::open(&dir.path().join("b.sqlite3"), Default::default()).unwrap();
        assert_eq!(
            import(&target, &zip, "zip", None, ImportMode::RequireEmpty, Requestor::SnapshotImport)
                .unwrap(),
            1
        );
        let copy = target.begin().get(&id).unwrap().expect("same ID");
        assert_eq!(copy.fields["n"], Value::Int64(7));
        let again =
            import(&target, &zip, "zip", None, ImportMode::RequireEmpty, Requestor::SnapshotImport)
                .unwrap_err();
        assert!(again.contains("not empty"), "{again}");
        assert_eq!(
            import(&target, &zip, "zip", None, ImportMode::Replace, Requestor::SnapshotImport)
                .unwrap(),
            1
        );
        assert_eq!(target.count("things").unwrap(), 1);
    }

    #[test]
    fn component_tables_travel_in_convex_components_folders() {
        let dir = tempfile::tempdir().unwrap();
        let source = Engine::open(&dir.path().join("a.sqlite3"), Default::default()).unwrap();
        let mut fields = Object::new();
        fields.insert("n".into(), Value::Int64(1));
        let ((app, nested), _) = source
            .run(1, |tx| {
                let app = tx.insert("counters", fields.clone())?;
                let nested = tx.insert("pool/worker/counters", fields.clone())?;
                tx.insert_system("pool/_scheduled_functions", fields.clone())?;
                Ok((app, nested))
            })
            .unwrap();
        let (_, zip) = export_zip(&source, false, std::io::Cursor::new(Vec::new())).unwrap();
        let zip = zip.into_inner();
        let names = entry_names(&zip);
        assert!(
            names.contains(&"_components/pool/_components/worker/counters/documents.jsonl".into())
        );
        assert!(
            names.contains(&"_components/pool/_components/worker/_tables/documents.jsonl".into())
        );
        assert!(!names.iter().any(|n| n.contains("_scheduled_functions")), "{names:?}");

        let target = Engine::open(&dir.path().join("b.sqlite3"), Default::default()).unwrap();
        assert_eq!(
            import(&target, &zip, "zip", None, ImportMode::RequireEmpty, Requestor::SnapshotImport)
                .unwrap(),
            2
        );
        let mut tx = target.begin();
        assert_eq!(tx.table_name(nested.table).as_deref(), Some("pool/worker/counters"));
        assert!(tx.get(&nested).unwrap().is_some() && tx.get(&app).unwrap().is_some());
        assert_eq!(component_of_folder("_components/a/_components/b/").as_deref(), Some("a/b"));
        assert_eq!(component_of_folder("other/"), None);
    }

    /// The entry names of a ZIP.
    fn entry_names(zip: &[u8]) -> Vec<String> {
        zip::ZipArchive::new(std::io::Cursor::new(zip))
            .unwrap()
            .file_names()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn a_components_files_travel_in_its_own_folder() {
        let dir = tempfile::tempdir().unwrap();
        let source = Engine::open(&dir.path().join("a.sqlite3"), Default::default()).unwrap();
        let app = source.store_file(b"app bytes", Some("text/plain")).unwrap();
        let blob = source.blobs().put(b"component bytes").unwrap();
        let pooled = source.commit_file("pool/_storage", &blob, Some("text/plain")).unwrap();
        let (_, zip) = export_zip(&source, true, std::io::Cursor::new(Vec::new())).unwrap();
        let zip = zip.into_inner();
        let names = entry_names(&zip);
        assert!(names.contains(&"_components/pool/_storage/documents.jsonl".into()), "{names:?}");
        let entry = format!("_components/pool/_storage/{}.txt", pooled.encode());
        assert!(names.contains(&entry), "{names:?}");
        assert!(names.contains(&format!("_storage/{}.txt", app.encode())), "{names:?}");

        let target = Engine::open(&dir.path().join("b.sqlite3"), Default::default()).unwrap();
        assert_eq!(
            import(&target, &zip, "zip", None, ImportMode::RequireEmpty, Requestor::SnapshotImport)
                .unwrap(),
            2
        );
        let mut tx = target.begin();
        assert_eq!(tx.table_name(pooled.table).as_deref(), Some("pool/_storage"));
        let restored = tx.file(&pooled).unwrap().expect("the component's file, same ID");
        let mut bytes = Vec::new();
        target.blobs().open_blob(&restored.sha256).unwrap().read_to_end(&mut bytes).unwrap();
        assert_eq!(bytes, b"component bytes");
        assert!(tx.file(&app).unwrap().is_some(), "the app's file too");
    }

    #[test]
    fn jsonl_imports_and_bad_lines_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(&dir.path().join("c.sqlite3"), Default::default()).unwrap();
        let good = b"{\"a\": 1}\n{\"a\": 2}\n";
        assert_eq!(
            import(
                &engine,
                good,
                "jsonLines",
                Some("rows"),
                ImportMode::Append,
                Requestor::SnapshotImport
            )
            .unwrap(),
            2
        );
        let bad = b"{\"a\": 1}\nnot json\n";
        let err = import(
            &engine,
            bad,
            "jsonLines",
            Some("rows"),
            ImportMode::Append,
            Requestor::SnapshotImport,
        )
        .unwrap_err();
        assert!(err.contains("line 2"), "{err}");
        assert_eq!(engine.count("rows").unwrap(), 2, "nothing of the failed import was written");
    }
}
