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

pub use crate::access::actor::{CaseFactsRead, Membership, SessionUser};
use crate::access::policy::CaseFacts;

#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: Uuid,
    acting_agency_id: Option<Uuid>,
    must_enrol: bool,
    email: String,
    display_name: String,
    is_admin: bool,
    participant_case_id: Option<Uuid>,
    agency_ids: Vec<Uuid>,
    agency_names: Vec<String>,
    agency_kinds: Vec<String>,
    roles: Vec<String>,
    unread: Option<i64>,
    acting_id: Option<Uuid>,
    case_lead: Option<Uuid>,
    case_left_on: Option<chrono::NaiveDate>,
}

/// The session lookup (`$1` token hash, `$2` idle and `$3` absolute limit in seconds, `$4` the
/// cap of the unread count, NULL for no count, `$5` the case the path names, or NULL): one
/// statement that finds the live session with its user and memberships, refreshes
/// `last_seen_at` when it is over a minute old (the data-modifying `touch`; a session seen
/// within the minute writes nothing), for pages counts the header's unread entries for the
/// acting agency (the one the session names while the user is still a member of it, else the
/// first by name, as `lookup` picks it), and reads the facts the case door decides on (the
/// lead, and when the acting agency left; nothing when it was never on the team), as
/// `access::case` would read them.
static LOOKUP_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "WITH live AS (
             SELECT s.token_hash, s.user_id, s.acting_agency_id, s.last_seen_at, s.must_enrol
             FROM session s
             WHERE s.token_hash = $1
               AND s.last_seen_at > now() - make_interval(secs => $2)
               AND s.created_at > now() - make_interval(secs => $3)),
         touch AS (
             UPDATE session t SET last_seen_at = now()
             FROM live
             WHERE t.token_hash = live.token_hash
               AND live.last_seen_at < now() - interval '60 seconds'
               AND EXISTS (SELECT 1 FROM app_user tu WHERE tu.id = live.user_id AND tu.active))
         SELECT live.user_id, live.acting_agency_id, live.must_enrol,
                u.email, u.display_name, u.is_admin, u.participant_case_id,
                ms.agency_ids, ms.agency_names, ms.agency_kinds, ms.roles,
                CASE WHEN $4::bigint IS NOT NULL AND u.participant_case_id IS NULL
                          AND act.id IS NOT NULL
                     THEN {unread} END AS unread,
                act.id AS acting_id, facts.lead_agency_id AS case_lead,
                facts.left_on AS case_left_on
         FROM live
         JOIN app_user u ON u.id = live.user_id AND u.active
         CROSS JOIN LATERAL (
             SELECT coalesce(array_agg(a.id ORDER BY a.name, a.id), '{{}}') AS agency_ids,
                    coalesce(array_agg(a.name ORDER BY a.name, a.id), '{{}}') AS agency_names,
                    coalesce(array_agg(a.kind ORDER BY a.name, a.id), '{{}}') AS agency_kinds,
                    coalesce(array_agg(m.role ORDER BY a.name, a.id), '{{}}') AS roles
             FROM membership m
             JOIN agency a ON a.id = m.agency_id AND a.active
             WHERE m.user_id = u.id) ms
         CROSS JOIN LATERAL (
             SELECT coalesce(CASE WHEN live.acting_agency_id = ANY (ms.agency_ids)
                                  THEN live.acting_agency_id END,
                             ms.agency_ids[1]) AS id) act
         LEFT JOIN LATERAL (
             SELECT c.lead_agency_id, fa.left_on
             FROM case_file c
             JOIN case_agency fa ON fa.case_id = c.id AND fa.agency_id = act.id
             WHERE c.id = $5::uuid) facts ON true",
        unread = super::entries::unread_count_sql("act.id", "live.user_id", "$4")
    )
});

/// Looks up a live session (idle and absolute limits applied in SQL) with its user and
/// memberships, refreshes `last_seen_at` at most once a minute, when `unread_cap` is given
/// (pages) counts the header's unread entries, and when `case_id` is given reads the case
/// door's facts for the acting agency — all in one statement.
pub async fn lookup(
    conn: &mut PgConnection,
    token: &str,
    idle: Duration,
    absolute: Duration,
    unread_cap: Option<i64>,
    case_id: Option<Uuid>,
) -> sqlx::Result<Option<SessionUser>> {
    let token_hash = hash_token(token);
    let row: Option<SessionRow> = sqlx::query_as(&LOOKUP_SQL)
        .bind(&token_hash)
        .bind(idle.as_secs_f64())
        .bind(absolute.as_secs_f64())
        .bind(unread_cap)
        .bind(case_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
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
    let mut user = SessionUser {
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
        case_facts: None,
    };
    // counted, and the case's facts kept, only for a user acting as an agency (not the system
    // admin, not a participant), and only when SQL chose the agency Rust did
    if let Some(actor) = user.actor() {
        user.unread = row.unread;
        if let Some(case_id) = case_id.filter(|_| row.acting_id == Some(actor.agency_id())) {
            user.case_facts = Some(CaseFactsRead {
                case_id,
                agency_id: actor.agency_id(),
                facts: row.case_lead.map(|lead_agency_id| CaseFacts {
                    lead_agency_id,
                    left_on: row.case_left_on,
                }),
            });
        }
    }
    Ok(Some(user))
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
