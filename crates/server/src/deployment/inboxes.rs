//! Where a commit's invalidations go: to the inbox of the sync session that owns each hit
//! subscription (sessions register theirs under their socket number with
//! `Engine::subscribe_for`, so a hit names its owner and no lookup table can race with
//! registration). A commit wakes only the sessions it hit, and an inbox never overflows (a
//! subscription is hit at most once), so no session lags behind a shared queue and has to
//! re-run everything. An environment change reaches every inbox.
//!
//! It only delivers, inside the engine's commit (before the commit's timestamp becomes the
//! latest); what a session does with its hits is `sync`'s. The hits are in the inboxes when
//! the commit ends; the wake-ups are handed to a task on the server's runtime, which wakes
//! the sessions a batch at a time. So the commit does not wake thousands of tasks while it
//! holds the engine's commit lock, and the tasks it wakes queue on the runtime's workers,
//! where the runtime still reaches other tasks between them (the reply to the mutation
//! that committed, say), instead of all ahead of everything in the runtime's shared queue.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use atrium_engine::Invalidation;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// How many sessions the waking task wakes before it lets the runtime run other tasks.
const WAKE_BATCH: usize = 64;

/// Every open session's inbox, by socket number.
#[derive(Default)]
pub(crate) struct Inboxes {
    sessions: Mutex<HashMap<u64, Arc<Inbox>>>,
    /// The waking task's queue, once a session opened on a runtime (see [`Inboxes::open`]);
    /// without it (or once that runtime is gone) a commit wakes its sessions itself.
    waker: OnceLock<UnboundedSender<Vec<Arc<Inbox>>>>,
}

/// What a session has not taken in yet, and the signal that something arrived.
#[derive(Default)]
pub(crate) struct Inbox {
    pending: Mutex<Pending>,
    arrived: tokio::sync::Notify,
}

/// Hits since the session last looked.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    /// Invalidated subscriptions of this session, in commit order.
    pub(crate) hits: Vec<Invalidation>,
    /// The environment changed: every query may answer differently.
    pub(crate) everything: bool,
}

impl Inboxes {
    /// The inbox of the session on socket `owner`, open until [`Inboxes::close`].
    /// On a runtime, the first one starts the task that wakes sessions.
    pub(crate) fn open(&self, owner: u64) -> Arc<Inbox> {
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            self.waker.get_or_init(|| {
                let (sender, receiver) = unbounded_channel();
                runtime.spawn(wake_in_batches(receiver));
                sender
            });
        }
        let inbox = Arc::new(Inbox::default());
        self.lock().insert(owner, inbox.clone());
        inbox
    }

    pub(crate) fn close(&self, owner: u64) {
        self.lock().remove(&owner);
    }

    /// Hands each hit to its owner's inbox (hits of no open session are dropped: their
    /// session has closed, or nobody owns them).
    pub(crate) fn deliver(&self, hits: &[Invalidation]) {
        if hits.is_empty() {
            return;
        }
        let mut hit_inboxes = Vec::new();
        {
            let sessions = self.lock();
            for hit in hits {
                if let Some(inbox) = sessions.get(&hit.owner) {
                    inbox.pending().hits.push(hit.clone());
                    hit_inboxes.push(inbox.clone());
                }
            }
        }
        let unsent = match self.waker.get() {
            Some(waker) => waker.send(hit_inboxes).err().map(|e| e.0),
            None => Some(hit_inboxes),
        };
        for inbox in unsent.unwrap_or_default() {
            inbox.arrived.notify_one();
        }
    }

    /// Tells every session that all its queries may answer differently.
    pub(crate) fn everything_changed(&self) {
        for inbox in self.lock().values() {
            inbox.pending().everything = true;
            inbox.arrived.notify_one();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Inbox>>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Wakes the sessions of each commit's hits, [`WAKE_BATCH`] at a time.
async fn wake_in_batches(mut commits: UnboundedReceiver<Vec<Arc<Inbox>>>) {
    while let Some(inboxes) = commits.recv().await {
        for batch in inboxes.chunks(WAKE_BATCH) {
            for inbox in batch {
                inbox.arrived.notify_one();
            }
            tokio::task::yield_now().await;
        }
    }
}

impl Inbox {
    /// Waits until something arrives (at once if something did since the last wait).
    pub(crate) fn arrived(&self) -> tokio::sync::futures::Notified<'_> {
        self.arrived.notified()
    }

    /// Everything that arrived, emptying the inbox.
    pub(crate) fn take(&self) -> Pending {
        std::mem::take(&mut *self.pending())
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atrium_engine::{SubscriptionId, Timestamp};

    fn hit(subscription: u64, owner: u64) -> Invalidation {
        Invalidation {
            subscription: SubscriptionId(subscription),
            ts: Timestamp(7),
            table: "messages".into(),
            document: None,
            owner,
        }
    }

    #[tokio::test]
    async fn hits_reach_only_their_owner_and_wake_it() {
        let inboxes = Inboxes::default();
        let (one, two) = (inboxes.open(1), inboxes.open(2));
        inboxes.deliver(&[hit(10, 1), hit(11, 3), hit(12, 1)]);
        // Delivered before anyone waited: the wait still ends.
        one.arrived().await;
        let taken = one.take();
        let ids: Vec<u64> = taken.hits.iter().map(|h| h.subscription.0).collect();
        assert_eq!(ids, vec![10, 12]);
        assert!(!taken.everything);
        assert!(one.take().hits.is_empty(), "taking empties the inbox");
        assert!(two.take().hits.is_empty(), "another session's hits are not delivered to it");
    }

    #[tokio::test]
    async fn on_a_runtime_every_hit_session_wakes_by_the_waking_task() {
        let inboxes = Inboxes::default();
        let opened: Vec<_> = (0..200).map(|owner| inboxes.open(owner)).collect();
        assert!(inboxes.waker.get().is_some(), "opening on a runtime starts the waking task");
        let hits: Vec<_> = (0..200).map(|owner| hit(1000 + owner, owner)).collect();
        inboxes.deliver(&hits);
        for (owner, inbox) in opened.iter().enumerate() {
            // The hit is there when `deliver` returns; the wake-up may come later.
            assert_eq!(inbox.pending().hits.len(), 1, "session {owner}'s hit is in its inbox");
            tokio::time::timeout(std::time::Duration::from_secs(5), inbox.arrived())
                .await
                .unwrap_or_else(|_| panic!("session {owner} was never woken"));
        }
    }

    #[test]
    fn an_environment_change_reaches_every_open_inbox() {
        let inboxes = Inboxes::default();
        let (one, two) = (inboxes.open(1), inboxes.open(2));
        inboxes.close(2);
        inboxes.everything_changed();
        assert!(one.take().everything);
        assert!(!two.take().everything, "a closed inbox hears nothing");
    }
}
