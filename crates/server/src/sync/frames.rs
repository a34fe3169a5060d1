//! The text of a Transition, built around result bodies serialized once and shared: every
//! session holding the same query at the same timestamp sends the same `QueryUpdated`
//! fields (`value`, `logLines`, `journal`), so they are turned into JSON once (by whoever
//! ran the query) and each session only writes its own `queryId` and versions around them.
//! The text is exactly what serde makes of the `ServerMessage` (the tests check it). A leaf
//! below the session; it must not send anything.

use std::sync::Arc;

use atrium_protocol::sync::{ServerMessage, StateModification, StateVersion};
use serde_json::Value as Json;

/// One modification in a Transition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Modification {
    /// A result: the shared text of its fields after `queryId` (see [`updated_body`]).
    Updated { query_id: u32, body: Arc<str> },
    /// Anything else (a failure, a removal), serialized by the session that sends it.
    Other(StateModification),
}

impl Modification {
    pub(crate) fn query_id(&self) -> u32 {
        match self {
            Modification::Updated { query_id, .. } => *query_id,
            Modification::Other(
                StateModification::QueryUpdated { query_id, .. }
                | StateModification::QueryFailed { query_id, .. }
                | StateModification::QueryRemoved { query_id },
            ) => *query_id,
        }
    }
}

/// The fields of a `QueryUpdated` after its `queryId`, closing the object:
/// `"value":…,"logLines":[…],"journal":…}`; and the length of the value's JSON.
pub(crate) fn updated_body(
    value: &Json,
    log_lines: &[String],
    journal: Option<&str>,
) -> (Arc<str>, usize) {
    let value = json(value);
    let mut text = String::with_capacity(value.len() + 48);
    text.push_str("\"value\":");
    text.push_str(&value);
    text.push_str(",\"logLines\":");
    text.push_str(&json(&log_lines));
    text.push_str(",\"journal\":");
    text.push_str(&json(&journal));
    text.push('}');
    (text.into(), value.len())
}

/// The JSON text of a Transition from `start` to `end` carrying `modifications`.
pub(crate) fn transition(
    start: &StateVersion,
    end: &StateVersion,
    modifications: &[Modification],
) -> String {
    let bodies: usize = modifications
        .iter()
        .map(|m| match m {
            Modification::Updated { body, .. } => body.len() + 40,
            Modification::Other(_) => 128,
        })
        .sum();
    let mut text = String::with_capacity(bodies + 160);
    text.push_str("{\"type\":\"Transition\",\"startVersion\":");
    text.push_str(&json(start));
    text.push_str(",\"endVersion\":");
    text.push_str(&json(end));
    text.push_str(",\"modifications\":[");
    for (i, modification) in modifications.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        match modification {
            Modification::Updated { query_id, body } => {
                text.push_str("{\"type\":\"QueryUpdated\",\"queryId\":");
                text.push_str(&query_id.to_string());
                text.push(',');
                text.push_str(body);
            }
            Modification::Other(other) => text.push_str(&json(other)),
        }
    }
    text.push_str("]}");
    text
}

/// Any other message's text.
pub(crate) fn message(message: &ServerMessage) -> String {
    json(message)
}

fn json(value: &impl serde::Serialize) -> String {
    // Protocol types and JSON values always serialize (string keys, no failing impls).
    serde_json::to_string(value).expect("protocol messages serialize")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_transition_built_around_shared_bodies_is_what_serde_makes_of_it() {
        let start = StateVersion::initial();
        let end = StateVersion { query_set: 2, identity: 1, ts: "AQAAAAAAAAA=".into() };
        let value = json!([{"body": "hi \"there\"\n", "n": {"$integer": "AQAAAAAAAAA="}}, null]);
        let logs = vec!["[LOG] 'a'".to_owned()];
        let (body, value_bytes) = updated_body(&value, &logs, Some("j1"));
        assert_eq!(value_bytes, serde_json::to_string(&value).unwrap().len());
        let (empty, _) = updated_body(&json!(null), &[], None);
        let failed = StateModification::QueryFailed {
            query_id: 3,
            error_message: "boom".into(),
            log_lines: vec![],
            journal: None,
            error_data: Some(json!({"code": 1})),
        };
        let text = transition(
            &start,
            &end,
            &[
                Modification::Other(StateModification::QueryRemoved { query_id: 0 }),
                Modification::Updated { query_id: 1, body },
                Modification::Updated { query_id: 2, body: empty },
                Modification::Other(failed.clone()),
            ],
        );
        let expected = ServerMessage::Transition {
            start_version: start,
            end_version: end,
            modifications: vec![
                StateModification::QueryRemoved { query_id: 0 },
                StateModification::QueryUpdated {
                    query_id: 1,
                    value,
                    log_lines: logs,
                    journal: Some("j1".into()),
                },
                StateModification::QueryUpdated {
                    query_id: 2,
                    value: json!(null),
                    log_lines: vec![],
                    journal: None,
                },
                failed,
            ],
        };
        let parsed: Json = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(parsed, serde_json::to_value(&expected).unwrap());
        let back: ServerMessage = serde_json::from_str(&text).expect("a ServerMessage");
        assert_eq!(serde_json::to_value(back).unwrap(), parsed);
    }

    #[test]
    fn an_empty_transition_is_valid() {
        let v = StateVersion::initial();
        let parsed: Json = serde_json::from_str(&transition(&v, &v, &[])).unwrap();
        assert_eq!(parsed["modifications"], json!([]));
        assert_eq!(parsed["type"], "Transition");
    }
}
