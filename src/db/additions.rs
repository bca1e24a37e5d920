//! Evidence for 地域連携会議実施加算: held case meetings on the support plan (purpose
//! `support_plan`, 「個別支援計画の検討」) convened by the agency, with at least one outside
//! agency present (an invited agency other than the convener that answered it would attend),
//! recorded with who presented the plan (`manager`: the サービス管理責任者 → (Ⅰ); `staff`:
//! other staff reporting back → (Ⅱ)).

use crate::access::{Actor, CaseScope, MeetingScope};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// The meetings that count, in SQL over `m` (the presenter recorded; the time range and the
/// agency are added by each query).
const COUNTS: &str = "m.purpose = 'support_plan' AND m.status = 'held'
    AND m.plan_presenter IS NOT NULL
    AND EXISTS (SELECT 1 FROM meeting_invitee i
                WHERE i.meeting_id = m.id AND i.agency_id <> m.convener_agency_id
                  AND i.response = 'attend')";

/// One meeting that counts.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RegionalMeeting {
    pub meeting_id: Uuid,
    pub case_id: Uuid,
    pub person: String,
    pub starts_at: DateTime<Utc>,
    pub presenter: String,
    /// the outside agencies present
    pub outside: Vec<String>,
}

const SELECT: &str = "SELECT m.id AS meeting_id, m.case_id,
        pt.family_name || ' ' || pt.given_name AS person, m.starts_at,
        m.plan_presenter AS presenter,
        ARRAY(SELECT a.name FROM meeting_invitee i JOIN agency a ON a.id = i.agency_id
              WHERE i.meeting_id = m.id AND i.agency_id <> m.convener_agency_id
                AND i.response = 'attend' ORDER BY a.name) AS outside
     FROM meeting m
     JOIN case_file c ON c.id = m.case_id
     JOIN participant pt ON pt.id = c.participant_id";

/// The acting agency's meetings on the case that count, from the Tokyo day `from` on, oldest
/// first.
pub async fn for_case(
    conn: &mut PgConnection,
    case: &CaseScope,
    from: NaiveDate,
) -> sqlx::Result<Vec<RegionalMeeting>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE m.case_id = $1 AND m.convener_agency_id = $2 AND {COUNTS}
           AND (m.starts_at AT TIME ZONE 'Asia/Tokyo')::date >= $3
         ORDER BY m.starts_at, m.id"
    ))
    .bind(case.case_id())
    .bind(case.agency_id())
    .bind(from)
    .fetch_all(conn)
    .await
}

/// The acting agency's meetings that count in the month starting on `month` (its first day),
/// over all its cases, oldest first.
pub async fn for_agency(
    conn: &mut PgConnection,
    actor: Actor,
    month: NaiveDate,
) -> sqlx::Result<Vec<RegionalMeeting>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE m.convener_agency_id = $1 AND {COUNTS}
           AND (m.starts_at AT TIME ZONE 'Asia/Tokyo')::date >= $2
           AND (m.starts_at AT TIME ZONE 'Asia/Tokyo')::date < ($2::date + interval '1 month')::date
         ORDER BY m.starts_at, m.id"
    ))
    .bind(actor.agency_id())
    .bind(month)
    .fetch_all(conn)
    .await
}

/// Records who presented the plan at a meeting on the support plan (None: not recorded).
/// False when the meeting is not one on the support plan.
pub async fn set_presenter(
    conn: &mut PgConnection,
    scope: &MeetingScope,
    presenter: Option<&str>,
) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "UPDATE meeting SET plan_presenter = $2, updated_at = now()
         WHERE id = $1 AND purpose = 'support_plan'",
    )
    .bind(scope.meeting_id())
    .bind(presenter)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}
