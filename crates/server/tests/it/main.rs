//! The server's integration tests, one binary (as uv does: one link of the crate and its
//! dependencies, not one per file). Each module is one former test file, against a real
//! server on 127.0.0.1 (`atrium_server::test_support`).
//!
//! Shared helpers belong in a module here, not copied between modules.

mod auth;
mod components;
mod crons;
mod deployment_events;
mod environment_at_load;
mod folder_load;
mod http_api;
mod inspector;
mod limits;
mod official_client_runtime;
mod official_rust_client;
mod storage;
mod sync;
mod sync_consistency;
mod sync_journals;
mod sync_restart;
mod sync_socket;
mod sync_transitions_property;
