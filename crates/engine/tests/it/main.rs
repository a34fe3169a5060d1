//! The engine's integration tests, in one binary (one link instead of one per file): a
//! module per area, through the public API.
//!
//! `crash` re-runs this binary as its child writer (`crash::crash_child_writer`, selected
//! with `--exact`), `search_store` as its child (`search_store::search_crash_child`) and
//! `crash_points` (`crash_points::crash_point_child`), so those tests' names must stay as
//! they are.

mod blobs;
mod crash;
mod crash_points;
mod engine;
mod model;
mod persistence_conformance;
mod replay;
mod search;
mod search_store;
mod storage_format;
mod stored_fixture;
mod vector;
