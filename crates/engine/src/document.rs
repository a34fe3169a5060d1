//! [`Document`]: a stored document, its system fields, and how index fields are read from it.

use atrium_value::json::{from_json_str, to_json};
use atrium_value::names::{CREATION_TIME_FIELD, ID_FIELD};
use atrium_value::{DocumentId, Object, Value};

use crate::EngineError;

/// A dotted path to a field (`profile.city` is `["profile", "city"]`).
pub type FieldPath = Vec<String>;

/// A document as stored: its ID, creation time, and user fields (without `_id` and
/// `_creationTime`).
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub id: DocumentId,
    /// Milliseconds since the epoch.
    pub creation_time: f64,
    pub fields: Object,
}

impl Document {
    /// The value at a field path, system fields included; `None` when missing.
    pub fn field(&self, path: &[String]) -> Option<Value> {
        match path {
            [single] if single == ID_FIELD => Some(Value::String(self.id.encode())),
            [single] if single == CREATION_TIME_FIELD => Some(Value::Float64(self.creation_time)),
            [first, rest @ ..] => {
                let mut current = self.fields.get(first)?;
                for segment in rest {
                    current = current.as_object()?.get(segment)?;
                }
                Some(current.clone())
            }
            [] => None,
        }
    }

    /// The whole document as a value, with `_id` and `_creationTime`.
    pub fn to_value(&self) -> Value {
        let mut object = self.fields.clone();
        object.insert(ID_FIELD.to_owned(), Value::String(self.id.encode()));
        object.insert(CREATION_TIME_FIELD.to_owned(), Value::Float64(self.creation_time));
        Value::Object(object)
    }

    /// The Convex JSON text stored for this document.
    pub(crate) fn to_json_text(&self) -> String {
        to_json(&self.to_value()).to_string()
    }

    pub(crate) fn from_json_text(text: &str) -> Result<Self, EngineError> {
        let corrupt = |why: String| EngineError::Corrupt(format!("stored document: {why}"));
        let Value::Object(mut fields) = from_json_str(text).map_err(|e| corrupt(e.to_string()))?
        else {
            return Err(corrupt("not an object".into()));
        };
        let id = match fields.remove(ID_FIELD) {
            Some(Value::String(s)) => DocumentId::decode(&s).map_err(|e| corrupt(e.to_string()))?,
            _ => return Err(corrupt("no _id".into())),
        };
        let creation_time = match fields.remove(CREATION_TIME_FIELD) {
            Some(Value::Float64(t)) => t,
            _ => return Err(corrupt("no _creationTime".into())),
        };
        Ok(Document { id, creation_time, fields })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atrium_value::TableNumber;

    #[test]
    fn fields_include_system_fields_and_nested_paths() {
        let mut fields = Object::new();
        let mut profile = Object::new();
        profile.insert("city".into(), Value::from("Tokyo"));
        fields.insert("profile".into(), Value::Object(profile));
        let doc = Document {
            id: DocumentId { table: TableNumber(10001), internal: [1; 16] },
            creation_time: 5.0,
            fields,
        };
        let path = |p: &str| p.split('.').map(String::from).collect::<Vec<_>>();
        assert_eq!(doc.field(&path("profile.city")), Some(Value::from("Tokyo")));
        assert_eq!(doc.field(&path("profile.zip")), None);
        assert_eq!(doc.field(&path("_creationTime")), Some(Value::Float64(5.0)));
        assert_eq!(doc.field(&path("_id")), Some(Value::String(doc.id.encode())));
        assert_eq!(Document::from_json_text(&doc.to_json_text()).unwrap(), doc);
    }
}
