//! A gate before a sync session's socket reader: the reader is polled only when its own
//! waker fired since its last poll came back empty (or when that poll gave a message, as
//! more may be buffered). A session's loop waits on several things at once (its inbox, the
//! server's stop, the ping timer, the socket) and every wake-up polls each of them, but
//! polling the WebSocket reader costs a read attempt (tungstenite clears its read buffer
//! for it) even when nothing arrived: for the thousands of sessions one commit wakes, that
//! was a tenth of their work. Also what a read's error means. Handling what is read is the
//! session's.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use axum::extract::ws::{Message, WebSocket};
use futures_util::StreamExt;
use futures_util::task::AtomicWaker;

/// The socket refused a message over [`super::MAX_CLIENT_MESSAGE`] (tungstenite's capacity
/// error, which axum passes on only as text).
pub(super) fn too_large(error: &axum::Error) -> bool {
    error.to_string().contains("Space limit exceeded")
}

/// Whether the reader may have something, and the session task to wake when it may.
pub(super) struct ReadGate {
    open: AtomicBool,
    task: AtomicWaker,
}

impl ReadGate {
    /// Open: the first poll reads.
    pub(super) fn new() -> Arc<Self> {
        Arc::new(Self { open: AtomicBool::new(true), task: AtomicWaker::new() })
    }

    /// The socket's next message, read through the gate.
    pub(super) fn next<'a>(
        self: &'a Arc<Self>,
        socket: &'a mut WebSocket,
    ) -> impl Future<Output = Option<Result<Message, axum::Error>>> + 'a {
        std::future::poll_fn(move |cx| self.poll(cx, |cx| socket.poll_next_unpin(cx)))
    }

    /// Polls the reader (`read`) with a waker that opens the gate, unless the gate is
    /// shut; either way the session task (`cx`) is woken once the reader's waker fires.
    pub(super) fn poll<T>(
        self: &Arc<Self>,
        cx: &mut Context<'_>,
        read: impl FnOnce(&mut Context<'_>) -> Poll<T>,
    ) -> Poll<T> {
        self.task.register(cx.waker());
        if !self.open.swap(false, Ordering::AcqRel) {
            return Poll::Pending;
        }
        let waker = Waker::from(self.clone());
        let polled = read(&mut Context::from_waker(&waker));
        if polled.is_ready() {
            // More may be buffered already, with no wake-up to come for it.
            self.open.store(true, Ordering::Release);
        }
        polled
    }
}

impl Wake for ReadGate {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.open.store(true, Ordering::Release);
        self.task.wake();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::sync::atomic::AtomicUsize;

    /// A reader that is pending until `ready` holds messages, counting its polls.
    #[derive(Default)]
    struct Reader {
        ready: Mutex<Vec<u32>>,
        waker: Mutex<Option<Waker>>,
        polls: AtomicUsize,
    }

    impl Reader {
        fn poll(&self, cx: &mut Context<'_>) -> Poll<u32> {
            self.polls.fetch_add(1, Ordering::Relaxed);
            match self.ready.lock().unwrap().pop() {
                Some(message) => Poll::Ready(message),
                None => {
                    *self.waker.lock().unwrap() = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        }

        fn arrive(&self, messages: &[u32]) {
            self.ready.lock().unwrap().extend_from_slice(messages);
            if let Some(waker) = self.waker.lock().unwrap().take() {
                waker.wake();
            }
        }
    }

    #[derive(Default)]
    struct Counter(AtomicUsize);

    impl Wake for Counter {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn the_reader_is_polled_again_only_after_its_waker_fired_or_it_gave_a_message() {
        let (gate, reader, task) =
            (ReadGate::new(), Reader::default(), Arc::new(Counter::default()));
        let waker = Waker::from(task.clone());
        let mut cx = Context::from_waker(&waker);
        assert!(gate.poll(&mut cx, |cx| reader.poll(cx)).is_pending(), "nothing yet");
        for _ in 0..5 {
            // Woken for something else: the reader is not polled.
            assert!(gate.poll(&mut cx, |cx| reader.poll(cx)).is_pending());
        }
        assert_eq!(reader.polls.load(Ordering::Relaxed), 1);
        reader.arrive(&[1, 2]);
        assert_eq!(task.0.load(Ordering::Relaxed), 1, "the reader's wake-up wakes the task");
        assert_eq!(gate.poll(&mut cx, |cx| reader.poll(cx)), Poll::Ready(2));
        // The second message needs no wake-up: a message leaves the gate open.
        assert_eq!(gate.poll(&mut cx, |cx| reader.poll(cx)), Poll::Ready(1));
        assert!(gate.poll(&mut cx, |cx| reader.poll(cx)).is_pending());
        assert!(gate.poll(&mut cx, |cx| reader.poll(cx)).is_pending());
        assert_eq!(reader.polls.load(Ordering::Relaxed), 4);
    }
}
