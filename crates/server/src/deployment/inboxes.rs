//! Where a commit's invalidations go: to the inbox of the sync session that owns each hit
//! subscription (sessions register theirs under their socket number with
//! `Engine::subscribe_for`, so a hit names its owner and no lookup table can race with
//! registration). A commit wakes only the sessions it hit, and an inbox never overflows (a
//! subscription is hit at most once), so no session lags behind a shared queue and has to
//! re-run everything. An environment change reaches every inbox.
//!
//! It only delivers, inside the engine's commit (before the commit's timestamp becomes the
//! latest); what a session does with its hits is `sync`'s.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use atrium_engine::Invalidation;

/// Every open session's inbox, by socket number.
#[derive(Default)]
pub(crate) struct Inboxes {
    sessions: Mutex<HashMap<u64, Arc<Inbox>>>,
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
    pub(crate) fn open(&self, owner: u64) -> Arc<Inbox> {
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
        let sessions = self.lock();
        for hit in hits {
            if let Some(inbox) = sessions.get(&hit.owner) {
                inbox.pending().hits.push(hit.clone());
                inbox.arrived.notify_one();
            }
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
