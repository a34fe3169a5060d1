//! The command line: `atrium [--browser] [--port N]`.

pub(crate) const USAGE: &str = "\
Usage: atrium [--browser] [--port N]

  (no options)   open the desktop window; without a display, start browser mode
  --browser      serve the dashboard on 127.0.0.1 for a web browser; no window
  --port N       the port for browser mode (default: a free port)
  -h, --help     show this help

Browser mode prints `Atrium UI: http://127.0.0.1:N/?token=T`; requests without the
token are refused. Set ATRIUM_LOG=info (or debug) for more logging.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Desktop,
    Browser,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Args {
    pub(crate) mode: Mode,
    pub(crate) port: u16,
    pub(crate) help: bool,
    /// Arguments we do not know. WebDriver launches the app with its own flags
    /// (`--automation`), so unknown flags are reported, not fatal.
    pub(crate) ignored: Vec<String>,
}

impl Args {
    pub(crate) fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut parsed = Args { mode: Mode::Desktop, port: 0, help: false, ignored: Vec::new() };
        let mut port_given = false;
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--browser" => parsed.mode = Mode::Browser,
                "-h" | "--help" => parsed.help = true,
                "--port" => {
                    let value = args.next().ok_or("--port needs a number, e.g. --port 4000")?;
                    parsed.port = parse_port(&value)?;
                    port_given = true;
                }
                _ => match arg.strip_prefix("--port=") {
                    Some(value) => {
                        parsed.port = parse_port(value)?;
                        port_given = true;
                    }
                    None => parsed.ignored.push(arg),
                },
            }
        }
        if port_given && parsed.mode == Mode::Desktop {
            return Err("--port applies to browser mode only; add --browser".into());
        }
        Ok(parsed)
    }
}

fn parse_port(value: &str) -> Result<u16, String> {
    value.parse().map_err(|_| format!("--port takes a number from 0 to 65535, not `{value}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, String> {
        Args::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn defaults_to_the_desktop() {
        let args = parse(&[]).unwrap();
        assert_eq!(args.mode, Mode::Desktop);
        assert_eq!(args.port, 0);
    }

    #[test]
    fn browser_mode_with_a_port() {
        assert_eq!(parse(&["--browser", "--port", "4100"]).unwrap().port, 4100);
        assert_eq!(parse(&["--port=4101", "--browser"]).unwrap().port, 4101);
    }

    #[test]
    fn bad_ports_are_named() {
        let err = parse(&["--browser", "--port", "lots"]).unwrap_err();
        assert!(err.contains("`lots`"), "{err}");
        assert!(parse(&["--browser", "--port"]).is_err());
        assert!(parse(&["--browser", "--port", "70000"]).is_err());
        assert!(parse(&["--port", "4000"]).unwrap_err().contains("--browser"));
    }

    #[test]
    fn unknown_flags_are_kept_for_a_warning() {
        assert_eq!(parse(&["--automation"]).unwrap().ignored, vec!["--automation".to_string()]);
    }
}
