//! The second factor: enrolment with a confirming code, the code step of the login (TOTP or a
//! recovery code, each once), the soft lock on wrong codes, turning it off, an agency's
//! requirement, the admin's reset, and the shorter password it allows.

use crate::helpers::*;
use renkei::demo::{CASE_SUZUKI, SECOND_FACTOR_EMAIL, SECOND_FACTOR_SECRET};
use renkei::domain::second_factor as sf;
use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

fn now() -> u64 {
    chrono::Utc::now().timestamp() as u64
}

/// The code of the next 30-second step: accepted (one step of skew) and later than any code
/// used in this step.
fn next_code(secret: &[u8]) -> String {
    sf::code_at(secret, now() + 30)
}

/// A code no step around now has.
fn wrong_code(secret: &[u8]) -> String {
    let t = now();
    let near: Vec<String> = (-2i64..=3)
        .map(|k| sf::code_at(secret, (t as i64 + k * 30) as u64))
        .collect();
    (0..1000)
        .map(|n| format!("{:06}", 123_456 + n))
        .find(|c| !near.contains(c))
        .unwrap()
}

fn demo_secret() -> Vec<u8> {
    sf::secret_from_text(SECOND_FACTOR_SECRET).unwrap()
}

async fn user_id(pool: &PgPool, email: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM app_user WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap()
}

fn between<'a>(page: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let after = page.split(start).nth(1)?;
    after.split(end).next()
}

/// Begins the enrolment of the browser's signed-in user and reads the secret off the page.
async fn begin(app: &TestApp) -> Vec<u8> {
    let res = app.post("/account/second-factor/begin", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/account/second-factor");
    let page = body(app.get("/account/second-factor").await).await;
    assert!(
        page.contains("src=\"data:image/svg+xml;base64,"),
        "the QR code"
    );
    let text = between(&page, "id=\"second-factor-secret\">", "</code>").expect("the secret");
    sf::secret_from_text(text).unwrap()
}

/// Enrols the signed-in user; returns the secret and the recovery codes shown.
async fn enrol(app: &TestApp) -> (Vec<u8>, Vec<String>) {
    let secret = begin(app).await;
    let code = sf::code_at(&secret, now());
    let res = app
        .post("/account/second-factor/confirm", &[("code", &code)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = body(res).await;
    let list = between(&page, "id=\"recovery-codes\">", "</ol>").expect("the codes");
    let codes: Vec<String> = list
        .split("<code>")
        .skip(1)
        .map(|c| c.split("</code>").next().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

/// The password step of a user with a second factor: to the code step, no session.
async fn password_step(app: &TestApp, email: &str) {
    let res = app.login_as(email).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/login/code");
    let cookie = set_cookie(&res);
    assert!(cookie.starts_with("renkei_pending="), "{cookie}");
    assert!(cookie.contains("HttpOnly"));
}

#[sqlx::test]
async fn enrolment_refuses_a_wrong_code_at_the_field_then_turns_on(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("ot@sakura.example").await;
    let secret = begin(&app).await;
    assert_eq!(secret.len(), 20);

    // another user never sees the pending secret
    let other = app.browser();
    other.login("st@sakura.example").await;
    let theirs = body(other.get("/account/second-factor").await).await;
    assert!(!theirs.contains(&sf::secret_text(&secret)));
    assert!(!theirs.contains("second-factor-secret"));

    let wrong = wrong_code(&secret);
    let res = app
        .post("/account/second-factor/confirm", &[("code", &wrong)])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(
        page.contains("id=\"code-error\""),
        "the message by the field"
    );
    assert!(
        page.contains(&format!("value=\"{wrong}\"")),
        "the code kept"
    );
    assert!(page.contains(&sf::secret_text(&secret)), "the same secret");
    let id = user_id(&app.pool, "ot@sakura.example").await;
    let on: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM second_factor WHERE user_id = $1 AND enabled_at IS NOT NULL)",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(!on, "not on after a wrong code");

    let code = sf::code_at(&secret, now());
    let res = app
        .post("/account/second-factor/confirm", &[("code", &code)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = body(res).await;
    let codes: Vec<&str> = between(&page, "id=\"recovery-codes\">", "</ol>")
        .unwrap()
        .split("<code>")
        .skip(1)
        .map(|c| c.split("</code>").next().unwrap())
        .collect();
    assert_eq!(codes.len(), 10);
    // stored only as SHA-256 of each code
    let hashes: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT code_hash FROM recovery_code WHERE user_id = $1")
            .bind(id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(hashes.len(), 10);
    for c in &codes {
        assert!(hashes.contains(&sf::recovery_hash(c)));
        assert!(!hashes.contains(&c.as_bytes().to_vec()));
    }
    // shown once: the page afterwards does not list them
    let later = body(app.get("/account/second-factor").await).await;
    assert!(!later.contains(codes[0]));
    assert!(later.contains("10"), "the count of codes left");
    assert_eq!(audit_count(&app.pool, "second_factor.begin", "ok").await, 1);
    assert_eq!(
        audit_count(&app.pool, "second_factor.enable", "failed").await,
        1
    );
    assert_eq!(
        audit_count(&app.pool, "second_factor.enable", "ok").await,
        1
    );
}

#[sqlx::test]
async fn login_takes_a_code_and_the_pending_cookie_alone_is_no_session(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let secret = demo_secret();
    let res = app.login_as(SECOND_FACTOR_EMAIL).await;
    assert_eq!(location(&res), "/login/code");
    let cookie = set_cookie(&res);
    assert!(cookie.starts_with("renkei_pending="), "{cookie}");
    assert!(!cookie.contains("renkei_session"));
    let token = cookie.split(';').next().unwrap().split('=').nth(1).unwrap();
    // with only the pending cookie nothing is reachable
    for path in ["/", "/account", &format!("/cases/{CASE_SUZUKI}")] {
        let res = app.get(path).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location(&res), "/login", "{path}");
    }
    // nor does its token work as a session cookie
    let forged = client()
        .get(app.url("/"))
        .header("cookie", format!("renkei_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&forged), "/login");
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM session")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sessions, 0, "no session before the code");
    assert_eq!(app.get("/login/code").await.status(), StatusCode::OK);
    // another browser without the pending cookie gets no code step
    assert_eq!(location(&app.browser().get("/login/code").await), "/login");

    let code = next_code(&secret);
    let res = app.post("/login/code", &[("code", &code)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/");
    assert_eq!(app.get("/").await.status(), StatusCode::OK);
    assert_eq!(audit_count(&app.pool, "login.password", "ok").await, 1);
    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'login' AND outcome = 'ok'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(detail, "totp");

    // the same code again, in a new login: refused
    let again = app.browser();
    password_step(&again, SECOND_FACTOR_EMAIL).await;
    let res = again.post("/login/code", &[("code", &code)]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(body(res).await.contains("id=\"code-error\""));
    assert_eq!(location(&again.get("/").await), "/login");
    assert_eq!(audit_count(&app.pool, "login.code", "failed").await, 1);
    // the pending login expires: the code step is gone after its time
    sqlx::query("UPDATE pending_login SET expires_at = now() - interval '1 second'")
        .execute(&app.pool)
        .await
        .unwrap();
    let res = again
        .post("/login/code", &[("code", &sf::code_at(&secret, now()))])
        .await;
    assert_eq!(location(&res), "/login");
}

#[sqlx::test]
async fn repeated_wrong_codes_lock_the_account_apart_from_the_password(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let secret = demo_secret();
    password_step(&app, SECOND_FACTOR_EMAIL).await;
    for n in 1..=5 {
        let res = app
            .post("/login/code", &[("code", &wrong_code(&secret))])
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "wrong code {n}");
    }
    // now even the right code waits
    let res = app
        .post("/login/code", &[("code", &next_code(&secret))])
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(body(res).await.contains("role=\"alert\""));
    assert_eq!(location(&app.get("/").await), "/login");
    assert_eq!(audit_count(&app.pool, "login.code", "failed").await, 5);
    assert_eq!(audit_count(&app.pool, "login.code", "denied").await, 1);
    let id = user_id(&app.pool, SECOND_FACTOR_EMAIL).await;
    let minutes: f64 = sqlx::query_scalar(
        "SELECT (extract(epoch FROM locked_until - now()) / 60)::float8 FROM second_factor_throttle
         WHERE user_id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        (0.5..=1.0).contains(&minutes),
        "one minute first: {minutes}"
    );
    // the password's own lock is untouched
    let password_lock: i64 = sqlx::query_scalar("SELECT count(*) FROM login_failure")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(password_lock, 0);
    // a sixth wrong code after the lock doubles it
    sqlx::query("UPDATE second_factor_throttle SET locked_until = now()")
        .execute(&app.pool)
        .await
        .unwrap();
    let res = app
        .post("/login/code", &[("code", &wrong_code(&secret))])
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let minutes: f64 = sqlx::query_scalar(
        "SELECT (extract(epoch FROM locked_until - now()) / 60)::float8 FROM second_factor_throttle",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!((1.5..=2.0).contains(&minutes), "then two: {minutes}");
}

#[sqlx::test]
async fn a_recovery_code_works_once_and_a_new_set_replaces_the_old(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("ot@sakura.example").await;
    let (secret, codes) = enrol(&app).await;

    let b = app.browser();
    password_step(&b, "ot@sakura.example").await;
    let res = b
        .post("/login/code", &[("code", &codes[0].to_uppercase())])
        .await;
    assert_eq!(location(&res), "/", "a recovery code, typed in capitals");
    assert_eq!(b.get("/").await.status(), StatusCode::OK);
    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'login' AND outcome = 'ok' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(detail, "recovery");

    let c = app.browser();
    password_step(&c, "ot@sakura.example").await;
    let res = c.post("/login/code", &[("code", &codes[0])]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "spent");

    // a new set after a current code: the old codes stop working
    let res = app
        .post(
            "/account/second-factor/recovery",
            &[("code", &wrong_code(&secret))],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("id=\"recovery-code-error\""));
    let res = app
        .post(
            "/account/second-factor/recovery",
            &[("code", &next_code(&secret))],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = body(res).await;
    assert!(page.contains("id=\"recovery-codes\""));
    assert!(!page.contains(&codes[1]));
    let res = c.post("/login/code", &[("code", &codes[1])]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "from the old set");
    assert_eq!(
        audit_count(&app.pool, "second_factor.recovery.renew", "failed").await,
        1
    );
    assert_eq!(
        audit_count(&app.pool, "second_factor.recovery.renew", "ok").await,
        1
    );
}

#[sqlx::test]
async fn turning_it_off_needs_the_password_and_a_current_code(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("ot@sakura.example").await;
    let (secret, _) = enrol(&app).await;
    let tries: [(&str, String, &str); 2] = [
        (
            "not-the-password-123",
            next_code(&secret),
            "disable-password-error",
        ),
        (PASSWORD, wrong_code(&secret), "disable-code-error"),
    ];
    for (password, code, error) in tries {
        let res = app
            .post(
                "/account/second-factor/disable",
                &[("password", password), ("code", &code)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body(res).await.contains(&format!("id=\"{error}\"")),
            "{error}"
        );
    }
    let id = user_id(&app.pool, "ot@sakura.example").await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM second_factor WHERE user_id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    assert_eq!(count().await, 1, "still on");
    let res = app
        .post(
            "/account/second-factor/disable",
            &[("password", PASSWORD), ("code", &next_code(&secret))],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(count().await, 0);
    assert_eq!(
        audit_count(&app.pool, "second_factor.disable", "failed").await,
        2
    );
    assert_eq!(
        audit_count(&app.pool, "second_factor.disable", "ok").await,
        1
    );
    // the password alone logs in again
    app.browser().login("ot@sakura.example").await;
}

#[sqlx::test]
async fn an_agency_requirement_allows_nothing_but_enrolment(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.browser();
    admin.login("jimu@sakura.example").await;
    let res = admin
        .post("/agency/second-factor", &[("required", "1")])
        .await;
    assert_eq!(location(&res), "/agency/members");
    assert_eq!(
        audit_count(&app.pool, "agency.second_factor.require", "ok").await,
        1
    );
    // staff of another agency may not set it
    let other = app.browser();
    other.login("staff@hikari.example").await;
    let res = other
        .post("/agency/second-factor", &[("required", "1")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        audit_count(&app.pool, "agency.second_factor.require", "denied").await,
        1
    );

    // a member without a second factor: the password, then enrolment and nothing else
    let res = app.login_as("ot@sakura.example").await;
    assert_eq!(location(&res), "/account/second-factor");
    for path in [
        "/".to_string(),
        format!("/cases/{CASE_SUZUKI}"),
        format!("/cases/{CASE_SUZUKI}/timeline"),
        "/account".to_string(),
    ] {
        let res = app.get(&path).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location(&res), "/account/second-factor", "{path}");
    }
    let res = app
        .post("/account/password", &[("current", PASSWORD)])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        audit_count(&app.pool, "second_factor.enrol_first", "denied").await,
        1
    );
    let page = body(app.get("/account/second-factor").await).await;
    assert!(page.contains("role=\"alert\""), "told why");

    let (secret, _) = enrol(&app).await;
    assert_eq!(
        app.get(&format!("/cases/{CASE_SUZUKI}")).await.status(),
        StatusCode::OK
    );
    // while required it cannot be turned off
    let res = app
        .post(
            "/account/second-factor/disable",
            &[("password", PASSWORD), ("code", &next_code(&secret))],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // the agency admin's own session is not cut short; other agencies are not affected
    assert_eq!(admin.get("/agency/members").await.status(), StatusCode::OK);
    app.browser().login("staff@hikari.example").await;
}

#[sqlx::test]
async fn eight_characters_are_enough_only_with_a_second_factor(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("ot@sakura.example").await;
    let short = "kumo-3ka";
    let change = [
        ("current", PASSWORD),
        ("new_password", short),
        ("confirm", short),
    ];
    let res = app.post("/account/password", &change).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("15"));
    let (secret, _) = enrol(&app).await;
    let page = body(app.get("/account").await).await;
    assert!(
        page.contains("8文字以上"),
        "the rule shown is the shorter one"
    );
    let res = app.post("/account/password", &change).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app
        .post(
            "/account/password",
            &[
                ("current", short),
                ("new_password", "kumo-3k"),
                ("confirm", "kumo-3k"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "seven is too few"
    );
    // the short password and a code log in
    let b = app.browser();
    let res = b
        .post(
            "/login",
            &[("email", "ot@sakura.example"), ("password", short)],
        )
        .await;
    assert_eq!(location(&res), "/login/code");
    let res = b
        .post("/login/code", &[("code", &next_code(&secret))])
        .await;
    assert_eq!(location(&res), "/");
    // it cannot be turned off while the password is that short
    let res = app
        .post(
            "/account/second-factor/disable",
            &[
                ("password", short),
                ("code", &sf::code_at(&secret, now() + 30)),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test]
async fn the_system_admin_resets_a_lost_second_factor(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let id = user_id(&app.pool, SECOND_FACTOR_EMAIL).await;
    let path = format!("/admin/users/{id}/second-factor/reset");
    let staff = app.browser();
    staff.login("jimu@sakura.example").await;
    assert_eq!(staff.post(&path, &[]).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        audit_count(&app.pool, "admin.user.second_factor.reset", "denied").await,
        1
    );
    app.login("admin@renkei.example").await;
    let page = body(app.get("/admin/users").await).await;
    assert!(page.contains(&path), "the reset button by the user");
    let res = app.post(&path, &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(body(res).await.contains(SECOND_FACTOR_EMAIL));
    assert_eq!(
        audit_count(&app.pool, "admin.user.second_factor.reset", "ok").await,
        1
    );
    // the password alone logs in now
    app.browser().login(SECOND_FACTOR_EMAIL).await;
}
