//! HTTP actions through the real library's router: exact and prefix routes, request bodies
//! and headers, JSON responses, 404s, HEAD, and handlers that throw.

use std::path::PathBuf;

use atrium_engine::{Engine, EngineOptions};
use atrium_runtime::http::HttpRequest;
use atrium_runtime::{Project, Runner};

fn runner() -> (tempfile::TempDir, Runner) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/kitchen");
    let data = tempfile::tempdir().unwrap();
    let engine = Engine::open(&data.path().join("http.sqlite3"), EngineOptions::default()).unwrap();
    (data, Runner::new(Project::open(&dir).unwrap(), engine))
}

fn request(method: &str, path_and_query: &str, body: &str) -> HttpRequest {
    HttpRequest {
        method: method.into(),
        url: format!("http://127.0.0.1:3211{path_and_query}"),
        path: path_and_query.split('?').next().unwrap().into(),
        headers: vec![
            ("User-Agent".into(), "atrium-test".into()),
            ("Content-Type".into(), "application/json".into()),
        ],
        body: body.as_bytes().to_vec(),
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

#[test]
fn routes_answer() {
    let (_d, runner) = runner();
    let hello = runner.run_http(&request("GET", "/hello", "")).unwrap();
    assert_eq!((hello.response.status, hello.response.body.as_slice()), (200, b"hello".as_slice()));

    let echo = runner.run_http(&request("POST", "/echo?q=find%20me", r#"{"a":[1,2]}"#)).unwrap();
    assert_eq!(echo.response.status, 201);
    assert_eq!(header(&echo.response.headers, "x-echo"), Some("yes"));
    assert_eq!(header(&echo.response.headers, "content-type"), Some("application/json"));
    let json: serde_json::Value = serde_json::from_slice(&echo.response.body).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"got": {"a": [1, 2]}, "q": "find me", "agent": "atrium-test"})
    );
    assert_eq!(echo.logs.len(), 1);
    assert_eq!(echo.logs[0].message, "echoing find me");

    let file = runner.run_http(&request("GET", "/files/a/b.txt", "")).unwrap();
    assert_eq!(String::from_utf8(file.response.body).unwrap(), "file /files/a/b.txt (notes: 0)");

    let head = runner.run_http(&request("HEAD", "/hello", "")).unwrap();
    assert_eq!((head.response.status, head.response.body.len()), (200, 0));
}

#[test]
fn missing_routes_and_failing_handlers() {
    let (_d, runner) = runner();
    let missing = runner.run_http(&request("GET", "/nope", "")).unwrap();
    assert_eq!(missing.response.status, 404);
    assert_eq!(String::from_utf8(missing.response.body).unwrap(), "No matching routes found");
    let wrong_method = runner.run_http(&request("DELETE", "/hello", "")).unwrap();
    assert_eq!(wrong_method.response.status, 404);

    let broken = runner.run_http(&request("GET", "/broken", "")).unwrap();
    assert_eq!(broken.response.status, 500);
    assert_eq!(broken.error.unwrap().message, "Uncaught Error: handler broke");

    let records = runner.engine().logs().read_after(0, 10).unwrap();
    let identifiers: Vec<&str> =
        records.iter().filter_map(|r| r.entry["identifier"].as_str()).collect();
    assert!(identifiers.contains(&"GET /broken"), "{identifiers:?}");
    assert!(records.iter().all(|r| r.entry["udfType"] == "HttpAction"));
}
