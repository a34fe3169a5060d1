//! The host side of `Convex.syscall` and `Convex.asyncSyscall`: the table from an op's name
//! to the op family that serves it (`ops/`). Each op takes JSON text and returns JSON
//! text, or an error message that user code sees as a thrown `Error`.
//!
//! Only dispatch lives here: no op's logic, no argument picking.

use serde::de::DeserializeOwned;

pub use crate::host::{HostState, MAX_BYTES_READ, MAX_DOCUMENTS_READ, SyscallError};
use crate::ops::{calls, database, meta, pagination, query, scheduler, storage, vector};

impl HostState {
    /// A synchronous syscall (`Convex.syscall`).
    pub fn syscall(&mut self, op: &str, args: &str) -> Result<String, String> {
        let result = match op {
            "1.0/queryStream" => query::open(self, parse(op, args)?),
            "1.0/queryCleanup" => query::cleanup(self, parse(op, args)?),
            "1.0/db/normalizeId" => database::normalize_id(self, parse(op, args)?),
            "1.0/getSnapshotTs" => {
                parse::<serde_json::Value>(op, args)?;
                database::snapshot_ts(self)
            }
            other => {
                parse::<serde_json::Value>(op, args)?;
                Err(format!("Unknown syscall `{other}`"))
            }
        }?;
        Ok(result.to_string())
    }

    /// An asynchronous syscall (`Convex.asyncSyscall`), completed before the function's
    /// next microtask runs.
    pub fn async_syscall(&mut self, op: &str, args: &str) -> Result<String, SyscallError> {
        let result = match op {
            "1.0/queryPage" => pagination::page(self, parse(op, args)?)?,
            "1.0/runUdf" => return calls::run_udf(self, parse(op, args)?).map(|r| r.to_string()),
            "1.0/actions/query" | "1.0/actions/mutation" | "1.0/actions/action" => {
                return calls::run_from_action(self, op, parse(op, args)?).map(|r| r.to_string());
            }
            "1.0/schedule" | "1.0/actions/schedule" => {
                return scheduler::schedule(self, op, parse(op, args)?).map(|r| r.to_string());
            }
            "1.0/cancel_job" | "1.0/actions/cancel_job" => {
                return scheduler::cancel(self, op, parse(op, args)?).map(|r| r.to_string());
            }
            "1.0/createFunctionHandle" => {
                return calls::create_handle(self, parse(op, args)?).map(|r| r.to_string());
            }
            "1.0/get" => {
                let reply = database::get(self, parse(op, args)?)?;
                self.check_limits()?;
                return Ok(reply);
            }
            "1.0/queryStreamNext" => {
                let reply = query::next(self, parse(op, args)?)?;
                self.check_limits()?;
                return Ok(reply);
            }
            "1.0/insert" => database::insert(self, parse(op, args)?)?,
            "1.0/shallowMerge" => database::patch(self, parse(op, args)?)?,
            "1.0/replace" => database::replace(self, parse(op, args)?)?,
            "1.0/remove" => database::remove(self, parse(op, args)?)?,
            "1.0/count" => database::count(self, parse(op, args)?)?,
            "1.0/actions/vectorSearch" => vector::search(self, parse(op, args)?)?,
            "1.0/storageGetUrl" => storage::get_url(self, parse(op, args)?)?,
            "1.0/storageGetMetadata" => storage::get_metadata(self, parse(op, args)?)?,
            "1.0/storageGenerateUploadUrl" => storage::generate_upload_url(self)?,
            "1.0/storageDelete" => storage::delete(self, parse(op, args)?)?,
            "1.0/storageStore" => storage::store(self, parse(op, args)?)?,
            "1.0/storageGet" => storage::get(self, parse(op, args)?)?,
            other => {
                parse::<serde_json::Value>(op, args)?;
                meta::op(self, other)?
            }
        };
        self.check_limits()?;
        Ok(result.to_string())
    }
}

/// An op's arguments, read into its serde struct.
fn parse<T: DeserializeOwned>(op: &str, args: &str) -> Result<T, String> {
    serde_json::from_str(args).map_err(|e| format!("Invalid arguments for syscall `{op}`: {e}"))
}
