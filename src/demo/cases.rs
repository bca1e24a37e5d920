//! The demo's participants and cases with their teams (SPEC §12).

use super::consents::load_consent;
use super::DemoCase;
use super::{id, AOBA, HIKARI, KOMOREBI, MIDORI, MINATO, SAKURA, SHOKUCEN};
use anyhow::Result;

pub(super) const CASES: &[DemoCase] = &[
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
            (MIDORI, "雇用主", 135, None),
            (SHOKUCEN, "ジョブコーチ支援", 135, None),
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
            (AOBA, "職場定着支援", 940, None),
            (MIDORI, "雇用主", 1070, None),
            (MINATO, "就業・生活支援", 1200, None),
            (KOMOREBI, "計画相談", 1480, None),
            // left when its 6 months of support ended: the loader sets the exact day
            (HIKARI, "移行元の定着支援", 1500, Some(888)),
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
            (AOBA, "職場定着支援", 1120, Some(60)),
        ],
        recorder: "shugyo@minato.example",
    },
];

/// The participants, cases, teams and consents of SPEC §12, dated relative to the day of loading.
pub(super) async fn load_cases(tx: &mut sqlx::PgConnection) -> Result<()> {
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
            load_consent(tx, c, k, *agency, *joined).await?;
        }
    }
    Ok(())
}
