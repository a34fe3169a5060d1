//! The live-subscription inspector: every query a sync session holds (session, function,
//! arguments, result size, runs), what it read (its subscription's index ranges and
//! full-text searches), and the write that last re-ran it — the commit's table and
//! document from the engine's invalidation, and the function and request that made the
//! commit, recorded here as mutations commit. Served to admins at
//! `GET /api/atrium/subscriptions`; Convex itself has no such endpoint.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use atrium_engine::search::SearchRead;
use atrium_engine::{Engine, IndexId, Invalidation, SubscriptionId};
use atrium_protocol::atrium::{
    LiveQuery, LiveSubscriptions, ReadRange, SearchFilterInfo, SearchReadInfo, WriteCause,
};
use atrium_value::DocumentId;
use rustc_hash::FxHashMap;
use serde_json::Value as Json;

/// Commits remembered for attribution (older ones are named by table and document only).
const COMMITS_REMEMBERED: usize = 4096;

/// What committed a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CommitSource {
    pub function: String,
    pub request_id: String,
}

#[derive(Debug, Clone)]
struct Cause {
    ts: u64,
    /// Shared with the invalidation (one per write, however many queries it re-ran).
    table: Arc<str>,
    /// Encoded only when the report is read.
    document: Option<DocumentId>,
    source: Option<CommitSource>,
}

#[derive(Debug, Clone)]
struct LiveQueryRecord {
    session_id: String,
    function: String,
    component: String,
    args: Json,
    identity: String,
    subscription: Option<SubscriptionId>,
    result_bytes: usize,
    runs: u64,
    last_run_ts: u64,
    last_cause: Option<Cause>,
}

/// One run of a live query, as the sync session reports it.
pub(crate) struct QueryRun<'a> {
    pub socket: u64,
    pub session_id: &'a str,
    pub query_id: u32,
    pub function: &'a str,
    /// The component instance it is in (`""`: the app).
    pub component: &'a str,
    /// Converted to JSON only when the query is first recorded.
    pub args: &'a atrium_value::Value,
    pub identity: &'a str,
    pub subscription: Option<SubscriptionId>,
    pub result_bytes: usize,
    pub ts: u64,
    /// The invalidation that made it run again (`None` for its first run).
    pub cause: Option<Invalidation>,
}

#[derive(Debug, Default)]
pub(crate) struct Inspector {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// By (socket, query ID).
    queries: BTreeMap<(u64, u32), LiveQueryRecord>,
    /// The commits remembered, oldest first, and what made each (looked up by every
    /// query a commit re-runs: thousands of sessions, so by key, not by a scan).
    commits: VecDeque<u64>,
    sources: FxHashMap<u64, CommitSource>,
}

impl State {
    /// The function and request that committed at `ts`, when recorded.
    fn source_of(&self, ts: u64) -> Option<CommitSource> {
        self.sources.get(&ts).cloned()
    }
}

impl Inspector {
    /// Remembers which function (and request) committed at `ts`.
    pub(crate) fn record_commit(&self, ts: u64, source: CommitSource) {
        let mut state = self.state.lock().unwrap();
        state.commits.push_back(ts);
        state.sources.insert(ts, source);
        while state.commits.len() > COMMITS_REMEMBERED {
            if let Some(old) = state.commits.pop_front() {
                state.sources.remove(&old);
            }
        }
    }

    pub(crate) fn query_ran(&self, run: QueryRun<'_>) {
        let mut state = self.state.lock().unwrap();
        let cause = run.cause.map(|hit| Cause {
            ts: hit.ts.0,
            table: hit.table,
            document: hit.document,
            source: state.source_of(hit.ts.0),
        });
        let record =
            state.queries.entry((run.socket, run.query_id)).or_insert_with(|| LiveQueryRecord {
                session_id: run.session_id.to_owned(),
                function: run.function.to_owned(),
                component: run.component.to_owned(),
                args: atrium_value::json::to_json(run.args),
                identity: run.identity.to_owned(),
                subscription: None,
                result_bytes: 0,
                runs: 0,
                last_run_ts: 0,
                last_cause: None,
            });
        if record.session_id != run.session_id {
            record.session_id = run.session_id.to_owned();
        }
        if record.identity != run.identity {
            record.identity = run.identity.to_owned();
        }
        record.subscription = run.subscription;
        record.result_bytes = run.result_bytes;
        record.runs += 1;
        record.last_run_ts = run.ts;
        if cause.is_some() {
            record.last_cause = cause;
        }
    }

    pub(crate) fn query_removed(&self, socket: u64, query_id: u32) {
        self.state.lock().unwrap().queries.remove(&(socket, query_id));
    }

    pub(crate) fn socket_closed(&self, socket: u64) {
        // Only this socket's entries: thousands of sockets closing at once must not each
        // walk every live query.
        let mut state = self.state.lock().unwrap();
        let gone: Vec<(u64, u32)> =
            state.queries.range((socket, 0)..=(socket, u32::MAX)).map(|(key, _)| *key).collect();
        for key in gone {
            state.queries.remove(&key);
        }
    }

    /// Every live query with its read set.
    pub(crate) fn snapshot(&self, engine: &Engine) -> LiveSubscriptions {
        let catalog = engine.catalog();
        let index_name = |index: IndexId| index_label(&catalog, index);
        let read_set =
            |q: &LiveQueryRecord| q.subscription.and_then(|s| engine.subscription_read_set(s));
        let searches = engine.search_index_infos();
        let search_read = |read: &SearchRead| SearchReadInfo {
            index: searches.iter().find(|i| i.id == read.index).map_or_else(
                || format!("search index {}", read.index.0),
                |i| format!("{}.{}", catalog.table_name(i.table).unwrap_or("?"), i.name),
            ),
            terms: read.terms.clone(),
            prefix: read.prefix.clone(),
            filters: read
                .shown_filters
                .iter()
                .map(|(field, value)| SearchFilterInfo {
                    field: field.clone(),
                    value: value.clone(),
                })
                .collect(),
        };
        let state = self.state.lock().unwrap();
        let subscriptions = state
            .queries
            .iter()
            .map(|((socket, query_id), q)| LiveQuery {
                socket: *socket,
                session_id: q.session_id.clone(),
                query_id: *query_id,
                function: q.function.clone(),
                component: (!q.component.is_empty()).then(|| q.component.clone()),
                args: q.args.clone(),
                identity: q.identity.clone(),
                live: q.subscription.is_some(),
                read_set: read_set(q)
                    .map(|set| {
                        set.ranges()
                            .iter()
                            .map(|(index, range)| ReadRange {
                                index: index_name(*index),
                                start: hex::encode(&range.start),
                                end: range.end.as_deref().map(hex::encode),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                search_reads: read_set(q)
                    .map(|set| set.searches().iter().map(&search_read).collect())
                    .unwrap_or_default(),
                result_bytes: q.result_bytes as u64,
                runs: q.runs,
                last_run_ts: q.last_run_ts,
                last_cause: q.last_cause.as_ref().map(|c| {
                    // A query can re-run before its writer's commit is recorded (the engine
                    // announces invalidations first): look the writer up again now.
                    let source = c.source.clone().or_else(|| state.source_of(c.ts));
                    WriteCause {
                        ts: c.ts,
                        table: c.table.to_string(),
                        document: c.document.map(|d| d.encode()),
                        function: source.as_ref().map(|s| s.function.clone()),
                        request_id: source.map(|s| s.request_id),
                    }
                }),
            })
            .collect();
        LiveSubscriptions { subscriptions }
    }
}

/// An index as people read it: `messages.by_author`.
pub(crate) fn index_label(catalog: &atrium_engine::Catalog, index: IndexId) -> String {
    match catalog.index_by_id(index) {
        Some(i) => format!("{}.{}", catalog.table_name(i.table).unwrap_or("?"), i.name),
        None if index == IndexId::TABLE_NAMES => "(table names)".to_owned(),
        None => format!("index {}", index.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atrium_engine::{Invalidation, SubscriptionId, Timestamp};

    fn run(ts: u64, cause: Option<Invalidation>) -> QueryRun<'static> {
        static ARGS: atrium_value::Value = atrium_value::Value::Null;
        QueryRun {
            socket: 1,
            session_id: "session",
            query_id: 7,
            function: "messages:list",
            component: "",
            args: &ARGS,
            identity: "admin",
            subscription: None,
            result_bytes: 10,
            ts,
            cause,
        }
    }

    /// The Subscriptions area's "last re-run by": a query re-run on a commit's invalidation
    /// before the commit's writer is recorded (the engine announces invalidations first)
    /// still names that writer once it is — the cause carries the write's own commit
    /// timestamp and its mutation and request, not an empty "by". (Before, the writer was
    /// looked up only as the re-run was recorded, and the area showed the cause without it
    /// until a later re-run.)
    #[test]
    fn a_re_run_recorded_before_its_writer_still_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(&dir.path().join("i.sqlite3"), Default::default()).unwrap();
        let inspector = Inspector::default();
        inspector.query_ran(run(10, None));
        let write_ts = 42;
        let hit = Invalidation {
            subscription: SubscriptionId(1),
            ts: Timestamp(write_ts),
            table: "messages".into(),
            document: None,
            owner: 0,
        };
        inspector.query_ran(run(write_ts, Some(hit)));
        let source = CommitSource { function: "messages:send".into(), request_id: "r-9".into() };
        inspector.record_commit(write_ts, source);

        let report = inspector.snapshot(&engine);
        let query = &report.subscriptions[0];
        assert_eq!((query.runs, query.last_run_ts), (2, write_ts));
        let cause = query.last_cause.as_ref().expect("the re-run's cause");
        assert_eq!(cause.ts, write_ts, "the cause is the write's own commit");
        assert_eq!(cause.function.as_deref(), Some("messages:send"));
        assert_eq!(cause.request_id.as_deref(), Some("r-9"));
    }
}
