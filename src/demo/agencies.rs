//! The demo's agencies and their users, and the list of demo logins.

use super::{id, AOBA, HARUKA, HIKARI, KOMOREBI, MIDORI, MINATO, SAKURA, SHOKUCEN};
use super::{PARTICIPANT_EMAIL, PASSWORD, SECOND_FACTOR_EMAIL, SECOND_FACTOR_SECRET};
use crate::domain::password;
use anyhow::Result;
use uuid::Uuid;

/// (id, name, kind, municipality, address, phone)
const AGENCIES: &[(Uuid, &str, &str, &str, &str, &str)] = &[
    (
        SAKURA,
        "さくら通りクリニック",
        "clinic",
        "みどり市",
        "みどり市さくら通り1-2-3",
        "0120-000-101",
    ),
    (
        HIKARI,
        "ひかり就労移行支援センター",
        "transition_office",
        "みどり市",
        "みどり市ひかり町4-5-6",
        "0120-000-102",
    ),
    (
        MINATO,
        "みなと障害者就業・生活支援センター",
        "livelihood_center",
        "みなと市",
        "みなと市港町7-8",
        "0120-000-103",
    ),
    (
        SHOKUCEN,
        "県障害者職業センター",
        "vocational_center",
        "県央市",
        "県央市中央1-1",
        "0120-000-104",
    ),
    (
        AOBA,
        "あおば就労定着支援事業所",
        "retention_office",
        "みどり市",
        "みどり市あおば台2-10",
        "0120-000-105",
    ),
    (
        KOMOREBI,
        "こもれび相談支援事業所",
        "consultation_office",
        "みどり市",
        "みどり市こもれび坂3-3",
        "0120-000-106",
    ),
    (
        MIDORI,
        "株式会社みどり物流",
        "employer",
        "みなと市",
        "みなと市物流団地5-1",
        "0120-000-107",
    ),
    (
        HARUKA,
        "はるか就労移行支援事業所",
        "transition_office",
        "県央市",
        "県央市はるか野9-9",
        "0120-000-108",
    ),
];

/// (email, name, [(agency, role, job title)], system admin)
type DemoUser = (
    &'static str,
    &'static str,
    &'static [(Uuid, &'static str, &'static str)],
    bool,
);
const USERS: &[DemoUser] = &[
    (
        "ot@sakura.example",
        "小林 さやか",
        &[(SAKURA, "staff", "作業療法士 (OT)")],
        false,
    ),
    (
        "st@sakura.example",
        "中村 大輔",
        &[(SAKURA, "staff", "言語聴覚士 (ST)")],
        false,
    ),
    (
        "psw@sakura.example",
        "山本 恵",
        &[(SAKURA, "coordinator", "精神保健福祉士 (PSW)")],
        false,
    ),
    (
        "jimu@sakura.example",
        "木村 直子",
        &[(SAKURA, "agency_admin", "事務長")],
        false,
    ),
    (
        "staff@hikari.example",
        "加藤 翔",
        &[(HIKARI, "staff", "就労支援員")],
        false,
    ),
    (
        "sabikan@hikari.example",
        "吉田 明美",
        &[(HIKARI, "coordinator", "サービス管理責任者")],
        false,
    ),
    (
        "shugyo@minato.example",
        "山口 健太",
        &[(MINATO, "coordinator", "就業支援担当者")],
        false,
    ),
    (
        "jc@shokucen.example",
        "松本 由紀",
        &[(SHOKUCEN, "staff", "配置型ジョブコーチ")],
        false,
    ),
    (
        "teichaku@aoba.example",
        "井上 優子",
        &[(AOBA, "staff", "就労定着支援員")],
        false,
    ),
    (
        "soudan@komorebi.example",
        "林 誠",
        &[(KOMOREBI, "coordinator", "相談支援専門員")],
        false,
    ),
    (
        "boss@midori.example",
        "清水 隆",
        &[(MIDORI, "staff", "物流センター 課長")],
        false,
    ),
    (
        "staff@haruka.example",
        "森 彩",
        &[(HARUKA, "staff", "就労支援員")],
        false,
    ),
    (
        "dual@sakura.example",
        "池田 理恵",
        &[
            (SAKURA, "staff", "作業療法士 (OT)"),
            (HIKARI, "staff", "職業指導員"),
        ],
        false,
    ),
    ("admin@renkei.example", "システム管理者", &[], true),
    (
        SECOND_FACTOR_EMAIL,
        "中村 大輔",
        &[(HIKARI, "staff", "職業指導員")],
        false,
    ),
];

/// The demo user with a second factor: its published secret, on since the demo was loaded.
pub(super) async fn load_second_factor(tx: &mut sqlx::PgConnection) -> Result<()> {
    let secret = crate::domain::second_factor::secret_from_text(SECOND_FACTOR_SECRET)
        .expect("the demo secret is base32");
    sqlx::query(
        "INSERT INTO second_factor (user_id, secret, enabled_at)
         SELECT id, $2, now() FROM app_user WHERE email = $1
         ON CONFLICT DO NOTHING",
    )
    .bind(SECOND_FACTOR_EMAIL)
    .bind(secret)
    .execute(tx)
    .await?;
    Ok(())
}

/// The agencies, the users and their memberships.
pub(super) async fn load_agencies_and_users(tx: &mut sqlx::PgConnection) -> Result<()> {
    for (id, name, kind, municipality, address, phone) in AGENCIES {
        sqlx::query(
            "INSERT INTO agency (id, name, kind, municipality, address, phone)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(name)
        .bind(kind)
        .bind(municipality)
        .bind(address)
        .bind(phone)
        .execute(&mut *tx)
        .await?;
    }
    let emails: Vec<&str> = USERS.iter().map(|u| u.0).collect();
    let present: i64 = sqlx::query_scalar("SELECT count(*) FROM app_user WHERE email = ANY($1)")
        .bind(&emails)
        .fetch_one(&mut *tx)
        .await?;
    if present < USERS.len() as i64 {
        // one hash for all: they share the published demo password
        let hash = tokio::task::spawn_blocking(|| password::hash(PASSWORD)).await?;
        for (n, (email, name, memberships, is_admin)) in USERS.iter().enumerate() {
            let user_id = id(0x1000 + n as u128);
            sqlx::query(
                "INSERT INTO app_user (id, email, display_name, password_hash, is_admin)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(user_id)
            .bind(email)
            .bind(name)
            .bind(&hash)
            .bind(is_admin)
            .execute(&mut *tx)
            .await?;
            for (agency, role, title) in *memberships {
                sqlx::query(
                    "INSERT INTO membership (user_id, agency_id, role, job_title)
                     SELECT id, $2, $3, $4 FROM app_user WHERE email = $1
                     ON CONFLICT DO NOTHING",
                )
                .bind(email)
                .bind(agency)
                .bind(role)
                .bind(title)
                .execute(&mut *tx)
                .await?;
            }
        }
    }
    Ok(())
}

pub fn print_logins() {
    println!();
    println!("Demo logins (password for all: {PASSWORD}) — never load the demo into production:");
    for (email, name, memberships, is_admin) in USERS {
        let what: Vec<String> = if *is_admin {
            vec!["system admin".into()]
        } else {
            memberships
                .iter()
                .map(|(agency, role, title)| {
                    let agency_name = AGENCIES
                        .iter()
                        .find(|a| a.0 == *agency)
                        .map(|a| a.1)
                        .unwrap_or("");
                    format!("{agency_name} {title} ({role})")
                })
                .collect()
        };
        println!("  {email:<26} {name}  {}", what.join(" / "));
    }
    println!("  {PARTICIPANT_EMAIL:<26} 高橋 美咲  the person's own account (daily reports only)");
    println!(
        "  {SECOND_FACTOR_EMAIL} has two-step verification: add the key {SECOND_FACTOR_SECRET}"
    );
    println!("    to an authenticator app (TOTP, SHA-1, 6 digits, 30 s) and enter its code after the password.");
    println!();
}
