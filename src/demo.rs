//! The demo dataset of SPEC §12: fictional, the same every time, loaded idempotently.
//! Never load it into production: every demo user has the same published password.

use crate::domain::password;
use anyhow::Result;
use sqlx::PgPool;
use uuid::Uuid;

pub const PASSWORD: &str = "renkei-demo-2026!";

/// Fixed ids so that a second load finds what the first one wrote.
const fn id(n: u128) -> Uuid {
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
];

/// Loads what is missing of the demo dataset; running it again changes nothing.
pub async fn load(pool: &PgPool) -> Result<()> {
    let mut tx = pool.begin().await?;
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
    load_cases(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

const ALL: &[&str] = &[
    "health",
    "assessment",
    "training",
    "work",
    "life",
    "contact",
];

struct DemoCase {
    n: u128,
    family: (&'static str, &'static str),
    kana: (&'static str, &'static str),
    birth: &'static str,
    disabilities: &'static [&'static str],
    municipality: &'static str,
    phase: &'static str,
    /// days ago the case was opened
    opened: i32,
    /// (agency, role on the case, days ago it joined, days ago it left)
    team: &'static [(Uuid, &'static str, i32, Option<i32>)],
    /// who records consents: an email of the lead agency
    recorder: &'static str,
}

const CASES: &[DemoCase] = &[
    DemoCase {
        n: 1,
        family: ("山田", "太郎"),
        kana: ("ヤマダ", "タロウ"),
        birth: "1978-06-12",
        disabilities: &["brain_injury"],
        municipality: "みどり市",
        phase: "intake",
        opened: 150,
        team: &[
            (SAKURA, "デイケア・リハビリ", 150, None),
            (KOMOREBI, "計画相談", 120, None),
        ],
        recorder: "psw@sakura.example",
    },
    DemoCase {
        n: 2,
        family: ("佐藤", "花子"),
        kana: ("サトウ", "ハナコ"),
        birth: "1990-11-03",
        disabilities: &["brain_injury"],
        municipality: "みどり市",
        phase: "referred",
        opened: 240,
        team: &[
            (SAKURA, "デイケア・リハビリ", 240, None),
            (HIKARI, "見学・体験利用の受け入れ", 20, None),
            (KOMOREBI, "計画相談", 200, None),
        ],
        recorder: "psw@sakura.example",
    },
    DemoCase {
        n: 3,
        family: ("鈴木", "一郎"),
        kana: ("スズキ", "イチロウ"),
        birth: "1985-02-20",
        disabilities: &["brain_injury", "mental"],
        municipality: "みどり市",
        phase: "training",
        opened: 600,
        team: &[
            (HIKARI, "就労訓練", 430, None),
            (SAKURA, "デイケア・リハビリ（紹介元）", 600, None),
            (MINATO, "就業・生活支援", 300, None),
            (KOMOREBI, "計画相談", 580, None),
        ],
        recorder: "sabikan@hikari.example",
    },
    DemoCase {
        n: 4,
        family: ("高橋", "美咲"),
        kana: ("タカハシ", "ミサキ"),
        birth: "1995-07-07",
        disabilities: &["developmental"],
        municipality: "みなと市",
        phase: "employed",
        opened: 900,
        team: &[
            (HIKARI, "移行元の定着支援", 900, None),
            (MIDORI, "雇用主", 150, None),
            (SHOKUCEN, "ジョブコーチ支援", 150, None),
            (AOBA, "職場定着支援（引継ぎ予定）", 10, None),
            (MINATO, "就業・生活支援", 400, None),
            (KOMOREBI, "計画相談", 880, None),
        ],
        recorder: "sabikan@hikari.example",
    },
    DemoCase {
        n: 5,
        family: ("田中", "健"),
        kana: ("タナカ", "ケン"),
        birth: "1982-09-15",
        disabilities: &["mental"],
        municipality: "みなと市",
        phase: "retention",
        opened: 1500,
        team: &[
            (AOBA, "職場定着支援", 900, None),
            (MIDORI, "雇用主", 1070, None),
            (MINATO, "就業・生活支援", 1200, None),
            (KOMOREBI, "計画相談", 1480, None),
            (HIKARI, "移行元の定着支援", 1500, Some(890)),
        ],
        recorder: "teichaku@aoba.example",
    },
    DemoCase {
        n: 6,
        family: ("伊藤", "由美"),
        kana: ("イトウ", "ユミ"),
        birth: "1975-03-30",
        disabilities: &["intellectual"],
        municipality: "みなと市",
        phase: "follow_up",
        opened: 2000,
        team: &[
            (MINATO, "就業・生活支援（フォローアップ）", 2000, None),
            (AOBA, "職場定着支援", 1400, Some(60)),
        ],
        recorder: "shugyo@minato.example",
    },
];

/// The participants, cases, teams and consents of SPEC §12, dated relative to the day of loading.
async fn load_cases(tx: &mut sqlx::PgConnection) -> Result<()> {
    let today = "(now() AT TIME ZONE 'Asia/Tokyo')::date";
    for c in CASES {
        let participant = id(0x2000 + c.n);
        let case_id = id(0x3000 + c.n);
        let lead = c.team[0].0;
        sqlx::query(
            "INSERT INTO participant (id, family_name, given_name, family_kana, given_kana,
                birth_date, disability_categories, municipality, postal_code, address, phone,
                family_contacts)
             VALUES ($1, $2, $3, $4, $5, $6::date, $7, $8, '100-0001', $8 || '1-2-3', '090-0000-0000',
                     '家族（連絡先は同意書に記載）')
             ON CONFLICT DO NOTHING",
        )
        .bind(participant)
        .bind(c.family.0)
        .bind(c.family.1)
        .bind(c.kana.0)
        .bind(c.kana.1)
        .bind(c.birth)
        .bind(c.disabilities)
        .bind(c.municipality)
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "INSERT INTO case_file (id, participant_id, lead_agency_id, phase, opened_on)
             VALUES ($1, $2, $3, $4, {today} - $5) ON CONFLICT DO NOTHING"
        ))
        .bind(case_id)
        .bind(participant)
        .bind(lead)
        .bind(c.phase)
        .bind(c.opened)
        .execute(&mut *tx)
        .await?;
        for (k, (agency, role, joined, left)) in c.team.iter().enumerate() {
            sqlx::query(&format!(
                "INSERT INTO case_agency (case_id, agency_id, role_text, joined_on, left_on)
                 VALUES ($1, $2, $3, {today} - $4, {today} - $5) ON CONFLICT DO NOTHING"
            ))
            .bind(case_id)
            .bind(agency)
            .bind(role)
            .bind(joined)
            .bind(*left)
            .execute(&mut *tx)
            .await?;
            // consent for every agency on the team, given when it joined; 高橋 美咲 has not
            // agreed to share her health with the employer, and one consent of 鈴木 一郎 ends soon
            let categories: Vec<&str> = if c.n == 4 && *agency == MIDORI {
                ALL.iter().copied().filter(|c| *c != "health").collect()
            } else {
                ALL.to_vec()
            };
            let valid_days: Option<i32> = if c.n == 3 && *agency == MINATO {
                Some(-20)
            } else {
                None
            };
            sqlx::query(&format!(
                "INSERT INTO consent (id, case_id, agency_id, categories, given_by, method, given_on,
                                      valid_until, evidence, recorded_by, recorded_as)
                 SELECT $1, $2, $3, $4, 'person', 'written', {today} - $5, {today} - $6,
                        '同意書（原本は主担当機関で保管）', u.id, $7
                 FROM app_user u WHERE u.email = $8
                 ON CONFLICT DO NOTHING"
            ))
            .bind(id(0x4000 + c.n * 0x10 + k as u128))
            .bind(case_id)
            .bind(agency)
            .bind(&categories)
            .bind(joined)
            .bind(valid_days)
            .bind(lead)
            .bind(c.recorder)
            .execute(&mut *tx)
            .await?;
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
    println!();
}
