//! The "done" of a task or an action item comes back as a form of its own when its note is
//! longer than the limit (a list's inline button has no room for a message): the note kept,
//! the message by it, the same button.

use super::{Errors, Layout};
use crate::i18n::Tr;
use askama::Template;

#[derive(Template)]
#[template(path = "done/note.html")]
pub struct DoneNotePage {
    pub layout: Layout,
    /// where the button posts (`/tasks/{id}/done`, `/action-items/{id}/done`)
    pub action: String,
    pub back: String,
    pub note: String,
    pub errors: Errors,
}

impl DoneNotePage {
    /// The form for a note over `max` characters.
    pub fn too_long(
        layout: Layout,
        tr: Tr,
        action: String,
        back: &str,
        note: &str,
        max: usize,
    ) -> Self {
        let mut errors = Errors::default();
        errors.max_chars(tr, "note", note, max);
        DoneNotePage {
            layout,
            action,
            back: back.to_string(),
            note: note.to_string(),
            errors,
        }
    }
}
