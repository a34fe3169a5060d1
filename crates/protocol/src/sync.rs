//! The sync WebSocket's messages (`/api/{version}/sync`, `/api/sync`): JSON text frames with
//! a `type` discriminator.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// Client → server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ClientMessage {
    #[serde(rename_all = "camelCase")]
    Connect {
        session_id: String,
        #[serde(default)]
        connection_count: u32,
        #[serde(default)]
        last_close_reason: Option<String>,
        #[serde(default)]
        max_observed_timestamp: Option<String>,
        /// The client's clock (`Date.now()`), whole milliseconds as Convex reads it.
        #[serde(default)]
        client_ts: Option<i64>,
    },
    #[serde(rename_all = "camelCase")]
    ModifyQuerySet { base_version: u32, new_version: u32, modifications: Vec<QuerySetModification> },
    #[serde(rename_all = "camelCase")]
    Mutation {
        request_id: u32,
        udf_path: String,
        #[serde(default)]
        args: Json,
        #[serde(default)]
        component_path: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    Action {
        request_id: u32,
        udf_path: String,
        #[serde(default)]
        args: Json,
        #[serde(default)]
        component_path: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    Authenticate {
        base_version: u32,
        token_type: TokenType,
        #[serde(default)]
        value: Option<String>,
        #[serde(default, alias = "acting_as")]
        impersonating: Option<Json>,
    },
    /// Client telemetry; ignored.
    #[serde(rename_all = "camelCase")]
    Event {
        #[serde(default)]
        event_type: Option<String>,
        #[serde(default)]
        event: Json,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenType {
    Admin,
    User,
    None,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum QuerySetModification {
    #[serde(rename_all = "camelCase")]
    Add {
        query_id: u32,
        udf_path: String,
        #[serde(default)]
        args: Json,
        #[serde(default)]
        journal: Option<String>,
        #[serde(default)]
        component_path: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    Remove { query_id: u32 },
}

/// `{querySet, identity, ts}`: where a client's view stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateVersion {
    pub query_set: u32,
    pub identity: u32,
    /// Base64 of the u64 timestamp.
    pub ts: String,
}

impl StateVersion {
    pub fn initial() -> Self {
        Self { query_set: 0, identity: 0, ts: crate::timestamp::encode(0) }
    }
}

/// Server → client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ServerMessage {
    #[serde(rename_all = "camelCase")]
    Transition {
        start_version: StateVersion,
        end_version: StateVersion,
        modifications: Vec<StateModification>,
    },
    #[serde(rename_all = "camelCase")]
    MutationResponse {
        request_id: u32,
        success: bool,
        result: Json,
        /// The commit timestamp (base64) on success.
        ts: Option<String>,
        log_lines: Vec<String>,
        #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
        error_data: Option<Json>,
    },
    #[serde(rename_all = "camelCase")]
    ActionResponse {
        request_id: u32,
        success: bool,
        result: Json,
        log_lines: Vec<String>,
        #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
        error_data: Option<Json>,
    },
    #[serde(rename_all = "camelCase")]
    AuthError {
        error: String,
        base_version: u32,
        auth_update_attempted: bool,
    },
    FatalError {
        error: String,
    },
    Ping,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum StateModification {
    #[serde(rename_all = "camelCase")]
    QueryUpdated { query_id: u32, value: Json, log_lines: Vec<String>, journal: Option<String> },
    #[serde(rename_all = "camelCase")]
    QueryFailed {
        query_id: u32,
        error_message: String,
        log_lines: Vec<String>,
        journal: Option<String>,
        #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
        error_data: Option<Json>,
    },
    #[serde(rename_all = "camelCase")]
    QueryRemoved { query_id: u32 },
}

/// A field that is there, even as `null`: `errorData: null` is a `ConvexError` whose data is
/// null (JavaScript clients test `errorData !== undefined`), unlike no `errorData` at all.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Json>, D::Error> {
    Json::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_what_the_js_client_sends() {
        let connect: ClientMessage = serde_json::from_value(json!({"type":"Connect","sessionId":"s","connectionCount":0,"lastCloseReason":"InitialConnect","clientTs":1795535012404u64})).unwrap();
        assert!(matches!(connect, ClientMessage::Connect { connection_count: 0, .. }));
        let modify: ClientMessage = serde_json::from_value(json!({"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[
            {"type":"Add","queryId":0,"udfPath":"messages:list","args":[{}]},{"type":"Remove","queryId":3}]})).unwrap();
        assert!(
            matches!(modify, ClientMessage::ModifyQuerySet { new_version: 1, ref modifications, .. } if modifications.len() == 2)
        );
        let auth: ClientMessage = serde_json::from_value(
            json!({"type":"Authenticate","baseVersion":0,"tokenType":"Admin","value":"k"}),
        )
        .unwrap();
        assert!(matches!(auth, ClientMessage::Authenticate { token_type: TokenType::Admin, .. }));
    }

    #[test]
    fn writes_what_the_js_client_reads() {
        let t = ServerMessage::Transition {
            start_version: StateVersion::initial(),
            end_version: StateVersion { query_set: 1, identity: 0, ts: "AQAAAAAAAAA=".into() },
            modifications: vec![StateModification::QueryUpdated {
                query_id: 0,
                value: json!([]),
                log_lines: vec![],
                journal: None,
            }],
        };
        assert_eq!(
            serde_json::to_value(&t).unwrap(),
            json!({"type":"Transition","startVersion":{"querySet":0,"identity":0,"ts":"AAAAAAAAAAA="},
                   "endVersion":{"querySet":1,"identity":0,"ts":"AQAAAAAAAAA="},
                   "modifications":[{"type":"QueryUpdated","queryId":0,"value":[],"logLines":[],"journal":null}]})
        );
        assert_eq!(serde_json::to_value(ServerMessage::Ping).unwrap(), json!({"type": "Ping"}));
    }
}
