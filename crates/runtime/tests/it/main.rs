//! The runtime's integration tests, in one binary (one link instead of one per file): a
//! module per area, each running the fixture projects in `tests/fixtures` (or the sample
//! project) through the public API.

mod adhoc_query;
mod analysis;
mod chat;
mod commit_ts;
mod crons;
mod http_actions;
mod kitchen;
mod pagination;
mod pushed;
mod sample_project;
mod scheduler;
mod scheduler_bench;
mod sdks;
mod search;
mod standin;
mod storage;
mod use_node;
mod warm;
mod web_platform;
mod webcrypto;
mod wpt;
