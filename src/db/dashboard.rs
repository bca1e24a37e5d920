//! The dashboard's panels in one statement. Each panel's SQL is written once, in its own
//! module (`daily::alerts_sql`, `tasks::open_for_agency_sql`, …, which the one-panel functions
//! use too); here they are put side by side, each as a JSON array (`json_agg` over the panel's
//! own ordered, limited selection, which keeps its order), so that the page costs one round
//! trip instead of one per panel.

use crate::access::Actor;
use chrono::NaiveDate;
use sqlx::types::Json;
use sqlx::PgConnection;
use std::sync::LazyLock;

use super::cases::CaseListRow;
use super::consents::ExpiringRow;
use super::daily::AlertRow;
use super::meetings::{ActionRow, MeetingListRow};
use super::referrals::ReferralRow;
use super::reports::{Awaiting, MissedHandover, ReportDue};
use super::tasks::TaskRow;

/// What the dashboard shows for the acting agency.
pub struct Panels {
    pub daily_alerts: Vec<AlertRow>,
    /// monthly reports waiting for the agency's acknowledgement (an employer's)
    pub reports_awaiting: Vec<Awaiting>,
    /// a retention office's cases whose report for last month is not issued yet
    pub reports_due: Vec<ReportDue>,
    /// cases the agency leads whose hand-over is late
    pub handovers_missed: Vec<MissedHandover>,
    pub tasks: Vec<TaskRow>,
    pub meetings: Vec<MeetingListRow>,
    pub actions: Vec<ActionRow>,
    pub referrals: Vec<ReferralRow>,
    /// the cases in the phases the agency's kind works in
    pub cases: Vec<CaseListRow>,
    /// for a coordinator: the cases the agency leads and their consents that end soon
    pub led: Option<Vec<CaseListRow>>,
    pub expiring: Option<Vec<ExpiringRow>>,
}

/// What the dashboard asks for.
pub struct Ask<'a> {
    /// open tasks due up to this day
    pub tasks_until: NaiveDate,
    pub phases: &'a [&'a str],
    pub coordinator: bool,
    /// rows per panel
    pub limit: i64,
    pub meetings: i64,
    /// consents ending within this many days
    pub expiring_days: i32,
}

#[derive(sqlx::FromRow)]
struct Row {
    daily_alerts: Json<Vec<AlertRow>>,
    reports_awaiting: Json<Vec<Awaiting>>,
    reports_due: Json<Vec<ReportDue>>,
    handovers_missed: Json<Vec<MissedHandover>>,
    tasks: Json<Vec<TaskRow>>,
    meetings: Json<Vec<MeetingListRow>>,
    actions: Json<Vec<ActionRow>>,
    referrals: Json<Vec<ReferralRow>>,
    cases: Json<Vec<CaseListRow>>,
    led: Option<Json<Vec<CaseListRow>>>,
    expiring: Option<Json<Vec<ExpiringRow>>>,
}

/// `$1` the agency, `$2` tasks until, `$3` rows per panel, `$4` meetings, `$5` phases,
/// `$6` coordinator, `$7` expiring days.
static SQL: LazyLock<String> = LazyLock::new(|| {
    let panel = |sql: String| format!("(SELECT coalesce(json_agg(x), '[]') FROM ({sql}) x)");
    format!(
        "SELECT {alerts} AS daily_alerts, {awaiting} AS reports_awaiting,
                {due} AS reports_due, {missed} AS handovers_missed, {tasks} AS tasks, {meetings} AS meetings,
                {actions} AS actions, {referrals} AS referrals, {cases} AS cases,
                CASE WHEN $6 THEN {led} END AS led,
                CASE WHEN $6 THEN {expiring} END AS expiring",
        alerts = panel(super::daily::alerts_sql()),
        awaiting = panel(super::reports::awaiting_sql()),
        due = panel(super::reports::due_for_office_sql()),
        missed = panel(super::reports::MISSED_HANDOVERS_SQL.to_string()),
        tasks = panel(super::tasks::open_for_agency_sql("$2", "$3")),
        meetings = panel(super::meetings::upcoming_sql("$4")),
        actions = panel(super::meetings::open_actions_sql("$3")),
        referrals = panel(super::referrals::incoming_sql("true", "$3")),
        cases = panel(super::cases::in_phases_sql("$5", "$3")),
        led = panel(super::cases::led_by_sql("$3")),
        expiring = panel(super::consents::expiring_sql("$7", "$3")),
    )
});

pub async fn panels(conn: &mut PgConnection, actor: Actor, ask: &Ask<'_>) -> sqlx::Result<Panels> {
    let row: Row = sqlx::query_as(&SQL)
        .bind(actor.agency_id())
        .bind(ask.tasks_until)
        .bind(ask.limit)
        .bind(ask.meetings)
        .bind(ask.phases)
        .bind(ask.coordinator)
        .bind(ask.expiring_days)
        .fetch_one(conn)
        .await?;
    Ok(Panels {
        daily_alerts: row.daily_alerts.0,
        reports_awaiting: row.reports_awaiting.0,
        reports_due: row.reports_due.0,
        handovers_missed: row.handovers_missed.0,
        tasks: row.tasks.0,
        meetings: row.meetings.0,
        actions: row.actions.0,
        referrals: row.referrals.0,
        cases: row.cases.0,
        led: row.led.map(|j| j.0),
        expiring: row.expiring.map(|j| j.0),
    })
}
