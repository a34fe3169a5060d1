//! A sync session's Transitions: which queries are due (a commit hit their read set, they
//! are new, or the identity or environment changed), re-running them, and the one function
//! that builds a Transition, [`Session::advance`].
//!
//! Invariant: a Transition to version `ts` carries, for every query in the session's set, a
//! result computed at a snapshot at or after every commit at or before `ts` that touched its
//! read set. `advance` reads the latest timestamp first, then takes in every hit in the
//! session's inbox (the engine delivers a commit's invalidations before its timestamp
//! becomes the latest), and re-runs every due query at that timestamp before naming it. A
//! query whose result was outdated again by a later commit stays due and runs in the next
//! Transition. It must not send anything itself, nor advance the version any other way.
//!
//! Sessions asking the same thing at the same timestamp share one run and its serialized
//! result, and take a kept run from an earlier timestamp while no commit has touched what it
//! read (`shared.rs`, `deployment/query_cache.rs`: Convex's query cache); a session's own
//! work is its subscription and the few bytes of its Transition around the shared text
//! (`frames.rs`).

use std::sync::Arc;

use atrium_engine::{Invalidation, SubscriptionId, Timestamp};
use atrium_protocol::format::ValueFormat;
use atrium_protocol::sync::{StateModification, StateVersion};
use atrium_protocol::timestamp;
use serde_json::Value as Json;

use super::frames::{self, Modification, updated_body};
use super::shared::{QueryRun, query_keys, shared_query};
use super::wire::{describe_runtime_error, logs, server_error};
use super::{LiveQuery, Session};
use crate::deployment::QueryKeys;

impl Session {
    /// Takes in everything the inbox holds: the queries a commit hit, or every query after
    /// an environment change, become due.
    fn take_events(&mut self) {
        let mut pending = self.inbox.take();
        if pending.everything {
            self.queries.values_mut().for_each(|q| q.due = true);
        }
        if pending.hits.is_empty() {
            return;
        }
        // A stable sort: each subscription's first (earliest) hit is the one found.
        pending.hits.sort_by_key(|i| i.subscription);
        let hits = &pending.hits;
        for query in self.queries.values_mut() {
            let Some(subscription) = query.subscription else { continue };
            let at = hits.partition_point(|i| i.subscription < subscription);
            if let Some(hit) = hits.get(at).filter(|i| i.subscription == subscription) {
                // The engine has already dropped a hit subscription.
                query.subscription = None;
                query.pending_cause = Some(hit.clone());
                query.due = true;
            }
        }
    }

    /// Whether some query waits for a re-run.
    pub(super) fn any_due(&self) -> bool {
        self.queries.values().any(|q| q.due)
    }

    /// Builds the next Transition, to the latest timestamp, re-running every due query there
    /// first. `None` when nothing is due and `always` is false (a commit that outdated none
    /// of this session's queries). Unchanged results are left out, except a query's first.
    pub(super) async fn advance(&mut self, always: bool) -> Result<Option<String>, super::Fatal> {
        // The order matters: every commit up to `ts` has delivered its invalidations by the
        // time `ts` is the latest, so taking them in after reading it sees them all.
        let ts = self.deployment.engine().latest_ts();
        self.take_events();
        let due: Vec<u32> = self.queries.iter().filter(|(_, q)| q.due).map(|(id, _)| *id).collect();
        if due.is_empty() && self.removed.is_empty() && !always {
            return Ok(None);
        }
        if !due.is_empty() {
            self.refuse_expired()?;
        }
        let mut modifications: Vec<Modification> = std::mem::take(&mut self.removed)
            .into_iter()
            .map(|query_id| Modification::Other(StateModification::QueryRemoved { query_id }))
            .collect();
        for query_id in due {
            if let Some(modification) = self.rerun(query_id, ts).await {
                modifications.push(modification);
            }
        }
        modifications.sort_by_key(Modification::query_id);
        debug_assert!(ts.0 >= self.sent_ts, "the latest timestamp never goes back");
        let end_ts = ts.0.max(self.sent_ts);
        let end = StateVersion {
            query_set: self.query_set,
            identity: self.identity_version,
            ts: timestamp::encode(end_ts),
        };
        let start = std::mem::replace(&mut self.sent, end.clone());
        self.sent_ts = end_ts;
        Ok(Some(frames::transition(&start, &end, &modifications)))
    }

    /// Runs one due query at `ts`; the modification to send, if its result changed.
    async fn rerun(&mut self, query_id: u32, ts: Timestamp) -> Option<Modification> {
        let query = self.queries.get(&query_id)?;
        let keys = match &query.shared_key {
            Some(keys) => keys.clone(),
            None => query_keys(
                "sync",
                &self.identity,
                &query.component,
                &query.udf_path,
                &query.args,
                query.journal.as_deref(),
            ),
        };
        let ran = self.run_query(query_id, query, &keys, ts).await;
        let query = self.queries.get_mut(&query_id).expect("present above");
        query.shared_key = Some(keys);
        let Ran { modification, subscription, result_bytes, journal } = ran;
        // As Convex: the journal of the latest run, failed or not, is what the next run
        // continues from (and a new journal makes a new key).
        if let Some(journal) = journal
            && journal != query.journal
        {
            query.journal = journal;
            query.shared_key = None;
        }
        let cause = query.pending_cause.take();
        if let Some(old) = query.subscription.take() {
            self.deployment.engine().unsubscribe(old);
        }
        match subscription {
            Ok(subscription) => {
                query.subscription = subscription;
                query.due = false;
            }
            // Right at `ts`, but a later commit already changed what it read: it stays due.
            Err(hit) => query.pending_cause = Some(hit),
        }
        self.deployment.inspector.query_ran(crate::inspector::QueryRun {
            socket: self.socket,
            session_id: &self.session_id,
            query_id,
            function: &query.udf_path,
            component: &query.component,
            args: &query.args,
            identity: &self.identity_label,
            subscription: query.subscription,
            result_bytes,
            ts: ts.0,
            cause,
        });
        if query.last.as_ref() == Some(&modification) {
            return None;
        }
        query.last = Some(modification.clone());
        Some(modification)
    }

    /// Runs one query at `ts` (or takes the run another session made of `key` there).
    async fn run_query(
        &self,
        query_id: u32,
        query: &LiveQuery,
        keys: &QueryKeys,
        ts: Timestamp,
    ) -> Ran {
        let (path, component) = (query.udf_path.as_str(), query.component.as_str());
        // A run that failed still sends the journal it recorded before it threw (as
        // Convex's does); one that never ran has none.
        let failed = |message: String,
                      log_lines: Vec<String>,
                      error_data: Option<Json>,
                      journal: Option<String>| {
            Modification::Other(StateModification::QueryFailed {
                query_id,
                error_message: server_error(&message),
                log_lines,
                journal,
                error_data,
            })
        };
        let failure = |message: String| Ran {
            modification: failed(message, Vec::new(), None, None),
            subscription: Ok(None),
            result_bytes: 0,
            journal: Some(None),
        };
        if crate::system::is_system(path) {
            // Answered natively; the dashboard's queries stay live through their read set.
            let answer = self.run_system(path, component, query.args.clone(), Some(ts)).await;
            return match answer {
                Ok(answer) => {
                    let subscription = match answer.read {
                        Some((read_set, snapshot)) => self.subscribe(read_set, snapshot),
                        None => Ok(None),
                    };
                    let value = ValueFormat::ConvexEncodedJson.encode(&answer.value);
                    let (body, result_bytes) = updated_body(&value, &[], None);
                    Ran {
                        modification: Modification::Updated { query_id, body },
                        subscription,
                        result_bytes,
                        journal: Some(None),
                    }
                }
                Err(message) => failure(message),
            };
        }
        // Sessions asking the same thing at the same timestamp share one run, and take a
        // kept one from before while it is valid: only the first builds a runner (and copies
        // what the run needs) and starts it; the run serializes its result.
        let (shared, _) = shared_query(&self.deployment, keys, ts, || {
            let (runner, caller) = self.runner(component)?;
            Ok(QueryRun {
                runner: runner.with_journal(query.journal.as_deref()),
                caller,
                path: path.to_owned(),
                args: query.args.clone(),
                describe: Box::new(describe_runtime_error),
            })
        })
        .await;
        let run = match shared {
            Ok(run) => run,
            Err(message) => return failure(message),
        };
        let outcome = &run.outcome;
        // The run's read set is shared, not copied, by every session subscribing to it. A
        // run kept from before `ts` was still valid at `ts` when taken (no commit up to `ts`
        // touched it, `query_cache.rs`), so the subscription starts at `ts`: only later
        // commits need checking, not every one since the run.
        let subscription = self.subscribe(run.read_set.clone(), ts);
        let modification = match (&outcome.result, &run.body) {
            (Ok(_), Some(body)) => Modification::Updated { query_id, body: body.clone() },
            (Err(error), _) => failed(
                error.message.clone(),
                logs(outcome),
                error.data.as_ref().map(|d| ValueFormat::ConvexEncodedJson.encode(d)),
                outcome.journal.clone(),
            ),
            (Ok(_), None) => unreachable!("a shared result always has its body"),
        };
        let journal = Some(outcome.journal.clone());
        Ran { modification, subscription, result_bytes: run.value_bytes, journal }
    }

    /// Subscribes to a read set read at `snapshot`, as this session's: a commit that hits
    /// it lands in this session's inbox. `Err`: a commit after `snapshot` already hit it.
    fn subscribe(
        &self,
        read_set: impl Into<Arc<atrium_engine::ReadSet>>,
        snapshot: Timestamp,
    ) -> Result<Option<SubscriptionId>, Invalidation> {
        self.deployment.engine().subscribe_for(read_set, snapshot, self.socket).map(Some)
    }
}

/// What one query run gave a session.
struct Ran {
    /// What to send, if it differs from what was sent.
    modification: Modification,
    /// Its subscription (`Err`: a commit after the run's snapshot already changed what it
    /// read).
    subscription: Result<Option<SubscriptionId>, Invalidation>,
    /// The size of the result's JSON, for the inspector.
    result_bytes: usize,
    /// The journal the query continues from next time, when this run sets it.
    journal: Option<Option<String>>,
}
