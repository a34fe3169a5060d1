//! `atrium`: the desktop dashboard, or the same dashboard in a browser.
//!
//! With a display, it opens the window ([`desktop`]). With `--browser`, or when no display
//! is available, it serves the UI on 127.0.0.1 instead ([`browser`]) and prints one line,
//! `Atrium UI: http://127.0.0.1:N/?token=T`, for people and scripts to open.
//!
//! This crate is a thin host: commands, state and rules live in `atrium-studio`. It is the
//! only crate that depends on tauri.

mod args;
mod browser;
mod desktop;
mod ui_assets;

use std::process::ExitCode;

use args::{Args, Mode};

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("atrium: {message}\n\n{}", args::USAGE);
            return ExitCode::from(2);
        }
    };
    if args.help {
        println!("{}", args::USAGE);
        return ExitCode::SUCCESS;
    }
    for ignored in &args.ignored {
        eprintln!("atrium: ignoring unknown argument `{ignored}`");
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ATRIUM_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();

    let mode = match args.mode {
        Mode::Browser => Mode::Browser,
        Mode::Desktop if !desktop::display_available() => {
            eprintln!(
                "atrium: no display found ($DISPLAY and $WAYLAND_DISPLAY are unset); starting browser mode."
            );
            Mode::Browser
        }
        Mode::Desktop => Mode::Desktop,
    };
    let result = match mode {
        Mode::Browser => browser::run(args.port),
        Mode::Desktop => desktop::run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("atrium: {message}");
            ExitCode::FAILURE
        }
    }
}
