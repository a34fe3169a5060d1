//! `atrium-engine`: the local engine without the desktop app.
//!
//! ```text
//! atrium-engine serve <project-dir> [--port 3210] [--site-port 3211] [--data-dir <dir>]
//!                     [--admin-key <key>] [--host <ip>] [--as-convex]
//! ```
//!
//! Loads the project when it has a `convex/` folder, prints the deployment URL and admin key,
//! and serves until SIGINT or SIGTERM. Binds 127.0.0.1 unless `--host` says otherwise.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use atrium_server::{Deployment, DeploymentConfig, ServerConfig, serve};

const USAGE: &str = "\
Usage: atrium-engine serve <project-dir> [options]

Options:
  --port N          the API port (default 3210; 0 picks a free one)
  --site-port N     the HTTP actions port (default 3211; 0 picks a free one)
  --data-dir DIR    where the deployment's data lives (default: the OS data dir, per project)
  --admin-key KEY   use this admin key (default: a generated one, kept in the data dir)
  --host IP         the address to bind (default 127.0.0.1)
  --as-convex       answer only what a Convex deployment does (no Atrium extensions), to try
                    a dashboard against a Convex-like deployment

Prints `Convex URL: …`, `Site URL: …` and `Admin key: …`, then serves until Ctrl-C.";

struct Options {
    project: PathBuf,
    port: u16,
    site_port: u16,
    data_dir: Option<PathBuf>,
    admin_key: Option<String>,
    host: IpAddr,
    as_convex: bool,
}

fn parse(args: Vec<String>) -> Result<Options, String> {
    let mut args = args.into_iter();
    match args.next().as_deref() {
        Some("serve") => {}
        Some("-h" | "--help") | None => return Err(String::new()),
        Some(other) => return Err(format!("unknown command `{other}`")),
    }
    let mut options = Options {
        project: PathBuf::new(),
        port: 3210,
        site_port: 3211,
        data_dir: None,
        admin_key: None,
        host: IpAddr::from([127, 0, 0, 1]),
        as_convex: false,
    };
    let mut project = None;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--port" => {
                options.port = value("--port")?.parse().map_err(|_| "--port takes a number")?
            }
            "--site-port" => {
                options.site_port =
                    value("--site-port")?.parse().map_err(|_| "--site-port takes a number")?
            }
            "--data-dir" => options.data_dir = Some(PathBuf::from(value("--data-dir")?)),
            "--admin-key" => options.admin_key = Some(value("--admin-key")?),
            "--host" => {
                options.host = value("--host")?.parse().map_err(|_| "--host takes an IP address")?
            }
            "--as-convex" => options.as_convex = true,
            "-h" | "--help" => return Err(String::new()),
            other if other.starts_with('-') => return Err(format!("unknown option `{other}`")),
            other => project = Some(PathBuf::from(other)),
        }
    }
    options.project = project.ok_or("the project folder is missing")?;
    Ok(options)
}

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1).collect()) {
        Ok(options) => options,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("atrium-engine: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ATRIUM_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    if !options.project.is_dir() {
        eprintln!("atrium-engine: {} is not a folder", options.project.display());
        return ExitCode::from(2);
    }
    let name = options
        .project
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .map(|n| {
            n.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
                .collect()
        })
        .unwrap_or_else(|| "atrium-local".to_owned());
    let config = DeploymentConfig {
        data_dir: options
            .data_dir
            .clone()
            .unwrap_or_else(|| DeploymentConfig::default_data_dir(&options.project)),
        project_dir: Some(options.project.clone()),
        instance_name: name,
        admin_key: options.admin_key.clone(),
    };
    let deployment = match Deployment::open(config) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("atrium-engine: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = tokio::runtime::Runtime::new().expect("the async runtime starts");
    runtime.block_on(async move {
        let server = match serve(
            deployment.clone(),
            ServerConfig {
                host: options.host,
                port: options.port,
                site_port: options.site_port,
                atrium_extensions: !options.as_convex,
            },
        )
        .await
        {
            Ok(server) => server,
            Err(e) => {
                eprintln!(
                    "atrium-engine: cannot listen on {} (ports {} and {}): {e}",
                    options.host, options.port, options.site_port
                );
                return ExitCode::FAILURE;
            }
        };
        println!("Convex URL: {}", server.cloud_url);
        println!("Site URL: {}", server.site_url);
        println!("Admin key: {}", deployment.admin_key());
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        wait_for_stop_signal().await;
        eprintln!("atrium-engine: stopping");
        server.stop().await;
        deployment.stop();
        ExitCode::SUCCESS
    })
}

async fn wait_for_stop_signal() {
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
