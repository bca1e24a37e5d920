//! The integration tests: one binary, a fresh PostgreSQL database per test (`#[sqlx::test]`),
//! the real router served on a real port, real Argon2id, real sessions.

mod admin;
mod audit;
mod auth;
mod backup;
mod browser;
mod cases;
mod consent_state;
mod daily;
mod directory;
mod employment;
mod faults;
mod frame;
mod helpers;
mod hostile;
mod journey;
mod leak_hunt;
mod least_privilege;
mod login_limits;
mod matrix;
mod meetings;
mod operability;
mod pg;
mod photos;
mod plans;
mod privacy;
mod referrals;
mod second_factor;
mod timeline;
mod visibility;
