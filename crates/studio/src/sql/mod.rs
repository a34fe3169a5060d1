//! SQL over the connected deployment's tables, with polars: tables are read through the
//! client (page by page, with progress) into frames ([`frame`]), kept while connected and
//! reloaded when the deployment reports a change; queries run in polars' SQL context;
//! results are kept for the grid to read by offset and for export ([`export`]). What the
//! hub holds and the events carry (loaded tables, kept results, progress) is in
//! `state.rs`, a leaf.

pub mod export;
pub mod frame;
mod state;

use std::sync::{Arc, Weak};
use std::time::Instant;

use atrium_client::dashboard::{DashboardQuery, Page};
use polars::prelude::*;
use polars::sql::SQLContext;
use serde::Serialize;
use ts_rs::TS;

pub use state::{LoadProgress, LoadedTable, LoadedTableInfo};
pub(crate) use state::{SqlState, info};

use crate::deployment::Connected;
use crate::{CommandError, ErrorCode, Studio, StudioEvent};
use tokio_util::task::AbortOnDropHandle;

/// Documents read per request while loading a table.
const LOAD_PAGE: usize = 1_000;
/// How long loading waits for the deployment's first answer about a table's changes.
const WATCH_START: std::time::Duration = std::time::Duration::from_secs(10);

fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// Bytes of memory the system can still give (Linux's MemAvailable), if known.
fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn human_bytes(bytes: f64) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1000.0 && unit < units.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", units[unit])
}

/// Reads `table` from the deployment into a frame, announcing progress, and keeps it (a
/// task reloads it whenever the deployment reports a change to it). Refuses a table that
/// would not fit in memory, saying how big it is.
pub(crate) async fn load_table(
    studio: &Arc<Studio>,
    connected: &Arc<Connected>,
    table: &str,
) -> Result<Arc<LoadedTable>, CommandError> {
    // Watch first: the table's size query is invalidated by any write to the table, and a
    // write after its first answer is either in what is read next or reported later.
    let query = DashboardQuery::TableSize { table: table.to_owned() };
    let mut changes = connected.sync.subscribe(query.path(), &query.args());
    let watching = tokio::time::timeout(WATCH_START, changes.next()).await;
    let loaded = read_table(studio, connected, table).await?;
    studio.sql.tables.lock().unwrap().insert(table.to_owned(), loaded.clone());
    if matches!(watching, Ok(Ok(_))) {
        let watcher = tokio::spawn(reload_on_change(
            Arc::downgrade(studio),
            connected.clone(),
            table.to_owned(),
            changes,
        ));
        studio
            .sql
            .watchers
            .lock()
            .unwrap()
            .insert(table.to_owned(), AbortOnDropHandle::new(watcher));
    } else {
        tracing::warn!(
            "`{table}` is loaded for SQL but will not be reloaded on changes: the deployment's sync did not answer"
        );
    }
    Ok(loaded)
}

async fn read_table(
    studio: &Arc<Studio>,
    connected: &Connected,
    table: &str,
) -> Result<Arc<LoadedTable>, CommandError> {
    let started = Instant::now();
    let http = &connected.http;
    let total = http.table_size(table).await?;
    let mut documents = Vec::with_capacity(total.min(10_000_000) as usize);
    let mut cursor = None;
    loop {
        let query = DashboardQuery::TablePage {
            filters: None,
            table: table.to_owned(),
            cursor: cursor.take(),
            limit: LOAD_PAGE,
            descending: false,
        };
        let value = http.dashboard(&query).await?;
        let page = Page::from_value(&value)?;
        if documents.is_empty() && !page.documents.is_empty() {
            check_fits(table, total, &page.documents, available_memory().unwrap_or(4 << 30))?;
        }
        documents.extend(page.documents);
        studio.emit(StudioEvent::SqlLoadProgress {
            progress: LoadProgress {
                table: table.to_owned(),
                loaded: documents.len() as u64,
                total: total.max(documents.len() as u64),
            },
        });
        match page.continue_cursor {
            Some(next) if !page.is_done => cursor = Some(next),
            _ => break,
        }
    }
    let name = table.to_owned();
    let (frame, notes) =
        tokio::task::spawn_blocking(move || frame::documents_to_frame(&name, &documents))
            .await
            .map_err(CommandError::internal)?
            .map_err(|e| {
                CommandError::internal(format!("Could not make a frame of `{table}`: {e}"))
            })?;
    Ok(Arc::new(LoadedTable {
        frame,
        notes,
        loaded_at: now_ms(),
        load_ms: started.elapsed().as_secs_f64() * 1000.0,
    }))
}

/// Refuses a table whose documents (estimated from the first page) would take more than
/// half the memory the system has left.
fn check_fits(
    table: &str,
    total: u64,
    first: &[atrium_value::Value],
    available: u64,
) -> Result<(), CommandError> {
    let sample: usize =
        first.iter().map(|d| atrium_value::json::to_json(d).to_string().len()).sum();
    // The documents, their JSON text and the frame are all in memory at once for a moment.
    let estimate = sample as f64 / first.len() as f64 * total as f64 * 3.0;
    let available = available as f64;
    if estimate > available / 2.0 {
        return Err(CommandError::new(
            ErrorCode::TooLarge,
            format!(
                "`{table}` holds {total} documents, about {} in memory once loaded, more than \
                 this machine can spare ({} available). Query it with a filter instead: a \
                 JavaScript query over one of its indexes, or the Data area's filters.",
                human_bytes(estimate),
                human_bytes(available)
            ),
        ));
    }
    Ok(())
}

/// Reloads `table` each time the deployment reports a change to it (`changes` has given
/// its first answer), and announces `sql_table_reloaded`.
async fn reload_on_change(
    studio: Weak<Studio>,
    connected: Arc<Connected>,
    table: String,
    mut changes: atrium_client::Subscription,
) {
    while changes.next().await.is_ok() {
        // Writes often come in bursts: wait for them to settle.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let Some(studio) = studio.upgrade() else { return };
        match read_table(&studio, &connected, &table).await {
            Ok(loaded) => {
                let info = info(&table, &loaded);
                studio.sql.tables.lock().unwrap().insert(table.clone(), loaded);
                studio.emit(StudioEvent::SqlTableReloaded { table: info });
            }
            Err(e) => tracing::warn!("reloading `{table}` for SQL failed: {}", e.message),
        }
    }
}

/// Where a SQL error is, when polars' parser says (1-based).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SqlError {
    pub message: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

/// `Line: 1, Column: 15` in a parser message → (1, 15).
fn error_position(message: &str) -> (Option<u32>, Option<u32>) {
    let number_after = |key: &str| -> Option<u32> {
        let at = message.find(key)? + key.len();
        message[at..]
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .ok()
    };
    (number_after("Line:"), number_after("Column:"))
}

/// The names in `sql` that are tables of the deployment (in the order they appear).
pub(crate) fn referenced_tables(sql: &str, tables: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for word in sql.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        if tables.iter().any(|t| t == word) && !found.iter().any(|f| f == word) {
            found.push(word.to_owned());
        }
    }
    found
}

/// Runs `sql` over `tables` (name → frame); a bad query is an [`SqlError`].
pub fn run_sql(sql: &str, tables: &[(String, DataFrame)]) -> Result<DataFrame, SqlError> {
    let mut context = SQLContext::new();
    for (name, frame) in tables {
        context.register(name, frame.clone().lazy());
    }
    let to_error = |e: PolarsError| {
        let message = e.to_string();
        let (mut line, mut column) = error_position(&message);
        // The parser gives no position when the text ended too soon: that is its end.
        if line.is_none() && message.contains("found: EOF") {
            let (l, c) = end_position(sql);
            (line, column) = (Some(l), Some(c));
        }
        SqlError { message: clean_message(&message), line, column }
    };
    let mut frame = context.execute(sql).and_then(LazyFrame::collect).map_err(to_error)?;
    name_count_star(sql, &mut frame);
    Ok(frame)
}

/// polars names an unaliased `count(*)` column `len` (its own `len()`); SQL users wrote
/// `count(*)` and look for that name. The column is renamed when the query counts with
/// `count(*)` and never says `len` itself (then `len` is the user's own name). polars'
/// planner offers no hook to name it, hence the rename of its output.
fn name_count_star(sql: &str, frame: &mut DataFrame) {
    static COUNT_STAR: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"(?i)\bcount\s*\(\s*\*\s*\)").unwrap());
    static LEN: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"(?i)\blen\b").unwrap());
    let has = |name: &str| frame.get_column_names().iter().any(|n| n.as_str() == name);
    if has("len") && !has("count(*)") && COUNT_STAR.is_match(sql) && !LEN.is_match(sql) {
        // The column exists (checked above), so the rename cannot fail.
        let _ = frame.rename("len", "count(*)".into());
    }
}

/// The 1-based line and column just after the last character of `text`.
fn end_position(text: &str) -> (u32, u32) {
    let trimmed = text.trim_end();
    let line = trimmed.lines().count().max(1) as u32;
    let column = trimmed.lines().last().map_or(0, |l| l.chars().count()) as u32 + 1;
    (line, column)
}

/// polars' messages start with the error kind and may carry a backtrace hint.
fn clean_message(message: &str) -> String {
    message
        .lines()
        .filter(|l| !l.contains("RUST_BACKTRACE"))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_positions_and_table_names() {
        assert_eq!(
            error_position(
                "sql parser error: Expected: end of statement, found: x at Line: 2, Column: 15"
            ),
            (Some(2), Some(15))
        );
        assert_eq!(error_position("no position"), (None, None));
        let docs = vec![atrium_value::Value::String("x".repeat(1000))];
        assert!(check_fits("t", 1_000, &docs, 1 << 30).is_ok());
        let refused = check_fits("big", 10_000_000, &docs, 1 << 30).unwrap_err();
        assert_eq!(refused.code, ErrorCode::TooLarge);
        assert!(
            refused.message.contains("`big` holds 10000000 documents, about 30.1 GB")
                && refused.message.contains("with a filter"),
            "{}",
            refused.message
        );
        assert_eq!(end_position("SELECT a\nFROM t WHERE \n"), (2, 13));
        let t = df!("author" => ["ann", "bob", "ann"], "len" => [1, 2, 3]).unwrap();
        let tables = vec![("t".to_owned(), t)];
        let names = |sql: &str| {
            let frame = run_sql(sql, &tables).unwrap();
            frame.get_column_names().iter().map(|n| n.to_string()).collect::<Vec<_>>()
        };
        assert_eq!(names("SELECT count(*) FROM t"), vec!["count(*)"]);
        assert_eq!(
            names("SELECT author, COUNT( * ) FROM t GROUP BY author"),
            vec!["author", "count(*)"]
        );
        assert_eq!(names("SELECT count(*) AS n FROM t"), vec!["n"]);
        assert_eq!(names("SELECT len FROM t"), vec!["len"], "a column of that name is left alone");
        let tables = vec!["users".to_owned(), "posts".to_owned(), "po".to_owned()];
        assert_eq!(
            referenced_tables("SELECT * FROM posts p JOIN users u ON p.author = u._id", &tables),
            vec!["posts", "users"]
        );
    }
}
