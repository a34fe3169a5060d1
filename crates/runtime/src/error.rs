//! Errors: the function's own failure (reported to its caller) versus the runtime's.

use atrium_value::Value;

/// A function that threw: what its caller sees.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionError {
    /// `Uncaught Error: …`, as Convex words it.
    pub message: String,
    /// The data of a thrown `ConvexError`.
    pub data: Option<Value>,
}

impl FunctionError {
    /// The error a thrown value described as `{name, message, data}` stands for, worded as
    /// Convex words it (`Uncaught Error: …`; `data` is a `ConvexError`'s, as JSON text).
    pub(crate) fn from_described(json: &serde_json::Value) -> FunctionError {
        let name = json["name"].as_str().unwrap_or_default();
        let message = json["message"].as_str().unwrap_or_default();
        let text = match (name.is_empty(), message.is_empty()) {
            (false, false) => format!("Uncaught {name}: {message}"),
            (false, true) => format!("Uncaught {name}"),
            (true, _) => format!("Uncaught {message}"),
        };
        let data = json["data"].as_str().and_then(|d| atrium_value::json::from_json_str(d).ok());
        FunctionError { message: text, data }
    }
}

impl std::fmt::Display for FunctionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The runtime could not run the function at all.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("Could not find module for function `{0}`: no file convex/{1}.ts or .js")]
    ModuleNotFound(String, String),
    #[error("{0}")]
    FunctionNotFound(String),
    /// The function exists but is another kind (a mutation called as a query).
    #[error("{0}")]
    WrongKind(String),
    #[error("Invalid function path `{0}`: expected `module:export`, e.g. `messages:list`")]
    BadPath(String),
    #[error("{path}:{line}:{column}: {message}")]
    Syntax { path: String, line: usize, column: usize, message: String },
    #[error("Cannot resolve import `{specifier}` in {importer}: {reason}")]
    Import { specifier: String, importer: String, reason: String },
    #[error("Could not read {path}: {error}")]
    Io { path: String, error: std::io::Error },
    /// A module failed to load or defines what it may not (Convex refuses the push).
    #[error("Failed to analyze {module}: {message}")]
    Analyze { module: String, message: String },
    /// A module threw while it was imported (or failed to link): `file` is its path.
    #[error("Failed to load {file}: {message}")]
    Load { file: String, message: String },
    #[error("JavaScript engine error: {0}")]
    Js(String),
    #[error(transparent)]
    Engine(#[from] atrium_engine::EngineError),
    /// A scheduled job's mutation was not committed because the job was cancelled meanwhile.
    #[error("the scheduled job was cancelled while it ran")]
    Abandoned,
}

impl From<rquickjs::Error> for RuntimeError {
    fn from(e: rquickjs::Error) -> Self {
        RuntimeError::Js(e.to_string())
    }
}
