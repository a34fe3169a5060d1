//! The push body of a local project, exactly as the official CLI would send it: the
//! project's own `convex` package bundles its `convex/` folder (`npx convex deploy
//! --write-push-request`, with every module pushed and neither codegen nor typecheck run),
//! and the `start_push` request it writes is read back.
//!
//! Why the CLI and not our engine: the local engine runs a folder with TypeScript stripped
//! and imports resolved from `node_modules` at load time, but a push carries esbuild
//! bundles (`_deps/` chunks, `"use node"` externals, component definitions, auth config,
//! the project's `node.externalPackages`), and a remote Convex deployment accepts nothing
//! else. Only the CLI's bundler produces that body faithfully; the CLI is the project's
//! own (the version its code was written for), and with `--write-push-request` it writes
//! the body without contacting any deployment. The push itself goes through
//! `atrium_client` (`push.rs`), so each step's progress and refusal reach the UI.
//!
//! It must not push or talk to a deployment.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{CommandError, ErrorCode};

/// The CLI's entry point in the project's `node_modules`.
fn cli_of(project: &Path) -> Result<PathBuf, CommandError> {
    let cli = project.join("node_modules/convex/bin/main.js");
    if cli.is_file() {
        return Ok(cli);
    }
    Err(CommandError::new(
        ErrorCode::BadRequest,
        format!(
            "{} has no node_modules/convex: run `npm install` in the project folder first.",
            project.display()
        ),
    ))
}

/// The `node` to run: `ATRIUM_NODE`, else `node` on `PATH` (as the engine's Node runner).
fn node() -> String {
    std::env::var("ATRIUM_NODE").unwrap_or_else(|_| "node".into())
}

/// What the CLI is given as the deployment's admin key: it insists on one but, asked only
/// to write the request, contacts no deployment, so no real key goes on a command line
/// (where other users of the machine could read it). Were it ever sent, the local engine
/// would refuse it.
const NO_KEY: &str = "atrium-bundle-only";

/// Bundles `project` with its own CLI into `work` (a folder the caller removes) and returns
/// the `start_push` request (its `adminKey` a placeholder the push replaces). `url` is the
/// local engine's.
pub(crate) fn push_request(
    project: &Path,
    work: &Path,
    url: &str,
) -> Result<serde_json::Value, CommandError> {
    let cli = cli_of(project)?;
    let out = work.join("push-request");
    let output = Command::new(node())
        .arg(&cli)
        .args(["deploy", "--url", url, "--admin-key", NO_KEY])
        .args(["--codegen", "disable", "--typecheck", "disable", "--push-all-modules", "-y"])
        .args(["--check-build-environment", "disable"])
        .arg("--write-push-request")
        .arg(&out)
        .current_dir(project)
        // The deployment is the one named here, never one from the environment.
        .env_remove("CONVEX_DEPLOY_KEY")
        .env_remove("CONVEX_DEPLOYMENT")
        .env_remove("CONVEX_SELF_HOSTED_URL")
        .env_remove("CONVEX_SELF_HOSTED_ADMIN_KEY")
        .env("NO_COLOR", "1")
        .output()
        .map_err(|e| {
            CommandError::new(
                ErrorCode::BadRequest,
                format!(
                    "Could not run the project's Convex CLI with `{}`: {e}. Install Node.js 20 or later, or set ATRIUM_NODE.",
                    node()
                ),
            )
        })?;
    let written = out.with_extension("json");
    if !output.status.success() || !written.is_file() {
        return Err(CommandError::new(
            ErrorCode::BadRequest,
            format!("The Convex CLI could not bundle the project: {}", last_lines(&output)),
        ));
    }
    let text = std::fs::read_to_string(&written).map_err(|e| {
        CommandError::new(ErrorCode::Io, format!("Could not read {}: {e}", written.display()))
    })?;
    serde_json::from_str(&text).map_err(|e| {
        CommandError::new(
            ErrorCode::Internal,
            format!("The CLI wrote a push request that is not JSON: {e}"),
        )
    })
}

/// What the CLI said last (its error), ANSI colours and spinner lines dropped.
fn last_lines(output: &std::process::Output) -> String {
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<String> = text
        .lines()
        .map(strip_ansi)
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    let tail = lines.len().saturating_sub(6);
    if lines.is_empty() {
        format!("it exited with {}", output.status)
    } else {
        lines[tail..].join(" ")
    }
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // ESC [ … letter
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The modules a push request carries, with the hash `get_config_hashes` would report.
pub(crate) fn module_hashes(request: &serde_json::Value) -> Vec<(String, String)> {
    let modules = request.pointer("/appDefinition/changedModules").and_then(|m| m.as_array());
    modules
        .into_iter()
        .flatten()
        .filter_map(|m| {
            serde_json::from_value::<atrium_protocol::push::PushedModule>(m.clone()).ok()
        })
        .map(|m| {
            let hash = m.hash();
            (m.path, hash)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_dropped_from_the_clis_words() {
        assert_eq!(strip_ansi("\u{1b}[31m✖ Error\u{1b}[39m: boom"), "✖ Error: boom");
    }

    #[test]
    fn a_folder_without_the_cli_is_named() {
        let error = cli_of(Path::new("/no/such/project")).unwrap_err();
        assert!(error.message.contains("npm install"), "{}", error.message);
    }

    #[test]
    fn module_hashes_match_what_the_deployment_reports() {
        let module = atrium_protocol::push::PushedModule {
            path: "a.js".into(),
            source: "export {}".into(),
            source_map: Some("{}".into()),
            environment: "isolate".into(),
        };
        let request = serde_json::json!({"appDefinition": {"changedModules": [module]}});
        assert_eq!(module_hashes(&request), vec![("a.js".to_owned(), module.hash())]);
    }
}
