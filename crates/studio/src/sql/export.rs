//! Writing a frame to CSV, JSON Lines or Parquet, in batches so a large export reports its
//! progress. CSV has no nesting: struct and list columns are written as JSON text.

use std::fs::File;
use std::io::{BufWriter, Write as _};

use polars::prelude::*;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Rows written per batch (one progress report each).
const BATCH: usize = 50_000;

/// Export progress, announced as `export_progress`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ExportProgress {
    pub path: String,
    #[ts(type = "number")]
    pub written: u64,
    #[ts(type = "number")]
    pub total: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Jsonl,
    Parquet,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Jsonl => "jsonl",
            ExportFormat::Parquet => "parquet",
        }
    }
}

/// Writes `frame` to `file` as `format`, calling `progress(rows written)` after each batch.
pub fn write_frame(
    frame: &DataFrame,
    format: ExportFormat,
    file: File,
    mut progress: impl FnMut(usize),
) -> PolarsResult<()> {
    let height = frame.height();
    let batches = (0..height.max(1)).step_by(BATCH);
    match format {
        ExportFormat::Csv => {
            let flat = super::frame::flatten_for_csv(frame)?;
            let mut out = BufWriter::new(file);
            for (i, start) in batches.enumerate() {
                let mut batch = flat.slice(start as i64, BATCH);
                CsvWriter::new(&mut out).include_header(i == 0).finish(&mut batch)?;
                progress((start + BATCH).min(height));
            }
            out.flush()?;
        }
        ExportFormat::Jsonl => {
            let mut out = BufWriter::new(file);
            for start in batches {
                let mut batch = frame.slice(start as i64, BATCH);
                JsonWriter::new(&mut out)
                    .with_json_format(JsonFormat::JsonLines)
                    .finish(&mut batch)?;
                progress((start + BATCH).min(height));
            }
            out.flush()?;
        }
        ExportFormat::Parquet => {
            let mut writer = ParquetWriter::new(file).batched(frame.schema())?;
            for start in batches {
                writer.write_batch(&frame.slice(start as i64, BATCH))?;
                progress((start + BATCH).min(height));
            }
            writer.finish()?;
        }
    }
    Ok(())
}

/// Reads a file written by [`write_frame`] back (for tests and checks).
pub fn read_frame(path: &std::path::Path, format: ExportFormat) -> PolarsResult<DataFrame> {
    let file = File::open(path)?;
    match format {
        ExportFormat::Csv => CsvReader::new(file).finish(),
        ExportFormat::Jsonl => JsonReader::new(file)
            .with_json_format(JsonFormat::JsonLines)
            .infer_schema_len(None)
            .finish(),
        ExportFormat::Parquet => ParquetReader::new(file).finish(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_format_reads_back_equal() {
        let documents: Vec<atrium_value::Value> = (0..120_003)
            .map(|i| {
                atrium_value::json::from_json(&json!({
                    "_id": format!("id{i}"), "_creationTime": i as f64,
                    "name": format!("user {i}"), "score": (i % 97) as f64 / 2.0,
                    "profile": {"city": if i % 2 == 0 { "Tokyo" } else { "Oslo" }},
                    "tags": ["a", format!("t{}", i % 3)],
                }))
                .unwrap()
            })
            .collect();
        let (frame, _) = super::super::frame::documents_to_frame("users", &documents).unwrap();
        let dir = tempfile::tempdir().unwrap();
        for format in [ExportFormat::Csv, ExportFormat::Jsonl, ExportFormat::Parquet] {
            let path = dir.path().join(format!("out.{}", format.extension()));
            let mut reports = Vec::new();
            write_frame(&frame, format, File::create(&path).unwrap(), |n| reports.push(n)).unwrap();
            assert_eq!(reports, vec![50_000, 100_000, 120_003], "{format:?}");
            let back = read_frame(&path, format).unwrap();
            let expected = match format {
                // CSV holds nested values as JSON text.
                ExportFormat::Csv => super::super::frame::flatten_for_csv(&frame).unwrap(),
                _ => frame.clone(),
            };
            assert!(back.equals_missing(&expected), "{format:?}: {back:?} vs {expected:?}");
        }
    }
}
