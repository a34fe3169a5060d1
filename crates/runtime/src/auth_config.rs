//! `convex/auth.config.ts`: evaluated in an import phase with the deployment's environment,
//! its default export read as JSON (`{ providers: [...] }`), as Convex does at push.
//!
//! A variable the file reads but the deployment lacks is refused with Convex's message (the
//! CLI recognises it), not read as `undefined`. It only evaluates: checking the providers
//! and verifying tokens are the server's.

use std::collections::BTreeMap;
use std::sync::Arc;

use rquickjs::Value as JsValue;
use serde_json::Value as Json;

use crate::analysis::with_prepared_namespace;
use crate::{Project, RuntimeError};

/// The start of the message for a variable the auth config reads but the deployment lacks.
pub const MISSING_VARIABLE: &str = "Environment variable ";

const DOCS: &str = "To learn more, see the auth documentation at https://docs.convex.dev/auth.";

/// Makes `process.env` throw Convex's error for an unset variable while the auth config loads.
const STRICT_ENV: &str = r#"(() => {
  const env = globalThis.process.env;
  globalThis.process.env = new Proxy(env, {
    get(target, name) {
      if (typeof name === "string" && !Object.prototype.hasOwnProperty.call(target, name)) {
        throw new Error(`Environment variable ${name} is used in auth config file but its value was not set`);
      }
      return target[name];
    },
  });
})();"#;

/// The auth config's default export as JSON; `None` when the project has no
/// `auth.config.*`.
pub fn evaluate_auth_config(
    project: &Arc<Project>,
    env: &BTreeMap<String, String>,
) -> Result<Option<Json>, RuntimeError> {
    let Some(file) = project.module_file("auth.config") else { return Ok(None) };
    with_prepared_namespace(project, &file, env, STRICT_ENV, |ctx, namespace| {
        let config: Option<JsValue> = namespace.get("default")?;
        let Some(config) = config.filter(|c| !c.is_null() && !c.is_undefined()) else {
            return Err(RuntimeError::Js(format!(
                "auth config file is missing default export. {DOCS}"
            )));
        };
        let text =
            ctx.json_stringify(config)?.map(|s| s.to_string()).transpose()?.ok_or_else(|| {
                RuntimeError::Js(format!("auth config file can only contain strings {DOCS}"))
            })?;
        serde_json::from_str(&text).map(Some).map_err(|e| {
            RuntimeError::Js(format!("auth config file can only contain strings {DOCS}: {e}"))
        })
    })
    .map_err(|error| match error {
        // The import failed on the strict `process.env`: Convex's words, without the
        // loader's prefix.
        RuntimeError::Js(message) | RuntimeError::Load { message, .. }
            if message.contains("is used in auth config file") =>
        {
            let start = message.find(MISSING_VARIABLE).unwrap_or(0);
            let text = &message[start..];
            let end = text.find(" was not set").map_or(text.len(), |i| i + " was not set".len());
            RuntimeError::Js(text[..end].to_owned())
        }
        other => other,
    })
}
