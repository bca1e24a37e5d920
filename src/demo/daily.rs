//! The demo's daily reports and the person's own account.

use super::{id, PARTICIPANT_EMAIL, PASSWORD};
use crate::domain::password;
use anyhow::Result;

/// The person's own account for 高橋 美咲, and three weeks of her daily reports ending in three
/// bad days in a row (the alert on her case and on あおば's dashboard).
pub(super) async fn load_daily(tx: &mut sqlx::PgConnection) -> Result<()> {
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
