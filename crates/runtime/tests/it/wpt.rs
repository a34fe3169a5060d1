//! Web Platform Tests' URL tables (`wpt/urltestdata.json`, `wpt/setters_tests.json`: WPT's
//! data files, BSD-3-Clause, as the `url` crate vendors them, WPT commit in their first
//! line) run against the runtime's `URL` inside QuickJS. The cases that fail are listed
//! in `wpt/url_known_failures.txt` with the reason; a new failure, or a listed case that
//! now passes, fails the test (`ATRIUM_UPDATE_WPT=1` rewrites the list). The Encoding
//! tables (`wpt/encoding/*.json`, cases taken from WPT's `encoding/` tests) run the same
//! way against TextDecoder and TextEncoder, their failures in
//! `wpt/encoding_known_failures.txt` (reasons in `wpt/README.md`).

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
    let header = "# WPT URL cases the runtime's URL fails (the `url` crate's behaviour; see the reasons in\n# crates/runtime/tests/it/wpt/README.md). One case per line.\n";
    let passed = compare_with_known(&result, &dir.join("url_known_failures.txt"), header, "url");
    assert!(passed > 800, "only {passed} WPT url cases passed");
}

#[test]
fn wpt_encoding_tables_pass_in_the_isolate() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/wpt");
    let read = |name: &str| std::fs::read_to_string(dir.join("encoding").join(name)).unwrap();
    let tables = [
        ("labels", read("labels.json")),
        ("fatal", read("fatal.json")),
        ("bom", read("bom.json")),
        ("streaming", read("streaming.json")),
        ("calls", read("decode_calls.json")),
        ("encodeInto", read("encode_into.json")),
    ];
    let (_d, runner) = runner();
    let args = tables.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let result = run(&runner, "wptEncoding:run", FunctionKind::Query, args);
    let header = "# WPT Encoding cases the runtime's TextDecoder/TextEncoder fail (see the reasons in\n# crates/runtime/tests/it/wpt/README.md). One case per line.\n";
    let known = dir.join("encoding_known_failures.txt");
    let passed = compare_with_known(&result, &known, header, "encoding");
    assert!(passed > 300, "only {passed} WPT encoding cases passed");
}

/// Checks a run's failures against the known list at `known_path` (rewritten first with
/// `ATRIUM_UPDATE_WPT=1`); the number of cases that passed.
fn compare_with_known(
    result: &serde_json::Value,
    known_path: &std::path::Path,
    header: &str,
    what: &str,
) -> u64 {
    let failed: Vec<String> = result["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().replace('\n', "\\n"))
        .collect();
    let passed = result["passed"].as_u64().unwrap();
    println!("WPT {what}: {passed} passed, {} known failures", failed.len());
    if std::env::var_os("ATRIUM_UPDATE_WPT").is_some() {
        let mut text = String::from(header);
        for line in &failed {
            text.push_str(line);
            text.push('\n');
        }
        std::fs::write(known_path, text).unwrap();
    }
    let known: Vec<String> = std::fs::read_to_string(known_path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_owned)
        .collect();
    assert_eq!(failed, known, "WPT {what} failures changed ({passed} passed)");
    passed
}
