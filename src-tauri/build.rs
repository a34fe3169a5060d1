//! Reads the root `tauri.conf.json` (the app's one configuration) at build time.

fn main() {
    let dist = std::path::Path::new("../ui/dist/index.html");
    if !dist.exists() {
        println!(
            "cargo::error=ui/dist is missing: build the UI first (`make ui`, or `npm --prefix ui run build`)."
        );
        return;
    }
    println!("cargo::rerun-if-changed=../tauri.conf.json");
    println!("cargo::rerun-if-changed=../ui/dist");
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json"))
        .expect("tauri build configuration");
}
