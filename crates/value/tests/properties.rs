//! Property tests: JSON round trips, direct JSON text equal to the tree encoder's, sort keys agree with the total order, IDs round trip
//! and reject corruption.

use atrium_value::json::{from_json, from_json_str, to_json};
use atrium_value::json_text::{object_with_to_json_text, to_json_text};
use atrium_value::sort_key::{index_key, sort_key};
use atrium_value::{DocumentId, Object, TableNumber, Value};
use proptest::prelude::*;

fn field_name() -> impl Strategy<Value = String> {
    // Printable ASCII, not starting with `$`; short so collisions (and ties) happen.
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
        (-3i64..3).prop_map(Value::Int64),
        float().prop_map(Value::Float64),
        any::<bool>().prop_map(Value::Boolean),
        "[a-c\\x00é😀]{0,4}".prop_map(Value::String),
        prop::collection::vec(any::<u8>(), 0..4).prop_map(Value::Bytes),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(field_name(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Object>())),
        ]
    })
}

/// Any JSON, leaning on what Convex JSON treats specially: `$` keys, base64 strings of
/// 8 bytes and others, invalid field names, empty objects.
fn any_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value as Json;
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Json::from),
        prop_oneof![Just("AAAAAAAAAAA="), Just("AAAAAAAA+H8="), Just("AQI="), Just("!"), Just("x")]
            .prop_map(Json::from),
    ];
    let key = prop_oneof![
        Just("$integer"),
        Just("$float"),
        Just("$bytes"),
        Just("$set"),
        Just("$undefined"),
        Just("$x"),
        Just("a"),
        Just("b"),
        Just(""),
        Just("_id"),
        Just("bad\u{1}"),
    ];
    leaf.prop_recursive(5, 24, 3, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Json::Array),
            prop::collection::vec((key.clone(), inner), 0..3).prop_map(|entries| {
                Json::Object(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn text_decoding_is_the_tree_decoders(json in any_json()) {
        let text = serde_json::to_string(&json).unwrap();
        prop_assert_eq!(from_json_str(&text), from_json(&json));
    }

    #[test]
    fn json_round_trips(v in value()) {
        let json = to_json(&v);
        let back = from_json(&json).unwrap();
        prop_assert_eq!(&back, &v);
        // Bit-exact, not just equal in the total order.
        prop_assert_eq!(to_json(&back), json.clone());
        // And through text, as on the wire.
        prop_assert_eq!(from_json_str(&serde_json::to_string(&json).unwrap()).unwrap(), v);
    }

    #[test]
    fn direct_text_is_the_tree_encoders_text(v in value(), fields in prop::collection::btree_map(field_name(), value(), 0..4)) {
        prop_assert_eq!(to_json_text(&v), to_json(&v).to_string());
        // Extra (system) fields merged in, replacing fields of the same name.
        let extra = [("_creationTime", Value::Float64(1.0)), ("_id", v.clone()), ("m", Value::Null)];
        let mut merged: Object = fields.clone().into_iter().collect();
        for (name, value) in &extra {
            merged.insert((*name).to_owned(), value.clone());
        }
        let fields: Object = fields.into_iter().collect();
        prop_assert_eq!(object_with_to_json_text(&fields, &extra), to_json(&Value::Object(merged)).to_string());
    }

    #[test]
    fn sort_keys_follow_the_total_order(a in value(), b in value()) {
        prop_assert_eq!(sort_key(&a).cmp(&sort_key(&b)), a.cmp(&b));
    }

    #[test]
    fn index_keys_compare_field_by_field(
        a in (prop::option::of(value()), prop::option::of(value())),
        b in (prop::option::of(value()), prop::option::of(value())),
    ) {
        let key = |t: &(Option<Value>, Option<Value>)| index_key([t.0.as_ref(), t.1.as_ref()]);
        // Option's order puts None first, as a missing field sorts first.
        prop_assert_eq!(key(&a).cmp(&key(&b)), a.cmp(&b));
    }

    #[test]
    fn ids_round_trip(table in 1u32.., internal in any::<[u8; 16]>()) {
        let id = DocumentId { table: TableNumber(table), internal };
        let text = id.encode();
        prop_assert!((31..=37).contains(&text.len()), "length {}", text.len());
        prop_assert_eq!(DocumentId::decode(&text), Ok(id));
    }

    #[test]
    fn ids_reject_any_single_character_change(
        table in 1u32..,
        internal in any::<[u8; 16]>(),
        position in any::<prop::sample::Index>(),
        replacement in prop::sample::select(b"0123456789abcdefghjkmnpqrstvwxyz".to_vec()),
    ) {
        let text = DocumentId { table: TableNumber(table), internal }.encode();
        let i = position.index(text.len());
        prop_assume!(text.as_bytes()[i] != replacement);
        let mut corrupted = text.into_bytes();
        corrupted[i] = replacement;
        let corrupted = String::from_utf8(corrupted).unwrap();
        prop_assert!(DocumentId::decode(&corrupted).is_err(), "{} was accepted", corrupted);
    }
}
