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
mod forms;
mod forms_browser;
mod frame;
mod helpers;
mod hostile;
mod i18n;
mod journey;
mod leak_hunt;
mod least_privilege;
mod legal;
mod login_limits;
mod mail;
mod matrix;
mod meetings;
mod operability;
mod pg;
mod photos;
mod privacy;
mod processes;
mod referrals;
mod second_factor;
mod smtp;
mod timeline;
mod visibility;
