//! Commands about deployments: saved connections (their admin keys go to the key store and
//! never come back to the UI), trying a URL and key, and choosing the connected one.

use std::sync::Arc;

use atrium_client::DeploymentClient;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::connections::{ConnectionDraft, SafeMode};
use crate::keychain::KeyStoreKind;
use crate::local::SAMPLE_ID;
use crate::{CommandError, ConnectionStatus, ErrorCode, Studio};

/// A deployment to try: its URL and, to act as its admin, its admin key.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ConnectionTest {
    pub url: String,
    /// Typed by the user into the connection form; never sent back to the UI.
    #[serde(default)]
    pub admin_key: Option<String>,
    /// A saved connection whose stored key to use when `admin_key` is blank.
    #[serde(default)]
    pub id: Option<String>,
}

/// What the admin key may do on the deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConnectionTestResult {
    pub url: String,
    pub allowed_ops: Vec<String>,
    pub read_only: bool,
}

/// A connection as the UI sees it: everything but the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConnectionInfo {
    pub id: String,
    pub name: String,
    pub url: String,
    pub colour: String,
    pub safe_mode: SafeMode,
    pub has_admin_key: bool,
    /// The sample project on the built-in engine (cannot be edited or removed).
    pub built_in: bool,
}

/// The saved connections, which one is connected, and where keys are kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConnectionList {
    pub connections: Vec<ConnectionInfo>,
    pub active: Option<String>,
    pub key_store: KeyStoreKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ConnectionRef {
    pub id: String,
}

pub(super) async fn test_connection(
    studio: &Arc<Studio>,
    request: ConnectionTest,
) -> Result<ConnectionTestResult, CommandError> {
    let mut client = DeploymentClient::new(&request.url)?;
    let typed = request.admin_key.map(|k| k.trim().to_owned()).filter(|k| !k.is_empty());
    let key = match (typed, &request.id) {
        (Some(key), _) => Some(key),
        (None, Some(id)) => crate::connecting::resolve(studio, id).ok().and_then(|(_, key)| key),
        (None, None) => None,
    };
    if let Some(key) = key {
        client = client.with_admin_key(key);
    }
    let answer = client.check_admin_key().await?;
    Ok(ConnectionTestResult {
        url: client.url(),
        allowed_ops: answer.allowed_ops,
        read_only: answer.is_read_only,
    })
}

pub(super) async fn list_connections(
    studio: &Arc<Studio>,
    _: (),
) -> Result<ConnectionList, CommandError> {
    let mut connections = Vec::new();
    if let Some(local) = studio.local.lock().unwrap().clone() {
        connections.push(ConnectionInfo {
            id: SAMPLE_ID.into(),
            name: local.name.clone(),
            url: local.url.clone(),
            colour: "#10b981".into(),
            safe_mode: SafeMode::Normal,
            has_admin_key: true,
            built_in: true,
        });
    }
    let saved = studio.saved.lock().unwrap().connections.clone();
    for c in saved {
        let has_admin_key = studio.keys.get(&c.id)?.is_some();
        connections.push(ConnectionInfo {
            id: c.id,
            name: c.name,
            url: c.url,
            colour: c.colour,
            safe_mode: c.safe_mode,
            has_admin_key,
            built_in: false,
        });
    }
    let active = studio.active.lock().unwrap().as_ref().map(|c| c.summary.id.clone());
    Ok(ConnectionList { connections, active, key_store: studio.keys.kind() })
}

pub(super) async fn save_connection(
    studio: &Arc<Studio>,
    draft: ConnectionDraft,
) -> Result<ConnectionList, CommandError> {
    crate::connecting::save_connection(studio, draft).await?;
    list_connections(studio, ()).await
}

pub(super) async fn remove_connection(
    studio: &Arc<Studio>,
    request: ConnectionRef,
) -> Result<ConnectionList, CommandError> {
    {
        let mut saved = studio.saved.lock().unwrap();
        let mut updated = saved.clone();
        let before = updated.connections.len();
        updated.connections.retain(|c| c.id != request.id);
        if updated.connections.len() == before {
            return Err(CommandError::new(
                ErrorCode::NotFound,
                format!("There is no saved connection {}.", request.id),
            ));
        }
        if updated.last_used.as_deref() == Some(request.id.as_str()) {
            updated.last_used = None;
        }
        studio.connections_file.save(&updated)?;
        *saved = updated;
    }
    studio.keys.delete(&request.id)?;
    let was_active =
        studio.active.lock().unwrap().as_ref().is_some_and(|c| c.summary.id == request.id);
    if was_active {
        crate::connecting::disconnect(studio);
    }
    list_connections(studio, ()).await
}

pub(super) async fn connect(
    studio: &Arc<Studio>,
    request: ConnectionRef,
) -> Result<ConnectionStatus, CommandError> {
    crate::connecting::connect(studio, &request.id).await
}

pub(super) async fn disconnect(
    studio: &Arc<Studio>,
    _: (),
) -> Result<ConnectionStatus, CommandError> {
    crate::connecting::disconnect(studio);
    Ok(studio.connection_status())
}
