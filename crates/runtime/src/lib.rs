//! The function runtime: a Convex project's functions, run in QuickJS.
//!
//! This crate owns:
//! - [`project`]: loading a project folder — `convex/*.ts|js` stripped of types with oxc,
//!   imports resolved with oxc_resolver from the project's own `node_modules`, so the
//!   project's `convex` package runs unchanged;
//! - [`analysis`]: what the modules define (functions, visibility, validators, HTTP routes,
//!   crons) and the schema, evaluated in an import phase;
//! - [`http`]: HTTP actions, routed through the project's `convex/http.ts`;
//! - [`runner`]: running one function call in a fresh QuickJS context, with the global
//!   `Convex` host interface, and driving its promise to completion;
//! - [`syscalls`]: the host side of `Convex.syscall` / `Convex.asyncSyscall` (database ops
//!   on an engine transaction);
//! - [`scheduler`]: scheduled functions (`_scheduled_functions`) and running due jobs;
//! - [`query`]: Convex's serialized query language (sources, index ranges, filters, limits).
//!
//! Determinism: queries and mutations get a seeded `Math.random` and a frozen `Date.now`;
//! their async syscalls resolve in the order they were made.
//!
//! It must not speak HTTP or depend on tauri or polars.

pub mod analysis;
mod error;
pub mod execution_log;
pub mod http;
pub mod project;
pub mod query;
pub mod runner;
pub mod scheduler;
pub mod syscalls;
mod transpile;

pub use syscalls::{HostState, MAX_BYTES_READ, MAX_DOCUMENTS_READ};

pub use error::{FunctionError, RuntimeError};
pub use project::Project;
pub use runner::{Caller, DryRun, FunctionKind, FunctionOutcome, Limits, LogLine, Runner, Usage};
