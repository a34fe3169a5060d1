//! The sync WebSocket: one session per socket, holding the client's query set and identity,
//! answering mutations and actions, and sending Transitions whenever a commit invalidates
//! one of its queries.
//!
//! Obligations kept (the reference's §5.4): Transitions chain exactly (each starts where the
//! last ended); a Transition to `ts` reflects every commit up to `ts` in every result it
//! carries and every result the client holds (`queries.rs`, the only place a Transition is
//! made); a mutation's response is followed by a Transition reaching its commit, so a
//! client resolving it then reads its own write; replayed mutations (same session and
//! request id) get their stored answer, from memory or, after a restart, from the replay
//! record the mutation's commit stored (`atrium_engine::replay`); a Ping goes out after 15 s of silence; a user whose
//! token has expired since it authenticated is refused with an `AuthError`, as Convex does,
//! the next time the session would run something as them.
//! This file reads messages and dispatches them; it builds no query result itself.

mod calls;
mod frames;
mod queries;
mod readable;
pub(crate) mod shared;
mod wire;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use atrium_engine::{Invalidation, SubscriptionId};
use atrium_protocol::sync::{
    ClientMessage, QuerySetModification, ServerMessage, StateVersion, TokenType,
};
use atrium_protocol::timestamp;
use atrium_runtime::FunctionKind;
use atrium_value::Value;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use serde_json::Value as Json;

use crate::Deployment;
use crate::auth::{Identity, check_admin_key};
use crate::deployment::{Inbox, MutationClaim};
use frames::Modification;
use wire::arguments;

const PING_AFTER: Duration = Duration::from_secs(15);

/// The largest message a client may send (frame or whole message): room for a value at
/// Convex's 32 MiB size limit in JSON. A longer one is refused when its header arrives,
/// before it is read, with a `FatalError` and a close (1009, message too big).
pub(crate) const MAX_CLIENT_MESSAGE: usize = 64 << 20;

/// The socket's read buffer. tungstenite's default (128 KiB) is allocated per socket and
/// zeroed on every read attempt (each poll of the session loop), which dominated the cost
/// of waking 10,000 sessions and their idle memory; a longer message still gets room for
/// its whole length once its header is read.
const READ_BUFFER: usize = 4 << 10;

/// The sync route's state: the deployment, and the signal that the server has stopped (a
/// session then ends, so a client still connected does not hold the deployment open).
type SyncState = (Arc<Deployment>, tokio::sync::watch::Receiver<bool>);

pub(crate) async fn upgrade(
    State((deployment, closing)): State<SyncState>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let upgrade = upgrade
        .max_message_size(MAX_CLIENT_MESSAGE)
        .max_frame_size(MAX_CLIENT_MESSAGE)
        .read_buffer_size(READ_BUFFER);
    upgrade.on_upgrade(move |socket| async move {
        // Dropping the session (here, or with the task) unsubscribes its queries.
        Session::new(deployment).run(socket, closing).await;
    })
}

struct LiveQuery {
    udf_path: String,
    /// The component instance the query is in (`""`: the app).
    component: String,
    args: Value,
    subscription: Option<SubscriptionId>,
    /// Its last result may be out of date (a commit hit its read set, it is new, or the
    /// identity or environment changed): the next Transition re-runs it.
    due: bool,
    /// The write that made it due to run again, for the inspector.
    pending_cause: Option<Invalidation>,
    /// What was last sent, to skip unchanged results.
    last: Option<Modification>,
    /// Its keys among the runs sessions share (see `queries.rs`): identity, query, arguments
    /// and journal, made at its first run and again once the identity or journal changed.
    shared_key: Option<crate::deployment::QueryKeys>,
    /// The journal its last run returned (or the client sent), which its next run
    /// continues from: a paginated query's page keeps its end.
    journal: Option<String>,
}

struct Session {
    deployment: Arc<Deployment>,
    /// Commit hits and environment changes, taken in by `queries.rs` before each
    /// Transition; its wake-up is the session's signal to build one.
    inbox: Arc<Inbox>,
    /// This socket's number, which the inspector files its queries under.
    socket: u64,
    session_id: String,
    identity: Identity,
    /// `identity` in words, for the inspector (made once per identity, not per query run).
    identity_label: String,
    /// When a user identity's token expires (`exp`, Unix seconds): past it, the session
    /// refuses to run anything as that user (see [`Session::refuse_expired`]).
    identity_expires: Option<f64>,
    query_set: u32,
    identity_version: u32,
    sent: StateVersion,
    sent_ts: u64,
    queries: BTreeMap<u32, LiveQuery>,
    /// Queries removed since the last Transition, which announces them.
    removed: Vec<u32>,
}

/// Why a session ends early: a message to send before closing.
struct Fatal(Box<ServerMessage>);

fn fatal(error: impl Into<String>) -> Fatal {
    Fatal(Box::new(ServerMessage::FatalError { error: error.into() }))
}

impl Session {
    fn new(deployment: Arc<Deployment>) -> Self {
        static SOCKETS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let socket = SOCKETS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Self {
            inbox: deployment.inboxes().open(socket),
            deployment,
            socket,
            session_id: String::new(),
            identity: Identity::Anonymous,
            identity_label: wire::identity_label(&Identity::Anonymous),
            identity_expires: None,
            query_set: 0,
            identity_version: 0,
            sent: StateVersion::initial(),
            sent_ts: 0,
            queries: BTreeMap::new(),
            removed: Vec::new(),
        }
    }

    async fn run(
        &mut self,
        mut socket: WebSocket,
        mut closing: tokio::sync::watch::Receiver<bool>,
    ) {
        let mut last_sent = tokio::time::Instant::now();
        // One timer for the session, moved only when it fires early (something was sent
        // since it was set): setting a fresh one on every pass would touch the runtime's
        // timer wheel once per message, for every session a commit wakes.
        let ping = tokio::time::sleep_until(last_sent + PING_AFTER);
        // Likewise the waits for the server's stop and for the inbox are made once (and the
        // inbox's again after each wake), not on every pass: each registration takes a
        // lock, the stop signal's one shared by every session.
        // The flag only ever turns true, and a dropped server (its sender gone) has
        // stopped too: either way the session ends.
        let closed = async move {
            while !*closing.borrow_and_update() {
                if closing.changed().await.is_err() {
                    break;
                }
            }
        };
        let inbox = self.inbox.clone();
        let arrived = inbox.arrived();
        tokio::pin!(ping, closed, arrived);
        // The socket is read only once it signalled it may have something (see `readable`).
        let gate = readable::ReadGate::new();
        loop {
            let due = self.any_due();
            let outgoing = tokio::select! {
                () = &mut closed => {
                    let _ = socket.send(Message::Close(None)).await;
                    return;
                }
                incoming = gate.next(&mut socket) => match incoming {
                    Some(Ok(Message::Text(text))) => match serde_json::from_str::<ClientMessage>(&text) {
                        Ok(message) => self.handle(message).await,
                        Err(e) => Err(fatal(format!("Invalid message: {e}"))),
                    },
                    Some(Ok(Message::Binary(_))) => Err(fatal("Binary frames are not part of the sync protocol")),
                    Some(Err(e)) if readable::too_large(&e) => Err(fatal(format!(
                        "Message is too large: the limit is {MAX_CLIENT_MESSAGE} bytes"
                    ))),
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => Ok(Vec::new()),
                },
                () = &mut arrived => {
                    arrived.set(inbox.arrived());
                    self.advance(false).await.map(|t| t.into_iter().collect())
                }
                // A query outdated again while it ran: run it once more.
                () = std::future::ready(()), if due => self.advance(false).await.map(|t| t.into_iter().collect()),
                () = &mut ping => {
                    let due = last_sent + PING_AFTER;
                    if due > tokio::time::Instant::now() {
                        ping.as_mut().reset(due);
                        continue;
                    }
                    Ok(vec![frames::message(&ServerMessage::Ping)])
                }
            };
            let (messages, close) = match outgoing {
                Ok(messages) => (messages, false),
                Err(Fatal(message)) => (vec![frames::message(&message)], true),
            };
            for text in messages {
                if socket.send(Message::Text(text.into())).await.is_err() {
                    return;
                }
                last_sent = tokio::time::Instant::now();
            }
            if close {
                let _ = socket.send(Message::Close(None)).await;
                // Let the client read the error before the socket goes (closing with its
                // unread bytes pending would reset the connection).
                let _ = tokio::time::timeout(Duration::from_secs(2), async {
                    while let Some(Ok(_)) = socket.recv().await {}
                })
                .await;
                return;
            }
        }
    }

    async fn handle(&mut self, message: ClientMessage) -> Result<Vec<String>, Fatal> {
        match message {
            ClientMessage::Connect { session_id, max_observed_timestamp, .. } => {
                self.connect(session_id, max_observed_timestamp.as_deref())
            }
            ClientMessage::Authenticate { base_version, token_type, value, impersonating } => {
                self.authenticate(base_version, token_type, value, impersonating).await
            }
            ClientMessage::ModifyQuerySet { base_version, new_version, modifications } => {
                self.modify_query_set(base_version, new_version, modifications).await
            }
            ClientMessage::Mutation { request_id, udf_path, args, component_path } => {
                let component = component_path.unwrap_or_default();
                self.mutation(request_id, &udf_path, &args, &component).await
            }
            ClientMessage::Action { request_id, udf_path, args, component_path } => {
                self.refuse_expired()?;
                let component = component_path.unwrap_or_default();
                let (success, result, _, log_lines, error_data) =
                    self.call(&udf_path, &component, &args, FunctionKind::Action, request_id).await;
                Ok(vec![frames::message(&ServerMessage::ActionResponse {
                    request_id,
                    success,
                    result,
                    log_lines,
                    error_data,
                })])
            }
            ClientMessage::Event { .. } => Ok(Vec::new()),
        }
    }

    /// Convex's refusal of a user whose token expired after it authenticated, checked
    /// whenever the session would run something as them: an `AuthError` that did not come
    /// from an `Authenticate` (the official client fetches a fresh token and sends it), and
    /// the socket closes.
    fn refuse_expired(&self) -> Result<(), Fatal> {
        let Some(expires) = self.identity_expires else { return Ok(()) };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        if expires >= now {
            return Ok(());
        }
        Err(Fatal(Box::new(ServerMessage::AuthError {
            error: "Convex token identity expired".into(),
            base_version: self.identity_version,
            auth_update_attempted: false,
        })))
    }

    /// The next Transition, which the caller must send.
    async fn transition(&mut self) -> Result<String, Fatal> {
        Ok(self.advance(true).await?.expect("always a Transition when asked for one"))
    }

    fn connect(
        &mut self,
        session_id: String,
        max_observed: Option<&str>,
    ) -> Result<Vec<String>, Fatal> {
        self.session_id = session_id;
        if let Some(observed) = max_observed.and_then(|t| timestamp::decode(t).ok())
            && observed > self.deployment.engine().latest_ts().0
        {
            return Err(fatal(
                "The client has seen a newer timestamp than this deployment has: it was reset or restored",
            ));
        }
        Ok(Vec::new())
    }

    async fn authenticate(
        &mut self,
        base_version: u32,
        token_type: TokenType,
        value: Option<String>,
        impersonating: Option<Json>,
    ) -> Result<Vec<String>, Fatal> {
        if base_version != self.identity_version {
            return Err(fatal(format!(
                "Authenticate baseVersion {base_version} does not match {}",
                self.identity_version
            )));
        }
        let refused = |error: String| {
            Fatal(Box::new(ServerMessage::AuthError {
                error,
                base_version,
                auth_update_attempted: true,
            }))
        };
        let mut expires = None;
        let identity = match token_type {
            TokenType::None => Identity::Anonymous,
            TokenType::Admin => {
                let key = value.unwrap_or_default();
                match check_admin_key(&key, self.deployment.admin_key()) {
                    // `impersonating`, or an identity after the key (`key:base64`, as over
                    // HTTP).
                    Ok(from_key) => match impersonating {
                        Some(user) => Identity::AdminActingAs(user),
                        None => from_key,
                    },
                    Err(e) => return Err(refused(e.message)),
                }
            }
            TokenType::User => {
                let token = value.unwrap_or_default();
                match self.deployment.verifier().verify(&token).await {
                    Ok(verified) => {
                        expires = verified.claims.get("exp").and_then(Json::as_f64);
                        Identity::User(verified.identity)
                    }
                    Err(e) => return Err(refused(e.message)),
                }
            }
        };
        self.identity_label = wire::identity_label(&identity);
        self.identity = identity;
        self.identity_expires = expires;
        self.identity_version += 1;
        // Every query runs again as the new identity, and is sent even if unchanged.
        for query in self.queries.values_mut() {
            query.due = true;
            query.last = None;
            query.shared_key = None;
        }
        Ok(vec![self.transition().await?])
    }

    async fn modify_query_set(
        &mut self,
        base_version: u32,
        new_version: u32,
        modifications: Vec<QuerySetModification>,
    ) -> Result<Vec<String>, Fatal> {
        if base_version != self.query_set {
            return Err(fatal(format!(
                "BaseVersionMismatch: expected {}, got {base_version}",
                self.query_set
            )));
        }
        if new_version <= base_version {
            return Err(fatal("ModifyQuerySet newVersion must be greater than baseVersion"));
        }
        for modification in modifications {
            match modification {
                QuerySetModification::Add { query_id, udf_path, args, component_path, journal } => {
                    let args = arguments(&args).map_err(fatal)?;
                    // Due: it runs at the Transition's own timestamp, never from an older run.
                    let query = LiveQuery {
                        udf_path,
                        component: component_path.unwrap_or_default(),
                        args,
                        subscription: None,
                        due: true,
                        pending_cause: None,
                        last: None,
                        shared_key: None,
                        journal,
                    };
                    if self.queries.insert(query_id, query).is_some() {
                        return Err(fatal(format!("Query {query_id} was added twice")));
                    }
                    self.removed.retain(|r| *r != query_id);
                }
                QuerySetModification::Remove { query_id } => {
                    let query = self
                        .queries
                        .remove(&query_id)
                        .ok_or_else(|| fatal(format!("Removed unknown query {query_id}")))?;
                    if let Some(s) = query.subscription {
                        self.deployment.engine().unsubscribe(s);
                    }
                    self.deployment.inspector.query_removed(self.socket, query_id);
                    self.removed.push(query_id);
                }
            }
        }
        self.query_set = new_version;
        Ok(vec![self.transition().await?])
    }

    /// Runs a mutation (or answers its replay) and follows the response with a Transition
    /// reaching its commit: read-your-writes.
    async fn mutation(
        &mut self,
        request_id: u32,
        udf_path: &str,
        args: &Json,
        component: &str,
    ) -> Result<Vec<String>, Fatal> {
        // Before the claim: a refused mutation has not run, and runs when the client sends
        // it again with a fresh token.
        self.refuse_expired()?;
        let mut claimed = None;
        if !self.session_id.is_empty() {
            let claim = self.deployment.mutation_results().claim(&self.session_id, request_id);
            let answered = match claim {
                MutationClaim::Answered(stored) => Some(stored),
                // The first run's connection dropped mid-flight: share its answer.
                MutationClaim::Running(mut running) => {
                    running.wait_for(Option::is_some).await.ok().and_then(|v| v.clone())
                }
                // Not run in this process: it may have committed before a restart.
                MutationClaim::Run(sender) => match self.stored_answer(request_id) {
                    Some(stored) => {
                        let json = serde_json::to_value(&stored).ok();
                        self.deployment.mutation_results().finish(
                            &self.session_id,
                            request_id,
                            sender,
                            json.clone(),
                        );
                        json
                    }
                    None => {
                        claimed = Some(sender);
                        None
                    }
                },
            };
            if let Some(stored) = answered
                && let Ok(message) = serde_json::from_value::<ServerMessage>(stored)
            {
                // A replay after a reconnect: the same answer, no second run.
                return Ok(vec![frames::message(&message), self.transition().await?]);
            }
        }
        let (success, result, ts, log_lines, error_data) =
            self.call(udf_path, component, args, FunctionKind::Mutation, request_id).await;
        if success {
            atrium_engine::fault::point(atrium_engine::fault::points::SYNC_MUTATION_COMMITTED);
        }
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
            self.deployment.mutation_results().finish(&self.session_id, request_id, sender, stored);
        }
        // The commit is at or before the latest timestamp, which the Transition reaches
        // with every query it outdated re-run.
        let response_text = frames::message(&response);
        Ok(vec![response_text, self.transition().await?])
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.deployment.inboxes().close(self.socket);
        self.deployment.inspector.socket_closed(self.socket);
        for query in self.queries.values() {
            if let Some(subscription) = query.subscription {
                self.deployment.engine().unsubscribe(subscription);
            }
        }
    }
}
