//! 田中 健's monthly support reports (支援レポート) from あおば to みどり物流: every month of the
//! retention service that has ended is issued, up to the one before last month; the older ones
//! acknowledged by みどり物流, the one before last month still waiting for it, and last month's
//! not written yet (the report a demo user can draft and issue).

use super::{id, AOBA, CASE_TANAKA, MIDORI};
use crate::domain::dates::today_tokyo;
use crate::domain::report::ended_months;
use anyhow::Result;
use chrono::Duration;

const SITUATIONS: &[&str] = &[
    "出勤は安定しています。繁忙日の後半に疲れが出やすいものの、休憩を取って持ち直しています。",
    "作業手順に慣れ、ピッキングの正確さが上がっています。睡眠も安定していると本人から聞いています。",
    "新しい担当エリアに移り、最初の週は緊張が強かったものの、2週目からは落ち着いて働けています。",
];
const SUPPORTS: &[&str] = &[
    "月1回の職場訪問と本人面談を行い、休憩の取り方を一緒に確認しました。",
    "本人面談で作業の振り返りを行い、手順書を更新しました。",
    "職場訪問で担当者と作業量を確認し、本人と体調の記録を振り返りました。",
];
const REQUESTS: &[&str] = &[
    "繁忙日の指示は、まとめて一度に伝えていただけると助かります。",
    "休憩の時間帯を固定していただけるか、ご確認をお願いします。",
    "担当エリアの変更は、前の週までにお知らせください。",
];
const NEXT: &[&str] = &[
    "来月も月1回の面談と職場訪問を続け、疲れの出方を一緒に見ていきます。",
    "手順書の更新を続け、職場の方に見守りをお願いする場面を少しずつ増やします。",
    "サービス終了に向けて、職場の中での相談先を本人と確認していきます。",
];

pub(super) async fn load_reports(tx: &mut sqlx::PgConnection) -> Result<()> {
    let (start, end): (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>) =
        sqlx::query_as("SELECT retention_start_on, retention_end_on FROM case_file WHERE id = $1")
            .bind(CASE_TANAKA)
            .fetch_one(&mut *tx)
            .await?;
    let today = today_tokyo();
    // latest first: skip last month (left to write), the next one waits for the employer
    let months = ended_months(today, start, end);
    for (k, month) in months.iter().enumerate().skip(1) {
        let n = (months.len() - k) as u128;
        let report = id(0xc000 + n);
        let version = id(0xc400 + n);
        let t = (n as usize) % SITUATIONS.len();
        sqlx::query(
            "INSERT INTO support_report (id, case_id, agency_id, employer_agency_id, month,
                                         created_by, created_at)
             SELECT $1, $2, $3, $4, $5, u.id, ($5 + interval '1 month 1 day')::timestamp
                    AT TIME ZONE 'Asia/Tokyo'
               FROM app_user u WHERE u.email = 'teichaku@aoba.example'
             ON CONFLICT DO NOTHING",
        )
        .bind(report)
        .bind(CASE_TANAKA)
        .bind(AOBA)
        .bind(MIDORI)
        .bind(month)
        .execute(&mut *tx)
        .await?;
        let activity = format!(
            "本人との面談：1回\n・{}/05 連絡（本人・面談） あおば就労定着支援事業所：月1回の面談。\n",
            month.format("%m")
        );
        sqlx::query(
            "INSERT INTO support_report_version (id, report_id, version_no, activity, situation,
                                                 support, requests, next_steps, saved_by, saved_at)
             SELECT $1, $2, 1, $3, $4, $5, $6, $7, u.id, r.created_at
               FROM app_user u, support_report r
              WHERE u.email = 'teichaku@aoba.example' AND r.id = $2
             ON CONFLICT DO NOTHING",
        )
        .bind(version)
        .bind(report)
        .bind(&activity)
        .bind(SITUATIONS[t])
        .bind(SUPPORTS[t])
        .bind(REQUESTS[t])
        .bind(NEXT[t])
        .execute(&mut *tx)
        .await?;
        // issued on the 3rd of the next month; acknowledged two days later, except the latest
        let issued_on = *month + chrono::Months::new(1) + Duration::days(2);
        let acknowledged = k > 1;
        sqlx::query(
            "UPDATE support_report r
                SET issued_version_id = $2, issued_on = $3, issued_by = w.id,
                    issued_at = ($3::timestamp + interval '10 hours') AT TIME ZONE 'Asia/Tokyo',
                    acknowledged_by = CASE WHEN $4 THEN b.id END,
                    acknowledged_at = CASE WHEN $4 THEN ($3::timestamp + interval '2 days 9 hours')
                                                         AT TIME ZONE 'Asia/Tokyo' END
               FROM app_user w, app_user b
              WHERE r.id = $1 AND r.issued_at IS NULL
                AND w.email = 'teichaku@aoba.example' AND b.email = 'boss@midori.example'",
        )
        .bind(report)
        .bind(version)
        .bind(issued_on)
        .bind(acknowledged)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}
