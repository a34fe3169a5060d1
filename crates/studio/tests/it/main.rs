//! The studio's integration tests, one binary (each test binary links polars: one link
//! instead of ten). A module per area; `common` holds what they share. Run one area with a
//! filter: `cargo test -p atrium-studio --test it sql::`.

mod browser_mode;
mod common;
mod connections;
mod data;
mod functions;
mod generated_bindings;
mod js_query;
mod live;
mod metrics;
mod projects;
mod promote;
mod sql;
