//! The web platform in functions, on the `sdks` fixture: fetch running requests
//! concurrently (the stand-in sees all three open at once), bodies read as they stream
//! (the first chunk is read before the server finishes), request bodies of every kind,
//! redirects, aborts; TextDecoder, URL, atob/btoa, events, streams, structuredClone,
//! console and performance.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use atrium_engine::{Engine, EngineOptions};
use atrium_runtime::{FunctionKind, Project, Runner};
use atrium_value::{Object, Value};
use serde_json::json;

use crate::standin;

pub fn runner() -> (tempfile::TempDir, Runner) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/sdks");
    assert!(
        dir.join("node_modules/@anthropic-ai/sdk").is_dir(),
        "run `npm ci` in {} (make test does it)",
        dir.display()
    );
    let data = tempfile::tempdir().unwrap();
    let engine = Engine::open(&data.path().join("sdks.sqlite3"), EngineOptions::default()).unwrap();
    (data, Runner::new(Project::open(&dir).unwrap(), engine))
}

/// A returned value as JSON, for comparing with `json!`.
pub fn to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Boolean(b) => (*b).into(),
        Value::Float64(f) if f.fract() == 0.0 && f.abs() < 1e15 => (*f as i64).into(),
        Value::Float64(f) => (*f).into(),
        Value::Int64(i) => (*i).into(),
        Value::String(s) => s.as_str().into(),
        Value::Array(items) => items.iter().map(to_json).collect(),
        Value::Object(fields) => fields.iter().map(|(k, v)| (k.to_string(), to_json(v))).collect(),
        other => panic!("unexpected value {other}"),
    }
}

pub fn run(
    runner: &Runner,
    path: &str,
    kind: FunctionKind,
    args: Vec<(&str, &str)>,
) -> serde_json::Value {
    let args = Value::Object(
        args.into_iter().map(|(k, v)| (k.to_string(), Value::from(v))).collect::<Object>(),
    );
    let outcome = runner.run(path, kind, args).unwrap();
    match outcome.result {
        Ok(value) => to_json(&value),
        Err(e) => panic!("{path} failed: {}\nlogs: {:?}", e.message, outcome.logs),
    }
}

#[test]
fn fetches_run_concurrently() {
    let open = Arc::new(AtomicUsize::new(0));
    let url = standin::start(move |request, stream| {
        assert_eq!(request.path(), "/slow");
        let now = open.fetch_add(1, Ordering::SeqCst) + 1;
        let mut seen = now;
        // Hold the request until all three are open (a fetch that blocked the thread would
        // send them one at a time, and each would see only itself).
        let deadline = Instant::now() + Duration::from_secs(3);
        while seen < 3 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
            seen = seen.max(open.load(Ordering::SeqCst));
        }
        std::thread::sleep(Duration::from_millis(20));
        open.fetch_sub(1, Ordering::SeqCst);
        standin::json(stream, 200, &json!({ "open": seen }));
    });
    let (_d, runner) = runner();
    let opens = run(&runner, "fetching:concurrent", FunctionKind::Action, vec![("url", &url)]);
    assert_eq!(opens, json!([3, 3, 3]));
}

#[test]
fn bodies_stream_as_they_arrive() {
    let released = Arc::new(AtomicBool::new(false));
    let url = standin::start(move |request, stream| match request.path() {
        "/stream" => {
            standin::begin_chunked(stream, "text/plain");
            standin::chunk(stream, b"first");
            let deadline = Instant::now() + Duration::from_secs(5);
            while !released.load(Ordering::SeqCst) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            let rest: &[u8] =
                if released.load(Ordering::SeqCst) { b"after-release" } else { b"late" };
            standin::chunk(stream, rest);
            standin::end(stream);
        }
        "/release" => {
            released.store(true, Ordering::SeqCst);
            standin::respond(stream, 200, &[], b"ok");
        }
        other => panic!("unexpected {other}"),
    });
    let (_d, runner) = runner();
    let result = run(&runner, "fetching:streamed", FunctionKind::Action, vec![("url", &url)]);
    assert_eq!(result, json!({ "first": "first", "rest": "after-release" }));
}

#[test]
fn request_bodies_redirects_and_aborts() {
    let url = standin::start(|request, stream| match request.path() {
        "/echo" => standin::json(
            stream,
            200,
            &json!({ "contentType": request.header("content-type").unwrap_or(""), "body": request.text() }),
        ),
        "/redirect" => standin::respond(stream, 302, &[("Location", "/target")], b""),
        "/target" => standin::respond(stream, 200, &[], b"arrived"),
        "/hang" => std::thread::sleep(Duration::from_secs(3)),
        "/stream" => {
            standin::begin_chunked(stream, "text/plain");
            standin::chunk(stream, b"first");
            std::thread::sleep(Duration::from_secs(3));
        }
        other => panic!("unexpected {other}"),
    });
    let (_d, runner) = runner();
    let bodies = run(&runner, "fetching:bodies", FunctionKind::Action, vec![("url", &url)]);
    assert_eq!(
        bodies,
        json!({
            "text": { "contentType": "text/plain;charset=UTF-8", "text": "plain" },
            "bytes": { "contentType": "", "text": "hi" },
            "blob": { "contentType": "text/x-blob", "text": "blob!" },
            "params": { "contentType": "application/x-www-form-urlencoded;charset=UTF-8", "text": "q=a+b&r=%26" },
            "form": true,
            "stream": { "contentType": "", "text": "from a stream" },
        })
    );
    let redirects = run(&runner, "fetching:redirects", FunctionKind::Action, vec![("url", &url)]);
    assert_eq!(
        redirects,
        json!({
            "followed": { "status": 200, "redirected": true, "url": format!("{url}/target"), "body": "arrived" },
            "manual": { "status": 302, "location": "/target" },
            "refused": "TypeError",
        })
    );
    let aborted = run(&runner, "fetching:aborted", FunctionKind::Action, vec![("url", &url)]);
    assert_eq!(
        aborted,
        json!({ "timeout": "TimeoutError", "manual": "AbortError", "body": "AbortError" })
    );
}

#[test]
fn text_and_urls_follow_the_standards() {
    let (_d, runner) = runner();
    let text = run(&runner, "platform:text", FunctionKind::Query, vec![]);
    assert_eq!(
        text,
        json!({
            "lossy": "a\u{fffd}b",
            "refused": "TypeError",
            "split": "A\u{20ac}",
            "bom": "A",
            "keptBom": 2,
            "latin1": "\u{e9}",
            "latin1Name": "windows-1252",
            "utf16": "A\u{1f600}",
            "into": [2, 4, [0x61, 0xe2, 0x82, 0xac]],
            "btoa": "aGn/",
            "atob": "hi",
            "badAtob": "InvalidCharacterError",
        })
    );
    let urls = run(&runner, "platform:urls", FunctionKind::Query, vec![]);
    assert_eq!(
        urls,
        json!({
            "href": "https://user:pw@example.com/a/c?x=1#h",
            "origin": "https://example.com",
            "host": "example.com",
            "search": "1",
            "file": "file:///tmp/x/d",
            "edited": "http://me@h:8080/q%20r?k=v+w#frag",
            "canParse": [false, true],
            "parse": "x:",
            "unparsable": true,
            "idna": "xn--bcher-kva.example",
            "params": "a=1&a=3&b=+two",
            "all": ["1", "3"],
        })
    );
}

#[test]
fn events_streams_and_globals() {
    let (_d, runner) = runner();
    let outcome =
        runner.run("platform:events", FunctionKind::Action, Value::Object(Object::new())).unwrap();
    let logs: Vec<String> =
        outcome.logs.iter().map(|l| format!("{} {}", l.level, l.message)).collect();
    let events = to_json(&outcome.result.unwrap_or_else(|e| panic!("{}", e.message)));
    assert_eq!(
        events,
        json!({
            "seen": ["once:ping", "always:1", "always:2", "aborted"],
            "reason": "AbortError",
            "any": "why",
            "timeout": "TimeoutError",
            "order": ["sync", "microtask", "timer"],
            "clone": [true, true, true],
            "cloneError": "DataCloneError",
            "elapsed": true,
            "domException": 8,
        })
    );
    assert!(logs[0].starts_with("LOG t: ") && logs[0].ends_with("ms"), "{logs:?}");
    assert_eq!(
        logs[1..4],
        ["LOG default: 1", "LOG default: 2", "ERROR Assertion failed: math"],
        "{logs:?}"
    );
    assert!(logs[4].contains("(index)") && logs[4].contains("│"), "{logs:?}");

    let streams = run(&runner, "platform:streams", FunctionKind::Action, vec![]);
    assert_eq!(
        streams,
        json!({
            "chunks": ["HEL", "LO ", "WOR", "LD"],
            "tee": ["tee'd", "tee'd"],
            "decoded": "café €",
            "written": ["x", "y"],
            "byob": [1, 2],
        })
    );
}

#[test]
#[ignore = "a benchmark: bench/fetch.sh runs it"]
fn fetch_figures() {
    let url = standin::start(|_, stream| {
        std::thread::sleep(Duration::from_millis(500));
        standin::respond(stream, 200, &[], b"done");
    });
    let (_d, runner) = runner();
    let time = |parallel: bool| {
        let args = Value::Object(
            [
                ("url".to_string(), Value::from(url.as_str())),
                ("parallel".to_string(), Value::Boolean(parallel)),
            ]
            .into_iter()
            .collect::<Object>(),
        );
        let result =
            runner.run("fetching:timed", FunctionKind::Action, args).unwrap().result.unwrap();
        to_json(&result).as_f64().unwrap()
    };
    let sequential = time(false);
    let parallel = time(true);
    println!(
        "three fetches of a 500 ms endpoint: one after another {sequential:.0} ms, Promise.all {parallel:.0} ms"
    );
    println!("Promise.all / sequential: {:.2}", parallel / sequential);
}
