use super::Layout;
use crate::db::cases::CaseListRow;
use crate::db::consents::ExpiringRow;
use askama::Template;

/// A list of cases under a heading.
pub struct Panel {
    pub title: String,
    pub cases: Vec<CaseListRow>,
}

#[derive(Template)]
#[template(path = "dashboard/index.html")]
pub struct Dashboard {
    pub layout: Layout,
    pub panels: Vec<Panel>,
    /// Shown to coordinators: consents on their lead cases that end within 30 days.
    pub expiring: Option<Vec<ExpiringRow>>,
    /// Meetings the agency is invited to, from now on.
    pub meetings: Vec<crate::db::meetings::MeetingListRow>,
    /// Cases with three bad days in a row (daily reports the agency may see).
    pub daily_alerts: Vec<crate::db::daily::AlertRow>,
    /// Support reports issued to the agency (an employer) and not yet acknowledged.
    pub reports_awaiting: Vec<crate::db::reports::Awaiting>,
    /// The agency's lead retention cases whose hand-over did not start by its deadline.
    pub handovers_missed: Vec<crate::db::reports::MissedHandover>,
    /// The agency's tasks due this month or overdue.
    pub tasks: Vec<crate::db::tasks::TaskRow>,
    /// The agency's open action items (overdue first).
    pub actions: Vec<crate::db::meetings::ActionRow>,
    /// Referrals sent to the agency that are still open.
    pub referrals: Vec<crate::db::referrals::ReferralRow>,
    /// The system admin's overview: (agencies, users).
    pub admin_counts: Option<(i64, i64)>,
}
