//! Tasks generated from the legal timeline, regenerated when a date changes without losing
//! what users changed or finished.

use super::cases::TODAY;
use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

/// A task the timeline calls for: (source key, title, owner agency, due date).
pub use crate::domain::legal::{PhaseDates, Wanted};

/// Brings the case's generated tasks in line with `wanted`: new ones are added; open ones no
/// user touched follow the new dates, titles and owners; open untouched ones that no longer
/// apply go. Done or edited tasks are left as they are. Tasks whose source key has a prefix
/// (`plan-review:<id>`) belong to the module that writes them and are left alone here.
pub async fn regenerate(
    conn: &mut PgConnection,
    scope: &impl crate::access::OnCase,
    wanted: &[Wanted],
) -> sqlx::Result<()> {
    seed_regenerate(conn, scope.case_id(), wanted).await
}

/// `regenerate` for the demo loader, which seeds cases no user has opened.
pub(crate) async fn seed_regenerate(
    conn: &mut PgConnection,
    case_id: Uuid,
    wanted: &[Wanted],
) -> sqlx::Result<()> {
    let sources: Vec<&str> = wanted.iter().map(|w| w.0.as_str()).collect();
    sqlx::query(
        "DELETE FROM task WHERE case_id = $1 AND status = 'open' AND NOT edited
           AND position(':' in source) = 0 AND NOT (source = ANY ($2))",
    )
    .bind(case_id)
    .bind(&sources)
    .execute(&mut *conn)
    .await?;
    for (source, title, owner, due) in wanted {
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

#[derive(Debug, Clone, sqlx::FromRow)]
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
    pub done_note: String,
    pub overdue: bool,
}

fn select() -> String {
    format!(
        "SELECT t.id, t.case_id, p.family_name, p.given_name, t.source, t.title,
                t.owner_agency_id, a.name AS owner_agency_name, t.due_on, t.status, t.edited,
                t.done_note, (t.status = 'open' AND t.due_on < {TODAY}) AS overdue
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
         ORDER BY t.status = 'done', t.due_on, t.source LIMIT 200",
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
    sqlx::query_as(&format!(
        "{} WHERE t.owner_agency_id = $1 AND t.status = 'open' AND t.due_on <= $2
         ORDER BY t.due_on, t.id LIMIT $3",
        select()
    ))
    .bind(agency_id)
    .bind(until)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// A user changes the due date and title; regeneration then leaves the task alone.
pub async fn edit(
    conn: &mut PgConnection,
    actor: crate::access::Actor,
    id: Uuid,
    title: &str,
    due_on: NaiveDate,
) -> sqlx::Result<Option<Uuid>> {
    let agency_id = actor.agency_id();
    sqlx::query_scalar(
        "UPDATE task SET title = $3, due_on = $4, edited = true
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
