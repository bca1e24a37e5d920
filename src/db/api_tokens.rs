//! Personal access tokens for the JSON API (migration 0023): made and revoked by their user on
//! the account page, each bound to one membership, read-only or read-write, with an expiry.
//! Only the SHA-256 of a token is stored (`auth::hash_token`); the token is shown once. The
//! per-token rate limit is a GCRA bucket in PostgreSQL, like the login limits, so that every
//! process counts the same requests.

use crate::access::actor::{Membership, SessionUser};
use crate::domain::kinds::{AgencyKind, Role};
use crate::i18n::Lang;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use std::time::Duration;
use uuid::Uuid;

/// What every token starts with, so that one pasted into the wrong place is recognisable.
pub const PREFIX: &str = "rk_";

/// A fresh token: the prefix and 256 random bits in hex.
pub fn new_token() -> String {
    format!("{PREFIX}{}", super::auth::new_token())
}

pub struct NewToken<'a> {
    pub user_id: Uuid,
    pub agency_id: Uuid,
    pub label: &'a str,
    pub can_write: bool,
    pub expires_at: DateTime<Utc>,
}

/// Stores a token's hash; the caller shows the token once.
pub async fn create(conn: &mut PgConnection, t: &NewToken<'_>, token: &str) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO api_token (id, user_id, agency_id, token_hash, label, can_write, expires_at)
         SELECT $1, $2, $3, $4, $5, $6, $7
         WHERE EXISTS (SELECT 1 FROM membership WHERE user_id = $2 AND agency_id = $3)",
    )
    .bind(id)
    .bind(t.user_id)
    .bind(t.agency_id)
    .bind(super::auth::hash_token(token))
    .bind(t.label)
    .bind(t.can_write)
    .bind(t.expires_at)
    .execute(conn)
    .await?;
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: Uuid,
    pub label: String,
    pub agency_name: String,
    pub can_write: bool,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl TokenRow {
    pub fn live(&self) -> bool {
        self.revoked_at.is_none() && self.expires_at > Utc::now()
    }
}

/// The user's own tokens, newest first (never their hashes).
pub async fn for_user(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<Vec<TokenRow>> {
    sqlx::query_as(
        "SELECT t.id, t.label, a.name AS agency_name, t.can_write, t.created_at, t.expires_at,
                t.last_used_at, t.revoked_at
         FROM api_token t JOIN agency a ON a.id = t.agency_id
         WHERE t.user_id = $1
         ORDER BY t.created_at DESC, t.id DESC
         LIMIT 200",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await
}

/// Revokes one of the user's own tokens; false when it is not theirs or already revoked.
pub async fn revoke(conn: &mut PgConnection, user_id: Uuid, id: Uuid) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "UPDATE api_token SET revoked_at = now()
         WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(user_id)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// What a presented token turned out to be.
#[derive(Debug, Clone)]
pub enum Found {
    /// No such token, or its user, agency or membership is gone: nobody to name.
    Unknown,
    /// Its user's, but revoked or past its expiry.
    Dead {
        user_id: Uuid,
        agency_id: Uuid,
    },
    Live(Box<TokenUser>),
}

/// A live token: the user as the token's membership, and what the token allows.
#[derive(Debug, Clone)]
pub struct TokenUser {
    pub token_id: Uuid,
    pub can_write: bool,
    /// The language of the user's mail (their notification settings), if they chose one.
    pub lang: Option<Lang>,
    /// The user with only the token's membership, acting as it.
    pub user: SessionUser,
}

#[derive(sqlx::FromRow)]
struct LookupRow {
    id: Uuid,
    user_id: Uuid,
    agency_id: Uuid,
    can_write: bool,
    dead: bool,
    email: String,
    display_name: String,
    is_admin: bool,
    participant_case_id: Option<Uuid>,
    agency_name: Option<String>,
    agency_kind: Option<String>,
    role: Option<String>,
    lang: Option<String>,
}

/// Looks a presented token up by its hash, in one query with its user and membership; a live
/// token's last use is written at most once a minute.
pub async fn lookup(conn: &mut PgConnection, token: &str) -> sqlx::Result<Found> {
    if !token.starts_with(PREFIX) || token.len() > 200 {
        return Ok(Found::Unknown);
    }
    let hash = super::auth::hash_token(token);
    let row: Option<LookupRow> = sqlx::query_as(
        "SELECT t.id, t.user_id, t.agency_id, t.can_write,
                (t.revoked_at IS NOT NULL OR t.expires_at <= now()) AS dead,
                u.email, u.display_name, u.is_admin, u.participant_case_id,
                a.name AS agency_name, a.kind AS agency_kind, m.role, s.lang
         FROM api_token t
         JOIN app_user u ON u.id = t.user_id AND u.active
         LEFT JOIN membership m ON m.user_id = t.user_id AND m.agency_id = t.agency_id
         LEFT JOIN agency a ON a.id = t.agency_id AND a.active
         LEFT JOIN notify_setting s ON s.user_id = t.user_id
         WHERE t.token_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(Found::Unknown);
    };
    let membership = match (row.agency_name, row.agency_kind, row.role) {
        (Some(name), Some(kind), Some(role)) => {
            match (AgencyKind::parse(&kind), Role::parse(&role)) {
                (Some(agency_kind), Some(role)) => Membership {
                    agency_id: row.agency_id,
                    agency_name: name,
                    agency_kind,
                    role,
                },
                _ => return Ok(Found::Unknown),
            }
        }
        // the membership was removed or the agency closed: the token names no one now
        _ => return Ok(Found::Unknown),
    };
    if row.dead || row.participant_case_id.is_some() {
        return Ok(Found::Dead {
            user_id: row.user_id,
            agency_id: row.agency_id,
        });
    }
    sqlx::query(
        "UPDATE api_token SET last_used_at = now()
         WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '60 seconds')",
    )
    .bind(row.id)
    .execute(&mut *conn)
    .await?;
    Ok(Found::Live(Box::new(TokenUser {
        token_id: row.id,
        can_write: row.can_write,
        lang: row.lang.as_deref().and_then(Lang::parse),
        user: SessionUser {
            id: row.user_id,
            email: row.email,
            display_name: row.display_name,
            is_admin: row.is_admin,
            memberships: vec![membership.clone()],
            acting: Some(membership),
            token_hash: hash,
            unread: None,
            participant_case_id: None,
            must_enrol: false,
            // the case door reads its own facts for a token's request
            case_facts: None,
        },
    })))
}

/// Takes one request from the token's bucket (GCRA: a burst of `burst`, then one more every
/// `refill`), atomically in one statement. `None`: let through; `Some(seconds)`: refused,
/// nothing taken, and the next request is let through that many seconds from now.
pub async fn take(
    conn: &mut PgConnection,
    token_id: Uuid,
    burst: u32,
    refill: Duration,
) -> sqlx::Result<Option<i64>> {
    let refill = refill.as_secs_f64();
    let burst = f64::from(burst.max(1));
    let taken: Option<i32> = sqlx::query_scalar(
        "INSERT INTO api_rate AS r (token_id, ready_at)
         VALUES ($1, now() + make_interval(secs => $2))
         ON CONFLICT (token_id) DO UPDATE
            SET ready_at = greatest(r.ready_at, now()) + make_interval(secs => $2)
            WHERE greatest(r.ready_at, now()) + make_interval(secs => $2)
                  <= now() + make_interval(secs => $2 * $3)
         RETURNING 1",
    )
    .bind(token_id)
    .bind(refill)
    .bind(burst)
    .fetch_optional(&mut *conn)
    .await?;
    if taken.is_some() {
        return Ok(None);
    }
    let wait: i64 = sqlx::query_scalar(
        "SELECT greatest(1, ceil(extract(epoch FROM
                    ready_at + make_interval(secs => $2) - now() - make_interval(secs => $2 * $3))))::bigint
         FROM api_rate WHERE token_id = $1",
    )
    .bind(token_id)
    .bind(refill)
    .bind(burst)
    .fetch_optional(conn)
    .await?
    .unwrap_or(1);
    Ok(Some(wait))
}
