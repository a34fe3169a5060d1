//! What a mutation's replay record holds (`atrium_engine::replay`): its return value in
//! Convex JSON, with commit-timestamp placeholders resolved, and its console lines, so a
//! server answering a replay after a restart can send the first run's response. The
//! runtime writes it at commit (a runner made with `Runner::with_replay_key`); this
//! module owns the text's format and must not know the sync protocol.

use atrium_engine::Timestamp;
use atrium_value::Value;
use atrium_value::json::to_json;
use atrium_value::pending::CommitTsSlots;
use serde_json::{Value as Json, json};

use crate::LogLine;

/// A stored answer, read back.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAnswer {
    /// The return value in Convex's encoded JSON.
    pub value: Json,
    pub logs: Vec<LogLine>,
}

/// The function the engine calls with the commit timestamp to write the record.
pub(crate) fn writer(
    value: &Value,
    slots: &CommitTsSlots,
    logs: &[LogLine],
) -> impl FnOnce(Timestamp) -> String + Send + Sync + 'static {
    let (mut value, slots) = (value.clone(), slots.clone());
    let logs: Vec<Json> =
        logs.iter().map(|l| json!({ "level": l.level, "message": l.message })).collect();
    move |ts: Timestamp| {
        slots.resolve_value(&mut value, ts.0 as i64);
        json!({ "value": to_json(&value), "logs": logs }).to_string()
    }
}

/// Reads a record written by [`writer`].
pub fn decode(text: &str) -> Result<StoredAnswer, String> {
    let json: Json = serde_json::from_str(text).map_err(|e| format!("replay record: {e}"))?;
    let value = json.get("value").cloned().ok_or("replay record without a value")?;
    let logs = json
        .get("logs")
        .and_then(Json::as_array)
        .map(|lines| {
            lines
                .iter()
                .map(|l| LogLine {
                    level: l.get("level").and_then(Json::as_str).unwrap_or("LOG").to_owned(),
                    message: l.get("message").and_then(Json::as_str).unwrap_or("").to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(StoredAnswer { value, logs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_with_its_commit_timestamp() {
        let (value, slots) =
            CommitTsSlots::decode(&json!({ "at": { "$commitTs": null }, "n": 1.5 })).unwrap();
        let logs = [LogLine { level: "INFO".into(), message: "hello".into() }];
        let text = writer(&value, &slots, &logs)(Timestamp(1_234));
        let back = decode(&text).unwrap();
        assert_eq!(back.logs, logs);
        let mut expected = value.clone();
        slots.resolve_value(&mut expected, 1_234);
        assert_eq!(back.value, to_json(&expected));
        assert_ne!(back.value, to_json(&value), "the placeholder was resolved");
    }

    #[test]
    fn a_damaged_record_is_an_error() {
        assert!(decode("not json").is_err());
        assert!(decode("{}").is_err());
    }
}
