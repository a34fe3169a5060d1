//! The function runtime: a Convex project's functions, run in QuickJS.
//!
//! This crate will own loading a project (TypeScript stripped, imports resolved from the
//! project's `node_modules`), QuickJS isolates with a fresh context per call, the global
//! `Convex` host interface (`syscall`, `asyncSyscall`, `jsSyscall`), determinism rules
//! (seeded randomness, frozen time), limits that stop runaway functions, and the small web
//! globals user code expects.
//!
//! It must not speak HTTP or depend on tauri or polars. Filled by the runtime issue; empty
//! until then.
