//! The sync WebSocket: one session per socket, holding the client's query set and identity,
//! answering mutations and actions, and sending Transitions whenever a commit invalidates
//! one of its queries.
//!
//! Obligations kept (the reference's §5.4): Transitions chain exactly (each starts where the
//! last ended); all results in one Transition are computed at its end timestamp; a
//! Transition reaching a successful mutation's commit timestamp follows its response;
//! replayed mutations (same session and request id) get their stored answer; a Ping goes
//! out after 15 s of silence.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use atrium_engine::{Invalidation, SubscriptionId, Timestamp};
use atrium_protocol::format::ValueFormat;
use atrium_protocol::http::log_line;
use atrium_protocol::sync::{
    ClientMessage, QuerySetModification, ServerMessage, StateModification, StateVersion, TokenType,
};
use atrium_protocol::timestamp;
use atrium_runtime::{Caller, FunctionKind, FunctionOutcome, Runner, RuntimeError};
use atrium_value::Value;
use atrium_value::json::from_json;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use serde_json::Value as Json;
use tokio::sync::broadcast::error::RecvError;

use crate::Deployment;
use crate::auth::{Identity, check_admin_key};
use crate::deployment::{DeploymentEvent, MutationClaim};

const PING_AFTER: Duration = Duration::from_secs(15);

/// The sync route's state: the deployment, and the signal that the server has stopped (a
/// session then ends, so a client still connected does not hold the deployment open).
type SyncState = (Arc<Deployment>, tokio::sync::watch::Receiver<bool>);

pub(crate) async fn upgrade(
    State((deployment, closing)): State<SyncState>,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade.on_upgrade(move |socket| async move {
        let mut session = Session::new(deployment);
        session.run(socket, closing).await;
        session.close();
    })
}

struct LiveQuery {
    udf_path: String,
    args: Value,
    subscription: Option<SubscriptionId>,
    /// The write that made it due to run again, for the inspector.
    pending_cause: Option<Invalidation>,
    /// What was last sent, to skip unchanged results.
    last: Option<StateModification>,
}

struct Session {
    deployment: Arc<Deployment>,
    /// This socket's number, which the inspector files its queries under.
    socket: u64,
    session_id: String,
    identity: Identity,
    query_set: u32,
    identity_version: u32,
    sent: StateVersion,
    sent_ts: u64,
    queries: BTreeMap<u32, LiveQuery>,
}

/// Why a session ends early: a message to send before closing.
struct Fatal(ServerMessage);

fn fatal(error: impl Into<String>) -> Fatal {
    Fatal(ServerMessage::FatalError { error: error.into() })
}

fn arguments(args: &Json) -> Result<Value, String> {
    let args = match args {
        Json::Null => return Ok(Value::Object(Default::default())),
        Json::Array(items) if items.len() == 1 => &items[0],
        other => other,
    };
    match from_json(args) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(other) => {
            Err(format!("Function arguments must be an object, not {}", other.value_type().name()))
        }
        Err(e) => Err(format!("Invalid function arguments: {e}")),
    }
}

fn logs(outcome: &FunctionOutcome) -> Vec<String> {
    outcome.logs.iter().map(|l| log_line(&l.level, &l.message)).collect()
}

/// Who a session runs queries as, for the inspector.
fn identity_label(identity: &Identity) -> String {
    match identity {
        Identity::Anonymous => "anonymous".into(),
        Identity::Admin => "admin".into(),
        Identity::AdminActingAs(user) => format!(
            "admin acting as {}",
            user.get("subject").and_then(|s| s.as_str()).unwrap_or("a user")
        ),
    }
}

fn request_id() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn server_error(message: &str) -> String {
    format!("[Request ID: {}] Server Error\n{message}", request_id())
}

impl Session {
    fn new(deployment: Arc<Deployment>) -> Self {
        static SOCKETS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Self {
            deployment,
            socket: SOCKETS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            session_id: String::new(),
            identity: Identity::Anonymous,
            query_set: 0,
            identity_version: 0,
            sent: StateVersion::initial(),
            sent_ts: 0,
            queries: BTreeMap::new(),
        }
    }

    async fn run(
        &mut self,
        mut socket: WebSocket,
        mut closing: tokio::sync::watch::Receiver<bool>,
    ) {
        let mut events = self.deployment.subscribe_events();
        let mut last_sent = tokio::time::Instant::now();
        loop {
            // The flag only ever turns true, and a dropped server (its sender gone) has
            // stopped too: either way the session ends.
            if *closing.borrow() || closing.has_changed().is_err() {
                let _ = socket.send(Message::Close(None)).await;
                return;
            }
            let outgoing = tokio::select! {
                _ = closing.changed() => continue,
                incoming = socket.recv() => match incoming {
                    Some(Ok(Message::Text(text))) => match serde_json::from_str::<ClientMessage>(&text) {
                        Ok(message) => self.handle(message).await,
                        Err(e) => Err(fatal(format!("Invalid message: {e}"))),
                    },
                    Some(Ok(Message::Binary(_))) => Err(fatal("Binary frames are not part of the sync protocol")),
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => Ok(Vec::new()),
                },
                event = events.recv() => match event {
                    Ok(DeploymentEvent::EnvironmentChanged) => {
                        let all = self.queries.keys().copied().collect();
                        self.refresh(all, false).await.map(|t| vec![t])
                    }
                    Ok(DeploymentEvent::Commit(commit)) => {
                        let mut hit = Vec::new();
                        for (id, query) in self.queries.iter_mut() {
                            let cause = query.subscription.and_then(|s| {
                                commit.invalidated.iter().find(|i| i.subscription == s)
                            });
                            if let Some(cause) = cause {
                                query.pending_cause = Some(cause.clone());
                                hit.push(*id);
                            }
                        }
                        if hit.is_empty() { Ok(Vec::new()) } else { self.refresh(hit, false).await.map(|t| vec![t]) }
                    }
                    // Missed notifications: re-run everything to be safe.
                    Err(RecvError::Lagged(_)) => {
                        let all = self.queries.keys().copied().collect();
                        self.refresh(all, false).await.map(|t| vec![t])
                    }
                    Err(RecvError::Closed) => return,
                },
                _ = tokio::time::sleep_until(last_sent + PING_AFTER) => Ok(vec![ServerMessage::Ping]),
            };
            let (messages, close) = match outgoing {
                Ok(messages) => (messages, false),
                Err(Fatal(message)) => (vec![message], true),
            };
            for message in messages {
                let Ok(text) = serde_json::to_string(&message) else { continue };
                if socket.send(Message::Text(text.into())).await.is_err() {
                    return;
                }
                last_sent = tokio::time::Instant::now();
            }
            if close {
                let _ = socket.send(Message::Close(None)).await;
                return;
            }
        }
    }

    fn close(&mut self) {
        self.deployment.inspector.socket_closed(self.socket);
        for query in self.queries.values() {
            if let Some(subscription) = query.subscription {
                self.deployment.engine().unsubscribe(subscription);
            }
        }
    }

    fn runner(&self) -> Result<(Runner, Caller), String> {
        let runner = self.deployment.runner().ok_or("This deployment has no functions yet")?;
        Ok(match &self.identity {
            Identity::Admin => (runner, Caller::Internal),
            Identity::AdminActingAs(user) => {
                (runner.as_user(Some(user.clone())).map_err(|e| e.to_string())?, Caller::Client)
            }
            Identity::Anonymous => (runner, Caller::Client),
        })
    }

    async fn handle(&mut self, message: ClientMessage) -> Result<Vec<ServerMessage>, Fatal> {
        match message {
            ClientMessage::Connect { session_id, max_observed_timestamp, .. } => {
                self.session_id = session_id;
                if let Some(observed) =
                    max_observed_timestamp.as_deref().and_then(|t| timestamp::decode(t).ok())
                    && observed > self.deployment.engine().latest_ts().0
                {
                    return Err(fatal(
                        "The client has seen a newer timestamp than this deployment has: it was reset or restored",
                    ));
                }
                Ok(Vec::new())
            }
            ClientMessage::Authenticate { base_version, token_type, value, impersonating } => {
                if base_version != self.identity_version {
                    return Err(fatal(format!(
                        "Authenticate baseVersion {base_version} does not match {}",
                        self.identity_version
                    )));
                }
                let identity = match token_type {
                    TokenType::None => Identity::Anonymous,
                    TokenType::Admin => {
                        let key = value.unwrap_or_default();
                        match check_admin_key(&key, self.deployment.admin_key()) {
                            // `impersonating`, or an identity after the key (`key:base64`,
                            // as over HTTP).
                            Ok(from_key) => match impersonating {
                                Some(user) => Identity::AdminActingAs(user),
                                None => from_key,
                            },
                            Err(e) => {
                                return Err(Fatal(ServerMessage::AuthError {
                                    error: e.message,
                                    base_version,
                                    auth_update_attempted: true,
                                }));
                            }
                        }
                    }
                    TokenType::User => {
                        return Err(Fatal(ServerMessage::AuthError {
                            error: "No auth provider found matching the given token: this deployment has no auth providers configured".into(),
                            base_version,
                            auth_update_attempted: true,
                        }));
                    }
                };
                self.identity = identity;
                self.identity_version += 1;
                let all = self.queries.keys().copied().collect();
                Ok(vec![self.refresh(all, true).await?])
            }
            ClientMessage::ModifyQuerySet { base_version, new_version, modifications } => {
                if base_version != self.query_set {
                    return Err(fatal(format!(
                        "BaseVersionMismatch: expected {}, got {base_version}",
                        self.query_set
                    )));
                }
                if new_version <= base_version {
                    return Err(fatal(
                        "ModifyQuerySet newVersion must be greater than baseVersion",
                    ));
                }
                let mut added = Vec::new();
                let mut removed = Vec::new();
                for modification in modifications {
                    match modification {
                        QuerySetModification::Add {
                            query_id,
                            udf_path,
                            args,
                            component_path,
                            ..
                        } => {
                            if component_path.as_deref().is_some_and(|c| !c.is_empty()) {
                                return Err(fatal(
                                    "Components are not supported by this engine yet",
                                ));
                            }
                            let args = arguments(&args).map_err(fatal)?;
                            if self
                                .queries
                                .insert(
                                    query_id,
                                    LiveQuery {
                                        udf_path,
                                        args,
                                        subscription: None,
                                        pending_cause: None,
                                        last: None,
                                    },
                                )
                                .is_some()
                            {
                                return Err(fatal(format!("Query {query_id} was added twice")));
                            }
                            added.push(query_id);
                        }
                        QuerySetModification::Remove { query_id } => {
                            let query = self.queries.remove(&query_id).ok_or_else(|| {
                                fatal(format!("Removed unknown query {query_id}"))
                            })?;
                            if let Some(s) = query.subscription {
                                self.deployment.engine().unsubscribe(s);
                            }
                            self.deployment.inspector.query_removed(self.socket, query_id);
                            removed.push(query_id);
                        }
                    }
                }
                self.query_set = new_version;
                let mut transition = self.refresh(added, true).await?;
                if let ServerMessage::Transition { modifications, .. } = &mut transition {
                    modifications.extend(
                        removed
                            .into_iter()
                            .map(|query_id| StateModification::QueryRemoved { query_id }),
                    );
                    modifications.sort_by_key(modification_query_id);
                }
                Ok(vec![transition])
            }
            ClientMessage::Mutation { request_id, udf_path, args, .. } => {
                let mut claimed = None;
                if !self.session_id.is_empty() {
                    let claim =
                        self.deployment.mutation_results().claim(&self.session_id, request_id);
                    let answered = match claim {
                        MutationClaim::Answered(stored) => Some(stored),
                        // The first run's connection dropped mid-flight: share its answer.
                        MutationClaim::Running(mut running) => {
                            running.wait_for(Option::is_some).await.ok().and_then(|v| v.clone())
                        }
                        MutationClaim::Run(sender) => {
                            claimed = Some(sender);
                            None
                        }
                    };
                    if let Some(stored) = answered
                        && let Ok(message) = serde_json::from_value::<ServerMessage>(stored)
                    {
                        // A replay after a reconnect: the same answer, no second run.
                        return Ok(vec![message, self.refresh(Vec::new(), false).await?]);
                    }
                }
                let (success, result, ts, log_lines, error_data) =
                    self.call(&udf_path, &args, FunctionKind::Mutation, request_id).await;
                let response = ServerMessage::MutationResponse {
                    request_id,
                    success,
                    result,
                    ts: ts.map(timestamp::encode),
                    log_lines,
                    error_data,
                };
                if let Some(sender) = claimed {
                    // Only committed answers are kept; a failed run may be retried.
                    let stored = success.then(|| serde_json::to_value(&response).ok()).flatten();
                    self.deployment.mutation_results().finish(
                        &self.session_id,
                        request_id,
                        sender,
                        stored,
                    );
                }
                // Read-your-writes: a Transition at or after the commit follows the response.
                Ok(vec![response, self.refresh(Vec::new(), false).await?])
            }
            ClientMessage::Action { request_id, udf_path, args, .. } => {
                let (success, result, _, log_lines, error_data) =
                    self.call(&udf_path, &args, FunctionKind::Action, request_id).await;
                Ok(vec![ServerMessage::ActionResponse {
                    request_id,
                    success,
                    result,
                    log_lines,
                    error_data,
                }])
            }
            ClientMessage::Event { .. } => Ok(Vec::new()),
        }
    }

    /// Runs a system function as this session's identity, off the async threads.
    async fn run_system(
        &self,
        path: &str,
        args: Value,
        at: Option<Timestamp>,
    ) -> Result<crate::system::SystemAnswer, String> {
        let deployment = self.deployment.clone();
        let (identity, path) = (self.identity.clone(), path.to_owned());
        tokio::task::spawn_blocking(move || {
            crate::system::run(&deployment, &identity, &path, &args, at)
        })
        .await
        .unwrap_or_else(|join| Err(join.to_string()))
    }

    /// Convex's ID for a request over this socket: the first 16 hex digits of
    /// sha256("<session>|<request>").
    fn request_id_of(&self, request: u32) -> String {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(format!("{}|{request}", self.session_id));
        digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
    }

    /// Remembers which function made the commit at `ts`, for the inspector.
    fn record_commit(&self, ts: u64, path: &str, request: u32) {
        let source = crate::inspector::CommitSource {
            function: path.to_owned(),
            request_id: self.request_id_of(request),
        };
        self.deployment.inspector.record_commit(ts, source);
    }

    /// Runs a mutation or action: (success, result or error message, commit ts, logs, error data).
    async fn call(
        &self,
        path: &str,
        args: &Json,
        kind: FunctionKind,
        request: u32,
    ) -> (bool, Json, Option<u64>, Vec<String>, Option<Json>) {
        let failure =
            |message: String| (false, Json::String(server_error(&message)), None, Vec::new(), None);
        let args = match arguments(args) {
            Ok(args) => args,
            Err(e) => return failure(e),
        };
        if crate::system::is_system(path) {
            let answer = self.run_system(path, args, None).await;
            return match answer {
                Ok(answer) => {
                    if let Some(ts) = answer.commit_ts {
                        self.record_commit(ts, path, request);
                    }
                    let ts =
                        answer.commit_ts.unwrap_or_else(|| self.deployment.engine().latest_ts().0);
                    (
                        true,
                        ValueFormat::ConvexEncodedJson.encode(&answer.value),
                        Some(ts),
                        Vec::new(),
                        None,
                    )
                }
                Err(message) => failure(message),
            };
        }
        let (runner, caller) = match self.runner() {
            Ok(r) => r,
            Err(e) => return failure(e),
        };
        let owned = path.to_owned();
        let runner = runner.with_request_id(&self.request_id_of(request));
        let outcome =
            tokio::task::spawn_blocking(move || runner.run_as(caller, &owned, kind, args)).await;
        match outcome {
            Ok(Ok(outcome)) => {
                if let Some(commit) = &outcome.commit {
                    self.record_commit(commit.ts.0, path, request);
                }
                let lines = logs(&outcome);
                let ts = outcome.commit.as_ref().map_or(outcome.snapshot.0, |c| c.ts.0);
                match outcome.result {
                    Ok(value) => {
                        (true, ValueFormat::ConvexEncodedJson.encode(&value), Some(ts), lines, None)
                    }
                    Err(error) => (
                        false,
                        Json::String(server_error(&error.message)),
                        None,
                        lines,
                        error.data.as_ref().map(|d| ValueFormat::ConvexEncodedJson.encode(d)),
                    ),
                }
            }
            Ok(Err(error)) => failure(describe_runtime_error(&error)),
            Err(join) => failure(join.to_string()),
        }
    }

    /// Re-runs `query_ids` at the latest timestamp and builds the next Transition. Unchanged
    /// results are left out unless `always_send` (new queries, a new identity).
    async fn refresh(
        &mut self,
        mut query_ids: Vec<u32>,
        always_send: bool,
    ) -> Result<ServerMessage, Fatal> {
        let mut modifications = Vec::new();
        let ts = loop {
            let ts = self.deployment.engine().latest_ts();
            let mut again = Vec::new();
            for query_id in std::mem::take(&mut query_ids) {
                let Some(query) = self.queries.get(&query_id) else { continue };
                let (udf_path, args) = (query.udf_path.clone(), query.args.clone());
                let (modification, subscription) =
                    self.run_query(query_id, &udf_path, args, ts).await;
                let query = self.queries.get_mut(&query_id).expect("present above");
                if let Some(old) = query.subscription.take() {
                    self.deployment.engine().unsubscribe(old);
                }
                match subscription {
                    Ok(subscription) => query.subscription = subscription,
                    // A commit after `ts` already changed what it read: run it again.
                    Err(()) => again.push(query_id),
                }
                let result_bytes = match &modification {
                    StateModification::QueryUpdated { value, .. } => {
                        crate::inspector::json_size(value)
                    }
                    _ => 0,
                };
                self.deployment.inspector.query_ran(crate::inspector::QueryRun {
                    socket: self.socket,
                    session_id: &self.session_id,
                    query_id,
                    function: &query.udf_path,
                    args: &query.args,
                    identity: identity_label(&self.identity),
                    subscription: query.subscription,
                    result_bytes,
                    ts: ts.0,
                    cause: query.pending_cause.take(),
                });
                if always_send || query.last.as_ref() != Some(&modification) {
                    query.last = Some(modification.clone());
                    modifications.retain(|m| modification_query_id(m) != query_id);
                    modifications.push(modification);
                }
            }
            if again.is_empty() {
                break ts;
            }
            query_ids = again;
        };
        modifications.sort_by_key(modification_query_id);
        let end_ts = ts.0.max(self.sent_ts);
        let end = StateVersion {
            query_set: self.query_set,
            identity: self.identity_version,
            ts: timestamp::encode(end_ts),
        };
        let start = std::mem::replace(&mut self.sent, end.clone());
        self.sent_ts = end_ts;
        Ok(ServerMessage::Transition { start_version: start, end_version: end, modifications })
    }

    /// Runs one query at `ts`; its result, and its subscription (`Err` if already stale).
    async fn run_query(
        &self,
        query_id: u32,
        path: &str,
        args: Value,
        ts: Timestamp,
    ) -> (StateModification, Result<Option<SubscriptionId>, ()>) {
        let failed = |message: String, log_lines: Vec<String>, error_data: Option<Json>| {
            StateModification::QueryFailed {
                query_id,
                error_message: server_error(&message),
                log_lines,
                journal: None,
                error_data,
            }
        };
        if crate::system::is_system(path) {
            // Answered natively; the dashboard's queries stay live through their read set.
            let answer = self.run_system(path, args, Some(ts)).await;
            return match answer {
                Ok(answer) => {
                    let subscription = match answer.read {
                        Some((read_set, snapshot)) => {
                            match self.deployment.engine().subscribe(read_set, snapshot) {
                                Ok(id) => Ok(Some(id)),
                                Err(_) => Err(()),
                            }
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
                Err(message) => (failed(message, Vec::new(), None), Ok(None)),
            };
        }
        let (runner, caller) = match self.runner() {
            Ok(r) => r,
            Err(e) => return (failed(e, Vec::new(), None), Ok(None)),
        };
        // Sessions asking the same thing at the same timestamp share one run.
        let key =
            format!("{:?}\u{0}{path}\u{0}{}", self.identity, atrium_value::json::to_json(&args));
        let slot = self.deployment.query_slot(key, ts.0);
        let path = path.to_owned();
        let shared = slot
            .get_or_init(|| async move {
                let run = tokio::task::spawn_blocking(move || {
                    runner.at_snapshot(ts).run_as(caller, &path, FunctionKind::Query, args)
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
            Err(message) => return (failed(message, Vec::new(), None), Ok(None)),
        };
        let subscription =
            match self.deployment.engine().subscribe(outcome.read_set.clone(), outcome.snapshot) {
                Ok(id) => Ok(Some(id)),
                Err(_) => Err(()),
            };
        let lines = logs(&outcome);
        let modification = match &outcome.result {
            Ok(value) => StateModification::QueryUpdated {
                query_id,
                value: ValueFormat::ConvexEncodedJson.encode(value),
                log_lines: lines,
                journal: None,
            },
            Err(error) => failed(
                error.message.clone(),
                lines,
                error.data.as_ref().map(|d| ValueFormat::ConvexEncodedJson.encode(d)),
            ),
        };
        (modification, subscription)
    }
}

fn modification_query_id(m: &StateModification) -> u32 {
    match m {
        StateModification::QueryUpdated { query_id, .. }
        | StateModification::QueryFailed { query_id, .. }
        | StateModification::QueryRemoved { query_id } => *query_id,
    }
}

fn describe_runtime_error(error: &RuntimeError) -> String {
    match error {
        RuntimeError::FunctionNotFound(_) | RuntimeError::ModuleNotFound(..) | RuntimeError::BadPath(_) => {
            "Could not find public function. Did you forget to run `npx convex dev` or `npx convex deploy`?".to_owned()
        }
        other => other.to_string(),
    }
}
