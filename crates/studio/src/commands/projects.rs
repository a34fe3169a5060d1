//! Commands of the Project area: the local projects, creating one from a template or
//! opening a folder, starting and stopping each on its own engine, connecting to one, and
//! writing the official CLI's variables into its `.env.local`.

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::projects::{ProjectInfo, Template};
use crate::{CommandError, ConnectionStatus, ErrorCode, Studio, StudioEvent};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ProjectCreate {
    pub name: String,
    pub template: Template,
    /// The new project's folder (must not exist or be empty); empty for
    /// `~/AtriumProjects/<name>`.
    #[serde(default)]
    pub dir: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ProjectOpen {
    pub dir: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ProjectRef {
    pub id: String,
}

/// The `.env.local` written for the official CLI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CliEnvWritten {
    pub path: String,
    /// What was set, the key's value left out.
    pub url: String,
}

pub(super) async fn project_list(
    studio: &Arc<Studio>,
    _: (),
) -> Result<Vec<ProjectInfo>, CommandError> {
    Ok(studio.project_list())
}

/// A project's name as one lower-case file name: `Todo app` → `todo-app`.
fn slug(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect()
}

fn default_folder(name: &str) -> PathBuf {
    dirs::home_dir().unwrap_or_else(std::env::temp_dir).join("AtriumProjects").join(slug(name))
}

pub(super) async fn project_create(
    studio: &Arc<Studio>,
    request: ProjectCreate,
) -> Result<Vec<ProjectInfo>, CommandError> {
    let dir = match request.dir.trim() {
        "" => default_folder(&request.name),
        dir => PathBuf::from(dir),
    };
    let projects = studio.clone();
    let (name, template) = (request.name.clone(), request.template);
    tokio::task::spawn_blocking(move || projects.projects.create(&name, &dir, template))
        .await
        .map_err(CommandError::internal)??;
    Ok(studio.project_list())
}

pub(super) async fn project_open(
    studio: &Arc<Studio>,
    request: ProjectOpen,
) -> Result<Vec<ProjectInfo>, CommandError> {
    studio.projects.open(std::path::Path::new(request.dir.trim()))?;
    Ok(studio.project_list())
}

pub(super) async fn project_start(
    studio: &Arc<Studio>,
    request: ProjectRef,
) -> Result<Vec<ProjectInfo>, CommandError> {
    crate::connecting::start_project(studio, &request.id).await?;
    Ok(studio.project_list())
}

pub(super) async fn project_stop(
    studio: &Arc<Studio>,
    request: ProjectRef,
) -> Result<Vec<ProjectInfo>, CommandError> {
    studio.projects.stop(&request.id).await?;
    Ok(studio.project_list())
}

pub(super) async fn project_remove(
    studio: &Arc<Studio>,
    request: ProjectRef,
) -> Result<Vec<ProjectInfo>, CommandError> {
    studio.projects.remove(&request.id).await?;
    Ok(studio.project_list())
}

/// Starts the project if needed and connects the studio to it (through a saved
/// connection named after it, its key in the key store).
pub(super) async fn project_connect(
    studio: &Arc<Studio>,
    request: ProjectRef,
) -> Result<ConnectionStatus, CommandError> {
    crate::connecting::connect_project(studio, &request.id).await
}

/// Writes `CONVEX_SELF_HOSTED_URL` and `CONVEX_SELF_HOSTED_ADMIN_KEY` into the running
/// project's `.env.local` (0600), for `npx convex dev` and the user's app.
pub(super) async fn project_write_env(
    studio: &Arc<Studio>,
    request: ProjectRef,
) -> Result<CliEnvWritten, CommandError> {
    let (project, running) = running(studio, &request.id)?;
    let path = crate::projects::write_cli_env(&project.dir, &running.url, &running.admin_key)?;
    Ok(CliEnvWritten { path: path.display().to_string(), url: running.url.clone() })
}

/// A project and a confirmation, for what cannot be undone.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ProjectConfirm {
    pub id: String,
    #[serde(default)]
    pub confirmed: bool,
}

/// Deletes a project's data and starts it again empty (the sample template seeds again).
pub(super) async fn project_reset(
    studio: &Arc<Studio>,
    request: ProjectConfirm,
) -> Result<Vec<ProjectInfo>, CommandError> {
    let project = studio.projects.get(&request.id)?;
    if !request.confirmed {
        return Err(CommandError::new(
            ErrorCode::NeedsConfirmation,
            format!(
                "Resetting deletes every document of {} (its code stays). Confirm to go on.",
                project.name
            ),
        ));
    }
    let was_connected =
        studio.connected().ok().is_some_and(|c| Some(&c.summary.id) == project.connection.as_ref());
    studio.projects.reset(&request.id).await?;
    if was_connected {
        crate::connecting::connect_project(studio, &request.id).await?;
    } else {
        crate::connecting::start_project(studio, &request.id).await?;
    }
    // History starts again with the reset itself (after the code load the start recorded).
    let (_, running) = running(studio, &request.id)?;
    let engine = running.deployment.engine().clone();
    tokio::task::spawn_blocking(move || {
        atrium_server::deployment_events::record_reset(&engine, "studio")
    })
    .await
    .map_err(|e| CommandError::new(ErrorCode::Internal, e.to_string()))?
    .map_err(|e| CommandError::new(ErrorCode::Internal, format!("Recording the reset: {e}")))?;
    Ok(studio.project_list())
}

/// A snapshot written or read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SnapshotDone {
    pub path: String,
    #[ts(type = "number")]
    pub bytes: u64,
    /// Documents imported (0 for an export).
    #[ts(type = "number")]
    pub documents: u64,
}

/// Writes the running project's data as a snapshot ZIP (Convex's layout, what
/// `npx convex import` reads) to the export folder.
pub(super) async fn project_export(
    studio: &Arc<Studio>,
    request: ProjectRef,
) -> Result<SnapshotDone, CommandError> {
    let (project, running) = running(studio, &request.id)?;
    let (path, file) = crate::files::create_export_file(
        &studio.export_dir(),
        &format!("{}-snapshot.zip", slug(&project.name)),
    )?;
    let deployment = running.deployment.clone();
    let (weak, shown) = (Arc::downgrade(studio), path.display().to_string());
    // Written straight into the file, stored files streamed from disk.
    let exported = tokio::task::spawn_blocking(move || {
        deployment.export_snapshot(std::io::BufWriter::new(file), &|written, total| {
            if let Some(studio) = weak.upgrade() {
                let progress =
                    crate::sql::export::ExportProgress { path: shown.clone(), written, total };
                studio.emit(StudioEvent::ExportProgress { progress });
            }
        })
    })
    .await
    .map_err(CommandError::internal)?;
    let written =
        exported.map_err(|e| format!("The snapshot failed: {e}")).and_then(|(_, mut out)| {
            std::io::Write::flush(&mut out)
                .and_then(|()| out.get_ref().sync_all())
                .and_then(|()| out.get_ref().metadata())
                .map(|m| m.len())
                .map_err(|e| format!("Could not write {}: {e}", path.display()))
        });
    match written {
        Ok(bytes) => Ok(SnapshotDone { path: path.display().to_string(), bytes, documents: 0 }),
        Err(message) => {
            // No half-written snapshot is left behind.
            let _ = std::fs::remove_file(&path);
            Err(CommandError::new(ErrorCode::Io, message))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ProjectImport {
    pub id: String,
    /// A snapshot ZIP (from Atrium or `npx convex export`).
    pub path: String,
    /// `requireEmpty` (the default: refuse if there is data), `append` or `replaceAll`.
    #[serde(default)]
    pub mode: Option<String>,
}

/// Imports a snapshot ZIP into the running project, all or nothing.
pub(super) async fn project_import(
    studio: &Arc<Studio>,
    request: ProjectImport,
) -> Result<SnapshotDone, CommandError> {
    let (_, running) = running(studio, &request.id)?;
    let path = PathBuf::from(request.path.trim());
    // Read entry by entry from the file (stored files streamed), not loaded whole.
    let zip = std::fs::File::open(&path).map_err(|e| {
        CommandError::new(ErrorCode::Io, format!("Could not read {}: {e}", path.display()))
    })?;
    let bytes = zip.metadata().map(|m| m.len()).unwrap_or(0);
    let deployment = running.deployment.clone();
    let mode = request.mode.unwrap_or_else(|| "requireEmpty".into());
    let documents =
        tokio::task::spawn_blocking(move || deployment.import_snapshot_file(zip, &mode))
            .await
            .map_err(CommandError::internal)?
            .map_err(|e| {
                CommandError::new(
                    ErrorCode::BadRequest,
                    format!("The import failed, nothing was written: {e}"),
                )
            })?;
    Ok(SnapshotDone { path: path.display().to_string(), bytes, documents })
}

/// An environment variable of a project (`value` null removes it).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ProjectEnvSet {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct EnvVar {
    pub name: String,
    pub value: String,
}

pub(super) async fn project_env(
    studio: &Arc<Studio>,
    request: ProjectRef,
) -> Result<Vec<EnvVar>, CommandError> {
    let (_, running) = running(studio, &request.id)?;
    Ok(running
        .deployment
        .environment()
        .into_iter()
        .map(|(name, value)| EnvVar { name, value })
        .collect())
}

/// The auth providers of a running project's `auth.config.ts` (evaluated with its
/// variables).
pub(super) async fn project_auth_providers(
    studio: &Arc<Studio>,
    request: ProjectRef,
) -> Result<super::AuthProviderList, CommandError> {
    let (_, running) = running(studio, &request.id)?;
    let providers = running.deployment.verifier().providers();
    Ok(super::AuthProviderList {
        available: true,
        providers: providers.iter().map(atrium_server::jwt::AuthProvider::to_json).collect(),
    })
}

/// Sets or removes one variable; functions see it at once (live queries re-run).
pub(super) async fn project_env_set(
    studio: &Arc<Studio>,
    request: ProjectEnvSet,
) -> Result<Vec<EnvVar>, CommandError> {
    let (_, running) = running(studio, &request.id)?;
    let name = request.name.trim().to_owned();
    running
        .deployment
        .update_environment(&[(name, request.value)])
        .map_err(|e| CommandError::new(ErrorCode::BadRequest, e))?;
    project_env(studio, ProjectRef { id: request.id }).await
}

fn running(
    studio: &Arc<Studio>,
    id: &str,
) -> Result<(crate::projects::SavedProject, Arc<crate::local::LocalProject>), CommandError> {
    let project = studio.projects.get(id)?;
    let running = studio.projects.running(id).ok_or_else(|| {
        CommandError::new(ErrorCode::BadRequest, format!("Start {} first.", project.name))
    })?;
    Ok((project, running))
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ProjectPort {
    pub id: String,
    /// The deployment's port (HTTP actions on the next one); null for free ports.
    #[serde(default)]
    pub port: Option<u16>,
}

/// Chooses the port a project is served on; a running project restarts on it.
pub(super) async fn project_set_port(
    studio: &Arc<Studio>,
    request: ProjectPort,
) -> Result<Vec<ProjectInfo>, CommandError> {
    studio.projects.set_port(&request.id, request.port)?;
    if studio.projects.running(&request.id).is_some() {
        studio.projects.stop(&request.id).await?;
        crate::connecting::start_project(studio, &request.id).await?;
    }
    Ok(studio.project_list())
}
