//! The official CLI's system functions, `_system/cli/*`: table lists and contents, table
//! sizes, the function spec (`modules:apiSpec`), environment variables, the latest export
//! and the imports' state. They answer once (no read set: the CLI does not keep them live).
//!
//! It must not answer the dashboard's functions (see [`super::frontend`], [`super::atrium`]).

use atrium_engine::{KeyRange, Order};
use atrium_runtime::FunctionKind;
use atrium_runtime::analysis::Visibility;
use atrium_value::Value;

use super::args::object;
use crate::Deployment;

fn string_arg<'a>(args: &'a Value, name: &str) -> Result<&'a str, String> {
    args.get_path([name])
        .and_then(Value::as_str)
        .ok_or_else(|| format!("Missing argument `{name}`"))
}

fn number_arg(args: &Value, path: &[&str]) -> Option<f64> {
    match args.get_path(path.iter().copied()) {
        Some(Value::Float64(n)) => Some(*n),
        Some(Value::Int64(n)) => Some(*n as f64),
        _ => None,
    }
}

/// Runs the CLI's system function at `path` (normalised to `module:function`).
/// `component` is the instance the CLI asked about (`--component`; `""`: the app).
pub(super) fn run(
    deployment: &Deployment,
    path: &str,
    args: &Value,
    component: &str,
) -> Result<Value, String> {
    let engine = deployment.engine();
    let qualified = |table: &str| atrium_runtime::components::names::qualify(component, table);
    match path {
        "_system/cli/tables:default" => {
            let mut names: Vec<String> = engine
                .catalog()
                .tables()
                .filter_map(|t| {
                    atrium_runtime::components::names::local_name(component, &t.name)
                        .map(str::to_owned)
                })
                .filter(|n| !n.starts_with('_'))
                .collect();
            names.sort();
            let page =
                names.into_iter().map(|name| object(vec![("name", Value::String(name))])).collect();
            Ok(object(vec![
                ("page", Value::Array(page)),
                ("isDone", Value::Boolean(true)),
                ("continueCursor", Value::from("end")),
            ]))
        }
        "_system/cli/tableData:default" => {
            let table = &qualified(string_arg(args, "table")?);
            let order = match args.get_path(["order"]).and_then(Value::as_str) {
                Some("desc") => Order::Desc,
                _ => Order::Asc,
            };
            let limit = number_arg(args, &["paginationOpts", "numItems"])
                .unwrap_or(100.0)
                .clamp(1.0, 10_000.0) as usize;
            let cursor = args
                .get_path(["paginationOpts", "cursor"])
                .and_then(Value::as_str)
                .map(str::to_owned);
            let mut tx = engine.begin();
            if tx.table_number(table).is_none() {
                return Ok(object(vec![
                    ("page", Value::Array(Vec::new())),
                    ("isDone", Value::Boolean(true)),
                    ("continueCursor", Value::from("end")),
                ]));
            }
            let index = tx.index(table, "by_creation_time").map_err(|e| e.to_string())?;
            let after = match cursor.as_deref() {
                None => None,
                Some("end") => {
                    return Ok(object(vec![
                        ("page", Value::Array(Vec::new())),
                        ("isDone", Value::Boolean(true)),
                        ("continueCursor", Value::from("end")),
                    ]));
                }
                Some(hex) => Some(hex::decode(hex).map_err(|_| "Invalid cursor")?),
            };
            let page = tx
                .scan(&index, &KeyRange::all(), order, after.as_deref(), limit)
                .map_err(|e| e.to_string())?;
            let next = match (page.exhausted, page.documents.last()) {
                (false, Some((key, _))) => hex::encode(key),
                _ => "end".to_owned(),
            };
            let docs = page.documents.into_iter().map(|(_, d)| d.to_value()).collect();
            Ok(object(vec![
                ("page", Value::Array(docs)),
                ("isDone", Value::Boolean(page.exhausted)),
                ("continueCursor", Value::String(next)),
            ]))
        }
        "_system/cli/tableSize:default" => {
            let table = qualified(string_arg(args, "tableName")?);
            Ok(Value::Float64(engine.count(&table).unwrap_or(0) as f64))
        }
        "_system/cli/modules:apiSpec" => {
            let analysis = if component.is_empty() {
                deployment.analysis()
            } else {
                deployment.component_analyses().remove(component)
            };
            let Some(analysis) = analysis else { return Ok(Value::Array(Vec::new())) };
            let mut spec = Vec::new();
            for function in analysis.functions() {
                let (module, name) =
                    function.path.split_once(':').unwrap_or((&function.path, "default"));
                let mut fields = vec![
                    (
                        "functionType",
                        Value::from(match function.kind {
                            FunctionKind::Query => "Query",
                            FunctionKind::Mutation => "Mutation",
                            FunctionKind::Action => "Action",
                        }),
                    ),
                    ("identifier", Value::String(format!("{module}.js:{name}"))),
                ];
                if let Some(visibility) = function.visibility {
                    let kind = if visibility == Visibility::Public { "public" } else { "internal" };
                    fields.push(("visibility", object(vec![("kind", Value::from(kind))])));
                }
                let json = |v: &Option<serde_json::Value>| {
                    v.as_ref().map_or(Value::Null, |j| Value::String(j.to_string()))
                };
                fields.push(("args", json(&function.args)));
                fields.push(("returns", json(&function.returns)));
                spec.push(object(fields));
            }
            for module in &analysis.modules {
                for route in &module.http_routes {
                    spec.push(object(vec![
                        ("functionType", Value::from("HttpAction")),
                        ("method", Value::String(route.method.clone())),
                        ("path", Value::String(route.path.clone())),
                    ]));
                }
            }
            Ok(Value::Array(spec))
        }
        "_system/cli/queryEnvironmentVariables:default" => {
            let mut tx = engine.begin();
            let mut docs: Vec<Value> = tx
                .collect_table(crate::env::TABLE)
                .map_err(|e| e.to_string())?
                .into_iter()
                .map(|d| d.to_value())
                .collect();
            docs.sort_by(|a, b| a.get_path(["name"]).cmp(&b.get_path(["name"])));
            Ok(Value::Array(docs))
        }
        "_system/cli/queryEnvironmentVariables:get" => {
            let name = string_arg(args, "name")?;
            Ok(match deployment.environment().get(name) {
                Some(value) => object(vec![
                    ("name", Value::from(name)),
                    ("value", Value::String(value.clone())),
                ]),
                None => Value::Null,
            })
        }
        "_system/cli/exports:getLatest" => Ok(deployment
            .exports
            .lock()
            .unwrap()
            .last()
            .map_or(Value::Null, |r| r.document.clone())),
        "_system/cli/queryImport:list" => {
            let imports = deployment.imports.lock().unwrap();
            Ok(Value::Array(imports.iter().rev().take(20).map(|r| r.document.clone()).collect()))
        }
        "_system/cli/queryImport:default" => {
            let id = string_arg(args, "importId")?;
            let imports = deployment.imports.lock().unwrap();
            imports
                .iter()
                .find(|r| r.id == id)
                .map(|r| r.document.clone())
                .ok_or_else(|| format!("No import {id}"))
        }
        other => Err(format!("System function `{other}` is not available on this engine yet")),
    }
}
