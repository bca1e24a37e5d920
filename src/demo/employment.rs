//! The demo's employment and legal dates, and the tasks they generate.

use super::{id, AOBA};
use anyhow::Result;

/// The dates the legal timeline needs, relative to today: 鈴木 一郎 14 months into training,
/// 高橋 美咲 hired 5 months ago, 田中 健 hired 2 years 11 months ago (the service-end countdown
/// runs), 伊藤 由美 in follow-up; and the tasks they generate.
pub(super) async fn load_employment(tx: &mut sqlx::PgConnection) -> Result<()> {
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
        crate::db::tasks::seed_regenerate(&mut *tx, case_id, &dates, &wanted).await?;
    }
    Ok(())
}
