//! The UI's TypeScript types must be exactly what the command table produces.
//!
//! Run `make generate` (or this test with `ATRIUM_UPDATE_BINDINGS=1`) after changing a
//! command or one of its types.

use std::path::PathBuf;

#[test]
fn ui_bindings_are_fresh() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/generated/studio.ts");
    let expected = atrium_studio::commands::typescript_bindings();
    if std::env::var_os("ATRIUM_UPDATE_BINDINGS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expected,
        "{} is stale: the Rust command types changed. Run `make generate` and commit the result.",
        path.display()
    );
}
