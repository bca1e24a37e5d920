use super::timeline::Timeline;
use super::{Errors, Layout};
use crate::db::agencies::AgencyRow;
use crate::db::cases::{CaseHeader, CaseListRow, TeamRow};
use crate::db::consents::ConsentRow;
use crate::policy::CaseAccess;
use askama::Template;
use chrono::NaiveDate;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "cases/list.html")]
pub struct CasesPage {
    pub layout: Layout,
    pub cases: Vec<CaseListRow>,
    pub search: String,
    /// Where the next page starts (kana, id).
    pub next: Option<(String, Uuid)>,
}

#[derive(Debug, Clone, Default)]
pub struct NewCaseForm {
    pub family_name: String,
    pub given_name: String,
    pub family_kana: String,
    pub given_kana: String,
    pub birth_date: String,
    pub disability_categories: Vec<String>,
    pub municipality: String,
    pub postal_code: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub family_contacts: String,
    pub notes: String,
    pub role_text: String,
}

#[derive(Template)]
#[template(path = "cases/new.html")]
pub struct NewCasePage {
    pub layout: Layout,
    pub form: NewCaseForm,
    pub errors: Errors,
    /// (value, label, checked)
    pub disabilities: Vec<(String, String, bool)>,
}

/// One cell of the consent matrix: covered today, and until when (None: indefinitely).
#[derive(Debug, Clone)]
pub struct ConsentCell {
    pub covered: bool,
    pub until: Option<NaiveDate>,
}

#[derive(Template)]
#[template(path = "cases/show.html")]
pub struct CasePage {
    pub layout: Layout,
    pub header: CaseHeader,
    pub access: CaseAccess,
    pub team: Vec<TeamRow>,
    /// (agency name, one cell per category)
    pub matrix: Vec<(String, Vec<ConsentCell>)>,
    pub matrix_headers: Vec<String>,
    pub timeline: Timeline,
    /// the next dates of the legal timeline
    pub upcoming: Vec<super::employment::Milestone>,
    /// three bad days in a row in the daily reports
    pub bad_streak: bool,
    pub may_view_access_log: bool,
    /// the acting agency's support plans: none delivered in the service period, a review due
    pub plan_notices: Vec<crate::domain::plan::Notice>,
    /// the hand-over before the service ends is late or did not start by its deadline
    pub handover_alert: Option<String>,
}

#[derive(Template)]
#[template(path = "cases/team.html")]
pub struct TeamPage {
    pub layout: Layout,
    pub case_id: Uuid,
    pub name: String,
    pub access: CaseAccess,
    pub team: Vec<TeamRow>,
    pub candidates: Vec<AgencyRow>,
    /// The agency chosen in the add form (from the directory, or as posted).
    pub chosen: String,
    pub errors: Errors,
    pub role_text: String,
    /// A member's role as typed when its change was refused: (agency, text, message).
    pub role_typed: Option<(Uuid, String, String)>,
}

impl TeamPage {
    /// The role shown in a member's form: as typed when its change came back, else as stored.
    pub fn role_for<'a>(&'a self, m: &'a TeamRow) -> &'a str {
        match &self.role_typed {
            Some((a, text, _)) if *a == m.agency_id => text,
            _ => &m.role_text,
        }
    }

    pub fn role_message(&self, m: &TeamRow) -> Option<&str> {
        self.role_typed
            .as_ref()
            .filter(|(a, ..)| *a == m.agency_id)
            .map(|(_, _, msg)| msg.as_str())
    }
}

#[derive(Debug, Clone, Default)]
pub struct ConsentForm {
    pub agency_id: String,
    pub categories: Vec<String>,
    pub given_by: String,
    pub method: String,
    pub given_on: String,
    pub term: String,
    pub until: String,
    pub evidence: String,
}

impl ConsentForm {
    pub fn has_category(&self, c: &str) -> bool {
        self.categories.iter().any(|k| k == c)
    }
}

#[derive(Template)]
#[template(path = "cases/consents.html")]
pub struct ConsentsPage {
    pub layout: Layout,
    pub case_id: Uuid,
    pub name: String,
    pub access: CaseAccess,
    pub matrix: Vec<(String, Vec<ConsentCell>)>,
    pub matrix_headers: Vec<String>,
    /// (value, label)
    pub categories: Vec<(&'static str, String)>,
    pub consents: Vec<ConsentRow>,
    pub agencies: Vec<(Uuid, String)>,
    pub form: ConsentForm,
    pub errors: Errors,
    /// A refused revocation: the consent, the message and the reason as typed.
    pub revoke_error: Option<(Uuid, String, String)>,
}

impl ConsentsPage {
    /// The message and the reason typed for this consent's revocation, when it was refused.
    pub fn revoke_typed(&self, consent: &Uuid) -> Option<(&str, &str)> {
        self.revoke_error
            .as_ref()
            .filter(|(id, ..)| id == consent)
            .map(|(_, m, r)| (m.as_str(), r.as_str()))
    }
}

#[derive(Template)]
#[template(path = "cases/access_log.html")]
pub struct AccessLogPage {
    pub layout: Layout,
    pub case_id: Uuid,
    pub name: String,
    pub review: super::audit::Review,
}

impl CaseListRow {
    pub fn phase_key(&self) -> String {
        format!("phase-{}", self.phase)
    }
}

impl CaseHeader {
    pub fn phase_key(&self) -> String {
        format!("phase-{}", self.phase)
    }
    pub fn disability_keys(&self) -> Vec<String> {
        self.disability_categories
            .iter()
            .map(|d| format!("disability-{d}"))
            .collect()
    }
}

impl TeamRow {
    pub fn kind_key(&self) -> String {
        format!("kind-{}", self.kind)
    }

    /// The role as the reader reads it: the one Renkei writes when a referral's receiver
    /// joins, in the reader's words; a role people typed, as typed.
    pub fn role(&self, tr: &crate::i18n::Tr) -> String {
        use crate::i18n::{Lang, Tr};
        let generated = [Lang::Ja, Lang::En]
            .into_iter()
            .any(|l| Tr::new(l).t("referral-team-role") == self.role_text);
        if generated {
            tr.t("referral-team-role")
        } else {
            self.role_text.clone()
        }
    }
}

impl ConsentRow {
    pub fn category_keys(&self) -> Vec<String> {
        self.categories
            .iter()
            .map(|c| format!("category-{c}"))
            .collect()
    }
    pub fn given_by_key(&self) -> String {
        format!("consent-giver-{}", self.given_by)
    }
    pub fn method_key(&self) -> String {
        format!("consent-method-{}", self.method)
    }
}
