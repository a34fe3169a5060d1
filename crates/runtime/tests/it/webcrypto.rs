//! Web Crypto (`crypto.subtle`) on the `webcrypto` fixture: known-answer vectors for every
//! algorithm from the RFCs, NIST and the Web Platform Tests (WPT's `WebCryptoAPI/` data for
//! RSASSA-PKCS1-v1_5 and ECDH) — the table in `webcrypto_vectors.json`, each entry naming
//! its source; RSA-PSS (WPT's data has no fixed signatures) and RSA-OAEP are checked
//! against OpenSSL's answers — round trips and the spec's errors, availability in every
//! function kind, and `jose` (npm): signed tokens that a standard verifier (`jsonwebtoken`)
//! accepts, and encrypted ones.

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
        "AES-KW",
        "RSA-OAEP",
        "PBKDF2",
        "HKDF",
        "ECDH P-256",
        "ECDH P-384",
        "X25519",
    ] {
        assert!(vectors.iter().any(|v| v.name.starts_with(family)), "no vector for {family}");
    }
}

#[test]
fn round_trips_and_the_errors_the_spec_names() {
    let (_d, runner) = runner();
    let got = json(&run(&runner, "roundTrips:run", FunctionKind::Action, args(vec![])));
    let got: BTreeMap<String, serde_json::Value> = serde_json::from_value(got).unwrap();
    let mut expected: BTreeMap<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
        "HMAC verify": true,
        "HMAC verify other": false,
        "HMAC tag bytes": 32.0,
        "key instanceof CryptoKey": true,
        "key toString": "[object CryptoKey]",
        "key shape": r#"{"type":"secret","extractable":false,"algorithm":{"name":"HMAC","hash":{"name":"SHA-256"},"length":512},"usages":["sign","verify"]}"#,
        "key own properties": "[[],[],0]",
        "non-extractable export": "InvalidAccessError (DOMException)",
        "non-extractable export jwk": "InvalidAccessError (DOMException)",
        "mutated usages": "InvalidAccessError (DOMException)",
        "new CryptoKey": "TypeError",
        "ECDSA raw public bytes": 65.0,
        "ECDSA raw public first byte": 4.0,
        "ECDSA jwk": r#"["crv","d","ext","key_ops","kty","x","y"]"#,
        "AES-GCM decrypt": "round trip",
        "AES-GCM jwk import decrypt": "round trip",
        "AES-CBC decrypt": "round trip",
        "AES-CBC jwk import decrypt": "round trip",
        "AES-CTR decrypt": "round trip",
        "AES-CTR jwk import decrypt": "round trip",
        "RSA-OAEP decrypt": "round trip",
        "RSA-OAEP wrong label": "OperationError (DOMException)",
        "ECDH agree": true,
        "ECDH deriveKey": "AES-GCM/128",
        "PBKDF2 deriveKey stable": true,
        "HKDF deriveKey HMAC length": 1024.0,
        "PBKDF2 extractable": "SyntaxError (DOMException)",
        "unwrapped key signs": true,
        "unknown algorithm": "NotSupportedError (DOMException)",
        "bad usage": "SyntaxError (DOMException)",
        "empty usages": "SyntaxError (DOMException)",
        "key lacks usage": "InvalidAccessError (DOMException)",
        "wrong algorithm": "InvalidAccessError (DOMException)",
        "bad key data": "DataError (DOMException)",
        "bad AES length": "DataError (DOMException)",
        "bad jwk kty": "DataError (DOMException)",
        "bad format": "TypeError",
        "jwk d of another key": "DataError (DOMException)",
        "not a key": "TypeError",
    }))
    .unwrap();
    for signer in ["RSASSA-PKCS1-v1_5", "RSA-PSS", "ECDSA P-256", "ECDSA P-384", "Ed25519"] {
        for (check, value) in [
            ("verify", serde_json::json!(true)),
            ("verify other", serde_json::json!(false)),
            ("usages", serde_json::json!("sign|verify|true")),
            ("jwk private -> spki public", serde_json::json!(true)),
            ("pkcs8 private -> jwk public", serde_json::json!(true)),
            ("pkcs8 re-export", serde_json::json!(true)),
            ("sign with public key", serde_json::json!("InvalidAccessError (DOMException)")),
            ("non-extractable private", serde_json::json!("InvalidAccessError (DOMException)")),
        ] {
            expected.insert(format!("{signer} {check}"), value);
        }
    }
    let differences: Vec<String> = expected
        .keys()
        .chain(got.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|k| expected.get(*k) != got.get(*k))
        .map(|k| format!("{k}: expected {:?}, got {:?}", expected.get(k), got.get(k)))
        .collect();
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[test]
fn available_in_queries_mutations_actions_and_http_actions() {
    let (_d, runner) = runner();
    let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    let jefe = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    let refused = "Error: Can't use cryptographic randomness in queries and mutations. Please \
                   consider using an action. See https://docs.convex.dev/functions/actions for \
                   more details.";
    for (path, kind, generate) in [
        ("kinds:inQuery", FunctionKind::Query, refused),
        ("kinds:inMutation", FunctionKind::Mutation, refused),
        ("kinds:inAction", FunctionKind::Action, "secret"),
    ] {
        let got = json(&run(&runner, path, kind, args(vec![])));
        assert_eq!(
            got,
            serde_json::json!({"globals": true, "digest": abc, "hmac": jefe, "generate": generate, "uuid": "string"}),
            "{path}"
        );
    }
    let outcome = runner
        .run_http(&HttpRequest {
            method: "GET".into(),
            url: "http://127.0.0.1:3211/probe".into(),
            path: "/probe".into(),
            headers: vec![],
            body: vec![],
        })
        .unwrap();
    assert_eq!(outcome.response.status, 200, "{:?}", outcome.error);
    let body: serde_json::Value = serde_json::from_slice(&outcome.response.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"globals": true, "digest": abc, "hmac": jefe, "generate": "secret", "uuid": "string"})
    );
}

/// The jose tokens' claims, as the standard verifier reads them.
#[derive(Debug, serde::Deserialize, PartialEq)]
struct Claims {
    sub: String,
    email: String,
    role: String,
}

#[test]
fn jose_signs_and_verifies_and_its_tokens_interoperate() {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};

    let (_d, runner) = runner();
    let got = json(&run(&runner, "jose:roundTrips", FunctionKind::Action, args(vec![])));
    for (field, value) in [
        ("HS256", "user-1 ada@example.com"),
        ("HS256 wrong secret", "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"),
        ("RS256", "RS256 user-1 admin"),
        ("ES256", "ES256 user-1 admin"),
        ("EdDSA", "EdDSA user-1 admin"),
        ("RS256 forged", "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"),
        ("ES256 forged", "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"),
        ("EdDSA forged", "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"),
        ("RS256 reimported", "user-1"),
        ("ES256 reimported", "user-1"),
        ("EdDSA reimported", "user-1"),
        ("RS256 via JWKS", "ada@example.com"),
        ("ES256 via JWKS", "ada@example.com"),
        ("EdDSA via JWKS", "ada@example.com"),
        ("JWE dir A256GCM", "sealed"),
        ("JWE dir A256CBC-HS512", "sealed"),
        ("JWE RSA-OAEP-256 A128GCM", "sealed"),
        ("JWE ECDH-ES A128GCM", "sealed"),
        ("JWE ECDH-ES A128CBC-HS256", "sealed"),
        ("JWE A128KW A128GCM", "sealed"),
        ("JWE PBES2-HS256+A128KW A128GCM", "sealed"),
        ("JWE ECDH-ES+A256KW A256GCM", "sealed"),
    ] {
        assert_eq!(got[field], value, "{field}");
    }

    // Tokens jose signed through crypto.subtle verify with jsonwebtoken, keys from the JWKS.
    let jwks: serde_json::Value = serde_json::from_str(got["jwks"].as_str().unwrap()).unwrap();
    let key_of = |alg: &str| {
        jwks["keys"].as_array().unwrap().iter().find(|k| k["alg"] == alg).unwrap().clone()
    };
    let member = |k: &serde_json::Value, m: &str| k[m].as_str().unwrap().to_string();
    let expected =
        Claims { sub: "user-1".into(), email: "ada@example.com".into(), role: "admin".into() };
    for (alg, algorithm) in
        [("RS256", Algorithm::RS256), ("ES256", Algorithm::ES256), ("EdDSA", Algorithm::EdDSA)]
    {
        let k = key_of(alg);
        let key = match alg {
            "RS256" => {
                DecodingKey::from_rsa_components(&member(&k, "n"), &member(&k, "e")).unwrap()
            }
            "ES256" => DecodingKey::from_ec_components(&member(&k, "x"), &member(&k, "y")).unwrap(),
            _ => DecodingKey::from_ed_components(&member(&k, "x")).unwrap(),
        };
        let mut validation = Validation::new(algorithm);
        validation.set_audience(&["atrium-test"]);
        validation.set_issuer(&["https://issuer.atrium.test"]);
        let token = got[format!("{alg} token")].as_str().unwrap();
        let claims = decode::<Claims>(token, &key, &validation)
            .unwrap_or_else(|e| panic!("{alg}: jsonwebtoken refused jose's token: {e}"))
            .claims;
        assert_eq!(claims, expected, "{alg}");
        // And a changed signature is refused, so the check above could fail.
        let mut forged = token.to_string();
        let last = forged.pop().unwrap();
        forged.push(if last == 'A' { 'B' } else { 'A' });
        assert!(decode::<Claims>(&forged, &key, &validation).is_err(), "{alg} forged");
    }

    // The other way: a token jsonwebtoken signs (Ed25519, RFC 8032 test 1's key) verifies
    // in an action through jose and crypto.subtle.
    let pkcs8 = hex::decode(
        "302e020100300506032b6570042204209d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    )
    .unwrap();
    let x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    let exp =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 600;
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header {
            kid: Some("rust".into()),
            ..jsonwebtoken::Header::new(Algorithm::EdDSA)
        },
        &serde_json::json!({"sub": "from-rust", "aud": "atrium-test", "exp": exp}),
        &jsonwebtoken::EncodingKey::from_ed_der(&pkcs8),
    )
    .unwrap();
    let jwks = serde_json::json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": x, "kid": "rust", "alg": "EdDSA"}]});
    let sub = run(
        &runner,
        "jose:verify",
        FunctionKind::Action,
        args(vec![("token", token.as_str().into()), ("jwks", jwks.to_string().as_str().into())]),
    );
    assert_eq!(sub, Value::from("from-rust"));
}
