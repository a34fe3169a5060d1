//! A property of the sync protocol (Issue 17): with mutations from several sessions, HTTP
//! writes and query-set changes interleaved at random, every Transition a session receives
//! leaves it holding, for every query in its set, exactly what that query answers over HTTP
//! `query_at_ts` at the Transition's `endVersion.ts`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use atrium_server::RunningServer;
use atrium_server::test_support::serve_fixture;
use futures_util::{SinkExt, StreamExt};
use proptest::prelude::*;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const SESSIONS: usize = 3;
const AUTHORS: [&str; 3] = ["ann", "bob", "cy"];

#[derive(Debug, Clone)]
enum Op {
    /// A session runs `messages:send` as `author`.
    Mutate { session: usize, author: usize },
    /// A write over HTTP, from no session.
    HttpWrite { author: usize },
    /// A session adds `messages:list` (`None`) or `messages:byAuthor`.
    Add { session: usize, query: Option<usize> },
    /// A session removes its `nth` query (if it has any).
    Remove { session: usize, nth: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..SESSIONS, 0..AUTHORS.len()).prop_map(|(session, author)| Op::Mutate { session, author }),
        2 => (0..AUTHORS.len()).prop_map(|author| Op::HttpWrite { author }),
        2 => (0..SESSIONS, proptest::option::of(0..AUTHORS.len()))
            .prop_map(|(session, query)| Op::Add { session, query }),
        1 => (0..SESSIONS, 0..4usize).prop_map(|(session, nth)| Op::Remove { session, nth }),
    ]
}

type Sink = futures_util::stream::SplitSink<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    Message,
>;

/// What a session holds after a Transition: its end timestamp and each query's
/// (path, args, value).
type Held = (String, BTreeMap<u64, (String, Value, Value)>);

struct Session {
    sink: Sink,
    /// Query ID → (path, args) as sent, read by the reader task for Transitions.
    set: Arc<Mutex<BTreeMap<u64, (String, Value)>>>,
    next_query: u64,
    /// The IDs added and not removed yet (a query is removed at most once, as clients do).
    live: std::collections::BTreeSet<u64>,
    query_set: u64,
    next_request: u64,
    /// Every Transition's resulting state, and how many mutations were answered.
    seen: Arc<Mutex<(Vec<Held>, u64, u64)>>,
}

async fn open(server: &RunningServer, n: usize) -> Session {
    let url = format!("{}/api/1.48.0/sync", server.cloud_url.replace("http://", "ws://"));
    let (socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let (mut sink, mut stream) = socket.split();
    let session_id = format!("00000000-0000-4000-8000-{:012}", n + 1);
    let connect = json!({"type": "Connect", "sessionId": session_id, "connectionCount": 0, "lastCloseReason": "InitialConnect", "clientTs": 0});
    sink.send(Message::Text(connect.to_string().into())).await.unwrap();
    let set: Arc<Mutex<BTreeMap<u64, (String, Value)>>> = Arc::default();
    let seen: Arc<Mutex<(Vec<Held>, u64, u64)>> = Arc::default();
    let (reader_set, reader_seen) = (set.clone(), seen.clone());
    tokio::spawn(async move {
        let mut values: BTreeMap<u64, Value> = BTreeMap::new();
        while let Some(Ok(Message::Text(text))) = stream.next().await {
            let message: Value = serde_json::from_str(&text).unwrap();
            match message["type"].as_str() {
                Some("Transition") => {
                    for m in message["modifications"].as_array().unwrap() {
                        let id = m["queryId"].as_u64().unwrap();
                        match m["type"].as_str().unwrap() {
                            "QueryUpdated" => values.insert(id, m["value"].clone()),
                            "QueryRemoved" => values.remove(&id),
                            other => panic!("{other}: {m}"),
                        };
                    }
                    let query_set = message["endVersion"]["querySet"].as_u64().unwrap();
                    let set = reader_set.lock().unwrap().clone();
                    let held = values
                        .iter()
                        .map(|(id, value)| {
                            let (path, args) = set[id].clone();
                            (*id, (path, args, value.clone()))
                        })
                        .collect();
                    let ts = message["endVersion"]["ts"].as_str().unwrap().to_owned();
                    let mut seen = reader_seen.lock().unwrap();
                    seen.0.push((ts, held));
                    seen.2 = query_set;
                }
                Some("MutationResponse") => {
                    assert_eq!(message["success"], true, "{message}");
                    reader_seen.lock().unwrap().1 += 1;
                }
                Some("Ping") => {}
                _ => panic!("unexpected {message}"),
            }
        }
    });
    Session {
        sink,
        set,
        next_query: 0,
        live: Default::default(),
        query_set: 0,
        next_request: 0,
        seen,
    }
}

impl Session {
    async fn send(&mut self, message: Value) {
        self.sink.send(Message::Text(message.to_string().into())).await.unwrap();
    }

    async fn apply(&mut self, op: &Op) {
        match op {
            Op::Mutate { author, .. } => {
                let body = format!("s{}", self.next_request);
                let request_id = self.next_request;
                self.next_request += 1;
                self.send(
                    json!({"type": "Mutation", "requestId": request_id, "udfPath": "messages:send",
                    "args": [{"body": body, "author": AUTHORS[*author]}]}),
                )
                .await;
            }
            Op::Add { query, .. } => {
                let id = self.next_query;
                self.next_query += 1;
                let (path, args) = match query {
                    None => ("messages:list", json!({})),
                    Some(a) => ("messages:byAuthor", json!({"author": AUTHORS[*a]})),
                };
                self.set.lock().unwrap().insert(id, (path.to_owned(), args.clone()));
                self.live.insert(id);
                self.modify(
                    json!([{"type": "Add", "queryId": id, "udfPath": path, "args": [args]}]),
                )
                .await;
            }
            Op::Remove { nth, .. } => {
                let ids: Vec<u64> = self.live.iter().copied().collect();
                if ids.is_empty() {
                    return;
                }
                let id = ids[nth % ids.len()];
                self.live.remove(&id);
                // Kept in `set` (the reader may still name it); the Transition removes it.
                self.modify(json!([{"type": "Remove", "queryId": id}])).await;
            }
            Op::HttpWrite { .. } => unreachable!("not a session's"),
        }
    }

    async fn modify(&mut self, modifications: Value) {
        self.query_set += 1;
        let message = json!({"type": "ModifyQuerySet", "baseVersion": self.query_set - 1,
            "newVersion": self.query_set, "modifications": modifications});
        self.send(message).await;
    }

    /// Waits until every mutation is answered and the last query-set change is reflected.
    async fn settle(&self) {
        for _ in 0..2_000 {
            let settled = {
                let seen = self.seen.lock().unwrap();
                seen.1 == self.next_request && seen.2 == self.query_set
            };
            if settled {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the session did not settle");
    }
}

async fn query_at_ts(
    http: &reqwest::Client,
    server: &RunningServer,
    path: &str,
    args: &Value,
    ts: &str,
) -> Value {
    let response: Value = http
        .post(format!("{}/api/query_at_ts", server.cloud_url))
        .json(&json!({"path": path, "args": args, "ts": ts}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(response["status"], "success", "{response}");
    response["value"].clone()
}

async fn check(server: &RunningServer, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let http = reqwest::Client::new();
    let mut sessions = Vec::new();
    for n in 0..SESSIONS {
        sessions.push(open(server, n).await);
    }
    let mut writes = Vec::new();
    for op in &ops {
        match op {
            Op::HttpWrite { author } => {
                let (http, url) = (http.clone(), server.cloud_url.clone());
                let author = AUTHORS[*author];
                writes.push(tokio::spawn(async move {
                    http.post(format!("{url}/api/mutation"))
                        .json(&json!({"path": "messages:send", "args": {"body": "http", "author": author}}))
                        .send()
                        .await
                        .unwrap();
                }));
            }
            Op::Mutate { session, .. } | Op::Add { session, .. } | Op::Remove { session, .. } => {
                sessions[*session].apply(op).await;
            }
        }
    }
    for write in writes {
        write.await.unwrap();
    }
    for session in &sessions {
        session.settle().await;
    }
    let mut checked = 0;
    for session in &sessions {
        let transitions = session.seen.lock().unwrap().0.clone();
        for (ts, held) in transitions {
            for (id, (path, args, value)) in held {
                let expected = query_at_ts(&http, server, &path, &args, &ts).await;
                prop_assert_eq!(&value, &expected, "query {} ({} {}) at {}", id, path, args, ts);
                checked += 1;
            }
        }
    }
    let _ = checked;
    Ok(())
}

#[test]
fn every_transition_holds_the_results_at_its_timestamp() {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
    let (server, _deployment, _data) = runtime.block_on(serve_fixture("chat", "sync-property"));
    let config =
        ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() };
    proptest!(config, |(ops in proptest::collection::vec(op(), 1..30))| {
        runtime.block_on(check(&server, ops))?;
    });
    runtime.block_on(server.stop());
}
