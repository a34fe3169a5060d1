//! Choosing what the studio is connected to, below the command layer (commands and
//! start-up both call it): saving a connection — its admin key stored first — and starting
//! a local project on its own engine and connecting to it through a saved connection named
//! after it. The connection itself is [`crate::deployment`]'s; this module must not know the
//! command table.

use std::sync::Arc;

use crate::connections::{ConnectionDraft, SafeMode, SavedConnection, new_id, validate};
use crate::local::{LocalProject, SAMPLE_ID};
use crate::{CommandError, ConnectionStatus, ErrorCode, Studio, StudioEvent};

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
        crate::deployment::connect(studio, &id).await?;
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
                studio.emit(StudioEvent::ProjectsChanged { projects: studio.projects.list() });
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
    crate::deployment::connect(studio, &saved_id).await
}
