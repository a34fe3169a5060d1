//! Why a deployment could not open, load or apply its schema. A leaf of the deployment's
//! rooms.

/// What went wrong opening or loading a deployment, naming the folder or the part at fault.
#[derive(Debug, thiserror::Error)]
pub enum DeploymentError {
    #[error("Cannot use the data folder {path}: {error}")]
    DataDir { path: String, error: std::io::Error },
    #[error("The data in {path} cannot be opened: {error}")]
    Engine { path: String, error: Box<atrium_engine::EngineError> },
    #[error("The project cannot be loaded: {0}")]
    Project(Box<atrium_runtime::RuntimeError>),
    #[error("The schema cannot be applied: {0}")]
    Schema(String),
    #[error("The cron jobs cannot be applied: {0}")]
    Crons(String),
}
