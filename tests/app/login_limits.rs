//! The login limits behind a proxy: an office behind one address all signs in, wrong passwords
//! limit one account at one address without locking its owner out elsewhere, and
//! X-Forwarded-For names the client only when the peer is a trusted proxy.

use crate::helpers::{body, location, TestApp, PASSWORD};
use renkei::config::{Settings, TrustedProxies};
use reqwest::StatusCode;
use sqlx::PgPool;

/// The real limits, with 127.0.0.1 (the test's own client) trusted or not.
fn settings(trusted: &str) -> Settings {
    Settings {
        trusted_proxies: TrustedProxies::parse(trusted).unwrap(),
        ..Settings::default()
    }
}

async fn login_from(
    app: &TestApp,
    forwarded_for: Option<&str>,
    email: &str,
    password: &str,
) -> reqwest::Response {
    let mut req = app
        .client
        .post(app.url("/login"))
        .form(&[("email", email), ("password", password)]);
    if let Some(xff) = forwarded_for {
        req = req.header("x-forwarded-for", xff);
    }
    req.send().await.unwrap()
}

/// The address of the latest login row for this email.
async fn last_login_ip(pool: &PgPool, email: &str) -> String {
    sqlx::query_scalar(
        "SELECT ip FROM audit_log WHERE action = 'login' AND detail LIKE $1 || '%'
         ORDER BY id DESC LIMIT 1",
    )
    .bind(email)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn count(pool: &PgPool, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn forty_people_behind_one_address_all_sign_in_at_nine(pool: PgPool) {
    let app = TestApp::spawn_with(pool, settings("")).await;
    // forty accounts with the demo password (hashed once)
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM app_user WHERE email = 'ot@sakura.example'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let mut conn = app.pool.acquire().await.unwrap();
    let emails: Vec<String> = (1..=40)
        .map(|n| format!("office{n}@sakura.example"))
        .collect();
    for email in &emails {
        let user = renkei::db::users::NewUser {
            email,
            display_name: "事務所の職員",
            password_hash: &hash,
            is_admin: false,
        };
        renkei::db::users::create(&mut conn, &user).await.unwrap();
    }
    drop(conn);
    let started = std::time::Instant::now();
    for email in &emails {
        // each person's own browser, all from 127.0.0.1
        let res = app.browser().login_as(email).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{email}");
        assert_eq!(location(&res), "/");
    }
    assert!(started.elapsed().as_secs() < 60, "within a minute");
    assert_eq!(
        crate::helpers::audit_count(&app.pool, "login", "ok").await,
        40
    );
}

#[sqlx::test]
async fn wrong_passwords_limit_one_account_at_one_address_not_its_owner_elsewhere(pool: PgPool) {
    let app = TestApp::spawn_with(pool, settings("127.0.0.1")).await;
    let attacker = Some("203.0.113.66");
    let owner = Some("198.51.100.20");
    let mut statuses = vec![];
    for _ in 0..12 {
        let res = login_from(&app, attacker, "ot@sakura.example", "not-the-password-1").await;
        statuses.push(res.status().as_u16());
    }
    // five free failures, the sixth starts a one-minute lock, the rest are refused unchecked
    assert_eq!(&statuses[..6], &[401; 6], "{statuses:?}");
    assert_eq!(&statuses[6..], &[429; 6], "{statuses:?}");
    let res = login_from(&app, attacker, "ot@sakura.example", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let page = body(res).await;
    assert!(page.contains("一時的に止めています"), "{page}");
    assert!(
        page.contains("value=\"ot@sakura.example\""),
        "the email is kept"
    );
    // the lock was audited, with the account and the attacker's address
    let lock: (Option<uuid::Uuid>, String, String) = sqlx::query_as(
        "SELECT user_id, ip, detail FROM audit_log WHERE action = 'login.lock' ORDER BY id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(lock.0.is_some());
    assert_eq!(lock.1, "203.0.113.66");
    assert!(lock.2.starts_with("ot@sakura.example"), "{}", lock.2);
    // and the agency's admin reads it in the agency's audit log
    let admin = app.browser();
    admin.login("jimu@sakura.example").await;
    let page = body(admin.get("/agency/audit").await).await;
    assert!(page.contains("login.lock"), "{page}");
    assert!(page.contains("203.0.113.66"), "{page}");

    // the owner at their own address gets in with the right password
    let owner_browser = app.browser();
    let res = login_from(&owner_browser, owner, "ot@sakura.example", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        last_login_ip(&app.pool, "ot@sakura.example").await,
        "198.51.100.20"
    );
    // and another account from the attacker's address is not locked
    let res = login_from(&app.browser(), attacker, "st@sakura.example", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // the attacker's address stays locked for the account after the owner's success
    let res = login_from(&app.browser(), attacker, "ot@sakura.example", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test]
async fn failures_from_many_addresses_raise_an_alert_not_a_lock(pool: PgPool) {
    let app = TestApp::spawn_with(pool, settings("127.0.0.1")).await;
    // four failures from each of five addresses: 20 in all, none of them locked
    for n in 1..=5 {
        let xff = format!("203.0.113.{n}");
        for _ in 0..4 {
            let res = login_from(&app, Some(&xff), "ot@sakura.example", "not-the-password-1").await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        }
    }
    assert_eq!(count(&app.pool, "login.alert").await, 1);
    assert_eq!(count(&app.pool, "login.lock").await, 0);
    let res = login_from(&app, Some("203.0.113.1"), "ot@sakura.example", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[sqlx::test]
async fn many_logins_of_one_account_at_one_address_are_limited_for_that_account(pool: PgPool) {
    let limits = Settings {
        login_account_burst: 3,
        ..settings("127.0.0.1")
    };
    let app = TestApp::spawn_with(pool, limits).await;
    let here = Some("203.0.113.5");
    for _ in 0..3 {
        let res = login_from(&app.browser(), here, "ot@sakura.example", PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    let res = login_from(&app.browser(), here, "ot@sakura.example", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let page = body(res).await;
    assert!(page.contains("ログインの試行が多すぎます"), "{page}");
    assert!(page.contains("1分後"), "one more a minute: {page}");
    assert!(page.contains("value=\"ot@sakura.example\""));
    let denied: String = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'login' AND outcome = 'denied'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(denied.contains("account at address"), "{denied}");
    // another account here, and the same account elsewhere, still get in
    let res = login_from(&app.browser(), here, "st@sakura.example", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = login_from(
        &app.browser(),
        Some("203.0.113.6"),
        "ot@sakura.example",
        PASSWORD,
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[sqlx::test]
async fn forwarded_for_is_ignored_from_an_untrusted_peer(pool: PgPool) {
    let app = TestApp::spawn_with(pool, settings("10.0.0.0/8")).await;
    let res = login_from(&app, Some("203.0.113.9"), "ot@sakura.example", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        last_login_ip(&app.pool, "ot@sakura.example").await,
        "127.0.0.1"
    );
    // nor can a client escape its limits by naming other addresses
    let limits = Settings {
        login_account_burst: 1,
        ..settings("")
    };
    let app = TestApp::spawn_bare(app.pool.clone(), limits).await;
    let res = login_from(&app, Some("203.0.113.10"), "st@sakura.example", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = login_from(
        &app.browser(),
        Some("203.0.113.11"),
        "st@sakura.example",
        PASSWORD,
    )
    .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test]
async fn forwarded_for_is_used_from_a_trusted_peer_right_most_untrusted(pool: PgPool) {
    let app = TestApp::spawn_with(pool, settings("127.0.0.1, 10.0.0.0/8")).await;
    let cases = [
        ("203.0.113.9", "203.0.113.9"),
        // the client wrote the first entry itself: ignored
        ("6.6.6.6, 203.0.113.9", "203.0.113.9"),
        // a client pretending to come through one of our proxies gains nothing
        ("10.9.9.9, 203.0.113.9", "203.0.113.9"),
        // an inner trusted proxy appended the outer one's address
        ("6.6.6.6, 203.0.113.9, 10.1.1.1", "203.0.113.9"),
        ("2001:db8::7, 10.1.1.1", "2001:db8::7"),
    ];
    for (xff, want) in cases {
        let res = login_from(&app.browser(), Some(xff), "ot@sakura.example", PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{xff}");
        assert_eq!(
            last_login_ip(&app.pool, "ot@sakura.example").await,
            want,
            "{xff}"
        );
    }
    // with no header the trusted peer itself is the client
    let res = login_from(&app.browser(), None, "ot@sakura.example", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        last_login_ip(&app.pool, "ot@sakura.example").await,
        "127.0.0.1"
    );
    // the same address is on every audit row of the request, not only the login's
    let browser = app.browser();
    let res = login_from(
        &browser,
        Some("203.0.113.44"),
        "ot@sakura.example",
        PASSWORD,
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = browser
        .client
        .post(browser.url("/logout"))
        .header("x-forwarded-for", "203.0.113.45")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let ip: String = sqlx::query_scalar(
        "SELECT ip FROM audit_log WHERE action = 'logout' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(ip, "203.0.113.45");
}

#[sqlx::test]
async fn common_passwords_from_the_shipped_list_are_refused_by_the_change_form(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("ot@sakura.example").await;
    // on the list as it is, full-width, or padded with digits and punctuation
    for common in [
        "1q2w3e4r5t6y7u8i9o0p",
        "ＭＡＮＣＨＥＳＴＥＲＵＮＩＴＥＤ",
        "qwertyuiop1234567!",
        "password",
    ] {
        let res = app
            .post(
                "/account/password",
                &[
                    ("current", PASSWORD),
                    ("new_password", common),
                    ("confirm", common),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{common}");
        let page = body(res).await;
        assert!(page.contains("よく使われるパスワード"), "{common}");
    }
    let fresh = "velvet-quarry-mosaic-thistle";
    let res = app
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new_password", fresh),
                ("confirm", fresh),
            ],
        )
        .await;
    assert_eq!(location(&res), "/account?done=1");
}
