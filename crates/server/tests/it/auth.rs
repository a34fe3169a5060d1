//! Signed-in users end to end: a local OIDC issuer on 127.0.0.1 (discovery and a JWKS that
//! can rotate) and a custom JWT provider with an ES256 key in a `data:` URI, configured by
//! the `auth` fixture's `auth.config.ts` from the deployment's environment. Tokens arrive as
//! `Authorization: Bearer` (functions and HTTP actions) and as sync `Authenticate`; each
//! refusal is checked for Convex's code and message.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use atrium_server::test_support::serve_fixture;
use atrium_server::{Deployment, DeploymentConfig, RunningServer, ServerConfig, serve};
use axum::extract::State;
use axum::routing::get;
use base64::Engine as _;
use futures_util::{SinkExt, StreamExt};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const RSA_A: &str = include_str!("keys/rsa_a.pem");
const RSA_B: &str = include_str!("keys/rsa_b.pem");
const EC: &str = include_str!("keys/ec.pem");
const CUSTOM_ISSUER: &str = "https://custom.atrium.test";

fn public_jwk(pem: &str, alg: Algorithm, kid: &str) -> Value {
    let key = match alg {
        Algorithm::ES256 => EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
        _ => EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    };
    let mut jwk = Jwk::from_encoding_key(&key, alg).unwrap();
    jwk.common.key_id = Some(kid.into());
    serde_json::to_value(jwk).unwrap()
}

fn sign(pem: &str, alg: Algorithm, kid: &str, claims: &Value) -> String {
    let key = match alg {
        Algorithm::ES256 => EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
        _ => EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    };
    let mut header = Header::new(alg);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

fn now() -> i64 {
    jsonwebtoken::get_current_timestamp() as i64
}

/// An OIDC issuer: discovery and a JWKS whose keys a test may change.
struct Issuer {
    url: String,
    keys: Arc<RwLock<Vec<Value>>>,
    jwks_fetches: Arc<std::sync::atomic::AtomicUsize>,
}

type IssuerState = (String, Arc<RwLock<Vec<Value>>>, Arc<std::sync::atomic::AtomicUsize>);

async fn start_issuer() -> Issuer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let keys = Arc::new(RwLock::new(vec![public_jwk(RSA_A, Algorithm::RS256, "a")]));
    let fetches = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let state: IssuerState = (url.clone(), keys.clone(), fetches.clone());
    let app = axum::Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(|State((url, _, _)): State<IssuerState>| async move {
                axum::Json(json!({ "issuer": url, "jwks_uri": format!("{url}/jwks"),
                    "authorization_endpoint": format!("{url}/authorize"),
                    "response_types_supported": ["id_token"], "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"] }))
            }),
        )
        .route(
            "/jwks",
            get(|State((_, keys, fetches)): State<IssuerState>| async move {
                fetches.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                axum::Json(json!({ "keys": keys.read().unwrap().clone() }))
            }),
        )
        .with_state(state);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Issuer { url, keys, jwks_fetches: fetches }
}

struct Fixture {
    server: RunningServer,
    deployment: Arc<Deployment>,
    issuer: Issuer,
    _data: tempfile::TempDir,
}

/// The `auth` fixture served with its issuers in the environment, set before the code loads.
async fn start() -> Fixture {
    let issuer = start_issuer().await;
    let data = tempfile::tempdir().unwrap();
    let deployment = Deployment::open(DeploymentConfig {
        project_dir: None,
        data_dir: data.path().to_path_buf(),
        instance_name: "auth-test".into(),
        admin_key: None,
    })
    .unwrap();
    let jwks = json!({ "keys": [public_jwk(EC, Algorithm::ES256, "es")] });
    let data_uri = format!(
        "data:application/json;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(jwks.to_string())
    );
    deployment
        .update_environment(&[
            ("OIDC_ISSUER".into(), Some(issuer.url.clone())),
            ("CUSTOM_JWKS".into(), Some(data_uri)),
        ])
        .unwrap();
    let project = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/auth");
    deployment.reload_project(&project, &|_, _, _, _| {}).unwrap();
    let config = ServerConfig { port: 0, site_port: 0, ..ServerConfig::default() };
    let server = serve(deployment.clone(), config).await.unwrap();
    Fixture { server, deployment, issuer, _data: data }
}

fn oidc_claims(issuer: &str, subject: &str) -> Value {
    json!({ "iss": issuer, "sub": subject, "aud": "convex-test", "iat": now(), "exp": now() + 600,
        "email": "ada@example.com", "email_verified": true, "name": "Ada", "org": "acme" })
}

/// Calls `path` over HTTP with an optional Bearer token: (status, body).
async fn call(f: &Fixture, route: &str, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}/api/{route}", f.server.cloud_url))
        .json(&json!({ "path": path, "args": {}, "format": "json" }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn oidc_tokens_become_identities_in_every_function_type() {
    let f = start().await;
    let token = sign(RSA_A, Algorithm::RS256, "a", &oidc_claims(&f.issuer.url, "user-1"));
    let (status, body) = call(&f, "query", "identity:whoami", Some(&token)).await;
    assert_eq!(status, 200, "{body}");
    let identity = &body["value"];
    assert_eq!(identity["tokenIdentifier"], format!("{}|user-1", f.issuer.url));
    assert_eq!(identity["subject"], "user-1");
    assert_eq!(identity["issuer"], f.issuer.url.as_str());
    assert_eq!(identity["email"], "ada@example.com");
    assert_eq!(identity["emailVerified"], true);
    assert_eq!(identity["name"], "Ada");
    assert_eq!(identity["org"], "acme", "a custom claim: {identity}");

    // Mutations and actions see it too; public functions need no token.
    let (_, body) = call(&f, "mutation", "identity:note", Some(&token)).await;
    assert_eq!(body["value"], format!("{}|user-1", f.issuer.url));
    let (_, body) = call(&f, "action", "identity:whoamiAction", Some(&token)).await;
    assert_eq!(body["value"]["subject"], "user-1");
    let (status, body) = call(&f, "query", "identity:ping", None).await;
    assert_eq!((status, &body["value"]), (200, &json!("pong")));
    let (_, body) = call(&f, "query", "identity:whoami", None).await;
    assert_eq!(body["value"], Value::Null);

    // An HTTP action's ctx.auth sees the caller's token.
    let identity: Value = reqwest::Client::new()
        .get(format!("{}/whoami", f.server.site_url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(identity["subject"], "user-1");

    // A refused token does not refuse the request: the action runs, and its
    // getUserIdentity() throws the refusal (as Convex does).
    let expired = sign(
        RSA_A,
        Algorithm::RS256,
        "a",
        &json!({ "iss": f.issuer.url, "sub": "user-1", "aud": "convex-test", "iat": now() - 7200, "exp": now() - 3600 }),
    );
    let response = reqwest::Client::new()
        .get(format!("{}/whoami", f.server.site_url))
        .bearer_auth(&expired)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 500);
    let text = response.text().await.unwrap();
    assert!(text.contains("Could not verify OIDC token claim"), "{text}");

    // ctx.meta tells an action the request's user agent, that it carried a token, and the
    // client's address: the peer's, or what a proxy on this machine forwards.
    let request_info = |forwarded: Option<&str>| {
        let mut request = reqwest::Client::new()
            .post(format!("{}/api/action", f.server.cloud_url))
            .bearer_auth(&token)
            .header("user-agent", "atrium-auth-test")
            .header("convex-request-id", "req-42")
            .json(&json!({ "path": "identity:requestInfo", "args": {}, "format": "json" }));
        if let Some(forwarded) = forwarded {
            request = request.header("x-forwarded-for", forwarded);
        }
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let info = request_info(None).await;
    assert_eq!(
        info["value"],
        json!({ "userAgent": "atrium-auth-test", "hasToken": true, "requestId": "req-42",
            "ip": "127.0.0.1" })
    );
    let info = request_info(Some("203.0.113.7, 10.0.0.1")).await;
    assert_eq!(info["value"]["ip"], "203.0.113.7", "{info}");

    // Functions see the engine's own URLs.
    let (_, body) = call(&f, "query", "identity:urls", None).await;
    assert_eq!(body["value"], json!({ "cloud": f.server.cloud_url, "site": f.server.site_url }));
    // The admin key keeps working, and so does an admin acting as a user.
    let (status, _) = call(&f, "query", "identity:ping", None).await;
    assert_eq!(status, 200);
}

/// The query cache shares a run that read no identity between users (as Convex's does), and
/// never one that read it: each user has their own, and the answer is never another's.
#[tokio::test(flavor = "multi_thread")]
async fn cached_queries_are_shared_between_users_only_when_they_read_no_identity() {
    let f = start().await;
    let ada = sign(RSA_A, Algorithm::RS256, "a", &oidc_claims(&f.issuer.url, "ada"));
    let bob = sign(RSA_A, Algorithm::RS256, "a", &oidc_claims(&f.issuer.url, "bob"));
    // (function, cachedResult) of every query logged after `from`.
    let logged = |from: usize| -> Vec<(String, bool)> {
        let records = f.deployment.engine().logs().read_after(0, 100_000).unwrap();
        let queries = records.iter().filter(|r| r.entry["udfType"] == "Query");
        let entries: Vec<_> = queries
            .map(|r| {
                let function = r.entry["identifier"].as_str().unwrap_or_default().to_owned();
                (function, r.entry["cachedResult"].as_bool().unwrap())
            })
            .collect();
        entries[from..].to_vec()
    };
    let before = logged(0).len();
    for token in [Some(&ada), Some(&bob), None] {
        let (_, body) = call(&f, "query", "identity:ping", token.map(String::as_str)).await;
        assert_eq!(body["value"], "pong");
    }
    let ping = |cached| ("identity:ping".to_owned(), cached);
    assert_eq!(logged(before), vec![ping(false), ping(true), ping(true)], "one run for all");

    let before = logged(0).len();
    for (token, subject) in
        [(Some(&ada), json!("ada")), (Some(&bob), json!("bob")), (None, Value::Null)]
    {
        let (_, body) = call(&f, "query", "identity:whoami", token.map(String::as_str)).await;
        let who =
            if body["value"].is_null() { Value::Null } else { body["value"]["subject"].clone() };
        assert_eq!(who, subject, "never another user's answer: {body}");
    }
    let (_, again) = call(&f, "query", "identity:whoami", Some(&ada)).await;
    assert_eq!(again["value"]["subject"], "ada");
    let whoami = |cached| ("identity:whoami".to_owned(), cached);
    assert_eq!(
        logged(before),
        vec![whoami(false), whoami(false), whoami(false), whoami(true)],
        "a run per user, and Ada's own again"
    );

    // An admin may run more than clients may: it never takes a client's run, nor they its.
    let key = f.deployment.admin_key().to_owned();
    let admin = reqwest::Client::new()
        .post(format!("{}/api/query", f.server.cloud_url))
        .header("authorization", format!("Convex {key}"))
        .json(&json!({ "path": "identity:ping", "args": {} }))
        .send()
        .await
        .unwrap();
    assert_eq!(admin.status().as_u16(), 200);
    assert_eq!(logged(0).last().unwrap(), &ping(false));
    f.server.stop().await;
}

/// A query that read no identity, then does: its next run, which every caller waits for, is
/// one user's answer; the others never get it, and run their own.
#[tokio::test(flavor = "multi_thread")]
async fn a_query_that_starts_reading_the_identity_never_answers_another_user() {
    let f = start().await;
    let tokens: Vec<(String, String)> = ["ada", "bob", "cy"]
        .iter()
        .map(|who| {
            (who.to_string(), sign(RSA_A, Algorithm::RS256, "a", &oidc_claims(&f.issuer.url, who)))
        })
        .collect();
    for (_, token) in &tokens {
        let (_, body) = call(&f, "query", "identity:whoamiOnceFlagged", Some(token)).await;
        assert_eq!(body["value"], "nobody");
    }
    for round in 0..5 {
        call(&f, "mutation", "identity:setFlag", None).await;
        // All at once, so they may meet at one timestamp and one run.
        let answers = futures_util::future::join_all(
            tokens
                .iter()
                .map(|(_, token)| call(&f, "query", "identity:whoamiOnceFlagged", Some(token))),
        )
        .await;
        for ((who, _), (_, body)) in tokens.iter().zip(&answers) {
            assert_eq!(body["value"], who.as_str(), "round {round}: {who} got {body}");
        }
    }
    f.server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn each_refused_token_names_its_cause_in_convex_words() {
    let f = start().await;
    let url = f.issuer.url.clone();
    let refused = |claims: Value, pem: &'static str, kid: &'static str| {
        let token = sign(pem, Algorithm::RS256, kid, &claims);
        let f = &f;
        async move { call(f, "query", "identity:whoami", Some(&token)).await }
    };

    let mut expired = oidc_claims(&url, "u");
    expired["exp"] = json!(now() - 600);
    let (status, body) = refused(expired.clone(), RSA_A, "a").await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "Unauthenticated");
    assert!(body["message"].as_str().unwrap().contains("the token hasn't expired"), "{body}");
    let token = sign(RSA_A, Algorithm::RS256, "a", &expired);
    let error = f.deployment.verifier().verify(&token).await.unwrap_err();
    assert!(error.detail.unwrap().contains("expired"));

    let mut audience = oidc_claims(&url, "u");
    audience["aud"] = json!("someone-else");
    let (status, body) = refused(audience, RSA_A, "a").await;
    assert_eq!((status, body["code"].as_str()), (401, Some("NoAuthProvider")));
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("Check that your JWT's issuer and audience match"), "{message}");
    assert!(message.contains(&format!("OIDC(domain={url}, app_id=convex-test)")), "{message}");

    let mut issuer = oidc_claims(&url, "u");
    issuer["iss"] = json!("https://elsewhere.test");
    let (_, body) = refused(issuer, RSA_A, "a").await;
    assert_eq!(body["code"], "NoAuthProvider");

    // An unknown key: the JWKS is fetched again before the token is refused...
    let before = f.issuer.jwks_fetches.load(std::sync::atomic::Ordering::SeqCst);
    let (_, body) = refused(oidc_claims(&url, "u"), RSA_B, "b").await;
    assert_eq!(body["code"], "Unauthenticated", "{body}");
    let after = f.issuer.jwks_fetches.load(std::sync::atomic::Ordering::SeqCst);
    assert!(after > before, "the JWKS was fetched again for an unknown kid");
    // ...so a rotated key is accepted at once.
    f.issuer.keys.write().unwrap().push(public_jwk(RSA_B, Algorithm::RS256, "b"));
    let (status, body) = refused(oidc_claims(&url, "rotated"), RSA_B, "b").await;
    assert_eq!((status, &body["value"]["subject"]), (200, &json!("rotated")), "{body}");

    // A bad signature: key b's signature under kid a.
    let (_, body) = refused(oidc_claims(&url, "u"), RSA_B, "a").await;
    assert_eq!(body["code"], "Unauthenticated");
    let token = sign(RSA_B, Algorithm::RS256, "a", &oidc_claims(&url, "u"));
    let detail = f.deployment.verifier().verify(&token).await.unwrap_err().detail.unwrap();
    assert!(detail.contains("signature"), "{detail}");

    let (status, body) = call(&f, "query", "identity:whoami", Some("not-a-jwt")).await;
    assert_eq!(status, 401);
    assert!(body["message"].as_str().unwrap().starts_with("Could not parse JWT payload"));
}

fn custom_claims(subject: &str) -> Value {
    json!({ "iss": CUSTOM_ISSUER, "sub": subject, "aud": "custom-app", "iat": now(), "exp": now() + 600,
        "org": { "role": "admin" } })
}

#[tokio::test(flavor = "multi_thread")]
async fn custom_jwt_es256_with_a_data_uri_jwks() {
    let f = start().await;
    let token = sign(EC, Algorithm::ES256, "es", &custom_claims("c-1"));
    let (status, body) = call(&f, "query", "identity:whoami", Some(&token)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["value"]["tokenIdentifier"], format!("{CUSTOM_ISSUER}|c-1"));
    assert_eq!(body["value"]["org.role"], "admin", "nested claims are flattened: {body}");

    let mut expired = custom_claims("c-1");
    expired["exp"] = json!(now() - 60);
    let token = sign(EC, Algorithm::ES256, "es", &expired);
    let (_, body) = call(&f, "query", "identity:whoami", Some(&token)).await;
    assert_eq!(body["code"], "InvalidAuthHeader");
    assert!(
        body["message"].as_str().unwrap().starts_with("Could not validate token: Token expired"),
        "{body}"
    );
    // Within Convex's 5 s leeway the token still counts.
    let mut fresh_enough = custom_claims("c-2");
    fresh_enough["exp"] = json!(now() - 2);
    let token = sign(EC, Algorithm::ES256, "es", &fresh_enough);
    assert_eq!(call(&f, "query", "identity:whoami", Some(&token)).await.0, 200);

    let token = sign(EC, Algorithm::ES256, "other", &custom_claims("c-1"));
    let (_, body) = call(&f, "query", "identity:whoami", Some(&token)).await;
    assert_eq!(
        body["message"],
        "Could not decode token. The JWT's 'kid' (key ID) header is 'other', does this key match any key in the provider's JWKS?"
    );
    // A bad signature: a valid token's payload swapped for another.
    let token = sign(EC, Algorithm::ES256, "es", &custom_claims("c-1"));
    let forged_payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(custom_claims("mallory").to_string());
    let parts: Vec<&str> = token.split('.').collect();
    let forged = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
    let (status, body) = call(&f, "query", "identity:whoami", Some(&forged)).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("InvalidAuthHeader")));
    let error = f.deployment.verifier().verify(&forged).await.unwrap_err();
    assert!(error.detail.unwrap().contains("signature"));

    let mut audience = custom_claims("c-1");
    audience["aud"] = json!("not-custom");
    let token = sign(EC, Algorithm::ES256, "es", &audience);
    let (_, body) = call(&f, "query", "identity:whoami", Some(&token)).await;
    assert_eq!(body["code"], "NoAuthProvider");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deployment_without_providers_refuses_tokens_but_serves_anonymous_calls() {
    let (server, _deployment, _data) = serve_fixture("chat", "no-auth").await;
    let token = sign(RSA_A, Algorithm::RS256, "a", &oidc_claims("https://issuer.test", "u"));
    let response = reqwest::Client::new()
        .post(format!("{}/api/query", server.cloud_url))
        .bearer_auth(&token)
        .json(&json!({ "path": "messages:list", "args": {} }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "NoAuthProvider");
    assert_eq!(
        body["message"],
        "No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts."
    );
    let anonymous = reqwest::Client::new()
        .post(format!("{}/api/query", server.cloud_url))
        .json(&json!({ "path": "messages:list", "args": {} }))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 200);
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn next(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message within 10 s");
        match message {
            Some(Ok(Message::Text(text))) => {
                let value: Value = serde_json::from_str(&text).unwrap();
                if value["type"] != "Ping" {
                    return value;
                }
            }
            Some(Ok(Message::Close(_))) | None => return json!({"type": "<closed>"}),
            other => panic!("unexpected {other:?}"),
        }
    }
}

async fn send(socket: &mut Socket, message: Value) {
    socket.send(Message::Text(message.to_string().into())).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_authenticate_and_reauthenticate_rerun_queries_as_the_new_user() {
    let f = start().await;
    let url = format!("{}/api/1.48.0/sync", f.server.cloud_url.replace("http://", "ws://"));
    let (mut socket, _) = tokio_tungstenite::connect_async(url.clone()).await.unwrap();
    send(&mut socket, json!({"type": "Connect", "sessionId": "a1111111-1111-1111-1111-111111111111", "connectionCount": 0, "lastCloseReason": "InitialConnect", "clientTs": 0})).await;
    let first = sign(RSA_A, Algorithm::RS256, "a", &oidc_claims(&f.issuer.url, "first"));
    send(
        &mut socket,
        json!({"type": "Authenticate", "baseVersion": 0, "tokenType": "User", "value": first}),
    )
    .await;
    let _ = next(&mut socket).await;
    send(
        &mut socket,
        json!({"type": "ModifyQuerySet", "baseVersion": 0, "newVersion": 1, "modifications": [
        {"type": "Add", "queryId": 0, "udfPath": "identity:whoami", "args": [{}]}]}),
    )
    .await;
    let transition = next(&mut socket).await;
    assert_eq!(transition["modifications"][0]["value"]["subject"], "first", "{transition}");

    let second = sign(RSA_A, Algorithm::RS256, "a", &oidc_claims(&f.issuer.url, "second"));
    send(
        &mut socket,
        json!({"type": "Authenticate", "baseVersion": 1, "tokenType": "User", "value": second}),
    )
    .await;
    let transition = next(&mut socket).await;
    assert_eq!(transition["endVersion"]["identity"], 2);
    assert_eq!(transition["modifications"][0]["value"]["subject"], "second", "{transition}");

    let mut expired = oidc_claims(&f.issuer.url, "late");
    expired["exp"] = json!(now() - 600);
    let expired = sign(RSA_A, Algorithm::RS256, "a", &expired);
    send(
        &mut socket,
        json!({"type": "Authenticate", "baseVersion": 2, "tokenType": "User", "value": expired}),
    )
    .await;
    let error = next(&mut socket).await;
    assert_eq!(error["type"], "AuthError", "{error}");
    assert_eq!(error["baseVersion"], 2);
    assert_eq!(error["authUpdateAttempted"], true);
    assert!(error["error"].as_str().unwrap().contains("hasn't expired"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_auth_config_needs_its_variables_and_a_change_that_breaks_it_is_refused() {
    let f = start().await;
    let error = f.deployment.update_environment(&[("OIDC_ISSUER".into(), None)]).unwrap_err();
    assert_eq!(
        error,
        "This change would make the auth config invalid: Environment variable OIDC_ISSUER is used in auth config file but its value was not set"
    );
    assert!(
        f.deployment.environment().contains_key("OIDC_ISSUER"),
        "the refused change left nothing behind"
    );
    let providers = f.deployment.verifier().providers();
    assert_eq!(providers.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_that_expires_during_a_session_is_refused_when_next_used() {
    let f = start().await;
    let url = format!("{}/api/1.48.0/sync", f.server.cloud_url.replace("http://", "ws://"));
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    send(&mut socket, json!({"type": "Connect", "sessionId": "b2222222-2222-2222-2222-222222222222", "connectionCount": 0, "lastCloseReason": "InitialConnect", "clientTs": 0})).await;
    let mut claims = oidc_claims(&f.issuer.url, "brief");
    claims["exp"] = json!(now() + 2);
    let token = sign(RSA_A, Algorithm::RS256, "a", &claims);
    send(
        &mut socket,
        json!({"type": "Authenticate", "baseVersion": 0, "tokenType": "User", "value": token}),
    )
    .await;
    assert_eq!(next(&mut socket).await["type"], "Transition");

    // Past `exp`, the next call as the user is refused as Convex refuses it: an AuthError the
    // client did not cause by authenticating, so the official client fetches a fresh token.
    tokio::time::sleep(Duration::from_millis(3100)).await;
    send(
        &mut socket,
        json!({"type": "Mutation", "requestId": 0, "udfPath": "identity:note", "args": [{}]}),
    )
    .await;
    let error = next(&mut socket).await;
    assert_eq!(error["type"], "AuthError", "{error}");
    assert_eq!(error["error"], "Convex token identity expired");
    assert_eq!(error["baseVersion"], 1);
    assert_eq!(error["authUpdateAttempted"], false);
}
