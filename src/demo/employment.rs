//! The demo's employment and legal dates, and the tasks they generate.

use super::{id, AOBA, HIKARI};
use crate::domain::dates::{add_months_clamped, period_end};
use crate::domain::legal::{employment, PhaseDates, StartKind};
use anyhow::Result;
use chrono::{Datelike, Duration, NaiveDate};
use uuid::Uuid;

/// Days before loading that 高橋 美咲 was hired: in her 5th month (months 4–5 are the hand-over
/// window), with the window's end two weeks or more ahead on any day of the year.
pub const TAKAHASHI_HIRED_DAYS_AGO: i64 = 135;
/// Days before loading that 田中 健 was hired: 2 years 11 months ago on any day of the year.
pub const TANAKA_HIRED_DAYS_AGO: i64 = 1070;
/// Days before loading that 伊藤 由美 was hired: her 3 years of retention service ended three
/// months ago.
pub const ITO_HIRED_DAYS_AGO: i64 = 1290;

/// One demo case's legal dates.
#[derive(Debug, Clone)]
pub struct DemoDates {
    pub case_id: Uuid,
    pub dates: PhaseDates,
}

/// The dates the legal timeline needs, relative to `today`: 鈴木 一郎 14 months into training,
/// 高橋 美咲 hired in her 5th month, 田中 健 hired 2 years 11 months ago (the service-end
/// countdown runs), 伊藤 由美 in follow-up since her retention service ended.
pub fn plan(today: NaiveDate) -> Vec<DemoDates> {
    let ago = |days: i64| today - Duration::days(days);
    let months = |n: i32| add_months_clamped(today, -n);
    let tanaka_hired = ago(TANAKA_HIRED_DAYS_AGO);
    let tanaka = employment(StartKind::Ordinary, tanaka_hired, None);
    // 田中 健's service ends six months after a day later this month, so that the first
    // milestone of the countdown (E−6) is due this month
    let month_end = period_end(
        NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("first of month"),
        1,
    );
    let tanaka_end = add_months_clamped((today + Duration::days(3)).min(month_end), 6)
        .min(tanaka.retention_latest_end);
    let ito_hired = ago(ITO_HIRED_DAYS_AGO);
    let ito = employment(StartKind::Ordinary, ito_hired, None);
    let ito_end = ago(90).min(ito.retention_latest_end);
    let row = |lead: Uuid, phase: &str| PhaseDates {
        phase: phase.to_string(),
        lead_agency_id: lead,
        ..PhaseDates::default()
    };
    let ordinary = Some(StartKind::Ordinary.as_str().to_string());
    vec![
        DemoDates {
            case_id: id(0x3003),
            dates: PhaseDates {
                training_started_on: Some(ago(430)),
                ..row(HIKARI, "training")
            },
        },
        DemoDates {
            case_id: id(0x3004),
            dates: PhaseDates {
                training_started_on: Some(months(29)),
                hired_on: Some(ago(TAKAHASHI_HIRED_DAYS_AGO)),
                start_kind: ordinary.clone(),
                ..row(HIKARI, "employed")
            },
        },
        DemoDates {
            case_id: id(0x3005),
            dates: PhaseDates {
                training_started_on: Some(months(50)),
                hired_on: Some(tanaka_hired),
                start_kind: ordinary.clone(),
                retention_start_on: Some(tanaka.retention_earliest),
                retention_end_on: Some(tanaka_end),
                ..row(AOBA, "retention")
            },
        },
        DemoDates {
            case_id: id(0x3006),
            dates: PhaseDates {
                hired_on: Some(ito_hired),
                start_kind: ordinary,
                retention_start_on: Some(ito.retention_earliest),
                retention_end_on: Some(ito_end),
                follow_up_on: Some(ito_end + Duration::days(1)),
                ..row(super::MINATO, "follow_up")
            },
        },
    ]
}

/// Writes the dates of `plan` (once: a case whose dates were recorded is left alone), ひかり's
/// leaving 田中 健's team when its 6 months of support ended, and brings every case's tasks in
/// line with its dates on every load (closing those whose moment has passed).
pub(super) async fn load_employment(tx: &mut sqlx::PgConnection) -> Result<()> {
    let today = crate::domain::dates::today_tokyo();
    for DemoDates { case_id, dates: d } in plan(today) {
        let updated = sqlx::query(
            "UPDATE case_file SET training_started_on = $2, hired_on = $3, start_kind = $4,
                    retention_start_on = $5, retention_end_on = $6, follow_up_on = $7
             WHERE id = $1 AND phase = $8 AND training_started_on IS NULL AND hired_on IS NULL",
        )
        .bind(case_id)
        .bind(d.training_started_on)
        .bind(d.hired_on)
        .bind(&d.start_kind)
        .bind(d.retention_start_on)
        .bind(d.retention_end_on)
        .bind(d.follow_up_on)
        .bind(&d.phase)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 1 && case_id == id(0x3005) {
            if let Some(e) = d.employment() {
                sqlx::query(
                    "UPDATE case_agency SET left_on = $3 WHERE case_id = $1 AND agency_id = $2",
                )
                .bind(case_id)
                .bind(HIKARI)
                .bind(e.sending_support_end)
                .execute(&mut *tx)
                .await?;
            }
        }
        let dates: PhaseDates = sqlx::query_as(
            "SELECT phase, lead_agency_id, training_started_on, hired_on, start_kind,
                    transition_ended_on, returned_on, retention_start_on, retention_end_on,
                    follow_up_on, closed_on
             FROM case_file WHERE id = $1",
        )
        .bind(case_id)
        .fetch_one(&mut *tx)
        .await?;
        let office = if case_id == id(0x3005) {
            AOBA
        } else {
            dates.lead_agency_id
        };
        let wanted = crate::area::legal::wanted_tasks(&dates, office);
        crate::db::tasks::seed_regenerate(&mut *tx, case_id, &dates, &wanted).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::legal::{closed_reason, refused_dates, transition, wanted_tasks};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// SPEC §12's states hold on any day the demo is loaded: the first and last days of months,
    /// 29 February, and every day of a whole year.
    #[test]
    fn the_demo_tells_the_truth_on_any_day() {
        let mut days = vec![
            d(2026, 1, 1),
            d(2026, 1, 31),
            d(2028, 2, 29),
            d(2027, 3, 31),
        ];
        let mut day = d(2026, 1, 1);
        while day < d(2027, 1, 1) {
            days.push(day);
            day = day.succ_opt().unwrap();
        }
        for today in days {
            let plan = plan(today);
            let by = |n: u128| &plan.iter().find(|p| p.case_id == id(n)).unwrap().dates;
            for p in &plan {
                // every demo date passes the checks of the phase form
                let birth = d(1975, 3, 30);
                assert_eq!(
                    refused_dates(&p.dates, birth, today),
                    vec![],
                    "{today} {:?}",
                    p.dates
                );
                // no generated task overdue by more than a few weeks
                for w in wanted_tasks(&p.dates, AOBA) {
                    assert!(
                        w.due >= today - Duration::days(21),
                        "{today} {} due {}",
                        w.source,
                        w.due
                    );
                    assert!(closed_reason(&p.dates, w.source).is_none());
                }
            }
            // 鈴木 一郎: 14 months into training
            let t = transition(by(0x3003).training_started_on.unwrap());
            let left = crate::domain::legal::months_left(&t, today);
            assert!((10..=11).contains(&left), "{today} {left}");
            // 高橋 美咲: inside months 4–5, her hand-over task open and due within the window
            let e = by(0x3004).employment().unwrap();
            assert!(
                e.handover_from <= today && today <= e.handover_to,
                "{today} {e:?}"
            );
            assert!(e.handover_to >= today + Duration::days(14), "{today} {e:?}");
            let w = wanted_tasks(by(0x3004), AOBA);
            assert!(w
                .iter()
                .any(|w| w.source == "handover-4-5" && w.due == e.handover_to));
            // 田中 健: 2 years 11 months after hiring, the countdown running within the law
            let tanaka = by(0x3005);
            let hired = tanaka.hired_on.unwrap();
            assert!(add_months_clamped(today, -36) < hired, "{today}");
            assert!(hired <= add_months_clamped(today, -35), "{today}");
            let end = tanaka.retention_end_on.unwrap();
            assert!(today < end && end <= tanaka.employment().unwrap().retention_latest_end);
            // 伊藤 由美: her retention service ended before her follow-up
            let ito = by(0x3006);
            assert!(ito.retention_end_on.unwrap() < today);
            assert!(ito.follow_up_on.unwrap() > ito.retention_end_on.unwrap());
        }
    }
}
