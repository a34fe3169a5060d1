//! The HTTP handlers, one module per surface: `functions` (the function API), `instance`
//! (health, `check_admin_key`, canonical URLs), `push` (the CLI's push), `snapshot` (export
//! and import), `env` (environment variables), `logs` (the log stream), `atrium` (Atrium's
//! `/api/atrium/*` extensions), `auth_admin` (Atrium's auth providers and token
//! checks), `vector` (Atrium's vector index endpoints), `scheduling` (Convex's cancel routes for scheduled
//! functions), `storage` (file uploads and downloads) and `http_actions`.
//!
//! Route modules import `crate::state` and the logic modules (`crate::push`,
//! `crate::snapshot`, …), never each other nor `crate::server`; which handler answers which
//! path, and whether it is admin, is decided only in `server.rs`.

pub(crate) mod atrium;
pub(crate) mod auth_admin;
pub(crate) mod env;
pub(crate) mod functions;
pub(crate) mod http_actions;
pub(crate) mod instance;
pub(crate) mod logs;
pub(crate) mod push;
pub(crate) mod scheduling;
pub(crate) mod snapshot;
pub(crate) mod storage;
pub(crate) mod vector;
