//! The second factor of an account: its TOTP secret (pending until confirmed), the last step
//! accepted, the hashed recovery codes, the soft lock on wrong codes (apart from the password's
//! lock), the state between the password and the code, and an agency's requirement.

use sqlx::PgConnection;
use std::time::Duration;
use uuid::Uuid;

/// A confirmed second factor: the secret and the step of the last code accepted.
pub struct Enabled {
    pub secret: Vec<u8>,
    pub last_step: i64,
}

pub async fn enabled(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<Option<Enabled>> {
    let row: Option<(Vec<u8>, i64)> = sqlx::query_as(
        "SELECT secret, last_step FROM second_factor
         WHERE user_id = $1 AND enabled_at IS NOT NULL",
    )
    .bind(user_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(secret, last_step)| Enabled { secret, last_step }))
}

pub async fn is_enabled(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<bool> {
    Ok(enabled(conn, user_id).await?.is_some())
}

/// The secret of an enrolment begun and not yet confirmed (read only for its own user).
pub async fn pending(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<Option<Vec<u8>>> {
    sqlx::query_scalar("SELECT secret FROM second_factor WHERE user_id = $1 AND enabled_at IS NULL")
        .bind(user_id)
        .fetch_optional(conn)
        .await
}

/// Begins (or begins again, with a new secret) an enrolment; false when a second factor is on.
pub async fn begin(conn: &mut PgConnection, user_id: Uuid, secret: &[u8]) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO second_factor AS f (user_id, secret) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET secret = EXCLUDED.secret, created_at = now()
         WHERE f.enabled_at IS NULL",
    )
    .bind(user_id)
    .bind(secret)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Turns the pending second factor on with the step of the confirming code, gives the user
/// these recovery codes (hashes), and lifts the enrolment limit from their sessions.
pub async fn enable(
    conn: &mut PgConnection,
    user_id: Uuid,
    step: i64,
    recovery_hashes: &[Vec<u8>],
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE second_factor SET enabled_at = now(), last_step = $2
         WHERE user_id = $1 AND enabled_at IS NULL",
    )
    .bind(user_id)
    .bind(step)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    replace_recovery_codes(&mut *conn, user_id, recovery_hashes).await?;
    sqlx::query("UPDATE session SET must_enrol = false WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(true)
}

/// Sets the enabled factor's last step to `step` if it is later than the one stored: false when
/// a code of that step (or a later one) was already accepted, so no code works twice, even for
/// two requests at once.
pub async fn use_step(conn: &mut PgConnection, user_id: Uuid, step: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE second_factor SET last_step = $2
         WHERE user_id = $1 AND enabled_at IS NOT NULL AND last_step < $2",
    )
    .bind(user_id)
    .bind(step)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn replace_recovery_codes(
    conn: &mut PgConnection,
    user_id: Uuid,
    hashes: &[Vec<u8>],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM recovery_code WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO recovery_code (user_id, code_hash) SELECT $1, h FROM unnest($2::bytea[]) h",
    )
    .bind(user_id)
    .bind(hashes)
    .execute(conn)
    .await?;
    Ok(())
}

/// Spends a recovery code: true once for each code, false for an unknown or spent one.
pub async fn use_recovery_code(
    conn: &mut PgConnection,
    user_id: Uuid,
    hash: &[u8],
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE recovery_code SET used_at = now()
         WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
    )
    .bind(user_id)
    .bind(hash)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn recovery_codes_left(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM recovery_code WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id)
        .fetch_one(conn)
        .await
}

/// Removes the second factor (turned off by its user, or reset by the system admin) with its
/// recovery codes and its lock; false when there was none.
pub async fn remove(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM second_factor WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM recovery_code WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    clear_code_failures(conn, user_id).await?;
    Ok(done.rows_affected() == 1)
}

/// Of these users, those with a second factor on (for the lists of the admin pages).
pub async fn enabled_among(conn: &mut PgConnection, user_ids: &[Uuid]) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT user_id FROM second_factor
         WHERE user_id = ANY($1) AND enabled_at IS NOT NULL",
    )
    .bind(user_ids)
    .fetch_all(conn)
    .await
}

// ---- the soft lock on wrong codes -------------------------------------------------------------

/// Wrong codes before the lock starts; then 1, 2, 4 … minutes, never more than an hour.
pub const FREE_CODE_FAILURES: i32 = 5;
pub const MAX_CODE_LOCK_MINUTES: i32 = 60;

/// Seconds until this account may try a code again, if it is locked now.
pub async fn code_locked_for(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT ceil(extract(epoch FROM locked_until - now()))::bigint
         FROM second_factor_throttle WHERE user_id = $1 AND locked_until > now()",
    )
    .bind(user_id)
    .fetch_optional(conn)
    .await
}

pub async fn record_code_failure(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<()> {
    // wrong codes older than a day are forgotten
    sqlx::query(
        "INSERT INTO second_factor_throttle AS t (user_id, failures, last_failed_at)
         VALUES ($1, 1, now())
         ON CONFLICT (user_id) DO UPDATE SET
            failures = CASE WHEN t.last_failed_at < now() - interval '1 day' THEN 1
                            ELSE t.failures + 1 END,
            last_failed_at = now()",
    )
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE second_factor_throttle SET locked_until = now() + make_interval(mins =>
             least($2, power(2, failures - $3))::int)
         WHERE user_id = $1 AND failures >= $3",
    )
    .bind(user_id)
    .bind(MAX_CODE_LOCK_MINUTES)
    .bind(FREE_CODE_FAILURES)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn clear_code_failures(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM second_factor_throttle WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

// ---- between the password and the code --------------------------------------------------------

/// How long the code step waits after the password.
pub const PENDING_LOGIN: Duration = Duration::from_secs(5 * 60);

/// Records that `user_id` gave the right password in the browser holding `token` (only its
/// hash is kept). Expired ones are swept at the same time.
pub async fn pending_login_create(
    conn: &mut PgConnection,
    token_hash: &[u8],
    user_id: Uuid,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM pending_login WHERE expires_at < now() OR user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO pending_login (token_hash, user_id, expires_at)
         VALUES ($1, $2, now() + make_interval(secs => $3))",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(PENDING_LOGIN.as_secs_f64())
    .execute(conn)
    .await?;
    Ok(())
}

/// The user waiting for their code in this browser, while it has not expired.
pub async fn pending_login_user(
    conn: &mut PgConnection,
    token_hash: &[u8],
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "SELECT p.user_id FROM pending_login p JOIN app_user u ON u.id = p.user_id AND u.active
         WHERE p.token_hash = $1 AND p.expires_at > now()",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await
}

pub async fn pending_login_delete(conn: &mut PgConnection, token_hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM pending_login WHERE token_hash = $1")
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

// ---- an agency's requirement ------------------------------------------------------------------

/// Whether an agency the user is a member of (an active one) requires a second factor.
pub async fn required_for(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM membership m JOIN agency a ON a.id = m.agency_id
                        WHERE m.user_id = $1 AND a.active AND a.require_second_factor)",
    )
    .bind(user_id)
    .fetch_one(conn)
    .await
}

pub async fn agency_requires(conn: &mut PgConnection, agency_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT require_second_factor FROM agency WHERE id = $1")
        .bind(agency_id)
        .fetch_optional(conn)
        .await
        .map(|r| r.unwrap_or(false))
}

pub async fn set_agency_requires(
    conn: &mut PgConnection,
    agency_id: Uuid,
    required: bool,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE agency SET require_second_factor = $2 WHERE id = $1")
        .bind(agency_id)
        .bind(required)
        .execute(conn)
        .await?;
    Ok(())
}

/// Limits a new session to the enrolment pages.
pub async fn limit_session(conn: &mut PgConnection, token_hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query("UPDATE session SET must_enrol = true WHERE token_hash = $1")
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}
