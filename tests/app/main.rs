//! The integration tests: one binary, a fresh PostgreSQL database per test (`#[sqlx::test]`),
//! the real router served on a real port, real Argon2id, real sessions.

mod admin;
mod auth;
mod browser;
mod cases;
mod consent_state;
mod daily;
mod directory;
mod employment;
mod frame;
mod helpers;
mod hostile;
mod leak_hunt;
mod matrix;
mod meetings;
mod pg;
mod privacy;
mod referrals;
mod timeline;
mod visibility;
