//! The demo's fixed ids and logins: what the tests and the login list refer to.

use uuid::Uuid;

pub const PASSWORD: &str = crate::domain::password::DEMO_PASSWORD;

/// Fixed ids so that a second load finds what the first one wrote.
pub(super) const fn id(n: u128) -> Uuid {
    Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 | n)
}

pub const SAKURA: Uuid = id(0x101);
pub const HIKARI: Uuid = id(0x102);
pub const MINATO: Uuid = id(0x103);
pub const SHOKUCEN: Uuid = id(0x104);
pub const AOBA: Uuid = id(0x105);
pub const KOMOREBI: Uuid = id(0x106);
pub const MIDORI: Uuid = id(0x107);
pub const HARUKA: Uuid = id(0x108);

/// The demo cases (SPEC §12), by participant.
pub const CASE_YAMADA: Uuid = id(0x3001);
pub const CASE_SATO: Uuid = id(0x3002);
pub const CASE_SUZUKI: Uuid = id(0x3003);
pub const CASE_TAKAHASHI: Uuid = id(0x3004);
pub const CASE_TANAKA: Uuid = id(0x3005);
pub const CASE_ITO: Uuid = id(0x3006);

/// 鈴木 一郎's meeting held a month ago, and 高橋 美咲's hand-over meeting to come.
pub const MEETING_SUZUKI: Uuid = id(0x6001);
pub const MEETING_TAKAHASHI: Uuid = id(0x6002);
/// 鈴木 一郎's meeting of yesterday, its minutes still to be written.
pub const MEETING_SUZUKI_YESTERDAY: Uuid = id(0x600d);

/// 高橋 美咲's own account (daily reports only).
pub const PARTICIPANT_EMAIL: &str = "takahashi@person.example";
/// The demo user with a second factor on, and its published TOTP secret (base32): any
/// authenticator app given this key shows the codes that log this user in.
pub const SECOND_FACTOR_EMAIL: &str = "mfa@hikari.example";
pub const SECOND_FACTOR_SECRET: &str = "RENKEIDEMOTOTPSECRETKEYFORDEMO23";
