//! [`Studio`]: the state every command runs against, and what it reports about itself.
//!
//! The hub: it holds each feature's state (the types live with their features, in leaf
//! modules: [`crate::deployment`], `data/view.rs`, `sql/state.rs`, `logs/entry.rs`,
//! [`crate::projects`]) and the event bus, and must not import feature logic — features
//! depend on the hub, never the other way round. So [`Studio::start`], which reconnects,
//! is in [`crate::connecting`].

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::broadcast;
use ts_rs::TS;

use crate::connections::{ConnectionsFile, ConnectionsFileContents};
use crate::deployment::{Connected, ConnectionState, ConnectionStatus};
use crate::events::EventSink;
use crate::keychain::{KeyStore, KeyStoreKind};
use crate::local::LocalProject;
use crate::settings::SettingsFile;
use crate::{CommandError, ErrorCode, Settings, SettingsPatch, StudioEvent};

/// Which host the studio runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HostKind {
    /// The desktop window, over Tauri IPC.
    Desktop,
    /// A plain browser, over HTTP and WebSocket on 127.0.0.1.
    Browser,
}

/// What the studio needs to start.
#[derive(Debug, Clone)]
pub struct StudioConfig {
    pub host: HostKind,
    /// Where settings and saved connections are kept.
    pub config_dir: PathBuf,
    /// Where local projects keep their data (the sample project's engine, for one).
    pub data_dir: PathBuf,
    /// Where admin keys go; `None` picks the OS keychain when one answers.
    pub key_store: Option<KeyStoreKind>,
    /// Where exported files are saved.
    pub export_dir: PathBuf,
}

impl StudioConfig {
    /// The platform's config directory for Atrium (`~/.config/atrium` on Linux), or
    /// `ATRIUM_CONFIG_DIR` when set (tests use it to start from a clean slate).
    pub fn default_config_dir() -> PathBuf {
        if let Some(dir) = std::env::var_os("ATRIUM_CONFIG_DIR") {
            return PathBuf::from(dir);
        }
        dirs::config_dir().unwrap_or_else(std::env::temp_dir).join("atrium")
    }

    /// Where exports go: `ATRIUM_EXPORT_DIR`, the user's Downloads folder, or the data
    /// folder's `exports`.
    pub fn default_export_dir(data_dir: &std::path::Path) -> PathBuf {
        if let Some(dir) = std::env::var_os("ATRIUM_EXPORT_DIR") {
            return PathBuf::from(dir);
        }
        dirs::download_dir().unwrap_or_else(|| data_dir.join("exports"))
    }

    /// The platform's data directory for Atrium (`~/.local/share/atrium` on Linux), or
    /// `ATRIUM_DATA_DIR`; under `ATRIUM_CONFIG_DIR` alone, its `data` folder.
    pub fn default_data_dir() -> PathBuf {
        if let Some(dir) = std::env::var_os("ATRIUM_DATA_DIR") {
            return PathBuf::from(dir);
        }
        if let Some(dir) = std::env::var_os("ATRIUM_CONFIG_DIR") {
            return PathBuf::from(dir).join("data");
        }
        dirs::data_dir().unwrap_or_else(std::env::temp_dir).join("atrium")
    }

    /// The defaults for a host: the config and data folders above.
    pub fn for_host(host: HostKind) -> Self {
        // `ATRIUM_KEY_STORE=file` keeps tests and scripts out of the user's keychain.
        let key_store = std::env::var("ATRIUM_KEY_STORE")
            .is_ok_and(|v| v == "file")
            .then_some(KeyStoreKind::PrivateFile);
        let data_dir = Self::default_data_dir();
        Self {
            host,
            config_dir: Self::default_config_dir(),
            export_dir: Self::default_export_dir(&data_dir),
            data_dir,
            key_store,
        }
    }
}

/// About this Atrium and where it keeps its files.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub host: HostKind,
    pub config_dir: String,
    /// Problems found at start-up that the user should know about.
    pub warnings: Vec<String>,
    /// Where admin keys are kept.
    pub key_store: KeyStoreKind,
}

/// The dashboard's core state, shared by every host and command.
#[derive(Debug)]
pub struct Studio {
    host: HostKind,
    config_dir: PathBuf,
    data_dir: PathBuf,
    export_dir: PathBuf,
    settings_file: SettingsFile,
    settings: Mutex<Settings>,
    pub(crate) connections_file: ConnectionsFile,
    pub(crate) saved: Mutex<ConnectionsFileContents>,
    pub(crate) keys: KeyStore,
    /// The built-in sample project, once started.
    pub(crate) local: Mutex<Option<Arc<LocalProject>>>,
    pub(crate) active: Mutex<Option<Arc<Connected>>>,
    connection: Mutex<ConnectionStatus>,
    pub(crate) views: crate::data::Views,
    /// Queries kept live for the Functions area, by watch ID.
    pub(crate) watches:
        Mutex<std::collections::HashMap<u64, tokio_util::task::AbortOnDropHandle<()>>>,
    /// Local projects and their running engines.
    pub(crate) projects: crate::projects::Projects,
    /// Tables loaded for SQL and kept results.
    pub(crate) sql: crate::sql::SqlState,
    /// The connected deployment's newest log entries.
    pub(crate) logs: Mutex<std::collections::VecDeque<crate::logs::LogEntry>>,
    startup_warnings: Mutex<Vec<String>>,
    events: broadcast::Sender<StudioEvent>,
}

impl Studio {
    pub fn new(config: StudioConfig) -> Self {
        let settings_file = SettingsFile::new(&config.config_dir);
        let (settings, problem) = settings_file.load();
        let connections_file = ConnectionsFile::new(&config.config_dir);
        let (saved, connections_problem) = connections_file.load();
        let (projects, projects_problem) =
            crate::projects::Projects::load(&config.config_dir, &config.data_dir);
        let (events, _) = broadcast::channel(1024);
        Self {
            host: config.host,
            keys: KeyStore::open(&config.config_dir, config.key_store),
            data_dir: config.data_dir,
            export_dir: config.export_dir,
            config_dir: config.config_dir,
            settings_file,
            settings: Mutex::new(settings),
            connections_file,
            saved: Mutex::new(saved),
            local: Mutex::new(None),
            active: Mutex::new(None),
            connection: Mutex::new(ConnectionStatus {
                deployment: None,
                state: ConnectionState::NotConnected,
            }),
            views: Default::default(),
            logs: Mutex::new(Default::default()),
            sql: Default::default(),
            watches: Mutex::new(Default::default()),
            projects,
            startup_warnings: Mutex::new(
                problem.into_iter().chain(connections_problem).chain(projects_problem).collect(),
            ),
            events,
        }
    }

    /// Adds a problem found at start-up for the user to see (in [`AppInfo`]).
    pub(crate) fn warn_at_startup(&self, message: String) {
        self.startup_warnings.lock().unwrap().push(message);
    }

    /// Stops the background work (the sample project's and local projects' engines).
    pub async fn shutdown(&self) {
        *self.active.lock().unwrap() = None;
        self.projects.stop_all().await;
        let local = self.local.lock().unwrap().take();
        if let Some(local) = local {
            local.stop().await;
        }
    }

    /// Events for one listener (a window or a browser tab).
    pub fn subscribe(&self) -> broadcast::Receiver<StudioEvent> {
        self.events.subscribe()
    }

    /// Where exported files are saved.
    pub(crate) fn export_dir(&self) -> PathBuf {
        self.export_dir.clone()
    }

    pub(crate) fn emit(&self, event: StudioEvent) {
        // No listener is fine: nobody is looking.
        let _ = self.events.send(event);
    }

    pub fn app_info(&self) -> AppInfo {
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            host: self.host,
            config_dir: self.config_dir.display().to_string(),
            warnings: self.startup_warnings.lock().unwrap().clone(),
            key_store: self.keys.kind(),
        }
    }

    pub fn settings(&self) -> Settings {
        self.settings.lock().unwrap().clone()
    }

    /// Applies a patch, saves it, and tells every listener. Nothing changes in memory when
    /// the save fails.
    pub fn update_settings(&self, patch: SettingsPatch) -> Result<Settings, CommandError> {
        let updated = {
            let mut current = self.settings.lock().unwrap();
            let mut updated = current.clone();
            updated.apply(patch);
            self.settings_file.save(&updated)?;
            *current = updated.clone();
            updated
        };
        self.emit(StudioEvent::SettingsChanged { settings: updated.clone() });
        Ok(updated)
    }

    /// The Project area's list: the built-in sample project first while it runs, then the
    /// saved projects.
    pub(crate) fn project_list(&self) -> Vec<crate::projects::ProjectInfo> {
        let sample = self.local.lock().unwrap().clone();
        self.projects.list_with(sample.as_deref())
    }

    pub fn connection_status(&self) -> ConnectionStatus {
        self.connection.lock().unwrap().clone()
    }

    /// Sets the connection status and tells every listener (only when it changed).
    pub(crate) fn set_connection_status(&self, status: ConnectionStatus) {
        {
            let mut current = self.connection.lock().unwrap();
            if *current == status {
                return;
            }
            *current = status.clone();
        }
        self.emit(StudioEvent::ConnectionChanged { status });
    }

    /// The connected deployment, or an error saying none is.
    /// Where the studio keeps its own data (local projects, recorded log archives).
    pub(crate) fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }

    pub(crate) fn connected(&self) -> Result<Arc<Connected>, CommandError> {
        self.active.lock().unwrap().clone().ok_or_else(|| {
            CommandError::new(
                ErrorCode::NotConnected,
                "No deployment is connected. Pick one in Connections.",
            )
        })
    }
}

impl EventSink for Studio {
    fn emit(&self, event: StudioEvent) {
        Studio::emit(self, event);
    }
}
