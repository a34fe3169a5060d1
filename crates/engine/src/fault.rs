//! Fault injection for crash tests: named points where the process kills itself with
//! SIGKILL, so a test can stop the engine at an exact moment (after a commit, before its
//! reply) instead of guessing with timers.
//!
//! Off unless the `ATRIUM_FAULT` environment variable names the point (a comma-separated
//! list names several): unset, [`point`] is one cached check and does nothing. It must never
//! be set in production; nothing else in the engine reads it. The points are the constants
//! in [`points`]; the crash tests in `crates/server/tests` and `tests/e2e` set them.

use std::sync::OnceLock;

/// The environment variable that arms fault points.
pub const FAULT_ENV: &str = "ATRIUM_FAULT";

/// The named points.
pub mod points {
    /// A sync-socket mutation has committed; its response has not been sent.
    pub const SYNC_MUTATION_COMMITTED: &str = "sync-mutation-committed";
    /// An index backfill (ordered, search or vector) has read a page of the table and
    /// committed nothing yet.
    pub const INDEX_BACKFILL: &str = "index-backfill";
    /// A vector index's HNSW graph is built in memory and not yet stored.
    pub const VECTOR_GRAPH_BUILT: &str = "vector-graph-built";
    /// A snapshot import has parsed its file and stored its files' bytes, and not yet
    /// committed its documents.
    pub const SNAPSHOT_IMPORT: &str = "snapshot-import";
    /// A push's code file is written and synced under its temporary name, not yet renamed
    /// into place.
    pub const PUSH_APPLY: &str = "push-apply";
}

fn armed() -> &'static [String] {
    static ARMED: OnceLock<Vec<String>> = OnceLock::new();
    ARMED.get_or_init(|| {
        std::env::var(FAULT_ENV)
            .map(|v| v.split(',').map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect())
            .unwrap_or_default()
    })
}

/// Kills the process with SIGKILL when `ATRIUM_FAULT` names `name`; otherwise returns.
pub fn point(name: &str) {
    if armed().iter().any(|p| p == name) {
        eprintln!("{FAULT_ENV}: killing the process at `{name}`");
        kill_self();
    }
}

/// SIGKILL to ourselves (no destructors, no flushing: what `kill -9` does). The standard
/// library has no signal API, and a test hook does not justify a `libc` dependency, so the
/// `kill` program sends it; `abort` is the fallback where that fails.
fn kill_self() -> ! {
    #[cfg(unix)]
    {
        let pid = std::process::id().to_string();
        let _ = std::process::Command::new("kill").args(["-KILL", &pid]).status();
        // Delivery is asynchronous; give it a moment before falling back.
        std::thread::sleep(std::time::Duration::from_secs(5));
    }
    std::process::abort()
}
