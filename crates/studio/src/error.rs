//! The error every command returns: a stable machine-readable code and a human message.
//!
//! The UI branches on `code`, never on message text; the message says what went wrong in
//! words a user can act on.

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
