//! One shared query run's slot: who runs it, and how every session that asks for the same
//! run waits for it and takes its outcome. A slot is filled by the run itself, on the thread
//! it ran on, and wakes its waiters then: a session that asks after the run finished takes
//! the result at once, without waiting for the session that started the run to be polled
//! again (behind thousands of others a commit woke). Which slot a session gets is
//! `query_cache.rs`'s.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use atrium_runtime::FunctionOutcome;

/// One query run, shared by every session that asks for it at its timestamp (or later, while
/// `query_cache.rs` keeps it).
#[derive(Debug)]
pub(crate) struct SharedRun {
    /// Its read set is in `read_set`, not here.
    pub(crate) outcome: FunctionOutcome,
    /// What it read, shared by every session's subscription to it.
    pub(crate) read_set: Arc<atrium_engine::ReadSet>,
    /// For a result (not a thrown error): the fields of its `QueryUpdated` modification
    /// after `queryId`, as JSON text (see `sync/frames.rs`).
    pub(crate) body: Option<Arc<str>>,
    /// The size of the result's JSON, for the inspector.
    pub(crate) value_bytes: usize,
    /// The `own` key of the caller that ran it: a run that read the identity answers only
    /// that caller's identity.
    pub(crate) ran_as: Arc<str>,
}

/// A shared run, or why it could not run.
pub(crate) type SharedOutcome = Result<Arc<SharedRun>, String>;

/// A slot that holds, or is about to hold, one shared run.
pub(crate) type Slot = Arc<SlotCell>;

/// One run's outcome once it is there; who starts the run; the wake-up of those waiting.
#[derive(Debug, Default)]
pub(crate) struct SlotCell {
    outcome: OnceLock<SharedOutcome>,
    claimed: AtomicBool,
    filled: tokio::sync::Notify,
}

impl SlotCell {
    /// For the first caller only, the filler: that caller starts the run and hands it the
    /// filler; every caller then [`SlotCell::wait`]s.
    pub(crate) fn claim(self: &Arc<Self>) -> Option<SlotFiller> {
        (!self.claimed.swap(true, Ordering::AcqRel)).then(|| SlotFiller(Some(self.clone())))
    }

    /// The run's outcome, once it is there.
    pub(crate) async fn wait(&self) -> SharedOutcome {
        loop {
            // Registered before looking, so a fill between the look and the wait still wakes.
            let filled = self.filled.notified();
            tokio::pin!(filled);
            filled.as_mut().enable();
            if let Some(outcome) = self.outcome.get() {
                return outcome.clone();
            }
            filled.await;
        }
    }
}

/// The duty to fill a claimed slot: [`SlotFiller::fill`], or, dropped unfilled (the run
/// panicked, or never started), the slot gets an error rather than leaving its waiters
/// waiting for ever.
#[derive(Debug)]
pub(crate) struct SlotFiller(Option<Slot>);

impl SlotFiller {
    pub(crate) fn fill(mut self, outcome: SharedOutcome) {
        if let Some(slot) = self.0.take() {
            Self::set(&slot, outcome);
        }
    }

    fn set(slot: &SlotCell, outcome: SharedOutcome) {
        let _ = slot.outcome.set(outcome);
        slot.filled.notify_waiters();
    }
}

impl Drop for SlotFiller {
    fn drop(&mut self) {
        if let Some(slot) = self.0.take() {
            Self::set(&slot, Err("The query's run ended without a result".into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(message: &str) -> SharedOutcome {
        Err(message.to_owned())
    }

    #[tokio::test]
    async fn one_claim_fills_the_slot_for_every_waiter_before_and_after() {
        let slot = Slot::default();
        let filler = slot.claim().expect("the first claim runs");
        assert!(slot.claim().is_none(), "only one caller runs");
        let early = tokio::spawn({
            let slot = slot.clone();
            async move { slot.wait().await }
        });
        tokio::task::yield_now().await;
        // Filled from another thread, as a blocking run does.
        std::thread::spawn(move || filler.fill(failed("from the run"))).join().unwrap();
        assert_eq!(early.await.unwrap().unwrap_err(), "from the run");
        assert_eq!(
            slot.wait().await.unwrap_err(),
            "from the run",
            "a late caller takes it at once"
        );
    }

    #[tokio::test]
    async fn a_filler_dropped_unfilled_ends_the_wait_with_an_error() {
        let slot = Slot::default();
        let filler = slot.claim().unwrap();
        let waiting = tokio::spawn({
            let slot = slot.clone();
            async move { slot.wait().await }
        });
        tokio::task::yield_now().await;
        // A run that panics drops its filler unfilled.
        let _ = std::thread::spawn(move || {
            let _filler = filler;
            panic!("the run panicked");
        })
        .join();
        let error = waiting.await.unwrap().unwrap_err();
        assert!(error.contains("without a result"), "{error}");
    }
}
