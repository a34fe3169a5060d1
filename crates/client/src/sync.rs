//! The sync WebSocket: live query subscriptions and mutations over one connection that
//! reconnects by itself, re-adds its queries (query-set resume) and re-sends unanswered
//! mutations under the same session and request IDs (the deployment answers a replay once).
//! A mutation resolves only once a Transition reaches its commit timestamp, so every query
//! the client holds already reflects it (read-your-writes, as the official clients do).

use std::collections::BTreeMap;
use std::time::Duration;

use atrium_protocol::sync::{
    ClientMessage, QuerySetModification, ServerMessage, StateModification, TokenType,
};
use atrium_protocol::timestamp;
use atrium_value::Value;
use atrium_value::json::{from_json, to_json};
use futures_util::StreamExt;
use serde_json::Value as Json;
use tokio::sync::{mpsc, oneshot, watch};
use tokio_tungstenite::tungstenite::Message;

use crate::{ClientError, DeploymentClient};
use wire::{Socket, action, add, mutation, outcome, send, session_id};

mod subscription;
mod wire;

pub use subscription::Subscription;

/// The client version sent in the sync URL, as the official client does.
const PROTOCOL_VERSION: &str = "1.48.0";
/// A connection that lasted this long resets the backoff.
const STABLE_AFTER: Duration = Duration::from_secs(10);
/// The longest wait between reconnect attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Where the connection stands, for the header's connection indicator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionState {
    Connecting,
    Connected,
    /// Lost or refused; the next attempt is under way or waiting out a backoff.
    Reconnecting {
        attempt: u32,
        reason: String,
    },
    /// [`SyncClient`] was dropped.
    Closed,
}

type QueryResult = Option<Result<Value, String>>;

enum Command {
    Subscribe { id: u32, path: String, args: Json, values: watch::Sender<QueryResult> },
    Unsubscribe { id: u32 },
    Mutation { path: String, args: Json, reply: oneshot::Sender<Result<Value, ClientError>> },
    Action { path: String, args: Json, reply: oneshot::Sender<Result<Value, ClientError>> },
}

/// One live connection to a deployment's sync endpoint.
#[derive(Debug)]
pub struct SyncClient {
    commands: mpsc::UnboundedSender<Command>,
    state: watch::Receiver<ConnectionState>,
    next_query: std::sync::atomic::AtomicU32,
    url: String,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Command")
    }
}

impl SyncClient {
    /// Starts connecting (in the background) to `deployment`'s sync endpoint, as its admin
    /// when it has an admin key. Must be called inside a tokio runtime.
    pub fn connect(deployment: &DeploymentClient) -> Self {
        let (commands, receiver) = mpsc::unbounded_channel();
        let (state_sender, state) = watch::channel(ConnectionState::Connecting);
        let url = deployment.url();
        let socket_url = format!(
            "{}/api/{PROTOCOL_VERSION}/sync",
            url.replacen("http", "ws", 1) // http → ws, https → wss
        );
        let connection = Connection {
            socket_url,
            admin_key: deployment.admin_key().map(str::to_owned),
            session_id: session_id(),
            queries: BTreeMap::new(),
            pending: BTreeMap::new(),
            actions: BTreeMap::new(),
            url: url.clone(),
            next_request: 0,
            query_set: 0,
            observed_ts: 0,
            state: state_sender,
        };
        tokio::spawn(connection.run(receiver));
        Self { commands, state, next_query: 0.into(), url }
    }

    /// The connection's state now; `changed()` on the receiver wakes on every change.
    pub fn state(&self) -> watch::Receiver<ConnectionState> {
        self.state.clone()
    }

    /// Subscribes to a query; its first result arrives through [`Subscription::next`].
    pub fn subscribe(&self, path: &str, args: &Value) -> Subscription {
        let id = self.next_query.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (sender, values) = watch::channel(None);
        let _ = self.commands.send(Command::Subscribe {
            id,
            path: path.to_owned(),
            args: Json::Array(vec![to_json(args)]),
            values: sender,
        });
        Subscription { id, values, commands: self.commands.clone(), url: self.url.clone() }
    }

    /// Runs a mutation; if the connection drops first it is re-sent after reconnecting
    /// and still applied once.
    pub async fn mutation(&self, path: &str, args: &Value) -> Result<Value, ClientError> {
        let args = Json::Array(vec![to_json(args)]);
        self.request(|reply| Command::Mutation { path: path.to_owned(), args, reply }).await
    }

    /// Runs an action. Actions are not replayed: one in flight when the connection drops
    /// fails with [`ClientError::ConnectionLost`], since it may or may not have run.
    pub async fn action(&self, path: &str, args: &Value) -> Result<Value, ClientError> {
        let args = Json::Array(vec![to_json(args)]);
        self.request(|reply| Command::Action { path: path.to_owned(), args, reply }).await
    }

    /// Hands a command to the connection task and waits for its answer.
    async fn request(
        &self,
        command: impl FnOnce(oneshot::Sender<Result<Value, ClientError>>) -> Command,
    ) -> Result<Value, ClientError> {
        let (reply, answer) = oneshot::channel();
        self.commands.send(command(reply)).map_err(|_| self.closed())?;
        answer.await.map_err(|_| self.closed())?
    }

    fn closed(&self) -> ClientError {
        ClientError::Closed { url: self.url.clone() }
    }
}

struct Query {
    path: String,
    args: Json,
    values: watch::Sender<QueryResult>,
}

struct PendingAction {
    path: String,
    args: Json,
    reply: oneshot::Sender<Result<Value, ClientError>>,
    /// Sent on the current connection (else queued until the next one).
    sent: bool,
}

struct PendingMutation {
    path: String,
    args: Json,
    reply: oneshot::Sender<Result<Value, ClientError>>,
    /// Committed at this timestamp, with this result: answered once a Transition reaches it.
    committed: Option<(u64, Result<Value, ClientError>)>,
}

/// The background task's state, kept across reconnects.
struct Connection {
    socket_url: String,
    admin_key: Option<String>,
    session_id: String,
    queries: BTreeMap<u32, Query>,
    pending: BTreeMap<u32, PendingMutation>,
    actions: BTreeMap<u32, PendingAction>,
    url: String,
    next_request: u32,
    query_set: u32,
    /// The timestamp the last Transition on this connection reached.
    observed_ts: u64,
    state: watch::Sender<ConnectionState>,
}

/// Why a connection ended: the reason to show, or the client was dropped.
enum Ended {
    Lost(String),
    Dropped,
}

impl Connection {
    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let mut connection_count = 0;
        let mut last_close = "InitialConnect".to_owned();
        let mut attempt = 0;
        loop {
            let ended = match tokio_tungstenite::connect_async(&self.socket_url).await {
                Ok((socket, _)) => {
                    let opened = tokio::time::Instant::now();
                    let ended =
                        self.serve(socket, &mut commands, connection_count, &last_close).await;
                    connection_count += 1;
                    if opened.elapsed() > STABLE_AFTER {
                        attempt = 0; // it was up a while: the first retry comes quickly
                    }
                    ended
                }
                Err(e) => Ended::Lost(e.to_string()),
            };
            let reason = match ended {
                Ended::Dropped => break,
                Ended::Lost(reason) => reason,
            };
            self.fail_sent_actions(&reason);
            attempt += 1;
            last_close = reason.clone();
            self.state.send_replace(ConnectionState::Reconnecting { attempt, reason });
            let backoff = MAX_BACKOFF.min(Duration::from_millis(100) * 2u32.pow(attempt.min(6)));
            let wake = tokio::time::sleep(backoff);
            tokio::pin!(wake);
            loop {
                tokio::select! {
                    () = &mut wake => break,
                    command = commands.recv() => match command {
                        Some(command) => {
                            self.record(command, false);
                        }
                        None => {
                            self.state.send_replace(ConnectionState::Closed);
                            return;
                        }
                    },
                }
            }
        }
        self.state.send_replace(ConnectionState::Closed);
    }

    /// Notes a command and returns the message to send now; while disconnected
    /// (`connected` false) the message is dropped and the next connection sends the state.
    fn record(&mut self, command: Command, connected: bool) -> Option<ClientMessage> {
        match command {
            Command::Subscribe { id, path, args, values } => {
                self.queries.insert(id, Query { path: path.clone(), args: args.clone(), values });
                self.query_set += 1;
                Some(ClientMessage::ModifyQuerySet {
                    base_version: self.query_set - 1,
                    new_version: self.query_set,
                    modifications: vec![add(id, path, args)],
                })
            }
            Command::Unsubscribe { id } => {
                self.queries.remove(&id)?;
                self.query_set += 1;
                Some(ClientMessage::ModifyQuerySet {
                    base_version: self.query_set - 1,
                    new_version: self.query_set,
                    modifications: vec![QuerySetModification::Remove { query_id: id }],
                })
            }
            Command::Mutation { path, args, reply } => {
                let request_id = self.next_request;
                self.next_request += 1;
                self.pending.insert(
                    request_id,
                    PendingMutation {
                        path: path.clone(),
                        args: args.clone(),
                        reply,
                        committed: None,
                    },
                );
                Some(mutation(request_id, path, args))
            }
            Command::Action { path, args, reply } => {
                let request_id = self.next_request;
                self.next_request += 1;
                let pending = PendingAction {
                    path: path.clone(),
                    args: args.clone(),
                    reply,
                    sent: connected,
                };
                self.actions.insert(request_id, pending);
                Some(action(request_id, path, args))
            }
        }
    }

    /// Actions in flight on a lost connection may or may not have run: they fail.
    fn fail_sent_actions(&mut self, reason: &str) {
        let sent: Vec<u32> =
            self.actions.iter().filter(|(_, a)| a.sent).map(|(id, _)| *id).collect();
        for id in sent {
            if let Some(action) = self.actions.remove(&id) {
                let _ = action.reply.send(Err(ClientError::ConnectionLost {
                    url: self.url.clone(),
                    reason: reason.to_owned(),
                }));
            }
        }
    }

    /// One connection's life: handshake, resume, then commands out and messages in.
    async fn serve(
        &mut self,
        mut socket: Socket,
        commands: &mut mpsc::UnboundedReceiver<Command>,
        connection_count: u32,
        last_close: &str,
    ) -> Ended {
        // A new connection starts from an empty query set; re-add what is subscribed.
        self.query_set = u32::from(!self.queries.is_empty());
        self.observed_ts = 0;
        let mut opening = vec![ClientMessage::Connect {
            session_id: self.session_id.clone(),
            connection_count,
            last_close_reason: Some(last_close.to_owned()),
            max_observed_timestamp: None,
            client_ts: None,
        }];
        if let Some(key) = &self.admin_key {
            opening.push(ClientMessage::Authenticate {
                base_version: 0,
                token_type: TokenType::Admin,
                value: Some(key.clone()),
                impersonating: None,
            });
        }
        if !self.queries.is_empty() {
            let modifications = self
                .queries
                .iter()
                .map(|(id, q)| add(*id, q.path.clone(), q.args.clone()))
                .collect();
            opening.push(ClientMessage::ModifyQuerySet {
                base_version: 0,
                new_version: 1,
                modifications,
            });
        }
        // Unanswered mutations go again, in order, under the same request IDs (and those
        // answered but not yet reflected: the deployment answers them again, then a
        // Transition reaches them).
        opening.extend(
            self.pending.iter().map(|(id, m)| mutation(*id, m.path.clone(), m.args.clone())),
        );
        // Actions queued while disconnected go now.
        for (id, queued) in self.actions.iter_mut().filter(|(_, a)| !a.sent) {
            queued.sent = true;
            opening.push(action(*id, queued.path.clone(), queued.args.clone()));
        }
        for message in opening {
            if let Err(reason) = send(&mut socket, &message).await {
                return Ended::Lost(reason);
            }
        }
        self.state.send_replace(ConnectionState::Connected);
        loop {
            tokio::select! {
                command = commands.recv() => {
                    let Some(command) = command else { return Ended::Dropped };
                    if let Some(message) = self.record(command, true)
                        && let Err(reason) = send(&mut socket, &message).await
                    {
                        return Ended::Lost(reason);
                    }
                }
                frame = socket.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        match serde_json::from_str::<ServerMessage>(&text) {
                            Ok(message) => if let Err(reason) = self.receive(message) {
                                return Ended::Lost(reason);
                            },
                            Err(e) => return Ended::Lost(format!("the deployment sent an unreadable message: {e}")),
                        }
                    }
                    Some(Ok(Message::Close(frame))) => {
                        return Ended::Lost(frame.map_or("closed by the deployment".into(), |f| f.reason.to_string()));
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Ended::Lost(e.to_string()),
                    None => return Ended::Lost("the connection closed".into()),
                },
            }
        }
    }

    fn receive(&mut self, message: ServerMessage) -> Result<(), String> {
        match message {
            ServerMessage::Transition { modifications, end_version, .. } => {
                let end = timestamp::decode(&end_version.ts)
                    .map_err(|e| format!("unreadable Transition timestamp: {e}"))?;
                for modification in modifications {
                    let (id, result) = match modification {
                        StateModification::QueryUpdated { query_id, value, .. } => (
                            query_id,
                            from_json(&value).map_err(|e| format!("unreadable query result: {e}")),
                        ),
                        StateModification::QueryFailed { query_id, error_message, .. } => {
                            (query_id, Err(error_message))
                        }
                        StateModification::QueryRemoved { .. } => continue,
                    };
                    if let Some(query) = self.queries.get(&id) {
                        query.values.send_replace(Some(result));
                    }
                }
                self.observed_ts = self.observed_ts.max(end);
                self.resolve_reflected();
            }
            ServerMessage::MutationResponse {
                request_id,
                success,
                result,
                ts,
                log_lines,
                error_data,
            } => {
                let answer = outcome(success, result, log_lines, error_data);
                let committed = ts.as_deref().map(timestamp::decode).transpose();
                let committed =
                    committed.map_err(|e| format!("unreadable mutation timestamp: {e}"))?;
                match (success, committed) {
                    // Answered once a Transition reaches the commit.
                    (true, Some(ts)) => {
                        if let Some(pending) = self.pending.get_mut(&request_id) {
                            pending.committed = Some((ts, answer));
                        }
                        self.resolve_reflected();
                    }
                    // A failure changed nothing: answered now.
                    _ => {
                        if let Some(pending) = self.pending.remove(&request_id) {
                            let _ = pending.reply.send(answer);
                        }
                    }
                }
            }
            ServerMessage::ActionResponse {
                request_id,
                success,
                result,
                log_lines,
                error_data,
            } => {
                if let Some(pending) = self.actions.remove(&request_id) {
                    let _ = pending.reply.send(outcome(success, result, log_lines, error_data));
                }
            }
            ServerMessage::FatalError { error } => return Err(error),
            ServerMessage::AuthError { error, .. } => {
                return Err(format!("the deployment refused the admin key: {error}"));
            }
            ServerMessage::Ping => {}
        }
        Ok(())
    }
}

impl Connection {
    /// Answers the mutations whose commit the last Transition reached.
    fn resolve_reflected(&mut self) {
        let observed = self.observed_ts;
        let reflected: Vec<u32> = self
            .pending
            .iter()
            .filter(|(_, m)| m.committed.as_ref().is_some_and(|(ts, _)| *ts <= observed))
            .map(|(id, _)| *id)
            .collect();
        for id in reflected {
            let pending = self.pending.remove(&id).expect("listed above");
            if let Some((_, answer)) = pending.committed {
                let _ = pending.reply.send(answer);
            }
        }
    }
}
