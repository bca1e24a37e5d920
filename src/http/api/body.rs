//! Reading a JSON request body member by member, so that a member of the wrong type is named in
//! the 422 (`FieldError`), before the same checks as the page's form run on what was read.

use crate::i18n::Tr;
use crate::views::api::FieldError;
use crate::views::Errors;
use serde_json::{Map, Value};

/// A body that is a JSON object, and the errors found reading it.
pub struct Body {
    map: Map<String, Value>,
    tr: Tr,
    pub errors: Vec<FieldError>,
}

impl Body {
    /// The body as an object; otherwise the error naming `body`.
    pub fn parse(tr: Tr, bytes: &[u8]) -> Result<Body, Vec<FieldError>> {
        let bad = |key: &str| {
            vec![FieldError {
                field: "body".into(),
                message: tr.t(key),
            }]
        };
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Ok(Body {
                map,
                tr,
                errors: vec![],
            }),
            Ok(_) => Err(bad("api-not-object")),
            Err(_) => Err(bad("api-bad-json")),
        }
    }

    fn bad(&mut self, field: &str, key: &str) {
        self.errors.push(FieldError {
            field: field.to_string(),
            message: self.tr.t(key),
        });
    }

    /// A string member ("" when absent or null; NULs taken out).
    pub fn text(&mut self, field: &str) -> String {
        match self.map.get(field) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.replace('\0', ""),
            Some(_) => {
                self.bad(field, "api-not-string");
                String::new()
            }
        }
    }

    /// A boolean member (false when absent or null).
    pub fn flag(&mut self, field: &str) -> bool {
        match self.map.get(field) {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                self.bad(field, "api-not-boolean");
                false
            }
        }
    }

    /// An array of strings (empty when absent or null).
    pub fn texts(&mut self, field: &str) -> Vec<String> {
        match self.map.get(field) {
            None | Some(Value::Null) => vec![],
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
                .iter()
                .filter_map(|v| v.as_str().map(|s| s.replace('\0', "")))
                .collect(),
            Some(_) => {
                self.bad(field, "api-not-strings");
                vec![]
            }
        }
    }

    /// The errors of reading, if any.
    pub fn done(self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

/// A form's messages under the API's member names (`rename`: form field → member).
pub fn form_errors(errors: &Errors, rename: &[(&str, &str)]) -> Vec<FieldError> {
    errors
        .iter()
        .map(|(field, message)| FieldError {
            field: rename
                .iter()
                .find(|(f, _)| *f == field)
                .map_or(field, |(_, m)| m)
                .to_string(),
            message: message.to_string(),
        })
        .collect()
}
