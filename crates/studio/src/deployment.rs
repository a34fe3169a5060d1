//! The connected deployment: its HTTP and sync clients and safe mode, and a task that turns
//! the sync connection's state — and the admin-key check made each time it (re)connects —
//! into the header's [`ConnectionStatus`].

use std::sync::Arc;

use atrium_client::{ClientError, ConnectionState as SyncState, DeploymentClient, SyncClient};

use crate::connections::{SafeMode, SavedConnection};
use crate::local::SAMPLE_ID;
use crate::log_archive::RecordedArchive;
use crate::{
    CommandError, ConnectionState, ConnectionStatus, DeploymentKind, DeploymentSummary, ErrorCode,
    Studio,
};

/// A deployment the dashboard is connected to.
#[derive(Debug)]
pub(crate) struct Connected {
    pub summary: DeploymentSummary,
    pub http: DeploymentClient,
    pub sync: SyncClient,
    watcher: tokio::task::AbortHandle,
    log_follower: tokio::task::AbortHandle,
    /// The log archive the studio records for this connection (see [`RecordedArchive`]);
    /// `None` when it could not be opened (the reason was logged).
    pub archive: Option<RecordedArchive>,
}

impl Connected {
    pub(crate) fn safe_mode(&self) -> SafeMode {
        self.summary.safe_mode
    }

    /// Whether the connection's safe mode lets a write through: always in normal mode,
    /// with `confirmed` when it asks first, never when read-only. The errors end with
    /// `read_only_hint` and name `writes` ("every write", "mutations and actions").
    pub(crate) fn allow_write(
        &self,
        confirmed: bool,
        read_only_hint: &str,
        writes: &str,
    ) -> Result<(), CommandError> {
        let name = &self.summary.name;
        match self.safe_mode() {
            SafeMode::Normal => Ok(()),
            SafeMode::ConfirmWrites if confirmed => Ok(()),
            SafeMode::ReadOnly => Err(CommandError::new(
                ErrorCode::ReadOnly,
                format!("{name} is read-only in Atrium{read_only_hint}"),
            )),
            SafeMode::ConfirmWrites => Err(CommandError::new(
                ErrorCode::NeedsConfirmation,
                format!("{name} asks for confirmation before {writes}."),
            )),
        }
    }

    /// The HTTP client, acting as `identity` when one is given.
    pub(crate) fn http_as(&self, identity: Option<&serde_json::Value>) -> DeploymentClient {
        match identity {
            Some(identity) => self.http.acting_as(identity),
            None => self.http.clone(),
        }
    }
}

impl Drop for Connected {
    fn drop(&mut self) {
        self.watcher.abort();
        self.log_follower.abort();
    }
}

/// A connection's details and admin key: a saved one, or the built-in sample project.
pub(crate) fn resolve(
    studio: &Studio,
    id: &str,
) -> Result<(DeploymentSummary, Option<String>), CommandError> {
    if id == SAMPLE_ID {
        let local = studio.local.lock().unwrap().clone().ok_or_else(|| {
            CommandError::new(ErrorCode::NotFound, "The sample project is not running.")
        })?;
        let summary = DeploymentSummary {
            id: id.to_owned(),
            name: local.name.clone(),
            url: local.url.clone(),
            kind: DeploymentKind::Local,
            colour: "#10b981".into(),
            safe_mode: SafeMode::Normal,
        };
        return Ok((summary, Some(local.admin_key.clone())));
    }
    let saved: SavedConnection =
        studio.saved.lock().unwrap().connections.iter().find(|c| c.id == id).cloned().ok_or_else(
            || {
                CommandError::new(
                    ErrorCode::NotFound,
                    format!("There is no saved connection {id}."),
                )
            },
        )?;
    let key = studio.keys.get(id)?;
    let local = saved.url.contains("://127.0.0.1") || saved.url.contains("://localhost");
    let summary = DeploymentSummary {
        id: saved.id,
        name: saved.name,
        url: saved.url,
        kind: if local { DeploymentKind::Local } else { DeploymentKind::Remote },
        colour: saved.colour,
        safe_mode: saved.safe_mode,
    };
    Ok((summary, key))
}

/// Connects to connection `id`, replacing the current one (its data views close).
pub(crate) async fn connect(
    studio: &Arc<Studio>,
    id: &str,
) -> Result<ConnectionStatus, CommandError> {
    let (summary, key) = resolve(studio, id)?;
    let mut http = DeploymentClient::new(&summary.url)
        .map_err(|e| CommandError::new(ErrorCode::BadUrl, e.to_string()))?;
    if let Some(key) = key {
        http = http.with_admin_key(key);
    }
    let sync = SyncClient::connect(&http);
    let states = sync.state();
    // The watcher starts reporting once this connection is in place and says "connecting",
    // so its first report cannot be overwritten by that.
    let (ready, gate) = tokio::sync::oneshot::channel();
    let watcher = tokio::spawn(watch_state(
        Arc::downgrade(studio),
        summary.clone(),
        http.clone(),
        states,
        gate,
    ));
    studio.logs.lock().unwrap().clear();
    let archive = RecordedArchive::open(studio.data_dir(), &summary.id)
        .inspect_err(|e| tracing::warn!("{e}"))
        .ok();
    let log_follower =
        tokio::spawn(crate::logs::follow(Arc::downgrade(studio), http.clone(), archive.clone()));
    let connected = Arc::new(Connected {
        summary: summary.clone(),
        http,
        sync,
        watcher: watcher.abort_handle(),
        log_follower: log_follower.abort_handle(),
        archive,
    });
    studio.views.close_all();
    studio.sql.clear();
    studio.watches.lock().unwrap().clear();
    *studio.active.lock().unwrap() = Some(connected);
    studio.set_connection_status(ConnectionStatus {
        deployment: Some(summary),
        state: ConnectionState::Connecting,
    });
    let _ = ready.send(());
    {
        let mut saved = studio.saved.lock().unwrap();
        if saved.last_used.as_deref() != Some(id) {
            saved.last_used = Some(id.to_owned());
            // Remembering the choice is a convenience; failing to save it is not an error.
            let _ = studio.connections_file.save(&saved);
        }
    }
    Ok(studio.connection_status())
}

/// Disconnects (the header then says "Not connected").
pub(crate) fn disconnect(studio: &Studio) {
    studio.views.close_all();
    studio.sql.clear();
    *studio.active.lock().unwrap() = None;
    studio.set_connection_status(ConnectionStatus {
        deployment: None,
        state: ConnectionState::NotConnected,
    });
}

async fn watch_state(
    studio: std::sync::Weak<Studio>,
    summary: DeploymentSummary,
    http: DeploymentClient,
    mut states: tokio::sync::watch::Receiver<SyncState>,
    ready: tokio::sync::oneshot::Receiver<()>,
) {
    if ready.await.is_err() {
        return; // the connection was not put in place
    }
    let mut connected_before = false;
    loop {
        let sync_state = states.borrow_and_update().clone();
        let state = match sync_state {
            SyncState::Connecting => ConnectionState::Connecting,
            SyncState::Connected => match http.check_admin_key().await {
                Ok(_) => {
                    connected_before = true;
                    ConnectionState::Connected
                }
                Err(ClientError::BadAdminKey { message, .. }) => ConnectionState::Refused {
                    reason: format!("The deployment refused the admin key: {message}"),
                },
                Err(other) => ConnectionState::Reconnecting {
                    attempt: 1,
                    reason: other.to_string(),
                    connected_before,
                },
            },
            // The socket is down: ask over HTTP whether it is the key (which no retry
            // fixes) or the network.
            SyncState::Reconnecting { attempt, reason } => match http.check_admin_key().await {
                // (Without a key there is nothing to ask: the socket is what failed.)
                Err(ClientError::BadAdminKey { message, .. }) if http.has_admin_key() => {
                    ConnectionState::Refused {
                        reason: format!("The deployment refused the admin key: {message}"),
                    }
                }
                _ => ConnectionState::Reconnecting { attempt, reason, connected_before },
            },
            SyncState::Closed => ConnectionState::NotConnected,
        };
        let Some(studio) = studio.upgrade() else { return };
        let still_current =
            studio.active.lock().unwrap().as_ref().is_some_and(|c| c.summary.id == summary.id);
        if !still_current {
            return;
        }
        studio.set_connection_status(ConnectionStatus { deployment: Some(summary.clone()), state });
        drop(studio);
        if states.changed().await.is_err() {
            return;
        }
    }
}
