//! The page frame: headers, error pages, language, limits, health checks, a database that is down.

use crate::helpers::*;
use reqwest::StatusCode;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::time::Duration;

#[sqlx::test]
async fn security_headers_on_every_page(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("ot@sakura.example").await;
    for path in ["/login", "/", "/account", "/no-such-page"] {
        let res = app.get(path).await;
        let h = res.headers();
        let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(csp.contains("default-src 'self'"), "{path}");
        assert!(csp.contains("script-src 'self'"), "{path}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(
            h.get("x-content-type-options").unwrap(),
            "nosniff",
            "{path}"
        );
        assert_eq!(h.get("referrer-policy").unwrap(), "no-referrer", "{path}");
        assert_eq!(h.get("cache-control").unwrap(), "no-store", "{path}");
        assert!(h.get("x-request-id").is_some(), "{path}");
        let page = body(res).await;
        assert!(!page.contains("style=\""), "{path}: no inline style");
        assert!(!page.contains("<script>"), "{path}: no inline script");
    }
    let css = app.get("/static/app.css").await;
    assert_eq!(css.status(), StatusCode::OK);
    assert!(css.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age"));
    assert!(css.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    assert_eq!(
        app.get("/static/pico.classless.min.css").await.status(),
        StatusCode::OK
    );
}

#[sqlx::test]
async fn not_found_is_a_japanese_page_in_the_frame(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let res = app.get("/no-such-page").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let rid = res.headers()["x-request-id"].to_str().unwrap().to_string();
    let page = body(res).await;
    assert!(page.contains(r#"<html lang="ja">"#));
    assert!(page.contains("ページが見つかりません"));
    assert!(page.contains(&rid), "the request id is shown");
    assert_eq!(
        app.get("/static/nothing.css").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test]
async fn english_by_choice_or_by_the_browser(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let res = app
        .client
        .get(app.url("/login"))
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    let page = body(res).await;
    assert!(page.contains(r#"<html lang="en">"#));
    assert!(page.contains("Log in"));

    // the choice is remembered in a cookie and beats the browser's header
    let res = app
        .post("/lang", &[("lang", "en"), ("back", "/login")])
        .await;
    assert_eq!(location(&res), "/login");
    let page = body(app.get("/login").await).await;
    assert!(page.contains("Log in"));
    let res = app
        .post(
            "/login",
            &[
                ("email", "ot@sakura.example"),
                ("password", "wrong-password-123"),
            ],
        )
        .await;
    assert!(body(res)
        .await
        .contains("The email address or password is not correct."));
    let res = app
        .client
        .get(app.url("/nowhere"))
        .header("accept-language", "ja")
        .send()
        .await
        .unwrap();
    assert!(body(res).await.contains("Page not found"));
}

/// A body over the limit is not a bare error page: the form comes back with the message by
/// the field that was too long, and nothing is processed.
#[sqlx::test]
async fn a_body_over_the_limit_brings_the_form_back_with_the_field_marked(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let huge = "x".repeat(renkei::http::BODY_LIMIT + 1);
    let res = app
        .post(
            "/login",
            &[("email", "ot@sakura.example"), ("password", &huge)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(
        page.contains("id=\"password-error\""),
        "the message is by the field"
    );
    assert!(
        page.contains("value=\"ot@sakura.example\""),
        "the email is kept"
    );
    let logins: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(logins, 0, "nothing was processed");
}

#[sqlx::test]
async fn health_and_readiness(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    assert_eq!(body(app.get("/healthz").await).await, "ok");
    assert_eq!(body(app.get("/readyz").await).await, "ok");
}

/// A pool that points at a server that does not exist: what a user sees when PostgreSQL is down.
fn dead_pool() -> PgPool {
    let options = PgConnectOptions::new()
        .socket("/nonexistent-renkei-socket-dir")
        .username("renkei");
    PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(1))
        .connect_lazy_with(options)
}

#[tokio::test]
async fn a_database_that_is_down_gives_503_pages_not_crashes() {
    let app = TestApp::spawn_bare(dead_pool(), test_settings()).await;
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    assert_eq!(
        app.get("/readyz").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    let res = app
        .post(
            "/login",
            &[("email", "ot@sakura.example"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let page = body(res).await;
    assert!(page.contains("データベースに接続できません"));
    assert!(!page.contains("sqlx"), "no internals shown");
    // a signed-in browser (a cookie) also gets the page, not a login redirect or a 500
    let res = app
        .client
        .get(app.url("/"))
        .header("cookie", "renkei_session=abc")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    // the login form itself needs no database
    assert_eq!(app.get("/login").await.status(), StatusCode::OK);
}

#[sqlx::test]
async fn after_its_database_backends_are_terminated_the_app_answers_and_recovers(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("sabikan@hikari.example").await;
    for _ in 0..5 {
        // every other backend of this database: the app's connections, mid-pool
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .execute(&app.pool)
        .await
        .unwrap();
        let res = app.get("/cases").await;
        assert!(
            matches!(res.status().as_u16(), 200 | 303 | 503),
            "got {}",
            res.status()
        );
    }
    // it recovers by itself
    let mut ok = false;
    for _ in 0..20 {
        if app.get("/cases").await.status() == reqwest::StatusCode::OK {
            ok = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ok, "the app recovers when the database answers again");
}

#[sqlx::test]
async fn a_nul_character_anywhere_is_dropped_never_a_500(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    // the login form, before anyone is signed in
    let res = app
        .post(
            "/login",
            &[("email", "ot@sakura\0.example"), ("password", "x\0y")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    app.login("sabikan@hikari.example").await;
    let res = app.get("/cases?q=%E9%88%B4%00%E6%9C%A8").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(body(res).await.contains("鈴木"));
    let res = app
        .post(
            &format!("/cases/{}/entries", renkei::demo::CASE_SUZUKI),
            &[
                ("kind", "progress"),
                ("category", "training"),
                ("body", "作業\0の手順を覚えた"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let stored: String = sqlx::query_scalar(
        "SELECT body FROM entry WHERE body LIKE '作業%' ORDER BY created_at DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(stored, "作業の手順を覚えた");
}

#[sqlx::test]
async fn a_page_cursor_outside_the_calendar_is_the_first_page(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("sabikan@hikari.example").await;
    let id = uuid::Uuid::nil();
    for at in [
        i64::MAX,
        i64::MIN,
        253_402_300_800_000_000,
        -210_866_803_200_000_001,
    ] {
        for path in [
            format!(
                "/cases/{}/timeline?before_at={at}&before_id={id}",
                renkei::demo::CASE_SUZUKI
            ),
            format!("/inbox?before_at={at}&before_id={id}"),
        ] {
            let res = app.get(&path).await;
            assert_eq!(res.status(), StatusCode::OK, "{path}");
        }
    }
}
