//! A project folder that cannot load until a variable is set: the `auth` fixture's
//! `auth.config.ts` reads `OIDC_ISSUER` and `CUSTOM_JWKS` at load. Served from its folder
//! with neither set, the deployment still opens: admin routes answer, function calls and
//! HTTP actions answer the load failure, and once the variables are set through the
//! environment route the folder loads and the calls work.

use atrium_server::test_support::serve_fixture;
use base64::Engine as _;
use serde_json::{Value, json};

async fn post(url: String, body: Value, admin_key: Option<&str>) -> (u16, Value) {
    let mut request = reqwest::Client::new().post(url).json(&body);
    if let Some(key) = admin_key {
        request = request.header("Authorization", format!("Convex {key}"));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_folder_missing_a_variable_serves_its_load_error_until_the_variable_is_set() {
    let (server, deployment, _data) = serve_fixture("auth", "folder-missing-env").await;
    let key = deployment.admin_key().to_owned();
    let ping = || {
        post(
            format!("{}/api/query", server.cloud_url),
            json!({"path": "identity:ping", "args": {}, "format": "json"}),
            None,
        )
    };

    let (_, body) = ping().await;
    assert_eq!(body["status"], "error", "{body}");
    let message = body["errorMessage"].as_str().unwrap_or_default();
    assert!(message.contains("The project cannot be loaded"), "{body}");
    assert!(
        message.contains("OIDC_ISSUER is used in auth config file but its value was not set"),
        "{body}"
    );
    let site = reqwest::get(format!("{}/whoami", server.site_url)).await.unwrap();
    assert_eq!(site.status().as_u16(), 500);
    assert!(site.text().await.unwrap().contains("The project cannot be loaded"));

    // Admin routes work without code.
    let listed = reqwest::Client::new()
        .get(format!("{}/api/v1/list_environment_variables", server.cloud_url))
        .header("Authorization", format!("Convex {key}"))
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status().as_u16(), 200);

    // One variable is not enough: the folder is tried again and still fails.
    let env_url = format!("{}/api/update_environment_variables", server.cloud_url);
    let (status, body) = post(
        env_url.clone(),
        json!({"changes": [{"name": "OIDC_ISSUER", "value": "https://issuer.atrium.test"}]}),
        Some(&key),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = ping().await;
    assert!(body["errorMessage"].as_str().unwrap_or_default().contains("CUSTOM_JWKS"), "{body}");

    let jwks = format!(
        "data:application/json;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(r#"{"keys":[]}"#)
    );
    let (status, body) =
        post(env_url, json!({"changes": [{"name": "CUSTOM_JWKS", "value": jwks}]}), Some(&key))
            .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = ping().await;
    assert_eq!((status, &body["value"]), (200, &json!("pong")), "{body}");
    assert_eq!(deployment.load_error(), None);
    let providers = deployment.verifier().providers();
    assert_eq!(providers.len(), 2, "the auth config's providers are in force");
}
