//! A sync session's calls into the runtime: mutations and actions (with the commit's source
//! recorded for the inspector), system functions, and the helpers that shape their answers.
//! It sends nothing: what goes to the client, and when, is `sync.rs`'s and `queries.rs`'s.

use atrium_engine::Timestamp;
use atrium_engine::replay::ReplayKey;
use atrium_protocol::format::ValueFormat;
use atrium_protocol::http::log_line;
use atrium_protocol::sync::ServerMessage;
use atrium_protocol::timestamp;
use atrium_runtime::{Caller, FunctionKind, Runner};
use atrium_value::Value;
use serde_json::Value as Json;

use super::Session;
use super::wire::{arguments, describe_runtime_error, logs, server_error};
use crate::auth::Identity;

impl Session {
    /// The runner for a call into the component instance `component` (`""`: the app), as
    /// this session's identity. Only admins reach a component's functions from outside.
    pub(super) fn runner(&self, component: &str) -> Result<(Runner, Caller), String> {
        let runner = self.deployment.runner().ok_or_else(|| {
            self.deployment.no_code_reason("This deployment has no functions yet")
        })?;
        if !component.is_empty() && !matches!(self.identity, Identity::Admin) {
            return Err(format!(
                "Component \"{component}\" functions can only be called by an admin"
            ));
        }
        let runner = runner.in_component(component).map_err(|e| e.to_string())?;
        Ok(match &self.identity {
            Identity::Admin => (runner, Caller::Internal),
            Identity::AdminActingAs(user) | Identity::User(user) => {
                (runner.as_user(Some(user.clone())).map_err(|e| e.to_string())?, Caller::Client)
            }
            Identity::Anonymous => (runner, Caller::Client),
        })
    }

    /// Runs a system function as this session's identity, off the async threads.
    pub(super) async fn run_system(
        &self,
        path: &str,
        component: &str,
        args: Value,
        at: Option<Timestamp>,
    ) -> Result<crate::system::SystemAnswer, String> {
        let deployment = self.deployment.clone();
        let (identity, path) = (self.identity.clone(), path.to_owned());
        let component = component.to_owned();
        tokio::task::spawn_blocking(move || {
            crate::system::run(&deployment, &identity, &path, &args, at, &component)
        })
        .await
        .unwrap_or_else(|join| Err(join.to_string()))
    }

    /// Convex's ID for a request over this socket: the first 16 hex digits of
    /// sha256("<session>|<request>").
    fn request_id_of(&self, request: u32) -> String {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(format!("{}|{request}", self.session_id));
        hex::encode(&digest[..8])
    }

    /// Remembers which function made the commit at `ts`, for the inspector.
    fn record_commit(&self, ts: u64, path: &str, request: u32) {
        let source = crate::inspector::CommitSource {
            function: path.to_owned(),
            request_id: self.request_id_of(request),
        };
        self.deployment.inspector.record_commit(ts, source);
    }

    /// The response a mutation sent as `request` in this session got before the engine
    /// restarted (or after this process forgot it), read from its commit's replay record.
    pub(super) fn stored_answer(&self, request: u32) -> Option<ServerMessage> {
        let key = ReplayKey { session: self.session_id.clone(), request };
        let record = match self.deployment.engine().replay_record(&key) {
            Ok(record) => record?,
            Err(e) => {
                tracing::warn!("cannot read the replay record of request {request}: {e}");
                return None;
            }
        };
        let answer = match atrium_runtime::replay::decode(&record.answer) {
            Ok(answer) => answer,
            Err(e) => {
                tracing::warn!("{e}");
                return None;
            }
        };
        Some(ServerMessage::MutationResponse {
            request_id: request,
            success: true,
            result: answer.value,
            ts: Some(timestamp::encode(record.ts.0)),
            log_lines: answer.logs.iter().map(|l| log_line(&l.level, &l.message)).collect(),
            error_data: None,
        })
    }

    /// Runs a mutation or action: (success, result or error message, commit ts, logs, error data).
    pub(super) async fn call(
        &self,
        path: &str,
        component: &str,
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
            let answer = self.run_system(path, component, args, None).await;
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
        let (runner, caller) = match self.runner(component) {
            Ok(r) => r,
            Err(e) => return failure(e),
        };
        let owned = path.to_owned();
        let mut runner = runner.with_request_id(&self.request_id_of(request));
        if kind == FunctionKind::Mutation && !self.session_id.is_empty() {
            // Its answer is stored with its commit, for a replay after a restart.
            runner = runner.with_replay_key(&self.session_id, request);
        }
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
}
