//! Typed calls for the History area: Convex's `paginatedDeploymentEvents` (the deployment
//! audit log, newest first), answered by Convex deployments that offer it and by the local
//! engine alike. A deployment without the function answers `None`, so callers can say so.
//!
//! It holds no presentation: callers turn the event documents into their own views.

use atrium_protocol::dashboard::{DocumentPage, PaginationOpts};
use atrium_protocol::deployment_events::{
    DeploymentEventFilters, PaginatedDeploymentEventsArgs, path,
};

use crate::dashboard::{args_of, decode, is_missing_function};
use crate::{ClientError, DeploymentClient};

impl DeploymentClient {
    /// One page of deployment events (`_deployment_audit_log` documents), newest first,
    /// of `actions` when given, from `cursor` (`None`: the newest); `None` when the
    /// deployment has no such function.
    pub async fn deployment_events_page(
        &self,
        actions: Option<Vec<String>>,
        cursor: Option<String>,
        num_items: usize,
    ) -> Result<Option<DocumentPage>, ClientError> {
        let args = PaginatedDeploymentEventsArgs {
            pagination_opts: PaginationOpts { num_items: Some(num_items as f64), cursor },
            filters: DeploymentEventFilters { min_date: 0.0, max_date: None, actions },
        };
        match self.query(path::PAGINATED_DEPLOYMENT_EVENTS, &args_of(&args)).await {
            Ok(value) => decode("a page of deployment events", &value).map(Some),
            Err(error) if is_missing_function(&error) => Ok(None),
            Err(error) => Err(error),
        }
    }
}
