//! `fetch`'s host half (the JavaScript half is `fetch.js`): an action's requests run as
//! tasks on a small shared tokio runtime, many in flight at once; each reports its
//! response head, body chunks (as they arrive), end or failure on a channel that the
//! execution's event loop drains (`wait`, called by `sandbox::settle` when JavaScript is
//! idle, blocking at most until the next timer is due). Aborting a request aborts its
//! task; dropping the execution's [`Io`] aborts all of them.
//!
//! The only place the runtime speaks HTTP, and only as a client; queries and mutations
//! never reach it. It must not call into JavaScript except through the event function
//! `fetch.js` installs (`__atrium_io_event`).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::mpsc;
use std::time::Duration;

use rquickjs::{Ctx, Function};

/// The largest request body an action may send with `fetch` (Atrium's bound: Convex's own
/// figure is not documented).
const MAX_REQUEST_BODY: usize = 8 << 20;
/// Redirects followed at most (as browsers and Node.js do).
const MAX_REDIRECTS: usize = 20;

/// The runtime fetch's tasks run on: two worker threads, shared by every execution.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("atrium-fetch")
            .enable_all()
            .build()
            .expect("the fetch runtime starts")
    })
}

/// The HTTP clients actions' `fetch` uses: one following redirects, one that does not
/// (`redirect: "manual"` and `"error"`).
fn http_client(follow: bool) -> &'static reqwest::Client {
    static FOLLOW: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    static MANUAL: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    let build = |policy| {
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(30))
            .read_timeout(Duration::from_secs(300))
            .redirect(policy)
            .user_agent(concat!("Atrium/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the HTTP client builds")
    };
    if follow {
        FOLLOW.get_or_init(|| build(reqwest::redirect::Policy::limited(MAX_REDIRECTS)))
    } else {
        MANUAL.get_or_init(|| build(reqwest::redirect::Policy::none()))
    }
}

/// What a request task reports.
enum Event {
    Head { id: u32, status: u16, status_text: String, headers: Vec<Vec<String>>, url: String },
    Chunk { id: u32, bytes: bytes::Bytes },
    End { id: u32 },
    Failed { id: u32, message: String },
}

impl Event {
    fn id(&self) -> u32 {
        match self {
            Event::Head { id, .. }
            | Event::Chunk { id, .. }
            | Event::End { id }
            | Event::Failed { id, .. } => *id,
        }
    }
}

/// One execution's requests in flight.
pub(super) struct Io {
    sender: mpsc::Sender<Event>,
    receiver: mpsc::Receiver<Event>,
    tasks: RefCell<HashMap<u32, tokio::task::JoinHandle<()>>>,
    next_id: Cell<u32>,
}

impl Drop for Io {
    fn drop(&mut self) {
        for (_, task) in self.tasks.borrow_mut().drain() {
            task.abort();
        }
    }
}

/// A request as `fetch.js` hands it over.
pub(super) struct Outgoing {
    pub(super) url: String,
    pub(super) method: String,
    pub(super) headers: Vec<Vec<String>>,
    pub(super) body: Option<Vec<u8>>,
    /// `follow`, `manual` or `error`.
    pub(super) redirect: String,
}

impl Io {
    pub(super) fn new() -> Rc<Io> {
        let (sender, receiver) = mpsc::channel();
        Rc::new(Io { sender, receiver, tasks: RefCell::default(), next_id: Cell::new(1) })
    }

    /// Starts a request; its events carry the returned id.
    pub(super) fn start(&self, request: Outgoing) -> Result<u32, String> {
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|_| format!("'{}' is not a valid HTTP method", request.method))?;
        if request.body.as_ref().is_some_and(|b| b.len() > MAX_REQUEST_BODY) {
            return Err(format!(
                "Request body too large: a fetch from an action may send at most {MAX_REQUEST_BODY} bytes"
            ));
        }
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        let follow = request.redirect == "follow";
        let refuse_redirects = request.redirect == "error";
        let mut builder = http_client(follow).request(method, &request.url);
        for pair in &request.headers {
            if let [name, value] = pair.as_slice() {
                builder = builder.header(name.as_str(), value.as_str());
            }
        }
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let sender = self.sender.clone();
        let task = runtime().spawn(async move {
            let event = match builder.send().await {
                Ok(response) if refuse_redirects && response.status().is_redirection() => {
                    Event::Failed {
                        id,
                        message: "unexpected redirect (redirect: \"error\")".into(),
                    }
                }
                Ok(mut response) => {
                    let status = response.status();
                    let head = Event::Head {
                        id,
                        status: status.as_u16(),
                        status_text: status.canonical_reason().unwrap_or("").to_owned(),
                        headers: response
                            .headers()
                            .iter()
                            .map(|(k, v)| {
                                vec![
                                    k.to_string(),
                                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                                ]
                            })
                            .collect(),
                        url: response.url().to_string(),
                    };
                    if sender.send(head).is_err() {
                        return;
                    }
                    loop {
                        match response.chunk().await {
                            Ok(Some(bytes)) => {
                                if sender.send(Event::Chunk { id, bytes }).is_err() {
                                    return;
                                }
                            }
                            Ok(None) => break Event::End { id },
                            Err(error) => break Event::Failed { id, message: describe(&error) },
                        }
                    }
                }
                Err(error) => Event::Failed { id, message: describe(&error) },
            };
            let _ = sender.send(event);
        });
        self.tasks.borrow_mut().insert(id, task);
        Ok(id)
    }

    /// Stops a request (its stream cancelled or its signal aborted).
    pub(super) fn abort(&self, id: u32) {
        if let Some(task) = self.tasks.borrow_mut().remove(&id) {
            task.abort();
        }
    }

    /// Waits for request events — at most `delay_ms` when it is not negative (the next
    /// timer) — and hands each to `deliver`. Returns 1 when events were delivered, 0 when
    /// the delay passed without any, and -1 when no request is in flight (nothing to wait
    /// for).
    pub(super) fn wait<'js>(&self, ctx: &Ctx<'js>, delay_ms: f64) -> rquickjs::Result<i32> {
        if self.tasks.borrow().is_empty() {
            // Events of aborted requests may remain; JavaScript has forgotten those ids.
            while self.receiver.try_recv().is_ok() {}
            return Ok(-1);
        }
        let first = if delay_ms < 0.0 {
            // No timer: wait for a request, noticing a task that ended without a word.
            loop {
                match self.receiver.recv_timeout(Duration::from_millis(250)) {
                    Ok(event) => break Some(event),
                    Err(_) => {
                        self.tasks.borrow_mut().retain(|_, task| !task.is_finished());
                        if self.tasks.borrow().is_empty() {
                            return Ok(-1);
                        }
                    }
                }
            }
        } else {
            self.receiver.recv_timeout(Duration::from_secs_f64(delay_ms / 1000.0)).ok()
        };
        let Some(first) = first else { return Ok(0) };
        let deliver: Function = ctx.globals().get("__atrium_io_event")?;
        let mut next = Some(first);
        while let Some(event) = next {
            self.deliver(ctx, &deliver, event)?;
            next = self.receiver.try_recv().ok();
        }
        Ok(1)
    }

    fn deliver<'js>(
        &self,
        ctx: &Ctx<'js>,
        deliver: &Function<'js>,
        event: Event,
    ) -> rquickjs::Result<()> {
        let id = event.id();
        if !self.tasks.borrow().contains_key(&id) {
            return Ok(());
        }
        match event {
            Event::Head { status, status_text, headers, url, .. } => {
                let head = rquickjs::Object::new(ctx.clone())?;
                head.set("status", status)?;
                head.set("statusText", status_text)?;
                head.set("headers", headers)?;
                head.set("url", url)?;
                deliver.call::<_, ()>((id, "head", head))
            }
            Event::Chunk { bytes, .. } => {
                let buffer = rquickjs::ArrayBuffer::new(ctx.clone(), bytes.to_vec())?;
                deliver.call::<_, ()>((id, "chunk", buffer))
            }
            Event::End { .. } => {
                self.tasks.borrow_mut().remove(&id);
                deliver.call::<_, ()>((id, "end"))
            }
            Event::Failed { message, .. } => {
                self.tasks.borrow_mut().remove(&id);
                deliver.call::<_, ()>((id, "error", message))
            }
        }
    }
}

/// A failed request in words: reqwest's message and its causes.
fn describe(error: &reqwest::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
