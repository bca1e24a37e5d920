//! The append-only audit log (a trigger refuses UPDATE, DELETE and TRUNCATE). Rows say who,
//! as which agency, did what to which case, with what outcome — never clinical text.

use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Denied,
    Failed,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Event {
    pub user_id: Option<Uuid>,
    pub acting_agency_id: Option<Uuid>,
    pub action: &'static str,
    pub case_id: Option<Uuid>,
    pub target_id: Option<Uuid>,
    pub request_id: String,
    pub ip: String,
    pub detail: String,
}

pub async fn record(conn: &mut PgConnection, event: &Event, outcome: Outcome) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (user_id, acting_agency_id, action, case_id, target_id, outcome,
                                request_id, ip, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(event.user_id)
    .bind(event.acting_agency_id)
    .bind(event.action)
    .bind(event.case_id)
    .bind(event.target_id)
    .bind(outcome.as_str())
    .bind(&event.request_id)
    .bind(&event.ip)
    .bind(&event.detail)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub user_email: Option<String>,
    pub agency_name: Option<String>,
    pub action: String,
    pub case_id: Option<Uuid>,
    pub outcome: String,
    pub ip: String,
}

/// The log of the users who are members of `agency_id`, newest first, keyset on id.
pub async fn for_agency_members(
    conn: &mut PgConnection,
    agency_id: Uuid,
    before: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<Row>> {
    sqlx::query_as(
        "SELECT l.id, l.at, u.email AS user_email, a.name AS agency_name, l.action, l.case_id,
                l.outcome, l.ip
         FROM audit_log l
         JOIN membership m ON m.user_id = l.user_id AND m.agency_id = $1
         LEFT JOIN app_user u ON u.id = l.user_id
         LEFT JOIN agency a ON a.id = l.acting_agency_id
         WHERE ($2::bigint IS NULL OR l.id < $2)
         ORDER BY l.id DESC
         LIMIT $3",
    )
    .bind(agency_id)
    .bind(before)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Who accessed one case, newest first, keyset on id (for the lead agency).
pub async fn for_case(
    conn: &mut PgConnection,
    case_id: Uuid,
    before: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<Row>> {
    sqlx::query_as(
        "SELECT l.id, l.at, u.email AS user_email, a.name AS agency_name, l.action, l.case_id,
                l.outcome, l.ip
         FROM audit_log l
         LEFT JOIN app_user u ON u.id = l.user_id
         LEFT JOIN agency a ON a.id = l.acting_agency_id
         WHERE l.case_id = $1 AND ($2::bigint IS NULL OR l.id < $2)
         ORDER BY l.id DESC
         LIMIT $3",
    )
    .bind(case_id)
    .bind(before)
    .bind(limit)
    .fetch_all(conn)
    .await
}
