use super::{Choice, Errors, Layout};
use crate::db::meetings::{ActionRow, ClashRow, InviteeRow, MeetingListRow, MeetingRow};
use askama::Template;
use uuid::Uuid;

/// Catalog keys of a meeting's purpose and status, for the full meeting and the list row alike.
macro_rules! meeting_keys {
    ($($row:ty),*) => {$(
        impl $row {
            pub fn purpose_key(&self) -> String {
                format!("meeting-purpose-{}", self.purpose)
            }
            pub fn status_key(&self) -> String {
                format!("meeting-status-{}", self.status)
            }
        }
    )*};
}
meeting_keys!(MeetingRow, MeetingListRow);

impl MeetingListRow {
    /// The meeting's day in Tokyo (all a team agency not invited sees of it).
    pub fn tokyo_day(&self) -> chrono::NaiveDate {
        self.starts_at
            .with_timezone(&chrono_tz::Asia::Tokyo)
            .date_naive()
    }
}

impl InviteeRow {
    pub fn response_key(&self) -> String {
        format!("rsvp-{}", self.response)
    }
}

/// What was typed into the scheduling form.
#[derive(Debug, Clone, Default)]
pub struct MeetingForm {
    pub purpose: String,
    pub purpose_note: String,
    pub date: String,
    pub time: String,
    pub duration: String,
    pub place: String,
    pub online_url: String,
    pub phone: String,
    pub person_attends: bool,
    pub family_attends: bool,
    pub invite: Vec<String>,
    pub outside_agency: String,
    pub outside_email: String,
    pub consent_reason: String,
    pub confirm_clash: bool,
}

impl MeetingForm {
    pub fn invites(&self, agency: &Uuid) -> bool {
        self.invite.iter().any(|i| *i == agency.to_string())
    }
}

#[derive(Template)]
#[template(path = "meetings/case.html")]
pub struct CaseMeetingsPage {
    pub layout: Layout,
    pub case_id: Uuid,
    pub name: String,
    pub meetings: Vec<MeetingListRow>,
    pub actions: Vec<ActionRow>,
    pub may_convene: bool,
    pub purposes: Vec<Choice>,
    /// (agency id, name, has any live consent)
    pub team: Vec<(Uuid, String, bool)>,
    pub others: Vec<Choice>,
    pub form: MeetingForm,
    pub errors: Errors,
    pub clashes: Vec<ClashRow>,
    /// invited agencies without any live consent (a reason is asked for)
    pub unconsented: Vec<String>,
}

/// One row of the role-assignment part of the minutes, as typed. `owner` is an agency's id, or
/// "agency/user" for one of its people (`OwnerGroup`).
#[derive(Debug, Clone, Default)]
pub struct RoleRow {
    pub owner: String,
    pub due: String,
    pub how: String,
    pub what: String,
}

impl RoleRow {
    pub fn is_empty(&self) -> bool {
        self.owner.is_empty() && self.due.is_empty() && self.how.is_empty() && self.what.is_empty()
    }
}

/// An agency an action item can be given to, and its people, for the owner select (one
/// `<optgroup>` per agency).
#[derive(Debug, Clone)]
pub struct OwnerGroup {
    pub name: String,
    /// the agency as a whole
    pub value: String,
    pub people: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "meetings/show.html")]
pub struct MeetingPage {
    pub layout: Layout,
    pub meeting: MeetingRow,
    pub invitees: Vec<InviteeRow>,
    pub actions: Vec<ActionRow>,
    /// the acting agency's own invitation, if any
    pub my_invitation: Option<InviteeRow>,
    pub may_run: bool,
    pub errors: Errors,
    pub form: MeetingForm,
    pub minutes: (String, String, String),
    pub roles: Vec<RoleRow>,
    pub owner_groups: Vec<OwnerGroup>,
    pub clashes: Vec<ClashRow>,
    /// the start time has come: minutes may be recorded
    pub started: bool,
    /// the cancellation's reason as typed, when it came back
    pub cancel_reason: String,
    /// who presented the plan, for a meeting on the support plan (地域連携会議実施加算)
    pub presenter_choices: Vec<Choice>,
}

/// The versions of a meeting's minutes: as they stand, then each earlier one with who wrote
/// it, who replaced it and when, and which parts the next version changed.
#[derive(Template)]
#[template(path = "meetings/minutes_history.html")]
pub struct MinutesHistoryPage {
    pub layout: Layout,
    pub meeting: MeetingRow,
    pub versions: Vec<MinutesVersion>,
}

pub struct MinutesVersion {
    pub row: crate::db::meetings::MinutesVersionRow,
    /// the labels of the parts the next version changed
    pub changed: Vec<String>,
}

#[derive(Template)]
#[template(path = "meetings/material.html")]
pub struct MaterialPage {
    pub layout: Layout,
    pub meeting: MeetingRow,
    /// The convener's coordinators edit their text (not while previewing).
    pub may_run: bool,
    /// The convener's own text as typed, and its information category ("" = own agency only).
    pub text: String,
    pub categories: Vec<Choice>,
    /// The sections computed for the reader, sanitised HTML.
    pub generated_html: String,
    /// The convener's text, when the reader may read it.
    pub text_html: Option<String>,
    /// Previewing as this invited agency.
    pub as_name: Option<String>,
    /// The invited agencies the convener can preview as.
    pub previews: Vec<Choice>,
    pub errors: Errors,
}

#[derive(Template)]
#[template(path = "meetings/print.html")]
pub struct MaterialPrint {
    pub layout: Layout,
    pub meeting: MeetingRow,
    pub generated_html: String,
    pub text_html: Option<String>,
    pub as_name: Option<String>,
    /// 作成日 in 和暦 with the Western year
    pub made_on: String,
    pub made_by: String,
}
