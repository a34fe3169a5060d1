//! Promoting a local project to another deployment (Convex cloud, self-hosted Convex or
//! another local engine, any saved connection but the project's own): a preview of what
//! the push changes there (`diff.rs`), then the push through the CLI's `deploy2` routes
//! with the body the project's own CLI bundles (`bundle.rs`), and, when asked, the
//! project's data copied as Convex's snapshot ZIP with its files (exported from the local
//! engine and imported on the target through the CLI's snapshot routes). Each step is
//! announced as `promote_progress`; the first error stops the promotion and names its
//! step and the target's words. A push the target refuses (a module that fails to load, a
//! document that does not match the schema) changes nothing there: `finish_push` is only
//! sent once `start_push` and `wait_for_schema` succeeded.
//!
//! It must not write where the target connection's safe mode does not allow, nor read an
//! environment variable's value.

mod bundle;
pub mod diff;
pub mod progress;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};

use atrium_client::{ClientError, DeploymentClient};
use atrium_protocol::push::SchemaStatus;
use atrium_protocol::snapshot::ImportArgs;
use atrium_value::Value;

use crate::connections::SafeMode;
use crate::local::LocalProject;
use crate::{CommandError, ErrorCode, Studio, StudioEvent};
use diff::PushDiff;
use progress::PromoteProgress;

/// The two ends of a promotion.
pub(crate) struct Ends {
    pub local: Arc<LocalProject>,
    pub source: DeploymentClient,
    pub target: DeploymentClient,
    pub target_name: String,
    pub target_url: String,
    pub safe_mode: SafeMode,
}

/// The running project `project` and the saved connection `target`, refused when the
/// target is the project itself.
pub(crate) fn ends(studio: &Studio, project: &str, target: &str) -> Result<Ends, CommandError> {
    let saved = studio.projects.get(project)?;
    let local = studio.projects.running(project).ok_or_else(|| {
        CommandError::new(ErrorCode::BadRequest, format!("Start {} first.", saved.name))
    })?;
    let (summary, key) = crate::connecting::resolve(studio, target)?;
    if saved.connection.as_deref() == Some(target)
        || summary.url.trim_end_matches('/') == local.url.trim_end_matches('/')
    {
        return Err(CommandError::new(
            ErrorCode::BadRequest,
            format!("{} is this project's own deployment: choose another one.", summary.name),
        ));
    }
    let key = key.ok_or_else(|| {
        CommandError::new(
            ErrorCode::BadAdminKey,
            format!(
                "{} has no admin key saved: add one in Connections to push to it.",
                summary.name
            ),
        )
    })?;
    Ok(Ends {
        source: DeploymentClient::new(&local.url)?.with_admin_key(local.admin_key.clone()),
        target: DeploymentClient::new(&summary.url)?.with_admin_key(key),
        local,
        target_name: summary.name,
        target_url: summary.url,
        safe_mode: summary.safe_mode,
    })
}

/// A folder for one promotion's files under the studio's data folder, removed on drop.
struct WorkDir(PathBuf);

impl WorkDir {
    fn new(data_dir: &Path) -> Result<Self, CommandError> {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).expect("the OS random source");
        let dir = data_dir.join("promote").join(hex::encode(bytes));
        std::fs::create_dir_all(&dir).map_err(|e| {
            CommandError::new(ErrorCode::Io, format!("Could not create {}: {e}", dir.display()))
        })?;
        Ok(Self(dir))
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The project's push request, bundled by its own CLI off the async threads.
async fn bundled(studio: &Studio, local: &LocalProject) -> Result<serde_json::Value, CommandError> {
    let work = WorkDir::new(studio.data_dir())?;
    let (dir, url, out) = (local.dir.clone(), local.url.clone(), work.0.clone());
    tokio::task::spawn_blocking(move || bundle::push_request(&dir, &out, &url))
        .await
        .map_err(CommandError::internal)?
}

async fn api_spec(client: &DeploymentClient) -> Result<Vec<diff::Signature>, ClientError> {
    let spec =
        client.query("_system/cli/modules:apiSpec", &Value::Object(Default::default())).await?;
    Ok(diff::signatures(&atrium_value::json::to_json(&spec)))
}

async fn env_names(client: &DeploymentClient) -> Result<Vec<String>, ClientError> {
    Ok(client.environment_variables().await?.into_iter().map(|(name, _)| name).collect())
}

/// What pushing the project would change on the target.
pub(crate) async fn preview(studio: &Studio, ends: &Ends) -> Result<PushDiff, CommandError> {
    let request = bundled(studio, &ends.local).await?;
    let local_hashes: BTreeMap<String, String> =
        bundle::module_hashes(&request).into_iter().collect();
    let target = ends.target_name.as_str();
    let at = |what: &'static str, whose: &str| {
        let whose = whose.to_owned();
        move |e: ClientError| {
            let error = CommandError::from(e);
            CommandError::new(
                error.code,
                format!("Could not read {what} of {whose}: {}", error.message),
            )
        }
    };
    let target_hashes: BTreeMap<String, String> = ends
        .target
        .config_hashes()
        .await
        .map_err(at("the code", target))?
        .module_hashes
        .into_iter()
        .map(|m| (m.path, m.hash))
        .collect();
    let local_functions =
        api_spec(&ends.source).await.map_err(at("the functions", "the project"))?;
    let target_functions = api_spec(&ends.target).await.map_err(at("the functions", target))?;
    let functions =
        diff::functions(&local_functions, &target_functions, &local_hashes, &target_hashes);
    let local_schema = ends.source.schemas().await.map_err(at("the schema", "the project"))?.active;
    let target_schema = ends.target.schemas().await.map_err(at("the schema", target))?.active;
    let local_env =
        env_names(&ends.source).await.map_err(at("the environment variables", "the project"))?;
    let target_env =
        env_names(&ends.target).await.map_err(at("the environment variables", target))?;
    Ok(diff::push_diff(
        functions,
        local_schema.as_deref(),
        target_schema.as_deref(),
        &local_env,
        &target_env,
    ))
}

/// The error that stops a promotion at `step`, in the target's own words.
fn stopped(step: &str, error: ClientError) -> CommandError {
    let (code, message) = match error {
        ClientError::Http { code, message, .. } => {
            (ErrorCode::BadRequest, format!("{message} ({code})"))
        }
        other => {
            let error = CommandError::from(other);
            (error.code, error.message)
        }
    };
    CommandError::new(code, format!("Promote stopped at {step}: {message}"))
}

fn announce(studio: &Weak<Studio>, step: &str, message: String, done: u64, total: Option<u64>) {
    if let Some(studio) = studio.upgrade() {
        let progress = PromoteProgress { step: step.into(), message, done, total };
        studio.emit(StudioEvent::PromoteProgress { progress });
    }
}

/// What a promotion did.
pub(crate) struct Promoted {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub documents: Option<u64>,
}

/// Pushes the project's code to the target and, with `copy_data`, its data (`mode`: the
/// import mode, `requireEmpty` unless told).
pub(crate) async fn promote(
    studio: &Arc<Studio>,
    ends: &Ends,
    copy_data: bool,
    mode: Option<String>,
) -> Result<Promoted, CommandError> {
    let weak = Arc::downgrade(studio);
    let name = &ends.target_name;
    announce(&weak, "bundle", "Bundling the project with its Convex CLI".into(), 0, None);
    let request = bundled(studio, &ends.local).await?;
    announce(&weak, "push", format!("Uploading the functions to {name}"), 0, None);
    let start = ends.target.start_push(request).await.map_err(|e| stopped("start_push", e))?;
    announce(&weak, "schema", "Checking documents against the schema".into(), 0, None);
    loop {
        match ends
            .target
            .wait_for_schema(&start)
            .await
            .map_err(|e| stopped("wait_for_schema", e))?
        {
            SchemaStatus::Complete => break,
            SchemaStatus::InProgress { components } => {
                let (done, total) = components
                    .values()
                    .fold((0, 0), |(d, t), c| (d + c.indexes_complete, t + c.indexes_total));
                let message = format!(
                    "Backfilling indexes ({done}/{total} ready) and checking documents against the schema"
                );
                announce(&weak, "schema", message, done, Some(total));
            }
            SchemaStatus::Failed { error, component_path, .. } => {
                let place = component_path
                    .filter(|p| !p.is_empty())
                    .map(|p| format!(" in component \"{p}\""))
                    .unwrap_or_default();
                return Err(CommandError::new(
                    ErrorCode::BadRequest,
                    format!(
                        "Promote stopped at wait_for_schema: schema validation failed{place}; {name} is unchanged. {error}"
                    ),
                ));
            }
            SchemaStatus::RaceDetected => {
                return Err(CommandError::new(
                    ErrorCode::BadRequest,
                    "Promote stopped at wait_for_schema: the schema was overwritten by another push.",
                ));
            }
        }
    }
    announce(&weak, "finish", format!("Making the new code {name}'s"), 0, None);
    let answer = ends.target.finish_push(start).await.map_err(|e| stopped("finish_push", e))?;
    let modules = |key: &str| -> Vec<String> {
        answer
            .pointer(&format!("/componentDiffs//moduleDiff/{key}"))
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default()
    };
    let (added, removed) = (modules("added"), modules("removed"));
    let documents = if copy_data { Some(copy(studio, ends, mode).await?) } else { None };
    announce(&weak, "done", format!("Promoted to {name}"), 0, None);
    Ok(Promoted { added, removed, documents })
}

/// Exports the project's data with its files and imports it on the target: documents
/// written.
async fn copy(
    studio: &Arc<Studio>,
    ends: &Ends,
    mode: Option<String>,
) -> Result<u64, CommandError> {
    let weak = Arc::downgrade(studio);
    announce(&weak, "export", "The project's engine is writing a snapshot".into(), 0, None);
    let record = ends.source.export_snapshot(true).await.map_err(|e| stopped("the export", e))?;
    let start_ts = record.start_ts().ok_or_else(|| {
        CommandError::new(ErrorCode::Internal, "The project's export record has no timestamp")
    })?;
    let work = WorkDir::new(studio.data_dir())?;
    let path = work.0.join("snapshot.zip");
    let io = |e: std::io::Error| {
        CommandError::new(ErrorCode::Io, format!("Could not write the snapshot: {e}"))
    };
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).map_err(io)?);
    let mut report =
        |done, total| announce(&weak, "download", "Downloading the snapshot".into(), done, total);
    let bytes = ends
        .source
        .download_export(start_ts, &mut out, &mut report)
        .await
        .map_err(|e| stopped("the download", e))?;
    std::io::Write::flush(&mut out).map_err(io)?;
    drop(out);
    let mut file = std::fs::File::open(&path).map_err(io)?;
    let args = ImportArgs {
        format: "zip".into(),
        mode: mode.unwrap_or_else(|| "requireEmpty".into()),
        table_name: None,
        component_path: None,
    };
    let mut report = |done, total| {
        announce(
            &weak,
            "upload",
            format!("Uploading the snapshot to {}", ends.target_name),
            done,
            total,
        )
    };
    let id = ends
        .target
        .upload_import(&mut file, bytes, args, &mut report)
        .await
        .map_err(|e| stopped("the upload", e))?;
    let mut on_state = |state: &atrium_protocol::snapshot::ImportState| {
        let message =
            state.progress_message.clone().unwrap_or_else(|| state.state.replace('_', " "));
        announce(&weak, "import", message, 0, None);
    };
    let mut state = ends
        .target
        .settled_import(&id, false, &mut on_state)
        .await
        .map_err(|e| stopped("the import", e))?;
    // The user chose to copy the data in the promote dialog: that is the confirmation the
    // target asks for.
    if state.state == "waiting_for_confirmation" {
        ends.target.perform_import(&id).await.map_err(|e| stopped("the import", e))?;
        state = ends
            .target
            .settled_import(&id, true, &mut on_state)
            .await
            .map_err(|e| stopped("the import", e))?;
    }
    if state.state == "failed" {
        let reason = state.error_message.unwrap_or_else(|| "the deployment gave no reason".into());
        return Err(CommandError::new(
            ErrorCode::BadRequest,
            format!("Promote stopped at the import: {reason} (the code was pushed)"),
        ));
    }
    Ok(state.rows_written().unwrap_or(0))
}

/// Checks the target's safe mode allows the push.
pub(crate) fn allowed(ends: &Ends, confirmed: bool) -> Result<(), CommandError> {
    let name = &ends.target_name;
    match ends.safe_mode {
        SafeMode::Normal => Ok(()),
        SafeMode::ConfirmWrites if confirmed => Ok(()),
        SafeMode::ReadOnly => Err(CommandError::new(
            ErrorCode::ReadOnly,
            format!(
                "{name} is read-only in Atrium (its safe mode); change that in Connections to promote to it."
            ),
        )),
        SafeMode::ConfirmWrites => Err(CommandError::new(
            ErrorCode::NeedsConfirmation,
            format!("{name} asks for confirmation before pushing code."),
        )),
    }
}
