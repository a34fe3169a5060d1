//! Choosing what the studio is connected to, below the command layer (commands and
//! start-up both call it): [`Studio::start`] (the sample project, then the connection used
//! last); connecting to a saved connection — which starts the tasks that follow its state
//! and its logs — and disconnecting; saving a connection — its admin key stored first —
//! and starting a local project on its own engine and connecting to it through a saved
//! connection named after it. The [`Connected`] value and its status types are
//! [`crate::deployment`]'s (a leaf the hub holds); this module is feature logic above the
//! hub and must not know the command table.

use std::sync::Arc;

use atrium_client::{ClientError, ConnectionState as SyncState, DeploymentClient, SyncClient};

use crate::connections::{ConnectionDraft, SafeMode, SavedConnection, new_id, validate};
use crate::deployment::Connected;
use crate::local::{LocalProject, SAMPLE_ID};
use crate::log_archive::RecordedArchive;
use crate::{
    CommandError, ConnectionState, ConnectionStatus, DeploymentKind, DeploymentSummary, ErrorCode,
    Studio, StudioEvent,
};

impl Studio {
    /// Starts what runs in the background: the built-in sample project (when its folder is
    /// there), then reconnects to the deployment used last, or the sample project.
    pub async fn start(self: &Arc<Self>) {
        match crate::local::start_sample(self.data_dir()).await {
            Ok(Some(project)) => *self.local.lock().unwrap() = Some(Arc::new(project)),
            Ok(None) => {}
            Err(message) => self.warn_at_startup(message),
        }
        reopen_last_connection(self).await;
    }
}

/// Reconnects to the deployment used last, or the sample project when it runs; a failure
/// becomes a start-up warning.
async fn reopen_last_connection(studio: &Arc<Studio>) {
    let last = studio.saved.lock().unwrap().last_used.clone();
    let has_local = studio.local.lock().unwrap().is_some();
    let target = last.or_else(|| has_local.then(|| SAMPLE_ID.to_owned()));
    // A local project's engine is started again (on new ports) before connecting.
    let project = target.as_ref().and_then(|id| studio.projects.with_connection(id));
    let reconnected = match (&target, project) {
        (_, Some(project)) => connect_project(studio, &project).await.map(|_| ()),
        (Some(id), None) => connect(studio, id).await.map(|_| ()),
        (None, None) => Ok(()),
    };
    if let Err(e) = reconnected {
        studio.warn_at_startup(format!("Could not reopen the last connection: {e}"));
    }
}

/// Adds (`draft.id` empty) or changes a saved connection; its new admin key goes to the key
/// store first. When it is the connected one, connects again with what changed.
pub(crate) async fn save_connection(
    studio: &Arc<Studio>,
    draft: ConnectionDraft,
) -> Result<(), CommandError> {
    if draft.id.as_deref() == Some(SAMPLE_ID) {
        return Err(CommandError::new(
            ErrorCode::BadRequest,
            "The sample project's connection cannot be changed.",
        ));
    }
    let url = validate(&draft.name, &draft.url, &draft.colour)?;
    let id = draft.id.clone().unwrap_or_else(new_id);
    let connection = SavedConnection {
        id: id.clone(),
        name: draft.name.trim().to_owned(),
        url,
        colour: draft.colour.to_lowercase(),
        safe_mode: draft.safe_mode,
    };
    // The key first: a connection is never saved pointing at a key that failed to store.
    if let Some(key) = draft.admin_key.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        studio.keys.set(&id, key)?;
    }
    let reconnect = {
        let mut saved = studio.saved.lock().unwrap();
        let mut updated = saved.clone();
        match updated.connections.iter_mut().find(|c| c.id == id) {
            Some(existing) => *existing = connection,
            None if draft.id.is_some() => {
                return Err(CommandError::new(
                    ErrorCode::NotFound,
                    format!("There is no saved connection {id}."),
                ));
            }
            None => updated.connections.push(connection),
        }
        studio.connections_file.save(&updated)?;
        *saved = updated;
        studio.active.lock().unwrap().as_ref().is_some_and(|c| c.summary.id == id)
    };
    if reconnect {
        // The connected deployment changed: use its new URL, key and safe mode.
        connect(studio, &id).await?;
    }
    Ok(())
}

/// Starts project `id`; each reload after a change on disk is announced as
/// `projects_changed`.
pub(crate) async fn start_project(
    studio: &Arc<Studio>,
    id: &str,
) -> Result<Arc<LocalProject>, CommandError> {
    let weak = Arc::downgrade(studio);
    studio
        .projects
        .start(id, move || {
            if let Some(studio) = weak.upgrade() {
                studio.emit(StudioEvent::ProjectsChanged { projects: studio.project_list() });
            }
        })
        .await
}

/// Starts project `id` if needed and connects to it (through a saved connection named after
/// it, its key in the key store).
pub(crate) async fn connect_project(
    studio: &Arc<Studio>,
    id: &str,
) -> Result<ConnectionStatus, CommandError> {
    let running = start_project(studio, id).await?;
    let project = studio.projects.get(id)?;
    let draft = ConnectionDraft {
        id: project
            .connection
            .clone()
            .filter(|c| studio.saved.lock().unwrap().connections.iter().any(|s| &s.id == c)),
        name: project.name.clone(),
        url: running.url.clone(),
        colour: "#16a34a".into(),
        safe_mode: SafeMode::Normal,
        admin_key: Some(running.admin_key.clone()),
    };
    save_connection(studio, draft.clone()).await?;
    let saved_id = match draft.id {
        Some(saved_id) => saved_id,
        None => studio
            .saved
            .lock()
            .unwrap()
            .connections
            .iter()
            .find(|c| c.url == running.url)
            .map(|c| c.id.clone())
            .ok_or_else(|| CommandError::internal("the project's connection was not saved"))?,
    };
    studio.projects.set_connection(id, &saved_id)?;
    connect(studio, &saved_id).await
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
    static GENERATIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let generation = GENERATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    // The watcher starts reporting once this connection is in place and says "connecting",
    // so its first report cannot be overwritten by that.
    let (ready, gate) = tokio::sync::oneshot::channel();
    let watcher = tokio::spawn(watch_state(
        Arc::downgrade(studio),
        generation,
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
        generation,
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
    // In place and announced under one lock, as watchers check and report under it.
    let mut active = studio.active.lock().unwrap();
    let previous = active.replace(connected);
    studio.set_connection_status(ConnectionStatus {
        deployment: Some(summary),
        state: ConnectionState::Connecting,
    });
    drop(active);
    drop(previous);
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
    generation: u64,
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
        // Only this connection's own watcher reports. A replaced one to the same deployment
        // (connect again) outlives its replacement while a command still holds it, and its
        // late "connecting" would otherwise overwrite the new one's "connected" for good.
        // The check and the report happen under the `active` lock, so a connect cannot
        // slip in between them.
        {
            let active = studio.active.lock().unwrap();
            if active.as_ref().is_none_or(|c| c.generation != generation) {
                return;
            }
            studio.set_connection_status(ConnectionStatus {
                deployment: Some(summary.clone()),
                state,
            });
        }
        drop(studio);
        if states.changed().await.is_err() {
            return;
        }
    }
}
