//! The demo's 個別支援計画: 鈴木 一郎 at ひかり has two plans — the first followed by the
//! second, delivered to him and (under his consent) to こもれび, its review due in the coming
//! days — and 田中 健 has a retention plan at あおば, delivered, with a monitoring that found
//! no change needed (the review clock restarts from it). 高橋 美咲, hired, has ひかり's plan of
//! her last months of training, delivered and monitored after the hire, and あおば's first
//! retention plan as a draft (原案) for the service that starts six months after the hire; 伊藤
//! 由美, in follow-up, has あおば's last retention plan, delivered before the service ended and
//! あおば left the team. Dates are relative to the load day.

use super::{id, AOBA, CASE_ITO, CASE_SUZUKI, CASE_TAKAHASHI, CASE_TANAKA, HIKARI, KOMOREBI};
use crate::demo::employment::{ITO_HIRED_DAYS_AGO, TAKAHASHI_HIRED_DAYS_AGO};
use crate::domain::dates::{add_months_clamped, period_end, today_tokyo};
use anyhow::Result;
use chrono::{Datelike, Duration, NaiveDate};
use uuid::Uuid;

struct DemoPlan {
    n: u128,
    case_id: Uuid,
    agency: Uuid,
    author: &'static str,
    service: &'static str,
    category: &'static str,
    seq: i32,
    previous: Option<u128>,
    service_start: NaiveDate,
    plan_date: NaiveDate,
    delivered_on: NaiveDate,
    wishes: &'static str,
    policy: &'static str,
    goals: &'static [(&'static str, &'static str, i32)],
    rows: &'static [(
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        bool,
    )],
    assessment: &'static str,
    /// deliver to こもれび under the person's consent
    to_komorebi: bool,
    monitoring: Option<(i64, &'static str)>,
    /// only the draft (原案): no meeting, consent or delivery yet
    draft: bool,
}

pub(super) async fn load_plans(tx: &mut sqlx::PgConnection) -> Result<()> {
    let today = today_tokyo();
    let months = |n: i32| add_months_clamped(today, -n);
    // the second plan of 鈴木 一郎 is due for review within the week (and within this month,
    // so that the dashboard's task list shows it)
    let month_end = period_end(
        NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("first of month"),
        1,
    );
    let due = (today + Duration::days(7)).min(month_end);
    // the delivery whose review (three months on, clamped at month ends) falls in [today, due];
    // around short months no day may land there, then the first review from today on
    let candidates: Vec<NaiveDate> = (0..45)
        .map(|k| add_months_clamped(today, -4) + Duration::days(k))
        .collect();
    let review = |d: NaiveDate| add_months_clamped(d, 3);
    let suzuki_delivered = candidates
        .iter()
        .copied()
        .find(|d| review(*d) >= today && review(*d) <= due)
        .or_else(|| candidates.iter().copied().find(|d| review(*d) >= today))
        .unwrap_or(add_months_clamped(due, -3));
    let suzuki_start = months(14);
    let takahashi_hired = today - Duration::days(TAKAHASHI_HIRED_DAYS_AGO);
    let ito_hired = today - Duration::days(ITO_HIRED_DAYS_AGO);
    let plans = [
        DemoPlan {
            n: 1,
            case_id: CASE_SUZUKI,
            agency: HIKARI,
            author: "sabikan@hikari.example",
            service: "transition",
            category: "training",
            seq: 1,
            previous: None,
            service_start: suzuki_start,
            plan_date: suzuki_start + Duration::days(10),
            delivered_on: suzuki_start + Duration::days(20),
            wishes: "本人：事務の仕事に就きたい。家族：無理なく続けてほしい。",
            policy: "生活リズムを整え、作業の手順を身につける。",
            goals: &[
                ("long", "一般企業の事務職に就職する", 18),
                ("short", "週4日、午前の作業に通う", 3),
            ],
            rows: &[
                ("通所による作業訓練（軽作業・PC入力）", "就労支援員", "週4日", "ひかり", "3か月", false),
                ("生活リズムの確認と面談", "サービス管理責任者", "月2回", "ひかり", "3か月", false),
            ],
            assessment: "【就労準備性のチェック】紹介の目安 4/6\n- 課題：1日過ごす体力\n- 課題：障害の自己理解",
            to_komorebi: true,
            monitoring: None,
            draft: false,
        },
        DemoPlan {
            n: 2,
            case_id: CASE_SUZUKI,
            agency: HIKARI,
            author: "sabikan@hikari.example",
            service: "transition",
            category: "training",
            seq: 2,
            previous: Some(1),
            service_start: suzuki_start,
            plan_date: suzuki_delivered - Duration::days(7),
            delivered_on: suzuki_delivered,
            wishes: "本人：事務の仕事で実習をしてみたい。手順を忘れないようにしたい。家族：体調を崩さずに続けてほしい。",
            policy: "メモと手順書で作業を安定させ、職場実習を経て就職活動に進む。疲れのサインを本人と確かめる。",
            goals: &[
                ("long", "事務補助の仕事に就職し、週20時間以上働く", 9),
                ("short", "手順書を見ながらデータ入力を1時間続ける", 3),
                ("short", "職場実習（2週間）をやり遂げる", 3),
            ],
            rows: &[
                ("PC入力・書類整理の作業訓練（手順書の活用）", "就労支援員", "週4日", "ひかり", "3か月", false),
                ("職場実習の調整と同行", "就労支援員", "実習中は週1回", "実習先", "2週間", true),
                ("面談（体調・疲れのサインの振り返り）", "サービス管理責任者", "月2回", "ひかり", "3か月", false),
                ("通院先との情報共有（本人の同意の範囲で）", "サービス管理責任者", "月1回", "さくら通りクリニック", "3か月", true),
            ],
            assessment: "【就労準備性のチェック】紹介の目安 6/6\n【最近の記録】午後に集中が途切れる。メモを使うと手順を守れる。",
            to_komorebi: true,
            monitoring: None,
            draft: false,
        },
        DemoPlan {
            n: 3,
            case_id: CASE_TANAKA,
            agency: AOBA,
            author: "teichaku@aoba.example",
            service: "retention",
            category: "work",
            seq: 1,
            previous: None,
            service_start: months(2),
            plan_date: months(2) + Duration::days(5),
            delivered_on: months(2) + Duration::days(12),
            wishes: "本人：今の職場で長く働きたい。家族：残業が続かないようにしてほしい。",
            policy: "月1回の面談と職場との連絡で、体調と仕事の負担の変化を早めに捉える。",
            goals: &[
                ("long", "サービス終了後も、職場と相談しながら働き続ける", 6),
                ("short", "困ったときに上司へ自分から相談する", 3),
            ],
            rows: &[
                ("本人との面談（生活リズム・体調の確認）", "定着支援員", "月1回", "職場近くの面談室", "6か月", false),
                ("職場への訪問・上司との連絡調整", "定着支援員", "月1回", "株式会社みどり物流", "6か月", true),
            ],
            assessment: "【安定した就労と生活のためのチェック】作業遂行 4.0、対人関係 2.3",
            to_komorebi: false,
            monitoring: Some((10, "面談で残業の増加を確認。上司と業務量を相談した。")),
            draft: false,
        },
        DemoPlan {
            n: 4,
            case_id: CASE_TAKAHASHI,
            agency: HIKARI,
            author: "sabikan@hikari.example",
            service: "transition",
            category: "training",
            seq: 1,
            previous: None,
            service_start: months(29),
            plan_date: takahashi_hired - Duration::days(75),
            delivered_on: takahashi_hired - Duration::days(68),
            wishes: "本人：物流の事務で働きたい。家族：職場に慣れるまで見守ってほしい。",
            policy: "職場実習で作業の手順と報告の仕方を身につけ、採用後は職場と本人の間をつなぐ。",
            goals: &[
                ("long", "物流センターの事務補助として働き続ける", 12),
                ("short", "実習先で1日6時間の作業を続ける", 3),
            ],
            rows: &[
                ("職場実習の調整と同行", "就労支援員", "週1回", "株式会社みどり物流", "3か月", true),
                ("面談（疲れのサインと報告の練習）", "サービス管理責任者", "月2回", "ひかり", "3か月", false),
            ],
            assessment: "【就労準備性のチェック】紹介の目安 6/6\n【最近の記録】報告のタイミングに迷うことがある。",
            to_komorebi: true,
            // monitored after the hire (ひかり supports the first six months at work)
            monitoring: Some((
                68 + TAKAHASHI_HIRED_DAYS_AGO - 45,
                "就職後の職場訪問で、手順書を使って作業できていることを確認。計画の変更は不要。",
            )),
            draft: false,
        },
        DemoPlan {
            n: 5,
            case_id: CASE_TAKAHASHI,
            agency: AOBA,
            author: "teichaku@aoba.example",
            service: "retention",
            category: "work",
            seq: 1,
            previous: None,
            service_start: add_months_clamped(takahashi_hired, 6),
            plan_date: today,
            delivered_on: today,
            wishes: "本人：今の職場で長く働きたい。困ったときに相談できる人がほしい。",
            policy: "ひかりからの引継ぎを受け、月1回の面談と職場訪問で定着を支える。",
            goals: &[
                ("long", "就労定着支援の終了後も、職場と相談しながら働き続ける", 12),
                ("short", "困ったときに上司へ自分から報告する", 3),
            ],
            rows: &[
                ("本人との面談（体調・生活リズム）", "就労定着支援員", "月1回", "あおば", "6か月", false),
                ("職場訪問と上司との連絡調整", "就労定着支援員", "月1回", "株式会社みどり物流", "6か月", true),
            ],
            assessment: "【引継ぎ】ひかりの個別支援計画とケース会議の記録から作成（引継ぎの会議の前の原案）。",
            to_komorebi: false,
            monitoring: None,
            draft: true,
        },
        DemoPlan {
            n: 6,
            case_id: CASE_ITO,
            agency: AOBA,
            author: "teichaku@aoba.example",
            service: "retention",
            category: "work",
            seq: 1,
            previous: None,
            service_start: ito_hired + Duration::days(183),
            plan_date: today - Duration::days(300),
            delivered_on: today - Duration::days(293),
            wishes: "本人：支援が終わっても今の仕事を続けたい。",
            policy: "就労定着支援の終了に向けて、職場と就業・生活支援センターへの引継ぎを進める。",
            goals: &[
                ("long", "支援の終了後も職場と相談しながら働き続ける", 12),
                ("short", "困りごとをみなとの担当者に自分で連絡する", 6),
            ],
            rows: &[
                ("本人との面談", "就労定着支援員", "月1回", "職場近くの面談室", "6か月", false),
                ("みなとへの引継ぎの調整", "就労定着支援員", "終了前3か月", "みなと", "3か月", true),
            ],
            assessment: "【安定した就労と生活のためのチェック】作業遂行 4.3、対人関係 3.8",
            to_komorebi: false,
            monitoring: Some((120, "引継ぎの準備が進んでいることを確認。計画の変更は不要。")),
            draft: false,
        },
    ];
    for p in &plans {
        load_plan(tx, p).await?;
    }
    for case_id in [CASE_SUZUKI, CASE_TAKAHASHI, CASE_TANAKA, CASE_ITO] {
        crate::db::plans::seed_sync_review_tasks(&mut *tx, case_id).await?;
    }
    Ok(())
}

async fn user(tx: &mut sqlx::PgConnection, email: &str) -> Result<Uuid> {
    Ok(
        sqlx::query_scalar("SELECT id FROM app_user WHERE email = $1")
            .bind(email)
            .fetch_one(&mut *tx)
            .await?,
    )
}

async fn load_plan(tx: &mut sqlx::PgConnection, p: &DemoPlan) -> Result<()> {
    let plan_id = id(0xA000 + p.n);
    let version_id = id(0xA100 + p.n);
    let author = user(tx, p.author).await?;
    let created = sqlx::query(
        "INSERT INTO support_plan (id, case_id, agency_id, service, category, previous_id, seq,
                                   service_start_on, assessed_on, assessment, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING",
    )
    .bind(plan_id)
    .bind(p.case_id)
    .bind(p.agency)
    .bind(p.service)
    .bind(p.category)
    .bind(p.previous.map(|n| id(0xA000 + n)))
    .bind(p.seq)
    .bind(p.service_start)
    .bind(p.plan_date - Duration::days(3))
    .bind(p.assessment)
    .bind(author)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if created == 0 {
        return Ok(());
    }
    let months = if p.service == "retention" { 6 } else { 3 };
    sqlx::query(
        "INSERT INTO support_plan_version (id, plan_id, version_no, plan_date, manager_id, wishes,
                                           policy, period_from, period_to, saved_by)
         VALUES ($1, $2, 1, $3, $4, $5, $6, $3, $7, $4)",
    )
    .bind(version_id)
    .bind(plan_id)
    .bind(p.plan_date)
    .bind(author)
    .bind(p.wishes)
    .bind(p.policy)
    .bind(period_end(p.plan_date, months))
    .execute(&mut *tx)
    .await?;
    for (i, (term, text, m)) in p.goals.iter().enumerate() {
        sqlx::query(
            "INSERT INTO support_plan_goal (version_id, position, term, text, target_on)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(version_id)
        .bind(i as i32)
        .bind(term)
        .bind(text)
        .bind(add_months_clamped(p.plan_date, *m))
        .execute(&mut *tx)
        .await?;
    }
    for (i, (what, who, freq, place, period, addition)) in p.rows.iter().enumerate() {
        sqlx::query(
            "INSERT INTO support_plan_row (version_id, position, what, who, frequency, place,
                                           period, addition)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(version_id)
        .bind(i as i32)
        .bind(what)
        .bind(who)
        .bind(freq)
        .bind(place)
        .bind(period)
        .bind(addition)
        .execute(&mut *tx)
        .await?;
    }
    if p.draft {
        return Ok(());
    }
    let held = p.plan_date + Duration::days(3);
    sqlx::query(
        "INSERT INTO support_plan_meeting (plan_id, held_on, attendees, minutes, recorded_by)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(plan_id)
    .bind(held)
    .bind("本人、サービス管理責任者、担当支援員")
    .bind("原案を本人と確認し、支援内容の頻度を本人の希望に合わせた。")
    .bind(author)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO support_plan_consent (plan_id, version_id, consented_on, method, consenter,
                                           recorded_by)
         VALUES ($1, $2, $3, 'signature', '本人', $4)",
    )
    .bind(plan_id)
    .bind(version_id)
    .bind(p.delivered_on)
    .bind(author)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO support_plan_delivery (id, plan_id, version_id, delivered_on, recorded_by)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id(0xA200 + p.n))
    .bind(plan_id)
    .bind(version_id)
    .bind(p.delivered_on)
    .bind(author)
    .execute(&mut *tx)
    .await?;
    if p.to_komorebi {
        sqlx::query(
            "INSERT INTO support_plan_delivery (id, plan_id, version_id, agency_id, consent_id,
                                                delivered_on, recorded_by)
             SELECT $1, $2, $3, $4, k.id, $5, $6 FROM consent k
             WHERE k.case_id = $7 AND k.agency_id = $4 AND $8 = ANY (k.categories)
             ORDER BY k.given_on DESC LIMIT 1",
        )
        .bind(id(0xA300 + p.n))
        .bind(plan_id)
        .bind(version_id)
        .bind(KOMOREBI)
        .bind(p.delivered_on)
        .bind(author)
        .bind(p.case_id)
        .bind(p.category)
        .execute(&mut *tx)
        .await?;
    }
    if let Some((days_ago, findings)) = p.monitoring {
        // a monitoring partway through (it does not move the review past the period's end)
        let held_on = (p.delivered_on + Duration::days(days_ago)).min(today_tokyo());
        sqlx::query(
            "INSERT INTO support_plan_monitoring (id, plan_id, held_on, findings, change_needed,
                                                  recorded_by)
             VALUES ($1, $2, $3, $4, false, $5)",
        )
        .bind(id(0xA400 + p.n))
        .bind(plan_id)
        .bind(held_on)
        .bind(findings)
        .bind(author)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}
