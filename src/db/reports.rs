//! 支援レポート (monthly support reports) and 支援体制構築 (the hand-over before the retention
//! service ends). Every read takes the scope (or the `Reader`/`Actor`) that passed the door:
//! `rules::report_visible` decides which reports an agency reads.

use crate::access::rules::{entry_visible_for, live_consent_id, report_visible, ENTRY_VISIBLE};
use crate::access::{Actor, CaseScope, Reader, ReportScope};
use crate::domain::report::State;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// A report in the case's list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportItem {
    pub id: Uuid,
    pub month: NaiveDate,
    pub agency_id: Uuid,
    pub agency_name: String,
    pub employer_name: String,
    pub issued_on: Option<NaiveDate>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

impl ReportItem {
    pub fn state(&self) -> State {
        State::of(self.issued_on.is_some(), self.acknowledged_at.is_some())
    }
}

/// The case's reports the agency reads: its own (drafts too), and the issued ones written for
/// it as the employer. Latest month first.
pub async fn list(conn: &mut PgConnection, case: &CaseScope) -> sqlx::Result<Vec<ReportItem>> {
    sqlx::query_as(&format!(
        "SELECT r.id, r.month, r.agency_id, a.name AS agency_name, e.name AS employer_name,
                r.issued_on, r.acknowledged_at
           FROM support_report r
           JOIN agency a ON a.id = r.agency_id
           JOIN agency e ON e.id = r.employer_agency_id
          WHERE r.case_id = $2 AND {}
          ORDER BY r.month DESC, a.name",
        report_visible("$1")
    ))
    .bind(case.agency_id())
    .bind(case.case_id())
    .fetch_all(conn)
    .await
}

/// The facts of one report: who writes it, for whom, the issue and the acknowledgement.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    pub id: Uuid,
    pub month: NaiveDate,
    pub agency_name: String,
    pub employer_name: String,
    pub issued_version_id: Option<Uuid>,
    pub issued_on: Option<NaiveDate>,
    pub issued_at: Option<DateTime<Utc>>,
    pub issued_by_name: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by_name: Option<String>,
}

impl ReportRow {
    pub fn state(&self) -> State {
        State::of(self.issued_at.is_some(), self.acknowledged_at.is_some())
    }
}

pub async fn get(conn: &mut PgConnection, scope: &ReportScope) -> sqlx::Result<ReportRow> {
    sqlx::query_as(
        "SELECT r.id, r.month, a.name AS agency_name, e.name AS employer_name,
                r.issued_version_id, r.issued_on, r.issued_at, ib.display_name AS issued_by_name,
                r.acknowledged_at, ab.display_name AS acknowledged_by_name
           FROM support_report r
           JOIN agency a ON a.id = r.agency_id
           JOIN agency e ON e.id = r.employer_agency_id
           LEFT JOIN app_user ib ON ib.id = r.issued_by
           LEFT JOIN app_user ab ON ab.id = r.acknowledged_by
          WHERE r.id = $1",
    )
    .bind(scope.report_id())
    .fetch_one(conn)
    .await
}

/// What a version of a report says.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Content {
    pub activity: String,
    pub situation: String,
    pub support: String,
    pub requests: String,
    pub next_steps: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VersionRow {
    pub id: Uuid,
    pub version_no: i32,
    pub activity: String,
    pub situation: String,
    pub support: String,
    pub requests: String,
    pub next_steps: String,
    pub saved_by_name: String,
    pub saved_at: DateTime<Utc>,
}

const VERSION_COLUMNS: &str = "v.id, v.version_no, v.activity, v.situation, v.support,
        v.requests, v.next_steps, u.display_name AS saved_by_name, v.saved_at";

/// The version the reader reads: the latest for the writing office, the issued one for the
/// employer.
pub async fn current(
    conn: &mut PgConnection,
    scope: &ReportScope,
) -> sqlx::Result<Option<VersionRow>> {
    let which = if scope.is_own() {
        "v.report_id = $1 ORDER BY v.version_no DESC LIMIT 1"
    } else {
        "v.id = (SELECT issued_version_id FROM support_report WHERE id = $1)"
    };
    sqlx::query_as(&format!(
        "SELECT {VERSION_COLUMNS} FROM support_report_version v
           JOIN app_user u ON u.id = v.saved_by WHERE {which}"
    ))
    .bind(scope.report_id())
    .fetch_optional(conn)
    .await
}

/// Every saved version (the writing office), or the issued one (the employer), newest first.
pub async fn versions(
    conn: &mut PgConnection,
    scope: &ReportScope,
) -> sqlx::Result<Vec<VersionRow>> {
    let only_issued = if scope.is_own() {
        ""
    } else {
        "AND v.id = (SELECT issued_version_id FROM support_report WHERE id = $1)"
    };
    sqlx::query_as(&format!(
        "SELECT {VERSION_COLUMNS} FROM support_report_version v
           JOIN app_user u ON u.id = v.saved_by
          WHERE v.report_id = $1 {only_issued}
          ORDER BY v.version_no DESC"
    ))
    .bind(scope.report_id())
    .fetch_all(conn)
    .await
}

/// One version by id, among those the reader reads.
pub async fn version(
    conn: &mut PgConnection,
    scope: &ReportScope,
    id: Uuid,
) -> sqlx::Result<Option<VersionRow>> {
    Ok(versions(conn, scope)
        .await?
        .into_iter()
        .find(|v| v.id == id))
}

/// Starts the report of `month` for the case's employer (`employer`, a reader the door handed
/// out), written by the acting agency. None when that month already has one.
pub async fn create(
    conn: &mut PgConnection,
    case: &CaseScope,
    employer: Reader,
    month: NaiveDate,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "INSERT INTO support_report (id, case_id, agency_id, employer_agency_id, month, created_by)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (case_id, agency_id, month) DO NOTHING
         RETURNING id",
    )
    .bind(Uuid::now_v7())
    .bind(case.case_id())
    .bind(case.agency_id())
    .bind(employer.agency_id())
    .bind(month)
    .bind(case.user_id())
    .fetch_optional(conn)
    .await
}

/// Saves a new version of a draft (never one of an issued report: the SQL checks).
pub async fn save_version(
    conn: &mut PgConnection,
    scope: &ReportScope,
    c: &Content,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "INSERT INTO support_report_version (id, report_id, version_no, activity, situation,
                                             support, requests, next_steps, saved_by)
         SELECT $1, r.id,
                coalesce((SELECT max(version_no) FROM support_report_version
                           WHERE report_id = r.id), 0) + 1,
                $3, $4, $5, $6, $7, $8
           FROM support_report r
          WHERE r.id = $2 AND r.issued_at IS NULL
         RETURNING id",
    )
    .bind(Uuid::now_v7())
    .bind(scope.report_id())
    .bind(&c.activity)
    .bind(&c.situation)
    .bind(&c.support)
    .bind(&c.requests)
    .bind(&c.next_steps)
    .bind(scope.case().user_id())
    .fetch_optional(conn)
    .await
}

/// Issues the latest version to the employer on `on`: the issue becomes a fact of the report.
/// None when it was already issued (or has no version).
pub async fn issue(
    conn: &mut PgConnection,
    scope: &ReportScope,
    on: NaiveDate,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "UPDATE support_report r
            SET issued_version_id = (SELECT v.id FROM support_report_version v
                                      WHERE v.report_id = r.id
                                      ORDER BY v.version_no DESC LIMIT 1),
                issued_on = $2, issued_by = $3, issued_at = now()
          WHERE r.id = $1 AND r.issued_at IS NULL
            AND EXISTS (SELECT 1 FROM support_report_version v WHERE v.report_id = r.id)
         RETURNING r.issued_version_id",
    )
    .bind(scope.report_id())
    .bind(on)
    .bind(scope.case().user_id())
    .fetch_optional(conn)
    .await
}

/// 「確認しました」 by a user of the employer: a fact of the report. False when it is not
/// issued, already acknowledged, or the reader is not its employer (the SQL checks each).
pub async fn acknowledge(conn: &mut PgConnection, scope: &ReportScope) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE support_report SET acknowledged_by = $3, acknowledged_at = now()
          WHERE id = $1 AND employer_agency_id = $2
            AND issued_at IS NOT NULL AND acknowledged_at IS NULL",
    )
    .bind(scope.report_id())
    .bind(scope.case().agency_id())
    .bind(scope.case().user_id())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An entry of the month that the draft is prefilled from.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MonthEntry {
    pub occurred_at: DateTime<Utc>,
    pub kind: String,
    pub agency_name: String,
    pub channel: Option<String>,
    pub with_whom: Option<String>,
    pub line: String,
}

/// The month's contacts and progress entries (the monthly interview among them) that both
/// `reader` — the employer, as the door hands it out — and the writing office (`writer`, the
/// opened case) may see: the entry rule of each one's timeline, so that the draft neither tells
/// the employer what it may not see nor shows the office what it may not read. Oldest first.
pub async fn month_entries(
    conn: &mut PgConnection,
    writer: &CaseScope,
    reader: Reader,
    month: NaiveDate,
) -> sqlx::Result<Vec<MonthEntry>> {
    sqlx::query_as(&format!(
        "SELECT e.occurred_at, e.kind, a.name AS agency_name,
                e.fields->>'channel' AS channel, e.fields->>'with_whom' AS with_whom,
                left(replace(e.body, E'\\n', ' '), 200) AS line
           FROM entry e JOIN agency a ON a.id = e.author_agency_id
          WHERE e.case_id = $2 AND e.reply_to IS NULL AND e.kind IN ('contact', 'progress')
            AND (e.occurred_at AT TIME ZONE 'Asia/Tokyo')::date >= $3
            AND (e.occurred_at AT TIME ZONE 'Asia/Tokyo')::date < ($3 + interval '1 month')::date
            AND {} AND {}
          ORDER BY e.occurred_at, e.id",
        *ENTRY_VISIBLE,
        entry_visible_for("$4")
    ))
    .bind(reader.agency_id())
    .bind(reader.case_id())
    .bind(month)
    .bind(writer.agency_id())
    .fetch_all(conn)
    .await
}

/// The months of the case that have an issued report (for the legal page's monthly check).
/// Only the reports the reading agency may see count (`rules::report_visible`): another agency
/// learns nothing of them from the check.
pub async fn issued_months(
    conn: &mut PgConnection,
    case: &CaseScope,
) -> sqlx::Result<Vec<NaiveDate>> {
    sqlx::query_scalar(&format!(
        "SELECT DISTINCT r.month FROM support_report r
          WHERE r.case_id = $1 AND r.issued_at IS NOT NULL AND {}
          ORDER BY r.month",
        report_visible("$2")
    ))
    .bind(case.case_id())
    .bind(case.agency_id())
    .fetch_all(conn)
    .await
}

/// A report waiting for the acting agency's acknowledgement (the employer's dashboard).
#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct Awaiting {
    pub id: Uuid,
    pub case_id: Uuid,
    pub family_name: String,
    pub given_name: String,
    pub month: NaiveDate,
    pub agency_name: String,
}

pub async fn awaiting(conn: &mut PgConnection, actor: Actor) -> sqlx::Result<Vec<Awaiting>> {
    sqlx::query_as(&awaiting_sql())
        .bind(actor.agency_id())
        .fetch_all(conn)
        .await
}

/// The SQL of `awaiting` (`$1` the agency; also part of the dashboard's statement).
pub(crate) fn awaiting_sql() -> String {
    format!(
        "SELECT r.id, r.case_id, p.family_name, p.given_name, r.month, a.name AS agency_name
           FROM support_report r
           JOIN case_file c ON c.id = r.case_id
           JOIN participant p ON p.id = c.participant_id
           JOIN agency a ON a.id = r.agency_id
          WHERE r.employer_agency_id = $1 AND r.issued_at IS NOT NULL
            AND r.acknowledged_at IS NULL AND {}
          ORDER BY r.issued_at LIMIT 50",
        report_visible("$1")
    )
}

// ---- 支援体制構築 -----------------------------------------------------------------------------

/// The hand-over recorded on the case (the first one started).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HandoverRow {
    pub started_on: NaiveDate,
    pub agency_name: String,
    pub to_name: String,
    pub consent_given_on: NaiveDate,
    pub shared: String,
}

pub async fn handovers(
    conn: &mut PgConnection,
    case: &CaseScope,
) -> sqlx::Result<Vec<HandoverRow>> {
    sqlx::query_as(
        "SELECT h.started_on, a.name AS agency_name, t.name AS to_name,
                k.given_on AS consent_given_on, h.shared
           FROM support_handover h
           JOIN agency a ON a.id = h.agency_id
           JOIN agency t ON t.id = h.to_agency_id
           JOIN consent k ON k.id = h.consent_id
          WHERE h.case_id = $1
          ORDER BY h.started_on, h.recorded_at",
    )
    .bind(case.case_id())
    .fetch_all(conn)
    .await
}

/// An agency of the team the hand-over may go to, with the live consent (`work`) it relies on.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HandoverTarget {
    pub agency_id: Uuid,
    pub name: String,
    pub consent_id: Option<Uuid>,
}

pub async fn handover_targets(
    conn: &mut PgConnection,
    case: &CaseScope,
) -> sqlx::Result<Vec<HandoverTarget>> {
    sqlx::query_as(&format!(
        "SELECT t.agency_id, a.name, {} AS consent_id
           FROM case_agency t JOIN agency a ON a.id = t.agency_id
          WHERE t.case_id = $1 AND t.left_on IS NULL AND t.agency_id <> $2
          ORDER BY a.name",
        live_consent_id("t.case_id", "t.agency_id", "'work'")
    ))
    .bind(case.case_id())
    .bind(case.agency_id())
    .fetch_all(conn)
    .await
}

pub async fn record_handover(
    conn: &mut PgConnection,
    case: &CaseScope,
    to: Uuid,
    consent: Uuid,
    started_on: NaiveDate,
    shared: &str,
) -> sqlx::Result<Uuid> {
    sqlx::query_scalar(
        "INSERT INTO support_handover (id, case_id, agency_id, to_agency_id, consent_id,
                                       started_on, shared, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(Uuid::now_v7())
    .bind(case.case_id())
    .bind(case.agency_id())
    .bind(to)
    .bind(consent)
    .bind(started_on)
    .bind(shared)
    .bind(case.user_id())
    .fetch_one(conn)
    .await
}

/// The lead agency's retention cases whose hand-over deadline (three months before the
/// service ends) has passed with no hand-over started by then (the lead's dashboard).
#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct MissedHandover {
    pub case_id: Uuid,
    pub family_name: String,
    pub given_name: String,
    pub retention_end_on: NaiveDate,
}

pub async fn missed_handovers(
    conn: &mut PgConnection,
    actor: Actor,
) -> sqlx::Result<Vec<MissedHandover>> {
    sqlx::query_as(MISSED_HANDOVERS_SQL)
        .bind(actor.agency_id())
        .fetch_all(conn)
        .await
}

/// The acting retention office's cases in retention whose last month (Tokyo) lies within the
/// service and has no issued report of the office yet (its dashboard: a report to write).
#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct ReportDue {
    pub case_id: Uuid,
    pub family_name: String,
    pub given_name: String,
    pub month: NaiveDate,
}

pub async fn due_for_office(conn: &mut PgConnection, actor: Actor) -> sqlx::Result<Vec<ReportDue>> {
    sqlx::query_as(&due_for_office_sql())
        .bind(actor.agency_id())
        .fetch_all(conn)
        .await
}

/// The SQL of `due_for_office` (`$1` the retention office; also part of the dashboard's
/// statement). The agency's kind is an uncorrelated condition, so PostgreSQL tests it once
/// before anything else: for the other kinds of agency the panel costs nothing (as a join it
/// read every case in retention first, 2.1 ms of each dashboard at 10k cases).
pub(crate) fn due_for_office_sql() -> String {
    format!(
        "SELECT c.id AS case_id, p.family_name, p.given_name, m.month
           FROM case_agency t
           JOIN case_file c ON c.id = t.case_id AND c.phase = 'retention'
           JOIN participant p ON p.id = c.participant_id
           CROSS JOIN (SELECT date_trunc('month', {today} - interval '1 month')::date AS month) m
          WHERE EXISTS (SELECT 1 FROM agency a WHERE a.id = $1 AND a.kind = 'retention_office')
            AND t.agency_id = $1 AND t.left_on IS NULL
            AND c.retention_start_on < (m.month + interval '1 month')::date
            AND (c.retention_end_on IS NULL OR c.retention_end_on >= m.month)
            AND NOT EXISTS (SELECT 1 FROM support_report r
                             WHERE r.case_id = c.id AND r.agency_id = $1 AND r.month = m.month
                               AND r.issued_at IS NOT NULL)
          ORDER BY p.sort_kana COLLATE \"ja-x-icu\" LIMIT 50",
        today = crate::access::rules::TODAY
    )
}

/// The employer's live consent (`work`) the issue of the report relies on; None when there is
/// none (the report cannot be issued: the employer could not read it).
pub async fn employer_consent(
    conn: &mut PgConnection,
    scope: &ReportScope,
) -> sqlx::Result<Option<(Uuid, Uuid)>> {
    let row: Option<(Uuid, Option<Uuid>)> = sqlx::query_as(&format!(
        "SELECT r.employer_agency_id, {} FROM support_report r
          WHERE r.id = $1
            AND EXISTS (SELECT 1 FROM case_agency ca
                         WHERE ca.case_id = r.case_id AND ca.agency_id = r.employer_agency_id
                           AND ca.left_on IS NULL)",
        live_consent_id("r.case_id", "r.employer_agency_id", "'work'")
    ))
    .bind(scope.report_id())
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(|(employer, consent)| consent.map(|k| (employer, k))))
}

/// The SQL of `missed_handovers` (`$1` the lead agency; also part of the dashboard's
/// statement).
pub(crate) const MISSED_HANDOVERS_SQL: &str =
    "SELECT c.id AS case_id, p.family_name, p.given_name, c.retention_end_on
       FROM case_file c JOIN participant p ON p.id = c.participant_id
      WHERE c.lead_agency_id = $1 AND c.phase = 'retention'
        AND c.retention_end_on IS NOT NULL
        AND (c.retention_end_on - interval '3 months')::date
            < (now() AT TIME ZONE 'Asia/Tokyo')::date
        AND NOT EXISTS (SELECT 1 FROM support_handover h
                         WHERE h.case_id = c.id
                           AND h.started_on <= (c.retention_end_on - interval '3 months')::date)
      ORDER BY c.retention_end_on LIMIT 50";
