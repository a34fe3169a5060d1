//! The Data area's live table views.
//!
//! A view is one table seen through an optional filter and sort. The UI asks for rows by
//! offset (`data_rows`) as it scrolls, and hears `data_view_changed` when what it shows may
//! have changed. Two ways to serve a view, both live over the sync socket:
//! - **window**: no filter, in the order of an index — creation time, an index whose first
//!   field is the sort column, or a chosen index range. Only the rows around what the grid
//!   shows are subscribed (Atrium's `tableWindow` query, which starts at a row offset), so
//!   a table of a million documents costs a window's worth of memory and jumping to row
//!   900,000 is one query.
//! - **scan**: a filter (with or without an index range), a sort by another field, or a
//!   deployment without `tableWindow`. Pages of `paginatedTableDocuments` are subscribed
//!   one after another up to [`SCAN_LIMIT`] documents, each carrying in its `filters`
//!   what the deployment can evaluate of the filter and the range (`remote_filter.rs`);
//!   the matching documents are kept, sorted, and the view says how many were read and
//!   whether that was the whole table.
//!
//! What the commands and events carry is in `types.rs`; the open views and their live
//! state, which the hub holds, in `view.rs` (both below the studio). Opening a view and
//! reading its rows, which need the studio, are here.

pub(crate) mod filter;
mod remote_filter;
mod types;
mod view;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use atrium_client::dashboard::{RangeExpr, RangeKind};

pub use filter::{Clause, Combinator, Filter, FilterOp, Sort};
pub use types::{IndexRange, RangeClause, Rows, ViewInfo, ViewMode, ViewSpec};
pub use view::SCAN_LIMIT;
pub(crate) use view::{View, Views};

use crate::deployment::Connected;
use crate::{CommandError, ErrorCode, Studio};
use view::State;

/// Convex's index range expressions for a chosen range.
fn range_exprs(range: &IndexRange) -> Result<Vec<RangeExpr>, CommandError> {
    let bad = |m: String| CommandError::new(ErrorCode::BadRequest, m);
    let exprs = range
        .clauses
        .iter()
        .map(|c| {
            let kind = match c.op {
                FilterOp::Eq => RangeKind::Eq,
                FilterOp::Gt => RangeKind::Gt,
                FilterOp::Gte => RangeKind::Gte,
                FilterOp::Lt => RangeKind::Lt,
                FilterOp::Lte => RangeKind::Lte,
                other => {
                    return Err(bad(format!(
                        "An index range takes ==, <, <=, > and >= only; `{}` has {other:?}",
                        c.field
                    )));
                }
            };
            let value = atrium_value::json::from_json(&c.value)
                .map_err(|e| bad(format!("The value for `{}` is not Convex JSON: {e}", c.field)))?;
            Ok(RangeExpr { kind, field_path: c.field.clone(), value: Some(value) })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(exprs)
}

/// A chosen range's clauses as a filter the studio tests (all of them must hold).
fn range_as_filter(range: Option<&IndexRange>) -> Filter {
    let clauses = range.map_or_else(Vec::new, |r| {
        r.clauses
            .iter()
            .map(|c| Clause {
                field: c.field.clone(),
                op: c.op,
                value: c.value.clone(),
                enabled: true,
            })
            .collect()
    });
    Filter { combinator: Combinator::And, clauses }
}

/// An index of the table whose first field is `field`, to sort by it without scanning.
async fn index_for_sort(connected: &Connected, table: &str, field: &str) -> Option<String> {
    let Ok(indexes) = connected.http.indexes(table).await else { return None };
    indexes.into_iter().find_map(|index| {
        let first = index.fields.as_array()?.first()?.as_str()?.to_owned();
        let ready = index.backfill.state != "backfilling";
        (first == field && ready).then_some(index.name)
    })
}

/// Opens a view of the connected deployment.
pub(crate) async fn open(studio: &Arc<Studio>, spec: ViewSpec) -> Result<Rows, CommandError> {
    let connected = studio.connected()?;
    let compiled = filter::CompiledFilter::new(&spec.filter.clone().unwrap_or_default())?;
    let by_creation = spec.sort.as_ref().is_none_or(|s| s.field == "_creationTime");
    // Which order the window follows: a chosen index range, an index serving the sort,
    // or creation time.
    let (index, descending, sort) = if let Some(range) = &spec.index {
        (Some((range.name.clone(), range_exprs(range)?)), range.descending, None)
    } else if by_creation {
        (None, spec.sort.as_ref().is_none_or(|s| s.descending), None)
    } else {
        let sort = spec.sort.clone().expect("not by creation time");
        match index_for_sort(&connected, &spec.table, &sort.field).await {
            Some(name) if compiled.is_empty() => (Some((name, Vec::new())), sort.descending, None),
            _ => (None, true, Some(sort)),
        }
    };
    let windowable = compiled.is_empty() && sort.is_none();
    // A scan sends the deployment what it can evaluate of the filter and the range.
    let server_filters = remote_filter::server_expression(
        &spec.filter.clone().unwrap_or_default(),
        spec.index.as_ref(),
        descending,
    )
    .map(|e| e.encode());
    let range_filter = filter::CompiledFilter::new(&range_as_filter(spec.index.as_ref()))?;
    let id = studio.views.next.fetch_add(1, Ordering::Relaxed) + 1;
    let sink: std::sync::Weak<Studio> = Arc::downgrade(studio);
    let view = Arc::new(View {
        id,
        table: spec.table.clone(),
        descending,
        index,
        filter: compiled,
        range_filter,
        server_filters,
        sort,
        connected,
        studio: sink,
        state: Mutex::new(State::default()),
    });
    let windowed = windowable && view.subscribe_window(0, 200).await?;
    if !windowed {
        if spec.index.is_some() && windowable {
            return Err(CommandError::new(
                ErrorCode::BadRequest,
                "This deployment cannot serve index ranges to Atrium (it lacks _system/atrium/tableWindow); use a filter instead.",
            ));
        }
        view.start_scan().await?;
    }
    studio.views.open.lock().unwrap().insert(id, view.clone());
    view.rows(0, 200).await
}

/// Rows of an open view.
pub(crate) async fn rows(
    studio: &Studio,
    view: u64,
    offset: u64,
    limit: usize,
) -> Result<Rows, CommandError> {
    studio.views.get(view)?.rows(offset, limit).await
}
