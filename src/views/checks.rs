use super::{Errors, Layout};
use crate::db::checks::AssessmentRow;
use crate::db::referrals::NoteRow;
use crate::domain::checklist::AllMet;
use askama::Template;
use uuid::Uuid;

/// One criterion of the form: code, text, chosen value, note.
pub struct CriterionField {
    pub code: String,
    pub text: String,
    pub value: String,
    pub note: String,
}

/// A past assessment with its result and what changed since the one before it.
pub struct AssessmentView {
    pub row: AssessmentRow,
    pub result: AllMet,
    /// (item text, before, now)
    pub changes: Vec<(String, String, String)>,
    /// (item text, value, note) for the criteria that carry a note, in the instrument's order
    pub notes: Vec<(String, String, String)>,
}

/// One pre-referral item: code, label, the newest note if any, the text in the form.
pub struct NoteField {
    pub code: &'static str,
    pub label: String,
    pub latest: Option<NoteRow>,
    pub value: String,
}

#[derive(Template)]
#[template(path = "checks/index.html")]
pub struct ChecksPage {
    pub layout: Layout,
    pub case_id: Uuid,
    pub name: String,
    pub instrument_name: String,
    pub can_write: bool,
    pub history: Vec<AssessmentView>,
    /// item code → text, for the names of missing criteria
    pub item_texts: Vec<(String, String)>,
    pub criteria: Vec<CriterionField>,
    pub assessed_on: String,
    pub errors: Errors,
    pub notes: Vec<NoteField>,
    pub note_errors: Errors,
}

impl ChecksPage {
    pub fn item_text(&self, code: &str) -> String {
        self.item_texts
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| code.to_string())
    }
}
