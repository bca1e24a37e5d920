//! 支援レポート: the case's reports (and the hand-over, 支援体制構築), a report with its draft
//! form, the issue and the acknowledgement, and the A4 print.

use super::{Choice, Errors, Layout};
use crate::db::reports::{HandoverRow, VersionRow};
use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// A report in the case's list.
pub struct ReportItem {
    pub id: Uuid,
    pub month: String,
    pub agency_name: String,
    pub employer_name: String,
    pub state_key: String,
    pub issued_on: Option<NaiveDate>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// issued and waiting for the reader (the employer) to acknowledge it
    pub awaiting: bool,
}

/// What was typed into a report's form.
#[derive(Debug, Clone, Default)]
pub struct ReportForm {
    pub month: String,
    pub activity: String,
    pub situation: String,
    pub support: String,
    pub requests: String,
    pub next_steps: String,
}

/// What was typed into the hand-over form.
#[derive(Debug, Clone, Default)]
pub struct HandoverForm {
    pub to: Vec<Choice>,
    pub started_on: String,
    pub shared: String,
}

/// The hand-over section of the reports page.
pub struct HandoverView {
    /// the words of where it stands (with the deadline), and whether it is an alert
    pub status: String,
    pub alert: bool,
    pub rows: Vec<HandoverRow>,
    pub may_record: bool,
    pub form: HandoverForm,
}

#[derive(Template)]
#[template(path = "reports/index.html")]
pub struct ReportsPage {
    pub layout: Layout,
    pub case_id: Uuid,
    pub name: String,
    pub reports: Vec<ReportItem>,
    /// the acting agency writes the case's reports (a retention office on the team)
    pub may_write: bool,
    /// the case has no employer on its team to write for
    pub no_employer: bool,
    /// ended months of the service without a report of the acting agency
    pub months: Vec<Choice>,
    pub handover: Option<HandoverView>,
    pub errors: Errors,
}

#[derive(Template)]
#[template(path = "reports/new.html")]
pub struct NewReportPage {
    pub layout: Layout,
    pub case_id: Uuid,
    pub name: String,
    pub month_label: String,
    pub employer_name: String,
    pub form: ReportForm,
    pub errors: Errors,
}

#[derive(Template)]
#[template(path = "reports/show.html")]
pub struct ReportPage {
    pub layout: Layout,
    pub case_id: Uuid,
    pub report_id: Uuid,
    pub name: String,
    pub month_label: String,
    pub agency_name: String,
    pub employer_name: String,
    pub state_key: String,
    pub own: bool,
    pub issued_on: Option<NaiveDate>,
    pub issued_by_name: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by_name: Option<String>,
    pub version: Option<VersionRow>,
    pub versions: Vec<VersionRow>,
    /// the draft may be changed and issued (the writing office, a draft)
    pub may_edit: bool,
    /// 「確認しました」 is offered (the employer, an issued report)
    pub may_acknowledge: bool,
    /// the report waits for the employer (shown to the writing office)
    pub awaiting: bool,
    pub form: ReportForm,
    pub errors: Errors,
}

#[derive(Template)]
#[template(path = "reports/print.html")]
pub struct ReportPrint {
    pub layout: Layout,
    pub case_id: Uuid,
    pub report_id: Uuid,
    pub name: String,
    pub kana: String,
    pub office: String,
    pub employer: String,
    pub month_label: String,
    pub issued_on: Option<String>,
    pub acknowledged: Option<(String, String)>,
    /// the version printed
    pub v: VersionRow,
}
