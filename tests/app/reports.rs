//! 支援レポート (the monthly support report of the retention service): draft → issued →
//! acknowledged and nothing else, a month only once it has ended, a draft made only of what the
//! employer may see, the legal page's monthly check reading issued reports, the hand-over
//! before the service ends, and あおば issuing 田中 健's report and みどり物流 acknowledging it in a
//! real browser at desktop and phone width.

use crate::browser::{click_and_wait, console_errors, fill, log_in, screenshot, Driver};
use crate::helpers::*;
use chrono::Datelike;
use fantoccini::Locator;
use renkei::demo::{AOBA, CASE_TANAKA, MIDORI, MINATO};
use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

fn today() -> chrono::NaiveDate {
    renkei::domain::dates::today_tokyo()
}

fn month_value(d: chrono::NaiveDate) -> String {
    format!("{}-{:02}", d.year(), d.month())
}

/// Last month (the demo leaves its report to write) and this month (not ended).
fn last_month() -> chrono::NaiveDate {
    renkei::domain::dates::month_of(renkei::domain::dates::add_months_clamped(today(), -1))
}

async fn count(pool: &PgPool, sql: &str, id: Uuid) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn reports_of(pool: &PgPool, month: chrono::NaiveDate) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM support_report WHERE case_id = $1 AND month = $2")
        .bind(CASE_TANAKA)
        .bind(month)
        .fetch_one(pool)
        .await
        .unwrap()
}

fn summary(month: &str) -> Vec<(&'static str, String)> {
    vec![
        ("month", month.to_string()),
        ("activity", "本人との面談：1回".into()),
        ("situation", "出勤は安定している".into()),
        ("support", "月1回の面談と職場訪問".into()),
        ("requests", "指示はまとめて伝えてほしい".into()),
        ("next_steps", "来月も面談を続ける".into()),
    ]
}

async fn post_pairs(app: &TestApp, path: &str, pairs: &[(&str, String)]) -> reqwest::Response {
    let form: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post(path, &form).await
}

/// あおば drafts last month's report of 田中 健; returns its id.
pub(crate) async fn draft_last_month(app: &TestApp) -> Uuid {
    let res = post_pairs(
        app,
        &format!("/cases/{CASE_TANAKA}/reports"),
        &summary(&month_value(last_month())),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    Uuid::parse_str(location(&res).rsplit('/').next().unwrap()).unwrap()
}

#[sqlx::test]
async fn a_report_goes_from_draft_to_issued_to_acknowledged_and_no_other_way(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let aoba = app.browser();
    aoba.login("teichaku@aoba.example").await;
    let midori = app.browser();
    midori.login("boss@midori.example").await;
    let minato = app.browser();
    minato.login("shugyo@minato.example").await;
    // the list offers last month, which the demo left to write
    let page = body(aoba.get(&format!("/cases/{CASE_TANAKA}/reports")).await).await;
    assert!(
        page.contains(&format!("value=\"{}\"", month_value(last_month()))),
        "{page}"
    );
    // あおば's dashboard: last month's report is still to write
    let dash = body(aoba.get("/").await).await;
    assert!(dash.contains("id=\"reports-due\""), "{dash}");
    let report = draft_last_month(&aoba).await;
    let state = |pool: PgPool| async move {
        sqlx::query_as::<_, (bool, bool, i64)>(
            "SELECT issued_at IS NOT NULL, acknowledged_at IS NOT NULL,
                    (SELECT count(*) FROM support_report_version WHERE report_id = r.id)
               FROM support_report r WHERE r.id = $1",
        )
        .bind(report)
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    assert_eq!(state(app.pool.clone()).await, (false, false, 1));
    let path = format!("/cases/{CASE_TANAKA}/reports/{report}");
    // a draft does not exist for the employer, nor for anyone else on the team
    assert_eq!(midori.get(&path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(minato.get(&path).await.status(), StatusCode::NOT_FOUND);
    let res = midori.post(&format!("{path}/acknowledge"), &[]).await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "a draft is not acknowledged"
    );
    // the office saves a second version
    let mut second = summary("");
    second[2].1 = "出勤は安定し、疲れも少ない".into();
    let res = post_pairs(&aoba, &format!("{path}/versions"), &second).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    assert_eq!(state(app.pool.clone()).await, (false, false, 2));
    // the employer may not issue it
    // the office may not acknowledge it: a message by the button, nothing written
    let res = aoba.post(&format!("{path}/acknowledge"), &[]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("id=\"acknowledge-error\""), "{page}");
    assert!(page.contains("確認できるのは、このレポートの宛先の事業主だけです"));
    assert_eq!(state(app.pool.clone()).await, (false, false, 2));
    // issued
    let res = aoba.post(&format!("{path}/issue"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    assert_eq!(state(app.pool.clone()).await, (true, false, 2));
    // the issue is a provision to the employer, in the provision ledger, once
    let provisions: Vec<(Uuid, Uuid, Vec<String>)> = sqlx::query_as(
        "SELECT provider_agency_id, receiver_agency_id, categories FROM provision
          WHERE kind = 'report' AND subject_id = $1",
    )
    .bind(report)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(provisions, vec![(AOBA, MIDORI, vec!["work".to_string()])]);
    let dash = body(aoba.get("/").await).await;
    assert!(
        !dash.contains("id=\"reports-due\""),
        "issued: no longer due"
    );
    let dash = body(midori.get("/").await).await;
    assert!(
        dash.contains(&format!("/cases/{CASE_TANAKA}/reports/{report}")),
        "{dash}"
    );
    let issued_version: Uuid = sqlx::query_scalar(
        "SELECT v.id FROM support_report_version v WHERE v.report_id = $1 AND v.version_no = 2",
    )
    .bind(report)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        count(
            &app.pool,
            "SELECT count(*) FROM support_report WHERE issued_version_id IS NOT NULL AND id = $1",
            report
        )
        .await,
        1
    );
    let frozen: Uuid =
        sqlx::query_scalar("SELECT issued_version_id FROM support_report WHERE id = $1")
            .bind(report)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        frozen, issued_version,
        "the latest version is the one issued"
    );
    // issued: not edited, not issued again
    let res = post_pairs(&aoba, &format!("{path}/versions"), &summary("")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("id=\"step-error\""));
    let res = aoba.post(&format!("{path}/issue"), &[]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(state(app.pool.clone()).await, (true, false, 2));
    // the employer reads the issued version (not the office's drafts) and acknowledges it
    let page = body(midori.get(&path).await).await;
    assert!(page.contains("出勤は安定し、疲れも少ない"), "{page}");
    assert!(page.contains("id=\"acknowledge-button\""));
    let res = midori.post(&format!("{path}/issue"), &[]).await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "the employer does not issue"
    );
    let res = midori
        .post(&format!("{path}/versions"), &[("situation", "書き換え")])
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "the employer does not edit"
    );
    assert_eq!(minato.get(&path).await.status(), StatusCode::NOT_FOUND);
    let res = midori.post(&format!("{path}/acknowledge"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    assert_eq!(state(app.pool.clone()).await, (true, true, 2));
    let by: String = sqlx::query_scalar(
        "SELECT u.email FROM support_report r JOIN app_user u ON u.id = r.acknowledged_by
          WHERE r.id = $1",
    )
    .bind(report)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(by, "boss@midori.example");
    // once only
    let res = midori.post(&format!("{path}/acknowledge"), &[]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // both are facts on the report, for the office too, and audited
    let page = body(aoba.get(&path).await).await;
    assert!(page.contains("id=\"report-acknowledged\""), "{page}");
    assert!(page.contains("清水 隆"), "who acknowledged it");
    assert!(page.contains("確認済み"));
    for action in [
        "report.create",
        "report.version.save",
        "report.issue",
        "report.acknowledge",
    ] {
        assert_eq!(audit_count(&app.pool, action, "ok").await, 1, "{action}");
    }
    assert!(audit_count(&app.pool, "report.acknowledge", "denied").await >= 1);
    // the A4 print, for the employer
    let print = body(midori.get(&format!("{path}/print")).await).await;
    assert!(print.contains("支援レポート"));
    assert!(print.contains("令和"), "the issue date in 和暦");
    assert!(print.contains("出勤は安定し、疲れも少ない"));
}

#[sqlx::test]
async fn a_report_is_written_for_a_month_that_has_ended_with_its_summary(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("teichaku@aoba.example").await;
    let this_month = renkei::domain::dates::month_of(today());
    // this month has not ended: refused by the month, nothing written
    let res = post_pairs(
        &app,
        &format!("/cases/{CASE_TANAKA}/reports"),
        &summary(&month_value(this_month)),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("id=\"month-error\""), "{page}");
    assert!(page.contains("この月はまだ終わっていません"));
    assert!(
        page.contains("指示はまとめて伝えてほしい"),
        "the form as typed"
    );
    assert_eq!(reports_of(&app.pool, this_month).await, 0);
    let res = app
        .get(&format!(
            "/cases/{CASE_TANAKA}/reports/new?month={}",
            month_value(this_month)
        ))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("この月はまだ終わっていません"));
    // a month before the retention service, a month that already has one, no month
    for (month, words) in [
        ("2001-04", "就労定着支援の期間に入っていません"),
        (
            &month_value(renkei::domain::dates::add_months_clamped(last_month(), -1))[..],
            "この月の支援レポートはすでにあります",
        ),
        ("", "対象月を選んでください"),
    ] {
        let res = post_pairs(
            &app,
            &format!("/cases/{CASE_TANAKA}/reports"),
            &summary(month),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{month}");
        assert!(body(res).await.contains(words), "{month}");
    }
    // an empty summary: a message by each empty field, nothing written
    let mut empty = summary(&month_value(last_month()));
    for f in empty.iter_mut().skip(2) {
        f.1 = "  ".into();
    }
    let res = post_pairs(&app, &format!("/cases/{CASE_TANAKA}/reports"), &empty).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    for field in ["situation", "support", "requests", "next_steps"] {
        assert!(
            page.contains(&format!("id=\"{field}-error\"")),
            "{field}: {page}"
        );
    }
    assert_eq!(reports_of(&app.pool, last_month()).await, 0);
    // last month is allowed
    let report = draft_last_month(&app).await;
    assert_eq!(reports_of(&app.pool, last_month()).await, 1);
    // an employer without a live consent for `work` is not issued to: said by the button
    sqlx::query(
        "UPDATE consent SET categories = array_remove(categories, 'work')
          WHERE case_id = $1 AND agency_id = $2",
    )
    .bind(CASE_TANAKA)
    .bind(MIDORI)
    .execute(&app.pool)
    .await
    .unwrap();
    let res = app
        .post(&format!("/cases/{CASE_TANAKA}/reports/{report}/issue"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("id=\"issue-error\""), "{page}");
    assert!(page.contains("有効な同意がないため"));
    assert_eq!(
        count(
            &app.pool,
            "SELECT count(*) FROM support_report WHERE id = $1 AND issued_at IS NULL",
            report
        )
        .await,
        1,
        "nothing written"
    );
    // the refusal keeps its audit row although the request's transaction rolled back
    assert_eq!(
        count(
            &app.pool,
            "SELECT count(*) FROM audit_log
              WHERE action = 'report.issue' AND outcome = 'denied' AND target_id = $1",
            report
        )
        .await,
        1
    );
    // with the consent back but the employer gone from the team, nothing is issued either
    sqlx::query(
        "UPDATE consent SET categories = array_append(categories, 'work')
          WHERE case_id = $1 AND agency_id = $2",
    )
    .bind(CASE_TANAKA)
    .bind(MIDORI)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE case_agency SET left_on = (now() AT TIME ZONE 'Asia/Tokyo')::date
          WHERE case_id = $1 AND agency_id = $2",
    )
    .bind(CASE_TANAKA)
    .bind(MIDORI)
    .execute(&app.pool)
    .await
    .unwrap();
    let res = app
        .post(&format!("/cases/{CASE_TANAKA}/reports/{report}/issue"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("チームにいないか"));
    assert_eq!(
        count(
            &app.pool,
            "SELECT count(*) FROM support_report WHERE id = $1 AND issued_at IS NULL",
            report
        )
        .await,
        1,
        "nothing issued to an employer that left"
    );
    // the employer does not write reports
    let midori = app.browser();
    midori.login("boss@midori.example").await;
    let res = post_pairs(
        &midori,
        &format!("/cases/{CASE_TANAKA}/reports"),
        &summary(&month_value(last_month())),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

/// An entry of 田中 健's case, written last month by `agency`'s `email`, shared with `shared`.
async fn entry(
    pool: &PgPool,
    email: &str,
    agency: Uuid,
    kind: &str,
    category: &str,
    shared: &[Uuid],
    body: &str,
) {
    let at = renkei::domain::dates::tokyo_noon(last_month() + chrono::Duration::days(9));
    sqlx::query(
        "INSERT INTO entry (id, case_id, author_user_id, author_agency_id, kind, category,
                            occurred_at, created_at, body, body_html, fields, shared_with)
         SELECT $1, $2, u.id, $3, $4, $5, $6, $6, $7, $7,
                '{\"channel\":\"visit\",\"with_whom\":\"person\"}', $8
           FROM app_user u WHERE u.email = $9",
    )
    .bind(Uuid::now_v7())
    .bind(CASE_TANAKA)
    .bind(agency)
    .bind(kind)
    .bind(category)
    .bind(at)
    .bind(body)
    .bind(shared)
    .bind(email)
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test]
async fn a_draft_carries_only_what_the_employer_may_see(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    // みどり物流's consent no longer covers `life`
    sqlx::query(
        "UPDATE consent SET categories = array_remove(categories, 'life')
          WHERE case_id = $1 AND agency_id = $2",
    )
    .bind(CASE_TANAKA)
    .bind(MIDORI)
    .execute(&app.pool)
    .await
    .unwrap();
    let a = "teichaku@aoba.example";
    entry(
        &app.pool,
        a,
        AOBA,
        "contact",
        "work",
        &[MIDORI, MINATO],
        "SHARED-WITH-EMPLOYER",
    )
    .await;
    entry(
        &app.pool,
        a,
        AOBA,
        "contact",
        "work",
        &[MINATO],
        "NOT-SHARED-WITH-EMPLOYER",
    )
    .await;
    entry(
        &app.pool,
        a,
        AOBA,
        "progress",
        "life",
        &[MIDORI],
        "OUTSIDE-CONSENT",
    )
    .await;
    entry(
        &app.pool,
        a,
        AOBA,
        "observation",
        "work",
        &[MIDORI],
        "NOT-A-CONTACT",
    )
    .await;
    entry(
        &app.pool,
        "shugyo@minato.example",
        MINATO,
        "progress",
        "work",
        &[MIDORI, AOBA],
        "MINATO-SHARED-WITH-EMPLOYER",
    )
    .await;
    // what the employer may see but the writing office may not read stays out too
    entry(
        &app.pool,
        "shugyo@minato.example",
        MINATO,
        "progress",
        "work",
        &[MIDORI],
        "MINATO-NOT-SHARED-WITH-OFFICE",
    )
    .await;
    entry(
        &app.pool,
        "boss@midori.example",
        MIDORI,
        "contact",
        "work",
        &[],
        "EMPLOYER-OWN-UNSHARED",
    )
    .await;
    app.login(a).await;
    let res = app
        .get(&format!(
            "/cases/{CASE_TANAKA}/reports/new?month={}",
            month_value(last_month())
        ))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = body(res).await;
    let activity = page.split("id=\"activity\"").nth(1).unwrap();
    let activity = &activity[..activity.find("</textarea>").unwrap()];
    assert!(activity.contains("SHARED-WITH-EMPLOYER"), "{activity}");
    assert!(
        activity.contains("MINATO-SHARED-WITH-EMPLOYER"),
        "{activity}"
    );
    assert!(!activity.contains("NOT-SHARED-WITH-EMPLOYER"), "{activity}");
    assert!(!activity.contains("OUTSIDE-CONSENT"), "{activity}");
    assert!(
        !activity.contains("MINATO-NOT-SHARED-WITH-OFFICE"),
        "{activity}"
    );
    assert!(!activity.contains("EMPLOYER-OWN-UNSHARED"), "{activity}");
    assert!(!activity.contains("NOT-A-CONTACT"), "{activity}");
    assert!(activity.contains("本人との面談："), "{activity}");
    // the employer reads the same entries on its timeline: the rule is one
    let midori = app.browser();
    midori.login("boss@midori.example").await;
    let timeline = body(
        midori
            .get(&format!("/cases/{CASE_TANAKA}/timeline?q=SHARED"))
            .await,
    )
    .await;
    assert!(timeline.contains("SHARED-WITH-EMPLOYER"));
    assert!(!timeline.contains("NOT-SHARED-WITH-EMPLOYER"));
}

/// The row of the legal page's monthly table for `month`.
async fn legal_row(app: &TestApp, month: chrono::NaiveDate) -> String {
    let page = body(app.get(&format!("/cases/{CASE_TANAKA}/legal")).await).await;
    let label = format!("{}/{:02}", month.year(), month.month());
    let row = page
        .split(&format!("<td data-label=\"月\">{label}"))
        .nth(1)
        .unwrap_or_else(|| panic!("no row for {label}: {page}"));
    row[..row.find("</tr>").unwrap()].to_string()
}

#[sqlx::test]
async fn the_legal_monthly_check_counts_issued_reports_of_ended_months(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("teichaku@aoba.example").await;
    // the month before last has an issued report (the demo's): complete
    let before = renkei::domain::dates::month_of(renkei::domain::dates::add_months_clamped(
        last_month(),
        -1,
    ));
    let row = legal_row(&app, before).await;
    assert!(
        row.contains("<td data-label=\"支援レポート\">○</td>"),
        "{row}"
    );
    assert!(!row.contains("不足"), "{row}");
    // last month has an interview but no report yet: flagged
    let row = legal_row(&app, last_month()).await;
    assert!(
        row.contains("<td data-label=\"支援レポート\">×</td>"),
        "{row}"
    );
    assert!(row.contains("不足"), "{row}");
    // a draft does not count
    let report = draft_last_month(&app).await;
    assert!(legal_row(&app, last_month()).await.contains("不足"));
    // the issued report does
    let res = app
        .post(&format!("/cases/{CASE_TANAKA}/reports/{report}/issue"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let row = legal_row(&app, last_month()).await;
    assert!(
        row.contains("<td data-label=\"支援レポート\">○</td>"),
        "{row}"
    );
    assert!(!row.contains("不足"), "{row}");
    // this month is not judged until it has ended
    let row = legal_row(&app, renkei::domain::dates::month_of(today())).await;
    assert!(!row.contains("不足"), "{row}");
    assert!(row.contains("月末に確認"), "{row}");
    // without any issued report, every ended month lacks its report
    sqlx::query("UPDATE support_report SET acknowledged_at = NULL, acknowledged_by = NULL")
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE support_report SET issued_version_id = NULL, issued_on = NULL, issued_by = NULL,
                issued_at = NULL",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let page = body(app.get(&format!("/cases/{CASE_TANAKA}/legal")).await).await;
    assert!(!page.contains("<td data-label=\"支援レポート\">○</td>"));
}

#[sqlx::test]
async fn the_handover_is_recorded_under_consent_and_its_deadline_said(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("teichaku@aoba.example").await;
    // the demo's service ends about six months from now: the hand-over is still to start
    let page = body(app.get(&format!("/cases/{CASE_TANAKA}/reports")).await).await;
    assert!(
        page.contains("支援体制構築はまだ始まっていません"),
        "{page}"
    );
    let legal = body(app.get(&format!("/cases/{CASE_TANAKA}/legal")).await).await;
    assert!(legal.contains("支援体制構築はまだ始まっていません"));
    // move the end so that its deadline (three months before) passed yesterday
    let end = renkei::domain::dates::add_months_clamped(today() - chrono::Duration::days(1), 3);
    sqlx::query("UPDATE case_file SET retention_end_on = $2 WHERE id = $1")
        .bind(CASE_TANAKA)
        .bind(end)
        .execute(&app.pool)
        .await
        .unwrap();
    let page = body(app.get(&format!("/cases/{CASE_TANAKA}/reports")).await).await;
    assert!(page.contains("支援体制構築が始まらないまま"), "{page}");
    let case = body(app.get(&format!("/cases/{CASE_TANAKA}")).await).await;
    assert!(case.contains("handover-notice"), "the case says so");
    let dash = body(app.get("/").await).await;
    assert!(
        dash.contains("id=\"handovers-missed\""),
        "the lead's dashboard says so"
    );
    // a hand-over to an agency without a live consent for work is refused by the field
    sqlx::query("UPDATE consent SET categories = '{health}' WHERE case_id = $1 AND agency_id = $2")
        .bind(CASE_TANAKA)
        .bind(MINATO)
        .execute(&app.pool)
        .await
        .unwrap();
    let form = |to: Uuid, shared: &str| {
        vec![
            ("to_agency_id", to.to_string()),
            ("started_on", today().to_string()),
            ("shared", shared.to_string()),
        ]
    };
    let res = post_pairs(
        &app,
        &format!("/cases/{CASE_TANAKA}/reports/handover"),
        &form(MINATO, "配慮事項のシート"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("id=\"to_agency_id-error\""), "{page}");
    let res = post_pairs(
        &app,
        &format!("/cases/{CASE_TANAKA}/reports/handover"),
        &form(MIDORI, " "),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("id=\"shared-error\""));
    assert_eq!(
        count(
            &app.pool,
            "SELECT count(*) FROM support_handover WHERE case_id = $1",
            CASE_TANAKA
        )
        .await,
        0
    );
    // to the employer, under its consent: started late, and said so
    let res = post_pairs(
        &app,
        &format!("/cases/{CASE_TANAKA}/reports/handover"),
        &form(MIDORI, "職場での配慮事項と相談先の一覧"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    let page = body(app.get(&format!("/cases/{CASE_TANAKA}/reports")).await).await;
    assert!(page.contains("職場での配慮事項と相談先の一覧"));
    assert!(page.contains("期限（サービス終了"), "late: {page}");
    assert_eq!(audit_count(&app.pool, "handover.record", "ok").await, 1);
}

#[sqlx::test]
async fn aoba_issues_the_report_and_midori_acknowledges_it_in_a_real_browser(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let driver = Driver::start();
    let month = month_value(last_month());
    for phone in [false, true] {
        let tag = if phone { "phone" } else { "desktop" };
        // the desktop round's report goes, so that the phone round writes last month's again
        sqlx::query(
            "UPDATE support_report SET issued_version_id = NULL, issued_on = NULL,
                    issued_by = NULL, issued_at = NULL, acknowledged_by = NULL,
                    acknowledged_at = NULL
              WHERE case_id = $1 AND month = $2",
        )
        .bind(CASE_TANAKA)
        .bind(last_month())
        .execute(&app.pool)
        .await
        .unwrap();
        sqlx::query(
            "DELETE FROM support_report_version WHERE report_id IN
               (SELECT id FROM support_report WHERE case_id = $1 AND month = $2)",
        )
        .bind(CASE_TANAKA)
        .bind(last_month())
        .execute(&app.pool)
        .await
        .unwrap();
        sqlx::query("DELETE FROM support_report WHERE case_id = $1 AND month = $2")
            .bind(CASE_TANAKA)
            .bind(last_month())
            .execute(&app.pool)
            .await
            .unwrap();
        let c = driver.browser(phone).await;
        log_in(&c, &app, "teichaku@aoba.example", PASSWORD).await;
        c.goto(&app.url(&format!("/cases/{CASE_TANAKA}/reports")))
            .await
            .unwrap();
        screenshot(&c, &format!("reports-{tag}")).await;
        c.find(Locator::Css(&format!("#month option[value='{month}']")))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        click_and_wait(&c, "#start button[type=submit]").await;
        let activity = c
            .find(Locator::Css("#activity"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default();
        assert!(activity.contains("本人との面談"), "prefilled: {activity}");
        fill(&c, "#situation", "出勤は安定しています。").await;
        fill(&c, "#support", "月1回の面談と職場訪問を行いました。").await;
        fill(&c, "#requests", "繁忙日の指示はまとめてお願いします。").await;
        fill(&c, "#next_steps", "来月も面談を続けます。").await;
        screenshot(&c, &format!("report-draft-{tag}")).await;
        click_and_wait(&c, ".report-form button[type=submit]").await;
        let state = c
            .find(Locator::Css("#report-state"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(state, "下書き");
        click_and_wait(&c, "#issue-button").await;
        let state = c
            .find(Locator::Css("#report-state"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(state, "発行済み（確認待ち）");
        let width = c
            .execute("return document.documentElement.scrollWidth", vec![])
            .await
            .unwrap();
        assert!(
            width.as_u64().unwrap() <= if phone { 390 } else { 1280 },
            "scroll width {width}"
        );
        screenshot(&c, &format!("report-issued-{tag}")).await;
        let errors = console_errors(&c).await;
        assert!(errors.is_empty(), "console errors: {errors:?}");
        c.close().await.unwrap();
        // みどり物流: the dashboard lists it, the report is read and acknowledged
        let e = driver.browser(phone).await;
        log_in(&e, &app, "boss@midori.example", PASSWORD).await;
        e.goto(&app.url("/")).await.unwrap();
        click_and_wait(&e, "#reports-awaiting li:last-child a").await;
        let text = e
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if !text.contains("出勤は安定しています。") {
            // the dashboard lists the oldest first: open this month's from the case's list
            e.goto(&app.url(&format!("/cases/{CASE_TANAKA}/reports")))
                .await
                .unwrap();
            click_and_wait(&e, "table.reports tbody tr:first-child a").await;
        }
        let text = e
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(text.contains("出勤は安定しています。"), "{text}");
        screenshot(&e, &format!("report-employer-{tag}")).await;
        click_and_wait(&e, "#acknowledge-button").await;
        let state = e
            .find(Locator::Css("#report-state"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(state, "確認済み");
        e.find(Locator::Css("#report-acknowledged")).await.unwrap();
        let width = e
            .execute("return document.documentElement.scrollWidth", vec![])
            .await
            .unwrap();
        assert!(
            width.as_u64().unwrap() <= if phone { 390 } else { 1280 },
            "scroll width {width}"
        );
        click_and_wait(&e, "a.report-print").await;
        let text = e
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(text.contains("支援レポート"));
        assert!(text.contains("令和"));
        assert!(text.contains("清水 隆"), "the acknowledgement on the print");
        screenshot(&e, &format!("report-print-{tag}")).await;
        let errors = console_errors(&e).await;
        assert!(errors.is_empty(), "console errors: {errors:?}");
        e.close().await.unwrap();
    }
}
