//! Commit-timestamp placeholders: `db.vars.commitTs` travels as `{"$commitTs": null}` and
//! becomes the transaction's commit timestamp, an `Int64`, when it commits.
//!
//! A placeholder may sit anywhere in a written value (a top-level field, inside objects and
//! arrays). Until commit it reads as [`MAX_COMMIT_TS`] — so it validates as an int64 and
//! sorts after every real commit timestamp in the transaction's own index reads — and
//! [`CommitTsSlots`] remembers where the placeholders are, to resolve them at commit and to
//! hand them back to JavaScript as the token. Only the decoding of document writes accepts
//! the token; [`crate::json::from_json`] everywhere else refuses it (a `$`-prefixed field).
//!
//! This module owns the token and the slots; it must not know about transactions or
//! storage (the engine decides when to resolve).

use serde_json::{Map, Value as Json};

use crate::json::{JsonError, from_json, to_json};
use crate::{Object, Path, Value};

/// The wire token's one key: `{"$commitTs": null}`.
pub const COMMIT_TS_FIELD: &str = "$commitTs";

/// What an unresolved commit timestamp reads as before commit.
pub const MAX_COMMIT_TS: i64 = i64::MAX;

/// One step from a value to a part of it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    Field(String),
    Index(usize),
}

/// Where a value holds unresolved commit timestamps: the steps to each placeholder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitTsSlots(Vec<Vec<Step>>);

impl CommitTsSlots {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Decodes Convex JSON that may hold `{"$commitTs": null}` tokens (a document write in a
    /// mutation): the value, with [`MAX_COMMIT_TS`] at each token, and where the tokens were.
    pub fn decode(json: &Json) -> Result<(Value, CommitTsSlots), JsonError> {
        let mut json = json.clone();
        let mut slots = Vec::new();
        replace_tokens(&mut json, &mut Vec::new(), &Path::root(), &mut slots)?;
        Ok((from_json(&json)?, CommitTsSlots(slots)))
    }

    /// These slots, seen from an object holding the value as its field `name`.
    pub fn under(&self, name: &str) -> CommitTsSlots {
        CommitTsSlots(
            self.0
                .iter()
                .map(|steps| {
                    let mut full = vec![Step::Field(name.to_owned())];
                    full.extend(steps.iter().cloned());
                    full
                })
                .collect(),
        )
    }

    /// Keeps the slots whose top-level field `keep` accepts.
    pub fn retain_fields(&mut self, keep: impl Fn(&str) -> bool) {
        self.0.retain(|steps| match steps.first() {
            Some(Step::Field(name)) => keep(name),
            _ => false,
        });
    }

    pub fn extend(&mut self, other: CommitTsSlots) {
        self.0.extend(other.0);
    }

    /// Writes `commit_ts` into each slot of a document's fields.
    pub fn resolve(&self, fields: &mut Object, commit_ts: i64) {
        for steps in &self.0 {
            let Some((Step::Field(first), rest)) = steps.split_first() else { continue };
            if let Some(slot) = fields.get_mut(first).and_then(|value| slot_mut(value, rest)) {
                *slot = Value::Int64(commit_ts);
            }
        }
    }

    /// Writes `commit_ts` into each slot of a whole value (a mutation's return value).
    pub fn resolve_value(&self, value: &mut Value, commit_ts: i64) {
        for steps in &self.0 {
            if let Some(slot) = slot_mut(value, steps) {
                *slot = Value::Int64(commit_ts);
            }
        }
    }

    /// Convex JSON of `value` with the token at each slot, as a mutation reads its own write.
    pub fn encode(&self, value: &Value) -> Json {
        let mut json = to_json(value);
        for steps in &self.0 {
            let mut current = Some(&mut json);
            for step in steps {
                current = match (step, current) {
                    (Step::Field(name), Some(Json::Object(map))) => map.get_mut(name),
                    (Step::Index(i), Some(Json::Array(items))) => items.get_mut(*i),
                    _ => None,
                };
            }
            if let Some(slot) = current {
                *slot = token();
            }
        }
        json
    }
}

fn slot_mut<'a>(value: &'a mut Value, steps: &[Step]) -> Option<&'a mut Value> {
    let Some((step, rest)) = steps.split_first() else { return Some(value) };
    let next = match (step, value) {
        (Step::Field(name), Value::Object(object)) => object.get_mut(name)?,
        (Step::Index(i), Value::Array(items)) => items.get_mut(*i)?,
        _ => return None,
    };
    slot_mut(next, rest)
}

fn token() -> Json {
    let mut map = Map::new();
    map.insert(COMMIT_TS_FIELD.to_owned(), Json::Null);
    Json::Object(map)
}

fn replace_tokens(
    json: &mut Json,
    steps: &mut Vec<Step>,
    path: &Path,
    slots: &mut Vec<Vec<Step>>,
) -> Result<(), JsonError> {
    match json {
        Json::Object(map) if map.len() == 1 && map.contains_key(COMMIT_TS_FIELD) => {
            if !map[COMMIT_TS_FIELD].is_null() {
                return Err(JsonError {
                    path: path.clone(),
                    message: format!("{COMMIT_TS_FIELD} value must be null"),
                });
            }
            *json = to_json(&Value::Int64(MAX_COMMIT_TS));
            slots.push(steps.clone());
        }
        // Other one-key `$` objects are encoded scalars; `from_json` judges them.
        Json::Object(map) if map.len() == 1 && map.keys().all(|k| k.starts_with('$')) => {}
        Json::Object(map) => {
            for (key, inner) in map.iter_mut() {
                steps.push(Step::Field(key.clone()));
                replace_tokens(inner, steps, &path.field(key), slots)?;
                steps.pop();
            }
        }
        Json::Array(items) => {
            for (i, inner) in items.iter_mut().enumerate() {
                steps.push(Step::Index(i));
                replace_tokens(inner, steps, &path.index(i), slots)?;
                steps.pop();
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokens_anywhere_become_slots_and_resolve_to_the_commit_ts() {
        let json = json!({"at": {"$commitTs": null}, "log": [1.0, {"t": {"$commitTs": null}}]});
        let (value, slots) = CommitTsSlots::decode(&json).unwrap();
        assert_eq!(slots.len(), 2);
        let Value::Object(mut fields) = value else { panic!("an object") };
        assert_eq!(fields["at"], Value::Int64(MAX_COMMIT_TS));
        // Read back inside the transaction, the token comes back where it was.
        assert_eq!(slots.encode(&Value::Object(fields.clone())), json);
        slots.resolve(&mut fields, 42);
        assert_eq!(fields["at"], Value::Int64(42));
        let log = Value::Array(vec![
            Value::Float64(1.0),
            Value::Object([("t".to_owned(), Value::Int64(42))].into_iter().collect()),
        ]);
        assert_eq!(fields["log"], log);
    }

    #[test]
    fn a_bare_token_is_a_slot_at_the_root() {
        let (mut value, slots) = CommitTsSlots::decode(&json!({"$commitTs": null})).unwrap();
        assert_eq!(value, Value::Int64(MAX_COMMIT_TS));
        slots.resolve_value(&mut value, 9);
        assert_eq!(value, Value::Int64(9));
    }

    #[test]
    fn malformed_tokens_and_plain_decoding_are_refused() {
        let err = CommitTsSlots::decode(&json!({"at": {"$commitTs": 1}})).unwrap_err();
        assert_eq!(err.message, "$commitTs value must be null");
        assert_eq!(err.path.to_string(), ".at");
        // Outside a document write the token is just a reserved field name.
        assert!(from_json(&json!({"at": {"$commitTs": null}})).is_err());
        let (value, slots) =
            CommitTsSlots::decode(&json!({"n": {"$integer": "AQAAAAAAAAA="}})).unwrap();
        assert!(slots.is_empty());
        assert_eq!(value.get_path(["n"]), Some(&Value::Int64(1)));
    }

    #[test]
    fn slots_follow_fields_through_a_patch() {
        let (_, inner) = CommitTsSlots::decode(&json!({"$commitTs": null})).unwrap();
        let mut slots = inner.under("a");
        slots.extend(inner.under("b"));
        slots.retain_fields(|name| name != "a");
        let mut fields: Object =
            [("a".to_owned(), Value::Null), ("b".to_owned(), Value::Null)].into_iter().collect();
        slots.resolve(&mut fields, 5);
        assert_eq!(fields["a"], Value::Null);
        assert_eq!(fields["b"], Value::Int64(5));
    }
}
