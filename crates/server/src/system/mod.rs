//! System functions (`_system/*`), admin only, answered natively — the one entry point
//! ([`run`]) the HTTP API and the sync socket call, and the routing of a path to its room:
//! - [`cli`]: the official CLI's `_system/cli/*` (table lists and contents, table sizes, the
//!   function spec, environment variables, export and import state);
//! - [`frontend`]: Convex's dashboard functions `_system/frontend/*` (the `filters` of
//!   `paginatedTableDocuments` compiled by [`table_filters`]);
//! - [`components`]: `_system/frontend/components:list`, the component instances;
//! - [`files`]: Convex's dashboard file functions `_system/frontend/fileStorageV2:*`;
//! - [`atrium`]: Atrium's dashboard extensions `_system/atrium/*`, which a Convex deployment
//!   lacks (clients detect that from the "not found" answer);
//! - [`adhoc`]: `_system/atrium/queryFromSource`, a query written in the dashboard;
//! - [`file_references`]: `_system/atrium/fileReferences`, the documents holding a file's ID;
//! - [`deployment_events`]: Convex's deployment-event functions (the History area);
//! - [`schedules`]: the Schedules area's (scheduled jobs and crons, Convex's and Atrium's);
//! - `args`: what they share (argument decoding, transactions, limits), below them all.
//!
//! Arguments and answers of the dashboard functions are `atrium_protocol::dashboard`'s
//! types; a bad argument is refused before any transaction with a message naming it.
//! Dashboard queries run at the caller's snapshot and hand back their read set, so a sync
//! session keeps them live like any other query; editing functions commit one transaction
//! (retried on conflicts).
//!
//! It must not route HTTP or speak the sync protocol; those call [`run`].

mod adhoc;
mod args;
mod atrium;
mod cli;
mod components;
mod deployment_events;
mod file_references;
mod files;
mod frontend;
mod schedules;
mod table_filters;

use atrium_engine::{ReadSet, Timestamp};
use atrium_protocol::dashboard::path;
use atrium_value::Value;

use crate::Deployment;
use crate::auth::Identity;

pub(crate) fn is_system(path: &str) -> bool {
    path.starts_with("_system/")
}

/// `module:function`, with `.js` and `:default` normalised away.
fn canonical(path: &str) -> String {
    let (module, function) = path.split_once(':').unwrap_or((path, "default"));
    format!("{}:{function}", module.trim_end_matches(".js"))
}

/// A system function's answer.
pub(crate) struct SystemAnswer {
    pub value: Value,
    /// For a query that can stay live: what it read, at which snapshot.
    pub read: Option<(ReadSet, Timestamp)>,
    /// For a write: its commit timestamp.
    pub commit_ts: Option<u64>,
}

/// Runs a system function as `identity`; a query reads at `at` (the latest commit when
/// `None`). `component` is the instance the caller named (`componentPath`, the CLI's
/// `--component`; `""`: the app): the CLI's table functions see that instance's tables.
pub(crate) fn run(
    deployment: &Deployment,
    identity: &Identity,
    path: &str,
    args: &Value,
    at: Option<Timestamp>,
    component: &str,
) -> Result<SystemAnswer, String> {
    if *identity != Identity::Admin {
        return Err(format!("System function `{path}` can only be called with the admin key"));
    }
    let path = canonical(path);
    if path.starts_with("_system/atrium/") && !deployment.atrium_extensions() {
        return Err(format!("Could not find function for '{path}'"));
    }
    if path == path::QUERY_FROM_SOURCE {
        let (value, read, snapshot) = adhoc::run(deployment, args, at)?;
        return Ok(SystemAnswer { value, read: Some((read, snapshot)), commit_ts: None });
    }
    if let Some(answer) = components::query(deployment, &path) {
        return Ok(SystemAnswer { value: answer?, read: None, commit_ts: None });
    }
    if !is_dashboard(&path) {
        let value = cli::run(deployment, &path, args, component)?;
        return Ok(SystemAnswer { value, read: None, commit_ts: None });
    }
    if let Some(result) = frontend::mutation(deployment.engine(), &path, args)
        .or_else(|| files::mutation(deployment, deployment.engine(), &path, args))
        .or_else(|| atrium::mutation(deployment.engine(), &path, args))
        .or_else(|| schedules::mutation(deployment, &path, args))
    {
        let (value, ts) = result?;
        return Ok(SystemAnswer { value, read: None, commit_ts: Some(ts) });
    }
    let engine = deployment.engine();
    let mut tx = match at {
        Some(ts) => engine.begin_at(ts).map_err(|e| e.to_string())?,
        None => engine.begin(),
    };
    let answer = frontend::query(deployment, &mut tx, &path, args)
        .or_else(|| files::query(deployment, &mut tx, &path, args))
        .or_else(|| {
            (path == atrium_protocol::storage::path::FILE_REFERENCES).then(|| {
                args::read(&path, args, |a| {
                    file_references::file_references(deployment, &mut tx, a)
                })
            })
        })
        .or_else(|| atrium::query(deployment, &mut tx, &path, args))
        .or_else(|| schedules::query(deployment, &mut tx, &path, args))
        .or_else(|| deployment_events::query(&mut tx, &path, args))
        .ok_or_else(|| format!("Could not find function for '{path}'"))??;
    Ok(SystemAnswer {
        value: answer,
        read: Some((tx.read_set().clone(), tx.snapshot())),
        commit_ts: None,
    })
}

/// Whether `path` (already normalised to `module:function`) is a dashboard function.
fn is_dashboard(path: &str) -> bool {
    path.starts_with("_system/frontend/") || path.starts_with("_system/atrium/")
}
