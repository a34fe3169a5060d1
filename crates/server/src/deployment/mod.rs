//! A deployment: one project running on the local engine — its data, its functions, its
//! schema, its admin key and its scheduler.
//!
//! Opening a deployment opens (or creates) `<data dir>/deployment.sqlite3`, loads the
//! project's `convex/` folder when there is one, analyses it, applies its schema (tables and
//! indexes are created, existing documents checked), and keeps the admin key in
//! `<data dir>/admin_key` (mode 0600) unless one is given.
//!
//! Code is analysed and `auth.config.ts` evaluated with the deployment's environment plus
//! `CONVEX_CLOUD_URL` and `CONVEX_SITE_URL` (the engine's own URLs), as Convex does; a change
//! of variables analyses the code again (modules, schema, crons, auth config) and is
//! refused if it would break it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use atrium_engine::{CommitOutcome, Engine, EngineOptions, Schema};
use atrium_protocol::push::PushedComponents;
use atrium_runtime::analysis::Analysis;
use atrium_runtime::scheduler::{Scheduler, SystemClock, crons};
use atrium_runtime::{Project, Runner};

use crate::deployment_events::{self, CodeSummary};
use crate::jwt::{AuthProvider, Verifier};
use crate::push::PushedModule;
use crate::snapshot::Requestor;
use environment::{DEFAULT_URLS, auth_providers, changed, inner_message, with_urls};

mod code;
mod environment;
mod error;
mod folder;
mod inboxes;
mod pushed_files;
mod query_cache;
mod query_slot;
mod replay;
mod setup;

pub use code::Code;

pub use error::DeploymentError;

pub(crate) use inboxes::{Inbox, Inboxes};
use query_cache::QueryCache;
pub(crate) use query_cache::QueryKeys;
pub(crate) use query_slot::{SharedOutcome, SharedRun, Slot, SlotFiller};
pub(crate) use replay::{MutationClaim, MutationResults};
pub use setup::BackfillProgress;
use setup::{apply_schema, load_or_create_admin_key};

/// Where installed code came from (History tells them apart).
#[derive(Clone, Copy)]
enum Origin {
    /// A push (recorded even when it changed nothing).
    Push,
    /// The project folder, loaded or reloaded.
    Folder,
    /// The pushed code stored in the data folder, at start.
    Start,
    /// The serving code analysed again with changed environment variables.
    Environment,
}

/// How to open a deployment.
#[derive(Debug, Clone)]
pub struct DeploymentConfig {
    /// The project folder (with `convex/`); `None` for an empty deployment that waits for a
    /// push.
    pub project_dir: Option<PathBuf>,
    pub data_dir: PathBuf,
    pub instance_name: String,
    /// Use this admin key instead of the stored (or a new) one.
    pub admin_key: Option<String>,
}

impl DeploymentConfig {
    /// The default data folder for a project: the OS data dir, then
    /// `atrium/deployments/<folder name>-<hash of its path>`.
    pub fn default_data_dir(project_dir: &Path) -> PathBuf {
        let canonical = project_dir.canonicalize().unwrap_or_else(|_| project_dir.to_path_buf());
        let name: String = canonical
            .file_name()
            .map(|n| {
                n.to_string_lossy()
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                    .collect()
            })
            .unwrap_or_else(|| "project".into());
        let hash = canonical
            .to_string_lossy()
            .bytes()
            .fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3));
        dirs::data_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join("atrium/deployments")
            .join(format!("{name}-{:08x}", hash as u32))
    }
}

/// A running deployment.
pub struct Deployment {
    name: String,
    engine: Engine,
    runner: RwLock<Option<Runner>>,
    /// The runner requests get (`runner` with the environment and file URLs), built once per
    /// code, environment and URLs: `generation` counts their changes, so a runner built from
    /// what a change replaced is never kept.
    serving: Mutex<Option<(u64, Runner)>>,
    generation: std::sync::atomic::AtomicU64,
    analysis: RwLock<Option<Analysis>>,
    /// Each component instance's analysis, by instance path.
    instances: RwLock<BTreeMap<String, Analysis>>,
    admin_key: String,
    stop: Arc<AtomicBool>,
    /// Each sync session's inbox of commit hits and environment changes.
    inboxes: Arc<Inboxes>,
    /// Environment variables, as functions see them in `process.env`.
    env: RwLock<BTreeMap<String, String>>,
    /// Results of WebSocket mutations by (session, request id), so a replayed mutation is
    /// answered without running again. Kept in memory, for the most recent ones; the
    /// engine's replay records (written with each commit) outlive a restart.
    mutation_results: Mutex<MutationResults>,
    data_dir: PathBuf,
    /// The code pushed by the CLI (empty when the code comes from a project folder).
    pushed: RwLock<Vec<PushedModule>>,
    /// The components pushed with it.
    pushed_components: RwLock<PushedComponents>,
    /// A push between `start_push` and `finish_push`.
    pending: Mutex<Option<PendingPush>>,
    /// Query runs shared by sync sessions, and kept while still valid (`query_cache.rs`).
    query_cache: Arc<Mutex<QueryCache>>,
    /// Snapshot exports made since start, newest last.
    pub(crate) exports: Mutex<Vec<ExportRecord>>,
    /// Imports since start, newest last, and uploads in progress by token.
    pub(crate) imports: Mutex<Vec<ImportRecord>>,
    pub(crate) uploads:
        Mutex<std::collections::HashMap<String, BTreeMap<u32, tempfile::NamedTempFile>>>,
    /// Live queries and the writes that re-ran them, for `/api/atrium/subscriptions`.
    pub(crate) inspector: crate::inspector::Inspector,
    /// The providers of `auth.config.ts` and their keys.
    verifier: Verifier,
    /// (cloud URL, site URL) functions see as `CONVEX_CLOUD_URL` and `CONVEX_SITE_URL`.
    urls: RwLock<(String, String)>,
    /// Runs due scheduled functions and crons.
    scheduler: Arc<Scheduler>,
    /// Set by every commit, so the scheduler looks for due work at once.
    wake: Arc<(Mutex<bool>, std::sync::Condvar)>,
    /// What the last load did to the crons (a push answers with it).
    cron_diff: Mutex<crons::CronDiff>,
    /// File storage's upload tokens and public origin.
    upload_tokens: Arc<crate::file_urls::UploadTokens>,
    /// The project folder the code was last loaded from, and why it failed to load while
    /// no code serves (see `folder.rs`).
    folder: RwLock<Option<PathBuf>>,
    load_error: RwLock<Option<String>>,
    /// Off: the deployment plays a Convex one, and Atrium's `_system/atrium/*` functions
    /// answer "not found" (`ServerConfig::atrium_extensions`, `--as-convex`).
    atrium_extensions: AtomicBool,
}

/// A finished export, as `_system/cli/exports:getLatest` reports it.
#[derive(Debug, Clone)]
pub(crate) struct ExportRecord {
    pub(crate) document: atrium_value::Value,
    pub(crate) id: String,
    pub(crate) start_ts: u64,
    /// The ZIP, in the blob store's temporary folder (removed with the last reference;
    /// a leftover is cleared at the next start).
    pub(crate) zip: Arc<tempfile::NamedTempFile>,
}

/// An import's state document, as `_system/cli/queryImport` reports it.
#[derive(Debug, Clone)]
pub(crate) struct ImportRecord {
    pub(crate) id: String,
    pub(crate) document: atrium_value::Value,
}

/// Modules analysed by `start_push`, waiting for `finish_push`.
#[derive(Debug, Clone)]
pub struct PendingPush {
    pub id: String,
    pub modules: Vec<PushedModule>,
    pub components: PushedComponents,
    pub schema: Option<Schema>,
    /// The providers of the pushed `auth.config.js`.
    pub auth: Vec<AuthProvider>,
    /// The analysed code, for `start_push`'s answer.
    pub code: Code,
}

impl std::fmt::Debug for Deployment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deployment").field("name", &self.name).finish_non_exhaustive()
    }
}

impl Deployment {
    pub fn open(config: DeploymentConfig) -> Result<Arc<Self>, DeploymentError> {
        std::fs::create_dir_all(&config.data_dir).map_err(|error| DeploymentError::DataDir {
            path: config.data_dir.display().to_string(),
            error,
        })?;
        let db = config.data_dir.join("deployment.sqlite3");
        let engine = Engine::open(&db, EngineOptions::default()).map_err(|error| {
            DeploymentError::Engine { path: db.display().to_string(), error: Box::new(error) }
        })?;
        let admin_key = match config.admin_key {
            Some(key) => key,
            None => load_or_create_admin_key(&config.data_dir, &config.instance_name)?,
        };
        let inboxes = Arc::new(Inboxes::default());
        let deliver = inboxes.clone();
        let query_cache = Arc::new(Mutex::new(QueryCache::default()));
        let evict = query_cache.clone();
        let wake: Arc<(Mutex<bool>, std::sync::Condvar)> = Arc::default();
        let waker = wake.clone();
        engine.on_commit(move |outcome: &CommitOutcome| {
            evict.lock().unwrap_or_else(|e| e.into_inner()).evict(&outcome.invalidated);
            deliver.deliver(&outcome.invalidated);
            *waker.0.lock().unwrap_or_else(|e| e.into_inner()) = true;
            waker.1.notify_one();
        });
        // Before anything runs: actions a crash left in progress failed, as on Convex.
        let scheduler = Arc::new(Scheduler::new(Arc::new(SystemClock)));
        scheduler.recover(&engine).map_err(|e| DeploymentError::Crons(e.to_string()))?;
        let env = crate::env::load(&engine).map_err(|error| DeploymentError::Engine {
            path: db.display().to_string(),
            error: Box::new(error),
        })?;
        let deployment = Arc::new(Self {
            name: config.instance_name,
            inboxes,
            env: RwLock::new(env),
            mutation_results: Mutex::new(MutationResults::default()),
            data_dir: config.data_dir.clone(),
            pushed: RwLock::new(Vec::new()),
            pending: Mutex::new(None),
            query_cache,
            exports: Mutex::new(Vec::new()),
            inspector: Default::default(),
            imports: Mutex::new(Vec::new()),
            uploads: Mutex::new(std::collections::HashMap::new()),
            upload_tokens: Arc::default(),
            atrium_extensions: AtomicBool::new(true),
            engine,
            runner: RwLock::new(None),
            serving: Mutex::new(None),
            generation: std::sync::atomic::AtomicU64::new(0),
            analysis: RwLock::new(None),
            instances: RwLock::new(BTreeMap::new()),
            pushed_components: RwLock::new(PushedComponents::default()),
            admin_key,
            stop: Arc::new(AtomicBool::new(false)),
            verifier: Verifier::default(),
            urls: RwLock::new(DEFAULT_URLS.map(str::to_owned).into()),
            scheduler,
            wake,
            cron_diff: Mutex::default(),
            folder: RwLock::new(None),
            load_error: RwLock::new(None),
        });
        if let Some((modules, components)) = pushed_files::load(&config.data_dir)? {
            // Code pushed by the CLI wins over the folder: it is what was last deployed.
            deployment.activate_pushed(modules, components)?;
        } else if let Some(dir) = &config.project_dir
            && dir.join("convex").is_dir()
        {
            deployment.open_folder(dir)?;
        }
        deployment.start_scheduler();
        Ok(deployment)
    }

    /// Makes `project` the deployment's code: analysed, its schema applied.
    pub fn load(&self, project: Arc<Project>) -> Result<(), DeploymentError> {
        self.load_with_progress(project, &|_, _, _, _| {})
    }

    /// [`Deployment::load`], telling `progress` how the backfill of each new index goes. On
    /// an error the code loaded before keeps serving.
    pub fn load_with_progress(
        &self,
        project: Arc<Project>,
        progress: BackfillProgress<'_>,
    ) -> Result<(), DeploymentError> {
        let (code, auth) = self.analysed(|env| code::from_folder(project, env))?;
        // A module that fails stops only itself from serving while the folder is worked
        // on, but an edit that breaks a module serving now keeps the whole version that
        // serves, as a refused push does.
        if self.runner.read().unwrap().is_some()
            && let Some(newly) = self.newly_failing(&code)
        {
            return Err(DeploymentError::Project(Box::new(newly.to_error())));
        }
        self.install(code, auth, progress, Origin::Folder)
    }

    /// A module of `code` that fails to load but does not fail in the code serving now.
    fn newly_failing<'c>(
        &self,
        code: &'c Code,
    ) -> Option<&'c atrium_runtime::analysis::ModuleFailure> {
        let serving = self.analysis.read().unwrap();
        let failing_now: Vec<&str> =
            serving.iter().flat_map(|a| a.failures.iter().map(|f| f.path.as_str())).collect();
        code.analysis.failures.iter().find(|f| !failing_now.contains(&f.path.as_str()))
    }

    /// Analyses code with the deployment's environment as `process.env`: its functions,
    /// crons and the providers of its `auth.config.ts`. Nothing changes yet.
    fn analysed(
        &self,
        analyse: impl FnOnce(&BTreeMap<String, String>) -> Result<Code, DeploymentError>,
    ) -> Result<(Code, Vec<AuthProvider>), DeploymentError> {
        let env = self.function_environment();
        let code = analyse(&env)?;
        crons::declared(&code.analysis).map_err(DeploymentError::Crons)?;
        for (path, analysis) in &code.instances {
            crons::declared(analysis)
                .map_err(|e| DeploymentError::Crons(format!("component {path}: {e}")))?;
        }
        let auth = auth_providers(code.tree.app(), &env)?;
        Ok((code, auth))
    }

    /// Makes analysed code the deployment's: its schema applied, its runner serving, its
    /// crons and auth providers in force.
    fn install(
        &self,
        code: Code,
        auth: Vec<AuthProvider>,
        progress: BackfillProgress<'_>,
        origin: Origin,
    ) -> Result<(), DeploymentError> {
        let summary = CodeSummary::of(&code.tree, &code.analysis, &code.instances);
        if let Some(schema) = &code.analysis.schema {
            apply_schema(&self.engine, schema, progress)?;
        }
        // Each instance keeps its `_components` document, so its ID is stable.
        let installed: Vec<(String, Option<String>)> = code
            .tree
            .instances()
            .map(|i| (i.path.clone(), (!i.path.is_empty()).then(|| i.definition.clone())))
            .collect();
        if let Err(error) = crate::component_ids::sync(&self.engine, &installed) {
            tracing::warn!("cannot record the component instances: {error}");
        }
        *self.runner.write().unwrap() =
            Some(Runner::with_components(code.tree, self.engine.clone()));
        self.serving_changed();
        self.clear_query_cache();
        // Crons follow the code: added, changed and removed ones, each keeping its slot.
        let diff = self.scheduler.sync_crons(&self.engine, &code.analysis);
        // Each component instance's own `crons.ts`, in its own tables.
        for (path, analysis) in &code.instances {
            if let Err(error) = self.scheduler.sync_component_crons(&self.engine, path, analysis) {
                tracing::warn!("component {path}'s crons: {error}");
            }
        }
        *self.analysis.write().unwrap() = Some(code.analysis);
        *self.instances.write().unwrap() = code.instances;
        self.verifier.set_providers(auth);
        let (pushed, message) = match origin {
            Origin::Push => (true, "Pushed"),
            Origin::Folder => (false, "Loaded from the project folder"),
            Origin::Start => (false, "Loaded the stored pushed code at start"),
            Origin::Environment => (false, "Loaded again with changed environment variables"),
        };
        if let Err(error) = deployment_events::record_code(&self.engine, &summary, pushed, message)
        {
            tracing::warn!("cannot record the deployment event: {error}");
        }
        *self.cron_diff.lock().unwrap() = diff.map_err(DeploymentError::Crons)?;
        Ok(())
    }

    /// Each component instance's analysis, by instance path.
    pub fn component_analyses(&self) -> BTreeMap<String, Analysis> {
        self.instances.read().unwrap().clone()
    }

    /// The pushed code, with each module's hash, for `get_config_hashes`.
    pub fn pushed_modules(&self) -> Vec<PushedModule> {
        self.pushed.read().unwrap().clone()
    }

    /// Analyses pushed modules (nothing changes yet) and keeps them pending.
    pub fn start_push(
        &self,
        modules: Vec<PushedModule>,
        components: PushedComponents,
    ) -> Result<PendingPush, DeploymentError> {
        let (code, auth) = self.analysed(|env| code::from_push(&modules, &components, env))?;
        let pending = PendingPush {
            id: crate::ids::random_hex(8),
            modules,
            components,
            schema: code.analysis.schema.clone(),
            auth,
            code,
        };
        *self.pending.lock().unwrap() = Some(pending.clone());
        Ok(pending)
    }

    /// The slot holding (or about to hold) a query's shared run at `ts`, or a run kept from
    /// before `ts` that is still valid there, and whether it is under the query's `any` key
    /// (see `QueryCache::slot_for`).
    pub(crate) fn query_slot(&self, keys: &QueryKeys, ts: u64, own_only: bool) -> (Slot, bool) {
        let (slot, under_any, stale) =
            self.query_cache().slot_for(keys, ts, Instant::now(), own_only);
        self.unsubscribe_all(stale);
        (slot, under_any)
    }

    /// Keeps `slot`'s run of a query, `run`, for later timestamps, as long as no commit
    /// touches what it read: an engine subscription of its own evicts it. A run that read no
    /// identity is kept under the query's `any` key, for every caller with the same access;
    /// one that read it, only under the caller's own (and taken out from under `any`). A
    /// thrown error is not kept (nor by Convex).
    pub(crate) fn keep_run(&self, keys: &QueryKeys, slot: &Slot, run: &SharedRun) {
        if run.outcome.result.is_err() {
            return;
        }
        let key = if run.outcome.read_identity { &keys.own } else { &keys.any };
        // The key, the result's text and (about as large) its value.
        let bytes = key.len() + 2 * run.body.as_ref().map_or(0, |b| b.len());
        let (owner, mut stale) = {
            let mut cache = self.query_cache();
            let mut stale = Vec::new();
            if run.outcome.read_identity {
                stale.extend(cache.withdraw(&keys.any, slot));
            }
            let (filed, replaced) = cache.adopt(key, slot, run.outcome.snapshot.0);
            stale.extend(replaced);
            let owner = filed.then(|| cache.begin_keep(key, slot, bytes, Instant::now()));
            (owner.flatten(), stale)
        };
        if let Some(owner) = owner {
            let subscription =
                self.engine.subscribe_for(run.read_set.clone(), run.outcome.snapshot, owner).ok();
            stale.extend(self.query_cache().finish_keep(owner, subscription));
        }
        self.unsubscribe_all(stale);
    }

    /// Forgets shared results (new code or environment: the same query may answer otherwise).
    fn clear_query_cache(&self) {
        let stale = self.query_cache().clear();
        self.unsubscribe_all(stale);
    }

    fn query_cache(&self) -> std::sync::MutexGuard<'_, QueryCache> {
        self.query_cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn unsubscribe_all(&self, subscriptions: Vec<atrium_engine::SubscriptionId>) {
        for id in subscriptions {
            self.engine.unsubscribe(id);
        }
    }

    /// The schema of the pending push, if it has one.
    pub fn pending_schema(&self) -> Option<Schema> {
        self.pending.lock().unwrap().as_ref().and_then(|p| p.schema.clone())
    }

    /// The pending push with this id.
    pub fn pending_push(&self, id: &str) -> Option<PendingPush> {
        self.pending.lock().unwrap().clone().filter(|p| p.id == id)
    }

    /// Makes the pending push the deployment's code; returns (added, removed) module paths.
    pub fn finish_push(&self, id: &str) -> Result<(Vec<String>, Vec<String>), DeploymentError> {
        let pending = self.pending_push(id).ok_or_else(|| {
            DeploymentError::Schema("This push was superseded by another one; push again".into())
        })?;
        let before: Vec<String> = self.pushed_modules().into_iter().map(|m| m.path).collect();
        let after: Vec<String> = pending.modules.iter().map(|m| m.path.clone()).collect();
        self.install(pending.code, pending.auth, &|_, _, _, _| {}, Origin::Push)?;
        self.store_pushed(pending.modules, pending.components)?;
        *self.pending.lock().unwrap() = None;
        let added = after.iter().filter(|p| !before.contains(p)).cloned().collect();
        let removed = before.into_iter().filter(|p| !after.contains(p)).collect();
        Ok((added, removed))
    }

    fn activate_pushed(
        &self,
        modules: Vec<PushedModule>,
        components: PushedComponents,
    ) -> Result<(), DeploymentError> {
        let (code, auth) = self.analysed(|env| code::from_push(&modules, &components, env))?;
        self.install(code, auth, &|_, _, _, _| {}, Origin::Start)?;
        self.store_pushed(modules, components)
    }

    /// Keeps the pushed code in the data folder (so a restart serves it) and in memory.
    fn store_pushed(
        &self,
        modules: Vec<PushedModule>,
        components: PushedComponents,
    ) -> Result<(), DeploymentError> {
        pushed_files::store(&self.data_dir, &modules, &components)?;
        *self.pushed.write().unwrap() = modules;
        *self.pushed_components.write().unwrap() = components;
        Ok(())
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn admin_key(&self) -> &str {
        &self.admin_key
    }

    /// Sync sessions' inboxes of commit hits and environment changes.
    pub(crate) fn inboxes(&self) -> &Inboxes {
        &self.inboxes
    }

    pub fn environment(&self) -> BTreeMap<String, String> {
        self.env.read().unwrap().clone()
    }

    /// The variables functions and analysis see: the deployment's, then `CONVEX_CLOUD_URL`
    /// and `CONVEX_SITE_URL`.
    pub fn function_environment(&self) -> BTreeMap<String, String> {
        with_urls(self.environment(), &self.urls.read().unwrap())
    }

    /// The engine's URLs as clients reach them (the server sets them once it listens): what
    /// functions see as `CONVEX_CLOUD_URL` and `CONVEX_SITE_URL`, and the origin of file
    /// storage's URLs. Code loaded before is analysed again when they differ from the ones
    /// it saw: its `auth.config.ts` may name `CONVEX_SITE_URL`.
    pub fn set_urls(&self, cloud: &str, site: &str) {
        self.upload_tokens.set_origin(cloud);
        let urls = (cloud.to_owned(), site.to_owned());
        if *self.urls.read().unwrap() == urls {
            return;
        }
        *self.urls.write().unwrap() = urls;
        self.serving_changed();
        let env = self.function_environment();
        if let Err(e) = self
            .reanalysed(&env)
            .and_then(|code| code.map_or(Ok(()), |(code, auth)| self.install_quietly(code, auth)))
        {
            tracing::warn!("the code could not be analysed again with the engine's URLs: {e}");
        }
        self.retry_folder();
    }

    /// The code that serves, analysed again with `env` (its modules, schema, crons and
    /// auth config may read variables at load); `None` when no code serves. A failure says
    /// which part the variables broke.
    fn reanalysed(
        &self,
        env: &BTreeMap<String, String>,
    ) -> Result<Option<(Code, Vec<AuthProvider>)>, String> {
        let Some(tree) = self.runner.read().unwrap().as_ref().map(|r| r.components().clone())
        else {
            return Ok(None);
        };
        let code = code::from_tree(&tree, env).map_err(|e| {
            format!("This change would make the code fail to load: {}", inner_message(&e))
        })?;
        // A folder's failing module does not stop the others serving, but a variable change
        // must not be what breaks one that loads today.
        if let Some(newly) = self.newly_failing(&code) {
            return Err(format!("This change would make the code fail to load: {}", newly.message));
        }
        crons::declared(&code.analysis)
            .map_err(|e| format!("This change would make the crons invalid: {e}"))?;
        let auth = auth_providers(code.tree.app(), env).map_err(|e| {
            format!("This change would make the auth config invalid: {}", inner_message(&e))
        })?;
        Ok(Some((code, auth)))
    }

    /// [`Deployment::install`] without progress, its error said as a sentence.
    fn install_quietly(&self, code: Code, auth: Vec<AuthProvider>) -> Result<(), String> {
        self.install(code, auth, &|_, _, _, _| {}, Origin::Environment).map_err(|e| e.to_string())
    }

    /// The providers of the loaded `auth.config.ts` and their cached keys.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// Sets (`Some`) or removes (`None`) environment variables; live queries re-run. The
    /// code that serves is analysed again with the new variables first, as Convex pushes
    /// its config again: modules, schema, crons and `auth.config.ts` that read a variable at
    /// load see the new value. A change that breaks them is refused (nothing is stored),
    /// as Convex refuses one that breaks the auth config.
    pub fn update_environment(&self, changes: &[(String, Option<String>)]) -> Result<(), String> {
        let next = changed(self.function_environment(), changes)?;
        let code = self.reanalysed(&next)?;
        crate::env::apply(&self.engine, changes)?;
        let fresh = crate::env::load(&self.engine).map_err(|e| e.to_string())?;
        *self.env.write().unwrap() = fresh;
        self.serving_changed();
        let installed = match code {
            Some((code, auth)) => self.install_quietly(code, auth).map_err(|e| {
                format!("The variables are set, but the code could not be loaded with them: {e}")
            }),
            None => Ok(()),
        };
        self.clear_query_cache();
        self.retry_folder();
        self.inboxes.everything_changed();
        installed
    }

    pub(crate) fn mutation_results(&self) -> std::sync::MutexGuard<'_, MutationResults> {
        self.mutation_results.lock().unwrap()
    }

    /// Writes every user table and stored file at the latest commit into `out` as a
    /// snapshot ZIP in Convex's layout (what `npx convex export --include-file-storage`
    /// downloads), the files streamed from disk: the commit's timestamp and `out`.
    /// `progress` hears (documents written, documents in all) after each table.
    pub fn export_snapshot<W: std::io::Write + std::io::Seek>(
        &self,
        out: W,
        progress: &dyn Fn(u64, u64),
    ) -> Result<(u64, W), String> {
        crate::snapshot::export_zip_with_progress(&self.engine, true, progress, out)
    }

    /// Imports a snapshot ZIP (Convex's layout) in one transaction; `mode` is
    /// `requireEmpty`, `append`, `replace` or `replaceAll`. The number of documents written.
    pub fn import_snapshot(&self, zip: &[u8], mode: &str) -> Result<u64, String> {
        let mode = crate::snapshot::ImportMode::parse(Some(mode))?;
        crate::snapshot::import(&self.engine, zip, "zip", None, mode, Requestor::SnapshotRestore)
    }

    /// [`Deployment::import_snapshot`] from a ZIP file, its entries read from the file (a
    /// stored file's bytes streamed into the blob store, never held whole).
    pub fn import_snapshot_file(&self, zip: std::fs::File, mode: &str) -> Result<u64, String> {
        let mode = crate::snapshot::ImportMode::parse(Some(mode))?;
        crate::snapshot::import_zip_file(&self.engine, zip, mode, Requestor::SnapshotRestore)
    }

    /// The runner for the current code, if any code is loaded.
    pub fn runner(&self) -> Option<Runner> {
        let generation = self.generation.load(Ordering::Acquire);
        if let Some((built, runner)) = &*self.serving.lock().unwrap()
            && *built == generation
        {
            return Some(runner.clone());
        }
        let runner = self.runner.read().unwrap().clone()?;
        let runner =
            runner.with_env(self.function_environment()).with_file_urls(self.upload_tokens.clone());
        if self.generation.load(Ordering::Acquire) == generation {
            *self.serving.lock().unwrap() = Some((generation, runner.clone()));
        }
        Some(runner)
    }

    /// The code, the environment or the URLs changed: the next request builds its runner.
    fn serving_changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        *self.serving.lock().unwrap() = None;
    }

    /// File storage's upload tokens and the origin its URLs are on.
    /// Whether Atrium's `_system/atrium/*` functions answer (off: as a Convex deployment).
    pub fn atrium_extensions(&self) -> bool {
        self.atrium_extensions.load(Ordering::Relaxed)
    }

    pub fn set_atrium_extensions(&self, on: bool) {
        self.atrium_extensions.store(on, Ordering::Relaxed);
    }

    pub fn upload_tokens(&self) -> &crate::file_urls::UploadTokens {
        &self.upload_tokens
    }

    pub fn analysis(&self) -> Option<Analysis> {
        self.analysis.read().unwrap().clone()
    }

    /// The modules of a project folder that failed to load while the others serve, each
    /// with its message (shown in Convex's words, `Failed to analyze messages.js: …`).
    pub fn module_failures(&self) -> Vec<atrium_runtime::analysis::ModuleFailure> {
        let analysis = self.analysis.read().unwrap();
        analysis.iter().flat_map(|a| a.failures.iter().cloned()).collect()
    }

    /// The crons the last load added, changed and removed, by name.
    pub fn last_cron_diff(&self) -> crons::CronDiff {
        self.cron_diff.lock().unwrap().clone()
    }

    /// The scheduler of this deployment's functions and crons.
    pub fn scheduler(&self) -> &Scheduler {
        &self.scheduler
    }

    /// Starts due scheduled functions and crons in the background until the deployment
    /// stops: after every commit (a job scheduled for now starts at once) and every 50 ms.
    fn start_scheduler(self: &Arc<Self>) {
        let weak = Arc::downgrade(self);
        let stop = self.stop.clone();
        let wake = self.wake.clone();
        std::thread::Builder::new()
            .name("atrium-scheduler".into())
            .spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let Some(deployment) = weak.upgrade() else { return };
                    if let Some(runner) = deployment.runner()
                        && let Err(e) = deployment.scheduler.tick(&runner)
                    {
                        tracing::warn!("scheduler: {e}");
                    }
                    drop(deployment);
                    let woken = wake.0.lock().unwrap_or_else(|e| e.into_inner());
                    let (mut woken, _) = wake
                        .1
                        .wait_timeout_while(woken, Duration::from_millis(50), |w| !*w)
                        .unwrap_or_else(|e| e.into_inner());
                    *woken = false;
                }
            })
            .expect("the scheduler thread starts");
    }

    /// Stops background work.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl Drop for Deployment {
    fn drop(&mut self) {
        self.stop();
    }
}
