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
        .map(|c| ComponentSummary::new(c.path, c.definition_name, c.definition_path))
        .collect();
    list.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(list)
}
