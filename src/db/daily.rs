//! Daily self-reports. They are health information: an agency on the team sees them when it
//! leads the case or the person consented to share `health` with it.

use super::cases::TODAY;
use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::access::health::DailyCase;
use crate::access::rules::daily_visible as visible;
use crate::access::HealthScope;

pub struct NewReport<'a> {
    pub day: NaiveDate,
    pub sleep_hours: f64,
    pub sleep_quality: i16,
    pub medication_taken: bool,
    pub appetite: i16,
    pub fatigue_recovered: bool,
    pub mood: i16,
    pub note: &'a str,
    pub entered_by: Uuid,
}

/// None when the day already has a report (the transaction stays usable).
pub async fn insert(
    conn: &mut PgConnection,
    target: &impl DailyCase,
    r: &NewReport<'_>,
) -> sqlx::Result<Option<Uuid>> {
    let id = Uuid::now_v7();
    sqlx::query_scalar(
        "INSERT INTO daily_report (id, case_id, day, sleep_hours, sleep_quality, medication_taken,
                                   appetite, fatigue_recovered, mood, note, entered_by)
         VALUES ($1, $2, $3, $4::numeric, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT ON CONSTRAINT daily_report_case_day_key DO NOTHING
         RETURNING id",
    )
    .bind(id)
    .bind(target.daily_case_id())
    .bind(r.day)
    .bind(r.sleep_hours)
    .bind(r.sleep_quality)
    .bind(r.medication_taken)
    .bind(r.appetite)
    .bind(r.fatigue_recovered)
    .bind(r.mood)
    .bind(r.note)
    .bind(r.entered_by)
    .fetch_optional(conn)
    .await
}

/// The person corrects today's report (never an earlier day's: `day = today` in the SQL).
/// None when there is no report for today yet.
pub async fn correct_today(
    conn: &mut PgConnection,
    own: crate::access::OwnCase,
    r: &NewReport<'_>,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(&format!(
        "UPDATE daily_report SET sleep_hours = $3::numeric, sleep_quality = $4,
                medication_taken = $5, appetite = $6, fatigue_recovered = $7, mood = $8,
                note = $9, entered_by = $10
         WHERE case_id = $1 AND day = $2 AND day = {TODAY}
         RETURNING id"
    ))
    .bind(own.case_id())
    .bind(r.day)
    .bind(r.sleep_hours)
    .bind(r.sleep_quality)
    .bind(r.medication_taken)
    .bind(r.appetite)
    .bind(r.fatigue_recovered)
    .bind(r.mood)
    .bind(r.note)
    .bind(r.entered_by)
    .fetch_optional(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    pub day: NaiveDate,
    pub sleep_hours: f64,
    pub sleep_quality: i16,
    pub medication_taken: bool,
    pub appetite: i16,
    pub fatigue_recovered: bool,
    pub mood: i16,
    pub note: String,
    pub bad: bool,
}

const COLUMNS: &str = "d.day, d.sleep_hours::float8 AS sleep_hours, d.sleep_quality,
        d.medication_taken, d.appetite, d.fatigue_recovered, d.mood, d.note, d.bad";

/// The last 28 days of a case's reports, for an agency that may see them.
pub async fn recent_for_agency(
    conn: &mut PgConnection,
    health: &HealthScope,
) -> sqlx::Result<Vec<ReportRow>> {
    recent_on_case(conn, health.case()).await
}

/// The last 28 days of a case's reports as the case page shows them: the health rule is part
/// of the statement, so an agency it refuses reads none, without a check of its own first.
pub async fn recent_on_case(
    conn: &mut PgConnection,
    case: &crate::access::CaseScope,
) -> sqlx::Result<Vec<ReportRow>> {
    let (case_id, agency_id) = (case.case_id(), case.agency_id());
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM daily_report d
         WHERE d.case_id = $2 AND d.day > {TODAY} - 28 AND {}
         ORDER BY d.day",
        visible("d.case_id")
    ))
    .bind(agency_id)
    .bind(case_id)
    .fetch_all(conn)
    .await
}

/// The person's own last 28 days.
pub async fn recent_own(
    conn: &mut PgConnection,
    own: crate::access::OwnCase,
) -> sqlx::Result<Vec<ReportRow>> {
    let case_id = own.case_id();
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM daily_report d
         WHERE d.case_id = $1 AND d.day > {TODAY} - 28 ORDER BY d.day"
    ))
    .bind(case_id)
    .fetch_all(conn)
    .await
}

/// Three bad days in a row within the last two weeks.
pub fn bad_streak(rows: &[ReportRow]) -> bool {
    rows.windows(3).any(|w| {
        w.iter().all(|r| r.bad)
            && (w[1].day - w[0].day).num_days() == 1
            && (w[2].day - w[1].day).num_days() == 1
    })
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct AlertRow {
    pub case_id: Uuid,
    pub family_name: String,
    pub given_name: String,
}

/// The agency's cases with three bad days in a row in the last two weeks (reports it may see).
pub async fn alerts_for_agency(
    conn: &mut PgConnection,
    actor: crate::access::Actor,
) -> sqlx::Result<Vec<AlertRow>> {
    let agency_id = actor.agency_id();
    sqlx::query_as(&alerts_sql())
        .bind(agency_id)
        .fetch_all(conn)
        .await
}

/// The SQL of `alerts_for_agency` (`$1` the agency; also part of the dashboard's statement).
pub(crate) fn alerts_sql() -> String {
    format!(
        "SELECT c.id AS case_id, p.family_name, p.given_name
         FROM case_agency t
         JOIN case_file c ON c.id = t.case_id
         JOIN participant p ON p.id = c.participant_id
         WHERE t.agency_id = $1 AND t.left_on IS NULL AND c.phase <> 'closed' AND {}
           AND EXISTS (SELECT 1 FROM daily_report d1
                       JOIN daily_report d2 ON d2.case_id = d1.case_id AND d2.day = d1.day + 1 AND d2.bad
                       JOIN daily_report d3 ON d3.case_id = d1.case_id AND d3.day = d1.day + 2 AND d3.bad
                       WHERE d1.case_id = c.id AND d1.bad AND d1.day > {TODAY} - 14)
         ORDER BY p.sort_kana COLLATE \"ja-x-icu\" LIMIT 50",
        visible("c.id")
    )
}

/// Creates the person's limited account, linked to the case (by the lead agency, through the
/// daily reports' scope). None when the email is taken.
pub async fn create_participant_account(
    conn: &mut PgConnection,
    health: &HealthScope,
    email: &str,
    name: &str,
    password_hash: &str,
) -> sqlx::Result<Option<Uuid>> {
    seed_participant_account(conn, health.case().case_id(), email, name, password_hash).await
}

/// `create_participant_account` for the demo loader.
pub(crate) async fn seed_participant_account(
    conn: &mut PgConnection,
    case_id: Uuid,
    email: &str,
    name: &str,
    password_hash: &str,
) -> sqlx::Result<Option<Uuid>> {
    let id = Uuid::now_v7();
    sqlx::query_scalar(
        "INSERT INTO app_user (id, email, display_name, password_hash, participant_case_id)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT ON CONSTRAINT app_user_email_key DO NOTHING
         RETURNING id",
    )
    .bind(id)
    .bind(email)
    .bind(name)
    .bind(password_hash)
    .bind(case_id)
    .fetch_optional(conn)
    .await
}

/// The person's own account on the case, if one was made: (user, e-mail, active).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ParticipantAccount {
    pub id: Uuid,
    pub email: String,
    pub active: bool,
}

pub async fn participant_account(
    conn: &mut PgConnection,
    health: &HealthScope,
) -> sqlx::Result<Option<ParticipantAccount>> {
    sqlx::query_as(
        "SELECT id, email, active FROM app_user WHERE participant_case_id = $1
         ORDER BY created_at LIMIT 1",
    )
    .bind(health.case().case_id())
    .fetch_optional(conn)
    .await
}

/// A new password for the person's account (the lead agency tells it to her); her sessions end.
pub async fn reset_participant_password(
    conn: &mut PgConnection,
    health: &HealthScope,
    password_hash: &str,
) -> sqlx::Result<Option<Uuid>> {
    let user: Option<Uuid> = sqlx::query_scalar(
        "UPDATE app_user SET password_hash = $2 WHERE participant_case_id = $1 RETURNING id",
    )
    .bind(health.case().case_id())
    .bind(password_hash)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(u) = user {
        super::auth::delete_for_user(conn, u).await?;
    }
    Ok(user)
}

/// Turns the person's account off (her sessions end) or on again.
pub async fn set_participant_active(
    conn: &mut PgConnection,
    health: &HealthScope,
    active: bool,
) -> sqlx::Result<Option<Uuid>> {
    let user: Option<Uuid> = sqlx::query_scalar(
        "UPDATE app_user SET active = $2 WHERE participant_case_id = $1 RETURNING id",
    )
    .bind(health.case().case_id())
    .bind(active)
    .fetch_optional(&mut *conn)
    .await?;
    if let (Some(u), false) = (user, active) {
        super::auth::delete_for_user(conn, u).await?;
    }
    Ok(user)
}

/// When the report of `day` is part of three or more bad days in a row (within the last two
/// weeks), the first day of that run; None otherwise. The bad-days alert is sent once per run.
pub async fn bad_run_start(
    conn: &mut PgConnection,
    target: &impl DailyCase,
    day: NaiveDate,
) -> sqlx::Result<Option<NaiveDate>> {
    let rows: Vec<(NaiveDate, bool)> = sqlx::query_as(&format!(
        "SELECT day, bad FROM daily_report
          WHERE case_id = $1 AND day BETWEEN $2::date - 14 AND $2::date + 14
            AND day > {TODAY} - 14
          ORDER BY day"
    ))
    .bind(target.daily_case_id())
    .bind(day)
    .fetch_all(conn)
    .await?;
    Ok(bad_run(&rows, day))
}

/// The first day of the run of consecutive bad days that contains `day`, when it is three days
/// or longer.
pub fn bad_run(rows: &[(NaiveDate, bool)], day: NaiveDate) -> Option<NaiveDate> {
    let bad = |d: NaiveDate| rows.iter().any(|(x, b)| *x == d && *b);
    if !bad(day) {
        return None;
    }
    let mut start = day;
    while let Some(p) = start.pred_opt().filter(|p| bad(*p)) {
        start = p;
    }
    let mut end = day;
    while let Some(n) = end.succ_opt().filter(|n| bad(*n)) {
        end = n;
    }
    ((end - start).num_days() >= 2).then_some(start)
}
