//! The login limits, kept in PostgreSQL so that every Renkei process sees the same counts:
//! rate buckets for `POST /login` (one per client address, one per account at an address), and
//! the soft lock after wrong passwords, keyed by account *and* address — six wrong passwords
//! from one place never lock the owner out everywhere. Failures summed over all addresses are
//! only a signal for the audit log.

use ipnet::IpNet;
use sqlx::PgConnection;
use std::net::IpAddr;
use std::time::Duration;

/// The address a limit counts by: an IPv4 address itself; for IPv6 its /64, the block one
/// household or office is given (an attacker holds all of it).
pub fn client_net(ip: IpAddr) -> IpNet {
    match ip.to_canonical() {
        IpAddr::V4(v4) => IpNet::from(IpAddr::V4(v4)),
        IpAddr::V6(v6) => ipnet::Ipv6Net::new(v6, 64)
            .expect("64 is a valid prefix")
            .trunc()
            .into(),
    }
}

/// The bucket of the address-wide ceiling (no account).
pub const ANY_ACCOUNT: &str = "";

/// Takes one request from a bucket (GCRA: a burst of `burst`, then one more every `refill`).
/// `None`: let through. `Some(seconds)`: refused, and nothing taken; the next request would be
/// let through that many seconds from now.
pub async fn take(
    conn: &mut PgConnection,
    net: IpNet,
    email_key: &str,
    burst: u32,
    refill: Duration,
) -> sqlx::Result<Option<i64>> {
    let refill = refill.as_secs_f64();
    let burst = f64::from(burst.max(1));
    let taken: Option<i32> = sqlx::query_scalar(
        "INSERT INTO login_rate AS r (client_net, email_key, ready_at)
         VALUES ($1::cidr, $2, now() + make_interval(secs => $3))
         ON CONFLICT (client_net, email_key) DO UPDATE
            SET ready_at = greatest(r.ready_at, now()) + make_interval(secs => $3)
            WHERE greatest(r.ready_at, now()) + make_interval(secs => $3)
                  <= now() + make_interval(secs => $3 * $4)
         RETURNING 1",
    )
    .bind(net.to_string())
    .bind(email_key)
    .bind(refill)
    .bind(burst)
    .fetch_optional(&mut *conn)
    .await?;
    if taken.is_some() {
        return Ok(None);
    }
    let wait: i64 = sqlx::query_scalar(
        "SELECT greatest(1, ceil(extract(epoch FROM
                    ready_at + make_interval(secs => $3) - now() - make_interval(secs => $3 * $4))))::bigint
         FROM login_rate WHERE client_net = $1::cidr AND email_key = $2",
    )
    .bind(net.to_string())
    .bind(email_key)
    .bind(refill)
    .bind(burst)
    .fetch_optional(conn)
    .await?
    .unwrap_or(1);
    Ok(Some(wait))
}

/// Failures before the lock starts, and the longest lock: the delay doubles with each further
/// failure (1, 2, 4 … minutes) and never exceeds an hour, so no account is locked for good.
pub const FREE_FAILURES: i32 = 5;
pub const MAX_LOCK_MINUTES: i32 = 60;
/// Every this many failures of one account within a day, summed over all addresses, the audit
/// log gets an alert row (never a lock: anyone could cause it).
pub const ALERT_EVERY: i64 = 20;

/// Seconds until this account may try again from this address, if it is locked there now.
pub async fn locked_for(
    conn: &mut PgConnection,
    email_key: &str,
    net: IpNet,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT ceil(extract(epoch FROM locked_until - now()))::bigint
         FROM login_failure
         WHERE email_key = $1 AND client_net = $2::cidr AND locked_until > now()",
    )
    .bind(email_key)
    .bind(net.to_string())
    .fetch_optional(conn)
    .await
}

/// What one more failure led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// Set when this failure locked the account at this address, for this many minutes.
    pub locked_minutes: Option<i32>,
    /// The account's failures within a day, over all addresses.
    pub account_failures: i64,
}

impl Failure {
    /// True when this failure is one the audit log raises an alert for.
    pub fn alert(&self) -> bool {
        self.account_failures > 0 && self.account_failures % ALERT_EVERY == 0
    }
}

/// The lock after this many failures in a row: none for the first `FREE_FAILURES`, then 1, 2,
/// 4 … minutes, at most `MAX_LOCK_MINUTES`.
pub fn lock_minutes(failures: i32) -> Option<i32> {
    let over = failures - FREE_FAILURES;
    (over > 0).then(|| {
        2_i32
            .saturating_pow((over - 1) as u32)
            .min(MAX_LOCK_MINUTES)
    })
}

pub async fn record_failure(
    conn: &mut PgConnection,
    email_key: &str,
    net: IpNet,
) -> sqlx::Result<Failure> {
    // failures older than a day are forgotten
    let failures: i32 = sqlx::query_scalar(
        "INSERT INTO login_failure AS f (email_key, client_net, failures, last_failed_at)
         VALUES ($1, $2::cidr, 1, now())
         ON CONFLICT (email_key, client_net) DO UPDATE SET
            failures = CASE WHEN f.last_failed_at < now() - interval '1 day' THEN 1
                            ELSE f.failures + 1 END,
            last_failed_at = now()
         RETURNING failures",
    )
    .bind(email_key)
    .bind(net.to_string())
    .fetch_one(&mut *conn)
    .await?;
    let locked_minutes = lock_minutes(failures);
    if let Some(minutes) = locked_minutes {
        sqlx::query(
            "UPDATE login_failure SET locked_until = now() + make_interval(mins => $3)
             WHERE email_key = $1 AND client_net = $2::cidr",
        )
        .bind(email_key)
        .bind(net.to_string())
        .bind(minutes)
        .execute(&mut *conn)
        .await?;
    }
    let account_failures: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(failures), 0)::bigint FROM login_failure
         WHERE email_key = $1 AND last_failed_at > now() - interval '1 day'",
    )
    .bind(email_key)
    .fetch_one(conn)
    .await?;
    Ok(Failure {
        locked_minutes,
        account_failures,
    })
}

/// After the right password from this address: its failures are forgotten (those from other
/// addresses stay).
pub async fn clear_failures(
    conn: &mut PgConnection,
    email_key: &str,
    net: IpNet,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_failure WHERE email_key = $1 AND client_net = $2::cidr")
        .bind(email_key)
        .bind(net.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// After a password reset: the account's failures everywhere are forgotten.
pub async fn clear_account(conn: &mut PgConnection, email_key: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_failure WHERE email_key = $1")
        .bind(email_key)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets buckets that are full again and failures older than a day (run on each successful
/// login, as sessions are swept).
pub async fn sweep(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_rate WHERE ready_at < now()")
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "DELETE FROM login_failure WHERE last_failed_at < now() - interval '1 day'
                                     AND (locked_until IS NULL OR locked_until < now())",
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_doubles_and_is_capped_at_an_hour() {
        let got: Vec<_> = (1..=13).map(lock_minutes).collect();
        let n = None;
        let want = [
            n,
            n,
            n,
            n,
            n,
            Some(1),
            Some(2),
            Some(4),
            Some(8),
            Some(16),
            Some(32),
        ];
        assert_eq!(&got[..11], &want);
        assert_eq!(got[11], Some(60));
        assert_eq!(lock_minutes(1000), Some(60));
    }

    #[test]
    fn ipv4_counts_by_address_and_ipv6_by_its_64() {
        let n = |s: &str| client_net(s.parse().unwrap()).to_string();
        assert_eq!(n("203.0.113.7"), "203.0.113.7/32");
        assert_eq!(n("::ffff:203.0.113.7"), "203.0.113.7/32");
        assert_eq!(n("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(n("2001:db8:1:2:bbbb::9"), n("2001:db8:1:2::1"));
    }
}
