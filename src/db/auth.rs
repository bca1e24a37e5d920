//! Sessions (server-side; only the SHA-256 of the cookie token is stored). The login limits
//! are in `login_limits`.

use crate::domain::kinds::{AgencyKind, Role};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use std::time::Duration;
use uuid::Uuid;

pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A fresh 256-bit token for the cookie.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

pub use crate::access::actor::{Membership, SessionUser};

#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: Uuid,
    acting_agency_id: Option<Uuid>,
    stale: bool,
    must_enrol: bool,
    email: String,
    display_name: String,
    is_admin: bool,
    participant_case_id: Option<Uuid>,
    agency_ids: Vec<Uuid>,
    agency_names: Vec<String>,
    agency_kinds: Vec<String>,
    roles: Vec<String>,
}

/// Looks up a live session (idle and absolute limits applied in SQL) with its user and
/// memberships in one query; refreshes `last_seen_at` at most once a minute.
pub async fn lookup(
    conn: &mut PgConnection,
    token: &str,
    idle: Duration,
    absolute: Duration,
) -> sqlx::Result<Option<SessionUser>> {
    let token_hash = hash_token(token);
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT s.user_id, s.acting_agency_id,
                s.last_seen_at < now() - interval '60 seconds' AS stale, s.must_enrol,
                u.email, u.display_name, u.is_admin, u.participant_case_id,
                coalesce(array_agg(a.id ORDER BY a.name) FILTER (WHERE a.id IS NOT NULL), '{}') AS agency_ids,
                coalesce(array_agg(a.name ORDER BY a.name) FILTER (WHERE a.id IS NOT NULL), '{}') AS agency_names,
                coalesce(array_agg(a.kind ORDER BY a.name) FILTER (WHERE a.id IS NOT NULL), '{}') AS agency_kinds,
                coalesce(array_agg(m.role ORDER BY a.name) FILTER (WHERE a.id IS NOT NULL), '{}') AS roles
         FROM session s
         JOIN app_user u ON u.id = s.user_id AND u.active
         LEFT JOIN membership m ON m.user_id = u.id
         LEFT JOIN agency a ON a.id = m.agency_id AND a.active
         WHERE s.token_hash = $1
           AND s.last_seen_at > now() - make_interval(secs => $2)
           AND s.created_at > now() - make_interval(secs => $3)
         GROUP BY s.token_hash, u.id",
    )
    .bind(&token_hash)
    .bind(idle.as_secs_f64())
    .bind(absolute.as_secs_f64())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    if row.stale {
        sqlx::query("UPDATE session SET last_seen_at = now() WHERE token_hash = $1")
            .bind(&token_hash)
            .execute(&mut *conn)
            .await?;
    }
    let memberships: Vec<Membership> = row
        .agency_ids
        .into_iter()
        .zip(row.agency_names)
        .zip(row.agency_kinds.iter().zip(row.roles.iter()))
        .filter_map(|((agency_id, agency_name), (kind, role))| {
            Some(Membership {
                agency_id,
                agency_name,
                agency_kind: AgencyKind::parse(kind)?,
                role: Role::parse(role)?,
            })
        })
        .collect();
    // a membership removed since the session began falls back to the first one
    let acting = row
        .acting_agency_id
        .and_then(|id| memberships.iter().find(|m| m.agency_id == id))
        .or(memberships.first())
        .cloned();
    Ok(Some(SessionUser {
        id: row.user_id,
        email: row.email,
        display_name: row.display_name,
        is_admin: row.is_admin,
        memberships,
        acting,
        token_hash,
        unread: None,
        participant_case_id: row.participant_case_id,
        must_enrol: row.must_enrol,
    }))
}

/// Starts a session; the caller sets the cookie. Expired sessions are swept at the same time.
pub async fn create(
    conn: &mut PgConnection,
    token: &str,
    user_id: Uuid,
    acting_agency_id: Option<Uuid>,
    idle: Duration,
    absolute: Duration,
) -> sqlx::Result<()> {
    sqlx::query(
        "DELETE FROM session WHERE last_seen_at < now() - make_interval(secs => $1)
                               OR created_at < now() - make_interval(secs => $2)",
    )
    .bind(idle.as_secs_f64())
    .bind(absolute.as_secs_f64())
    .execute(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO session (token_hash, user_id, acting_agency_id) VALUES ($1, $2, $3)")
        .bind(hash_token(token))
        .bind(user_id)
        .bind(acting_agency_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut PgConnection, token_hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM session WHERE token_hash = $1")
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends every session of a user (deactivation, password reset).
pub async fn delete_for_user(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM session WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?
        .rows_affected())
}

/// Ends the user's other sessions (after a password change), keeping the current one.
pub async fn delete_others(
    conn: &mut PgConnection,
    user_id: Uuid,
    keep: &[u8],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM session WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(keep)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_acting_agency(
    conn: &mut PgConnection,
    token_hash: &[u8],
    agency_id: Uuid,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE session SET acting_agency_id = $2 WHERE token_hash = $1")
        .bind(token_hash)
        .bind(agency_id)
        .execute(conn)
        .await?;
    Ok(())
}
