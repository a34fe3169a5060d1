//! Web Crypto (`crypto.subtle`) on the `webcrypto` fixture: known-answer vectors from the
//! RFCs and NIST for every algorithm (the table in `webcrypto_vectors.json`, each entry
//! naming its source), round trips and the spec's errors, availability in every function
//! kind, and `jose` (npm) tokens that a standard verifier (`jsonwebtoken`) accepts.

use std::collections::BTreeMap;
use std::path::PathBuf;

use atrium_engine::{Engine, EngineOptions};
use atrium_runtime::http::HttpRequest;
use atrium_runtime::{FunctionKind, Project, Runner};
use atrium_value::{Object, Value};

fn runner() -> (tempfile::TempDir, Runner) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/webcrypto");
    assert!(
        dir.join("node_modules/jose").is_dir(),
        "run `npm ci` in {} (make test does it)",
        dir.display()
    );
    let data = tempfile::tempdir().unwrap();
    let engine =
        Engine::open(&data.path().join("webcrypto.sqlite3"), EngineOptions::default()).unwrap();
    (data, Runner::new(Project::open(&dir).unwrap(), engine))
}

fn args(fields: Vec<(&str, Value)>) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Object>())
}

fn run(runner: &Runner, path: &str, kind: FunctionKind, a: Value) -> Value {
    match runner.run(path, kind, a).unwrap().result {
        Ok(value) => value,
        Err(e) => panic!("{path} failed: {}", e.message),
    }
}

/// A returned object as JSON, for comparing with `serde_json::json!`.
fn json(value: &Value) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Boolean(b) => (*b).into(),
        Value::Float64(f) => (*f).into(),
        Value::Int64(i) => (*i).into(),
        Value::String(s) => s.as_str().into(),
        Value::Array(items) => items.iter().map(json).collect(),
        Value::Object(fields) => fields.iter().map(|(k, v)| (k.to_string(), json(v))).collect(),
        other => panic!("unexpected value {other}"),
    }
}

#[derive(serde::Deserialize)]
struct Vector {
    name: String,
    source: String,
    case: serde_json::Value,
    /// The result as hex, `true`/`false` for verify, or `!ErrorName` for a refusal.
    expect: String,
}

#[test]
fn known_answer_vectors_for_every_algorithm() {
    let vectors: Vec<Vector> =
        serde_json::from_str(include_str!("webcrypto_vectors.json")).unwrap();
    let cases = serde_json::Value::Array(vectors.iter().map(|v| v.case.clone()).collect());
    let (_d, runner) = runner();
    let results = json(&run(
        &runner,
        "kat:run",
        FunctionKind::Action,
        args(vec![("cases", cases.to_string().into())]),
    ));
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), vectors.len());
    let mut failures = vec![];
    for (vector, got) in vectors.iter().zip(results) {
        let got = got.as_str().unwrap();
        let ok = if vector.expect.starts_with('!') {
            got.starts_with(&format!("{}:", vector.expect))
        } else {
            got == vector.expect
        };
        if !ok {
            failures.push(format!(
                "{} ({}):\n  expected {}\n  got      {got}",
                vector.name, vector.source, vector.expect
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        vectors.len(),
        failures.join("\n")
    );
    // Every algorithm of the issue has vectors.
    for family in [
        "digest SHA-1",
        "digest SHA-256",
        "digest SHA-384",
        "digest SHA-512",
        "HMAC",
        "RSASSA-PKCS1-v1_5",
        "RSA-PSS",
        "ECDSA P-256",
        "ECDSA P-384",
        "Ed25519",
        "AES-GCM",
        "AES-CBC",
        "AES-CTR",
        "RSA-OAEP",
        "PBKDF2",
        "HKDF",
        "ECDH P-256",
        "ECDH P-384",
    ] {
        assert!(vectors.iter().any(|v| v.name.starts_with(family)), "no vector for {family}");
    }
}
