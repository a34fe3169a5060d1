//! Who may talk to browser mode: requests for this server's own host that carry this
//! launch's token.
//!
//! The token is 32 random bytes, made at start-up and printed once in the URL. A page
//! request with `?token=` gets a cookie (HttpOnly, SameSite=Strict, named per port so two
//! Atriums do not overwrite each other) and a redirect that drops the token from the address
//! bar; later requests carry the cookie, or an `Authorization: Bearer` header. Requests for
//! another Host (DNS rebinding) or from another Origin are refused.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

#[derive(Clone, Debug)]
pub(super) struct Guard {
    pub(super) token: String,
    pub(super) port: u16,
}

pub(super) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    hex::encode(bytes)
}

/// Compares in time independent of where the strings differ.
fn same_token(given: &str, expected: &str) -> bool {
    use subtle::ConstantTimeEq as _;
    bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}

impl Guard {
    fn cookie_name(&self) -> String {
        format!("atrium_token_{}", self.port)
    }

    fn is_own_host(&self, host: &str) -> bool {
        host == format!("127.0.0.1:{}", self.port) || host == format!("localhost:{}", self.port)
    }

    fn token_from_headers(&self, headers: &HeaderMap) -> Option<String> {
        if let Some(bearer) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        {
            return Some(bearer.trim().to_owned());
        }
        let name = self.cookie_name();
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_owned())
    }
}

fn token_from_query(query: Option<&str>) -> Option<String> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == "token")
        .map(|(_, value)| value.to_owned())
}

fn refuse(status: StatusCode, message: &'static str) -> Response {
    (status, message).into_response()
}

pub(super) async fn check(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !guard.is_own_host(host) {
        return refuse(
            StatusCode::FORBIDDEN,
            "Atrium answers only requests addressed to 127.0.0.1 or localhost on its own port.",
        );
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let own_origin = origin
            .strip_prefix("http://")
            .is_some_and(|origin_host| guard.is_own_host(origin_host));
        if !own_origin {
            return refuse(StatusCode::FORBIDDEN, "Atrium refuses requests from other origins.");
        }
    }

    let from_query = token_from_query(request.uri().query());
    let from_headers = guard.token_from_headers(headers);
    let query_ok = from_query.as_deref().is_some_and(|t| same_token(t, &guard.token));
    let headers_ok = from_headers.as_deref().is_some_and(|t| same_token(t, &guard.token));
    if !query_ok && !headers_ok {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "Atrium needs the token from the URL it printed at launch (…/?token=…).",
        );
    }

    let is_page = request.method() == Method::GET && !request.uri().path().starts_with("/api/");
    if query_ok && is_page {
        // Trade the token in the address bar for a cookie, then show the page without it.
        let cookie =
            format!("{}={}; Path=/; HttpOnly; SameSite=Strict", guard.cookie_name(), guard.token);
        let mut response = (StatusCode::SEE_OTHER, "").into_response();
        let location =
            HeaderValue::from_str(request.uri().path()).unwrap_or(HeaderValue::from_static("/"));
        response.headers_mut().insert(header::LOCATION, location);
        if let Ok(cookie) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, cookie);
        }
        return response;
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_distinct() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn token_comparison() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abd", "abc"));
        assert!(!same_token("ab", "abc"));
        assert!(!same_token("", "abc"));
    }

    #[test]
    fn finds_the_token_in_a_query() {
        assert_eq!(token_from_query(Some("a=1&token=xyz")).as_deref(), Some("xyz"));
        assert_eq!(token_from_query(Some("tokens=xyz")), None);
        assert_eq!(token_from_query(None), None);
    }

    #[test]
    fn finds_the_token_in_this_ports_cookie_only() {
        let guard = Guard { token: "t".into(), port: 4000 };
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "atrium_token_5000=other; atrium_token_4000=mine".parse().unwrap(),
        );
        assert_eq!(guard.token_from_headers(&headers).as_deref(), Some("mine"));
    }
}
