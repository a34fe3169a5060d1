//! Hot reload of a running local project: `<dir>/convex` watched with notify, and after
//! each burst of changes the project loaded again through its deployment (the studio's door
//! to the local engine), with backfill progress and the outcome recorded for the list. It
//! must not edit the project list.

use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::local::LocalProject;

/// What the list shows of a running project's reloads.
#[derive(Debug, Default)]
pub(super) struct ReloadState {
    pub(super) reloads: u32,
    pub(super) error: Option<String>,
    pub(super) backfill: Option<String>,
}

/// Watches `<dir>/convex` and loads the project again after each burst of changes (files
/// written by editors arrive as several events), recording the outcome in `state`.
pub(super) fn watch(
    dir: &Path,
    running: Arc<LocalProject>,
    state: Arc<Mutex<ReloadState>>,
    on_reload: Arc<dyn Fn() + Send + Sync>,
) -> (Option<notify::RecommendedWatcher>, tokio_util::task::AbortOnDropHandle<()>) {
    use notify::Watcher as _;
    let (changed, mut changes) = tokio::sync::mpsc::unbounded_channel::<()>();
    let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.is_ok_and(|e| !e.kind.is_access()) {
            let _ = changed.send(());
        }
    })
    .and_then(|mut watcher| {
        watcher.watch(&dir.join("convex"), notify::RecursiveMode::Recursive).map(|()| watcher)
    })
    .inspect_err(|e| tracing::warn!("cannot watch {}/convex: {e}", dir.display()))
    .ok();
    let dir = dir.to_path_buf();
    let task = tokio::spawn(async move {
        while changes.recv().await.is_some() {
            // Let the burst settle.
            tokio::time::sleep(std::time::Duration::from_millis(150)).await;
            while changes.try_recv().is_ok() {}
            let (dir, deployment) = (dir.clone(), running.deployment.clone());
            let (progress_state, progress_told) = (state.clone(), on_reload.clone());
            let loaded = tokio::task::spawn_blocking(move || {
                let last = Mutex::new(std::time::Instant::now());
                let progress = |table: &str, index: &str, done: u64, total: u64| {
                    let mut last = last.lock().unwrap();
                    if done < total && last.elapsed() < std::time::Duration::from_millis(250) {
                        return;
                    }
                    *last = std::time::Instant::now();
                    progress_state.lock().unwrap().backfill =
                        Some(format!("{table}.{index}: {done} of {total} documents"));
                    progress_told();
                };
                deployment.reload_project(&dir, &progress)
            })
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
            {
                let mut state = state.lock().unwrap();
                state.backfill = None;
                match loaded {
                    Ok(()) => {
                        state.reloads += 1;
                        state.error = None;
                    }
                    Err(error) => state.error = Some(error),
                }
            }
            on_reload();
        }
    });
    (watcher, tokio_util::task::AbortOnDropHandle::new(task))
}
