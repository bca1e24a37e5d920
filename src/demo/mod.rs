//! The demo dataset of SPEC §12: fictional, the same every time, loaded idempotently.
//! Never load it into production: every demo user has the same published password.

use anyhow::Result;
use sqlx::PgPool;
use uuid::Uuid;

mod agencies;
mod cases;
mod consents;
mod daily;
mod directory;
mod employment;
mod ids;
mod ledger;
mod meetings;
mod plans;
mod referrals;
mod reports;
mod retention;
mod timelines;

pub use agencies::print_logins;
use ids::id;
pub use ids::{
    AOBA, CASE_ITO, CASE_SATO, CASE_SUZUKI, CASE_TAKAHASHI, CASE_TANAKA, CASE_YAMADA, HARUKA,
    HIKARI, KOMOREBI, MEETING_SUZUKI, MEETING_SUZUKI_YESTERDAY, MEETING_TAKAHASHI, MIDORI, MINATO,
    PARTICIPANT_EMAIL, PASSWORD, SAKURA, SECOND_FACTOR_EMAIL, SECOND_FACTOR_SECRET, SHOKUCEN,
};

/// Loads what is missing of the demo dataset; running it again changes nothing.
pub async fn load(pool: &PgPool) -> Result<()> {
    let mut tx = pool.begin().await?;
    agencies::load_agencies_and_users(&mut tx).await?;
    agencies::load_second_factor(&mut tx).await?;
    cases::load_cases(&mut tx).await?;
    timelines::load_timelines(&mut tx).await?;
    referrals::load_readiness_and_referrals(&mut tx).await?;
    meetings::load_meetings(&mut tx).await?;
    employment::load_employment(&mut tx).await?;
    retention::load_retention_checks(&mut tx).await?;
    plans::load_plans(&mut tx).await?;
    reports::load_reports(&mut tx).await?;
    daily::load_daily(&mut tx).await?;
    ledger::load_ledger(&mut tx).await?;
    directory::load(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) struct DemoCase {
    pub(super) n: u128,
    family: (&'static str, &'static str),
    kana: (&'static str, &'static str),
    birth: &'static str,
    disabilities: &'static [&'static str],
    municipality: &'static str,
    phase: &'static str,
    /// days ago the case was opened
    opened: i32,
    /// (agency, role on the case, days ago it joined, days ago it left)
    pub(super) team: &'static [(Uuid, &'static str, i32, Option<i32>)],
    /// who records consents: an email of the lead agency
    pub(super) recorder: &'static str,
}
