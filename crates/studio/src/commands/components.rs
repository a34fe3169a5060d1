//! The connected deployment's component instances (`components:list`), for the component
//! selectors of the Functions and Logs areas.
//!
//! It must not call components' functions (the Functions commands do, with a component).

use std::sync::Arc;

use crate::component_info::ComponentSummary;
use crate::{CommandError, Studio};

pub(super) async fn component_list(
    studio: &Arc<Studio>,
    _: (),
) -> Result<Vec<ComponentSummary>, CommandError> {
    let connected = studio.connected()?;
    let mut list: Vec<ComponentSummary> = connected
        .http
        .components()
        .await?
        .into_iter()
        .filter(|c| !c.path.is_empty())
        .map(|c| ComponentSummary {
            http_prefix: c.http_prefix,
            ..ComponentSummary::new(c.path, c.definition_name, c.definition_path)
        })
        .collect();
    list.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(list)
}

/// The `componentId` the deployment gives the instance at `path` (as `components:list`
/// answers it), for the functions that take one (Schedules, Files); `None` for the app
/// (`None` or `""`). An unknown path is refused.
pub(super) async fn component_id(
    connected: &crate::deployment::Connected,
    path: Option<&str>,
) -> Result<Option<String>, CommandError> {
    let Some(path) = path.filter(|p| !p.is_empty()) else { return Ok(None) };
    let list = connected.http.components().await?;
    match list.into_iter().find(|c| c.path == path) {
        Some(found) => Ok(Some(found.id)),
        None => Err(CommandError::new(
            crate::ErrorCode::NotFound,
            format!("This deployment has no component installed at {path:?}."),
        )),
    }
}
