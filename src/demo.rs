//! The demo dataset of SPEC §12: fictional, the same every time, loaded idempotently.
//! Never load it into production: every demo user has the same published password.

use crate::domain::password;
use anyhow::Result;
use sqlx::PgPool;
use uuid::Uuid;

mod directory;

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

/// 鈴木 一郎's meeting held a month ago, and 高橋 美咲's hand-over meeting to come.
pub const MEETING_SUZUKI: Uuid = id(0x6001);
pub const MEETING_TAKAHASHI: Uuid = id(0x6002);

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
    load_timelines(&mut tx).await?;
    load_readiness_and_referrals(&mut tx).await?;
    load_meetings(&mut tx).await?;
    load_employment(&mut tx).await?;
    load_retention_checks(&mut tx).await?;
    load_daily(&mut tx).await?;
    directory::load(&mut tx).await?;
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

/// One demo entry: (days ago, author email, author agency, kind, category, body, fields).
type DemoEntry<'a> = (i32, &'a str, Uuid, &'a str, &'a str, &'a str, &'a str);

/// Entries written by hand for each case: the events a team would remember.
fn key_entries(case: u128) -> Vec<DemoEntry<'static>> {
    match case {
        1 => vec![
            (
                140,
                "psw@sakura.example",
                SAKURA,
                "note",
                "life",
                "デイケアの利用を開始。就労への希望あり。ご家族（妻）も就労を応援している。",
                "{}",
            ),
            (
                120,
                "ot@sakura.example",
                SAKURA,
                "observation",
                "training",
                "午後になると疲れが出て、作業の手順を飛ばすことがある。",
                r#"{"situation":"デイケアの軽作業（封入作業）","handling":"手順書を手元に置き、休憩を1回増やした","resolved":false}"#,
            ),
            (
                95,
                "ot@sakura.example",
                SAKURA,
                "contact",
                "life",
                "ご家族と電話。自宅では日課表を使い始めたとのこと。",
                r#"{"channel":"phone","with_whom":"family"}"#,
            ),
            (
                60,
                "st@sakura.example",
                SAKURA,
                "progress",
                "assessment",
                "メモを取る習慣がつき、予定の聞き漏れが減ってきた。",
                "{}",
            ),
            (
                20,
                "psw@sakura.example",
                SAKURA,
                "note",
                "training",
                "就労移行支援の見学について本人と相談。まずは準備チェックを続ける。",
                "{}",
            ),
        ],
        2 => vec![
            (
                200,
                "ot@sakura.example",
                SAKURA,
                "progress",
                "training",
                "デイケアに週4日安定して通えている。",
                "{}",
            ),
            (
                60,
                "psw@sakura.example",
                SAKURA,
                "note",
                "training",
                "ひかり就労移行支援センターへの見学を本人が希望。",
                "{}",
            ),
            (
                20,
                "sabikan@hikari.example",
                HIKARI,
                "contact",
                "training",
                "見学の日程を本人と調整。来週火曜に見学予定。",
                r#"{"channel":"phone","with_whom":"person","next_visit":null}"#,
            ),
            (
                10,
                "staff@hikari.example",
                HIKARI,
                "progress",
                "training",
                "見学実施。作業場面を見て「やってみたい」との発言あり。体験利用を検討。",
                "{}",
            ),
        ],
        3 => vec![
            (
                420,
                "sabikan@hikari.example",
                HIKARI,
                "note",
                "training",
                "就労移行支援の利用開始。個別支援計画を作成。",
                "{}",
            ),
            (
                300,
                "staff@hikari.example",
                HIKARI,
                "observation",
                "training",
                "指示が2つ以上重なると、後の指示を忘れてしまう。",
                r#"{"situation":"午前の軽作業で、作業中に追加の指示をしたとき","handling":"指示は1つずつ伝え、ホワイトボードに書いた","resolved":true}"#,
            ),
            (
                120,
                "staff@hikari.example",
                HIKARI,
                "observation",
                "training",
                "疲れてくると声が大きくなり、周りの利用者が驚くことがある。",
                r#"{"situation":"15時以降のPC作業","handling":"休憩を促し、静かな席に移ってもらった","resolved":false}"#,
            ),
            (
                45,
                "shugyo@minato.example",
                MINATO,
                "contact",
                "life",
                "本人と面談。生活リズムは安定。就職後の通勤経路を確認。",
                r#"{"channel":"meeting","with_whom":"person"}"#,
            ),
            (
                14,
                "sabikan@hikari.example",
                HIKARI,
                "note",
                "work",
                "実習先の候補として物流会社2社を検討中。",
                "{}",
            ),
        ],
        4 => vec![
            (
                600,
                "sabikan@hikari.example",
                HIKARI,
                "note",
                "training",
                "就労移行支援の利用開始。",
                "{}",
            ),
            (
                150,
                "sabikan@hikari.example",
                HIKARI,
                "note",
                "work",
                "株式会社みどり物流に就職。仕分け業務。週30時間から開始。",
                "{}",
            ),
            (
                140,
                "jc@shokucen.example",
                SHOKUCEN,
                "contact",
                "work",
                "職場訪問。作業手順書を本人と一緒に作成。",
                r#"{"channel":"visit","with_whom":"employer"}"#,
            ),
            (
                100,
                "boss@midori.example",
                MIDORI,
                "progress",
                "work",
                "仕分けの正確さは問題なし。休憩の取り方を一緒に決めた。",
                "{}",
            ),
            (
                60,
                "staff@hikari.example",
                HIKARI,
                "progress",
                "health",
                "通院先で服薬の調整中。朝の眠気が強い日がある。",
                "{}",
            ),
            (
                30,
                "jc@shokucen.example",
                SHOKUCEN,
                "observation",
                "work",
                "作業が立て込むと、確認の声かけが遅れる。",
                r#"{"situation":"月末の繁忙期","handling":"上長と相談し、確認のタイミングを決めた","resolved":false}"#,
            ),
            (
                7,
                "sabikan@hikari.example",
                HIKARI,
                "note",
                "work",
                "就職後5か月目。定着支援事業所（あおば）への引継ぎを調整中。",
                "{}",
            ),
        ],
        5 => vec![
            (
                1070,
                "sabikan@hikari.example",
                HIKARI,
                "note",
                "work",
                "株式会社みどり物流に就職。",
                "{}",
            ),
            (
                900,
                "teichaku@aoba.example",
                AOBA,
                "note",
                "work",
                "就労定着支援の利用開始。月1回の面談と支援レポートで支援。",
                "{}",
            ),
            (
                400,
                "boss@midori.example",
                MIDORI,
                "progress",
                "work",
                "フォークリフト以外の業務はほぼ一人で対応できるようになった。",
                "{}",
            ),
            (
                200,
                "teichaku@aoba.example",
                AOBA,
                "observation",
                "work",
                "繁忙期に残業が続くと、翌週の欠勤が増える。",
                r#"{"situation":"12月の繁忙期","handling":"上長と残業の上限を決めた","resolved":true}"#,
            ),
            (
                30,
                "teichaku@aoba.example",
                AOBA,
                "note",
                "work",
                "サービス終了まで約7か月。終了後の支援体制について本人・事業主の意向を確認予定。",
                "{}",
            ),
        ],
        _ => vec![
            (
                1900,
                "shugyo@minato.example",
                MINATO,
                "note",
                "work",
                "就業・生活支援センターの登録。",
                "{}",
            ),
            (
                1400,
                "teichaku@aoba.example",
                AOBA,
                "note",
                "work",
                "就労定着支援の利用開始。",
                "{}",
            ),
            (
                90,
                "teichaku@aoba.example",
                AOBA,
                "note",
                "work",
                "就労定着支援のサービス終了。引継ぎ会議を実施し、みなとセンターへ引継ぎ。",
                "{}",
            ),
            (
                20,
                "shugyo@minato.example",
                MINATO,
                "contact",
                "life",
                "本人より電話。仕事は順調とのこと。",
                r#"{"channel":"phone","with_whom":"person"}"#,
            ),
        ],
    }
}

/// Routine entries that fill the months between: (case, author email, agency, kind, every n
/// days, from days ago, to days ago, texts).
type Routine = (
    u128,
    &'static str,
    Uuid,
    &'static str,
    &'static str,
    i32,
    i32,
    i32,
    &'static [&'static str],
);

const ROUTINES: &[Routine] = &[
    (
        1,
        "ot@sakura.example",
        SAKURA,
        "progress",
        "training",
        9,
        148,
        5,
        &[
            "デイケアのプログラムに最後まで参加できた。",
            "午前中は集中して作業できた。午後は休憩を多めにとった。",
            "予定表を見て、次の活動に自分から移ることができた。",
            "同じ質問を繰り返すことが減った。",
        ],
    ),
    (
        2,
        "ot@sakura.example",
        SAKURA,
        "progress",
        "training",
        12,
        230,
        25,
        &[
            "デイケアで調理プログラムに参加。手順表を使って最後まで作れた。",
            "買い物の計算練習。ミスは自分で見直して気づけた。",
            "通所は安定。遅刻なし。",
        ],
    ),
    (
        3,
        "staff@hikari.example",
        HIKARI,
        "progress",
        "training",
        7,
        415,
        2,
        &[
            "PC入力訓練。入力ミスは前週より減少。",
            "軽作業（ピッキング）を2時間継続できた。",
            "報告・連絡の練習。終わったら自分から報告できた。",
            "疲れのサインに気づいて、自分から休憩を申し出た。",
            "グループワークで他の利用者の意見を聞いてから発言できた。",
        ],
    ),
    (
        4,
        "jc@shokucen.example",
        SHOKUCEN,
        "contact",
        "work",
        14,
        145,
        10,
        &[
            "職場訪問。手順書どおりに作業できている。",
            "職場訪問。上長と本人の三者で振り返り。",
            "職場訪問。繁忙期の作業量について上長と確認。",
        ],
    ),
    (
        4,
        "staff@hikari.example",
        HIKARI,
        "progress",
        "work",
        14,
        148,
        3,
        &[
            "就職後の定着支援で面談。仕事は楽しいとのこと。",
            "通勤は安定。朝の準備に時間がかかる日がある。",
        ],
    ),
    (
        5,
        "teichaku@aoba.example",
        AOBA,
        "contact",
        "work",
        30,
        895,
        5,
        &[
            "月1回の面談（対面）。体調・仕事とも安定。支援レポートを事業主と共有。",
            "月1回の面談（職場）。作業の幅が広がってきた。支援レポートを共有。",
            "月1回の面談。繁忙期の働き方について相談。支援レポートを共有。",
        ],
    ),
    (
        5,
        "sabikan@hikari.example",
        HIKARI,
        "progress",
        "work",
        14,
        1068,
        895,
        &[
            "就職後の定着支援で職場訪問。問題なし。",
            "本人と面談。通勤にも慣れてきた。",
        ],
    ),
    (
        6,
        "shugyo@minato.example",
        MINATO,
        "contact",
        "life",
        30,
        80,
        1,
        &["フォローアップの電話。変わりなし。"],
    ),
    (
        6,
        "teichaku@aoba.example",
        AOBA,
        "contact",
        "work",
        30,
        1390,
        95,
        &["月1回の面談。支援レポートを事業主と共有。"],
    ),
];

/// Replies to the observations of the key entries: (case, index of the observation among the
/// case's key entries, days ago, author email, agency, answer, observed, situation, handling).
type DemoReply = (
    u128,
    usize,
    i32,
    &'static str,
    Uuid,
    &'static str,
    &'static str,
    &'static str,
);

const REPLIES: &[DemoReply] = &[
    (
        1,
        1,
        118,
        "soudan@komorebi.example",
        KOMOREBI,
        "seen_here",
        "自宅訪問時も、夕方は予定を忘れやすいとご家族から聞いている。",
        "ご家族に、夕方の予定はメモで伝えるようお願いした。",
    ),
    (
        3,
        1,
        298,
        "ot@sakura.example",
        SAKURA,
        "seen_here",
        "デイケアでも、指示が重なると後の指示が抜けていた。",
        "1つずつ伝えて、メモを取る時間をとると確実だった。",
    ),
    (
        3,
        2,
        118,
        "ot@sakura.example",
        SAKURA,
        "seen_differently",
        "デイケアでは声の大きさより、疲れると黙り込むことが多かった。",
        "疲れの自己チェック表を使っていた。",
    ),
    (
        3,
        2,
        110,
        "shugyo@minato.example",
        MINATO,
        "not_seen",
        "",
        "",
    ),
    (
        4,
        5,
        28,
        "teichaku@aoba.example",
        AOBA,
        "seen_here",
        "引継ぎ面談の中でも、忙しいと確認を後回しにするとの話があった。",
        "確認の合図を決めておくことを提案。",
    ),
];

async fn insert_demo_entry(
    tx: &mut sqlx::PgConnection,
    id: Uuid,
    case_id: Uuid,
    e: &DemoEntry<'_>,
    fields: &str,
    reply_to: Option<Uuid>,
) -> Result<()> {
    let (days, email, agency, kind, category, body, _) = *e;
    let html = crate::domain::markdown::to_safe_html(body);
    let fields: serde_json::Value = serde_json::from_str(fields)?;
    // shared with the team of the day (the author's agency sees its own anyway)
    sqlx::query(
        "INSERT INTO entry (id, case_id, author_user_id, author_agency_id, kind, category,
                            occurred_at, created_at, body, body_html, fields, shared_with, reply_to)
         SELECT $1, $2, u.id, $4, $5, $6, now() - make_interval(days => $7) - interval '3 hours',
                now() - make_interval(days => $7), $8, $9, $10,
                ARRAY(SELECT agency_id FROM case_agency WHERE case_id = $2 AND agency_id <> $4),
                $11
         FROM app_user u WHERE u.email = $3
         ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(case_id)
    .bind(email)
    .bind(agency)
    .bind(kind)
    .bind(category)
    .bind(days)
    .bind(body)
    .bind(html)
    .bind(fields)
    .bind(reply_to)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Tens of entries per case over months, observations with replies from other agencies.
async fn load_timelines(tx: &mut sqlx::PgConnection) -> Result<()> {
    for c in CASES {
        let case_id = id(0x3000 + c.n);
        for (k, e) in key_entries(c.n).iter().enumerate() {
            insert_demo_entry(
                tx,
                id(0x10_0000 + c.n * 0x1000 + k as u128),
                case_id,
                e,
                e.6,
                None,
            )
            .await?;
        }
    }
    for (r, (case, email, agency, kind, category, every, from, to, texts)) in
        ROUTINES.iter().enumerate()
    {
        let case_id = id(0x3000 + case);
        let mut days = *from;
        let mut n = 0usize;
        while days >= *to {
            // あおば's monthly contacts with 田中 健 are the interview and the support report
            let fields = match (*case, *kind) {
                (5, "contact") => r#"{"channel":"meeting","with_whom":"person","report":true}"#,
                (_, "contact") => r#"{"channel":"visit","with_whom":"employer"}"#,
                _ => "{}",
            };
            let e: DemoEntry = (
                days,
                email,
                *agency,
                kind,
                category,
                texts[n % texts.len()],
                fields,
            );
            let entry_id = id(0x20_0000 + r as u128 * 0x1000 + n as u128);
            insert_demo_entry(tx, entry_id, case_id, &e, fields, None).await?;
            days -= every;
            n += 1;
        }
    }
    for (k, (case, index, days, email, agency, answer, situation, handling)) in
        REPLIES.iter().enumerate()
    {
        let case_id = id(0x3000 + case);
        let parent = id(0x10_0000 + case * 0x1000 + *index as u128);
        let mut fields = serde_json::json!({ "answer": answer });
        if !handling.is_empty() {
            fields["handling"] = serde_json::json!(handling);
        }
        let category = key_entries(*case)[*index].4;
        // a reply is shared with the observation's author agency and the rest of the team
        let e: DemoEntry = (
            *days,
            email,
            *agency,
            "observation",
            category,
            situation,
            "",
        );
        let reply_id = id(0x30_0000 + k as u128);
        insert_demo_entry(tx, reply_id, case_id, &e, &fields.to_string(), Some(parent)).await?;
    }
    Ok(())
}

/// 山田 太郎: assessed twice (three, then four of six criteria met) with pre-referral notes;
/// 佐藤 花子: referred to ひかり, acknowledged, the visit scheduled.
async fn load_readiness_and_referrals(tx: &mut sqlx::PgConnection) -> Result<()> {
    let yamada = id(0x3001);
    let sato = id(0x3002);
    // (n, days ago, values in the order near, attendance, stamina, awareness, experiential, openness)
    let assessments: [(u128, i32, [&str; 6], &str); 2] = [
        (
            1,
            90,
            ["met", "met", "not_yet", "not_yet", "unknown", "met"],
            "ot@sakura.example",
        ),
        (
            2,
            15,
            ["met", "met", "not_yet", "met", "unknown", "met"],
            "ot@sakura.example",
        ),
    ];
    let codes = [
        "near",
        "attendance",
        "stamina",
        "awareness",
        "experiential",
        "openness",
    ];
    let instrument = crate::db::checks::instrument(&mut *tx, "readiness").await?;
    for (n, days, values, email) in assessments {
        let assessment = id(0x5000 + n);
        let entry = id(0x5100 + n);
        let answers: crate::domain::checklist::Answers = codes
            .iter()
            .zip(values)
            .map(|(c, v)| (c.to_string(), (v.to_string(), String::new())))
            .collect();
        let r = instrument.all_met(&answers);
        let missing: Vec<String> = r
            .missing
            .iter()
            .filter_map(|c| instrument.items.iter().find(|i| i.code == *c))
            .map(|i| format!("\n- {}", i.text_ja))
            .collect();
        let body = format!(
            "紹介準備チェック：{}/{} 項目を満たしています。まだ満たしていない目安：{}",
            r.met,
            r.total,
            missing.concat()
        );
        let e: DemoEntry = (days, email, SAKURA, "readiness", "assessment", &body, "{}");
        insert_demo_entry(tx, entry, yamada, &e, "{}", None).await?;
        let inserted = sqlx::query(
            "INSERT INTO assessment (id, case_id, instrument_id, author_user_id, author_agency_id,
                                     assessed_on, entry_id)
             SELECT $1, $2, 'readiness', u.id, $3, (now() AT TIME ZONE 'Asia/Tokyo')::date - $4, $5
             FROM app_user u WHERE u.email = $6
             ON CONFLICT DO NOTHING",
        )
        .bind(assessment)
        .bind(yamada)
        .bind(SAKURA)
        .bind(days)
        .bind(entry)
        .bind(email)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            sqlx::query(
                "INSERT INTO assessment_item (assessment_id, code, value)
                 SELECT $1, * FROM unnest($2::text[], $3::text[])",
            )
            .bind(assessment)
            .bind(codes)
            .bind(values)
            .execute(&mut *tx)
            .await?;
        }
    }
    let notes: [(u128, u128, &str, &str, &str, i32); 6] = [
        (
            1,
            0x3001,
            "course",
            "health",
            "2年前に脳出血。回復期リハビリ病院を経て、半年前からデイケアに通所。",
            100,
        ),
        (
            2,
            0x3001,
            "work_before",
            "work",
            "印刷会社で営業職として20年勤務。",
            100,
        ),
        (
            3,
            0x3001,
            "why_work",
            "life",
            "家族のために、もう一度働きたい。",
            60,
        ),
        (
            4,
            0x3001,
            "visit_questions",
            "training",
            "どんな作業があるか、通う時間はどのくらいか。",
            30,
        ),
        (
            5,
            0x3002,
            "course",
            "health",
            "交通事故による頭部外傷。注意と記憶に障害がある。",
            230,
        ),
        (
            6,
            0x3002,
            "desired_work",
            "life",
            "事務補助の仕事を短時間から。",
            90,
        ),
    ];
    for (n, case, item, category, body, days) in notes {
        sqlx::query(
            "INSERT INTO prereferral_note (id, case_id, item, category, body, author_user_id,
                                           author_agency_id, written_at)
             SELECT $1, $2, $3, $4, $5, u.id, $6, now() - make_interval(days => $7)
             FROM app_user u WHERE u.email = 'psw@sakura.example'
             ON CONFLICT DO NOTHING",
        )
        .bind(id(0x5200 + n))
        .bind(id(case))
        .bind(item)
        .bind(category)
        .bind(body)
        .bind(SAKURA)
        .bind(days)
        .execute(&mut *tx)
        .await?;
    }
    // 佐藤 花子's referral to ひかり: sent, acknowledged, the visit in five days
    let referral = id(0x5300);
    let packet = crate::db::referrals::Packet {
        person_name: "佐藤 花子".into(),
        person_kana: "サトウ ハナコ".into(),
        birth_date: chrono::NaiveDate::from_ymd_opt(1990, 11, 3),
        disabilities: vec!["高次脳機能障害".into()],
        municipality: "みどり市".into(),
        from_agency: "さくら通りクリニック".into(),
        to_agency: "ひかり就労移行支援センター".into(),
        hopes: "事務補助の仕事を目指しています。短時間からの体験利用をお願いします。".into(),
        sent_by: "山本 恵".into(),
        notes: vec![
            crate::db::referrals::NoteRow {
                item: "course".into(),
                category: "health".into(),
                body: "交通事故による頭部外傷。注意と記憶に障害がある。".into(),
                author_name: "山本 恵".into(),
                author_agency_name: "さくら通りクリニック".into(),
                written_at: chrono::Utc::now() - chrono::Duration::days(230),
            },
            crate::db::referrals::NoteRow {
                item: "desired_work".into(),
                category: "life".into(),
                body: "事務補助の仕事を短時間から。".into(),
                author_name: "山本 恵".into(),
                author_agency_name: "さくら通りクリニック".into(),
                written_at: chrono::Utc::now() - chrono::Duration::days(90),
            },
        ],
        ..Default::default()
    };
    let created = sqlx::query(
        "INSERT INTO referral (id, case_id, from_agency_id, to_agency_id, state, hopes, packet,
                               visit_on, created_by, created_at, sent_at, updated_at)
         SELECT $1, $2, $3, $4, 'visit_scheduled', $5, $6,
                (now() AT TIME ZONE 'Asia/Tokyo')::date + 5, u.id,
                now() - interval '25 days', now() - interval '24 days', now() - interval '10 days'
         FROM app_user u WHERE u.email = 'psw@sakura.example'
         ON CONFLICT DO NOTHING",
    )
    .bind(referral)
    .bind(sato)
    .bind(SAKURA)
    .bind(HIKARI)
    .bind(&packet.hopes)
    .bind(serde_json::to_value(&packet)?)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if created == 1 {
        // (n, from state, to state, who, as which agency, days ago, note)
        type Step<'a> = (u128, Option<&'a str>, &'a str, &'a str, Uuid, i32, &'a str);
        let steps: [Step; 4] = [
            (1, None, "draft", "psw@sakura.example", SAKURA, 25, ""),
            (
                2,
                Some("draft"),
                "sent",
                "psw@sakura.example",
                SAKURA,
                24,
                "本人の希望で、まず見学から。",
            ),
            (
                3,
                Some("sent"),
                "acknowledged",
                "sabikan@hikari.example",
                HIKARI,
                20,
                "受け付けました。見学日を調整します。",
            ),
            (
                4,
                Some("acknowledged"),
                "visit_scheduled",
                "sabikan@hikari.example",
                HIKARI,
                10,
                "来週、午前中に見学。ご家族も同席予定。",
            ),
        ];
        for (n, from, to, email, agency, days, note) in steps {
            sqlx::query(
                "INSERT INTO referral_event (id, referral_id, from_state, to_state, user_id,
                                             agency_id, at, note)
                 SELECT $1, $2, $3, $4, u.id, $5, now() - make_interval(days => $6), $7
                 FROM app_user u WHERE u.email = $8",
            )
            .bind(id(0x5400 + n))
            .bind(referral)
            .bind(from)
            .bind(to)
            .bind(agency)
            .bind(days)
            .bind(note)
            .bind(email)
            .execute(&mut *tx)
            .await?;
            if to != "draft" {
                let label = match to {
                    "sent" => "送付済み（返事待ち）",
                    "acknowledged" => "受け付け",
                    _ => "見学予定",
                };
                let body =
                    format!("{label}：さくら通りクリニック → ひかり就労移行支援センター\n{note}");
                let e: DemoEntry = (
                    days,
                    email,
                    agency,
                    "referral",
                    "case_admin",
                    body.as_str(),
                    "{}",
                );
                insert_demo_entry(tx, id(0x5500 + n), sato, &e, "{}", None).await?;
            }
        }
    }
    Ok(())
}

/// 鈴木 一郎: a meeting held a month ago, with minutes and action items (one overdue);
/// 高橋 美咲: the hand-over meeting to the retention office, in five days.
async fn load_meetings(tx: &mut sqlx::PgConnection) -> Result<()> {
    let agenda: String = crate::domain::meeting::AGENDA_JA
        .iter()
        .map(|a| format!("\n### {a}\n\n- \n"))
        .collect();
    // (n, case, purpose, days from today, hour JST, status, invitees, material)
    type DemoMeeting<'a> = (u128, Uuid, &'a str, i32, i32, &'a str, &'a [Uuid], String);
    let meetings: [DemoMeeting; 2] = [
        (
            1,
            id(0x3003),
            "support_plan",
            -30,
            14,
            "held",
            &[SAKURA, MINATO, KOMOREBI],
            format!("## 話し合うこと\n\n- 実習に向けた課題の確認\n{agenda}"),
        ),
        (
            2,
            id(0x3004),
            "retention_handover",
            5,
            10,
            "scheduled",
            &[MIDORI, SHOKUCEN, AOBA, MINATO, KOMOREBI],
            format!("## 話し合うこと\n\n- 定着支援への引継ぎ\n{agenda}"),
        ),
    ];
    for (n, case, purpose, days, hour, status, invitees, material) in meetings {
        let meeting = id(0x6000 + n);
        let html = crate::domain::markdown::to_safe_html(&material);
        let created = sqlx::query(
            "INSERT INTO meeting (id, case_id, convener_user_id, convener_agency_id, purpose,
                                  starts_at, duration_minutes, place, person_attends, family_attends,
                                  status, material, material_html, material_category, material_by,
                                  material_at, attendees, discussion, decisions, held_at)
             SELECT $1, $2, u.id, $3, $4,
                    ((now() AT TIME ZONE 'Asia/Tokyo')::date + $5 + make_interval(hours => $6))
                        AT TIME ZONE 'Asia/Tokyo',
                    60, 'ひかり就労移行支援センター 相談室', true, $7 = 'held', $7, $8, $9,
                    'case_admin', u.id,
                    now() - interval '35 days',
                    CASE WHEN $7 = 'held' THEN '本人、ひかり（吉田）、さくら通りクリニック（山本）、みなと（山口）、こもれび（林）' ELSE '' END,
                    CASE WHEN $7 = 'held' THEN '訓練の様子と、実習に向けた課題を共有した。疲れが出る午後の過ごし方について、デイケアでの工夫を聞いた。' ELSE '' END,
                    CASE WHEN $7 = 'held' THEN '物流会社での実習を目指す。生活面の相談はみなとが受ける。' ELSE '' END,
                    CASE WHEN $7 = 'held' THEN now() - interval '30 days' END
             FROM app_user u WHERE u.email = 'sabikan@hikari.example'
             ON CONFLICT DO NOTHING",
        )
        .bind(meeting)
        .bind(case)
        .bind(HIKARI)
        .bind(purpose)
        .bind(days)
        .bind(hour)
        .bind(status)
        .bind(&material)
        .bind(&html)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if created == 0 {
            continue;
        }
        for agency in invitees {
            sqlx::query(
                "INSERT INTO meeting_invitee (meeting_id, agency_id, response)
                 VALUES ($1, $2, CASE WHEN $3 = 'held' THEN 'attend' ELSE 'pending' END)",
            )
            .bind(meeting)
            .bind(agency)
            .bind(status)
            .execute(&mut *tx)
            .await?;
        }
    }
    // the roles decided at 鈴木 一郎's meeting
    let actions: [(u128, Uuid, &str, &str, i32); 3] = [
        (
            1,
            SAKURA,
            "デイケアでの疲れへの工夫（休憩の取り方）をひかりに伝える",
            "電話と記録で",
            -10,
        ),
        (
            2,
            MINATO,
            "生活リズムと通勤経路について本人と面談する",
            "面談",
            10,
        ),
        (
            3,
            HIKARI,
            "物流会社2社に実習の受け入れを打診する",
            "訪問",
            20,
        ),
    ];
    for (n, owner, what, how, due) in actions {
        sqlx::query(
            "INSERT INTO action_item (id, case_id, meeting_id, owner_agency_id, what, how, due_on,
                                      created_by)
             SELECT $1, $2, $3, $4, $5, $6, (now() AT TIME ZONE 'Asia/Tokyo')::date + $7, u.id
             FROM app_user u WHERE u.email = 'sabikan@hikari.example'
             ON CONFLICT DO NOTHING",
        )
        .bind(id(0x6100 + n))
        .bind(id(0x3003))
        .bind(id(0x6001))
        .bind(owner)
        .bind(what)
        .bind(how)
        .bind(due)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// The dates the legal timeline needs, relative to today: 鈴木 一郎 14 months into training,
/// 高橋 美咲 hired 5 months ago, 田中 健 hired 2 years 11 months ago (the service-end countdown
/// runs), 伊藤 由美 in follow-up; and the tasks they generate.
async fn load_employment(tx: &mut sqlx::PgConnection) -> Result<()> {
    use crate::domain::dates::{add_months_clamped, today_tokyo};
    use crate::domain::legal::{employment, StartKind};
    let today = today_tokyo();
    let months = |n: i32| add_months_clamped(today, -n);
    let tanaka = employment(StartKind::Ordinary, months(35), None);
    // 田中 健's service ends six months after a day later this month, so that the first
    // milestone of the countdown (E−6) is due this month
    let month_end = crate::domain::dates::period_end(
        chrono::NaiveDate::from_ymd_opt(
            chrono::Datelike::year(&today),
            chrono::Datelike::month(&today),
            1,
        )
        .expect("first of month"),
        1,
    );
    let tanaka_end = add_months_clamped((today + chrono::Duration::days(3)).min(month_end), 6)
        .min(tanaka.retention_latest_end);
    let ito = employment(StartKind::Ordinary, months(48), None);
    let rows = [
        (0x3003, "training", Some(months(14)), None, None, None, None),
        (
            0x3004,
            "employed",
            Some(months(29)),
            Some(months(5)),
            None,
            None,
            None,
        ),
        (
            0x3005,
            "retention",
            Some(months(50)),
            Some(months(35)),
            Some(tanaka.retention_earliest),
            Some(tanaka_end),
            None,
        ),
        (
            0x3006,
            "follow_up",
            None,
            Some(months(48)),
            Some(ito.retention_earliest),
            Some(months(3)),
            Some(months(3) + chrono::Duration::days(1)),
        ),
    ];
    for (n, phase, training, hired, r_start, r_end, follow_up) in rows {
        let case_id = id(n);
        let updated = sqlx::query(
            "UPDATE case_file SET training_started_on = $2, hired_on = $3,
                    start_kind = CASE WHEN $3::date IS NULL THEN NULL ELSE 'ordinary' END,
                    retention_start_on = $4, retention_end_on = $5, follow_up_on = $6
             WHERE id = $1 AND phase = $7 AND training_started_on IS NULL AND hired_on IS NULL",
        )
        .bind(case_id)
        .bind(training)
        .bind(hired)
        .bind(r_start)
        .bind(r_end)
        .bind(follow_up)
        .bind(phase)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            continue;
        }
        let dates: crate::db::tasks::PhaseDates = sqlx::query_as(
            "SELECT phase, lead_agency_id, training_started_on, hired_on, start_kind,
                    transition_ended_on, returned_on, retention_start_on, retention_end_on,
                    follow_up_on, closed_on
             FROM case_file WHERE id = $1",
        )
        .bind(case_id)
        .fetch_one(&mut *tx)
        .await?;
        let office = if n == 0x3005 {
            AOBA
        } else {
            dates.lead_agency_id
        };
        let wanted = crate::area::legal::wanted_tasks(&dates, office);
        crate::db::tasks::seed_regenerate(&mut *tx, case_id, &wanted).await?;
    }
    Ok(())
}

/// 田中 健's two retention checks: two months ago, and two weeks ago with seed 004's example
/// result (4, 2.3, 4.3, 5, 4, 5).
async fn load_retention_checks(tx: &mut sqlx::PgConnection) -> Result<()> {
    let case_id = id(0x3005);
    let codes: Vec<String> = sqlx::query_scalar(
        "SELECT code FROM instrument_item WHERE instrument_id = 'retention'
         ORDER BY domain_position, position",
    )
    .fetch_all(&mut *tx)
    .await?;
    // item scores in the instrument's order: 9 + 4 + 4 + 3 + 5 + 2
    let earlier = "333333333 3333 4444 444 33333 44";
    let latest = "444444444 2223 4445 555 44444 55";
    for (n, days, scores) in [(1u128, 60, earlier), (2, 14, latest)] {
        let values: Vec<String> = scores
            .chars()
            .filter(|c| c.is_ascii_digit())
            .map(|c| c.to_string())
            .collect();
        let means: Vec<f64> = {
            let instrument = crate::db::checks::instrument(&mut *tx, "retention").await?;
            let answers: crate::domain::checklist::Answers = codes
                .iter()
                .zip(&values)
                .map(|(c, v)| (c.clone(), (v.clone(), String::new())))
                .collect();
            instrument
                .domain_means(&answers)
                .into_iter()
                .map(|(_, m)| m)
                .collect()
        };
        let body = format!(
            "安定した就労と生活のためのチェックリスト（領域ごとの平均）：{}",
            means
                .iter()
                .map(|m| format!("{m:.1}"))
                .collect::<Vec<_>>()
                .join(" / ")
        );
        let entry = id(0x7100 + n);
        let e: DemoEntry = (
            days,
            "teichaku@aoba.example",
            AOBA,
            "assessment",
            "assessment",
            &body,
            "{}",
        );
        insert_demo_entry(tx, entry, case_id, &e, "{}", None).await?;
        let assessment = id(0x7000 + n);
        let created = sqlx::query(
            "INSERT INTO assessment (id, case_id, instrument_id, author_user_id, author_agency_id,
                                     assessed_on, entry_id)
             SELECT $1, $2, 'retention', u.id, $3, (now() AT TIME ZONE 'Asia/Tokyo')::date - $4, $5
             FROM app_user u WHERE u.email = 'teichaku@aoba.example'
             ON CONFLICT DO NOTHING",
        )
        .bind(assessment)
        .bind(case_id)
        .bind(AOBA)
        .bind(days)
        .bind(entry)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if created == 1 {
            sqlx::query(
                "INSERT INTO assessment_item (assessment_id, code, value)
                 SELECT $1, * FROM unnest($2::text[], $3::text[])",
            )
            .bind(assessment)
            .bind(&codes)
            .bind(&values)
            .execute(&mut *tx)
            .await?;
        }
    }
    Ok(())
}

/// The person's own account for 高橋 美咲, and three weeks of her daily reports ending in three
/// bad days in a row (the alert on her case and on あおば's dashboard).
async fn load_daily(tx: &mut sqlx::PgConnection) -> Result<()> {
    let case_id = id(0x3004);
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM app_user WHERE email = $1)")
            .bind(PARTICIPANT_EMAIL)
            .fetch_one(&mut *tx)
            .await?;
    if !exists {
        let hash = tokio::task::spawn_blocking(|| password::hash(PASSWORD)).await?;
        crate::db::daily::seed_participant_account(
            &mut *tx,
            case_id,
            PARTICIPANT_EMAIL,
            "高橋 美咲",
            &hash,
        )
        .await?;
    }
    for days in 1..=21i32 {
        let bad = days <= 3;
        sqlx::query(
            "INSERT INTO daily_report (id, case_id, day, sleep_hours, sleep_quality,
                                       medication_taken, appetite, fatigue_recovered, mood, note,
                                       entered_by)
             SELECT $1, $2, (now() AT TIME ZONE 'Asia/Tokyo')::date - $3, $4, $5, true, 4, $6, $7, $8, u.id
             FROM app_user u WHERE u.email = $9
             ON CONFLICT DO NOTHING",
        )
        .bind(id(0x8000 + days as u128))
        .bind(case_id)
        .bind(days)
        .bind(if bad { 4.5 } else { 6.5 + (days % 3) as f64 * 0.5 })
        .bind(if bad { 2i16 } else { 4 })
        .bind(!bad)
        .bind(if bad { 2i16 } else { 3 + (days % 3) as i16 })
        .bind(if bad { "仕事で疲れて眠れなかった" } else { "" })
        .bind(PARTICIPANT_EMAIL)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// 高橋 美咲's own account (daily reports only).
pub const PARTICIPANT_EMAIL: &str = "takahashi@person.example";

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
    println!();
}
