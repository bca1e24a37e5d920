//! Logging in and out, sessions, the soft lock, the rate limit, the acting agency.

use crate::helpers::*;
use renkei::config::Settings;
use reqwest::StatusCode;
use sqlx::PgPool;
use std::time::Duration;

#[sqlx::test]
async fn every_demo_user_can_log_in_and_sees_their_name(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    for email in DEMO_EMAILS {
        let browser = app.browser();
        browser.login(email).await;
        let page = body(browser.get("/").await).await;
        let name: String = sqlx::query_scalar("SELECT display_name FROM app_user WHERE email = $1")
            .bind(email)
            .fetch_one(&app.pool)
            .await
            .unwrap();
        assert!(page.contains(&name), "{email} sees their name");
    }
}

#[sqlx::test]
async fn session_cookie_is_http_only_lax_and_not_readable_by_script(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let res = app.login_as("ot@sakura.example").await;
    let cookie = set_cookie(&res);
    assert!(cookie.starts_with("renkei_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(cookie.contains("Path=/"));
    assert!(!cookie.contains("Secure"), "plain http in tests");
    // the database stores only a hash of the token
    let token = cookie.split(';').next().unwrap().split('=').nth(1).unwrap();
    let raw: i64 =
        sqlx::query_scalar("SELECT count(*) FROM session WHERE encode(token_hash, 'hex') = $1")
            .bind(token)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(raw, 0);
}

#[sqlx::test]
async fn secure_deployments_use_host_prefixed_secure_cookies_and_hsts(pool: PgPool) {
    let settings = Settings {
        secure_cookies: true,
        ..test_settings()
    };
    let app = TestApp::spawn_with(pool, settings).await;
    let res = app.login_as("ot@sakura.example").await;
    let cookie = set_cookie(&res);
    assert!(cookie.starts_with("__Host-renkei_session="), "{cookie}");
    assert!(cookie.contains("Secure"));
    assert!(res.headers().get("strict-transport-security").is_some());
}

#[sqlx::test]
async fn wrong_password_and_unknown_email_get_the_same_answer(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let wrong = app
        .post(
            "/login",
            &[
                ("email", "ot@sakura.example"),
                ("password", "not-the-password-at-all"),
            ],
        )
        .await;
    let unknown = app
        .post(
            "/login",
            &[
                ("email", "nobody@sakura.example"),
                ("password", "not-the-password-at-all"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookie(&wrong).is_empty());
    let (wrong, unknown) = (body(wrong).await, body(unknown).await);
    assert!(wrong.contains("メールアドレスまたはパスワードが正しくありません。"));
    assert!(unknown.contains("メールアドレスまたはパスワードが正しくありません。"));
    // the email is kept, the password is not
    assert!(wrong.contains(r#"value="ot@sakura.example""#));
    assert!(!wrong.contains("not-the-password-at-all"));
    assert_eq!(audit_count(&app.pool, "login", "failed").await, 2);
}

#[sqlx::test]
async fn empty_fields_come_back_with_messages_by_the_fields(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let res = app.post("/login", &[("email", ""), ("password", "")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains(r#"id="email-error""#));
    assert!(page.contains(r#"id="password-error""#));
    assert!(page.contains("入力してください。"));
    // a form without the fields at all is read as empty fields, not a crash
    let res = app
        .client
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // a body that is not a form at all gets a page, not a stack trace
    let res = app
        .client
        .post(app.url("/login"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(body(res).await.contains("送信内容を読み取れませんでした"));
}

#[sqlx::test]
async fn oversize_email_is_refused_with_a_message(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let long = format!("{}@sakura.example", "a".repeat(300));
    let res = app
        .post("/login", &[("email", &long), ("password", "x")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("長すぎます"));
}

#[sqlx::test]
async fn login_cycles_the_session_id(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let first = set_cookie(&app.login_as("ot@sakura.example").await);
    let second = set_cookie(&app.login_as("ot@sakura.example").await);
    assert_ne!(first, second);
    // the first token no longer opens anything
    let token = first.split(';').next().unwrap();
    let res = app
        .browser()
        .client
        .get(app.url("/"))
        .header("cookie", token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/login");
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM session")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sessions, 1);
}

#[sqlx::test]
async fn pages_need_a_login(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    for path in ["/", "/account", "/admin/users", "/agency/members"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location(&res), "/login", "{path}");
    }
}

#[sqlx::test]
async fn logout_ends_the_session(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let cookie = set_cookie(&app.login_as("ot@sakura.example").await);
    let res = app.post("/logout", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(set_cookie(&res).contains("Max-Age=0"));
    let token = cookie.split(';').next().unwrap();
    let res = app
        .browser()
        .client
        .get(app.url("/"))
        .header("cookie", token)
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login");
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM session")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sessions, 0);
    assert_eq!(audit_count(&app.pool, "logout", "ok").await, 1);
}

#[sqlx::test]
async fn idle_session_expires_after_30_minutes(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("ot@sakura.example").await;
    sqlx::query("UPDATE session SET last_seen_at = now() - interval '29 minutes'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        app.get("/").await.status(),
        StatusCode::OK,
        "29 minutes idle is fine"
    );
    sqlx::query("UPDATE session SET last_seen_at = now() - interval '31 minutes'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(location(&app.get("/").await), "/login");
}

#[sqlx::test]
async fn session_ends_after_12_hours_even_when_active(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("ot@sakura.example").await;
    sqlx::query("UPDATE session SET created_at = now() - interval '11 hours 59 minutes'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(app.get("/").await.status(), StatusCode::OK);
    sqlx::query("UPDATE session SET created_at = now() - interval '12 hours 1 minute'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(location(&app.get("/").await), "/login");
}

#[sqlx::test]
async fn repeated_failures_lock_softly_for_known_and_unknown_emails(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    for email in ["ot@sakura.example", "nobody@sakura.example"] {
        for _ in 0..6 {
            let res = app
                .post(
                    "/login",
                    &[("email", email), ("password", "wrong-password-wrong")],
                )
                .await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        }
        // locked now: even the right password waits, and unknown emails look the same
        let res = app.login_as(email).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "{email}");
        let page = body(res).await;
        assert!(page.contains("一時的に止めています"), "{email}");
        assert!(
            page.contains("1分後"),
            "{email}: the first lock is one minute"
        );
    }
    // the lock passes with time; then the right password works and clears the count
    sqlx::query("UPDATE login_failure SET locked_until = now() - interval '1 second'")
        .execute(&app.pool)
        .await
        .unwrap();
    app.login("ot@sakura.example").await;
    let left: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM login_failure WHERE email_key = 'ot@sakura.example'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(left, 0);
    assert!(audit_count(&app.pool, "login", "denied").await >= 2);
}

#[sqlx::test]
async fn lock_grows_with_further_failures_and_is_capped(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let mut conn = app.pool.acquire().await.unwrap();
    let net = renkei::db::login_limits::client_net("203.0.113.7".parse().unwrap());
    for _ in 0..20 {
        renkei::db::login_limits::record_failure(&mut conn, "x@y.jp", net)
            .await
            .unwrap();
    }
    let minutes: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM locked_until - now())::float8 / 60 FROM login_failure",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert!(
        minutes > 59.0 && minutes <= 60.0,
        "capped at an hour: {minutes}"
    );
}

#[sqlx::test]
async fn post_login_is_rate_limited_per_address(pool: PgPool) {
    let settings = Settings {
        login_address_burst: 3,
        login_address_refill: Duration::from_secs(60),
        ..Settings::default()
    };
    let app = TestApp::spawn_with(pool, settings).await;
    let mut statuses = vec![];
    for _ in 0..5 {
        let res = app
            .post(
                "/login",
                &[
                    ("email", "ot@sakura.example"),
                    ("password", "wrong-password-x"),
                ],
            )
            .await;
        statuses.push(res.status());
    }
    assert_eq!(&statuses[..3], &[StatusCode::UNAUTHORIZED; 3]);
    assert_eq!(statuses[3], StatusCode::TOO_MANY_REQUESTS);
    let res = app
        .post(
            "/login",
            &[("email", "ot@sakura.example"), ("password", "x")],
        )
        .await;
    // the form comes back with the email kept and a message
    let page = body(res).await;
    assert!(page.contains("ログインの試行が多すぎます"), "{page}");
    assert!(page.contains("value=\"ot@sakura.example\""), "{page}");
    // the login page itself is not limited
    assert_eq!(app.get("/login").await.status(), StatusCode::OK);
}

#[sqlx::test]
async fn cross_origin_post_is_refused(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let res = app
        .client
        .post(app.url("/login"))
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .form(&[("email", "ot@sakura.example"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(&res).is_empty());
    assert!(body(res).await.contains("別のサイトから送信されたフォーム"));
    // same-origin posts pass
    let res = app
        .client
        .post(app.url("/login"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", "ot@sakura.example"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[sqlx::test]
async fn changes_are_post_only(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("ot@sakura.example").await;
    for path in ["/logout", "/acting-agency", "/account/password", "/lang"] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{path}"
        );
    }
}

#[sqlx::test]
async fn a_user_in_two_agencies_switches_the_acting_agency(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("dual@sakura.example").await;
    let page = body(app.get("/").await).await;
    let selected = |page: &str| {
        page.lines()
            .find(|l| l.contains(" selected>"))
            .map(|l| l.to_string())
            .unwrap_or_default()
    };
    assert!(selected(&page).contains("さくら通りクリニック"));
    let hikari = renkei::demo::HIKARI.to_string();
    let res = app
        .post(
            "/acting-agency",
            &[("agency_id", &hikari), ("back", "/account")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/account");
    let page = body(app.get("/account").await).await;
    assert!(selected(&page).contains("ひかり就労移行支援センター"));
    assert_eq!(
        audit_count(&app.pool, "acting_agency.switch", "ok").await,
        1
    );

    // not a member of はるか: refused, and nothing changes
    let haruka = renkei::demo::HARUKA.to_string();
    let res = app.post("/acting-agency", &[("agency_id", &haruka)]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(selected(&body(app.get("/").await).await).contains("ひかり"));
    assert_eq!(
        audit_count(&app.pool, "acting_agency.switch", "denied").await,
        1
    );

    // an off-site back link is not followed
    let res = app
        .post(
            "/acting-agency",
            &[("agency_id", &hikari), ("back", "//evil.example/")],
        )
        .await;
    assert_eq!(location(&res), "/");
}

#[sqlx::test]
async fn a_single_agency_user_sees_their_agency_in_the_header(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("staff@hikari.example").await;
    let page = body(app.get("/").await).await;
    assert!(page.contains(r#"<strong id="acting-agency-name">ひかり就労移行支援センター</strong>"#));
}

#[sqlx::test]
async fn changing_the_password_follows_the_policy(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("ot@sakura.example").await;
    let other = app.browser();
    other.login("ot@sakura.example").await;

    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "wrong-current-password",
            "tsukue-no-ue-ni-mikan-3",
            "tsukue-no-ue-ni-mikan-3",
            "現在のパスワードが正しくありません",
        ),
        (PASSWORD, "short", "short", "15文字以上"),
        (
            PASSWORD,
            "passwordpassword",
            "passwordpassword",
            "よく使われるパスワード",
        ),
        (
            PASSWORD,
            "tsukue-no-ue-ni-mikan-3",
            "tsukue-no-ue-ni-mikan-4",
            "一致しません",
        ),
    ];
    for (current, new, confirm, message) in cases {
        let res = app
            .post(
                "/account/password",
                &[
                    ("current", current),
                    ("new_password", new),
                    ("confirm", confirm),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(body(res).await.contains(message), "{message}");
    }
    let res = app
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new_password", "tsukue-no-ue-ni-mikan-3"),
                ("confirm", "tsukue-no-ue-ni-mikan-3"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/account?done=1");
    assert!(body(app.get("/account?done=1").await)
        .await
        .contains("パスワードを変更しました"));
    // the other browser's session was ended; the new password works, the old does not
    assert_eq!(location(&other.get("/").await), "/login");
    assert_eq!(
        other.login_as("ot@sakura.example").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let res = other
        .post(
            "/login",
            &[
                ("email", "ot@sakura.example"),
                ("password", "tsukue-no-ue-ni-mikan-3"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[sqlx::test]
async fn login_and_denials_are_audited_with_request_ids(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("ot@sakura.example").await;
    let (user, agency, rid, ip): (Option<uuid::Uuid>, Option<uuid::Uuid>, String, String) =
        sqlx::query_as(
            "SELECT user_id, acting_agency_id, request_id, ip FROM audit_log
             WHERE action = 'login' AND outcome = 'ok'",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(user.is_some());
    assert_eq!(agency, Some(renkei::demo::SAKURA));
    assert!(!rid.is_empty());
    assert_eq!(ip, "127.0.0.1");
}
