//! The Project area's "Promote…": a preview of what pushing a local project changes on
//! another saved deployment, and the promotion itself (code, and optionally data), with
//! progress as `promote_progress` events. The work is `crate::promote`'s.
//!
//! It must not push without the target's safe mode allowing it (`confirmed` for a
//! confirm-writes connection; never to a read-only one).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use crate::promote::diff::{Changes, PushDiff};
use crate::{CommandError, Studio};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PromotePreviewRequest {
    /// The local project (running).
    pub project: String,
    /// The saved connection to promote to.
    pub target: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PromotePreview {
    pub target_name: String,
    pub target_url: String,
    /// The target's safe mode: `confirm_writes` needs `confirmed`, `read_only` refuses.
    pub safe_mode: crate::connections::SafeMode,
    pub diff: PushDiff,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PromoteRequest {
    pub project: String,
    pub target: String,
    /// Also copy the project's data (Convex's snapshot ZIP, with files).
    #[serde(default)]
    pub copy_data: bool,
    /// The import mode for the data: `requireEmpty` (the default: refuse if a target
    /// table has data), `append` or `replace`.
    #[serde(default)]
    pub data_mode: Option<String>,
    /// Given after the user confirmed (connections that ask before writes).
    #[serde(default)]
    pub confirmed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PromoteDone {
    pub target_name: String,
    /// Modules the target gained and lost (`finish_push`'s diff).
    pub modules_added: Vec<String>,
    pub modules_removed: Vec<String>,
    /// Documents imported when the data was copied.
    #[ts(type = "number | null")]
    pub documents: Option<u64>,
}

pub(super) async fn promote_preview(
    studio: &Arc<Studio>,
    request: PromotePreviewRequest,
) -> Result<PromotePreview, CommandError> {
    let ends = crate::promote::ends(studio, &request.project, &request.target)?;
    let diff = crate::promote::preview(studio, &ends).await?;
    Ok(PromotePreview {
        target_name: ends.target_name,
        target_url: ends.target_url,
        safe_mode: ends.safe_mode,
        diff,
    })
}

pub(super) async fn promote(
    studio: &Arc<Studio>,
    request: PromoteRequest,
) -> Result<PromoteDone, CommandError> {
    let ends = crate::promote::ends(studio, &request.project, &request.target)?;
    crate::promote::allowed(&ends, request.confirmed)?;
    let done = crate::promote::promote(studio, &ends, request.copy_data, request.data_mode).await?;
    Ok(PromoteDone {
        target_name: ends.target_name,
        modules_added: done.added,
        modules_removed: done.removed,
        documents: done.documents,
    })
}
