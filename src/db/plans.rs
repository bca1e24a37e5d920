//! 個別支援計画: plans, their versions (never updated: every save is a new version), the
//! 担当者会議, the consent, the deliveries and the monitoring records. Reads take the
//! `PlanScope` (or the case scope for lists), so a plan that did not pass its door is not read.

use crate::access::rules::{self, TODAY};
use crate::access::{CaseScope, OnCase, PlanScope};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// A plan in a list, with the facts its state is derived from.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlanRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub agency_id: Uuid,
    pub agency_name: String,
    pub service: String,
    pub category: String,
    pub seq: i32,
    pub previous_id: Option<Uuid>,
    pub service_start_on: Option<NaiveDate>,
    pub assessed_on: NaiveDate,
    pub assessment: String,
    pub created_at: DateTime<Utc>,
    pub versions: i64,
    pub latest_plan_date: Option<NaiveDate>,
    pub meeting: bool,
    pub consent: bool,
    /// delivered to the person on
    pub delivered_on: Option<NaiveDate>,
    pub superseded: bool,
    /// the last monitoring that found the plan holds (no change needed): the review is done
    pub last_monitoring: Option<NaiveDate>,
}

impl PlanRow {
    pub fn state(&self) -> crate::domain::plan::State {
        crate::domain::plan::State::of(
            self.versions,
            self.meeting,
            self.consent,
            self.delivered_on.is_some(),
            self.superseded,
        )
    }
    pub fn service(&self) -> crate::domain::plan::Service {
        crate::domain::plan::Service::parse(&self.service)
            .unwrap_or(crate::domain::plan::Service::Other)
    }
    /// The next review of a delivered plan (None before delivery and once superseded).
    pub fn review_due(&self) -> Option<NaiveDate> {
        match (self.delivered_on, self.superseded) {
            (Some(d), false) => Some(crate::domain::plan::review_due(
                self.service(),
                d,
                self.last_monitoring,
            )),
            _ => None,
        }
    }
}

const PLAN_SELECT: &str = "SELECT p.id, p.case_id, p.agency_id, a.name AS agency_name, p.service,
        p.category, p.seq, p.previous_id, p.service_start_on, p.assessed_on, p.assessment,
        p.created_at,
        (SELECT count(*) FROM support_plan_version v WHERE v.plan_id = p.id) AS versions,
        (SELECT v.plan_date FROM support_plan_version v WHERE v.plan_id = p.id
          ORDER BY v.version_no DESC LIMIT 1) AS latest_plan_date,
        EXISTS (SELECT 1 FROM support_plan_meeting m WHERE m.plan_id = p.id) AS meeting,
        EXISTS (SELECT 1 FROM support_plan_consent k WHERE k.plan_id = p.id) AS consent,
        (SELECT d.delivered_on FROM support_plan_delivery d
          WHERE d.plan_id = p.id AND d.agency_id IS NULL) AS delivered_on,
        EXISTS (SELECT 1 FROM support_plan n
                JOIN support_plan_delivery nd ON nd.plan_id = n.id AND nd.agency_id IS NULL
                WHERE n.case_id = p.case_id AND n.agency_id = p.agency_id AND n.seq > p.seq)
          AS superseded,
        (SELECT max(o.held_on) FROM support_plan_monitoring o
          WHERE o.plan_id = p.id AND NOT o.change_needed) AS last_monitoring
     FROM support_plan p JOIN agency a ON a.id = p.agency_id";

/// The case's plans the agency may read, newest first per agency.
pub async fn list(conn: &mut PgConnection, case: &CaseScope) -> sqlx::Result<Vec<PlanRow>> {
    sqlx::query_as(&format!(
        "{PLAN_SELECT} WHERE p.case_id = $2 AND {}
         ORDER BY p.agency_id = $1 DESC, a.name, p.seq DESC",
        rules::plan_visible("$1")
    ))
    .bind(case.agency_id())
    .bind(case.case_id())
    .fetch_all(conn)
    .await
}

pub async fn get(conn: &mut PgConnection, plan: &PlanScope) -> sqlx::Result<PlanRow> {
    sqlx::query_as(&format!("{PLAN_SELECT} WHERE p.id = $1"))
        .bind(plan.plan_id())
        .fetch_one(conn)
        .await
}

/// Every plan of the case, for the review tasks (written for the plans' own agencies).
async fn all_of_case(conn: &mut PgConnection, case_id: Uuid) -> sqlx::Result<Vec<PlanRow>> {
    sqlx::query_as(&format!(
        "{PLAN_SELECT} WHERE p.case_id = $1 ORDER BY p.agency_id, p.seq"
    ))
    .bind(case_id)
    .fetch_all(conn)
    .await
}

pub struct NewPlan<'a> {
    pub service: crate::domain::plan::Service,
    pub service_start_on: Option<NaiveDate>,
    pub assessed_on: NaiveDate,
    pub assessment: &'a str,
    pub previous_id: Option<Uuid>,
}

/// Starts a plan of the acting agency on the case with its assessment record.
pub async fn create(
    conn: &mut PgConnection,
    case: &CaseScope,
    p: &NewPlan<'_>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO support_plan (id, case_id, agency_id, service, category, previous_id, seq,
                                   service_start_on, assessed_on, assessment, created_by)
         SELECT $1, $2, $3, $4, $5, $6,
                coalesce((SELECT max(seq) FROM support_plan WHERE case_id = $2 AND agency_id = $3), 0) + 1,
                $7, $8, $9, $10",
    )
    .bind(id)
    .bind(case.case_id())
    .bind(case.agency_id())
    .bind(p.service.as_str())
    .bind(p.service.category())
    .bind(p.previous_id)
    .bind(p.service_start_on)
    .bind(p.assessed_on)
    .bind(p.assessment)
    .bind(case.user_id())
    .execute(conn)
    .await?;
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VersionRow {
    pub id: Uuid,
    pub version_no: i32,
    pub plan_date: NaiveDate,
    pub manager_id: Uuid,
    pub manager_name: String,
    pub wishes: String,
    pub policy: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub saved_by_name: String,
    pub saved_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GoalRow {
    pub term: String,
    pub text: String,
    pub target_on: NaiveDate,
}

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct SupportRow {
    pub what: String,
    pub who: String,
    pub frequency: String,
    pub place: String,
    pub period: String,
    pub addition: bool,
}

/// A version with its goals and support rows.
#[derive(Debug, Clone)]
pub struct Version {
    pub head: VersionRow,
    pub goals: Vec<GoalRow>,
    pub rows: Vec<SupportRow>,
}

/// The versions the reader may read, newest first: every one for the plan's own agency, the
/// delivered one for an agency it was delivered to.
pub async fn versions(conn: &mut PgConnection, plan: &PlanScope) -> sqlx::Result<Vec<VersionRow>> {
    sqlx::query_as(
        "SELECT v.id, v.version_no, v.plan_date, v.manager_id, m.display_name AS manager_name,
                v.wishes, v.policy, v.period_from, v.period_to, s.display_name AS saved_by_name,
                v.saved_at
         FROM support_plan_version v
         JOIN support_plan p ON p.id = v.plan_id
         JOIN app_user m ON m.id = v.manager_id
         JOIN app_user s ON s.id = v.saved_by
         WHERE v.plan_id = $2
           AND (p.agency_id = $1
                OR EXISTS (SELECT 1 FROM support_plan_delivery d
                           WHERE d.plan_id = p.id AND d.agency_id = $1 AND d.version_id = v.id))
         ORDER BY v.version_no DESC",
    )
    .bind(plan.reader_agency_id())
    .bind(plan.plan_id())
    .fetch_all(conn)
    .await
}

/// One version in full (None when the reader may not read it).
pub async fn version(
    conn: &mut PgConnection,
    plan: &PlanScope,
    version_id: Uuid,
) -> sqlx::Result<Option<Version>> {
    let Some(head) = versions(conn, plan)
        .await?
        .into_iter()
        .find(|v| v.id == version_id)
    else {
        return Ok(None);
    };
    let goals = sqlx::query_as(
        "SELECT term, text, target_on FROM support_plan_goal WHERE version_id = $1
         ORDER BY term = 'short', position",
    )
    .bind(version_id)
    .fetch_all(&mut *conn)
    .await?;
    let rows = sqlx::query_as(
        "SELECT what, who, frequency, place, period, addition FROM support_plan_row
         WHERE version_id = $1 ORDER BY position",
    )
    .bind(version_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some(Version { head, goals, rows }))
}

/// The version the reader reads by default: the delivered one when there is one, else the
/// newest it may read.
pub async fn current_version(
    conn: &mut PgConnection,
    plan: &PlanScope,
) -> sqlx::Result<Option<Version>> {
    let delivered: Option<Uuid> = sqlx::query_scalar(
        "SELECT version_id FROM support_plan_delivery WHERE plan_id = $1 AND agency_id IS NULL",
    )
    .bind(plan.plan_id())
    .fetch_optional(&mut *conn)
    .await?;
    let id = match delivered {
        Some(id) => Some(id),
        None => versions(conn, plan).await?.first().map(|v| v.id),
    };
    match id {
        Some(id) => version(conn, plan, id).await,
        None => Ok(None),
    }
}

pub struct NewVersion<'a> {
    pub plan_date: NaiveDate,
    pub manager_id: Uuid,
    pub wishes: &'a str,
    pub policy: &'a str,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// (term, text, target date)
    pub goals: Vec<(&'static str, String, NaiveDate)>,
    pub rows: Vec<SupportRow>,
}

/// Saves a new version of the plan (the earlier ones are kept as they were).
pub async fn save_version(
    conn: &mut PgConnection,
    plan: &PlanScope,
    v: &NewVersion<'_>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO support_plan_version (id, plan_id, version_no, plan_date, manager_id, wishes,
                                           policy, period_from, period_to, saved_by)
         SELECT $1, $2,
                coalesce((SELECT max(version_no) FROM support_plan_version WHERE plan_id = $2), 0) + 1,
                $3, $4, $5, $6, $7, $8, $9",
    )
    .bind(id)
    .bind(plan.plan_id())
    .bind(v.plan_date)
    .bind(v.manager_id)
    .bind(v.wishes)
    .bind(v.policy)
    .bind(v.period_from)
    .bind(v.period_to)
    .bind(plan.case().user_id())
    .execute(&mut *conn)
    .await?;
    for (i, (term, text, on)) in v.goals.iter().enumerate() {
        sqlx::query(
            "INSERT INTO support_plan_goal (version_id, position, term, text, target_on)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(i as i32)
        .bind(term)
        .bind(text)
        .bind(on)
        .execute(&mut *conn)
        .await?;
    }
    for (i, r) in v.rows.iter().enumerate() {
        sqlx::query(
            "INSERT INTO support_plan_row (version_id, position, what, who, frequency, place,
                                           period, addition)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(i as i32)
        .bind(&r.what)
        .bind(&r.who)
        .bind(&r.frequency)
        .bind(&r.place)
        .bind(&r.period)
        .bind(r.addition)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

/// Copies the delivered version of the previous plan into the new plan as its first draft.
pub async fn copy_delivered(
    conn: &mut PgConnection,
    from: Uuid,
    to: &PlanScope,
    plan_date: NaiveDate,
) -> sqlx::Result<()> {
    let Some(v): Option<Uuid> = sqlx::query_scalar(
        "SELECT d.version_id FROM support_plan_delivery d
         JOIN support_plan p ON p.id = d.plan_id
         WHERE d.plan_id = $1 AND d.agency_id IS NULL AND p.agency_id = $2",
    )
    .bind(from)
    .bind(to.reader_agency_id())
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(());
    };
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO support_plan_version (id, plan_id, version_no, plan_date, manager_id, wishes,
                                           policy, period_from, period_to, saved_by)
         SELECT $1, $2, 1, $3, manager_id, wishes, policy, $3,
                greatest($3, $3 + (period_to - period_from)), $4
         FROM support_plan_version WHERE id = $5",
    )
    .bind(id)
    .bind(to.plan_id())
    .bind(plan_date)
    .bind(to.case().user_id())
    .bind(v)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO support_plan_goal (version_id, position, term, text, target_on)
         SELECT $1, position, term, text, greatest(target_on, $3) FROM support_plan_goal
         WHERE version_id = $2",
    )
    .bind(id)
    .bind(v)
    .bind(plan_date)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO support_plan_row (version_id, position, what, who, frequency, place, period,
                                       addition)
         SELECT $1, position, what, who, frequency, place, period, addition
         FROM support_plan_row WHERE version_id = $2",
    )
    .bind(id)
    .bind(v)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The users of the plan's agency: who may be named the サービス管理責任者.
pub async fn managers(
    conn: &mut PgConnection,
    case: &CaseScope,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT u.id, u.display_name FROM membership m JOIN app_user u ON u.id = m.user_id
         WHERE m.agency_id = $1 AND u.active ORDER BY u.display_name, u.id",
    )
    .bind(case.agency_id())
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MeetingRecord {
    pub meeting_id: Option<Uuid>,
    pub held_on: NaiveDate,
    pub attendees: String,
    pub minutes: String,
}

pub async fn meeting(
    conn: &mut PgConnection,
    plan: &PlanScope,
) -> sqlx::Result<Option<MeetingRecord>> {
    sqlx::query_as(
        "SELECT meeting_id, held_on, attendees, minutes FROM support_plan_meeting WHERE plan_id = $1",
    )
    .bind(plan.plan_id())
    .fetch_optional(conn)
    .await
}

/// Records (or corrects) the 担当者会議 of the plan.
pub async fn set_meeting(
    conn: &mut PgConnection,
    plan: &PlanScope,
    m: &MeetingRecord,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO support_plan_meeting (plan_id, meeting_id, held_on, attendees, minutes,
                                           recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (plan_id) DO UPDATE SET meeting_id = EXCLUDED.meeting_id,
             held_on = EXCLUDED.held_on, attendees = EXCLUDED.attendees,
             minutes = EXCLUDED.minutes, recorded_by = EXCLUDED.recorded_by, recorded_at = now()",
    )
    .bind(plan.plan_id())
    .bind(m.meeting_id)
    .bind(m.held_on)
    .bind(&m.attendees)
    .bind(&m.minutes)
    .bind(plan.case().user_id())
    .execute(conn)
    .await?;
    Ok(())
}

/// The case's meetings for the plan (purpose 「個別支援計画の検討」) that the agency may read:
/// (id, starts_at, status).
pub async fn plan_meetings(
    conn: &mut PgConnection,
    plan: &PlanScope,
) -> sqlx::Result<Vec<(Uuid, DateTime<Utc>, String)>> {
    sqlx::query_as(&format!(
        "SELECT m.id, m.starts_at, m.status FROM meeting m
         WHERE m.case_id = $2 AND m.purpose = 'support_plan' AND m.status <> 'cancelled' AND {}
         ORDER BY m.starts_at DESC LIMIT 20",
        rules::meeting_reader("$1")
    ))
    .bind(plan.reader_agency_id())
    .bind(plan.case_id())
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConsentRecord {
    pub version_id: Uuid,
    pub version_no: i32,
    pub consented_on: NaiveDate,
    pub method: String,
    pub consenter: String,
}

pub async fn consent(
    conn: &mut PgConnection,
    plan: &PlanScope,
) -> sqlx::Result<Option<ConsentRecord>> {
    sqlx::query_as(
        "SELECT k.version_id, v.version_no, k.consented_on, k.method, k.consenter
         FROM support_plan_consent k JOIN support_plan_version v ON v.id = k.version_id
         WHERE k.plan_id = $1",
    )
    .bind(plan.plan_id())
    .fetch_optional(conn)
    .await
}

pub async fn record_consent(
    conn: &mut PgConnection,
    plan: &PlanScope,
    version_id: Uuid,
    on: NaiveDate,
    method: &str,
    consenter: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO support_plan_consent (plan_id, version_id, consented_on, method, consenter,
                                           recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(plan.plan_id())
    .bind(version_id)
    .bind(on)
    .bind(method)
    .bind(consenter)
    .bind(plan.case().user_id())
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    pub agency_id: Option<Uuid>,
    pub agency_name: Option<String>,
    pub version_no: i32,
    pub delivered_on: NaiveDate,
}

/// The deliveries the reader may read: all for the plan's agency, its own for a recipient.
pub async fn deliveries(
    conn: &mut PgConnection,
    plan: &PlanScope,
) -> sqlx::Result<Vec<DeliveryRow>> {
    sqlx::query_as(
        "SELECT d.agency_id, a.name AS agency_name, v.version_no, d.delivered_on
         FROM support_plan_delivery d
         JOIN support_plan p ON p.id = d.plan_id
         JOIN support_plan_version v ON v.id = d.version_id
         LEFT JOIN agency a ON a.id = d.agency_id
         WHERE d.plan_id = $2 AND (p.agency_id = $1 OR d.agency_id = $1)
         ORDER BY d.agency_id IS NOT NULL, d.delivered_on, a.name",
    )
    .bind(plan.reader_agency_id())
    .bind(plan.plan_id())
    .fetch_all(conn)
    .await
}

/// A 相談支援事業所 on the team now that the plan could be delivered to, with the live consent
/// of the person covering the plan's category for it (None: no consent covers it).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Recipient {
    pub agency_id: Uuid,
    pub name: String,
    pub consent_id: Option<Uuid>,
    pub delivered: bool,
}

pub async fn recipients(conn: &mut PgConnection, plan: &PlanScope) -> sqlx::Result<Vec<Recipient>> {
    sqlx::query_as(&format!(
        "SELECT a.id AS agency_id, a.name,
                (SELECT k.id FROM consent k
                 WHERE k.case_id = p.case_id AND k.agency_id = a.id
                   AND p.category = ANY (k.categories) AND k.revoked_at IS NULL
                   AND k.given_on <= {TODAY}
                   AND (k.valid_until IS NULL OR k.valid_until >= {TODAY})
                 ORDER BY k.given_on DESC, k.id LIMIT 1) AS consent_id,
                EXISTS (SELECT 1 FROM support_plan_delivery d
                        WHERE d.plan_id = p.id AND d.agency_id = a.id) AS delivered
         FROM support_plan p
         JOIN case_agency ca ON ca.case_id = p.case_id AND ca.left_on IS NULL
         JOIN agency a ON a.id = ca.agency_id AND a.kind = 'consultation_office'
         WHERE p.id = $1 AND a.id <> p.agency_id
         ORDER BY a.name"
    ))
    .bind(plan.plan_id())
    .fetch_all(conn)
    .await
}

/// Records one delivery of the consented version (to the person: `to` None, with no consent
/// record; to an agency: the consent it relied on). Called only by `area::plans::deliver`.
pub async fn insert_delivery(
    conn: &mut PgConnection,
    plan: &PlanScope,
    version_id: Uuid,
    to: Option<(Uuid, Uuid)>,
    on: NaiveDate,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO support_plan_delivery (id, plan_id, version_id, agency_id, consent_id,
                                            delivered_on, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(plan.plan_id())
    .bind(version_id)
    .bind(to.map(|t| t.0))
    .bind(to.map(|t| t.1))
    .bind(on)
    .bind(plan.case().user_id())
    .execute(conn)
    .await?;
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MonitoringRow {
    pub held_on: NaiveDate,
    pub findings: String,
    pub change_needed: bool,
    pub recorded_by_name: String,
}

pub async fn monitorings(
    conn: &mut PgConnection,
    plan: &PlanScope,
) -> sqlx::Result<Vec<MonitoringRow>> {
    sqlx::query_as(
        "SELECT o.held_on, o.findings, o.change_needed, u.display_name AS recorded_by_name
         FROM support_plan_monitoring o
         JOIN support_plan p ON p.id = o.plan_id
         JOIN app_user u ON u.id = o.recorded_by
         WHERE o.plan_id = $2 AND p.agency_id = $1
         ORDER BY o.held_on DESC, o.id DESC",
    )
    .bind(plan.reader_agency_id())
    .bind(plan.plan_id())
    .fetch_all(conn)
    .await
}

pub async fn add_monitoring(
    conn: &mut PgConnection,
    plan: &PlanScope,
    held_on: NaiveDate,
    findings: &str,
    change_needed: bool,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO support_plan_monitoring (id, plan_id, held_on, findings, change_needed,
                                              recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(plan.plan_id())
    .bind(held_on)
    .bind(findings)
    .bind(change_needed)
    .bind(plan.case().user_id())
    .execute(conn)
    .await?;
    Ok(id)
}

/// Brings the case's plan tasks in line with its plans and dates: one review task (source
/// `plan-review:<plan id>`) per delivered, not superseded plan of an agency on the team, owned
/// by the plan's agency and due on its next review; one first-plan task (`plan-first:<agency id>`) per agency whose
/// service period has started (`plan::service_start`) and which has delivered no plan on the
/// case, due within one month of the start; open untouched ones that no longer apply go. The
/// reason is the task's title. Run when a plan is delivered or monitored and when the case's
/// phase or dates change.
pub async fn sync_review_tasks(conn: &mut PgConnection, scope: &impl OnCase) -> sqlx::Result<()> {
    seed_sync_review_tasks(conn, scope.case_id()).await
}

/// `sync_review_tasks` for the demo loader.
pub(crate) async fn seed_sync_review_tasks(
    conn: &mut PgConnection,
    case_id: Uuid,
) -> sqlx::Result<()> {
    use crate::domain::plan::{review_source, REVIEW_REASON};
    let plans = all_of_case(conn, case_id).await?;
    // the agencies on the team now: an agency that left reviews no plan
    type TeamRow = (Uuid, String, String, Option<NaiveDate>, Option<NaiveDate>);
    let team: Vec<TeamRow> = sqlx::query_as(
        "SELECT ca.agency_id, a.kind, c.phase, c.training_started_on, c.retention_start_on
         FROM case_agency ca
         JOIN agency a ON a.id = ca.agency_id
         JOIN case_file c ON c.id = ca.case_id
         WHERE ca.case_id = $1 AND ca.left_on IS NULL",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut wanted: Vec<(String, String, Uuid, NaiveDate)> = vec![];
    for p in &plans {
        if !team.iter().any(|t| t.0 == p.agency_id) {
            continue;
        }
        if let Some(due) = p.review_due() {
            wanted.push((
                review_source(p.id),
                format!(
                    "{REVIEW_REASON}（第{}回の計画・{}）",
                    p.seq,
                    crate::domain::dates::slash(due)
                ),
                p.agency_id,
                due,
            ));
        }
    }
    // the first plan of each service period: due within one month of the service start, for
    // an agency on the team that has delivered no plan on the case
    for (agency, kind, phase, training, retention) in team {
        let Some(kind) = crate::domain::kinds::AgencyKind::parse(&kind) else {
            continue;
        };
        let Some(start) = crate::domain::plan::service_start(kind, &phase, training, retention)
        else {
            continue;
        };
        let delivered = plans
            .iter()
            .any(|p| p.agency_id == agency && p.delivered_on.is_some());
        if delivered {
            continue;
        }
        let due = crate::domain::plan::first_plan_due(start);
        wanted.push((
            crate::domain::plan::first_plan_source(agency),
            format!(
                "{}（サービス開始 {}・期限 {}）",
                crate::domain::plan::FIRST_REASON,
                crate::domain::dates::slash(start),
                crate::domain::dates::slash(due)
            ),
            agency,
            due,
        ));
    }
    let sources: Vec<&str> = wanted.iter().map(|w| w.0.as_str()).collect();
    sqlx::query(
        "DELETE FROM task WHERE case_id = $1 AND status = 'open' AND NOT edited
           AND (source LIKE 'plan-review:%' OR source LIKE 'plan-first:%')
           AND NOT (source = ANY ($2))",
    )
    .bind(case_id)
    .bind(&sources)
    .execute(&mut *conn)
    .await?;
    for (source, title, owner, due) in &wanted {
        sqlx::query(
            "INSERT INTO task AS t (id, case_id, source, title, owner_agency_id, due_on)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (case_id, source) DO UPDATE
                SET title = EXCLUDED.title, owner_agency_id = EXCLUDED.owner_agency_id,
                    due_on = EXCLUDED.due_on
                WHERE t.status = 'open' AND NOT t.edited",
        )
        .bind(Uuid::now_v7())
        .bind(case_id)
        .bind(source)
        .bind(title)
        .bind(owner)
        .bind(due)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
