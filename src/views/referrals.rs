use super::{Choice, Errors, Layout};
use crate::db::referrals::{EventRow, Packet, ReferralRow};
use askama::Template;
use uuid::Uuid;

impl ReferralRow {
    pub fn state_key(&self) -> String {
        format!("referral-state-{}", self.state)
    }
    pub fn is_open(&self) -> bool {
        !matches!(self.state.as_str(), "accepted" | "declined" | "withdrawn")
    }
}

impl EventRow {
    pub fn state_key(&self) -> String {
        format!("referral-state-{}", self.to_state)
    }
    pub fn reason_key(&self) -> Option<String> {
        self.decline_reason.as_ref().map(|r| format!("decline-{r}"))
    }
}

#[derive(Debug, Clone, Default)]
pub struct ReferralForm {
    pub to_agency_id: String,
    pub hopes: String,
    pub attach_assessment: bool,
}

#[derive(Template)]
#[template(path = "referrals/case.html")]
pub struct CaseReferralsPage {
    pub layout: Layout,
    pub case_id: Uuid,
    pub name: String,
    pub can_write: bool,
    pub referrals: Vec<ReferralRow>,
    pub agencies: Vec<Choice>,
    pub form: ReferralForm,
    pub errors: Errors,
    /// Categories the receiving agency's consent does not cover (after a refused send).
    pub missing_consent: Vec<String>,
    pub gate: ConsentGate,
    pub has_assessment: bool,
}

/// Who can lift a consent gate: a link for the lead's coordinators, their names for the others.
#[derive(Debug, Default)]
pub struct ConsentGate {
    pub may_record: bool,
    pub recorders: Vec<String>,
}

/// A move the acting side may make now.
pub struct Action {
    pub to: &'static str,
    pub label: String,
}

#[derive(Template)]
#[template(path = "referrals/show.html")]
pub struct ReferralPage {
    pub layout: Layout,
    pub referral: ReferralRow,
    pub packet: Packet,
    pub events: Vec<EventRow>,
    pub actions: Vec<Action>,
    pub reasons: Vec<Choice>,
    pub errors: Errors,
    pub missing_consent: Vec<String>,
    pub gate: ConsentGate,
    pub is_sender: bool,
    /// The step form as typed, when it came back with an error.
    pub typed: StepForm,
}

/// A step's form as typed: which step, its date or reason, the note.
#[derive(Debug, Clone, Default)]
pub struct StepForm {
    pub to: String,
    pub visit_on: String,
    pub service_start: String,
    pub reason: String,
    pub note: String,
}

impl StepForm {
    /// The note typed for this step's form (each step has its own form).
    pub fn note_for(&self, to: &str) -> &str {
        if self.to == to {
            &self.note
        } else {
            ""
        }
    }
}

#[derive(Template)]
#[template(path = "referrals/print.html")]
pub struct ReferralPrint {
    pub layout: Layout,
    pub referral: ReferralRow,
    pub packet: Packet,
    /// 作成日 in 和暦 with the Western year
    pub made_on: String,
}

#[derive(Template)]
#[template(path = "referrals/index.html")]
pub struct ReferralsPage {
    pub layout: Layout,
    pub incoming: Vec<ReferralRow>,
    pub outgoing: Vec<ReferralRow>,
}
