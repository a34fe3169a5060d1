//! `fetch`'s host half (the JavaScript half is `fetch.js`): an action's request sent with
//! reqwest's blocking client. The only place the runtime speaks HTTP, and only as a
//! client; queries and mutations never reach it.

use std::time::Duration;

use rquickjs::{Ctx, Object};

/// The HTTP client actions' `fetch` uses (one per process; never dropped).
fn http_client() -> &'static reqwest::blocking::Client {
    static CLIENT: std::sync::OnceLock<reqwest::blocking::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::blocking::Client::builder()
            .connect_timeout(Duration::from_secs(30))
            .timeout(Duration::from_secs(300))
            .user_agent(concat!("Atrium/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the HTTP client builds")
    })
}

/// Sends a request and returns `{status, statusText, headers, body, url}`, or `{error}`
/// when no response came.
pub(super) fn send<'js>(
    ctx: Ctx<'js>,
    url: String,
    method: String,
    headers: Vec<Vec<String>>,
    body: Option<rquickjs::ArrayBuffer<'js>>,
) -> rquickjs::Result<Object<'js>> {
    let reply = Object::new(ctx.clone())?;
    let method = match reqwest::Method::from_bytes(method.as_bytes()) {
        Ok(m) => m,
        Err(_) => {
            reply.set("error", format!("invalid method {method}"))?;
            return Ok(reply);
        }
    };
    let mut request = http_client().request(method, &url);
    for pair in &headers {
        if let [name, value] = pair.as_slice() {
            request = request.header(name.as_str(), value.as_str());
        }
    }
    if let Some(body) = &body {
        // SAFETY: the bytes are copied at once; no JavaScript runs (so nothing can detach or
        // resize the buffer) while the slice lives.
        #[allow(unsafe_code, reason = "copying an ArrayBuffer's bytes before any JS runs")]
        let bytes = unsafe { body.as_bytes() }.map(<[u8]>::to_vec).unwrap_or_default();
        request = request.body(bytes);
    }
    match request.send().and_then(|response| {
        let status = response.status();
        let final_url = response.url().to_string();
        let headers: Vec<Vec<String>> = response
            .headers()
            .iter()
            .map(|(k, v)| vec![k.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()])
            .collect();
        let bytes = response.bytes()?;
        Ok((status, final_url, headers, bytes))
    }) {
        Ok((status, final_url, headers, bytes)) => {
            reply.set("status", status.as_u16())?;
            reply.set("statusText", status.canonical_reason().unwrap_or(""))?;
            reply.set("headers", headers)?;
            reply.set("url", final_url)?;
            reply.set("body", rquickjs::ArrayBuffer::new(ctx.clone(), bytes.to_vec())?)?;
        }
        Err(error) => reply.set("error", error.to_string())?,
    }
    Ok(reply)
}
