//! Commands about the app itself: its info, settings and connection state.

use crate::{AppInfo, CommandError, ConnectionStatus, Settings, SettingsPatch, Studio};

pub(super) async fn app_info(studio: &Studio, _: ()) -> Result<AppInfo, CommandError> {
    Ok(studio.app_info())
}

pub(super) async fn get_settings(studio: &Studio, _: ()) -> Result<Settings, CommandError> {
    Ok(studio.settings())
}

pub(super) async fn update_settings(
    studio: &Studio,
    patch: SettingsPatch,
) -> Result<Settings, CommandError> {
    studio.update_settings(patch)
}

pub(super) async fn connection_status(
    studio: &Studio,
    _: (),
) -> Result<ConnectionStatus, CommandError> {
    Ok(studio.connection_status())
}
