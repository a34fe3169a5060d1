//! Documents to a polars frame and back: Convex documents become rows (nested objects as
//! structs, arrays as lists, int64 as Int64, bytes as base64 text), with a note for every
//! field whose values have no common type and were turned into text; frame rows become
//! plain JSON for the grid; and a frame is flattened for CSV (nested values as JSON text).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

use atrium_value::Value;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use polars::prelude::*;
use serde_json::Value as Json;

/// The JSON kinds a field's values take, for finding fields without a common type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Number,
    Boolean,
    Text,
    List,
    Object,
}

impl Kind {
    fn of(value: &Json) -> Option<Kind> {
        match value {
            Json::Null => None,
            Json::Bool(_) => Some(Kind::Boolean),
            Json::Number(_) => Some(Kind::Number),
            Json::String(_) => Some(Kind::Text),
            Json::Array(_) => Some(Kind::List),
            Json::Object(_) => Some(Kind::Object),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Number => "number",
            Kind::Boolean => "boolean",
            Kind::Text => "string",
            Kind::List => "array",
            Kind::Object => "object",
        }
    }
}

/// A Convex value as plain JSON for polars: int64 as a JSON integer, bytes as base64 text,
/// NaN and ±Infinity as null (JSON has no such numbers; `non_finite` counts them).
fn plain(value: &Value, non_finite: &mut u64) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Int64(i) => Json::from(*i),
        Value::Float64(f) => serde_json::Number::from_f64(*f).map_or_else(
            || {
                *non_finite += 1;
                Json::Null
            },
            Json::Number,
        ),
        Value::Boolean(b) => Json::Bool(*b),
        Value::String(s) => Json::String(s.clone()),
        Value::Bytes(b) => Json::String(BASE64.encode(b)),
        Value::Array(items) => Json::Array(items.iter().map(|v| plain(v, non_finite)).collect()),
        Value::Object(fields) => {
            Json::Object(fields.iter().map(|(k, v)| (k.clone(), plain(v, non_finite))).collect())
        }
    }
}

/// Records the kinds of every value at every path (`a`, `a.b`, `a[]`) of `value`.
fn record_kinds(path: &str, value: &Json, kinds: &mut BTreeMap<String, BTreeSet<Kind>>) {
    let Some(kind) = Kind::of(value) else { return };
    kinds.entry(path.to_owned()).or_default().insert(kind);
    match value {
        Json::Object(fields) => {
            for (key, v) in fields {
                record_kinds(&format!("{path}.{key}"), v, kinds);
            }
        }
        Json::Array(items) => {
            for v in items {
                record_kinds(&format!("{path}[]"), v, kinds);
            }
        }
        _ => {}
    }
}

/// Replaces the value at `path` (relative, as recorded) with its JSON text where it is not
/// already a string.
fn stringify_at(value: &mut Json, path: &[&str]) {
    let Some((first, rest)) = path.split_first() else {
        if !value.is_string() && !value.is_null() {
            *value = Json::String(value.to_string());
        }
        return;
    };
    match (*first, value) {
        ("[]", Json::Array(items)) => items.iter_mut().for_each(|v| stringify_at(v, rest)),
        (key, Json::Object(fields)) => {
            if let Some(v) = fields.get_mut(key) {
                stringify_at(v, rest);
            }
        }
        _ => {}
    }
}

fn split_path(path: &str) -> Vec<&str> {
    // `a.b[].c` → ["a", "b", "[]", "c"]
    let mut parts = Vec::new();
    for segment in path.split('.') {
        let mut segment = segment;
        let mut lists = 0;
        while let Some(stripped) = segment.strip_suffix("[]") {
            segment = stripped;
            lists += 1;
        }
        parts.push(segment);
        parts.extend(std::iter::repeat_n("[]", lists));
    }
    parts
}

/// The documents of `table` as a frame (`_id` and `_creationTime` first), and notes about
/// values that were changed to fit: mixed-type fields made text, NaN/Infinity made null.
pub fn documents_to_frame(
    table: &str,
    documents: &[Value],
) -> PolarsResult<(DataFrame, Vec<String>)> {
    let mut non_finite = 0;
    let mut rows: Vec<Json> = documents.iter().map(|d| plain(d, &mut non_finite)).collect();
    let mut kinds = BTreeMap::new();
    for row in &rows {
        if let Json::Object(fields) = row {
            for (key, v) in fields {
                record_kinds(key, v, &mut kinds);
            }
        }
    }
    let mut notes = Vec::new();
    // The outermost mixed paths only: stringifying one covers everything under it.
    let mut mixed: Vec<(&String, &BTreeSet<Kind>)> = Vec::new();
    for (path, set) in &kinds {
        if set.len() > 1 && !mixed.iter().any(|(outer, _)| path.starts_with(outer.as_str())) {
            mixed.push((path, set));
        }
    }
    for (path, set) in &mixed {
        let parts = split_path(path);
        for row in &mut rows {
            stringify_at(row, &parts);
        }
        let names: Vec<&str> = set.iter().map(|k| k.name()).collect();
        notes.push(format!(
            "`{table}.{path}` holds {} values, which have no common column type: it is a \
             string column here, the non-string values written as JSON text.",
            names.join(" and ")
        ));
    }
    if non_finite > 0 {
        notes.push(format!(
            "{non_finite} NaN or Infinity value{} in `{table}` became null (JSON, which the \
             frame is read from, has no such numbers).",
            if non_finite == 1 { "" } else { "s" }
        ));
    }
    if rows.is_empty() {
        return Ok((DataFrame::empty(), notes));
    }
    let mut text = Vec::with_capacity(rows.len() * 64);
    for row in &rows {
        serde_json::to_writer(&mut text, row).expect("JSON values serialize");
        text.push(b'\n');
    }
    let frame = JsonReader::new(Cursor::new(text))
        .with_json_format(JsonFormat::JsonLines)
        .infer_schema_len(None)
        .finish()?;
    let mut order: Vec<PlSmallStr> = ["_id", "_creationTime"]
        .into_iter()
        .filter(|c| frame.schema().contains(c))
        .map(PlSmallStr::from)
        .collect();
    order.extend(
        frame
            .get_column_names()
            .into_iter()
            .filter(|c| c.as_str() != "_id" && c.as_str() != "_creationTime")
            .cloned(),
    );
    Ok((frame.select(order)?, notes))
}

/// Rows `offset..offset + limit` of `frame` as JSON objects (column order kept).
pub fn rows_as_json(frame: &DataFrame, offset: usize, limit: usize) -> PolarsResult<Vec<Json>> {
    let mut slice = frame.slice(offset as i64, limit);
    let mut text = Vec::new();
    JsonWriter::new(&mut text).with_json_format(JsonFormat::JsonLines).finish(&mut slice)?;
    text.split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            serde_json::from_slice(line).map_err(|e| polars_err!(ComputeError: "row JSON: {e}"))
        })
        .collect()
}

/// `frame` with every struct and list column as JSON text, for formats without nesting.
pub fn flatten_for_csv(frame: &DataFrame) -> PolarsResult<DataFrame> {
    let nested: Vec<String> = frame
        .columns()
        .iter()
        .filter(|c| matches!(c.dtype(), DataType::Struct(_) | DataType::List(_)))
        .map(|c| c.name().to_string())
        .collect();
    if nested.is_empty() {
        return Ok(frame.clone());
    }
    let mut out = frame.clone();
    for name in nested {
        let rows = rows_as_json(&frame.select([name.as_str()])?, 0, frame.height())?;
        let texts: Vec<Option<String>> = rows
            .iter()
            .map(|row| match &row[name.as_str()] {
                Json::Null => None,
                value => Some(value.to_string()),
            })
            .collect();
        out.with_column(Column::new(name.as_str().into(), texts))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn docs(values: Json) -> Vec<Value> {
        values
            .as_array()
            .unwrap()
            .iter()
            .map(|v| atrium_value::json::from_json(v).unwrap())
            .collect()
    }

    #[test]
    fn nested_objects_become_structs_and_mixed_fields_text() {
        let documents = docs(json!([
            {"_id": "a", "_creationTime": 1.0, "n": {"$integer": "BQAAAAAAAAA="},
             "profile": {"city": "Tokyo", "age": 30}, "tags": ["x", "y"], "code": 7},
            {"_id": "b", "_creationTime": 2.0, "n": {"$integer": "BgAAAAAAAAA="},
             "profile": {"city": "Oslo", "age": "forty"}, "tags": [], "code": "seven"},
        ]));
        let (frame, notes) = documents_to_frame("users", &documents).unwrap();
        assert_eq!(frame.get_column_names()[..2], ["_id", "_creationTime"]);
        assert_eq!(frame.column("n").unwrap().dtype(), &DataType::Int64);
        assert!(matches!(frame.column("profile").unwrap().dtype(), DataType::Struct(_)));
        assert!(matches!(frame.column("tags").unwrap().dtype(), DataType::List(_)));
        assert_eq!(frame.column("code").unwrap().dtype(), &DataType::String);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("`users.code` holds number and string"), "{notes:?}");
        assert!(notes[1].contains("`users.profile.age`"), "{notes:?}");

        let rows = rows_as_json(&frame, 1, 10).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["profile"], json!({"city": "Oslo", "age": "forty"}));
        assert_eq!(rows[0]["code"], "seven");
        let first = rows_as_json(&frame, 0, 1).unwrap();
        assert_eq!(first[0]["code"], "7.0", "the number (a float64) is kept as its JSON text");
        assert_eq!(first[0]["profile"]["age"], "30.0");

        let flat = flatten_for_csv(&frame).unwrap();
        assert_eq!(flat.column("profile").unwrap().dtype(), &DataType::String);
        let rows = rows_as_json(&flat, 0, 1).unwrap();
        assert_eq!(rows[0]["tags"], "[\"x\",\"y\"]");
    }

    #[test]
    fn paths_split_at_dots_and_lists() {
        assert_eq!(split_path("a.b[].c"), vec!["a", "b", "[]", "c"]);
        assert_eq!(split_path("a[][]"), vec!["a", "[]", "[]"]);
    }
}
