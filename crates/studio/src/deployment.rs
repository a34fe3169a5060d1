//! The connected deployment as the studio holds it: [`Connected`] (its HTTP and sync
//! clients, safe mode and recorded log archive) and its status as the header shows it
//! ([`ConnectionStatus`]). A leaf: the hub ([`crate::Studio`]) and the events hold these
//! types, so this module must not import the studio, its events or any feature logic —
//! connecting, disconnecting and watching the connection's state live in
//! [`crate::connecting`].

use atrium_client::{DeploymentClient, SyncClient};
use serde::Serialize;
use ts_rs::TS;

use crate::connections::SafeMode;
use crate::log_archive::RecordedArchive;
use crate::{CommandError, ErrorCode};

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
    /// The saved connection's ID.
    pub id: String,
    pub name: String,
    pub url: String,
    pub kind: DeploymentKind,
    pub colour: String,
    pub safe_mode: SafeMode,
}

/// The state of the connection to the deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ConnectionState {
    /// No deployment is selected.
    NotConnected,
    /// Opening the connection for the first time.
    Connecting,
    Connected,
    /// No connection; Atrium keeps trying. `connected_before` is false when the deployment
    /// has not answered at all since it was chosen (a wrong or unreachable URL).
    Reconnecting {
        attempt: u32,
        reason: String,
        connected_before: bool,
    },
    /// The deployment answered but refused the admin key.
    Refused {
        reason: String,
    },
}

/// Which deployment is connected, and how the connection is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConnectionStatus {
    pub deployment: Option<DeploymentSummary>,
    pub state: ConnectionState,
}

/// A deployment the dashboard is connected to.
#[derive(Debug)]
pub(crate) struct Connected {
    /// Which connect made this one (unique while Atrium runs): a state watcher reports only
    /// while its own connection is the active one, not a later connection to the same
    /// deployment.
    pub generation: u64,
    pub summary: DeploymentSummary,
    pub http: DeploymentClient,
    pub sync: SyncClient,
    /// The task that reports the connection's state (aborted when this is dropped).
    pub watcher: tokio::task::AbortHandle,
    /// The task that follows the deployment's logs (aborted when this is dropped).
    pub log_follower: tokio::task::AbortHandle,
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
