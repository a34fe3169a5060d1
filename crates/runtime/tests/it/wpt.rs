//! Web Platform Tests' URL tables (`wpt/urltestdata.json`, `wpt/setters_tests.json`: WPT's
//! data files, BSD-3-Clause, as the `url` crate vendors them, WPT commit in their first
//! line) run against the runtime's `URL` inside QuickJS. The cases that fail are listed
//! in `wpt/url_known_failures.txt` with the reason; a new failure, or a listed case that
//! now passes, fails the test (`ATRIUM_UPDATE_WPT=1` rewrites the list).

use std::path::PathBuf;

use atrium_runtime::FunctionKind;

use crate::web_platform::{run, runner};

#[test]
fn wpt_url_tables_pass_in_the_isolate() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/wpt");
    let parsing = std::fs::read_to_string(dir.join("urltestdata.json")).unwrap();
    let setters = std::fs::read_to_string(dir.join("setters_tests.json")).unwrap();
    let (_d, runner) = runner();
    let result = run(
        &runner,
        "wpt:urls",
        FunctionKind::Query,
        vec![("parsing", &parsing), ("setters", &setters)],
    );
    let failed: Vec<String> = result["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_owned())
        .collect();
    let passed = result["passed"].as_u64().unwrap();
    println!("WPT url: {passed} passed, {} known failures", failed.len());
    let known_path = dir.join("url_known_failures.txt");
    if std::env::var_os("ATRIUM_UPDATE_WPT").is_some() {
        let mut text = String::from(
            "# WPT URL cases the runtime's URL fails (the `url` crate's behaviour; see the reasons in\n# crates/runtime/tests/it/wpt/README.md). One case per line.\n",
        );
        for line in &failed {
            text.push_str(&line.replace('\n', "\\n"));
            text.push('\n');
        }
        std::fs::write(&known_path, text).unwrap();
    }
    let known: Vec<String> = std::fs::read_to_string(&known_path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_owned)
        .collect();
    let failed: Vec<String> = failed.iter().map(|l| l.replace('\n', "\\n")).collect();
    assert_eq!(failed, known, "WPT url failures changed ({passed} passed)");
    assert!(passed > 800, "only {passed} WPT url cases passed");
}
