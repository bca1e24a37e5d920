//! The JSON API's views: what `/api/v1` answers, as serde types that also describe themselves
//! to the OpenAPI document (utoipa). Each is made from the rows the pages are made from, after
//! the same door; nothing here reads the database.

use crate::db;
use crate::i18n::Tr;
use crate::views::timeline::EntryView;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// An RFC 9457 problem: what went wrong, in the reader's language (Accept-Language, then the
/// user's language, then Japanese), with the field errors of a request that did not validate.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`urn:renkei:problem:<code>`).
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The path the request was made to.
    pub instance: String,
    /// Renkei's id of the request (also in `x-request-id` and the audit log).
    pub request_id: String,
    /// For 422: each field that was not accepted, with why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    /// The field's name in the request (a JSON member or a query parameter).
    pub field: String,
    pub message: String,
}

/// The kinds of problem: the status, the code in `type`, and the catalog key of the title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    BadRequest,
    Unauthorized,
    Forbidden,
    ReadOnly,
    NotFound,
    MethodNotAllowed,
    TooLarge,
    Invalid,
    TooMany,
    Unavailable,
    Internal,
}

impl ProblemKind {
    pub fn status(self) -> u16 {
        match self {
            ProblemKind::BadRequest => 400,
            ProblemKind::Unauthorized => 401,
            ProblemKind::Forbidden | ProblemKind::ReadOnly => 403,
            ProblemKind::NotFound => 404,
            ProblemKind::MethodNotAllowed => 405,
            ProblemKind::TooLarge => 413,
            ProblemKind::Invalid => 422,
            ProblemKind::TooMany => 429,
            ProblemKind::Unavailable => 503,
            ProblemKind::Internal => 500,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ProblemKind::BadRequest => "bad-request",
            ProblemKind::Unauthorized => "unauthorized",
            ProblemKind::Forbidden => "forbidden",
            ProblemKind::ReadOnly => "read-only",
            ProblemKind::NotFound => "not-found",
            ProblemKind::MethodNotAllowed => "method-not-allowed",
            ProblemKind::TooLarge => "too-large",
            ProblemKind::Invalid => "invalid",
            ProblemKind::TooMany => "too-many-requests",
            ProblemKind::Unavailable => "unavailable",
            ProblemKind::Internal => "internal",
        }
    }

    /// The kind of a bare error status (the router's, the body limit's, the timeout's).
    pub fn of_status(status: u16) -> ProblemKind {
        match status {
            401 => ProblemKind::Unauthorized,
            403 => ProblemKind::Forbidden,
            404 => ProblemKind::NotFound,
            405 => ProblemKind::MethodNotAllowed,
            413 => ProblemKind::TooLarge,
            422 => ProblemKind::Invalid,
            429 => ProblemKind::TooMany,
            503 => ProblemKind::Unavailable,
            s if s >= 500 => ProblemKind::Internal,
            _ => ProblemKind::BadRequest,
        }
    }
}

impl Problem {
    pub fn new(
        tr: Tr,
        kind: ProblemKind,
        instance: &str,
        request_id: &str,
        errors: Vec<FieldError>,
    ) -> Problem {
        let code = kind.code();
        Problem {
            type_: format!("urn:renkei:problem:{code}"),
            title: tr.t(format!("api-problem-{code}")),
            status: kind.status(),
            detail: tr.t(format!("api-problem-{code}-detail")),
            instance: instance.to_string(),
            request_id: request_id.to_string(),
            errors,
        }
    }
}

/// A page of a list and where the next page starts (`?after=`), none on the last page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Paged<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass as `?after=` for the next page; null on the last page.
    pub next: Option<String>,
}

/// Who the token acts as.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Me {
    pub user_id: Uuid,
    pub display_name: String,
    pub agency_id: Uuid,
    pub agency_name: String,
    pub role: String,
    /// A read-write token may post what the pages let this user post.
    pub can_write: bool,
}

/// A case in the acting agency's list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: Uuid,
    pub family_name: String,
    pub given_name: String,
    /// The name in katakana, the list's order.
    pub kana: String,
    pub phase: String,
    pub lead_agency_name: String,
    pub municipality: String,
    /// The day the acting agency left the team, if it did.
    pub left_on: Option<NaiveDate>,
}

impl From<db::cases::CaseListRow> for CaseSummary {
    fn from(r: db::cases::CaseListRow) -> Self {
        CaseSummary {
            id: r.id,
            family_name: r.family_name,
            given_name: r.given_name,
            kana: r.sort_kana,
            phase: r.phase,
            lead_agency_name: r.lead_name,
            municipality: r.municipality,
            left_on: r.left_on,
        }
    }
}

/// A case's header as its page shows it: contact details and notes only where the lead or a
/// live consent allows (null otherwise).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Case {
    pub id: Uuid,
    pub family_name: String,
    pub given_name: String,
    pub family_kana: String,
    pub given_kana: String,
    pub birth_date: NaiveDate,
    pub disability_categories: Vec<String>,
    pub municipality: String,
    pub phase: String,
    pub opened_on: NaiveDate,
    pub lead_agency_id: Uuid,
    pub lead_agency_name: String,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub family_contacts: Option<String>,
    pub notes: Option<String>,
    /// The day the acting agency left the team, if it did.
    pub left_on: Option<NaiveDate>,
}

impl From<db::cases::CaseHeader> for Case {
    fn from(h: db::cases::CaseHeader) -> Self {
        Case {
            id: h.id,
            family_name: h.family_name,
            given_name: h.given_name,
            family_kana: h.family_kana,
            given_kana: h.given_kana,
            birth_date: h.birth_date,
            disability_categories: h.disability_categories,
            municipality: h.municipality,
            phase: h.phase,
            opened_on: h.opened_on,
            lead_agency_id: h.lead_agency_id,
            lead_agency_name: h.lead_name,
            postal_code: h.postal_code,
            address: h.address,
            phone: h.phone,
            email: h.email,
            family_contacts: h.family_contacts,
            notes: h.notes,
            left_on: h.left_on,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TeamMember {
    pub agency_id: Uuid,
    pub name: String,
    pub kind: String,
    pub role_text: String,
    pub joined_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub is_lead: bool,
}

impl From<db::cases::TeamRow> for TeamMember {
    fn from(r: db::cases::TeamRow) -> Self {
        TeamMember {
            agency_id: r.agency_id,
            name: r.name,
            kind: r.kind,
            role_text: r.role_text,
            joined_on: r.joined_on,
            left_on: r.left_on,
            is_lead: r.is_lead,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Consent {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub agency_name: String,
    pub categories: Vec<String>,
    pub given_by: String,
    pub method: String,
    pub given_on: NaiveDate,
    /// null: indefinite.
    pub valid_until: Option<NaiveDate>,
    pub evidence: String,
    pub recorded_by_name: String,
    pub recorded_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by_name: Option<String>,
    pub revoke_reason: String,
    /// Given, not revoked, not expired: it counts today.
    pub live: bool,
}

impl From<db::consents::ConsentRow> for Consent {
    fn from(r: db::consents::ConsentRow) -> Self {
        Consent {
            id: r.id,
            agency_id: r.agency_id,
            agency_name: r.agency_name,
            categories: r.categories,
            given_by: r.given_by,
            method: r.method,
            given_on: r.given_on,
            valid_until: r.valid_until,
            evidence: r.evidence,
            recorded_by_name: r.recorded_by_name,
            recorded_at: r.recorded_at,
            revoked_at: r.revoked_at,
            revoked_by_name: r.revoked_by_name,
            revoke_reason: r.revoke_reason,
            live: r.live,
        }
    }
}

/// A timeline entry as the reader's timeline shows it (an agency that left reads the version
/// of its last day), with the replies to it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Entry {
    pub id: Uuid,
    pub kind: String,
    pub category: String,
    pub occurred_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub author_name: String,
    pub author_agency_id: Uuid,
    pub author_agency_name: String,
    /// The body as sanitised HTML, in the reader's language for entries Renkei wrote itself.
    pub body_html: String,
    /// The structured fields of the kind (observation: situation, handling, resolved; contact:
    /// channel, with_whom, next_visit; …).
    #[schema(value_type = Object)]
    pub fields: serde_json::Value,
    pub shared_with: Vec<Uuid>,
    pub reply_to: Option<Uuid>,
    pub version: i32,
    pub edited_at: Option<DateTime<Utc>>,
    /// Read by this user (their own entries count as read).
    pub read: bool,
    #[schema(no_recursion)]
    pub replies: Vec<Entry>,
}

impl Entry {
    fn of_row(tr: &Tr, row: db::entries::EntryRow, body_html: String) -> Entry {
        Entry {
            id: row.id,
            kind: row.kind,
            category: row.category,
            occurred_at: row.occurred_at,
            created_at: row.created_at,
            author_name: row.author_name,
            author_agency_id: row.author_agency_id,
            author_agency_name: row.author_agency_name,
            body_html,
            fields: strip_said(row.fields, tr),
            shared_with: row.shared_with,
            reply_to: row.reply_to,
            version: row.version,
            edited_at: row.edited_at,
            read: row.read,
            replies: vec![],
        }
    }

    /// An entry of the timeline page, with its replies.
    pub fn of_view(tr: &Tr, view: EntryView) -> Entry {
        let body = view.body(tr);
        let replies = view
            .replies
            .into_iter()
            .map(|(row, fields)| {
                let body = match &fields.said {
                    Some(said) => said.to_html(*tr),
                    None => row.body_html.clone(),
                };
                Entry::of_row(tr, row, body)
            })
            .collect();
        let mut entry = Entry::of_row(tr, view.row, body);
        entry.replies = replies;
        entry
    }
}

/// The message keys of a system-written entry are put into words in `body_html`; the fields
/// keep what the kind records.
fn strip_said(mut fields: serde_json::Value, _tr: &Tr) -> serde_json::Value {
    if let Some(map) = fields.as_object_mut() {
        map.remove("said");
    }
    fields
}

/// A new entry was written: where it is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Created {
    pub id: Uuid,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Referral {
    pub id: Uuid,
    pub from_agency_id: Uuid,
    pub from_agency_name: String,
    pub to_agency_id: Uuid,
    pub to_agency_name: String,
    pub state: String,
    pub hopes: String,
    pub visit_on: Option<NaiveDate>,
    pub service_start: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl From<db::referrals::ReferralRow> for Referral {
    fn from(r: db::referrals::ReferralRow) -> Self {
        Referral {
            id: r.id,
            from_agency_id: r.from_agency_id,
            from_agency_name: r.from_name,
            to_agency_id: r.to_agency_id,
            to_agency_name: r.to_name,
            state: r.state,
            hopes: r.hopes,
            visit_on: r.visit_on,
            service_start: r.service_start,
            created_at: r.created_at,
            sent_at: r.sent_at,
            updated_at: r.updated_at,
        }
    }
}

/// A meeting in a case's list. An agency neither convening nor invited sees only the date,
/// purpose and status (`readable` false), as on the page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingSummary {
    pub id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub purpose: String,
    pub status: String,
    pub convener_agency_name: String,
    /// The acting agency convenes it or is invited (it may open it).
    pub readable: bool,
}

impl From<db::meetings::MeetingListRow> for MeetingSummary {
    fn from(r: db::meetings::MeetingListRow) -> Self {
        MeetingSummary {
            id: r.id,
            starts_at: r.starts_at,
            purpose: r.purpose,
            status: r.status,
            convener_agency_name: r.convener_agency_name,
            readable: r.readable,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Invitee {
    pub agency_id: Uuid,
    pub agency_name: String,
    pub user_id: Option<Uuid>,
    pub user_name: Option<String>,
    /// pending, attend, decline, …
    pub response: String,
    pub responded_by_name: Option<String>,
    pub responded_at: Option<DateTime<Utc>>,
}

impl From<db::meetings::InviteeRow> for Invitee {
    fn from(r: db::meetings::InviteeRow) -> Self {
        Invitee {
            agency_id: r.agency_id,
            agency_name: r.agency_name,
            user_id: r.user_id,
            user_name: r.user_name,
            response: r.response,
            responded_by_name: r.responded_by_name,
            responded_at: r.responded_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionItem {
    pub id: Uuid,
    pub meeting_id: Option<Uuid>,
    pub owner_agency_id: Uuid,
    pub owner_agency_name: String,
    pub owner_user_name: Option<String>,
    pub what: String,
    pub how: String,
    pub due_on: NaiveDate,
    pub status: String,
    pub done_note: String,
    pub overdue: bool,
}

impl From<db::meetings::ActionRow> for ActionItem {
    fn from(r: db::meetings::ActionRow) -> Self {
        ActionItem {
            id: r.id,
            meeting_id: r.meeting_id,
            owner_agency_id: r.owner_agency_id,
            owner_agency_name: r.owner_agency_name,
            owner_user_name: r.owner_user_name,
            what: r.what,
            how: r.how,
            due_on: r.due_on,
            status: r.status,
            done_note: r.done_note,
            overdue: r.overdue,
        }
    }
}

/// A meeting as its page shows it to the convener and the invitees (the material is computed
/// per reader on its own page and is not part of this view).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Meeting {
    pub id: Uuid,
    pub case_id: Uuid,
    pub convener_agency_id: Uuid,
    pub convener_agency_name: String,
    pub convener_name: String,
    pub purpose: String,
    pub purpose_note: String,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub place: String,
    pub online_url: String,
    pub status: String,
    pub person_attends: bool,
    pub family_attends: bool,
    pub held_at: Option<DateTime<Utc>>,
    pub cancel_reason: String,
    pub attendees: String,
    pub discussion: String,
    pub decisions: String,
    pub invitees: Vec<Invitee>,
    pub action_items: Vec<ActionItem>,
}

impl Meeting {
    pub fn of(
        m: db::meetings::MeetingRow,
        invitees: Vec<db::meetings::InviteeRow>,
        actions: Vec<db::meetings::ActionRow>,
    ) -> Meeting {
        Meeting {
            id: m.id,
            case_id: m.case_id,
            convener_agency_id: m.convener_agency_id,
            convener_agency_name: m.convener_agency_name,
            convener_name: m.convener_name,
            purpose: m.purpose,
            purpose_note: m.purpose_note,
            starts_at: m.starts_at,
            duration_minutes: m.duration_minutes,
            place: m.place,
            online_url: m.online_url,
            status: m.status,
            person_attends: m.person_attends,
            family_attends: m.family_attends,
            held_at: m.held_at,
            cancel_reason: m.cancel_reason,
            attendees: m.attendees,
            discussion: m.discussion,
            decisions: m.decisions,
            invitees: invitees.into_iter().map(Invitee::from).collect(),
            action_items: actions.into_iter().map(ActionItem::from).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Task {
    pub id: Uuid,
    pub source: String,
    /// In the reader's language for a generated task; as typed once a user edited it.
    pub title: String,
    pub owner_agency_id: Uuid,
    pub owner_agency_name: String,
    pub due_on: NaiveDate,
    pub status: String,
    pub done_note: String,
    pub overdue: bool,
}

impl Task {
    pub fn of(r: db::tasks::TaskRow, title: String) -> Task {
        Task {
            id: r.id,
            source: r.source,
            title,
            owner_agency_id: r.owner_agency_id,
            owner_agency_name: r.owner_agency_name,
            due_on: r.due_on,
            status: r.status,
            done_note: r.done_note,
            overdue: r.overdue,
        }
    }
}

/// A case's tasks (from the legal dates) and the action items of its meetings the agency may
/// read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Work {
    pub tasks: Vec<Task>,
    pub action_items: Vec<ActionItem>,
}

/// One recorded checklist (readiness or retention).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Check {
    pub id: Uuid,
    /// readiness or retention
    pub instrument: String,
    pub assessed_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub author_name: String,
    pub author_agency_name: String,
    pub answers: Vec<CheckAnswer>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckAnswer {
    pub code: String,
    pub value: String,
    pub note: String,
}

impl Check {
    pub fn of(instrument: &str, r: db::checks::AssessmentRow) -> Check {
        let answers = r
            .codes
            .iter()
            .zip(&r.item_values)
            .enumerate()
            .map(|(i, (code, value))| CheckAnswer {
                code: code.clone(),
                value: value.clone(),
                note: r.notes.get(i).cloned().unwrap_or_default(),
            })
            .collect();
        Check {
            id: r.id,
            instrument: instrument.to_string(),
            assessed_on: r.assessed_on,
            created_at: r.created_at,
            author_name: r.author_name,
            author_agency_name: r.author_agency_name,
            answers,
        }
    }
}

/// A meeting's material as its reader reads it: the sections Renkei generates from what the
/// reader may see, and the convener's own text when the reader may read it (both sanitized
/// HTML, as on the material page).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Material {
    pub meeting_id: Uuid,
    pub generated_html: String,
    pub text_html: Option<String>,
}
