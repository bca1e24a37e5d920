//! The append-only audit log (a trigger refuses UPDATE, DELETE and TRUNCATE). Rows say who,
//! as which agency, did what to which case, with what outcome — never clinical text.

use sqlx::PgConnection;
use uuid::Uuid;

pub use crate::access::trail::{record, Event, Outcome};

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

/// What was done as the agency `agency_id` (by whoever acted as it), newest first, keyset on
/// id over `audit_log_agency_idx`. What its members did for other agencies is not its business.
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
         LEFT JOIN app_user u ON u.id = l.user_id
         LEFT JOIN agency a ON a.id = l.acting_agency_id
         WHERE l.acting_agency_id = $1 AND ($2::bigint IS NULL OR l.id < $2)
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
    scope: &crate::access::CaseScope,
    before: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<Row>> {
    let case_id = scope.case_id();
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

/// One link of the chain, every field the hash covers (for `renkei audit verify`).
#[derive(Debug, sqlx::FromRow)]
pub struct ChainRow {
    pub seq: i64,
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub user_id: Option<Uuid>,
    pub acting_agency_id: Option<Uuid>,
    pub action: String,
    pub case_id: Option<Uuid>,
    pub target_id: Option<Uuid>,
    pub outcome: String,
    pub request_id: String,
    pub ip: String,
    pub detail: String,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

/// The chain in order, `limit` links after `after_seq` (keyset on `audit_log_seq_key`).
pub async fn chain_after(
    conn: &mut PgConnection,
    after_seq: i64,
    limit: i64,
) -> sqlx::Result<Vec<ChainRow>> {
    sqlx::query_as(
        "SELECT seq, id, at, user_id, acting_agency_id, action, case_id, target_id, outcome,
                request_id, ip, detail, prev_hash, hash
         FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
    )
    .bind(after_seq)
    .bind(limit)
    .fetch_all(conn)
    .await
}
