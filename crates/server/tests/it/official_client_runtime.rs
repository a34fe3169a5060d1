//! A tokio runtime for tests that drive the official Rust `convex` client, shut down with a
//! bound. The client's socket worker has been seen to spin without yielding after the client
//! is dropped (under CPU load), and a plain runtime drop then waits for it forever; here the
//! wait ends after a few seconds and the test's own assertions decide the outcome.

use std::future::Future;
use std::time::Duration;

/// Runs `test` on a multi-threaded runtime with `workers` threads, then shuts it down waiting
/// at most five seconds for tasks the test no longer owns.
pub fn run_with_official_client<F: Future<Output = ()>>(workers: usize, test: F) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(test);
    runtime.shutdown_timeout(Duration::from_secs(5));
}
