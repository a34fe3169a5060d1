//! The local engine's Convex-compatible network API.
//!
//! This crate will own the HTTP API (`/api/query`, `/api/mutation`, ...), the sync
//! WebSocket, the function log stream, system functions, admin-key checks, push from the
//! official CLI, snapshot export/import, and the headless `atrium-engine` binary. It binds
//! 127.0.0.1 by default and every admin route checks the admin key.
//!
//! It must not depend on tauri or polars. Filled by the server issue; empty until then.
