//! Pure types and rules, no I/O.

#[macro_use]
pub mod kinds;
pub mod audit;
pub mod case;
pub mod checklist;
pub mod dates;
pub mod entry;
pub mod ics;
pub mod kana;
pub mod legal;
pub mod markdown;
pub mod meeting;
pub mod message;
pub mod notice;
pub mod password;
pub mod photo;
pub mod plan;
pub mod radar;
pub mod referral;
pub mod regional;
pub mod report;
pub mod second_factor;
pub mod text;
