//! A sync session's Transitions: which queries are due (a commit hit their read set, they
//! are new, or the identity or environment changed), re-running them, and the one function
//! that builds a Transition, [`Session::advance`].
//!
//! Invariant: a Transition to version `ts` carries, for every query in the session's set, a
//! result computed at a snapshot at or after every commit at or before `ts` that touched its
//! read set. `advance` reads the latest timestamp first, then takes in every commit event up
//! to it (the engine broadcasts a commit's invalidations before its timestamp becomes the
//! latest), and re-runs every due query at that timestamp before naming it. A query whose
//! result was outdated again by a later commit stays due and runs in the next Transition.
//! It must not send anything itself, nor advance the version any other way.

use std::sync::Arc;

use atrium_engine::{Invalidation, SubscriptionId, Timestamp};
use atrium_protocol::format::ValueFormat;
use atrium_protocol::sync::{ServerMessage, StateModification, StateVersion};
use atrium_protocol::timestamp;
use atrium_runtime::FunctionKind;
use atrium_value::Value;
use serde_json::Value as Json;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use super::Session;
use super::wire::{describe_runtime_error, identity_label, logs, server_error};
use crate::deployment::DeploymentEvent;

impl Session {
    /// Takes in a commit or environment event: the queries it outdated become due. `false`
    /// when the deployment is gone.
    pub(super) fn note_event(&mut self, event: Result<DeploymentEvent, RecvError>) -> bool {
        match event {
            Ok(DeploymentEvent::Commit(commit)) => {
                for query in self.queries.values_mut() {
                    let Some(subscription) = query.subscription else { continue };
                    let hits = &commit.invalidated;
                    if let Ok(at) = hits.binary_search_by_key(&subscription, |i| i.subscription) {
                        let hit = &hits[at];
                        // The engine has already dropped a hit subscription.
                        query.subscription = None;
                        query.pending_cause = Some(hit.clone());
                        query.due = true;
                    }
                }
            }
            // New environment, or missed notifications: everything may have changed.
            Ok(DeploymentEvent::EnvironmentChanged) | Err(RecvError::Lagged(_)) => {
                self.queries.values_mut().for_each(|q| q.due = true);
            }
            Err(RecvError::Closed) => return false,
        }
        true
    }

    /// Takes in every event already broadcast.
    fn take_events(&mut self) {
        loop {
            let event = match self.events.try_recv() {
                Ok(event) => Ok(event),
                Err(TryRecvError::Lagged(missed)) => Err(RecvError::Lagged(missed)),
                Err(TryRecvError::Empty | TryRecvError::Closed) => return,
            };
            self.note_event(event);
        }
    }

    /// Whether some query waits for a re-run.
    pub(super) fn any_due(&self) -> bool {
        self.queries.values().any(|q| q.due)
    }

    /// Builds the next Transition, to the latest timestamp, re-running every due query there
    /// first. `None` when nothing is due and `always` is false (a commit that outdated none
    /// of this session's queries). Unchanged results are left out, except a query's first.
    pub(super) async fn advance(
        &mut self,
        always: bool,
    ) -> Result<Option<ServerMessage>, super::Fatal> {
        // The order matters: every commit up to `ts` has broadcast its invalidations by the
        // time `ts` is the latest, so taking events after reading it sees them all.
        let ts = self.deployment.engine().latest_ts();
        self.take_events();
        let due: Vec<u32> = self.queries.iter().filter(|(_, q)| q.due).map(|(id, _)| *id).collect();
        if due.is_empty() && self.removed.is_empty() && !always {
            return Ok(None);
        }
        if !due.is_empty() {
            self.refuse_expired()?;
        }
        let mut modifications: Vec<StateModification> = std::mem::take(&mut self.removed)
            .into_iter()
            .map(|query_id| StateModification::QueryRemoved { query_id })
            .collect();
        for query_id in due {
            if let Some(modification) = self.rerun(query_id, ts).await {
                modifications.push(modification);
            }
        }
        modifications.sort_by_key(modification_query_id);
        debug_assert!(ts.0 >= self.sent_ts, "the latest timestamp never goes back");
        let end_ts = ts.0.max(self.sent_ts);
        let end = StateVersion {
            query_set: self.query_set,
            identity: self.identity_version,
            ts: timestamp::encode(end_ts),
        };
        let start = std::mem::replace(&mut self.sent, end.clone());
        self.sent_ts = end_ts;
        Ok(Some(ServerMessage::Transition {
            start_version: start,
            end_version: end,
            modifications,
        }))
    }

    /// Runs one due query at `ts`; the modification to send, if its result changed.
    async fn rerun(&mut self, query_id: u32, ts: Timestamp) -> Option<StateModification> {
        let query = self.queries.get(&query_id)?;
        let (udf_path, args) = (query.udf_path.clone(), query.args.clone());
        let component = query.component.clone();
        let journal = query.journal.clone();
        let (modification, subscription) =
            self.run_query(query_id, &udf_path, &component, args, journal, ts).await;
        let query = self.queries.get_mut(&query_id).expect("present above");
        // As Convex: the journal of the latest run, failed or not, is what the next run
        // continues from.
        if let StateModification::QueryUpdated { journal, .. }
        | StateModification::QueryFailed { journal, .. } = &modification
        {
            query.journal = journal.clone();
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
        let result_bytes = match &modification {
            StateModification::QueryUpdated { value, .. } => crate::inspector::json_size(value),
            _ => 0,
        };
        self.deployment.inspector.query_ran(crate::inspector::QueryRun {
            socket: self.socket,
            session_id: &self.session_id,
            query_id,
            function: &query.udf_path,
            component: &query.component,
            args: &query.args,
            identity: identity_label(&self.identity),
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

    /// Runs one query at `ts`; its result, and its subscription (`Err`: a commit after `ts`
    /// already changed what it read).
    async fn run_query(
        &self,
        query_id: u32,
        path: &str,
        component: &str,
        args: Value,
        journal: Option<String>,
        ts: Timestamp,
    ) -> (StateModification, Result<Option<SubscriptionId>, Invalidation>) {
        // A run that failed still sends the journal it recorded before it threw (as
        // Convex's does); one that never ran has none.
        let failed =
            |message: String,
             log_lines: Vec<String>,
             error_data: Option<Json>,
             journal: Option<String>| StateModification::QueryFailed {
                query_id,
                error_message: server_error(&message),
                log_lines,
                journal,
                error_data,
            };
        if crate::system::is_system(path) {
            // Answered natively; the dashboard's queries stay live through their read set.
            let answer = self.run_system(path, component, args, Some(ts)).await;
            return match answer {
                Ok(answer) => {
                    let subscription = match answer.read {
                        Some((read_set, snapshot)) => {
                            self.deployment.engine().subscribe(read_set, snapshot).map(Some)
                        }
                        None => Ok(None),
                    };
                    let modification = StateModification::QueryUpdated {
                        query_id,
                        value: ValueFormat::ConvexEncodedJson.encode(&answer.value),
                        log_lines: Vec::new(),
                        journal: None,
                    };
                    (modification, subscription)
                }
                Err(message) => (failed(message, Vec::new(), None, None), Ok(None)),
            };
        }
        // Sessions asking the same thing at exactly the same timestamp share one run: only
        // the first builds a runner and runs it.
        let key = format!(
            "{:?}\u{0}{component}\u{0}{path}\u{0}{}\u{0}{journal:?}",
            self.identity,
            atrium_value::json::to_json(&args)
        );
        let slot = self.deployment.query_slot(key, ts.0);
        let path = path.to_owned();
        let shared = slot
            .get_or_init(|| async move {
                let (runner, caller) = self.runner(component)?;
                let run = tokio::task::spawn_blocking(move || {
                    runner.at_snapshot(ts).with_journal(journal.as_deref()).run_as(
                        caller,
                        &path,
                        FunctionKind::Query,
                        args,
                    )
                })
                .await;
                match run {
                    Ok(Ok(outcome)) => Ok(Arc::new(outcome)),
                    Ok(Err(error)) => Err(describe_runtime_error(&error)),
                    Err(join) => Err(join.to_string()),
                }
            })
            .await
            .clone();
        let outcome = match shared {
            Ok(outcome) => outcome,
            Err(message) => return (failed(message, Vec::new(), None, None), Ok(None)),
        };
        let subscription = self
            .deployment
            .engine()
            .subscribe(outcome.read_set.clone(), outcome.snapshot)
            .map(Some);
        let lines = logs(&outcome);
        let modification = match &outcome.result {
            Ok(value) => StateModification::QueryUpdated {
                query_id,
                value: ValueFormat::ConvexEncodedJson.encode(value),
                log_lines: lines,
                journal: outcome.journal.clone(),
            },
            Err(error) => failed(
                error.message.clone(),
                lines,
                error.data.as_ref().map(|d| ValueFormat::ConvexEncodedJson.encode(d)),
                outcome.journal.clone(),
            ),
        };
        (modification, subscription)
    }
}

pub(super) fn modification_query_id(m: &StateModification) -> u32 {
    match m {
        StateModification::QueryUpdated { query_id, .. }
        | StateModification::QueryFailed { query_id, .. }
        | StateModification::QueryRemoved { query_id } => *query_id,
    }
}
