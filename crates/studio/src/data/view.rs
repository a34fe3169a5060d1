//! The open views ([`Views`], which the hub holds) and each [`View`]'s live state: its
//! subscribed window or scanned pages, and the tasks that follow them and announce
//! `data_view_changed`. No studio here: a view tells the studio through
//! [`EventSink`], so this module must not import the studio or the commands; opening a
//! view (which needs the connection) is in `mod.rs`.

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use atrium_client::dashboard::{DashboardQuery, Page, RangeExpr, Window, is_missing_function};
use atrium_client::{ClientError, Subscription};
use atrium_value::Value;
use tokio_util::task::AbortOnDropHandle;

use super::filter::{CompiledFilter, Sort};
use super::types::{Rows, ViewInfo, ViewMode};
use crate::deployment::Connected;
use crate::events::EventSink;
use crate::{CommandError, ErrorCode, StudioEvent};

/// Most documents a scan reads before it stops and says so.
pub const SCAN_LIMIT: u64 = 100_000;
/// Documents per subscribed page while scanning.
const SCAN_PAGE: usize = 1_000;
/// Rows subscribed on either side of what the grid asked for.
const WINDOW_MARGIN: u64 = 100;
/// How long the first answer of a query may take.
const FIRST_ANSWER: Duration = Duration::from_secs(60);

/// The open views, by ID.
#[derive(Debug, Default)]
pub(crate) struct Views {
    pub(super) next: AtomicU64,
    pub(super) open: Mutex<HashMap<u64, Arc<View>>>,
}

impl Views {
    pub(crate) fn close_all(&self) {
        self.open.lock().unwrap().clear();
    }

    pub(crate) fn close(&self, id: u64) {
        self.open.lock().unwrap().remove(&id);
    }

    pub(crate) fn get(&self, id: u64) -> Result<Arc<View>, CommandError> {
        self.open.lock().unwrap().get(&id).cloned().ok_or_else(|| {
            CommandError::new(
                ErrorCode::NotFound,
                format!("View {id} is closed (the connection changed); open the table again."),
            )
        })
    }
}

#[derive(Debug)]
pub(crate) struct View {
    pub(super) id: u64,
    pub(super) table: String,
    pub(super) descending: bool,
    /// For a window: the index and its range (`None`: creation time, everything).
    pub(super) index: Option<(String, Vec<RangeExpr>)>,
    pub(super) filter: CompiledFilter,
    /// A chosen index range, tested in the studio too where a scan serves it (so a
    /// deployment that ignores the index in `filters` still shows only the range).
    pub(super) range_filter: CompiledFilter,
    /// The part of the filter (and range) the deployment evaluates
    /// (`remote_filter.rs`), as `paginatedTableDocuments`' `filters` argument.
    pub(super) server_filters: Option<String>,
    pub(super) sort: Option<Sort>,
    pub(super) connected: Arc<Connected>,
    /// The studio, told when the view changes (it stops being told once the studio is gone).
    pub(super) studio: Weak<dyn EventSink>,
    pub(super) state: Mutex<State>,
}

#[derive(Debug, Default)]
pub(super) struct State {
    mode: Option<ViewMode>,
    total: u64,
    scanned: u64,
    complete: bool,
    error: Option<String>,
    /// Window mode: the subscribed window.
    window_offset: u64,
    window: Vec<Value>,
    window_task: Option<AbortOnDropHandle<()>>,
    /// Scan mode: the matching rows, in view order.
    rows: Vec<Value>,
    scan_task: Option<AbortOnDropHandle<()>>,
}

impl Drop for View {
    fn drop(&mut self) {
        let mut state = self.state.lock().unwrap();
        state.window_task = None;
        state.scan_task = None;
    }
}

impl View {
    fn info(&self) -> ViewInfo {
        let state = self.state.lock().unwrap();
        ViewInfo {
            view: self.id,
            mode: state.mode.unwrap_or(ViewMode::Window),
            index: match state.mode {
                Some(ViewMode::Scan) => None,
                _ => self.index.as_ref().map(|(name, _)| name.clone()),
            },
            total: state.total,
            scanned: state.scanned,
            complete: state.complete,
            error: state.error.clone(),
        }
    }

    fn changed(&self) {
        if let Some(studio) = self.studio.upgrade() {
            studio.emit(StudioEvent::DataViewChanged { info: self.info() });
        }
    }

    fn window_query(&self, offset: u64, limit: usize) -> DashboardQuery {
        DashboardQuery::TableWindow {
            table: self.table.clone(),
            index: self.index.as_ref().map(|(name, _)| name.clone()),
            range: self.index.as_ref().map_or_else(Vec::new, |(_, range)| range.clone()),
            offset,
            limit,
            descending: self.descending,
        }
    }

    /// The table this view shows.
    pub(crate) fn table(&self) -> &str {
        &self.table
    }

    /// Every document the view holds, in its order, read once (for an export): a scan's
    /// matching documents as they stand; a window's whole range, page by page over HTTP
    /// (not through the grid's live window, which stays where it is).
    pub(crate) async fn all_documents(&self) -> Result<Vec<Value>, CommandError> {
        const PAGE: usize = 1_000;
        if self.state.lock().unwrap().mode == Some(ViewMode::Scan) {
            return Ok(self.state.lock().unwrap().rows.clone());
        }
        let http = &self.connected.http;
        let mut documents = Vec::new();
        if self.index.is_none() {
            // Creation order: cursor pages, each as cheap as the first.
            let mut cursor = None;
            loop {
                let query = DashboardQuery::TablePage {
                    filters: self.server_filters.clone(),
                    table: self.table.clone(),
                    cursor: cursor.take(),
                    limit: PAGE,
                    descending: self.descending,
                };
                let page = Page::from_value(&http.dashboard(&query).await?)?;
                documents.extend(page.documents);
                match page.continue_cursor {
                    Some(next) if !page.is_done => cursor = Some(next),
                    _ => return Ok(documents),
                }
            }
        }
        loop {
            let query = self.window_query(documents.len() as u64, PAGE);
            let window = Window::from_value(&http.dashboard(&query).await?)?;
            let done = window.documents.len() < PAGE;
            documents.extend(window.documents);
            if done || documents.len() as u64 >= window.total {
                return Ok(documents);
            }
        }
    }

    /// Subscribes rows `offset..offset + limit` (with a margin) and waits for them.
    /// `Ok(false)`: the deployment has no window query.
    pub(super) async fn subscribe_window(
        self: &Arc<Self>,
        offset: u64,
        limit: usize,
    ) -> Result<bool, CommandError> {
        let start = offset.saturating_sub(WINDOW_MARGIN);
        let size = (limit as u64 + 2 * WINDOW_MARGIN).min(10_000) as usize;
        let query = self.window_query(start, size);
        let mut subscription = self.connected.sync.subscribe(query.path(), &query.args());
        let first = match tokio::time::timeout(FIRST_ANSWER, subscription.next()).await {
            Err(_) => {
                return Err(CommandError::new(
                    ErrorCode::Unreachable,
                    "The deployment did not answer within a minute.",
                ));
            }
            Ok(Err(e)) if is_missing_function(&e) => return Ok(false),
            Ok(Err(e)) => return Err(CommandError::from(e)),
            Ok(Ok(value)) => Window::from_value(&value)?,
        };
        let task = tokio::spawn(follow_window(Arc::downgrade(self), subscription));
        let mut state = self.state.lock().unwrap();
        state.mode = Some(ViewMode::Window);
        state.window_offset = start;
        state.total = first.total;
        state.scanned = first.total;
        state.complete = true;
        state.error = None;
        state.window = first.documents;
        state.window_task = Some(AbortOnDropHandle::new(task));
        Ok(true)
    }

    /// Reads the table page by page (each page subscribed), then keeps the result live.
    pub(super) async fn start_scan(self: &Arc<Self>) -> Result<(), CommandError> {
        let pages = self.read_pages(None, Vec::new()).await?;
        self.recompute(&pages);
        let task = tokio::spawn(follow_scan(Arc::downgrade(self), pages));
        self.state.lock().unwrap().scan_task = Some(AbortOnDropHandle::new(task));
        Ok(())
    }

    /// Subscribes pages from `cursor` on, after the `kept` ones, up to the scan limit.
    async fn read_pages(
        &self,
        mut cursor: Option<String>,
        mut pages: Vec<LivePage>,
    ) -> Result<Vec<LivePage>, CommandError> {
        let mut read: u64 = pages.iter().map(|p| p.page.documents.len() as u64).sum();
        loop {
            let query = DashboardQuery::TablePage {
                filters: self.server_filters.clone(),
                table: self.table.clone(),
                cursor: cursor.clone(),
                limit: SCAN_PAGE,
                descending: self.descending,
            };
            let mut subscription = self.connected.sync.subscribe(query.path(), &query.args());
            let value =
                tokio::time::timeout(FIRST_ANSWER, subscription.next()).await.map_err(|_| {
                    CommandError::new(
                        ErrorCode::Unreachable,
                        "The deployment did not answer within a minute.",
                    )
                })??;
            let page = Page::from_value(&value)?;
            read += page.documents.len() as u64;
            let next = page.continue_cursor.clone();
            let done = page.is_done;
            pages.push(LivePage { page, subscription });
            if done || read >= SCAN_LIMIT || next.is_none() {
                return Ok(pages);
            }
            cursor = next;
        }
    }

    fn recompute(&self, pages: &[LivePage]) {
        let mut scanned = 0u64;
        let mut rows = Vec::new();
        for page in pages {
            scanned += page.page.documents.len() as u64;
            rows.extend(
                page.page
                    .documents
                    .iter()
                    .filter(|d| self.range_filter.matches(d) && self.filter.matches(d))
                    .cloned(),
            );
        }
        if let Some(sort) = &self.sort {
            super::filter::sort(&mut rows, sort);
        }
        let complete = pages.last().is_none_or(|p| p.page.is_done);
        let mut state = self.state.lock().unwrap();
        state.mode = Some(ViewMode::Scan);
        state.total = rows.len() as u64;
        state.scanned = scanned;
        state.complete = complete;
        state.rows = rows;
    }

    pub(super) async fn rows(
        self: &Arc<Self>,
        offset: u64,
        limit: usize,
    ) -> Result<Rows, CommandError> {
        let limit = limit.clamp(1, 5_000);
        let mode = self.state.lock().unwrap().mode;
        if mode == Some(ViewMode::Window) {
            let covered = {
                let state = self.state.lock().unwrap();
                let end = (offset + limit as u64).min(state.total);
                let have_end = state.window_offset + state.window.len() as u64;
                offset >= state.window_offset && end <= have_end
            };
            if !covered {
                self.subscribe_window(offset, limit).await?;
            }
        }
        let state = self.state.lock().unwrap();
        let source: &[Value] = match state.mode {
            Some(ViewMode::Window) => {
                let skip = offset.saturating_sub(state.window_offset) as usize;
                state.window.get(skip..).unwrap_or_default()
            }
            _ => state.rows.get(offset as usize..).unwrap_or_default(),
        };
        let rows = source.iter().take(limit).map(atrium_value::json::to_json).collect();
        drop(state);
        Ok(Rows { offset, rows, info: self.info() })
    }
}

/// A subscribed page of a scan.
struct LivePage {
    page: Page,
    subscription: Subscription,
}

async fn follow_window(view: Weak<View>, mut subscription: Subscription) {
    loop {
        let next = subscription.next().await;
        let Some(view) = view.upgrade() else { return };
        match next {
            Ok(value) => match Window::from_value(&value) {
                Ok(window) => {
                    let mut state = view.state.lock().unwrap();
                    state.total = window.total;
                    state.scanned = window.total;
                    state.window = window.documents;
                    state.error = None;
                }
                Err(e) => view.state.lock().unwrap().error = Some(e.to_string()),
            },
            Err(ClientError::Function { message, .. }) => {
                view.state.lock().unwrap().error = Some(message);
            }
            Err(e) => {
                view.state.lock().unwrap().error = Some(e.to_string());
                view.changed();
                return;
            }
        }
        view.changed();
    }
}

async fn follow_scan(view: Weak<View>, mut pages: Vec<LivePage>) {
    loop {
        if pages.is_empty() {
            return;
        }
        let (result, index) = {
            let nexts = pages.iter_mut().map(|p| Box::pin(p.subscription.next()));
            let (result, index, _) = futures_util::future::select_all(nexts).await;
            (result, index)
        };
        let Some(view) = view.upgrade() else { return };
        match result.and_then(|v| Page::from_value(&v)) {
            Ok(page) => {
                let boundary_moved = page.continue_cursor != pages[index].page.continue_cursor
                    || page.is_done != pages[index].page.is_done;
                pages[index].page = page;
                if boundary_moved {
                    // Later pages started at the old boundary: read them again from the new one.
                    pages.truncate(index + 1);
                    let last = &pages[index].page;
                    if !last.is_done
                        && let Some(cursor) = last.continue_cursor.clone()
                    {
                        match view.read_pages(Some(cursor), std::mem::take(&mut pages)).await {
                            Ok(read) => pages = read,
                            Err(e) => {
                                view.state.lock().unwrap().error = Some(e.message);
                                view.changed();
                                return;
                            }
                        }
                    }
                }
                view.recompute(&pages);
                view.state.lock().unwrap().error = None;
            }
            Err(e) => {
                let closed = matches!(e, ClientError::Closed { .. });
                view.state.lock().unwrap().error = Some(e.to_string());
                if closed {
                    view.changed();
                    return;
                }
            }
        }
        view.changed();
    }
}
