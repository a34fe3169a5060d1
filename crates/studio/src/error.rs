//! The error every command returns: a stable machine-readable code and a human message.
//!
//! The UI branches on `code`, never on message text; the message says what went wrong in
//! words a user can act on.

use atrium_client::ClientError;
use serde::Serialize;
use ts_rs::TS;

/// Why a command failed, as a stable code the UI can branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No command has this name.
    UnknownCommand,
    /// The request did not match the command's request type.
    BadRequest,
    /// What the request names does not exist.
    NotFound,
    /// Reading or writing a file failed.
    Io,
    /// A bug or an unexpected state in Atrium itself.
    Internal,
    /// A deployment URL that is not an http(s) URL.
    BadUrl,
    /// The deployment could not be reached (or the connection was lost).
    Unreachable,
    /// The deployment refused the admin key, or none was given where one is needed.
    BadAdminKey,
    /// Something answered at the URL, but not as a Convex deployment.
    NotADeployment,
    /// A function ran on the deployment and reported an error.
    FunctionFailed,
    /// The command needs a connected deployment and none is.
    NotConnected,
    /// The connection's safe mode forbids this write.
    ReadOnly,
    /// The connection's safe mode asks for confirmation and the request did not carry it.
    NeedsConfirmation,
    /// The data asked for does not fit in this machine's memory.
    TooLarge,
}

/// A failed command: `code` for programs, `message` for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
}

impl CommandError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }

    pub fn unknown_command(name: &str) -> Self {
        Self::new(ErrorCode::UnknownCommand, format!("There is no command named `{name}`."))
    }

    pub fn bad_request(command: &str, cause: impl std::fmt::Display) -> Self {
        Self::new(ErrorCode::BadRequest, format!("Bad request for `{command}`: {cause}."))
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::new(ErrorCode::Internal, format!("Internal error: {cause}."))
    }
}

/// The client's error as a command error whose code says which part to fix.
impl From<ClientError> for CommandError {
    fn from(error: ClientError) -> Self {
        let code = match &error {
            ClientError::BadUrl { .. } => ErrorCode::BadUrl,
            ClientError::Unreachable { .. }
            | ClientError::Closed { .. }
            | ClientError::ConnectionLost { .. } => ErrorCode::Unreachable,
            ClientError::BadAdminKey { .. } => ErrorCode::BadAdminKey,
            ClientError::NotADeployment { .. } | ClientError::Http { .. } => {
                ErrorCode::NotADeployment
            }
            ClientError::Function { .. } => ErrorCode::FunctionFailed,
        };
        let message = match &error {
            // Strip the server's request-ID prefix: the user wants the reason.
            ClientError::Function { message, .. } => clean_function_message(message),
            other => other.to_string(),
        };
        CommandError::new(code, message)
    }
}

/// `[Request ID: …] Server Error\nUncaught Error: reason` → `reason`.
pub(crate) fn clean_function_message(message: &str) -> String {
    let body = message.split_once("Server Error\n").map_or(message, |(_, rest)| rest);
    body.trim_start_matches("Uncaught Error: ").trim().to_owned()
}
