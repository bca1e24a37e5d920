use super::{Choice, Errors, Layout};
use crate::db::entries::{EntryRow, InboxRow, VersionRow};
use crate::domain::entry::EntryFields;
use askama::Template;
use uuid::Uuid;

/// An entry as shown: the row, its fields, its replies, what the viewer may do with it.
pub struct EntryView {
    pub row: EntryRow,
    pub fields: EntryFields,
    pub replies: Vec<(EntryRow, EntryFields)>,
    pub can_edit: bool,
    pub can_reply: bool,
}

/// The timeline's filter form, as typed.
#[derive(Debug, Clone, Default)]
pub struct FilterForm {
    pub kind: String,
    pub agency: String,
    pub from: String,
    pub to: String,
    pub q: String,
}

impl FilterForm {
    /// The filters as a query string (`?kind=…&…`, or "" when none is set): the download
    /// links export what the page shows.
    pub fn query(&self) -> String {
        if !self.is_active() {
            return String::new();
        }
        format!(
            "?kind={}&agency={}&from={}&to={}&q={}",
            super::url_part(&self.kind),
            super::url_part(&self.agency),
            super::url_part(&self.from),
            super::url_part(&self.to),
            super::url_part(&self.q)
        )
    }

    pub fn is_active(&self) -> bool {
        !(self.kind.is_empty()
            && self.agency.is_empty()
            && self.from.is_empty()
            && self.to.is_empty()
            && self.q.is_empty())
    }
}

/// The timeline block shared by the case page and the timeline page.
pub struct Timeline {
    pub case_id: Uuid,
    pub entries: Vec<EntryView>,
    /// The query string of the next (older) page.
    pub older: Option<String>,
    pub filter: FilterForm,
    pub kinds: Vec<Choice>,
    pub agencies: Vec<Choice>,
    pub can_write: bool,
    /// Shown on the case page: the kinds one can write, as links.
    pub writable: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "timeline/page.html")]
pub struct TimelinePage {
    pub layout: Layout,
    pub name: String,
    pub case_id: Uuid,
    pub timeline: Timeline,
}

/// What was typed into the entry form.
#[derive(Debug, Clone, Default)]
pub struct EntryForm {
    pub kind: String,
    pub category: String,
    pub occurred_at: String,
    pub body: String,
    pub situation: String,
    pub handling: String,
    pub resolved: bool,
    pub channel: String,
    pub with_whom: String,
    pub next_visit: String,
    pub report: bool,
    pub shared_with: Vec<String>,
}

/// A team agency the entry can be shared with, and the categories its consent does not cover.
pub struct ShareChoice {
    pub agency_id: Uuid,
    pub name: String,
    pub checked: bool,
    pub not_covered: Vec<String>,
}

#[derive(Template)]
#[template(path = "timeline/new.html")]
pub struct NewEntryPage {
    pub layout: Layout,
    pub name: String,
    pub case_id: Uuid,
    pub form: EntryForm,
    pub errors: Errors,
    pub categories: Vec<Choice>,
    pub channels: Vec<Choice>,
    pub with_whom: Vec<Choice>,
    pub shares: Vec<ShareChoice>,
    /// Editing an existing entry (kind, category and sharing stay as they were).
    pub editing: Option<Uuid>,
}

/// What was typed into the reply form.
#[derive(Debug, Clone, Default)]
pub struct ReplyForm {
    pub answer: String,
    pub observed_on: String,
    pub situation: String,
    pub handling: String,
}

#[derive(Template)]
#[template(path = "timeline/entry.html")]
pub struct EntryPage {
    pub layout: Layout,
    pub name: String,
    pub case_id: Uuid,
    pub entry: EntryView,
    pub versions: Vec<(VersionRow, EntryFields)>,
    pub reply: ReplyForm,
    pub errors: Errors,
}

#[derive(Template)]
#[template(path = "timeline/inbox.html")]
pub struct InboxPage {
    pub layout: Layout,
    pub rows: Vec<InboxRow>,
    pub older: Option<String>,
}

impl EntryView {
    /// The body in the reader's words: an entry Renkei wrote itself is put into words now;
    /// what a user wrote (and entries written before messages were kept) as stored.
    pub fn body(&self, tr: &crate::i18n::Tr) -> String {
        match &self.fields.said {
            Some(said) => said.to_html(*tr),
            None => self.row.body_html.clone(),
        }
    }
}

impl EntryRow {
    pub fn kind_key(&self) -> String {
        format!("entry-kind-{}", self.kind)
    }
    pub fn category_key(&self) -> String {
        format!("category-{}", self.category)
    }
}

impl InboxRow {
    pub fn kind_key(&self) -> String {
        format!("entry-kind-{}", self.kind)
    }
    /// The start of the body as plain text in the reader's words: a preview shows words, not
    /// Markdown marks.
    pub fn preview(&self, tr: &crate::i18n::Tr) -> String {
        match EntryFields::from_json(&self.fields).said {
            Some(said) => said.to_plain(*tr, 140),
            None => crate::domain::markdown::to_plain_text(&self.excerpt, 140),
        }
    }
}

impl EntryFields {
    pub fn channel_key(&self) -> Option<String> {
        self.channel
            .as_ref()
            .map(|c| format!("contact-channel-{c}"))
    }
    pub fn with_whom_key(&self) -> Option<String> {
        self.with_whom.as_ref().map(|c| format!("contact-with-{c}"))
    }
    pub fn answer_key(&self) -> Option<String> {
        self.answer.as_ref().map(|c| format!("reply-answer-{c}"))
    }
}
