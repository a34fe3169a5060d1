//! Local projects: Convex project folders the studio runs on its own engine — created from
//! a template (the sample project, or an empty one) or opened from disk — each on its own
//! free 127.0.0.1 ports with its data under the studio's data folder, several at once. The
//! list (`projects.json` in the config folder) survives restarts; running state does not.
//! Admin keys stay in the studio: a project's key reaches the user's app only as the
//! `.env.local` the official CLI reads, written on request.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::local::LocalProject;
use crate::{CommandError, ErrorCode};

mod folders;
mod watch;

use folders::{copy_dir, folder_size, io};
pub(crate) use folders::{diagnose, write_cli_env};
use watch::{ReloadState, watch};

/// A project in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SavedProject {
    pub id: String,
    pub name: String,
    pub dir: PathBuf,
    /// Runs `seed:seed` on start (projects made from the sample template).
    #[serde(default)]
    pub seed: bool,
    /// The saved connection that reaches it, once connected.
    #[serde(default)]
    pub connection: Option<String>,
    /// The port to serve on (and the next one for HTTP actions); free ones when `None`.
    #[serde(default)]
    pub port: Option<u16>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ProjectState {
    Stopped,
    Running,
    /// The last start failed (see `error`).
    Failed,
}

/// A project as the UI lists it (no admin key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ProjectInfo {
    pub id: String,
    pub name: String,
    pub dir: String,
    pub state: ProjectState,
    /// The deployment URL while running (what `CONVEX_SELF_HOSTED_URL` is set to).
    pub url: Option<String>,
    /// The chosen port; null for free ones.
    pub port: Option<u16>,
    pub error: Option<String>,
    /// Bytes of its data folder.
    #[ts(type = "number")]
    pub data_bytes: u64,
    /// Times its code was reloaded after a change on disk since it started.
    pub reloads: u32,
    /// Why the last change on disk could not be loaded (file and line where known); the
    /// previous version keeps serving.
    pub reload_error: Option<String>,
    /// Modules of its folder that fail to load (`Failed to analyze x.js: …`) while the
    /// others serve: their functions alone are unavailable.
    pub module_errors: Vec<String>,
    /// A new index being filled after a reload: "tasks.by_priority: 5,000 of 20,000".
    pub backfill: Option<String>,
    /// The built-in sample project, which Atrium runs itself: listed while it runs, and
    /// neither stopped nor removed from here.
    pub built_in: bool,
    /// The component instances its code installs (while it runs), each with the npm
    /// package and version it came from (`node_modules`), or none for a local one.
    pub components: Vec<crate::component_info::ComponentSummary>,
}

/// Which template a new project starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Template {
    /// The sample project: tasks, projects and notes, with sample data.
    Sample,
    /// One table and one query, no data.
    Empty,
}

const EMPTY_SCHEMA: &str = "import { defineSchema, defineTable } from \"convex/server\";\n\
import { v } from \"convex/values\";\n\n\
export default defineSchema({\n  items: defineTable({ text: v.string() }),\n});\n";
const EMPTY_FUNCTIONS: &str = "import { v } from \"convex/values\";\n\
import { mutation, query } from \"./_generated/server\";\n\n\
export const list = query({\n  args: {},\n  handler: async (ctx) => await ctx.db.query(\"items\").collect(),\n});\n\n\
export const add = mutation({\n  args: { text: v.string() },\n  handler: async (ctx, { text }) => await ctx.db.insert(\"items\", { text }),\n});\n";

/// The project list, its file, and the running engines.
#[derive(Debug)]
pub(crate) struct Projects {
    file: PathBuf,
    data_dir: PathBuf,
    saved: Mutex<Vec<SavedProject>>,
    running: Mutex<HashMap<String, RunningProject>>,
    errors: Mutex<HashMap<String, String>>,
}

/// A started project: its engine, and what watches its `convex/` folder.
#[derive(Debug)]
struct RunningProject {
    local: Arc<LocalProject>,
    reload: Arc<Mutex<ReloadState>>,
    _watcher: Option<notify::RecommendedWatcher>,
    _task: tokio_util::task::AbortOnDropHandle<()>,
}

impl Projects {
    pub(crate) fn load(config_dir: &Path, data_dir: &Path) -> (Self, Option<String>) {
        let file = config_dir.join("projects.json");
        let (saved, problem) = crate::files::read_json(&file, "project list");
        let projects = Self {
            file,
            data_dir: data_dir.join("local-projects"),
            saved: Mutex::new(saved),
            running: Mutex::default(),
            errors: Mutex::default(),
        };
        (projects, problem)
    }

    fn save(&self, saved: &[SavedProject]) -> Result<(), CommandError> {
        crate::files::write_json(&self.file, &saved, "project list")
    }

    fn data_of(&self, id: &str) -> PathBuf {
        self.data_dir.join(id)
    }

    /// The list, the built-in sample project first while it runs (`sample`).
    pub(crate) fn list_with(
        &self,
        sample: Option<&crate::local::LocalProject>,
    ) -> Vec<ProjectInfo> {
        let sample = sample.map(|s| ProjectInfo {
            id: crate::local::SAMPLE_ID.to_owned(),
            name: s.name.clone(),
            dir: s.dir.canonicalize().unwrap_or_else(|_| s.dir.clone()).display().to_string(),
            state: ProjectState::Running,
            url: Some(s.url.clone()),
            port: None,
            error: None,
            data_bytes: folder_size(&s.data),
            reloads: 0,
            reload_error: None,
            module_errors: s.deployment.module_failures().iter().map(|f| f.to_string()).collect(),
            backfill: None,
            built_in: true,
            components: Vec::new(),
        });
        sample.into_iter().chain(self.list()).collect()
    }

    fn list(&self) -> Vec<ProjectInfo> {
        let saved = self.saved.lock().unwrap().clone();
        let running = self.running.lock().unwrap();
        let errors = self.errors.lock().unwrap();
        saved
            .into_iter()
            .map(|p| {
                let live = running.get(&p.id);
                let error = errors.get(&p.id).cloned();
                let (reloads, reload_error, backfill) = live.map_or((0, None, None), |l| {
                    let state = l.reload.lock().unwrap();
                    // A folder that has not loaded yet (a variable to set first) says why.
                    let error = state.error.clone().or_else(|| l.local.deployment.load_error());
                    (state.reloads, error, state.backfill.clone())
                });
                let components = live.map_or_else(Vec::new, |l| installed(&l.local.deployment));
                let module_errors = live.map_or_else(Vec::new, |l| {
                    l.local.deployment.module_failures().iter().map(|f| f.to_string()).collect()
                });
                ProjectInfo {
                    components,
                    module_errors,
                    state: match (live, &error) {
                        (Some(_), _) => ProjectState::Running,
                        (None, Some(_)) => ProjectState::Failed,
                        (None, None) => ProjectState::Stopped,
                    },
                    url: live.map(|l| l.local.url.clone()),
                    reloads,
                    reload_error,
                    backfill,
                    error,
                    data_bytes: folder_size(&self.data_of(&p.id)),
                    port: p.port,
                    dir: p.dir.display().to_string(),
                    id: p.id,
                    name: p.name,
                    built_in: false,
                }
            })
            .collect()
    }

    pub(crate) fn get(&self, id: &str) -> Result<SavedProject, CommandError> {
        self.saved.lock().unwrap().iter().find(|p| p.id == id).cloned().ok_or_else(|| {
            CommandError::new(ErrorCode::NotFound, format!("There is no project {id}."))
        })
    }

    /// The project reached through saved connection `connection`, if one is.
    pub(crate) fn with_connection(&self, connection: &str) -> Option<String> {
        let saved = self.saved.lock().unwrap();
        saved.iter().find(|p| p.connection.as_deref() == Some(connection)).map(|p| p.id.clone())
    }

    pub(crate) fn running(&self, id: &str) -> Option<Arc<LocalProject>> {
        self.running.lock().unwrap().get(id).map(|r| r.local.clone())
    }

    fn add(&self, name: &str, dir: &Path, seed: bool) -> Result<SavedProject, CommandError> {
        let mut saved = self.saved.lock().unwrap();
        if let Some(existing) = saved.iter().find(|p| p.dir == dir) {
            return Err(CommandError::new(
                ErrorCode::BadRequest,
                format!("{} is already in the list as {}.", dir.display(), existing.name),
            ));
        }
        let project = SavedProject {
            id: crate::connections::new_id(),
            name: name.to_owned(),
            dir: dir.to_path_buf(),
            seed,
            connection: None,
            port: None,
        };
        let mut next = saved.clone();
        next.push(project.clone());
        self.save(&next)?;
        *saved = next;
        Ok(project)
    }

    /// Copies `template` into `dir` (which must not exist or be empty) and adds it.
    pub(crate) fn create(
        &self,
        name: &str,
        dir: &Path,
        template: Template,
    ) -> Result<SavedProject, CommandError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(CommandError::new(ErrorCode::BadRequest, "A project needs a name."));
        }
        if dir.read_dir().is_ok_and(|mut entries| entries.next().is_some()) {
            return Err(CommandError::new(
                ErrorCode::BadRequest,
                format!("{} is not empty: choose a new folder for the project.", dir.display()),
            ));
        }
        let source = crate::local::template_source().ok_or_else(|| {
            CommandError::new(
                ErrorCode::NotFound,
                "The project templates are not installed with this build of Atrium.",
            )
        })?;
        match template {
            Template::Sample => copy_dir(&source, dir, &["node_modules"])?,
            Template::Empty => {
                let convex = dir.join("convex");
                copy_dir(&source.join("convex/_generated"), &convex.join("_generated"), &[])?;
                for (file, text) in [
                    (convex.join("schema.ts"), EMPTY_SCHEMA),
                    (convex.join("items.ts"), EMPTY_FUNCTIONS),
                    (
                        dir.join("package.json"),
                        "{\n  \"private\": true,\n  \"type\": \"module\",\n  \"dependencies\": { \"convex\": \"1.48.0\" }\n}\n",
                    ),
                ] {
                    std::fs::write(&file, text).map_err(|e| io("write", &file, e))?;
                }
            }
        }
        // The installed packages (`convex` and what its CLI needs), so the project runs —
        // and `npx convex dev` works — offline.
        copy_dir(&source.join("node_modules"), &dir.join("node_modules"), &[])?;
        self.add(name, dir, template == Template::Sample)
    }

    /// Adds an existing project folder, after checking it can run.
    pub(crate) fn open(&self, dir: &Path) -> Result<SavedProject, CommandError> {
        let dir = dir.canonicalize().map_err(|e| io("open", dir, e))?;
        if let Some(problem) = diagnose(&dir) {
            return Err(CommandError::new(ErrorCode::BadRequest, problem));
        }
        let name =
            dir.file_name().map_or_else(|| "project".into(), |n| n.to_string_lossy().into_owned());
        self.add(&name, &dir, false)
    }

    /// Starts the project's engine (a no-op when it runs) and watches its `convex/` folder:
    /// each change is loaded (`on_reload` is told), or its error kept while the previous
    /// version serves.
    pub(crate) async fn start(
        &self,
        id: &str,
        on_reload: impl Fn() + Send + Sync + 'static,
    ) -> Result<Arc<LocalProject>, CommandError> {
        if let Some(running) = self.running(id) {
            return Ok(running);
        }
        let project = self.get(id)?;
        let started = match diagnose(&project.dir) {
            Some(problem) => Err(problem),
            None => {
                crate::local::start(
                    &project.dir,
                    &self.data_of(id),
                    &format!("project-{id}"),
                    &project.name,
                    project.port,
                )
                .await
            }
        };
        match started {
            Ok(running) => {
                if project.seed {
                    running.seed().await;
                }
                let running = Arc::new(running);
                let reload = Arc::new(Mutex::new(ReloadState::default()));
                let (watcher, task) =
                    watch(&project.dir, running.clone(), reload.clone(), Arc::new(on_reload));
                if watcher.is_none() {
                    reload.lock().unwrap().error = Some(format!(
                        "{}/convex cannot be watched, so changes load only on the next start.",
                        project.dir.display()
                    ));
                }
                self.errors.lock().unwrap().remove(id);
                self.running.lock().unwrap().insert(
                    id.to_owned(),
                    RunningProject {
                        local: running.clone(),
                        reload,
                        _watcher: watcher,
                        _task: task,
                    },
                );
                Ok(running)
            }
            Err(problem) => {
                self.errors.lock().unwrap().insert(id.to_owned(), problem.clone());
                Err(CommandError::new(ErrorCode::BadRequest, problem))
            }
        }
    }

    pub(crate) async fn stop(&self, id: &str) -> Result<(), CommandError> {
        self.get(id)?;
        let running = self.running.lock().unwrap().remove(id);
        if let Some(running) = running {
            running.local.stop().await;
            let deployment = running.local.deployment.clone();
            drop(running);
            // Requests, sync sessions and the scheduler may hold the deployment a moment
            // longer; its SQLite files must be closed before a reset deletes them (SQLite
            // removes its WAL by name on close, which would be the next engine's).
            for _ in 0..250 {
                if Arc::strong_count(&deployment) == 1 {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            if Arc::strong_count(&deployment) > 1 {
                tracing::warn!("project {id}: its engine is still in use 5 s after stopping");
            }
        }
        Ok(())
    }

    pub(crate) async fn stop_all(&self) {
        let all: Vec<_> = self.running.lock().unwrap().drain().map(|(_, p)| p).collect();
        for project in all {
            project.local.stop().await;
        }
    }

    /// Removes a (stopped) project from the list; its folder and data stay on disk.
    pub(crate) async fn remove(&self, id: &str) -> Result<(), CommandError> {
        self.stop(id).await?;
        let mut saved = self.saved.lock().unwrap();
        let next: Vec<_> = saved.iter().filter(|p| p.id != id).cloned().collect();
        self.save(&next)?;
        *saved = next;
        Ok(())
    }

    /// Deletes the project's data (documents, logs, pushed code) after stopping it; it is
    /// started again on the next start.
    pub(crate) async fn reset(&self, id: &str) -> Result<(), CommandError> {
        self.stop(id).await?;
        let data = self.data_of(id);
        match std::fs::remove_dir_all(&data) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io("delete", &data, e)),
        }
    }

    /// Sets the port a project is served on from its next start (`None`: free ports).
    pub(crate) fn set_port(&self, id: &str, port: Option<u16>) -> Result<(), CommandError> {
        if port == Some(0) {
            return Err(CommandError::new(
                ErrorCode::BadRequest,
                "Port 0 is not a port; leave it empty for a free one.",
            ));
        }
        let mut saved = self.saved.lock().unwrap();
        let mut next = saved.clone();
        let project = next.iter_mut().find(|p| p.id == id).ok_or_else(|| {
            CommandError::new(ErrorCode::NotFound, format!("There is no project {id}."))
        })?;
        project.port = port;
        self.save(&next)?;
        *saved = next;
        Ok(())
    }

    pub(crate) fn set_connection(&self, id: &str, connection: &str) -> Result<(), CommandError> {
        let mut saved = self.saved.lock().unwrap();
        let mut next = saved.clone();
        if let Some(p) = next.iter_mut().find(|p| p.id == id) {
            p.connection = Some(connection.to_owned());
        }
        self.save(&next)?;
        *saved = next;
        Ok(())
    }
}

/// The component instances a running project's code installs (the app's root not among
/// them), by path.
fn installed(
    deployment: &atrium_server::Deployment,
) -> Vec<crate::component_info::ComponentSummary> {
    let Some(runner) = deployment.runner() else { return Vec::new() };
    runner
        .components()
        .instances()
        .filter(|i| !i.path.is_empty())
        .map(|i| {
            crate::component_info::ComponentSummary::new(
                i.path.clone(),
                i.definition_name.clone(),
                Some(i.definition.clone()),
            )
        })
        .collect()
}
