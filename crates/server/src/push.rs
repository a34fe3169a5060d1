//! Push from the official CLI (`npx convex deploy`, `npx convex dev`): the
//! `get_config_hashes` → `start_push` → `wait_for_schema` → `finish_push` handshake, with
//! Brotli-compressed bodies. Pushed modules are already bundled ESM (`_deps/` chunks for
//! shared code); `start_push` analyses them and keeps them pending, `finish_push` makes them
//! the deployment's code and stores them so a restart keeps them.

use std::collections::BTreeMap;
use std::io::Read as _;

use axum::body::Bytes;
use axum::http::HeaderMap;
use serde_json::{Value as Json, json};

pub use atrium_protocol::push::PushedModule;

/// The most a push body may decompress to: a few bytes of Brotli can say gigabytes of
/// output, so decompression stops here instead of filling memory.
pub(crate) const MAX_DECOMPRESSED_PUSH: u64 = 64 << 20;

/// The request body, decompressed (at most [`MAX_DECOMPRESSED_PUSH`] bytes) when it says
/// `Content-Encoding: br`.
pub(crate) fn body_json(headers: &HeaderMap, body: &Bytes) -> Result<Json, String> {
    let brotli = headers
        .get(axum::http::header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("br"));
    let bytes = if brotli {
        let mut out = Vec::new();
        brotli_decompressor::Decompressor::new(body.as_ref(), 64 * 1024)
            .take(MAX_DECOMPRESSED_PUSH + 1)
            .read_to_end(&mut out)
            .map_err(|e| format!("The request body is not valid Brotli: {e}"))?;
        if out.len() as u64 > MAX_DECOMPRESSED_PUSH {
            return Err(format!(
                "The request body is too large: it decompresses to more than {MAX_DECOMPRESSED_PUSH} bytes"
            ));
        }
        out
    } else {
        body.to_vec()
    };
    serde_json::from_slice(&bytes).map_err(|e| format!("The request body is not valid JSON: {e}"))
}

/// The modules a `start_push` request describes: changed ones as sent, unchanged ones from
/// the current code (by hash), and the schema module.
pub(crate) fn modules_of(
    request: &Json,
    current: &[PushedModule],
) -> Result<Vec<PushedModule>, String> {
    let app = request.get("appDefinition").ok_or("The push has no appDefinition")?;
    let mut modules: BTreeMap<String, PushedModule> = BTreeMap::new();
    for module in app.get("changedModules").and_then(Json::as_array).into_iter().flatten() {
        let module: PushedModule = serde_json::from_value(module.clone())
            .map_err(|e| format!("A pushed module is malformed: {e}"))?;
        modules.insert(module.path.clone(), module);
    }
    for unchanged in app.get("unchangedModuleHashes").and_then(Json::as_array).into_iter().flatten()
    {
        let path = unchanged.get("path").and_then(Json::as_str).unwrap_or_default();
        let hash = unchanged.get("sha256").and_then(Json::as_str).unwrap_or_default();
        let existing = current
            .iter()
            .find(|m| m.path == path && m.hash() == hash)
            .ok_or_else(|| format!("Could not find existing unchanged module {path}."))?;
        modules.insert(path.to_owned(), existing.clone());
    }
    if let Some(schema) = app.get("schema").filter(|s| !s.is_null()) {
        let mut schema: PushedModule = serde_json::from_value(schema.clone())
            .map_err(|e| format!("The pushed schema is malformed: {e}"))?;
        schema.path = "schema.js".into();
        modules.insert(schema.path.clone(), schema);
    }
    Ok(modules.into_values().collect())
}

/// A definition's functions as `StartPushResponse` lists them: by canonical module path
/// (`counter.js`), each function with its type, visibility and validators (JSON text).
fn functions_of(analysis: Option<&atrium_runtime::analysis::Analysis>) -> Json {
    use atrium_runtime::analysis::Visibility;
    let mut modules = serde_json::Map::new();
    for module in analysis.map(|a| a.modules.as_slice()).unwrap_or_default() {
        let functions: Vec<Json> = module
            .functions
            .iter()
            .map(|f| {
                let name = f.path.split_once(':').map_or("default", |(_, n)| n);
                json!({
                    "name": name,
                    "pos": null,
                    "udfType": match f.kind {
                        atrium_runtime::FunctionKind::Query => "Query",
                        atrium_runtime::FunctionKind::Mutation => "Mutation",
                        atrium_runtime::FunctionKind::Action => "Action",
                    },
                    "visibility": f.visibility.map(|v| json!({"kind": match v {
                        Visibility::Public => "public",
                        Visibility::Internal => "internal",
                    }})),
                    "args": f.args.as_ref().map(Json::to_string),
                    "returns": f.returns.as_ref().map(Json::to_string),
                })
            })
            .collect();
        modules.insert(
            format!("{}.js", module.path),
            json!({"functions": functions, "httpRoutes": null, "cronSpecs": null, "sourceMapped": null}),
        );
    }
    Json::Object(modules)
}

/// One definition's entry in `StartPushResponse.analysis`: what the CLI's codegen reads
/// (the children it installs, by name and definition path, and its functions).
fn definition_analysis(
    path: &str,
    name: Option<&str>,
    children: Vec<Json>,
    http_mounts: Json,
    functions: Json,
) -> Json {
    let definition_type = match name {
        None => json!({"type": "app"}),
        Some(name) => json!({"type": "childComponent", "name": name, "args": []}),
    };
    json!({
        "definition": {
            "path": path,
            "definitionType": definition_type,
            "childComponents": children,
            "httpMounts": http_mounts,
            "exports": {"type": "branch", "branch": []}
        },
        "schema": null,
        "functions": functions,
        "udfConfig": {
            "serverVersion": "1.48.0",
            "importPhaseRngSeed": {"$bytes": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},
            "importPhaseUnixTimestamp": {"$integer": "AAAAAAAAAAA="}
        }
    })
}

/// `StartPushResponse.analysis`: the app's definition and each component definition's.
fn analysis_of(code: &crate::deployment::Code) -> Json {
    let mut analysis = serde_json::Map::new();
    for instance in code.tree.instances() {
        if analysis.contains_key(&instance.definition) {
            continue;
        }
        let children = instance
            .children
            .iter()
            .filter_map(|name| {
                let path = atrium_runtime::components::names::child_path(&instance.path, name);
                let child = code.tree.instance(&path)?;
                Some(json!({"name": name, "path": child.definition, "args": []}))
            })
            .collect();
        // `{"/ticker/": "_reference/childComponent/ticker"}`, as the definition declared.
        let http_mounts: serde_json::Map<String, Json> = instance
            .http_mounts
            .iter()
            .map(|(prefix, child)| {
                (prefix.clone(), json!(format!("_reference/childComponent/{child}")))
            })
            .collect();
        let name = (!instance.path.is_empty())
            .then(|| instance.definition_name.as_deref().unwrap_or(&instance.path));
        let analysed = if instance.path.is_empty() {
            Some(&code.analysis)
        } else {
            code.instances.get(&instance.path)
        };
        analysis.insert(
            instance.definition.clone(),
            definition_analysis(
                &instance.definition,
                name,
                children,
                Json::Object(http_mounts),
                functions_of(analysed),
            ),
        );
    }
    Json::Object(analysis)
}

/// The part of `StartPushResponse` the CLI needs (its validators accept this minimum).
pub(crate) fn start_push_response(
    push_id: &str,
    environment: &BTreeMap<String, String>,
    auth: &[crate::jwt::AuthProvider],
    code: &crate::deployment::Code,
) -> Json {
    let app_auth: Vec<Json> = auth.iter().map(crate::jwt::AuthProvider::to_json).collect();
    json!({
        "environmentVariables": environment,
        "externalDepsId": null,
        "componentDefinitionPackages": {},
        "appAuth": app_auth,
        "analysis": analysis_of(code),
        "app": {
            "definitionPath": "",
            "componentPath": "",
            "args": {},
            "childComponents": {},
            "httpRoutes": {"httpModuleRoutes": null, "mounts": []},
            "exports": {}
        },
        "schemaChange": {"allocatedComponentIds": {}, "schemaIds": {}, "indexDiffs": {}},
        "atriumPushId": push_id,
    })
}

/// `finish_push`'s diff: which modules came and went, and which crons were added, updated
/// and deleted.
pub(crate) fn finish_push_response(
    added: Vec<String>,
    removed: Vec<String>,
    (crons_added, crons_updated, crons_deleted): (Vec<String>, Vec<String>, Vec<String>),
) -> Json {
    json!({
        "authDiff": {"added": [], "removed": []},
        "definitionDiffs": {},
        "componentDiffs": {
            "": {
                "diffType": {"type": "modify"},
                "moduleDiff": {"added": added, "removed": removed},
                "udfConfigDiff": null,
                "cronDiff": {"added": crons_added, "updated": crons_updated, "deleted": crons_deleted},
                "indexDiff": {"added_indexes": [], "removed_indexes": [], "enabled_indexes": [], "disabled_indexes": []},
                "schemaDiff": null
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_modules_come_from_the_current_code() {
        let current = vec![PushedModule {
            path: "a.js".into(),
            source: "export const x = 1;".into(),
            source_map: None,
            environment: "isolate".into(),
        }];
        let request = json!({"appDefinition": {
            "changedModules": [{"path": "b.js", "source": "export const y = 2;", "environment": "isolate"}],
            "unchangedModuleHashes": [{"path": "a.js", "environment": "isolate", "sha256": current[0].hash()}],
            "schema": {"path": "schema.js", "source": "export default 1;", "environment": "isolate"}
        }});
        let modules = modules_of(&request, &current).unwrap();
        assert_eq!(
            modules.iter().map(|m| m.path.as_str()).collect::<Vec<_>>(),
            vec!["a.js", "b.js", "schema.js"]
        );
        let stale =
            json!({"appDefinition": {"unchangedModuleHashes": [{"path": "a.js", "sha256": "00"}]}});
        assert!(
            modules_of(&stale, &current)
                .unwrap_err()
                .contains("Could not find existing unchanged module a.js")
        );
    }

    #[test]
    fn brotli_bodies_are_decompressed() {
        // "{}" as Node's zlib.brotliCompressSync writes it.
        let compressed: &[u8] = &[0x8b, 0x00, 0x80, 0x7b, 0x7d, 0x03];
        let mut headers = HeaderMap::new();
        headers.insert(axum::http::header::CONTENT_ENCODING, "br".parse().unwrap());
        assert_eq!(body_json(&headers, &Bytes::from_static(compressed)), Ok(json!({})));
        assert!(body_json(&headers, &Bytes::from_static(b"not brotli")).is_err());
    }

    #[test]
    fn a_brotli_bomb_is_refused_at_the_bound() {
        // 346 bytes that decompress to `{"a":"aaa…"}` with 200 MiB of `a`
        // (zlib.brotliCompressSync in Node).
        let bomb = hex::decode(BOMB).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(axum::http::header::CONTENT_ENCODING, "br".parse().unwrap());
        let error = body_json(&headers, &Bytes::from(bomb)).unwrap_err();
        assert!(error.contains("decompresses to more than 67108864 bytes"), "{error}");
    }

    const BOMB: &str = "cbffff3ff8a54574c2f6140a870502263c7bffc7ffff3ff82500e2b00840f7fe8fffff7ff04b00c4610180eefd1fffffffe0970088c30200ddfb3ffeffffc12f0110870500baf77ffcffff835f02200e0b0074effff8ffff07bf04401c1600e8defff1ffff0f7e0980382c00d0bdffe3ffff1ffc1200715800a07bffc7ffff3ff82500e2b00040f7fe8fffff7ff04b00c4610180eefd1fffffffe0970088c30200ddfb3ffeffffc12f0110870500baf77ffcffff835f02200e0b0074effff8ffff07bf04401c1600e8defff1ffff0f7e0980382c00d0bdffe3ffff1ffc1200715800a07bffc7ffff3ff82500e2b00040f7fe8fffff7ff04b00c4610180eefd1fffffffe0970088c30200ddfb3ffeffffc12f0110870500baf77ffcffff835f02200e0b0074effff8ffff07bf04401c1600e8defff1ffff0f7e0980382c00d0bdffe3ffff1ffc1200715800a07bff870380616161616161227d03";

    #[test]
    fn the_push_answer_names_the_crons_it_changed() {
        let crons = (vec!["new".to_string()], vec![], vec!["gone".to_string()]);
        let answer = finish_push_response(vec![], vec![], crons);
        let diff = &answer["componentDiffs"][""]["cronDiff"];
        assert_eq!(diff, &json!({"added": ["new"], "updated": [], "deleted": ["gone"]}));
    }
}
