//! Why a token was refused ([`TokenError`]). A leaf of the `jwt` rooms.

/// Why a token was refused: Convex's code and message, and (for the dashboard) the precise
/// cause where Convex's message is general.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TokenError {
    pub code: &'static str,
    pub message: String,
    pub detail: Option<String>,
}

impl TokenError {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), detail: None }
    }

    pub(crate) fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}
