//! Atrium's wire encodings agree with the official crates, for generated inputs:
//! - Convex JSON: `atrium_value::json` writes what `convex::Value` writes, and whatever it
//!   reads the official crate reads as the same value;
//! - the clean `json` format ([`ValueFormat::CleanJson`]) is `convex::Value::export()`;
//! - the sync socket's messages survive ours → `convex_sync_types` → ours unchanged, both
//!   directions (client and server messages).

use std::collections::BTreeMap;

use atrium_protocol::format::ValueFormat;
use atrium_protocol::sync::{
    ClientMessage, QuerySetModification, ServerMessage, StateModification, StateVersion, TokenType,
};
use atrium_protocol::timestamp;
use atrium_value::json::{from_json, to_json};
use atrium_value::{Object, Value};
use proptest::prelude::*;
use serde_json::{Value as Json, json};

fn field_name() -> impl Strategy<Value = String> {
    // Printable ASCII, not starting with `$` (Convex's field names).
    "[ -#%-~][ -~]{0,6}|"
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(0.0),
        Just(-0.0),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        any::<u64>().prop_map(f64::from_bits),
        (-5i32..5).prop_map(f64::from),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<i64>().prop_map(Value::Int64),
        float().prop_map(Value::Float64),
        any::<bool>().prop_map(Value::Boolean),
        "[a-c\\x00é😀\"\\\\]{0,4}".prop_map(Value::String),
        prop::collection::vec(any::<u8>(), 0..6).prop_map(Value::Bytes),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(field_name(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Object>())),
        ]
    })
}

/// The official crate's value for ours.
fn official(value: &Value) -> convex::Value {
    match value {
        Value::Null => convex::Value::Null,
        Value::Int64(n) => convex::Value::Int64(*n),
        Value::Float64(n) => convex::Value::Float64(*n),
        Value::Boolean(b) => convex::Value::Boolean(*b),
        Value::String(s) => convex::Value::String(s.clone()),
        Value::Bytes(b) => convex::Value::Bytes(b.clone()),
        Value::Array(items) => convex::Value::Array(items.iter().map(official).collect()),
        Value::Object(fields) => convex::Value::Object(
            fields.iter().map(|(k, v)| (k.clone(), official(v))).collect::<BTreeMap<_, _>>(),
        ),
    }
}

/// Arbitrary JSON, special-looking objects included (`{"$integer": …}` with good and bad
/// payloads, `$`-keys, numbers of every kind).
fn json_value() -> impl Strategy<Value = Json> {
    let base64 = prop::collection::vec(any::<u8>(), 0..10).prop_map(|bytes| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(bytes)
    });
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<u64>().prop_map(Json::from),
        any::<f64>().prop_map(Json::from),
        "[a-c=+/]{0,12}".prop_map(Json::String),
        ("\\$(integer|float|bytes|set|map|other)", base64.clone())
            .prop_map(|(key, payload)| json!({ key: payload })),
        float().prop_map(|f| to_json(&Value::Float64(f))),
    ];
    leaf.prop_recursive(3, 24, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Json::Array),
            prop::collection::btree_map("[a$_]{0,2}", inner, 0..3)
                .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn convex_json_is_the_official_encoding(value in value()) {
        let ours = to_json(&value);
        let theirs = Json::from(official(&value));
        prop_assert_eq!(&ours, &theirs);
        // Both read the encoding back as the same value.
        prop_assert_eq!(from_json(&theirs).unwrap(), value.clone());
        let back = convex::Value::try_from(ours).unwrap();
        prop_assert_eq!(back, official(&value));
    }

    #[test]
    fn what_we_read_the_official_crate_reads_alike(json in json_value()) {
        if let Ok(ours) = from_json(&json) {
            let theirs = convex::Value::try_from(json.clone());
            prop_assert!(theirs.is_ok(), "we read {json} but convex refuses it: {theirs:?}");
            prop_assert_eq!(theirs.unwrap(), official(&ours));
        }
    }

    #[test]
    fn clean_json_is_the_official_export(value in value()) {
        prop_assert_eq!(ValueFormat::CleanJson.encode(&value), official(&value).export());
    }

    #[test]
    fn client_messages_round_trip_through_the_official_types(message in client_message()) {
        let ours = serde_json::to_value(&message).unwrap();
        let theirs = convex_sync_types::ClientMessage::try_from(ours.clone())
            .map_err(|e| TestCaseError::fail(format!("{e:#} in {ours}")))?;
        let again = Json::try_from(theirs).unwrap();
        let back: ClientMessage = serde_json::from_value(again.clone())
            .map_err(|e| TestCaseError::fail(format!("{e} in {again}")))?;
        prop_assert_eq!(back, message);
    }

    #[test]
    fn server_messages_round_trip_through_the_official_types(message in server_message()) {
        let ours = serde_json::to_value(&message).unwrap();
        let theirs = convex_sync_types::ServerMessage::<convex::Value>::try_from(ours.clone())
            .map_err(|e| TestCaseError::fail(format!("{e:#} in {ours}")))?;
        let again = Json::from(theirs);
        let back: ServerMessage = serde_json::from_value(again.clone())
            .map_err(|e| TestCaseError::fail(format!("{e} in {again}")))?;
        prop_assert_eq!(back, message);
    }
}

fn udf_path() -> impl Strategy<Value = String> {
    "(messages|dir/sub_mod|_deps/x)(\\.js)?:(default|list|send_1)"
}

fn args() -> impl Strategy<Value = Json> {
    prop::collection::vec(value(), 0..2).prop_map(|items| {
        Json::Array(
            items
                .into_iter()
                .map(|v| to_json(&Value::Object(Object::from([("x".to_owned(), v)]))))
                .collect(),
        )
    })
}

fn ts() -> impl Strategy<Value = String> {
    (0..=i64::MAX as u64).prop_map(timestamp::encode)
}

fn short() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 .:]{0,12}"
}

fn client_message() -> impl Strategy<Value = ClientMessage> {
    let connect = (any::<u128>(), any::<u32>(), short(), prop::option::of(ts())).prop_flat_map(
        |(uuid, connection_count, reason, max_ts)| {
            prop::option::of(0..(1i64 << 53)).prop_map(move |client_ts| {
                let hex = format!("{uuid:032x}");
                ClientMessage::Connect {
                    session_id: format!(
                        "{}-{}-{}-{}-{}",
                        &hex[..8],
                        &hex[8..12],
                        &hex[12..16],
                        &hex[16..20],
                        &hex[20..]
                    ),
                    connection_count,
                    // Convex's parser fills a missing reason with "unknown"; clients send one.
                    last_close_reason: Some(reason.clone()),
                    max_observed_timestamp: max_ts.clone(),
                    client_ts,
                }
            })
        },
    );
    let add =
        (any::<u32>(), udf_path(), args(), prop::option::of(short()), prop::option::of(short()))
            .prop_map(|(query_id, udf_path, args, journal, component_path)| {
                QuerySetModification::Add { query_id, udf_path, args, journal, component_path }
            });
    let modification = prop_oneof![
        add,
        any::<u32>().prop_map(|query_id| QuerySetModification::Remove { query_id }),
    ];
    let modify = (any::<u32>(), any::<u32>(), prop::collection::vec(modification, 0..3)).prop_map(
        |(base_version, new_version, modifications)| ClientMessage::ModifyQuerySet {
            base_version,
            new_version,
            modifications,
        },
    );
    let call = (any::<bool>(), any::<u32>(), udf_path(), args(), prop::option::of(short()))
        .prop_map(|(mutation, request_id, udf_path, args, component_path)| {
            if mutation {
                ClientMessage::Mutation { request_id, udf_path, args, component_path }
            } else {
                ClientMessage::Action { request_id, udf_path, args, component_path }
            }
        });
    let authenticate = (any::<u32>(), 0..3u8, short()).prop_map(|(base_version, kind, value)| {
        let (token_type, value) = match kind {
            0 => (TokenType::Admin, Some(value)),
            1 => (TokenType::User, Some(value)),
            _ => (TokenType::None, None),
        };
        ClientMessage::Authenticate { base_version, token_type, value, impersonating: None }
    });
    let event = (short(), json_value().prop_filter("not null", |j| !j.is_null())).prop_map(
        |(event_type, event)| ClientMessage::Event { event_type: Some(event_type), event },
    );
    prop_oneof![connect, modify, call, authenticate, event]
}

fn state_version() -> impl Strategy<Value = StateVersion> {
    (any::<u32>(), any::<u32>(), ts()).prop_map(|(query_set, identity, ts)| StateVersion {
        query_set,
        identity,
        ts,
    })
}

fn log_lines() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(short(), 0..3)
}

fn state_modification() -> impl Strategy<Value = StateModification> {
    prop_oneof![
        (any::<u32>(), value(), log_lines(), prop::option::of(short())).prop_map(
            |(query_id, value, log_lines, journal)| StateModification::QueryUpdated {
                query_id,
                value: to_json(&value),
                log_lines,
                journal,
            }
        ),
        (any::<u32>(), short(), log_lines(), prop::option::of(short()), prop::option::of(value()))
            .prop_map(|(query_id, error_message, log_lines, journal, data)| {
                StateModification::QueryFailed {
                    query_id,
                    error_message,
                    log_lines,
                    journal,
                    error_data: data.as_ref().map(to_json),
                }
            }),
        any::<u32>().prop_map(|query_id| StateModification::QueryRemoved { query_id }),
    ]
}

/// A call's outcome as our messages carry it: `(success, result, errorData)` — a value on
/// success; a message, and maybe a `ConvexError`'s data, on failure.
fn outcome() -> impl Strategy<Value = (bool, Json, Option<Json>)> {
    prop_oneof![
        value().prop_map(|v| (true, to_json(&v), None)),
        (short(), prop::option::of(value())).prop_map(|(message, data)| (
            false,
            Json::String(message),
            data.as_ref().map(to_json)
        )),
    ]
}

fn server_message() -> impl Strategy<Value = ServerMessage> {
    let transition =
        (state_version(), state_version(), prop::collection::vec(state_modification(), 0..3))
            .prop_map(|(start_version, end_version, modifications)| ServerMessage::Transition {
                start_version,
                end_version,
                modifications,
            });
    let mutation = (any::<u32>(), outcome(), ts(), log_lines()).prop_map(
        |(request_id, (success, result, error_data), ts, log_lines)| {
            ServerMessage::MutationResponse {
                request_id,
                success,
                result,
                ts: success.then_some(ts),
                log_lines,
                error_data,
            }
        },
    );
    let action =
        (any::<u32>(), outcome(), log_lines()).prop_map(
            |(request_id, (success, result, error_data), log_lines)| {
                ServerMessage::ActionResponse { request_id, success, result, log_lines, error_data }
            },
        );
    let auth_error = (short(), any::<u32>(), any::<bool>()).prop_map(
        |(error, base_version, auth_update_attempted)| ServerMessage::AuthError {
            error,
            base_version,
            auth_update_attempted,
        },
    );
    prop_oneof![
        transition,
        mutation,
        action,
        auth_error,
        short().prop_map(|error| ServerMessage::FatalError { error }),
        Just(ServerMessage::Ping),
    ]
}
