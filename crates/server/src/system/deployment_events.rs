//! Convex's deployment-event functions: `paginatedDeploymentEvents` (newest first, within
//! `minDate`..`maxDate`, of the given actions) and `deploymentEvents:lastPushEvent`, over
//! the `_deployment_audit_log` table the deployment records into
//! (`crate::deployment_events`). Pages continue from an opaque cursor naming the last
//! event's creation time and ID.
//!
//! It must not record events.

use atrium_engine::{Document, Transaction};
use atrium_protocol::dashboard::DocumentPage;
use atrium_protocol::deployment_events::{PaginatedDeploymentEventsArgs, TABLE, action, path};
use atrium_value::Value;

use super::args::{engine_message, page_size, read};

/// Runs a read-only function in `tx`; `None` when `path` is not one of these.
pub(super) fn query(
    tx: &mut Transaction,
    path: &str,
    args: &Value,
) -> Option<Result<Value, String>> {
    Some(match path {
        path::PAGINATED_DEPLOYMENT_EVENTS => read(path, args, |a| paginated(tx, a)),
        path::LAST_PUSH_EVENT => newest(tx).map(|events| {
            events
                .into_iter()
                .find(|d| {
                    let action = d.fields.get("action").and_then(Value::as_str);
                    action == Some(action::PUSH_CONFIG)
                        || action == Some(action::PUSH_CONFIG_WITH_COMPONENTS)
                })
                .map_or(Value::Null, |d| d.to_value())
        }),
        _ => return None,
    })
}

/// Every event, newest first.
fn newest(tx: &mut Transaction) -> Result<Vec<Document>, String> {
    if tx.table_number(TABLE).is_none() {
        return Ok(Vec::new());
    }
    let mut events = tx.collect_table(TABLE).map_err(engine_message)?;
    events.sort_by(|a, b| {
        b.creation_time.total_cmp(&a.creation_time).then_with(|| b.id.encode().cmp(&a.id.encode()))
    });
    Ok(events)
}

fn cursor_of(document: &Document) -> String {
    format!("{}|{}", document.creation_time, document.id.encode())
}

fn paginated(
    tx: &mut Transaction,
    args: PaginatedDeploymentEventsArgs,
) -> Result<DocumentPage, String> {
    let filters = &args.filters;
    let after = match args.pagination_opts.cursor.as_deref() {
        None | Some("") => None,
        Some(cursor) => {
            let (time, id) = cursor
                .split_once('|')
                .and_then(|(t, id)| Some((t.parse::<f64>().ok()?, id.to_owned())))
                .ok_or_else(|| {
                    format!("Invalid cursor `{cursor}` for paginatedDeploymentEvents")
                })?;
            Some((time, id))
        }
    };
    let wanted = |d: &Document| {
        let action = d.fields.get("action").and_then(Value::as_str).unwrap_or("");
        d.creation_time >= filters.min_date
            && filters.max_date.is_none_or(|max| d.creation_time <= max)
            && filters.actions.as_ref().is_none_or(|a| a.iter().any(|x| x == action))
    };
    let older = |d: &Document| match &after {
        None => true,
        Some((time, id)) => {
            d.creation_time < *time || (d.creation_time == *time && d.id.encode() < *id)
        }
    };
    let size = page_size(args.pagination_opts.num_items);
    let matching: Vec<Document> =
        newest(tx)?.into_iter().filter(|d| older(d) && wanted(d)).collect();
    let is_done = matching.len() <= size;
    let page: Vec<Document> = matching.into_iter().take(size).collect();
    let continue_cursor = page.last().map(cursor_of).or(args.pagination_opts.cursor);
    Ok(DocumentPage {
        page: page.iter().map(Document::to_value).collect(),
        is_done,
        continue_cursor,
    })
}
