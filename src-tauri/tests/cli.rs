//! The `atrium` binary's command line, run as a user would (no display needed).

use std::process::Command;

fn atrium(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_atrium")).args(args).output().expect("atrium runs")
}

#[test]
fn help_names_both_modes() {
    let out = atrium(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("--browser") && text.contains("--port"), "{text}");
}

#[test]
fn bad_arguments_are_named_and_exit_2() {
    let out = atrium(&["--browser", "--port", "lots"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`lots`"));
    let out = atrium(&["--port", "4000"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--browser"));
}
