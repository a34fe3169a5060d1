//! A live query's handle: its results as they arrive, the one held now, and unsubscribing
//! when dropped. The connection task (`sync.rs`) feeds it; it sends nothing but its removal.

use atrium_value::Value;
use tokio::sync::{mpsc, watch};

use super::{Command, QueryResult};
use crate::ClientError;

/// A live query: [`Subscription::next`] yields each new result. Dropping it unsubscribes.
#[derive(Debug)]
pub struct Subscription {
    pub(super) id: u32,
    pub(super) values: watch::Receiver<QueryResult>,
    pub(super) commands: mpsc::UnboundedSender<Command>,
    pub(super) url: String,
}

impl Subscription {
    /// Waits for the query's next result (the first one, then each change).
    pub async fn next(&mut self) -> Result<Value, ClientError> {
        self.values.changed().await.map_err(|_| ClientError::Closed { url: self.url.clone() })?;
        match self.values.borrow_and_update().clone() {
            Some(Ok(value)) => Ok(value),
            Some(Err(message)) => {
                Err(ClientError::Function { message, data: None, log_lines: Vec::new() })
            }
            None => Err(ClientError::Closed { url: self.url.clone() }),
        }
    }
}

impl Subscription {
    /// The result held now (the last one received), without waiting; `None` before the
    /// first. After a mutation resolves, it reflects the mutation.
    pub fn latest(&self) -> Option<Result<Value, ClientError>> {
        match self.values.borrow().clone()? {
            Ok(value) => Some(Ok(value)),
            Err(message) => {
                Some(Err(ClientError::Function { message, data: None, log_lines: Vec::new() }))
            }
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Unsubscribe { id: self.id });
    }
}
