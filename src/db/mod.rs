//! Database access, one file per aggregate. Functions take `&mut PgConnection` so that a handler
//! acquires one connection and can wrap several calls in one transaction.

pub mod additions;
pub mod agencies;
pub mod api_tokens;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod checks;
pub mod consents;
pub mod daily;
pub mod dashboard;
pub mod directory;
pub mod entries;
pub mod ledger;
pub mod login_limits;
pub mod meetings;
pub mod notices;
pub mod plans;
pub mod referrals;
pub mod reports;
pub mod second_factor;
pub mod tasks;
pub mod users;

/// True when the error is a unique violation of the named constraint (a form error, not a 500).
pub fn is_unique_violation(e: &sqlx::Error, constraint: &str) -> bool {
    matches!(e, sqlx::Error::Database(d)
        if d.is_unique_violation() && d.constraint() == Some(constraint))
}

/// The database answers (for the readiness probe).
pub async fn ping(pool: &sqlx::PgPool) -> sqlx::Result<()> {
    sqlx::query("SELECT 1").execute(pool).await.map(|_| ())
}

/// Pool settings shared by the server and the tests. A request takes a connection at most
/// twice in turn (its session, then its page) and waits at most 2 s each time, so a pool with
/// no connection to give, or a database that is down, answers 503 within 5 s.
pub fn pool_options(size: u32) -> sqlx::postgres::PgPoolOptions {
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(size.max(1))
        .acquire_timeout(ACQUIRE_TIMEOUT)
}

/// How long a request waits for a pool connection.
pub const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);
