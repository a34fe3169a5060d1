//! Browser mode: the studio served on 127.0.0.1 until Ctrl-C or SIGTERM.

use std::io::Write as _;
use std::sync::Arc;

use atrium_studio::browser::{BrowserHost, BrowserOptions};
use atrium_studio::{HostKind, Studio, StudioConfig};

use crate::ui_assets::EmbeddedUi;

pub(crate) fn run(port: u16) -> Result<(), String> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| format!("cannot start: {e}"))?;
    runtime.block_on(serve(port))
}

async fn serve(port: u16) -> Result<(), String> {
    let studio = Arc::new(Studio::new(StudioConfig::for_host(HostKind::Browser)));
    studio.start().await;
    for warning in studio.app_info().warnings {
        eprintln!("atrium: {warning}");
    }
    let options = BrowserOptions { port, assets: Arc::new(EmbeddedUi) };
    let host = BrowserHost::start(studio.clone(), options).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            format!(
                "port {port} on 127.0.0.1 is already in use. Pick another with --port N, or leave --port out to use a free one."
            )
        } else {
            format!("cannot serve on 127.0.0.1:{port}: {e}")
        }
    })?;
    println!("Atrium UI: {}", host.url());
    let _ = std::io::stdout().flush();

    wait_for_stop_signal().await;
    eprintln!("atrium: stopping");
    studio.shutdown().await;
    host.stop_and_wait().await.map_err(|e| format!("browser mode stopped with an error: {e}"))
}

async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
