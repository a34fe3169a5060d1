//! A deployment whose code comes from a project folder (`atrium-engine serve <dir>`, a
//! studio local project): the folder loaded at open and again on request, and when it
//! cannot load while no code serves (a module or `auth.config.ts` needs a variable that is
//! not set yet, a syntax error), the reason kept. The deployment then serves without code —
//! admin, environment and dashboard routes answer, function calls answer the reason — and
//! the folder is tried again after each change of variables or URLs, so the user can set
//! the missing variable first. It must not decide how a route words its answer beyond the
//! reason, and never replaces code that serves with nothing.

use std::path::Path;

use atrium_runtime::Project;

use super::{BackfillProgress, Deployment, DeploymentError};

impl Deployment {
    /// Loads the project folder at open. A failure to load is kept (and logged) instead of
    /// refused: the deployment opens without code. Errors of the data folder still refuse.
    pub(super) fn open_folder(&self, dir: &Path) -> Result<(), DeploymentError> {
        match self.reload_project(dir, &|_, _, _, _| {}) {
            Ok(()) => Ok(()),
            Err(error) => {
                tracing::warn!("{error}");
                Ok(())
            }
        }
    }

    /// Loads the project folder `dir` again (its `convex/` as it is now) with
    /// [`Deployment::load_with_progress`]: how a studio hot-reloads a local project. On an
    /// error, said as a sentence, the code loaded before keeps serving; with no code loaded,
    /// the error is what function calls answer until a load succeeds.
    pub fn reload_project(&self, dir: &Path, progress: BackfillProgress<'_>) -> Result<(), String> {
        *self.folder.write().unwrap() = Some(dir.to_path_buf());
        let loaded = Project::open(dir)
            .map_err(|e| DeploymentError::Project(Box::new(e)))
            .and_then(|project| self.load_with_progress(project, progress))
            .map_err(|e| e.to_string());
        let mut kept = self.load_error.write().unwrap();
        match &loaded {
            Ok(()) => *kept = None,
            Err(error) if self.runner.read().unwrap().is_none() => *kept = Some(error.clone()),
            Err(_) => {}
        }
        loaded
    }

    /// Why no code serves, when the project folder failed to load: "The project cannot be
    /// loaded: …", for function calls to answer. `None` once code is loaded.
    pub fn load_error(&self) -> Option<String> {
        if self.runner.read().unwrap().is_some() {
            return None;
        }
        let error = self.load_error.read().unwrap().clone()?;
        Some(format!(
            "{error} (this deployment serves no functions until its code loads; it is loaded \
             again when an environment variable or a file of the project changes)"
        ))
    }

    /// What a function call answers when no code is loaded: the load failure, or that no
    /// code was ever given.
    pub fn no_code_reason(&self, otherwise: &str) -> String {
        self.load_error().unwrap_or_else(|| otherwise.to_owned())
    }

    /// Tries the project folder again after the environment or the URLs changed, when it
    /// failed to load and no code serves.
    pub(super) fn retry_folder(&self) {
        if self.load_error().is_none() {
            return;
        }
        let Some(dir) = self.folder.read().unwrap().clone() else { return };
        match self.reload_project(&dir, &|_, _, _, _| {}) {
            Ok(()) => tracing::info!("{} loads now", dir.display()),
            Err(error) => tracing::warn!("{error}"),
        }
    }
}
