//! `queryPage`: one page of a paginated query (`.paginate()`), at most one per execution,
//! and its cursors — an index position (or the end) signed with a fingerprint of the query
//! and index, so a cursor from another query is refused. A page without an `endCursor`
//! ends where the journal of the query's previous run says (`crate::journal`), and the
//! page's end becomes this run's journal, so a live page keeps its end as rows come and go.

use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::database::document_json;
use crate::host::{HostState, SyscallError, import_time};
use crate::query::{Query, QueryStream};

const MAX_PAGE_SIZE: f64 = 32_000.0;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PageArgs {
    #[serde(default, deserialize_with = "super::present")]
    query: Option<Json>,
    cursor: Option<Json>,
    end_cursor: Option<Json>,
    page_size: Option<Json>,
    maximum_rows_read: Option<Json>,
}

/// Pagination's cursor positions: after an index key, or the end of the range.
#[derive(Debug, Clone, PartialEq)]
enum Position {
    After(Vec<u8>),
    End,
}

fn invalid_cursor() -> SyscallError {
    SyscallError {
        message: "InvalidCursor: Tried to run a query starting from a cursor, but it looks like this cursor is from a different query.".into(),
        data: Some(json!({ "isConvexSystemError": true, "paginationError": "InvalidCursor" })),
    }
}

/// A stable hash of the query and the index it reads, carried in every cursor.
fn fingerprint(query: &Json, index: Option<&atrium_engine::IndexInfo>) -> u64 {
    let mut text = query.to_string();
    if let Some(index) = index {
        for field in &index.fields {
            text.push('|');
            text.push_str(&field.join("."));
        }
    }
    text.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3))
}

fn encode_cursor(fp: u64, position: &Position) -> String {
    match position {
        Position::End => format!("{fp:016x}:end"),
        Position::After(key) => {
            let hex = hex::encode(key);
            format!("{fp:016x}:{hex}")
        }
    }
}

fn decode_cursor(fp: u64, cursor: &str) -> Result<Position, SyscallError> {
    let (given, position) = cursor.split_once(':').ok_or_else(invalid_cursor)?;
    if given != format!("{fp:016x}") {
        return Err(invalid_cursor());
    }
    if position == "end" {
        return Ok(Position::End);
    }
    if position.len() % 2 != 0 {
        return Err(invalid_cursor());
    }
    (0..position.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&position[i..i + 2], 16).map_err(|_| invalid_cursor()))
        .collect::<Result<Vec<u8>, _>>()
        .map(Position::After)
}

/// A cursor argument: a string is decoded; anything else (absent, `null`) means none.
fn cursor_arg(fp: u64, cursor: Option<&Json>) -> Result<Option<Position>, SyscallError> {
    cursor.and_then(Json::as_str).map(|c| decode_cursor(fp, c)).transpose()
}

pub(crate) fn page(state: &mut HostState, args: PageArgs) -> Result<Json, SyscallError> {
    let query_json = args.query.as_ref().ok_or("Missing argument `query`")?;
    let query = state.own_query(Query::parse(query_json)?);
    if state.paginated {
        return Err("This query or mutation function ran multiple paginated queries. Convex only supports a single paginated query in each function.".into());
    }
    state.paginated = true;
    let page_size =
        args.page_size.as_ref().and_then(Json::as_f64).ok_or("Missing argument `pageSize`")?;
    if page_size < 1.0 {
        return Err("Must request at least 1 document while paginating".into());
    }
    if page_size > MAX_PAGE_SIZE {
        return Err(
            format!("Page size {page_size} is too large; the maximum is {MAX_PAGE_SIZE}").into()
        );
    }
    let page_size = page_size as usize;
    let max_rows = match args.maximum_rows_read.as_ref().and_then(Json::as_f64) {
        Some(n) if n < 1.0 => return Err("maximumRowsRead must be at least 1".into()),
        Some(n) => Some(n as usize),
        None => None,
    };
    let tx = state.tx.as_mut().ok_or_else(import_time)?;
    let mut stream = QueryStream::open(query, tx)?;
    let fp = fingerprint(query_json, stream.index());
    let cursor = cursor_arg(fp, args.cursor.as_ref())?;
    let mut end = cursor_arg(fp, args.end_cursor.as_ref())?;
    if end.is_none() {
        // A journal from another version of the query does not pin anything.
        end = crate::journal::end_cursor(state.journal_in.as_deref())
            .and_then(|c| decode_cursor(fp, &c).ok());
    }
    let tx = state.tx.as_mut().ok_or_else(import_time)?;
    let mut page = Vec::new();
    let mut positions = Vec::new();
    let mut status = Json::Null;
    if cursor != Some(Position::End) {
        if let Some(Position::After(key)) = &cursor {
            stream.start_after(key.clone());
        }
        if let Some(Position::After(key)) = &end {
            stream.end_at(key);
        }
        loop {
            if end.is_none() {
                if page.len() >= page_size {
                    break;
                }
                if max_rows.is_some_and(|max| stream.rows_read >= max) {
                    status = json!("SplitRequired");
                    break;
                }
                stream.set_size_hint(page_size - page.len());
            }
            match stream.next(tx)? {
                Some(document) => {
                    positions.push(stream.position().map(<[u8]>::to_vec).unwrap_or_default());
                    page.push(document_json(tx, &document));
                }
                None => break,
            }
        }
    }
    let continue_at = match (&end, &cursor) {
        (Some(end), _) => end.clone(),
        (None, Some(Position::End)) => Position::End,
        (None, _) if stream.is_done() => Position::End,
        (None, _) => Position::After(stream.position().map(<[u8]>::to_vec).unwrap_or_default()),
    };
    state.journal_out = Some(crate::journal::with_end_cursor(&encode_cursor(fp, &continue_at)));
    if status.is_null()
        && (page.len() > 6144 || max_rows.is_some_and(|max| stream.rows_read * 4 > max * 3))
    {
        status = json!("SplitRecommended");
    }
    let split = (page.len() > 2)
        .then(|| encode_cursor(fp, &Position::After(positions[page.len() / 2].clone())));
    Ok(json!({
        "page": page,
        "isDone": continue_at == Position::End,
        "continueCursor": encode_cursor(fp, &continue_at),
        "splitCursor": split,
        "pageStatus": status,
    }))
}
