//! Tasks generated from the legal timeline, regenerated when a date changes without losing
//! what users changed or finished.

use super::cases::TODAY;
use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

pub use crate::domain::legal::{PhaseDates, Wanted};

/// Brings the case's generated tasks in line with its dates: open tasks whose moment has
/// passed because the case moved on are closed with the reason (`legal::closed_reason`),
/// edited or not; new ones are added; open ones no user touched follow the new dates, owners
/// and titles; open untouched ones that no longer apply go; one closed automatically that
/// applies again (the phase moved back) opens again. Done or edited tasks are otherwise left as
/// they are. `title` gives the Japanese title stored with a task (rendered again in
/// the reader's language from its source and arguments when read).
/// Tasks whose source key has a prefix (`plan-review:<id>`) belong to the module that writes
/// them and are left alone here, except on a closed case.
pub async fn regenerate(
    conn: &mut PgConnection,
    scope: &impl crate::access::OnCase,
    dates: &PhaseDates,
    wanted: &[(Wanted, String)],
) -> sqlx::Result<()> {
    seed_regenerate(conn, scope.case_id(), dates, wanted).await
}

/// `regenerate` for the demo loader, which seeds cases no user has opened.
pub(crate) async fn seed_regenerate(
    conn: &mut PgConnection,
    case_id: Uuid,
    dates: &PhaseDates,
    wanted: &[(Wanted, String)],
) -> sqlx::Result<()> {
    let open: Vec<String> =
        sqlx::query_scalar("SELECT source FROM task WHERE case_id = $1 AND status = 'open'")
            .bind(case_id)
            .fetch_all(&mut *conn)
            .await?;
    for source in &open {
        if let Some(reason) = crate::domain::legal::closed_reason(dates, source) {
            sqlx::query(
                "UPDATE task SET status = 'closed', closed_reason = $3, closed_at = now()
                 WHERE case_id = $1 AND source = $2 AND status = 'open'",
            )
            .bind(case_id)
            .bind(source)
            .bind(reason)
            .execute(&mut *conn)
            .await?;
        }
    }
    let sources: Vec<&str> = wanted.iter().map(|w| w.0.source).collect();
    sqlx::query(
        "DELETE FROM task WHERE case_id = $1 AND status = 'open' AND NOT edited
           AND position(':' in source) = 0 AND NOT (source = ANY ($2))",
    )
    .bind(case_id)
    .bind(&sources)
    .execute(&mut *conn)
    .await?;
    for (w, title) in wanted {
        let args: serde_json::Map<String, serde_json::Value> = w
            .args
            .iter()
            .map(|(k, d)| (k.to_string(), serde_json::Value::String(d.to_string())))
            .collect();
        sqlx::query(
            "INSERT INTO task AS t (id, case_id, source, title, owner_agency_id, due_on, args)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (case_id, source) DO UPDATE
                SET title = CASE WHEN t.edited THEN t.title ELSE EXCLUDED.title END,
                    owner_agency_id = CASE WHEN t.edited THEN t.owner_agency_id
                                           ELSE EXCLUDED.owner_agency_id END,
                    due_on = CASE WHEN t.edited THEN t.due_on ELSE EXCLUDED.due_on END,
                    args = CASE WHEN t.edited THEN t.args ELSE EXCLUDED.args END,
                    status = 'open', closed_reason = NULL, closed_at = NULL
                WHERE t.status = 'closed' OR (t.status = 'open' AND NOT t.edited)",
        )
        .bind(Uuid::now_v7())
        .bind(case_id)
        .bind(w.source)
        .bind(title)
        .bind(w.owner)
        .bind(w.due)
        .bind(sqlx::types::Json(args))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct TaskRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub family_name: String,
    pub given_name: String,
    pub source: String,
    pub title: String,
    pub owner_agency_id: Uuid,
    pub owner_agency_name: String,
    pub due_on: NaiveDate,
    pub status: String,
    pub edited: bool,
    /// the title is one a user typed
    pub title_edited: bool,
    pub done_note: String,
    pub overdue: bool,
    /// the dates the generated title names, by argument name
    pub args: sqlx::types::Json<std::collections::BTreeMap<String, String>>,
    /// why the task was closed automatically (a catalog key)
    pub closed_reason: Option<String>,
}

fn select() -> String {
    format!(
        "SELECT t.id, t.case_id, p.family_name, p.given_name, t.source, t.title,
                t.owner_agency_id, a.name AS owner_agency_name, t.due_on, t.status, t.edited,
                t.title_edited,
                t.done_note, (t.status = 'open' AND t.due_on < {TODAY}) AS overdue, t.args,
                t.closed_reason
         FROM task t
         JOIN case_file c ON c.id = t.case_id
         JOIN participant p ON p.id = c.participant_id
         JOIN agency a ON a.id = t.owner_agency_id"
    )
}

/// A case's tasks, for an agency on its team.
pub async fn for_case(
    conn: &mut PgConnection,
    scope: &crate::access::CaseScope,
) -> sqlx::Result<Vec<TaskRow>> {
    let (case_id, agency_id) = (scope.case_id(), scope.agency_id());
    sqlx::query_as(&format!(
        "{} WHERE t.case_id = $2
           AND EXISTS (SELECT 1 FROM case_agency m WHERE m.case_id = $2 AND m.agency_id = $1)
         ORDER BY t.status <> 'open', t.due_on, t.source LIMIT 200",
        select()
    ))
    .bind(agency_id)
    .bind(case_id)
    .fetch_all(conn)
    .await
}

/// The agency's open tasks due by the end of `until` (overdue ones included), by due date.
pub async fn open_for_agency(
    conn: &mut PgConnection,
    actor: crate::access::Actor,
    until: NaiveDate,
    limit: i64,
) -> sqlx::Result<Vec<TaskRow>> {
    let agency_id = actor.agency_id();
    sqlx::query_as(&open_for_agency_sql("$2", "$3"))
        .bind(agency_id)
        .bind(until)
        .bind(limit)
        .fetch_all(conn)
        .await
}

/// The SQL of `open_for_agency` (`$1` the agency, `until` and `limit` SQL expressions; also
/// part of the dashboard's statement).
pub(crate) fn open_for_agency_sql(until: &str, limit: &str) -> String {
    format!(
        "{} WHERE t.owner_agency_id = $1 AND t.status = 'open' AND t.due_on <= {until}
         ORDER BY t.due_on, t.id LIMIT {limit}",
        select()
    )
}

/// An open task of the acting agency, as it is listed.
pub async fn open_for_owner(
    conn: &mut PgConnection,
    actor: crate::access::Actor,
    id: Uuid,
) -> sqlx::Result<Option<TaskRow>> {
    sqlx::query_as(&format!(
        "{} WHERE t.id = $1 AND t.owner_agency_id = $2 AND t.status = 'open'",
        select()
    ))
    .bind(id)
    .bind(actor.agency_id())
    .fetch_optional(conn)
    .await
}

/// A user changes the due date and, when `title` is given, the title; regeneration then leaves
/// the task alone.
pub async fn edit(
    conn: &mut PgConnection,
    actor: crate::access::Actor,
    id: Uuid,
    title: Option<&str>,
    due_on: NaiveDate,
) -> sqlx::Result<Option<Uuid>> {
    let agency_id = actor.agency_id();
    sqlx::query_scalar(
        "UPDATE task SET title = COALESCE($3, title), title_edited = title_edited OR $3 IS NOT NULL,
                due_on = $4, edited = true
         WHERE id = $1 AND owner_agency_id = $2 AND status = 'open'
         RETURNING case_id",
    )
    .bind(id)
    .bind(agency_id)
    .bind(title)
    .bind(due_on)
    .fetch_optional(conn)
    .await
}

pub async fn finish(
    conn: &mut PgConnection,
    actor: crate::access::Actor,
    id: Uuid,
    note: &str,
) -> sqlx::Result<Option<Uuid>> {
    let (agency_id, user_id) = (actor.agency_id(), actor.user_id());
    sqlx::query_scalar(
        "UPDATE task SET status = 'done', done_note = $4, done_by = $3, done_at = now()
         WHERE id = $1 AND owner_agency_id = $2 AND status = 'open'
         RETURNING case_id",
    )
    .bind(id)
    .bind(agency_id)
    .bind(user_id)
    .bind(note)
    .fetch_optional(conn)
    .await
}

/// The phase dates of a case, for an agency on its team.
pub async fn phase_dates(
    conn: &mut PgConnection,
    scope: &impl crate::access::OnCase,
) -> sqlx::Result<Option<PhaseDates>> {
    let (agency_id, case_id) = (scope.actor().agency_id(), scope.case_id());
    sqlx::query_as(
        "SELECT c.phase, c.lead_agency_id, c.training_started_on, c.hired_on, c.start_kind,
                c.transition_ended_on, c.returned_on, c.retention_start_on, c.retention_end_on,
                c.follow_up_on, c.closed_on
         FROM case_file c
         WHERE c.id = $2
           AND EXISTS (SELECT 1 FROM case_agency m WHERE m.case_id = $2 AND m.agency_id = $1)",
    )
    .bind(agency_id)
    .bind(case_id)
    .fetch_optional(conn)
    .await
}

pub async fn save_phase(
    conn: &mut PgConnection,
    scope: &crate::access::CaseScope,
    d: &PhaseDates,
) -> sqlx::Result<()> {
    let case_id = scope.case_id();
    sqlx::query(
        "UPDATE case_file SET phase = $2, training_started_on = $3, hired_on = $4, start_kind = $5,
                transition_ended_on = $6, returned_on = $7, retention_start_on = $8,
                retention_end_on = $9, follow_up_on = $10, closed_on = $11
         WHERE id = $1",
    )
    .bind(case_id)
    .bind(&d.phase)
    .bind(d.training_started_on)
    .bind(d.hired_on)
    .bind(&d.start_kind)
    .bind(d.transition_ended_on)
    .bind(d.returned_on)
    .bind(d.retention_start_on)
    .bind(d.retention_end_on)
    .bind(d.follow_up_on)
    .bind(d.closed_on)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a change of the case's phase, with the reason when it went back.
pub async fn record_phase_change(
    conn: &mut PgConnection,
    scope: &crate::access::CaseScope,
    from: &str,
    to: &str,
    reason: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO phase_change (id, case_id, from_phase, to_phase, reason, changed_by)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::now_v7())
    .bind(scope.case_id())
    .bind(from)
    .bind(to)
    .bind(reason)
    .bind(scope.actor().user_id())
    .execute(conn)
    .await?;
    Ok(())
}
