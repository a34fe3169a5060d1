//! How a promotion advances, announced as `promote_progress` (a leaf type: the event bus
//! and the promotion both name it).
//!
//! It must not know how a promotion runs; `promote/mod.rs` does.

use serde::Serialize;
use ts_rs::TS;

/// One step of promoting a local project to another deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PromoteProgress {
    /// `bundle`, `push` (start_push), `schema` (wait_for_schema), `finish` (finish_push),
    /// `export`, `download`, `upload`, `import` or `done`.
    pub step: String,
    /// What is happening, in the target's own words where it gives them.
    pub message: String,
    /// Bytes moved so far (download and upload).
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number | null")]
    pub total: Option<u64>,
}
