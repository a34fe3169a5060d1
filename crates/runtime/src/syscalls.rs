//! The host side of `Convex.syscall` and `Convex.asyncSyscall`: each op takes JSON text
//! and returns JSON text, or an error message that user code sees as a thrown `Error`.
//!
//! Database ops run on the function's engine transaction; writes are refused outside
//! mutations. Values inside use Convex JSON.

use std::collections::{BTreeMap, HashMap};

use atrium_engine::{PatchValue, Transaction};
use atrium_value::json::{from_json, to_json};
use atrium_value::names::{CREATION_TIME_FIELD, ID_FIELD};
use atrium_value::{DocumentId, Object, Value};
use serde_json::{Value as Json, json};

use crate::query::{Query, QueryStream};
use crate::runner::{FunctionKind, LogLine, Nested, Runner};
use crate::scheduler;

/// Everything one function execution's syscalls share.
pub struct HostState {
    /// `None` while modules are being imported (analysis): database use is refused.
    pub tx: Option<Transaction>,
    pub kind: FunctionKind,
    streams: HashMap<u32, QueryStream>,
    next_query_id: u32,
    paginated: bool,
    pub logs: Vec<LogLine>,
    /// For calls to other functions.
    runner: Option<Runner>,
    depth: usize,
    /// The function being run (`messages:send`), for `ctx.meta`.
    pub function_path: String,
    /// Nanoseconds spent in syscalls, which do not count against the time limit.
    syscall_clock: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
}

impl std::fmt::Debug for HostState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostState")
            .field("kind", &self.kind)
            .field("queries", &self.streams.len())
            .finish()
    }
}

type OpResult = Result<Json, String>;

/// A failed syscall: the message user code sees, and for a `ConvexError` its data.
#[derive(Debug, Clone, PartialEq)]
pub struct SyscallError {
    pub message: String,
    /// Convex JSON; when present, the library throws a `ConvexError` with it.
    pub data: Option<Json>,
}

impl From<String> for SyscallError {
    fn from(message: String) -> Self {
        Self { message, data: None }
    }
}

impl From<&str> for SyscallError {
    fn from(message: &str) -> Self {
        Self { message: message.to_owned(), data: None }
    }
}

/// Pagination's cursor positions: after an index key, or the end of the range.
#[derive(Debug, Clone, PartialEq)]
enum Position {
    After(Vec<u8>),
    End,
}

const MAX_PAGE_SIZE: f64 = 32_000.0;
/// Convex's limit on documents one execution reads.
pub const MAX_DOCUMENTS_READ: u64 = 32_000;
/// Convex's limit on bytes one execution reads.
pub const MAX_BYTES_READ: u64 = 16 << 20;
/// Convex's limit on documents one execution writes.
const MAX_DOCUMENTS_WRITTEN: usize = 16_000;

fn invalid_cursor() -> SyscallError {
    SyscallError {
        message: "InvalidCursor: Tried to run a query starting from a cursor, but it looks like this cursor is from a different query.".into(),
        data: Some(json!({ "isConvexSystemError": true, "paginationError": "InvalidCursor" })),
    }
}

/// A stable hash of the query and the index it reads, carried in every cursor.
fn fingerprint(query: &Json, index: Option<&atrium_engine::IndexInfo>) -> u64 {
    let mut text = query.to_string();
    if let Some(index) = index {
        for field in &index.fields {
            text.push('|');
            text.push_str(&field.join("."));
        }
    }
    text.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3))
}

fn encode_cursor(fp: u64, position: &Position) -> String {
    match position {
        Position::End => format!("{fp:016x}:end"),
        Position::After(key) => {
            let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
            format!("{fp:016x}:{hex}")
        }
    }
}

fn decode_cursor(fp: u64, cursor: &str) -> Result<Position, SyscallError> {
    let (given, position) = cursor.split_once(':').ok_or_else(invalid_cursor)?;
    if given != format!("{fp:016x}") {
        return Err(invalid_cursor());
    }
    if position == "end" {
        return Ok(Position::End);
    }
    if position.len() % 2 != 0 {
        return Err(invalid_cursor());
    }
    (0..position.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&position[i..i + 2], 16).map_err(|_| invalid_cursor()))
        .collect::<Result<Vec<u8>, _>>()
        .map(Position::After)
}

impl HostState {
    pub fn new(tx: Option<Transaction>, kind: FunctionKind) -> Self {
        Self {
            tx,
            kind,
            streams: HashMap::new(),
            next_query_id: 0,
            paginated: false,
            logs: Vec::new(),
            runner: None,
            depth: 0,
            syscall_clock: None,
            function_path: String::new(),
        }
    }

    pub fn with_syscall_clock(
        mut self,
        clock: std::sync::Arc<std::sync::atomic::AtomicU64>,
    ) -> Self {
        self.syscall_clock = Some(clock);
        self
    }

    /// Runs a syscall, adding its duration to the syscall clock.
    pub fn timed<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let started = std::time::Instant::now();
        let result = f(self);
        if let Some(clock) = &self.syscall_clock {
            clock.fetch_add(
                started.elapsed().as_nanos() as u64,
                std::sync::atomic::Ordering::Relaxed,
            );
        }
        result
    }

    /// Lets this execution call other functions (`depth` is how deep in such calls it is).
    pub fn with_runner(mut self, runner: Runner, depth: usize) -> Self {
        self.runner = Some(runner);
        self.depth = depth;
        self
    }

    fn tx_mut(&mut self) -> Result<&mut Transaction, String> {
        self.tx.as_mut().ok_or_else(import_time)
    }

    /// Resolves document IDs to table names for validators.
    pub fn ids(&self) -> impl atrium_value::validator::IdTables + '_ {
        TxIds(self.tx.as_ref())
    }

    /// A synchronous syscall (`Convex.syscall`).
    pub fn syscall(&mut self, op: &str, args: &str) -> Result<String, String> {
        let args = parse_args(op, args)?;
        let result = match op {
            "1.0/queryStream" => self.query_stream(&args),
            "1.0/queryCleanup" => self.query_cleanup(&args),
            "1.0/db/normalizeId" => self.normalize_id(&args),
            "1.0/getSnapshotTs" => {
                Ok(json!(to_json(&Value::Int64(self.tx_mut()?.snapshot().0 as i64))))
            }
            other => Err(format!("Unknown syscall `{other}`")),
        }?;
        Ok(result.to_string())
    }

    /// An asynchronous syscall (`Convex.asyncSyscall`), completed before the function's
    /// next microtask runs.
    pub fn async_syscall(&mut self, op: &str, args: &str) -> Result<String, SyscallError> {
        let args = parse_args(op, args)?;
        match op {
            "1.0/queryPage" => {
                let page = self.query_page(&args)?;
                self.check_limits()?;
                return Ok(page.to_string());
            }
            "1.0/runUdf" => return self.run_udf(&args).map(|r| r.to_string()),
            "1.0/actions/query" | "1.0/actions/mutation" | "1.0/actions/action" => {
                return self.run_from_action(op, &args).map(|r| r.to_string());
            }
            "1.0/schedule" | "1.0/actions/schedule" => {
                return self.schedule(op, &args).map(|r| r.to_string());
            }
            "1.0/cancel_job" | "1.0/actions/cancel_job" => {
                return self.cancel_job(op, &args).map(|r| r.to_string());
            }
            _ => {}
        }
        let result = match op {
            "1.0/get" => self.get(&args),
            "1.0/queryStreamNext" => self.query_stream_next(&args),
            "1.0/insert" => self.insert(&args),
            "1.0/shallowMerge" => self.patch(&args),
            "1.0/replace" => self.replace(&args),
            "1.0/remove" => self.remove(&args),
            "1.0/count" => self.count(&args),
            "1.0/getFunctionMetadata" => Ok(json!({
                "name": crate::execution_log::identifier(&self.function_path),
                "componentPath": "",
            })),
            "1.0/getDeploymentMetadata" => {
                Ok(json!({ "name": "local", "region": null, "class": "local" }))
            }
            "1.0/getRequestMetadata" => match self.kind {
                FunctionKind::Query => {
                    Err("RequestMetadataNotAllowed: request metadata is not available in queries"
                        .into())
                }
                _ => Ok(
                    json!({ "ip": null, "userAgent": null, "requestId": "", "scheduledFunctionId": null, "authToken": null }),
                ),
            },
            "1.0/getTransactionMetrics" => self.transaction_metrics(),
            "1.0/createFunctionHandle" => {
                Err("Function handles are not supported by this Atrium runtime yet".into())
            }
            "1.0/getUserIdentity" => {
                Ok(self.runner.as_ref().and_then(Runner::identity).cloned().unwrap_or(Json::Null))
            }
            "1.0/actions/vectorSearch" => self.vector_search(&args),
            op if op.starts_with("1.0/storage") => {
                Err(format!("File storage (`{op}`) is not supported by this Atrium engine yet"))
            }
            other => Err(format!("Unknown or unsupported syscall `{other}`")),
        }?;
        self.check_limits()?;
        Ok(result.to_string())
    }

    /// Convex's per-execution limits on what a function reads and writes.
    fn check_limits(&self) -> Result<(), String> {
        let Some(tx) = &self.tx else { return Ok(()) };
        let (documents, bytes) = tx.read_stats();
        if documents > MAX_DOCUMENTS_READ {
            return Err(format!(
                "Too many documents read in a single function execution (limit: {MAX_DOCUMENTS_READ}). Consider using smaller limits in your queries, paginating your queries, or using indexed queries with a selective index range expression."
            ));
        }
        if bytes > MAX_BYTES_READ {
            return Err(format!(
                "Too many bytes read in a single function execution (limit: {MAX_BYTES_READ} bytes). Consider using smaller limits in your queries, paginating your queries, or using indexed queries with a selective index range expression."
            ));
        }
        if tx.write_count() > MAX_DOCUMENTS_WRITTEN {
            return Err(format!(
                "Too many documents written in a single function execution (limit: {MAX_DOCUMENTS_WRITTEN})."
            ));
        }
        Ok(())
    }

    fn transaction_metrics(&self) -> OpResult {
        let tx = self
            .tx
            .as_ref()
            .ok_or("Transaction metrics are only available in queries and mutations")?;
        let (documents, bytes) = tx.read_stats();
        let metric = |used: u64, limit: u64| json!({ "used": used, "remaining": limit.saturating_sub(used) });
        Ok(json!({
            "bytesRead": metric(bytes, MAX_BYTES_READ),
            "bytesWritten": metric(0, 16 << 20),
            "databaseQueries": metric(self.next_query_id as u64, 4096),
            "documentsRead": metric(documents, MAX_DOCUMENTS_READ),
            "documentsWritten": metric(tx.write_count() as u64, 16_000),
            "functionsScheduled": metric(0, 1000),
            "scheduledFunctionArgsBytes": metric(0, 16 << 20),
        }))
    }

    fn require_mutation(&self, what: &str) -> Result<(), String> {
        match self.kind {
            FunctionKind::Mutation => Ok(()),
            _ => Err(format!("{what} is only allowed in mutations")),
        }
    }

    fn document_id(&mut self, args: &Json, key: &str, op: &str) -> Result<DocumentId, String> {
        let text = args
            .get(key)
            .and_then(Json::as_str)
            .ok_or_else(|| format!("Missing argument `{key}` for `{op}`"))?;
        let id = DocumentId::decode(text).map_err(|e| {
            format!("Invalid argument `{key}` for `{op}`: Unable to decode ID: {e}")
        })?;
        if let Some(expected) = args.get("table").and_then(Json::as_str) {
            let actual = self.tx_mut()?.table_name(id.table);
            if actual.as_deref() != Some(expected) {
                return Err(format!(
                    "Invalid argument `{key}` for `{op}`: expected to be an Id<\"{expected}\">, got Id<\"{}\"> instead.",
                    actual.unwrap_or_else(|| "unknown".into())
                ));
            }
        }
        Ok(id)
    }

    fn get(&mut self, args: &Json) -> OpResult {
        let id = self.document_id(args, "id", "db.get")?;
        Ok(match self.tx_mut()?.get(&id).map_err(|e| e.to_string())? {
            Some(document) => to_json(&document.to_value()),
            None => Json::Null,
        })
    }

    fn insert(&mut self, args: &Json) -> OpResult {
        self.require_mutation("db.insert")?;
        let table = args
            .get("table")
            .and_then(Json::as_str)
            .ok_or("Missing argument `table` for `db.insert`")?;
        let fields = object_arg(args, "db.insert")?;
        let id = self.tx_mut()?.insert(table, fields).map_err(|e| e.to_string())?;
        Ok(json!({ "_id": id.encode() }))
    }

    fn patch(&mut self, args: &Json) -> OpResult {
        self.require_mutation("db.patch")?;
        let id = self.document_id(args, "id", "db.patch")?;
        let value =
            args.get("value").and_then(Json::as_object).ok_or("`db.patch` takes an object")?;
        let mut patch = BTreeMap::new();
        for (name, field) in value {
            let change = match field.as_object() {
                Some(m) if m.len() == 1 && m.contains_key("$undefined") => PatchValue::Remove,
                _ => PatchValue::Set(
                    from_json(field).map_err(|e| format!("Invalid patch for `{name}`: {e}"))?,
                ),
            };
            if name == ID_FIELD || name == CREATION_TIME_FIELD {
                continue; // The library sends them back unchanged; they cannot change.
            }
            patch.insert(name.clone(), change);
        }
        if self.tx_mut()?.get(&id).map_err(|e| e.to_string())?.is_none() {
            return Err(format!("Update on nonexistent document ID {id}"));
        }
        self.tx_mut()?.patch(&id, patch).map_err(|e| e.to_string())?;
        self.get(&json!({ "id": id.encode() }))
    }

    fn replace(&mut self, args: &Json) -> OpResult {
        self.require_mutation("db.replace")?;
        let id = self.document_id(args, "id", "db.replace")?;
        let mut fields = object_arg(args, "db.replace")?;
        let Some(existing) = self.tx_mut()?.get(&id).map_err(|e| e.to_string())? else {
            return Err(format!("Replace on nonexistent document ID {id}"));
        };
        if let Some(given) = fields.remove(ID_FIELD)
            && given != Value::String(id.encode())
        {
            return Err("Document's _id field doesn't match".into());
        }
        if let Some(given) = fields.remove(CREATION_TIME_FIELD)
            && given != Value::Float64(existing.creation_time)
        {
            return Err("Document's _creationTime field doesn't match".into());
        }
        self.tx_mut()?.replace(&id, fields).map_err(|e| e.to_string())?;
        self.get(&json!({ "id": id.encode() }))
    }

    fn remove(&mut self, args: &Json) -> OpResult {
        self.require_mutation("db.delete")?;
        let id = self.document_id(args, "id", "db.delete")?;
        let Some(existing) = self.tx_mut()?.get(&id).map_err(|e| e.to_string())? else {
            return Err(format!("Delete on nonexistent document ID {id}"));
        };
        self.tx_mut()?.delete(&id).map_err(|e| e.to_string())?;
        Ok(to_json(&existing.to_value()))
    }

    fn count(&mut self, args: &Json) -> OpResult {
        let table = args.get("table").and_then(Json::as_str).ok_or("Missing argument `table`")?;
        Ok(json!(self.tx_mut()?.collect_table(table).map_err(|e| e.to_string())?.len() as f64))
    }

    fn query_stream(&mut self, args: &Json) -> OpResult {
        let query = Query::parse(args.get("query").ok_or("Missing argument `query`")?)?;
        let stream = QueryStream::open(query, self.tx.as_mut().ok_or_else(import_time)?)?;
        let id = self.next_query_id;
        self.next_query_id += 1;
        self.streams.insert(id, stream);
        Ok(json!({ "queryId": id }))
    }

    fn query_id(args: &Json) -> Result<u32, String> {
        args.get("queryId")
            .and_then(Json::as_u64)
            .map(|n| n as u32)
            .ok_or_else(|| "Missing argument `queryId`".into())
    }

    fn query_stream_next(&mut self, args: &Json) -> OpResult {
        let id = Self::query_id(args)?;
        let stream = self.streams.get_mut(&id).ok_or_else(|| format!("Query {id} is not open"))?;
        match stream.next(self.tx.as_mut().ok_or_else(import_time)?)? {
            Some(document) => Ok(json!({ "value": to_json(&document.to_value()), "done": false })),
            None => {
                self.streams.remove(&id);
                Ok(json!({ "value": null, "done": true }))
            }
        }
    }

    fn query_page(&mut self, args: &Json) -> Result<Json, SyscallError> {
        let query_json = args.get("query").ok_or("Missing argument `query`")?;
        let query = Query::parse(query_json)?;
        if self.paginated {
            return Err("This query or mutation function ran multiple paginated queries. Convex only supports a single paginated query in each function.".into());
        }
        self.paginated = true;
        let page_size =
            args.get("pageSize").and_then(Json::as_f64).ok_or("Missing argument `pageSize`")?;
        if page_size < 1.0 {
            return Err("Must request at least 1 document while paginating".into());
        }
        if page_size > MAX_PAGE_SIZE {
            return Err(format!(
                "Page size {page_size} is too large; the maximum is {MAX_PAGE_SIZE}"
            )
            .into());
        }
        let page_size = page_size as usize;
        let max_rows = match args.get("maximumRowsRead").and_then(Json::as_f64) {
            Some(n) if n < 1.0 => return Err("maximumRowsRead must be at least 1".into()),
            Some(n) => Some(n as usize),
            None => None,
        };
        let tx = self.tx.as_mut().ok_or_else(import_time)?;
        let mut stream = QueryStream::open(query, tx)?;
        let fp = fingerprint(query_json, stream.index());
        let cursor = match args.get("cursor").and_then(Json::as_str) {
            Some(c) => Some(decode_cursor(fp, c)?),
            None => None,
        };
        let end = match args.get("endCursor").and_then(Json::as_str) {
            Some(c) => Some(decode_cursor(fp, c)?),
            None => None,
        };
        let mut page = Vec::new();
        let mut positions = Vec::new();
        let mut status = Json::Null;
        if cursor != Some(Position::End) {
            if let Some(Position::After(key)) = &cursor {
                stream.start_after(key.clone());
            }
            if let Some(Position::After(key)) = &end {
                stream.end_at(key);
            }
            loop {
                if end.is_none() {
                    if page.len() >= page_size {
                        break;
                    }
                    if max_rows.is_some_and(|max| stream.rows_read >= max) {
                        status = json!("SplitRequired");
                        break;
                    }
                    stream.set_size_hint(page_size - page.len());
                }
                match stream.next(tx)? {
                    Some(document) => {
                        positions.push(stream.position().map(<[u8]>::to_vec).unwrap_or_default());
                        page.push(to_json(&document.to_value()));
                    }
                    None => break,
                }
            }
        }
        let continue_at = match (&end, &cursor) {
            (Some(end), _) => end.clone(),
            (None, Some(Position::End)) => Position::End,
            (None, _) if stream.is_done() => Position::End,
            (None, _) => Position::After(stream.position().map(<[u8]>::to_vec).unwrap_or_default()),
        };
        if status.is_null()
            && (page.len() > 6144 || max_rows.is_some_and(|max| stream.rows_read * 4 > max * 3))
        {
            status = json!("SplitRecommended");
        }
        let split = (page.len() > 2)
            .then(|| encode_cursor(fp, &Position::After(positions[page.len() / 2].clone())));
        Ok(json!({
            "page": page,
            "isDone": continue_at == Position::End,
            "continueCursor": encode_cursor(fp, &continue_at),
            "splitCursor": split,
            "pageStatus": status,
        }))
    }

    fn called_function(args: &Json) -> Result<(String, Value), SyscallError> {
        let name = match args.get("name").and_then(Json::as_str) {
            Some(name) => name.to_owned(),
            None => return Err("Calling functions by handle or component reference is not supported by this Atrium runtime yet".into()),
        };
        let name = name.strip_suffix(".js").map(str::to_owned).unwrap_or(name);
        let call_args = match args.get("args") {
            None | Some(Json::Null) => Value::Object(Object::new()),
            Some(json) => {
                from_json(json).map_err(|e| format!("Invalid arguments for `{name}`: {e}"))?
            }
        };
        // The library sends a bare object; a legacy one-element array is accepted too.
        let call_args = match call_args {
            Value::Array(mut items) if items.len() == 1 => items.remove(0),
            other => other,
        };
        Ok((name, call_args))
    }

    fn nested_failure(error: crate::FunctionError) -> SyscallError {
        SyscallError { message: error.message, data: error.data.as_ref().map(to_json) }
    }

    /// `ctx.runQuery` / `ctx.runMutation` from a query or mutation: the callee runs in this
    /// transaction; a failing mutation's writes are undone.
    fn run_udf(&mut self, args: &Json) -> Result<Json, SyscallError> {
        const MAX_DEPTH: usize = 8;
        let kind = match args.get("udfType").and_then(Json::as_str) {
            Some("query") | Some("snapshotQuery") => FunctionKind::Query,
            Some("mutation") => FunctionKind::Mutation,
            other => return Err(format!("Unsupported udfType {other:?} for runUdf").into()),
        };
        if kind == FunctionKind::Mutation && self.kind != FunctionKind::Mutation {
            return Err("ctx.runMutation is only allowed in mutations and actions".into());
        }
        if self.depth >= MAX_DEPTH {
            return Err(
                format!("Function calls are nested more than {MAX_DEPTH} levels deep").into()
            );
        }
        let (name, call_args) = Self::called_function(args)?;
        let runner = self.runner.clone().ok_or("Calling other functions is not possible here")?;
        let tx = self.tx.take().ok_or_else(import_time)?;
        let checkpoint = tx.checkpoint();
        let outcome = runner.run_nested(&name, kind, &call_args, tx, self.depth + 1);
        match outcome {
            Ok(Nested { mut tx, result, logs }) => {
                self.logs.extend(logs);
                if result.is_err() {
                    tx.rollback_to(checkpoint);
                }
                self.tx = Some(tx);
                result.map(|v| to_json(&v)).map_err(Self::nested_failure)
            }
            Err(error) => {
                // The transaction went with the failed call: this execution cannot go on.
                Err(format!("Failed to run `{name}`: {error}").into())
            }
        }
    }

    /// `ctx.runQuery` / `runMutation` / `runAction` from an action: each its own
    /// transaction, as Convex runs them.
    fn run_from_action(&mut self, op: &str, args: &Json) -> Result<Json, SyscallError> {
        if self.kind != FunctionKind::Action {
            return Err(format!("`{op}` is only available in actions").into());
        }
        let kind = match op {
            "1.0/actions/query" => FunctionKind::Query,
            "1.0/actions/mutation" => FunctionKind::Mutation,
            _ => FunctionKind::Action,
        };
        let (name, call_args) = Self::called_function(args)?;
        let runner = self.runner.clone().ok_or("Calling other functions is not possible here")?;
        let outcome =
            runner.run(&name, kind, call_args).map_err(|e| SyscallError::from(e.to_string()))?;
        self.logs.extend(outcome.logs);
        outcome.result.map(|v| to_json(&v)).map_err(Self::nested_failure)
    }

    /// `ctx.vectorSearch(table, index, { vector, limit, filter })` in an action: the
    /// latest commit's nearest documents as `[{ _id, _score }]`.
    fn vector_search(&mut self, args: &Json) -> OpResult {
        if self.kind != FunctionKind::Action {
            return Err("`vectorSearch` is only available in actions".into());
        }
        let runner = self.runner.clone().ok_or("Vector search is not possible here")?;
        let query = args.get("query").ok_or("vectorSearch: missing `query`")?;
        let index_name = query.get("indexName").and_then(Json::as_str).unwrap_or_default();
        let (table, index) = index_name
            .split_once('.')
            .ok_or_else(|| format!("vectorSearch: invalid index name `{index_name}`"))?;
        let vector = query
            .get("vector")
            .and_then(Json::as_array)
            .ok_or("`vector` must be a non-empty Array in vectorSearch")?
            .iter()
            .map(|x| x.as_f64().ok_or("`vector` must contain only numbers in vectorSearch"))
            .collect::<Result<Vec<f64>, _>>()?;
        let limit = match query.get("limit") {
            None | Some(Json::Null) => atrium_engine::vector::DEFAULT_RESULTS,
            Some(n) => n.as_f64().filter(|n| n.fract() == 0.0 && *n >= 1.0).ok_or_else(|| {
                format!("vectorSearch: `limit` must be a positive integer, got {n}")
            })? as usize,
        };
        let filter = atrium_engine::vector::filter_from_expression(
            query.get("expressions").unwrap_or(&Json::Null),
        )?;
        let outcome = runner
            .engine()
            .vector_search(&atrium_engine::vector::VectorQuery {
                table: table.to_owned(),
                index: index.to_owned(),
                vector,
                limit,
                filter,
                method: atrium_engine::vector::SearchMethod::Auto,
            })
            .map_err(|e| e.to_string())?;
        let results: Vec<Json> = outcome
            .hits
            .iter()
            .map(|hit| json!({ "_id": hit.id.encode(), "_score": hit.score }))
            .collect();
        Ok(json!({ "results": results }))
    }

    fn schedule(&mut self, op: &str, args: &Json) -> Result<Json, SyscallError> {
        let from_action = op.starts_with("1.0/actions/");
        if from_action != (self.kind == FunctionKind::Action) || self.kind == FunctionKind::Query {
            return Err(format!("`{op}` is not available here").into());
        }
        let (name, call_args) = Self::called_function(args)?;
        let ts = args.get("ts").and_then(Json::as_f64).ok_or("Missing argument `ts`")?;
        let runner = self.runner.clone().ok_or("Scheduling is not possible here")?;
        let id = if from_action {
            // From an action the job commits at once, in its own transaction.
            let (id, _) = runner
                .engine()
                .run(16, |tx| {
                    Ok(scheduler::schedule(tx, runner.project(), &name, ts, call_args.clone()))
                })
                .map_err(|e| SyscallError::from(e.to_string()))?;
            id?
        } else {
            let tx = self.tx.as_mut().ok_or_else(import_time)?;
            scheduler::schedule(tx, runner.project(), &name, ts, call_args)?
        };
        Ok(json!(id.encode()))
    }

    fn cancel_job(&mut self, op: &str, args: &Json) -> Result<Json, SyscallError> {
        let text = args.get("id").and_then(Json::as_str).ok_or("Missing argument `id`")?;
        let id =
            DocumentId::decode(text).map_err(|e| format!("Invalid scheduled function ID: {e}"))?;
        if op.starts_with("1.0/actions/") {
            let runner = self.runner.clone().ok_or("Scheduling is not possible here")?;
            let (result, _) = runner
                .engine()
                .run(16, |tx| Ok(scheduler::cancel(tx, &id)))
                .map_err(|e| SyscallError::from(e.to_string()))?;
            result?;
        } else {
            let tx = self.tx.as_mut().ok_or_else(import_time)?;
            scheduler::cancel(tx, &id)?;
        }
        Ok(Json::Null)
    }

    fn query_cleanup(&mut self, args: &Json) -> OpResult {
        Ok(json!(self.streams.remove(&Self::query_id(args)?).is_some()))
    }

    fn normalize_id(&mut self, args: &Json) -> OpResult {
        let table = args.get("table").and_then(Json::as_str).ok_or("Missing argument `table`")?;
        let text =
            args.get("idString").and_then(Json::as_str).ok_or("Missing argument `idString`")?;
        let tx = self.tx_mut()?;
        let id = DocumentId::decode(text)
            .ok()
            .filter(|id| tx.table_name(id.table).as_deref() == Some(table));
        Ok(json!({ "id": id.map(|id| id.encode()) }))
    }
}

fn parse_args(op: &str, args: &str) -> Result<Json, String> {
    serde_json::from_str(args).map_err(|e| format!("Invalid arguments for syscall `{op}`: {e}"))
}

fn object_arg(args: &Json, op: &str) -> Result<Object, String> {
    match from_json(
        args.get("value").ok_or_else(|| format!("Missing argument `value` for `{op}`"))?,
    ) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(other) => Err(format!("`{op}` takes an object, not {}", other.value_type().name())),
        Err(e) => Err(format!("Invalid value for `{op}`: {e}")),
    }
}

fn import_time() -> String {
    "Can't use database at import time".into()
}

struct TxIds<'a>(Option<&'a Transaction>);

impl atrium_value::validator::IdTables for TxIds<'_> {
    fn table_of(&self, id: &DocumentId) -> Option<(String, bool)> {
        let name = self.0?.table_name(id.table)?;
        let system = name.starts_with('_');
        Some((name, system))
    }
}
