//! Daily self-reports: the person's limited account, staff on their behalf, the trend, the
//! bad-streak alert, and who may see them.

use crate::helpers::*;
use renkei::demo::*;
use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

fn report(day: &str) -> Vec<(&'static str, String)> {
    vec![
        ("day", day.to_string()),
        ("sleep_hours", "7".into()),
        ("sleep_quality", "4".into()),
        ("medication_taken", "yes".into()),
        ("appetite", "4".into()),
        ("fatigue_recovered", "yes".into()),
        ("mood", "4".into()),
        ("note", "よく眠れた".into()),
    ]
}

async fn post_pairs(app: &TestApp, path: &str, form: &[(&str, String)]) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .form(form)
        .send()
        .await
        .unwrap()
}

#[sqlx::test]
async fn the_persons_account_sees_only_its_own_form_and_reports(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login_as(PARTICIPANT_EMAIL).await;
    // everything else leads back to the daily form, or is refused
    for path in [
        "/",
        "/cases",
        &format!("/cases/{CASE_TAKAHASHI}"),
        "/inbox",
        "/tasks",
        "/admin/users",
    ] {
        let res = app.get(path).await;
        assert_eq!(location(&res), "/me/daily", "{path}");
    }
    let res = app
        .post(
            &format!("/cases/{CASE_TAKAHASHI}/entries"),
            &[("kind", "note"), ("body", "x")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let page = body(app.get("/me/daily").await).await;
    assert!(page.contains("高橋 美咲"));
    assert!(page.contains("仕事で疲れて眠れなかった"), "her own reports");
    assert!(page.contains(r#"id="bad-streak""#));
    assert!(!page.contains("鈴木") && !page.contains("田中"));
    // today's report; twice is refused; a future day is refused
    let today = renkei::domain::dates::today_tokyo();
    let res = post_pairs(&app, "/me/daily", &report(&today.to_string())).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = post_pairs(&app, "/me/daily", &report(&today.to_string())).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("この日の記録はもうあります"));
    let tomorrow = (today + chrono::Duration::days(1)).to_string();
    let res = post_pairs(&app, "/me/daily", &report(&tomorrow)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("明日以降の記録はまだ書けません"));
    let mut bad = report(&(today - chrono::Duration::days(30)).to_string());
    bad[6] = ("mood", "9".into());
    let res = post_pairs(&app, "/me/daily", &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("1〜5から選んでください"));
}

#[sqlx::test]
async fn three_bad_days_raise_an_alert_for_those_who_may_see_health(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let aoba = app.browser();
    aoba.login("teichaku@aoba.example").await;
    let dash = body(aoba.get("/").await).await;
    assert!(dash.contains("調子の悪い日が続いている人") && dash.contains("高橋 美咲"));
    let sabikan = app.browser();
    sabikan.login("sabikan@hikari.example").await;
    let case = body(sabikan.get(&format!("/cases/{CASE_TAKAHASHI}")).await).await;
    assert!(case.contains(r#"id="bad-streak""#));
    let daily = body(sabikan.get(&format!("/cases/{CASE_TAKAHASHI}/daily")).await).await;
    assert!(daily.contains("<polyline") && daily.contains(r#"class="bad""#));
    // the employer has no consent for health: no reports, no alert
    let boss = app.browser();
    boss.login("boss@midori.example").await;
    let daily = body(boss.get(&format!("/cases/{CASE_TAKAHASHI}/daily")).await).await;
    assert!(!daily.contains("仕事で疲れて眠れなかった"));
    assert!(!body(boss.get("/").await)
        .await
        .contains("調子の悪い日が続いている人"));
    assert!(!body(boss.get(&format!("/cases/{CASE_TAKAHASHI}")).await)
        .await
        .contains(r#"id="bad-streak""#));
}

#[sqlx::test]
async fn staff_enter_reports_and_the_lead_makes_the_persons_account(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("sabikan@hikari.example").await;
    let day = (renkei::domain::dates::today_tokyo() - chrono::Duration::days(40)).to_string();
    let res = post_pairs(&app, &format!("/cases/{CASE_SUZUKI}/daily"), &report(&day)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // a weak password or a taken email: messages, no account
    let path = format!("/cases/{CASE_SUZUKI}/participant-account");
    let res = app
        .post(
            &path,
            &[("email", "suzuki@person.example"), ("password", "short")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(
            &path,
            &[
                ("email", PARTICIPANT_EMAIL),
                ("password", "ichiro-no-mainichi-no-kiroku"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(
            &path,
            &[
                ("email", "suzuki@person.example"),
                ("password", "ichiro-no-mainichi-no-kiroku"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let person = app.browser();
    let res = person
        .post(
            "/login",
            &[
                ("email", "suzuki@person.example"),
                ("password", "ichiro-no-mainichi-no-kiroku"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = body(person.get("/me/daily").await).await;
    assert!(page.contains("鈴木 一郎"));
    // staff of another agency cannot make accounts
    let ot = app.browser();
    ot.login("ot@sakura.example").await;
    let res = ot
        .post(
            &path,
            &[
                ("email", "x@person.example"),
                ("password", "ichiro-no-mainichi-no-kiroku"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test]
async fn the_lead_resets_and_turns_off_the_persons_account_from_the_case(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    // the lead agency of 高橋 美咲's case, acting through its coordinator
    let lead: Uuid = sqlx::query_scalar("SELECT lead_agency_id FROM case_file WHERE id = $1")
        .bind(CASE_TAKAHASHI)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let coordinator: String = sqlx::query_scalar(
        "SELECT u.email FROM app_user u JOIN membership m ON m.user_id = u.id
         WHERE m.agency_id = $1 AND m.role = 'coordinator' ORDER BY u.email LIMIT 1",
    )
    .bind(lead)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let person = app.browser();
    person.login(PARTICIPANT_EMAIL).await;
    assert_eq!(person.get("/me/daily").await.status(), StatusCode::OK);
    app.login(&coordinator).await;
    let page = body(app.get(&format!("/cases/{CASE_TAKAHASHI}/daily")).await).await;
    assert!(page.contains(PARTICIPANT_EMAIL) && page.contains("新しいパスワードにする"));
    // a weak password comes back with a message by the field
    let path = format!("/cases/{CASE_TAKAHASHI}/participant-account/password");
    let res = app.post(&path, &[("password", "short")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("field-error"));
    let res = app
        .post(&path, &[("password", "misaki-no-atarashii-kotoba")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // her session ended; the new password works
    assert_eq!(
        person.get("/me/daily").await.status(),
        StatusCode::SEE_OTHER
    );
    let res = person
        .post(
            "/login",
            &[
                ("email", PARTICIPANT_EMAIL),
                ("password", "misaki-no-atarashii-kotoba"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // turned off: signed out and unable to sign in; on again: she can
    let active = format!("/cases/{CASE_TAKAHASHI}/participant-account/active");
    let res = app.post(&active, &[("active", "false")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(body(app.get(&location(&res)).await)
        .await
        .contains("停止しました"));
    let res = person
        .post(
            "/login",
            &[
                ("email", PARTICIPANT_EMAIL),
                ("password", "misaki-no-atarashii-kotoba"),
            ],
        )
        .await;
    assert_ne!(res.status(), StatusCode::SEE_OTHER);
    let res = app.post(&active, &[("active", "true")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        audit_count(&app.pool, "participant_account.active", "ok").await,
        2
    );
    assert_eq!(
        audit_count(&app.pool, "participant_account.password", "ok").await,
        1
    );
    // another team agency may not; the system admin does not find the case
    let other = app.browser();
    other.login("boss@midori.example").await;
    let res = other.post(&active, &[("active", "false")]).await;
    assert_ne!(res.status(), StatusCode::SEE_OTHER);
    assert!(audit_count(&app.pool, "participant_account.active", "denied").await >= 1);
    let admin = app.browser();
    admin.login("admin@renkei.example").await;
    let res = admin
        .post(&path, &[("password", "misaki-no-atarashii-kotoba")])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
