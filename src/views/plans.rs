//! 個別支援計画: the case's plans, one plan with the forms of its cycle, and the A4 print.

use super::{Choice, Errors, Layout};
use crate::db::plans::{
    ConsentRecord, DeliveryRow, MeetingRecord, MonitoringRow, Recipient, Version, VersionRow,
};
use crate::domain::plan::Notice;
use askama::Template;
use chrono::NaiveDate;
use uuid::Uuid;

/// A plan in the case's list.
pub struct PlanItem {
    pub id: Uuid,
    pub seq: i32,
    pub agency_name: String,
    pub service_key: String,
    pub state_key: String,
    pub plan_date: Option<NaiveDate>,
    pub delivered_on: Option<NaiveDate>,
    pub review_due: Option<NaiveDate>,
    pub overdue: bool,
}

/// The form that starts a plan (the assessment record).
pub struct StartForm {
    pub services: Vec<Choice>,
    pub service_start_on: String,
    pub assessed_on: String,
    pub assessment: String,
}

#[derive(Template)]
#[template(path = "plans/index.html")]
pub struct PlansPage {
    pub layout: Layout,
    pub case_id: Uuid,
    pub name: String,
    pub plans: Vec<PlanItem>,
    pub notices: Vec<Notice>,
    /// the agency may start a plan now (it has none in progress and is on the team)
    pub can_start: bool,
    /// the agency has a plan in progress (the next one waits for its delivery)
    pub in_progress: bool,
    /// the next plan starts from this one's delivered version
    pub next_from: Option<i32>,
    pub form: StartForm,
    pub errors: Errors,
    /// the acting agency's meetings for 地域連携会議実施加算 on the case, against the limits
    pub regional: Option<crate::views::ledger::RegionalSummary>,
}

/// A goal field of the version form.
pub struct GoalField {
    pub n: usize,
    pub long: bool,
    pub text: String,
    pub on: String,
}

/// A support row of the version form.
#[derive(Default)]
pub struct RowField {
    pub n: usize,
    pub what: String,
    pub who: String,
    pub frequency: String,
    pub place: String,
    pub period: String,
    pub addition: bool,
}

impl RowField {
    /// (label key, field name, value) of each text field of the row.
    pub fn fields(&self) -> Vec<(String, String, String)> {
        [
            ("what", &self.what),
            ("who", &self.who),
            ("frequency", &self.frequency),
            ("place", &self.place),
            ("period", &self.period),
        ]
        .into_iter()
        .map(|(k, v)| {
            (
                format!("plan-row-{k}"),
                format!("row_{k}_{}", self.n),
                v.clone(),
            )
        })
        .collect()
    }
}

/// The steps of the cycle as the plan page lists them.
pub const CYCLE: [&str; 5] = [
    "plan-state-assessment",
    "plan-state-draft",
    "plan-state-reviewed",
    "plan-state-consented",
    "plan-state-delivered",
];

pub struct VersionForm {
    pub plan_date: String,
    pub managers: Vec<Choice>,
    pub wishes: String,
    pub policy: String,
    pub period_from: String,
    pub period_to: String,
    pub goals: Vec<GoalField>,
    pub rows: Vec<RowField>,
}

pub struct MeetingForm {
    pub meetings: Vec<Choice>,
    pub held_on: String,
    pub attendees: String,
    pub minutes: String,
}

pub struct ConsentForm {
    pub consented_on: String,
    pub methods: Vec<Choice>,
    pub consenter: String,
}

pub struct DeliveryForm {
    pub delivered_on: String,
    pub chosen: Vec<Uuid>,
}

pub struct MonitoringForm {
    pub held_on: String,
    pub findings: String,
    pub change_needed: bool,
}

/// What the steps allow now (`domain::plan::allows`, for a reader who may edit).
pub struct Steps {
    pub draft: bool,
    pub meeting: bool,
    pub consent: bool,
    pub deliver: bool,
    pub deliver_to_agency: bool,
    pub monitoring: bool,
}

#[derive(Template)]
#[template(path = "plans/show.html")]
pub struct PlanPage {
    pub layout: Layout,
    pub case_id: Uuid,
    pub plan_id: Uuid,
    pub name: String,
    pub seq: i32,
    pub agency_name: String,
    pub service_key: String,
    pub state_key: String,
    pub own: bool,
    pub may_edit: bool,
    pub assessed_on: NaiveDate,
    pub assessment: String,
    pub review_due: Option<NaiveDate>,
    pub overdue: bool,
    pub version: Option<Version>,
    pub versions: Vec<VersionRow>,
    pub meeting: Option<MeetingRecord>,
    pub consent: Option<ConsentRecord>,
    pub consent_how_key: String,
    pub deliveries: Vec<DeliveryRow>,
    pub recipients: Vec<Recipient>,
    pub monitorings: Vec<MonitoringRow>,
    pub steps: Steps,
    pub version_form: VersionForm,
    pub meeting_form: MeetingForm,
    pub consent_form: ConsentForm,
    pub delivery_form: DeliveryForm,
    pub monitoring_form: MonitoringForm,
    pub errors: Errors,
}

impl PlanPage {
    /// The cycle's step the plan is at (for marking it in the list of steps).
    pub fn is_state(&self, key: &str) -> bool {
        self.state_key == key
    }
    pub fn chosen(&self, id: &Uuid) -> bool {
        self.delivery_form.chosen.contains(id)
    }
}

#[derive(Template)]
#[template(path = "plans/print.html")]
pub struct PlanPrint {
    pub layout: Layout,
    pub case_id: Uuid,
    pub plan_id: Uuid,
    pub name: String,
    pub kana: String,
    pub office: String,
    pub seq: i32,
    pub service_key: String,
    /// the plan's date in 和暦
    pub plan_date: String,
    pub period: String,
    pub version: Version,
    pub long_goals: Vec<(String, String)>,
    pub short_goals: Vec<(String, String)>,
    /// 「上記の個別支援計画について説明を受け、同意し、交付を受けました。」 in the reader's language
    pub consent_line: String,
    pub consent: Option<(String, String, String)>,
}
