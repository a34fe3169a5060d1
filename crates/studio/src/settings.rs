//! User settings: what they are, and how they are kept on disk.
//!
//! Settings live in `settings.json` in the studio's config directory. Writes go to a
//! temporary file that is then renamed over the old one, so a crash never leaves a
//! half-written file. A file that cannot be read or parsed is left untouched until the user
//! changes a setting; until then the defaults apply and the problem is reported.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::CommandError;

/// Which colour theme the UI uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ThemePreference {
    /// Follow the operating system's light/dark setting.
    #[default]
    System,
    Light,
    Dark,
}

/// Everything the user can set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Settings {
    pub theme: ThemePreference,
}

/// A change to some settings; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(default, deny_unknown_fields)]
pub struct SettingsPatch {
    #[ts(optional)]
    pub theme: Option<ThemePreference>,
}

impl Settings {
    pub fn apply(&mut self, patch: SettingsPatch) {
        let SettingsPatch { theme } = patch;
        if let Some(theme) = theme {
            self.theme = theme;
        }
    }
}

/// The settings file and what was last read from or written to it.
#[derive(Debug)]
pub(crate) struct SettingsFile {
    path: PathBuf,
}

impl SettingsFile {
    pub(crate) fn new(config_dir: &Path) -> Self {
        Self { path: config_dir.join("settings.json") }
    }

    #[cfg(test)]
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the settings; a missing file means defaults. On a bad file, returns the
    /// defaults and a sentence saying what was wrong.
    pub(crate) fn load(&self) -> (Settings, Option<String>) {
        crate::files::read_json(&self.path, "settings")
    }

    /// Writes the settings atomically: a temporary file in the same directory, synced, then
    /// renamed over the old file.
    pub(crate) fn save(&self, settings: &Settings) -> Result<(), CommandError> {
        crate::files::write_json(&self.path, settings, "settings")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_gives_defaults_without_a_problem() {
        let dir = tempfile::tempdir().unwrap();
        let (settings, problem) = SettingsFile::new(dir.path()).load();
        assert_eq!(settings, Settings::default());
        assert_eq!(problem, None);
    }

    #[test]
    fn save_then_load_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::new(&dir.path().join("nested"));
        let settings = Settings { theme: ThemePreference::Dark };
        file.save(&settings).unwrap();
        assert_eq!(file.load(), (settings, None));
        assert!(!file.path().with_extension("json.tmp").exists(), "temporary file left behind");
    }

    #[test]
    fn corrupt_file_is_reported_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::new(dir.path());
        std::fs::write(file.path(), b"{ not json").unwrap();
        let (settings, problem) = file.load();
        assert_eq!(settings, Settings::default());
        let problem = problem.expect("a problem is reported");
        assert!(problem.contains("settings.json"), "{problem}");
        assert_eq!(std::fs::read(file.path()).unwrap(), b"{ not json");
    }

    #[test]
    fn patch_changes_only_given_fields() {
        let mut settings = Settings { theme: ThemePreference::Light };
        settings.apply(SettingsPatch::default());
        assert_eq!(settings.theme, ThemePreference::Light);
        settings.apply(SettingsPatch { theme: Some(ThemePreference::System) });
        assert_eq!(settings.theme, ThemePreference::System);
    }
}
