//! The client's integration tests against a real `atrium-server`, one binary. A module per
//! area; `common` holds what they share. Run one area with a filter:
//! `cargo test -p atrium-client --test it sync::`.

mod common;
mod dashboard;
mod files;
mod http;
mod read_your_writes;
mod schedules;
mod snapshot;
mod sync;
mod table_filters;
mod vector;
