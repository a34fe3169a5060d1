//! [`QueryStream`]: a query read one document at a time from its index (or `by_creation_time`
//! for a full scan), applying its operators; every row scanned counts toward the read set.
//! A search reads its results in relevance order, each position an index-like key (score,
//! creation time, ID) so pagination's cursors work on it as on an index.

use std::collections::VecDeque;

use atrium_engine::range::compile;
use atrium_engine::search::{MAX_CANDIDATE_REVISIONS, SearchCandidate};
use atrium_engine::{Document, IndexInfo, KeyRange, Order, Transaction};

use super::expr::boolean;
use super::{Operator, Query, QueryError, Source};

/// A query being read, one document at a time.
#[derive(Debug)]
pub struct QueryStream {
    /// `None`: the table does not exist, so the result is empty.
    index: Option<(IndexInfo, KeyRange)>,
    order: Order,
    operators: Vec<Operator>,
    counts: Vec<usize>,
    after: Option<Vec<u8>>,
    buffer: VecDeque<(Vec<u8>, Document)>,
    source_exhausted: bool,
    done: bool,
    /// The index key of the last row read (returned or filtered out).
    position: Option<Vec<u8>>,
    /// Rows read from the index so far (Convex counts filtered rows too).
    pub rows_read: usize,
    /// Upper bound on how many rows the caller still wants (sizes index reads).
    size_hint: Option<usize>,
    /// A search's results, and how many of them were taken.
    search: Option<(VecDeque<SearchCandidate>, usize)>,
    /// Where a search's page ends (inclusive), for pagination's end cursor.
    search_end: Option<Vec<u8>>,
}

const PAGE: usize = 32;

impl QueryStream {
    pub fn open(query: Query, tx: &mut Transaction) -> Result<QueryStream, QueryError> {
        let mut search = None;
        let (index, order) = match &query.source {
            Source::Search(q) => {
                let hits = tx.search(q).map_err(|e| e.to_string())?;
                search = Some((hits.into(), 0));
                (None, Order::Asc)
            }
            Source::FullTableScan { table, order } => match tx.table_number(table) {
                None => (None, *order),
                Some(_) => {
                    let info = tx.index(table, "by_creation_time").map_err(|e| e.to_string())?;
                    (Some((info, KeyRange::all())), *order)
                }
            },
            Source::IndexRange { table, index, range, order } => {
                let info = tx.index(table, index).map_err(|e| e.to_string())?;
                let keys = compile(&info, &format!("{table}.{index}"), range)
                    .map_err(|e| e.to_string())?;
                (Some((info, keys)), *order)
            }
        };
        let counts = vec![0; query.operators.len()];
        Ok(QueryStream {
            index,
            order,
            operators: query.operators,
            counts,
            after: None,
            buffer: VecDeque::new(),
            source_exhausted: false,
            done: false,
            position: None,
            rows_read: 0,
            size_hint: None,
            search,
            search_end: None,
        })
    }

    /// The index the query reads (for cursor fingerprints).
    pub fn index(&self) -> Option<&IndexInfo> {
        self.index.as_ref().map(|(i, _)| i)
    }

    /// Starts reading after the index key `position` (a pagination cursor).
    pub fn start_after(&mut self, position: Vec<u8>) {
        self.after = Some(position.clone());
        self.position = Some(position);
    }

    /// Stops after the index key `position`, inclusive (a pagination end cursor).
    pub fn end_at(&mut self, position: &[u8]) {
        if self.search.is_some() {
            self.search_end = Some(position.to_vec());
        }
        if let Some((_, range)) = &mut self.index {
            match self.order {
                Order::Asc => {
                    let end = atrium_engine::key_range::key_successor(position);
                    if range.end.as_ref().is_none_or(|e| end < *e) {
                        range.end = Some(end);
                    }
                }
                Order::Desc => {
                    if position > range.start.as_slice() {
                        range.start = position.to_vec();
                    }
                }
            }
        }
    }

    pub fn set_size_hint(&mut self, rows: usize) {
        self.size_hint = Some(rows.max(1));
    }

    pub fn position(&self) -> Option<&[u8]> {
        self.position.as_deref()
    }

    /// How many rows to read next: no more than a leading `limit` still allows.
    fn page_size(&self) -> usize {
        let by_limit = match self.operators.first() {
            Some(Operator::Limit(n)) => (n.saturating_sub(self.counts[0])).clamp(1, PAGE),
            _ => PAGE,
        };
        by_limit.min(self.size_hint.unwrap_or(PAGE)).max(1)
    }

    /// The next search result after the cursor and before the end; Convex refuses to read
    /// past its candidate limit.
    fn pull_search(&mut self, tx: &mut Transaction) -> Result<Option<Document>, QueryError> {
        let Some((hits, taken)) = &mut self.search else { return Ok(None) };
        loop {
            if *taken == MAX_CANDIDATE_REVISIONS {
                return Err(format!(
                    "Search query scanned too many documents (fetched {MAX_CANDIDATE_REVISIONS}). Consider using a smaller limit, paginating the query, or using a filter field to limit the number of documents pulled from the search index."
                ));
            }
            let Some(hit) = hits.pop_front() else { return Ok(None) };
            *taken += 1;
            if self.after.as_ref().is_some_and(|after| hit.key <= *after) {
                continue;
            }
            if self.search_end.as_ref().is_some_and(|end| hit.key > *end) {
                hits.clear();
                return Ok(None);
            }
            let Some(document) = tx.get(&hit.id).map_err(|e| e.to_string())? else { continue };
            self.position = Some(hit.key);
            self.rows_read += 1;
            return Ok(Some(document));
        }
    }

    fn pull(&mut self, tx: &mut Transaction) -> Result<Option<Document>, QueryError> {
        if self.search.is_some() {
            return self.pull_search(tx);
        }
        if self.buffer.is_empty() {
            let Some((index, range)) = &self.index else { return Ok(None) };
            if self.source_exhausted {
                return Ok(None);
            }
            let page = tx
                .scan(index, range, self.order, self.after.as_deref(), self.page_size())
                .map_err(|e| e.to_string())?;
            self.source_exhausted = page.exhausted;
            if let Some((key, _)) = page.documents.last() {
                self.after = Some(key.clone());
            }
            self.buffer.extend(page.documents);
        }
        Ok(self.buffer.pop_front().map(|(key, document)| {
            self.position = Some(key);
            self.rows_read += 1;
            document
        }))
    }

    /// Whether nothing more can come: the index range is exhausted or a limit is reached.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The next document, or `None` when the query is done.
    pub fn next(&mut self, tx: &mut Transaction) -> Result<Option<Document>, QueryError> {
        if self.done
            || self
                .operators
                .iter()
                .zip(&self.counts)
                .any(|(op, c)| matches!(op, Operator::Limit(n) if c >= n))
        {
            self.done = true;
            return Ok(None);
        }
        'rows: loop {
            let Some(document) = self.pull(tx)? else {
                self.done = true;
                return Ok(None);
            };
            for (i, op) in self.operators.iter().enumerate() {
                match op {
                    Operator::Filter(expr) => {
                        if !boolean(expr.eval(&document)?)? {
                            continue 'rows;
                        }
                    }
                    Operator::Limit(n) => {
                        if self.counts[i] >= *n {
                            self.done = true;
                            return Ok(None);
                        }
                        self.counts[i] += 1;
                    }
                }
            }
            return Ok(Some(document));
        }
    }
}
