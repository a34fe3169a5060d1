//! Every file of every target's corpus (`corpus/<target>/`: the seeds and every crash
//! libFuzzer found) through its target.

#[test]
fn every_corpus_file_runs_through_its_target() {
    for (name, target) in atrium_fuzz::TARGETS {
        for file in super::corpus(name) {
            let data = std::fs::read(&file).unwrap();
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(outcome.is_ok(), "target {name} failed on {}", file.display());
        }
    }
}
