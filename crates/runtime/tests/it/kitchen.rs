//! The runtime's behaviour on the `kitchen` fixture (written for these tests): validators,
//! ConvexError data, visibility, console levels, determinism, and runaway functions.

use std::path::PathBuf;
use std::time::Duration;

use atrium_engine::{Engine, EngineOptions};
use atrium_runtime::{Caller, FunctionKind, Limits, Project, Runner};
use atrium_value::{Object, Value};

fn runner() -> (tempfile::TempDir, Runner) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/kitchen");
    assert!(
        dir.join("node_modules/convex").is_dir(),
        "run `npm ci` in {} (make test does it)",
        dir.display()
    );
    let data = tempfile::tempdir().unwrap();
    let engine =
        Engine::open(&data.path().join("kitchen.sqlite3"), EngineOptions::default()).unwrap();
    (data, Runner::new(Project::open(&dir).unwrap(), engine))
}

fn obj(fields: Vec<(&str, Value)>) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Object>())
}

fn error_of(runner: &Runner, path: &str, kind: FunctionKind, args: Value) -> String {
    match runner.run(path, kind, args).unwrap().result {
        Err(e) => e.message,
        Ok(v) => panic!("{path} should fail, returned {v}"),
    }
}

#[test]
fn arguments_and_results_are_validated() {
    let (_d, runner) = runner();
    let good = obj(vec![("name", "ada".into()), ("count", Value::Int64(1))]);
    let result = runner.run("checks:typed", FunctionKind::Query, good).unwrap().result.unwrap();
    assert_eq!(result, obj(vec![("greeting", "hello ada".into()), ("count", Value::Int64(2))]));

    let missing =
        error_of(&runner, "checks:typed", FunctionKind::Query, obj(vec![("name", "ada".into())]));
    assert!(
        missing
            .starts_with("ArgumentValidationError: Object is missing the required field `count`"),
        "{missing}"
    );
    let wrong = error_of(
        &runner,
        "checks:typed",
        FunctionKind::Query,
        obj(vec![("name", "ada".into()), ("count", Value::Float64(1.0))]),
    );
    assert!(
        wrong.contains("Value does not match validator.") && wrong.contains("Path: .count"),
        "{wrong}"
    );
    let extra = error_of(
        &runner,
        "checks:typed",
        FunctionKind::Query,
        obj(vec![("name", "a".into()), ("count", Value::Int64(1)), ("x", Value::Null)]),
    );
    assert!(extra.contains("extra field `x`"), "{extra}");

    let returns = error_of(&runner, "checks:badReturn", FunctionKind::Query, obj(vec![]));
    assert!(
        returns.starts_with("ReturnsValidationError: Value does not match validator."),
        "{returns}"
    );
}

#[test]
fn convex_errors_carry_their_data_and_roll_back() {
    let (_d, runner) = runner();
    let outcome = runner
        .run("checks:fail", FunctionKind::Mutation, obj(vec![("code", "E42".into())]))
        .unwrap();
    let error = outcome.result.unwrap_err();
    assert_eq!(error.data, Some(obj(vec![("code", "E42".into()), ("message", "Nope".into())])));
    assert!(error.message.starts_with("Uncaught ConvexError"), "{}", error.message);
    assert!(outcome.commit.is_none());
    assert!(
        runner.engine().catalog().table("attempts").is_none(),
        "the failed mutation wrote nothing"
    );

    let plain = error_of(&runner, "checks:plainThrow", FunctionKind::Query, obj(vec![]));
    assert_eq!(plain, "Uncaught Error: plain failure");
}

#[test]
fn clients_cannot_call_internal_functions() {
    let (_d, runner) = runner();
    let err = runner
        .run_as(Caller::Client, "checks:secret", FunctionKind::Mutation, obj(vec![]))
        .unwrap_err();
    assert!(
        err.to_string().contains("Could not find public function for 'checks:secret'"),
        "{err}"
    );
    assert!(runner.engine().catalog().table("secrets").is_none());
    let admin = runner.run("checks:secret", FunctionKind::Mutation, obj(vec![])).unwrap();
    assert_eq!(admin.result, Ok(Value::from("done")));
}

#[test]
fn console_lines_keep_their_levels() {
    let (_d, runner) = runner();
    let outcome = runner.run("checks:logs", FunctionKind::Query, obj(vec![])).unwrap();
    let lines: Vec<(String, String)> =
        outcome.logs.into_iter().map(|l| (l.level, l.message)).collect();
    let expected = [
        ("LOG", "plain {\"a\":1} 2n"),
        ("INFO", "information"),
        ("WARN", "careful"),
        ("ERROR", "broken"),
        ("DEBUG", "details"),
    ];
    assert_eq!(
        lines,
        expected.iter().map(|(l, m)| (l.to_string(), m.to_string())).collect::<Vec<_>>()
    );
}

#[test]
fn queries_see_seeded_randomness_a_frozen_clock_and_no_timers() {
    let (_d, runner) = runner();
    let result =
        runner.run("checks:determinism", FunctionKind::Query, obj(vec![])).unwrap().result.unwrap();
    let field = |name: &str| result.get_path([name]).cloned().unwrap();
    let (Value::Float64(a), Value::Float64(b)) = (field("a"), field("b")) else {
        panic!("{result}")
    };
    assert!((0.0..1.0).contains(&a) && (0.0..1.0).contains(&b) && a != b);
    assert_eq!(field("now"), field("dateNow"), "Date.now and new Date agree: the clock is frozen");
    let Value::String(timer) = field("timer") else { panic!() };
    assert!(timer.contains("Can't use setTimeout in queries and mutations"), "{timer}");
}

#[test]
fn runaway_functions_fail_cleanly_and_the_next_call_works() {
    let (_d, runner) = runner();
    let runner = runner.with_limits(Limits {
        query_mutation_time: Duration::from_millis(500),
        ..Limits::default()
    });
    let cases = [
        ("runaway:spin", "timed out"),
        ("runaway:allocate", "ran out of memory"),
        ("runaway:recurse", "Maximum call stack size exceeded"),
        ("runaway:huge", "too large"),
        ("runaway:neverResolves", "will never resolve"),
    ];
    for (path, expected) in cases {
        let started = std::time::Instant::now();
        let message = error_of(&runner, path, FunctionKind::Query, obj(vec![]));
        assert!(message.contains(expected), "{path}: {message}");
        assert!(started.elapsed() < Duration::from_secs(10), "{path} took {:?}", started.elapsed());
        let after = runner
            .run(
                "checks:typed",
                FunctionKind::Query,
                obj(vec![("name", "x".into()), ("count", Value::Int64(0))]),
            )
            .unwrap();
        assert!(after.result.is_ok(), "after {path}: {:?}", after.result);
    }
}

#[test]
fn functions_call_functions_in_and_out_of_transactions() {
    let (_d, runner) = runner();
    let result =
        runner.run("calls:parent", FunctionKind::Mutation, obj(vec![])).unwrap().result.unwrap();
    assert_eq!(
        result,
        obj(vec![
            ("caught", "nested failure".into()),
            ("count", Value::Float64(1.0)),
            ("n", Value::Float64(4.0))
        ])
    );
    assert_eq!(
        runner.engine().count("notes").unwrap(),
        1,
        "the failed nested mutation's insert was undone"
    );

    let outcome = runner
        .run("calls:viaAction", FunctionKind::Action, obj(vec![("label", "hi".into())]))
        .unwrap();
    assert_eq!(outcome.result, Ok(Value::Float64(2.0)));
    assert!(outcome.logs.iter().any(|l| l.message == "added hi"), "{:?}", outcome.logs);
    assert_eq!(runner.engine().count("notes").unwrap(), 2);
}

#[test]
fn web_globals_and_environment_variables() {
    let (_d, runner) = runner();
    let mut env = std::collections::BTreeMap::new();
    env.insert("GREETING".to_string(), "hello from env".to_string());
    let runner = runner.with_env(env);
    let result =
        runner.run("web:globals", FunctionKind::Query, obj(vec![])).unwrap().result.unwrap();
    let get = |name: &str| result.get_path([name]).cloned().unwrap_or(Value::Null);
    assert_eq!(get("byteLength"), Value::Float64(14.0), "h é(2) l l o space €(3) 😀(4)");
    assert_eq!(get("text"), Value::from("héllo €😀"));
    assert_eq!(get("base64"), Value::from("aGVsbG8="));
    assert_eq!(get("unbase64"), Value::from("hello"));
    assert_eq!(get("host"), Value::from("example.com"));
    assert_eq!(get("pathname"), Value::from("/a/c"));
    assert_eq!(get("y"), Value::from("two words"));
    assert_eq!(get("href"), Value::from("https://user:pw@example.com/a/c?x=1&y=two+words&z=3#top"));
    assert_eq!(get("relative"), Value::from("https://example.com/a/d?q=1"));
    assert_eq!(get("randomLength"), Value::Float64(8.0));
    let Value::String(uuid) = get("uuid") else { panic!() };
    assert_eq!(uuid.len(), 36);
    assert_eq!(&uuid[14..15], "4", "{uuid}");
    assert_eq!(get("cloneIsDeep"), Value::Boolean(true));
    assert_eq!(get("env"), Value::from("hello from env"));

    let random = runner
        .run("web:randomInAction", FunctionKind::Action, obj(vec![("n", Value::Float64(16.0))]))
        .unwrap();
    let Ok(Value::Array(bytes)) = random.result else { panic!("{:?}", random.result) };
    assert_eq!(bytes.len(), 16);
}

#[test]
fn functions_see_the_identity_they_run_as() {
    let (_d, runner) = runner();
    let anonymous = runner.run("auth:whoami", FunctionKind::Query, obj(vec![])).unwrap();
    assert_eq!(anonymous.result, Ok(Value::Null));

    let user = runner
        .as_user(Some(
            serde_json::json!({"issuer": "https://auth.example", "subject": "u1", "name": "Ada"}),
        ))
        .unwrap();
    let me = user.run("auth:whoami", FunctionKind::Query, obj(vec![])).unwrap().result.unwrap();
    assert_eq!(me, obj(vec![("name", "Ada".into()), ("token", "https://auth.example|u1".into())]));
    let via_action = user.run("auth:whoamiViaAction", FunctionKind::Action, obj(vec![])).unwrap();
    assert_eq!(via_action.result, Ok(Value::from("u1")), "nested calls keep the identity");

    assert!(runner.as_user(Some(serde_json::json!({"name": "no subject"}))).is_err());
}

/// A query's outcome says whether its result depends on who asked (the server's query cache
/// shares the others between users): reading the identity, itself or in a query it calls,
/// sets it; each execution starts without it.
#[test]
fn an_outcome_says_whether_the_identity_was_read() {
    let (_d, runner) = runner();
    let user = runner
        .as_user(Some(serde_json::json!({"issuer": "https://auth.example", "subject": "u1"})))
        .unwrap();
    let read = |path: &str| user.run(path, FunctionKind::Query, obj(vec![])).unwrap().read_identity;
    assert!(read("auth:whoami"));
    assert!(!read("bench:empty"), "a new execution starts without it");
    let nested = user.run("auth:whoamiNested", FunctionKind::Query, obj(vec![])).unwrap();
    assert_eq!(nested.result, Ok(Value::from("u1")));
    assert!(nested.read_identity, "read by the query it called");
    assert!(!runner.run("bench:empty", FunctionKind::Query, obj(vec![])).unwrap().read_identity);
}

#[test]
fn use_node_modules_run_in_node_even_when_they_need_nothing_of_it() {
    let (_d, runner) = runner();
    let shout = runner
        .run("nodeFriendly:shout", FunctionKind::Action, obj(vec![("text", "hi".into())]))
        .unwrap();
    assert_eq!(shout.result, Ok(Value::from("HI")));
}

#[test]
fn actions_have_timers() {
    let (_d, runner) = runner();
    let result =
        runner.run("web:timers", FunctionKind::Action, obj(vec![])).unwrap().result.unwrap();
    assert_eq!(
        result,
        obj(vec![
            ("order", Value::Array(vec!["first".into(), "second".into(), "interval x3".into()])),
            ("waited", Value::Boolean(true)),
        ])
    );
}

#[test]
fn reading_more_than_the_byte_limit_fails_cleanly() {
    let (_d, runner) = runner();
    // 180 documents of about 100 KB: more than the 16 MiB a function may read.
    let blob = "x".repeat(100_000);
    runner
        .engine()
        .run(1, |tx| {
            for _ in 0..180 {
                let mut fields = Object::new();
                fields.insert("blob".into(), Value::from(blob.as_str()));
                tx.insert("blobs", fields)?;
            }
            Ok(())
        })
        .unwrap();
    let message = error_of(&runner, "runaway:readEverything", FunctionKind::Query, obj(vec![]));
    assert!(message.contains("Too many bytes read in a single function execution"), "{message}");
}

/// A one-connection-at-a-time HTTP server on 127.0.0.1 that echoes what it receives.
fn echo_server() -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut stream) = stream else { continue };
            let mut buffer = vec![0u8; 65536];
            let mut read = 0;
            // Read headers, then as much body as Content-Length says.
            loop {
                let n = stream.read(&mut buffer[read..]).unwrap_or(0);
                read += n;
                let text = String::from_utf8_lossy(&buffer[..read]).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if read >= end + 4 + length || n == 0 {
                        let head = &text[..end];
                        let body = &text[end + 4..];
                        let request_line = head.lines().next().unwrap_or_default();
                        let test_header = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("x-test:")
                                    .map(|v| v.trim().to_owned())
                            })
                            .unwrap_or_default();
                        let reply = serde_json::json!({ "line": request_line, "body": body, "xTest": test_header }).to_string();
                        let response = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Server: echo\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                            reply.len(),
                            reply
                        );
                        let _ = stream.write_all(response.as_bytes());
                        break;
                    }
                }
                if n == 0 {
                    break;
                }
            }
        }
    });
    format!("http://{address}")
}

#[test]
fn actions_fetch_and_queries_cannot() {
    let (_d, runner) = runner();
    let url = echo_server();
    let result = runner
        .run("web:fetchEcho", FunctionKind::Action, obj(vec![("url", url.as_str().into())]))
        .unwrap()
        .result
        .unwrap();
    let get = |p: &[&str]| result.get_path(p.iter().copied()).cloned().unwrap_or(Value::Null);
    assert_eq!(get(&["status"]), Value::Float64(200.0));
    assert_eq!(get(&["ok"]), Value::Boolean(true));
    assert_eq!(get(&["server"]), Value::from("echo"));
    assert_eq!(get(&["echoed", "line"]), Value::from("POST /echo?x=1 HTTP/1.1"));
    assert_eq!(get(&["echoed", "body"]), Value::from("{\"hello\":\"world\"}"));
    assert_eq!(get(&["echoed", "xTest"]), Value::from("yes"));
    assert_eq!(get(&["unreachable"]), Value::from("TypeError: fetch failed"));
    assert_eq!(get(&["built", "status"]), Value::Float64(201.0));
    assert_eq!(get(&["built", "header"]), Value::from("here"));
    assert_eq!(get(&["built", "body", "a"]), Value::Float64(1.0));

    let message = error_of(&runner, "web:fetchInQuery", FunctionKind::Query, obj(vec![]));
    assert!(message.contains("Can't use fetch in queries and mutations"), "{message}");
}

#[test]
fn functions_can_read_their_metadata() {
    let (_d, runner) = runner();
    let result =
        runner.run("checks:meta", FunctionKind::Mutation, obj(vec![])).unwrap().result.unwrap();
    assert_eq!(result.get_path(["name"]), Some(&Value::from("checks:meta")));
    assert_eq!(result.get_path(["written"]), Some(&Value::Float64(1.0)));
}
