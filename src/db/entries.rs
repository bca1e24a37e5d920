//! Timeline entries. `VISIBLE` is SPEC §3's entry rule in SQL; every read of entries — pages,
//! searches, counts — includes it. Its Rust twin is `policy::entry_visible`.

use super::cases::{Actor, TODAY};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use std::sync::LazyLock;
use uuid::Uuid;

/// True when the entry `e` may be seen by the agency bound as `$1`.
pub static VISIBLE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "(EXISTS (SELECT 1 FROM case_agency ca
                  WHERE ca.case_id = e.case_id AND ca.agency_id = $1
                    AND (ca.left_on IS NULL
                         OR (e.created_at AT TIME ZONE 'Asia/Tokyo')::date <= ca.left_on))
          AND (e.author_agency_id = $1
               OR ($1 = ANY (e.shared_with)
                   AND (e.category = 'case_admin'
                        OR EXISTS (SELECT 1 FROM consent k
                                   WHERE k.case_id = e.case_id AND k.agency_id = $1
                                     AND e.category = ANY (k.categories)
                                     AND k.revoked_at IS NULL
                                     AND k.given_on <= {TODAY}
                                     AND (k.valid_until IS NULL OR k.valid_until >= {TODAY}))))))"
    )
});

pub struct NewEntry<'a> {
    pub case_id: Uuid,
    pub kind: &'a str,
    pub category: &'a str,
    pub occurred_at: DateTime<Utc>,
    pub body: &'a str,
    pub shared_with: &'a [Uuid],
}

pub async fn insert(conn: &mut PgConnection, actor: Actor, e: &NewEntry<'_>) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO entry (id, case_id, author_user_id, author_agency_id, kind, category,
                            occurred_at, body, shared_with)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(e.case_id)
    .bind(actor.user_id)
    .bind(actor.agency_id)
    .bind(e.kind)
    .bind(e.category)
    .bind(e.occurred_at)
    .bind(e.body)
    .bind(e.shared_with)
    .execute(conn)
    .await?;
    Ok(id)
}

/// A team or lead change, shared with every agency on the team (current and former).
pub async fn record_team_event(
    conn: &mut PgConnection,
    actor: Actor,
    case_id: Uuid,
    kind: &str,
    body: &str,
) -> sqlx::Result<Uuid> {
    let team: Vec<Uuid> =
        sqlx::query_scalar("SELECT agency_id FROM case_agency WHERE case_id = $1")
            .bind(case_id)
            .fetch_all(&mut *conn)
            .await?;
    let entry = NewEntry {
        case_id,
        kind,
        category: "case_admin",
        occurred_at: Utc::now(),
        body,
        shared_with: &team,
    };
    insert(conn, actor, &entry).await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntryRow {
    pub id: Uuid,
    pub kind: String,
    pub category: String,
    pub occurred_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub body: String,
    pub author_name: String,
    pub author_agency_name: String,
}

/// The newest entries of a case the agency may see.
pub async fn recent(
    conn: &mut PgConnection,
    agency_id: Uuid,
    case_id: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<EntryRow>> {
    sqlx::query_as(&format!(
        "SELECT e.id, e.kind, e.category, e.occurred_at, e.created_at, e.body,
                u.display_name AS author_name, a.name AS author_agency_name
         FROM entry e
         JOIN app_user u ON u.id = e.author_user_id
         JOIN agency a ON a.id = e.author_agency_id
         WHERE e.case_id = $2 AND {}
         ORDER BY e.occurred_at DESC, e.id DESC
         LIMIT $3",
        *VISIBLE
    ))
    .bind(agency_id)
    .bind(case_id)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// The ids of a case's entries the agency may see (for tests of the rule and for counts).
pub async fn visible_ids(
    conn: &mut PgConnection,
    agency_id: Uuid,
    case_id: Uuid,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(&format!(
        "SELECT e.id FROM entry e WHERE e.case_id = $2 AND {} ORDER BY e.id",
        *VISIBLE
    ))
    .bind(agency_id)
    .bind(case_id)
    .fetch_all(conn)
    .await
}
