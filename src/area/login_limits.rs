//! The login limits as the login form applies them, in this order:
//!
//! 1. the address-wide ceiling (`login_address_*`): loose, so that an office behind one proxy
//!    all signs in at nine, yet a flood from one address stops before Argon2 runs;
//! 2. the soft lock of this account *at this address* after wrong passwords (1, 2, 4 … ≤ 60
//!    minutes): the owner elsewhere, or anyone from an address without failures, still gets in;
//! 3. the bucket of this account at this address (`login_account_*`).
//!
//! Every lock is audited (`login.lock`), and so is every `ALERT_EVERY`-th failure of one
//! account summed over all addresses (`login.alert`): a signal for the administrator, never a
//! lock, since anyone could cause it. Both rows are filed under the account's agency (its
//! first by name), so the agency's admin reads them in the agency's audit log.

use crate::config::Settings;
use crate::db::audit::{self, Event, Outcome};
use crate::db::login_limits::{self as limits, ANY_ACCOUNT};
use crate::db::users;
use ipnet::IpNet;
use sqlx::PgConnection;
use std::net::{IpAddr, Ipv4Addr};

/// Whether a login attempt may go on to the password check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Go,
    /// Too many attempts from this address (`Some`: for this account); try again in so many
    /// minutes.
    TooMany {
        minutes: i64,
        per_account: bool,
    },
    /// Locked after wrong passwords for this account at this address.
    Locked {
        minutes: i64,
    },
}

impl Admission {
    /// What the refusal's audit row says besides the email.
    pub fn reason(&self) -> &'static str {
        match self {
            Admission::Go => "",
            Admission::TooMany {
                per_account: false, ..
            } => "rate limit: address",
            Admission::TooMany {
                per_account: true, ..
            } => "rate limit: account at address",
            Admission::Locked { .. } => "soft lock",
        }
    }
}

/// The address a request is counted by; a request without a peer (a router driven directly)
/// counts as 0.0.0.0, so it is limited all the same.
fn net(addr: Option<IpAddr>) -> IpNet {
    limits::client_net(addr.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)))
}

fn minutes(seconds: i64) -> i64 {
    (seconds.max(1) + 59) / 60
}

pub async fn admit(
    conn: &mut PgConnection,
    settings: &Settings,
    email_key: &str,
    addr: Option<IpAddr>,
) -> sqlx::Result<Admission> {
    let net = net(addr);
    let (burst, refill) = (settings.login_address_burst, settings.login_address_refill);
    if let Some(wait) = limits::take(conn, net, ANY_ACCOUNT, burst, refill).await? {
        return Ok(Admission::TooMany {
            minutes: minutes(wait),
            per_account: false,
        });
    }
    if let Some(wait) = limits::locked_for(conn, email_key, net).await? {
        return Ok(Admission::Locked {
            minutes: minutes(wait),
        });
    }
    let (burst, refill) = (settings.login_account_burst, settings.login_account_refill);
    if let Some(wait) = limits::take(conn, net, email_key, burst, refill).await? {
        return Ok(Admission::TooMany {
            minutes: minutes(wait),
            per_account: true,
        });
    }
    Ok(Admission::Go)
}

/// A wrong password (or an unknown email): counted for this account at this address; a lock
/// it starts and an alert it crosses are audited beside the failure's own row (`event`).
pub async fn failed(
    conn: &mut PgConnection,
    email_key: &str,
    addr: Option<IpAddr>,
    event: &Event,
) -> sqlx::Result<()> {
    let failure = limits::record_failure(conn, email_key, net(addr)).await?;
    if failure.locked_minutes.is_none() && !failure.alert() {
        return Ok(());
    }
    // filed under the account's agency, so that its admin sees it in the agency's audit log
    let agency = match event.user_id {
        Some(user_id) => users::default_agency(conn, user_id).await?,
        None => None,
    };
    if let Some(minutes) = failure.locked_minutes {
        let lock = Event {
            action: "login.lock",
            acting_agency_id: agency,
            detail: format!("{email_key} ({minutes} min)"),
            ..event.clone()
        };
        audit::record(conn, &lock, Outcome::Ok).await?;
    }
    if failure.alert() {
        let alert = Event {
            action: "login.alert",
            acting_agency_id: agency,
            detail: format!(
                "{email_key} ({} failures in a day, all addresses)",
                failure.account_failures
            ),
            ..event.clone()
        };
        audit::record(conn, &alert, Outcome::Failed).await?;
    }
    Ok(())
}

/// The right password: this address's failures for the account are forgotten, and stale
/// limits swept.
pub async fn succeeded(
    conn: &mut PgConnection,
    email_key: &str,
    addr: Option<IpAddr>,
) -> sqlx::Result<()> {
    limits::clear_failures(conn, email_key, net(addr)).await?;
    limits::sweep(conn).await
}
