//! The append-only audit log (a trigger refuses UPDATE, DELETE and TRUNCATE). Rows say who,
//! as which agency, did what to which case, with what outcome — never clinical text.

use sqlx::PgConnection;
use uuid::Uuid;

pub use crate::access::trail::{record, Event, Outcome};
pub use crate::domain::audit::Filter;

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

/// The review filter in SQL, after `$1` (the agency or the case) and before the keyset:
/// user by email, case, action, time range. Written once for both pages and the CSV.
const FILTERED: &str = "SELECT l.id, l.at, u.email AS user_email, a.name AS agency_name, l.action,
            l.case_id, l.outcome, l.ip
     FROM audit_log l
     LEFT JOIN app_user u ON u.id = l.user_id
     LEFT JOIN agency a ON a.id = l.acting_agency_id
     WHERE {scope} = $1
       AND ($2::text IS NULL OR l.user_id = (SELECT id FROM app_user WHERE email = $2))
       AND ($3::uuid IS NULL OR l.case_id = $3)
       AND ($4::text IS NULL OR l.action = $4)
       AND ($5::timestamptz IS NULL OR l.at >= $5)
       AND ($6::timestamptz IS NULL OR l.at < $6)
       AND ($7::bigint IS NULL OR l.id < $7)
     ORDER BY l.id DESC
     LIMIT $8";

async fn filtered(
    conn: &mut PgConnection,
    scope_column: &str,
    scope_id: Uuid,
    filter: &Filter,
    before: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<Row>> {
    let sql = FILTERED.replace("{scope}", scope_column);
    sqlx::query_as(&sql)
        .bind(scope_id)
        .bind(filter.user_email.as_deref())
        .bind(filter.case_id)
        .bind(filter.action)
        .bind(filter.from)
        .bind(filter.until)
        .bind(before)
        .bind(limit)
        .fetch_all(conn)
        .await
}

/// What was done as the agency `agency_id` (by whoever acted as it), newest first, keyset on
/// id over `audit_log_agency_idx`. What its members did for other agencies is not its business.
pub async fn for_agency_members(
    conn: &mut PgConnection,
    agency_id: Uuid,
    filter: &Filter,
    before: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<Row>> {
    filtered(conn, "l.acting_agency_id", agency_id, filter, before, limit).await
}

/// Who accessed one case, newest first, keyset on id over `audit_log_case_idx` (for the lead
/// agency). The filter's own case, if any, is ignored: the scope names the case.
pub async fn for_case(
    conn: &mut PgConnection,
    scope: &crate::access::CaseScope,
    filter: &Filter,
    before: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<Row>> {
    let filter = Filter {
        case_id: None,
        ..filter.clone()
    };
    filtered(conn, "l.case_id", scope.case_id(), &filter, before, limit).await
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
