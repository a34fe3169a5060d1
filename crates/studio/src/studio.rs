//! [`Studio`]: the state every command runs against, and what it reports about itself.

use std::path::PathBuf;
use std::sync::Mutex;

use serde::Serialize;
use tokio::sync::broadcast;
use ts_rs::TS;

use crate::settings::SettingsFile;
use crate::{CommandError, Settings, SettingsPatch, StudioEvent};

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
    /// Where settings (and later saved deployments and projects) are kept.
    pub config_dir: PathBuf,
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
}

/// About this Atrium and where it keeps its files.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub host: HostKind,
    pub config_dir: String,
    /// Problems found at start-up that the user should know about.
    pub warnings: Vec<String>,
}

/// A deployment the dashboard can connect to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DeploymentKind {
    /// A project running on Atrium's built-in engine.
    Local,
    /// A Convex cloud or self-hosted deployment.
    Remote,
}

/// The connected deployment, as the header shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DeploymentSummary {
    pub name: String,
    pub url: String,
    pub kind: DeploymentKind,
}

/// The state of the connection to the deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ConnectionState {
    /// No deployment is selected.
    NotConnected,
    Connected,
    /// The connection dropped; Atrium is trying again.
    Reconnecting {
        attempt: u32,
    },
    /// The deployment cannot be reached.
    Offline {
        reason: String,
    },
}

/// Which deployment is connected, and how the connection is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConnectionStatus {
    pub deployment: Option<DeploymentSummary>,
    pub state: ConnectionState,
}

/// The dashboard's core state, shared by every host and command.
#[derive(Debug)]
pub struct Studio {
    host: HostKind,
    config_dir: PathBuf,
    settings_file: SettingsFile,
    settings: Mutex<Settings>,
    connection: Mutex<ConnectionStatus>,
    startup_warnings: Vec<String>,
    events: broadcast::Sender<StudioEvent>,
}

impl Studio {
    pub fn new(config: StudioConfig) -> Self {
        let settings_file = SettingsFile::new(&config.config_dir);
        let (settings, problem) = settings_file.load();
        let (events, _) = broadcast::channel(256);
        Self {
            host: config.host,
            config_dir: config.config_dir,
            settings_file,
            settings: Mutex::new(settings),
            connection: Mutex::new(ConnectionStatus {
                deployment: None,
                state: ConnectionState::NotConnected,
            }),
            startup_warnings: problem.into_iter().collect(),
            events,
        }
    }

    /// Events for one listener (a window or a browser tab).
    pub fn subscribe(&self) -> broadcast::Receiver<StudioEvent> {
        self.events.subscribe()
    }

    fn emit(&self, event: StudioEvent) {
        // No listener is fine: nobody is looking.
        let _ = self.events.send(event);
    }

    pub fn app_info(&self) -> AppInfo {
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            host: self.host,
            config_dir: self.config_dir.display().to_string(),
            warnings: self.startup_warnings.clone(),
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

    pub fn connection_status(&self) -> ConnectionStatus {
        self.connection.lock().unwrap().clone()
    }
}
