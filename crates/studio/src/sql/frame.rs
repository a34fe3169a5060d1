//! Documents to a polars frame and back: Convex documents become rows (nested objects as
//! structs, arrays as lists, int64 as Int64, bytes as base64 text), with a note for every
//! field whose values have no common type and were turned into text; frame rows become
//! plain JSON for the grid; and a frame is flattened for CSV (nested values as JSON text).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Cursor;
use std::sync::Arc;

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
    fn of(value: &Value) -> Option<Kind> {
        match value {
            Value::Null => None,
            Value::Boolean(_) => Some(Kind::Boolean),
            Value::Int64(_) | Value::Float64(_) => Some(Kind::Number),
            Value::String(_) | Value::Bytes(_) => Some(Kind::Text),
            Value::Array(_) => Some(Kind::List),
            Value::Object(_) => Some(Kind::Object),
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

/// What the documents hold at every path (`a`, `a.b`, `a[]`; the document itself is ""):
/// the kinds of its values, whether any number there is a float, and an object's fields.
#[derive(Debug, Default)]
struct Shapes {
    kinds: HashMap<String, BTreeSet<Kind>>,
    floats: HashSet<String>,
    fields: HashMap<String, BTreeSet<String>>,
}

impl Shapes {
    /// Records `value` at `path` (a reused buffer, so a path seen before costs no
    /// allocation).
    fn record(&mut self, path: &mut String, value: &Value) {
        let Some(kind) = Kind::of(value) else { return };
        match self.kinds.get_mut(path.as_str()) {
            Some(set) => {
                set.insert(kind);
            }
            None => {
                self.kinds.insert(path.clone(), BTreeSet::from([kind]));
            }
        }
        if matches!(value, Value::Float64(_)) && !self.floats.contains(path.as_str()) {
            self.floats.insert(path.clone());
        }
        let len = path.len();
        match value {
            Value::Object(fields) => {
                let known = self.fields.entry(path.clone()).or_default();
                for key in fields.keys() {
                    if !known.contains(key) {
                        known.insert(key.clone());
                    }
                }
                for (key, v) in fields.iter() {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                    self.record(path, v);
                    path.truncate(len);
                }
            }
            Value::Array(items) => {
                path.push_str("[]");
                for v in items {
                    self.record(path, v);
                }
                path.truncate(len);
            }
            _ => {}
        }
    }

    /// The column type for `path`: text where values are mixed (they are written as text)
    /// or only null; structs and lists from what they hold.
    fn dtype(&self, path: &str, mixed: &HashSet<String>) -> DataType {
        if mixed.contains(path) {
            return DataType::String;
        }
        let Some(kind) = self.kinds.get(path).and_then(|set| set.first()) else {
            return DataType::String;
        };
        match kind {
            Kind::Boolean => DataType::Boolean,
            Kind::Text => DataType::String,
            Kind::Number if self.floats.contains(path) => DataType::Float64,
            Kind::Number => DataType::Int64,
            Kind::List => DataType::List(Box::new(self.dtype(&format!("{path}[]"), mixed))),
            Kind::Object => DataType::Struct(self.struct_fields(path, mixed)),
        }
    }

    fn struct_fields(&self, path: &str, mixed: &HashSet<String>) -> Vec<Field> {
        self.fields
            .get(path)
            .map(|keys| {
                keys.iter()
                    .map(|key| {
                        let child =
                            if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                        Field::new(key.as_str().into(), self.dtype(&child, mixed))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Writes `value` as plain JSON for polars: int64 as a JSON integer, bytes as base64 text,
/// NaN and ±Infinity as null (counted in `non_finite`); at a path in `mixed`, any value
/// that is not a string is written as a string holding its JSON text.
struct PlainWriter<'a> {
    out: Vec<u8>,
    path: String,
    mixed: &'a HashSet<String>,
    non_finite: u64,
}

impl PlainWriter<'_> {
    fn value(&mut self, value: &Value) {
        if !self.mixed.is_empty()
            && !matches!(value, Value::Null | Value::String(_) | Value::Bytes(_))
            && self.mixed.contains(self.path.as_str())
        {
            // Its own JSON, nothing under it written as text again.
            let none = HashSet::new();
            let mut inner =
                PlainWriter { out: Vec::new(), path: String::new(), mixed: &none, non_finite: 0 };
            inner.value(value);
            self.non_finite += inner.non_finite;
            let text = String::from_utf8(inner.out).expect("JSON text is UTF-8");
            serde_json::to_writer(&mut self.out, &text).expect("writing to memory");
            return;
        }
        match value {
            Value::Null => self.out.extend_from_slice(b"null"),
            Value::Int64(i) => serde_json::to_writer(&mut self.out, i).expect("writing to memory"),
            Value::Float64(f) if f.is_finite() => {
                serde_json::to_writer(&mut self.out, f).expect("writing to memory")
            }
            Value::Float64(_) => {
                self.non_finite += 1;
                self.out.extend_from_slice(b"null");
            }
            Value::Boolean(b) => self.out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Value::String(s) => serde_json::to_writer(&mut self.out, s).expect("writing to memory"),
            Value::Bytes(b) => {
                serde_json::to_writer(&mut self.out, &BASE64.encode(b)).expect("writing to memory")
            }
            Value::Array(items) => {
                let len = self.path.len();
                self.path.push_str("[]");
                self.out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    self.value(item);
                }
                self.out.push(b']');
                self.path.truncate(len);
            }
            Value::Object(fields) => {
                let len = self.path.len();
                self.out.push(b'{');
                for (i, (key, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    serde_json::to_writer(&mut self.out, key).expect("writing to memory");
                    self.out.push(b':');
                    if len > 0 {
                        self.path.push('.');
                    }
                    self.path.push_str(key);
                    self.value(v);
                    self.path.truncate(len);
                }
                self.out.push(b'}');
            }
        }
    }
}

/// Reads that fell back to inference (tests check there are none).
#[cfg(test)]
static SCHEMA_FALLBACKS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The documents of `table` as a frame (`_id` and `_creationTime` first), and notes about
/// values that were changed to fit: mixed-type fields made text, NaN/Infinity made null.
pub fn documents_to_frame(
    table: &str,
    documents: &[Value],
) -> PolarsResult<(DataFrame, Vec<String>)> {
    let mut shapes = Shapes::default();
    let mut path = String::new();
    for document in documents {
        shapes.record(&mut path, document);
    }
    // The outermost mixed paths only: writing one as text covers everything under it.
    let mut candidates: Vec<(&String, &BTreeSet<Kind>)> =
        shapes.kinds.iter().filter(|(p, set)| set.len() > 1 && !p.is_empty()).collect();
    candidates.sort_by(|a, b| a.0.cmp(b.0));
    let mut mixed_paths: Vec<(&String, &BTreeSet<Kind>)> = Vec::new();
    for (p, set) in candidates {
        let under = |outer: &str| {
            p.strip_prefix(outer)
                .is_some_and(|rest| rest.starts_with('.') || rest.starts_with("[]"))
        };
        if !mixed_paths.iter().any(|(outer, _)| under(outer)) {
            mixed_paths.push((p, set));
        }
    }
    let mut notes: Vec<String> = mixed_paths
        .iter()
        .map(|(p, set)| {
            let names: Vec<&str> = set.iter().map(|k| k.name()).collect();
            format!(
                "`{table}.{p}` holds {} values, which have no common column type: it is a \
                 string column here, the non-string values written as JSON text.",
                names.join(" and ")
            )
        })
        .collect();
    let mixed: HashSet<String> = mixed_paths.iter().map(|(p, _)| (*p).clone()).collect();
    if documents.is_empty() {
        return Ok((DataFrame::empty(), notes));
    }
    let mut writer = PlainWriter {
        out: Vec::with_capacity(documents.len() * 128),
        path: String::new(),
        mixed: &mixed,
        non_finite: 0,
    };
    for document in documents {
        writer.value(document);
        writer.out.push(b'\n');
    }
    if writer.non_finite > 0 {
        notes.push(format!(
            "{} NaN or Infinity value{} in `{table}` became null (JSON, which the frame is \
             read from, has no such numbers).",
            writer.non_finite,
            if writer.non_finite == 1 { "" } else { "s" }
        ));
    }
    // The schema is known from the pass above, so polars need not infer it (a second read
    // of everything); should it refuse the text, inference is the fallback.
    let schema: Schema = shapes.struct_fields("", &mixed).into_iter().collect();
    let text = writer.out;
    let frame = match JsonReader::new(Cursor::new(text.as_slice()))
        .with_json_format(JsonFormat::JsonLines)
        .with_schema(Arc::new(schema))
        .finish()
    {
        Ok(frame) => frame,
        Err(e) => {
            tracing::debug!("reading `{table}` with its schema failed ({e}); inferring it");
            #[cfg(test)]
            SCHEMA_FALLBACKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            JsonReader::new(Cursor::new(text.as_slice()))
                .with_json_format(JsonFormat::JsonLines)
                .infer_schema_len(None)
                .finish()?
        }
    };
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

        assert_eq!(
            SCHEMA_FALLBACKS.load(std::sync::atomic::Ordering::Relaxed),
            0,
            "the derived schema was used"
        );
        let flat = flatten_for_csv(&frame).unwrap();
        assert_eq!(flat.column("profile").unwrap().dtype(), &DataType::String);
        let rows = rows_as_json(&flat, 0, 1).unwrap();
        assert_eq!(rows[0]["tags"], "[\"x\",\"y\"]");
    }
}
