//! The function runtime: a Convex project's functions, run in QuickJS.
//!
//! This crate owns:
//! - [`project`]: loading a project folder — `convex/*.ts|js` stripped of types with oxc,
//!   imports resolved with oxc_resolver from the project's own `node_modules`, so the
//!   project's `convex` package runs unchanged (`cjs`: CommonJS packages as ES modules);
//! - [`analysis`]: what the modules define (functions, visibility, validators, HTTP routes,
//!   crons) and the schema, evaluated in an import phase; [`auth_config`]: the providers
//!   of `convex/auth.config.ts`, evaluated the same way;
//! - [`http`]: HTTP actions, routed through the project's `convex/http.ts` (a request the
//!   server hands over; this crate does not listen);
//! - [`runner`]: the [`Runner`] API — calls as a client, an admin or the scheduler, dry
//!   runs, dashboard queries — and mutation retries; `call` holds the call's value types
//!   ([`Limits`], [`Caller`], [`FunctionOutcome`], …);
//! - `sandbox` and `invoke`: one execution's QuickJS runtime and context, its limits, the
//!   installed globals (the `Convex` host interface, `web/`), and the promise/timer loop;
//!   `isolates`: warm runtimes kept between calls, so a call only sets its own state;
//! - `node`: `"use node"` modules, analysed and run in a Node.js child process (Atrium's
//!   executor script), their syscalls served here as an isolate's are;
//! - [`syscalls`]: the host side of `Convex.syscall` / `Convex.asyncSyscall`, dispatching
//!   to one module per op family under `ops/` (database, query streams, pagination, calls,
//!   scheduler, meta, vector search);
//! - [`scheduler`]: scheduled functions (`_scheduled_functions`) and running due jobs;
//! - [`components`]: the component instance tree (`convex.config.ts`), function addresses
//!   and handles across instances, and each instance's table names in the catalog;
//! - [`execution_log`]: each execution's record for the log store;
//! - [`query`]: Convex's serialized query language (sources, index ranges, filters, limits);
//! - [`file_urls`]: where file storage's upload and download URLs come from;
//! - [`replay`]: the answer a mutation stores with its commit for a replaying client.
//!
//! Determinism: queries and mutations get a seeded `Math.random` and a frozen `Date.now`;
//! their async syscalls resolve in the order they were made.
//!
//! It speaks HTTP only as a client, for actions' `fetch` (reqwest on a small tokio
//! runtime, in `web/fetch.rs`, the one module that may); it serves no HTTP and must not
//! depend on tauri or polars.

pub mod analysis;
pub mod auth_config;
mod call;
mod cjs;
pub mod components;
mod error;
pub mod execution_log;
pub mod file_urls;
mod host;
pub mod http;
mod invoke;
mod isolates;
mod journal;
mod node;
mod ops;
pub mod project;
pub mod query;
pub mod replay;
pub mod runner;
mod sandbox;
pub mod scheduler;
pub mod syscalls;
mod transpile;
mod web;

pub use syscalls::{HostState, MAX_BYTES_READ, MAX_DOCUMENTS_READ};

pub use call::{
    Caller, DryRun, FunctionKind, FunctionOutcome, Limits, LogLine, RequestMetadata, Usage,
};
pub use error::{FunctionError, RuntimeError};
pub use project::Project;
pub use runner::Runner;
