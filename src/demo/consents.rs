//! The demo's consents: one for every agency on a case's team.

use super::DemoCase;
use super::{id, HIKARI, MIDORI, MINATO};
use anyhow::Result;
use uuid::Uuid;

const ALL: &[&str] = &[
    "health",
    "assessment",
    "training",
    "work",
    "life",
    "contact",
];

/// The consent of the agency `k` of the case's team, given when it joined.
pub(super) async fn load_consent(
    tx: &mut sqlx::PgConnection,
    c: &DemoCase,
    k: usize,
    agency: Uuid,
    joined: i32,
) -> Result<()> {
    let today = "(now() AT TIME ZONE 'Asia/Tokyo')::date";
    let case_id = id(0x3000 + c.n);
    let lead = c.team[0].0;
    // consent for every agency on the team, given when it joined; 高橋 美咲 has not
    // agreed to share her health with the employer, and one consent of 鈴木 一郎 ends soon
    let categories: Vec<&str> = if c.n == 4 && agency == MIDORI {
        ALL.iter().copied().filter(|c| *c != "health").collect()
    } else {
        ALL.to_vec()
    };
    // 佐藤 花子 agreed to the referral to ひかり before the clinic sent it (25 days ago), not
    // when ひかり joined: the referral letter states that day
    let joined = if c.n == 2 && agency == HIKARI {
        joined.max(25)
    } else {
        joined
    };
    let valid_days: Option<i32> = if c.n == 3 && agency == MINATO {
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
    Ok(())
}
