//! The HTTP function API's bodies.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// `POST /api/query|mutation|action|function` and each entry of `/api/query_batch`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UdfRequest {
    pub path: String,
    /// An object of named arguments, or a one-element array holding it (legacy form).
    #[serde(default)]
    pub args: Json,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component_path: Option<String>,
}

/// `POST /api/run/{path}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRequest {
    #[serde(default)]
    pub args: Json,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The component instance the function is in (admins only); the app when absent.
    #[serde(default, rename = "componentPath", skip_serializing_if = "Option::is_none")]
    pub component_path: Option<String>,
}

/// `POST /api/query_at_ts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryAtTsRequest {
    pub path: String,
    #[serde(default)]
    pub args: Json,
    /// Base64 of the u64 timestamp.
    pub ts: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// `POST /api/query_ts`'s answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryTsResponse {
    pub ts: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryBatchRequest {
    pub queries: Vec<UdfRequest>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryBatchResponse {
    pub results: Vec<UdfResponse>,
}

/// A function's outcome: always HTTP 200, success or error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum UdfResponse {
    #[serde(rename_all = "camelCase")]
    Success {
        value: Json,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        log_lines: Vec<String>,
    },
    #[serde(rename_all = "camelCase")]
    Error {
        error_message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error_data: Option<Json>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        log_lines: Vec<String>,
    },
}

/// A non-function error: `{code, message}` with an HTTP status from its class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

/// `GET /api/check_admin_key`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckAdminKeyResponse {
    pub success: bool,
    pub allowed_ops: Vec<String>,
    pub is_read_only: bool,
}

/// A call's arguments as the function receives them: the `args` of an HTTP body or a sync
/// message is an object, or a one-element array holding it (what clients send); `null`
/// is no arguments. The error says what was sent instead.
pub fn arguments_object(args: &Json) -> Result<atrium_value::Value, String> {
    use atrium_value::Value;
    let args = match args {
        Json::Null => return Ok(Value::Object(Default::default())),
        Json::Array(items) if items.len() == 1 => &items[0],
        other => other,
    };
    match atrium_value::json::from_json(args) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(other) => {
            Err(format!("Function arguments must be an object, not {}", other.value_type().name()))
        }
        Err(e) => Err(format!("Invalid function arguments: {e}")),
    }
}

/// A console line as the HTTP API writes it: `[LEVEL] message`.
pub fn log_line(level: &str, message: &str) -> String {
    format!("[{level}] {message}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn responses_have_the_documented_shape() {
        let ok = UdfResponse::Success { value: json!(1), log_lines: vec![] };
        assert_eq!(serde_json::to_value(&ok).unwrap(), json!({"status": "success", "value": 1}));
        let err = UdfResponse::Error {
            error_message: "boom".into(),
            error_data: Some(json!({"code": 1})),
            log_lines: vec![log_line("LOG", "hi")],
        };
        assert_eq!(
            serde_json::to_value(&err).unwrap(),
            json!({"status": "error", "errorMessage": "boom", "errorData": {"code": 1}, "logLines": ["[LOG] hi"]})
        );
        let request: UdfRequest = serde_json::from_value(
            json!({"path": "m:f", "args": [{}], "format": "json", "componentPath": ""}),
        )
        .unwrap();
        assert_eq!(request.component_path.as_deref(), Some(""));
    }
}
