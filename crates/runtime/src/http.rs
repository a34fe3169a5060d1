//! HTTP actions: a request routed through the project's `convex/http.ts` router
//! (`router.lookup`, then `router.runRequest`), the handler run as an action, the
//! `Response` handed back. HEAD is routed as GET with the body dropped. A path under a
//! component's mount (`httpPrefix`) goes to that component's own router. A response whose
//! body is a `ReadableStream` is handed over as it is produced: its head first, then each
//! chunk, to the caller's [`BodySink`] (the server streams them to the client).

use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rquickjs::{Ctx, Exception, Function, Object, Promise};
use serde_json::{Value as Json, json};

use crate::call::{FunctionKind, FunctionOutcome, Usage};
use crate::sandbox::settle;
use crate::{Caller, FunctionError, LogLine, Runner, RuntimeError};

/// An incoming HTTP request for the project's HTTP actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    /// The full URL the client requested (the handler sees it as `request.url`).
    pub url: String,
    /// The path to route (relative to where HTTP actions are mounted).
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What the HTTP action answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// The response, and the console lines the action printed.
#[derive(Debug)]
pub struct HttpOutcome {
    pub response: HttpResponse,
    pub logs: Vec<LogLine>,
    /// The handler's error, when it threw (the response is then a 500).
    pub error: Option<FunctionError>,
}

/// A streamed response as it is produced: its head, then its body's chunks.
#[derive(Debug)]
pub enum BodyEvent {
    /// The status and headers (the response's `body` is empty).
    Head(HttpResponse),
    Chunk(Vec<u8>),
}

/// Where a streamed response goes; `false` means the client is gone (the stream is then
/// cancelled).
pub type BodySink = Box<dyn FnMut(BodyEvent) -> bool>;

fn text_response(status: u16, text: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("content-type".into(), "text/plain; charset=utf-8".into())],
        body: text.as_bytes().to_vec(),
    }
}

impl Runner {
    /// Serves one HTTP request with the project's HTTP actions; a streamed body is
    /// collected into the outcome's response.
    pub fn run_http(&self, request: &HttpRequest) -> Result<HttpOutcome, RuntimeError> {
        let collected = std::sync::Arc::new(std::sync::Mutex::new(None::<HttpResponse>));
        let into = collected.clone();
        let sink: BodySink = Box::new(move |event| {
            let mut slot = into.lock().unwrap();
            match event {
                BodyEvent::Head(head) => *slot = Some(head),
                BodyEvent::Chunk(bytes) => {
                    if let Some(head) = slot.as_mut() {
                        head.body.extend_from_slice(&bytes);
                    }
                }
            }
            true
        });
        let mut outcome = self.run_http_streamed(request, sink)?;
        if let Some(streamed) = collected.lock().unwrap().take()
            && outcome.error.is_none()
        {
            outcome.response = streamed;
            if request.method.eq_ignore_ascii_case("HEAD") {
                outcome.response.body.clear();
            }
        }
        Ok(outcome)
    }

    /// Serves one HTTP request with the project's HTTP actions. When the handler answers
    /// with a stream body, `sink` gets the head and then each chunk as it is produced, and
    /// the outcome's response has the same head with an empty body; otherwise `sink` is not
    /// called. A stream that fails midway ends the body early (the outcome has the error).
    pub fn run_http_streamed(
        &self,
        request: &HttpRequest,
        sink: BodySink,
    ) -> Result<HttpOutcome, RuntimeError> {
        // A child mounted under a prefix (`app.use(child, { httpPrefix: "/x/" })`) serves
        // the paths under it, routed without the prefix (`request.url` stays whole).
        let instance = self.components().require(self.component()).map_err(RuntimeError::Js)?;
        if let Some((child, routed)) = instance.http_mount(&request.path) {
            let child = crate::components::names::child_path(self.component(), child);
            let request = HttpRequest { path: routed, ..request.clone() };
            return self.in_component(&child)?.run_http_streamed(&request, sink);
        }
        let started = Instant::now();
        let head = request.method.eq_ignore_ascii_case("HEAD");
        let method = if head { "GET".to_owned() } else { request.method.to_ascii_uppercase() };
        let Some(file) = self.project().module_file("http") else {
            return Ok(HttpOutcome {
                response: text_response(
                    404,
                    "This deployment has no HTTP actions (no convex/http.ts)",
                ),
                logs: Vec::new(),
                error: None,
            });
        };
        let (ids, runner) = self.start_execution();
        let sandbox = runner.sandbox(FunctionKind::Action, None, 0)?;
        let request_json = json!({
            "url": request.url,
            "method": method,
            "headers": request.headers.iter().map(|(k, v)| vec![k.clone(), v.clone()]).collect::<Vec<_>>(),
            "body": if request.body.is_empty() { Json::Null } else { Json::String(BASE64.encode(&request.body)) },
        })
        .to_string();

        let result = sandbox.context.with(
            |ctx| -> Result<Result<(HttpResponse, String), FunctionError>, RuntimeError> {
                let namespace = sandbox.module(&ctx, &file)?;
                let router: Option<Object> = namespace.get("default")?;
                let Some(router) = router.filter(|r| {
                    r.get::<_, Option<bool>>("isRouter").ok().flatten().unwrap_or(false)
                }) else {
                    return Err(RuntimeError::Js(
                        "`convex/http.js` must have a default export of a Router.".into(),
                    ));
                };
                let lookup: Function = router.get("lookup")?;
                let found: Option<rquickjs::Array> =
                    lookup.call((request.path.as_str(), method.as_str()))?;
                let Some(found) = found else {
                    return Ok(Ok((text_response(404, "No matching routes found"), String::new())));
                };
                let route: String = found.get(2)?;
                let run: Function = router.get("runRequest")?;
                let promise: rquickjs::Result<Promise> =
                    run.call((request_json.as_str(), request.path.as_str()));
                let settled = promise.and_then(|p| settle(&ctx, &p));
                if sandbox.timed_out.load(std::sync::atomic::Ordering::Relaxed) {
                    return Ok(Err(FunctionError {
                        message: format!(
                            "Function execution timed out (maximum duration: {}s)",
                            sandbox.time_limit.as_secs_f64()
                        ),
                        data: None,
                    }));
                }
                match settled {
                    Ok(Some(value)) => {
                        let text: String = value
                            .as_string()
                            .ok_or_else(|| {
                                RuntimeError::Js("runRequest did not return a string".into())
                            })?
                            .to_string()?;
                        let reply: Json = serde_json::from_str(&text)
                            .map_err(|e| RuntimeError::Js(format!("HTTP action response: {e}")))?;
                        let headers = reply["headers"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|pair| {
                                Some((pair[0].as_str()?.to_owned(), pair[1].as_str()?.to_owned()))
                            })
                            .collect();
                        let body = match reply["body"].as_str() {
                            Some(b) => BASE64
                                .decode(b)
                                .map_err(|e| RuntimeError::Js(format!("HTTP action body: {e}")))?,
                            None => Vec::new(),
                        };
                        let status = reply["status"].as_u64().unwrap_or(200) as u16;
                        let response = HttpResponse { status, headers, body };
                        if reply["streamed"].as_bool() == Some(true) {
                            let failed = pump(&ctx, &response, sink, head)?;
                            if let Some(error) = failed {
                                return Ok(Err(error));
                            }
                        }
                        Ok(Ok((response, route)))
                    }
                    Ok(None) => Ok(Err(FunctionError {
                        message: "Returned promise will never resolve".into(),
                        data: None,
                    })),
                    Err(e) => Ok(Err(crate::sandbox::describe(&ctx, e))),
                }
            },
        );
        sandbox.judge(&result);
        let state = sandbox.finish()?;
        let result = result?;

        let (response, error, route) = match result {
            Ok((mut response, route)) => {
                if head {
                    response.body.clear();
                }
                (response, None, route)
            }
            Err(error) => (text_response(500, &error.message), Some(error), String::new()),
        };
        let outcome = FunctionOutcome {
            result: match &error {
                Some(e) => Err(e.clone()),
                None => Ok(atrium_value::Value::Null),
            },
            logs: state.logs.clone(),
            read_set: Default::default(),
            snapshot: self.engine().latest_ts(),
            commit: None,
            duration: started.elapsed(),
            usage: Usage::default(),
            journal: None,
            read_identity: true,
            return_bytes: 0,
        };
        if !route.is_empty() || error.is_some() {
            let identifier =
                format!("{method} {}", if route.is_empty() { &request.path } else { &route });
            let mut entry = crate::execution_log::completion(
                &identifier,
                FunctionKind::Action,
                Caller::Client,
                false,
                &outcome,
                &ids,
            );
            entry["udfType"] = json!("HttpAction");
            entry["identifier"] = json!(identifier);
            entry["caller"] = json!("HttpEndpoint");
            entry["success"] = json!({ "status": response.status });
            if !self.component().is_empty() {
                entry["componentPath"] = json!(self.component());
            }
            self.engine().logs().append_soon(entry);
        }
        Ok(HttpOutcome { response, logs: state.logs, error })
    }
}

/// Hands a stream body to `sink` chunk by chunk as the handler produces it (its head
/// first); the function's error when the stream failed (the head is then sent already).
fn pump(
    ctx: &Ctx<'_>,
    response: &HttpResponse,
    mut sink: BodySink,
    head: bool,
) -> Result<Option<FunctionError>, RuntimeError> {
    if !sink(BodyEvent::Head(response.clone())) {
        return Ok(None);
    }
    let stream: rquickjs::Value = ctx.globals().get("__atrium_response_stream")?;
    let pump: Function = ctx.globals().get("__atrium_pump")?;
    let each = Function::new(
        ctx.clone(),
        rquickjs::function::MutFn::new(
            move |ctx: Ctx<'_>, chunk: rquickjs::ArrayBuffer<'_>| -> rquickjs::Result<()> {
                if head || sink(BodyEvent::Chunk(crate::web::buffer_bytes(&chunk))) {
                    Ok(())
                } else {
                    Err(Exception::throw_message(&ctx, "The client disconnected"))
                }
            },
        ),
    )?;
    let pumped = pump.call::<_, Promise>((stream, each)).and_then(|p| settle(ctx, &p));
    Ok(match pumped {
        Ok(Some(_)) => None,
        Ok(None) => Some(FunctionError {
            message: "The response stream never ended (its promise will never resolve)".into(),
            data: None,
        }),
        Err(e) => Some(crate::sandbox::describe(ctx, e)),
    })
}
