//! The mutation replay store: recently answered mutations by (session, request ID), and
//! those still running, so a client that replays a mutation after a reconnect gets the
//! first run's answer instead of running it twice. Held in memory by the deployment: it
//! serves replays within one process (a replay that arrives while the first run is still
//! executing included); across restarts the durable copy is the replay record each
//! mutation stores in its own commit (`atrium_engine::replay`), which `sync.rs` reads when
//! this store has not seen a request. It must not run functions or speak the sync protocol.

/// Recently answered mutations, oldest forgotten first, and those still running.
///
/// A client replays unanswered mutations after a reconnect, possibly while the first
/// run is still executing on the old connection; the replay waits for that run.
#[derive(Debug, Default)]
pub(crate) struct MutationResults {
    order: std::collections::VecDeque<(String, u32)>,
    results: std::collections::HashMap<(String, u32), serde_json::Value>,
    running: std::collections::HashMap<
        (String, u32),
        tokio::sync::watch::Receiver<Option<serde_json::Value>>,
    >,
}

/// What a sync session should do with a mutation request.
pub(crate) enum MutationClaim {
    /// Already answered: send this response again.
    Answered(serde_json::Value),
    /// Running on another connection: wait for its answer (`None`: it failed, run it).
    Running(tokio::sync::watch::Receiver<Option<serde_json::Value>>),
    /// Not seen: run it, then report through this sender via [`MutationResults::finish`].
    Run(tokio::sync::watch::Sender<Option<serde_json::Value>>),
}

const REMEMBERED_MUTATIONS: usize = 10_000;

impl MutationResults {
    /// Looks the request up, marking it running when it is new.
    pub(crate) fn claim(&mut self, session: &str, request: u32) -> MutationClaim {
        let key = (session.to_owned(), request);
        if let Some(answer) = self.results.get(&key) {
            return MutationClaim::Answered(answer.clone());
        }
        if let Some(running) = self.running.get(&key) {
            return MutationClaim::Running(running.clone());
        }
        let (sender, receiver) = tokio::sync::watch::channel(None);
        self.running.insert(key, receiver);
        MutationClaim::Run(sender)
    }

    /// Ends a run: a successful response is remembered and handed to waiting replays;
    /// `None` (failed, nothing committed) lets them run it themselves.
    pub(crate) fn finish(
        &mut self,
        session: &str,
        request: u32,
        sender: tokio::sync::watch::Sender<Option<serde_json::Value>>,
        response: Option<serde_json::Value>,
    ) {
        let key = (session.to_owned(), request);
        self.running.remove(&key);
        if let Some(response) = response {
            sender.send_replace(Some(response.clone()));
            if self.results.insert(key.clone(), response).is_none() {
                self.order.push_back(key);
            }
            while self.order.len() > REMEMBERED_MUTATIONS {
                if let Some(old) = self.order.pop_front() {
                    self.results.remove(&old);
                }
            }
        }
    }
}
