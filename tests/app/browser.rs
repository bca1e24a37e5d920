//! End to end in headless Chromium: logging in, the acting-agency switch, the phone width,
//! wrong input, and no console errors (a CSP violation would show there). Screenshots go to
//! target/screenshots/ to be looked at.

use crate::helpers::*;
use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use sqlx::PgPool;
use std::process::{Child, Command, Stdio};

/// Chromedriver on a free port; killed when dropped, even when the test panics.
pub(crate) struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    pub(crate) fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (apt-get install chromium-driver)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Driver { child, port }
    }

    pub(crate) async fn browser(&self, phone: bool) -> Client {
        let mut options = serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--disable-sync", "--window-size=1280,900", "--lang=ja-JP"
            ],
            // a Japanese user's browser asks for Japanese
            "prefs": {"intl.accept_languages": "ja-JP,ja"},
        });
        if phone {
            options["mobileEmulation"] = serde_json::json!({"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 1}});
        }
        let mut caps = Capabilities::new();
        caps.insert("goog:chromeOptions".into(), options);
        caps.insert(
            "goog:loggingPrefs".into(),
            serde_json::json!({"browser": "ALL"}),
        );
        ClientBuilder::rustls()
            .unwrap()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("chromium starts")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or("")))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.into()))
    }
}

/// Console messages at SEVERE level (errors, CSP violations), except the pages we asked for
/// that answer with an error status on purpose (a refused login, a missing page).
pub(crate) async fn console_errors(c: &Client) -> Vec<String> {
    let log = c.issue_cmd(BrowserLog).await.unwrap();
    log.as_array()
        .map(|entries| {
            entries
                .iter()
                .filter(|e| e["level"] == "SEVERE")
                .filter(|e| {
                    let m = e["message"].as_str().unwrap_or("");
                    !(m.contains("Failed to load resource")
                        && (m.contains("status of 401")
                            || m.contains("status of 422")
                            || m.contains("/no-such-page")))
                })
                .map(|e| e["message"].to_string())
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) async fn screenshot(c: &Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(format!("{name}.png")),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
}

pub(crate) async fn fill(c: &Client, css: &str, text: &str) {
    let field = c.find(Locator::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Clicks something that loads a new page and waits until the old page is gone.
pub(crate) async fn click_and_wait(c: &Client, css: &str) {
    let old = c.find(Locator::Css("html")).await.unwrap();
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("clicking {css}: {e}"));
    for _ in 0..100 {
        if old.tag_name().await.is_err() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("clicking {css} loaded no new page");
}

/// Logs out with the header's button. On a phone it sits behind the menu button, which is
/// opened first as a user would. On a desk the menu is always shown (CSS `::details-content`),
/// which WebDriver's visibility check does not know about: there the button is checked to be on
/// the screen, then clicked by script.
pub(crate) async fn log_out(c: &Client) {
    let summary = c
        .find(Locator::Css("details.menu > summary"))
        .await
        .unwrap();
    if summary.is_displayed().await.unwrap() {
        summary.click().await.unwrap();
        click_and_wait(c, "nav form[action='/logout'] button").await;
    } else {
        let old = c.find(Locator::Css("html")).await.unwrap();
        let shown = c
            .execute(
                "window.scrollTo(0, 0);
                 const b = document.querySelector(\"nav form[action='/logout'] button\");
                 const r = b.getBoundingClientRect();
                 const ok = r.width > 0 && r.height > 0 && r.top >= 0 && r.top < innerHeight;
                 if (ok) { b.click(); }
                 return ok;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            shown,
            serde_json::json!(true),
            "the logout button is on the screen"
        );
        for _ in 0..100 {
            if old.tag_name().await.is_err() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
    assert_eq!(c.current_url().await.unwrap().path(), "/login");
}

pub(crate) async fn log_in(c: &Client, app: &TestApp, email: &str, password: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    fill(c, "#email", email).await;
    fill(c, "#password", password).await;
    click_and_wait(c, "main button[type=submit]").await;
}

#[sqlx::test]
async fn a_user_logs_in_switches_agency_and_logs_out_in_a_real_browser(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let driver = Driver::start();
    let c = driver.browser(false).await;

    // wrong password first: the message, and the email kept
    log_in(&c, &app, "dual@sakura.example", "this-is-not-it-123").await;
    let alert = c
        .find(Locator::Css("[role=alert]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(alert.contains("正しくありません"), "{alert}");
    let kept = c
        .find(Locator::Css("#email"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("dual@sakura.example"));
    screenshot(&c, "login-error").await;

    log_in(&c, &app, "dual@sakura.example", PASSWORD).await;
    assert_eq!(c.current_url().await.unwrap().path(), "/");
    let h1 = c
        .find(Locator::Css("main h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(h1, "ホーム");
    screenshot(&c, "dashboard-desktop").await;

    // switch to ひかり with the header's form
    let select = c.find(Locator::Css("#acting-agency")).await.unwrap();
    select
        .select_by_value(&renkei::demo::HIKARI.to_string())
        .await
        .unwrap();
    click_and_wait(&c, ".acting button").await;
    let chosen = c
        .find(Locator::Css("#acting-agency option:checked"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(chosen, "ひかり就労移行支援センター");

    let errors = console_errors(&c).await;
    assert!(errors.is_empty(), "console errors: {errors:?}");

    log_out(&c).await;
    c.close().await.unwrap();

    // the phone width: the page fits without sideways scrolling
    let phone = driver.browser(true).await;
    log_in(&phone, &app, "staff@hikari.example", PASSWORD).await;
    assert_eq!(phone.current_url().await.unwrap().path(), "/");
    let width = phone
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .unwrap();
    assert!(width.as_u64().unwrap() <= 390, "scroll width {width}");
    screenshot(&phone, "dashboard-phone").await;
    phone.goto(&app.url("/no-such-page")).await.unwrap();
    screenshot(&phone, "not-found-phone").await;
    let errors = console_errors(&phone).await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    phone.close().await.unwrap();
}

#[sqlx::test]
async fn a_coordinator_opens_a_case_and_records_consent_in_a_real_browser(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let driver = Driver::start();
    let c = driver.browser(false).await;
    log_in(&c, &app, "psw@sakura.example", PASSWORD).await;
    c.goto(&app.url("/cases/new")).await.unwrap();
    fill(&c, "#family_name", "小川").await;
    fill(&c, "#given_name", "次郎").await;
    fill(&c, "#family_kana", "おがわ").await;
    fill(&c, "#given_kana", "じろう").await;
    fill(&c, "#municipality", "みどり市").await;
    // no date of birth yet: the form comes back with the rest kept
    click_and_wait(&c, "main form button[type=submit]").await;
    let kana = c
        .find(Locator::Css("#family_kana"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kana.as_deref(), Some("オガワ"));
    assert!(c.find(Locator::Css("#birth_date-error")).await.is_ok());
    screenshot(&c, "case-new-error").await;
    c.execute(
        "document.getElementById('birth_date').value = '1980-04-01'",
        vec![],
    )
    .await
    .unwrap();
    click_and_wait(&c, "main form button[type=submit]").await;
    let page = c.source().await.unwrap();
    assert!(page.contains("昭和55年(1980年)4月1日"), "the case page");
    screenshot(&c, "case-page").await;

    // consent for ひかり: training and assessment, one year
    let case_path = c.current_url().await.unwrap().path().to_string();
    c.goto(&app.url(&format!("{case_path}/consents")))
        .await
        .unwrap();
    c.find(Locator::Css("#agency_id"))
        .await
        .unwrap()
        .select_by_value(&renkei::demo::HIKARI.to_string())
        .await
        .unwrap();
    for css in [
        "input[name=category][value=training]",
        "input[name=category][value=assessment]",
        "input[name=given_by][value=person]",
        "input[name=method][value=written]",
    ] {
        c.find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    click_and_wait(&c, "main form[action$='/consents'] button[type=submit]").await;
    let page = c.source().await.unwrap();
    assert!(page.contains("ひかり就労移行支援センター"));
    assert!(page.contains("有効"));
    screenshot(&c, "consents").await;
    let errors = console_errors(&c).await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    c.close().await.unwrap();

    let phone = driver.browser(true).await;
    log_in(&phone, &app, "sabikan@hikari.example", PASSWORD).await;
    phone
        .goto(&app.url(&format!("/cases/{}", renkei::demo::CASE_TAKAHASHI)))
        .await
        .unwrap();
    screenshot(&phone, "case-page-phone").await;
    let width = phone
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .unwrap();
    assert!(width.as_u64().unwrap() <= 390, "scroll width {width}");
    phone.close().await.unwrap();
}

#[sqlx::test]
async fn an_observation_reaches_the_clinic_which_replies_in_a_real_browser(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let driver = Driver::start();
    let case = renkei::demo::CASE_SUZUKI;

    // ひかり's staff report an observation on 鈴木 一郎's case
    let hikari = driver.browser(false).await;
    log_in(&hikari, &app, "staff@hikari.example", PASSWORD).await;
    hikari
        .goto(&app.url(&format!("/cases/{case}")))
        .await
        .unwrap();
    screenshot(&hikari, "timeline-desktop").await;
    click_and_wait(&hikari, "a[href$='kind=observation']").await;
    // first without the text: the form comes back with the rest kept
    fill(
        &hikari,
        "#situation",
        "午後の作業中、指示を2つ続けて出したとき",
    )
    .await;
    click_and_wait(&hikari, "main form button[type=submit]").await;
    assert!(hikari.find(Locator::Css("#body-error")).await.is_ok());
    let kept = hikari
        .find(Locator::Css("#situation"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        kept.as_deref(),
        Some("午後の作業中、指示を2つ続けて出したとき")
    );
    fill(&hikari, "#body", "作業の途中で、手順を1つ飛ばしてしまう。").await;
    fill(&hikari, "#handling", "手順書を指さし確認してもらった").await;
    screenshot(&hikari, "entry-form").await;
    click_and_wait(&hikari, "main form button[type=submit]").await;
    assert!(hikari
        .source()
        .await
        .unwrap()
        .contains("手順を1つ飛ばしてしまう"));
    hikari.close().await.unwrap();

    // the clinic's OT finds it in the inbox and replies
    let ot = driver.browser(true).await;
    log_in(&ot, &app, "ot@sakura.example", PASSWORD).await;
    crate::journey::open_menu(&ot).await;
    screenshot(&ot, "menu-open-phone").await;
    let unread = ot
        .find(Locator::Css("#unread-count"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!unread.is_empty());
    ot.goto(&app.url("/inbox")).await.unwrap();
    screenshot(&ot, "inbox-phone").await;
    click_and_wait(&ot, "ul.inbox li a").await;
    assert!(ot
        .source()
        .await
        .unwrap()
        .contains("手順を1つ飛ばしてしまう"));
    ot.find(Locator::Css("input[name=answer][value=seen_here]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(
        &ot,
        "#situation",
        "デイケアでも、調理の手順で同じことがあった。",
    )
    .await;
    click_and_wait(&ot, "#reply button[type=submit]").await;
    let page = ot.source().await.unwrap();
    assert!(page.contains("こちらでも起きている"));
    assert!(page.contains("調理の手順で同じことがあった"));
    screenshot(&ot, "reply-phone").await;
    let width = ot
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .unwrap();
    assert!(width.as_u64().unwrap() <= 390, "scroll width {width}");
    let errors = console_errors(&ot).await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    ot.close().await.unwrap();
}

#[sqlx::test]
async fn readiness_and_the_referral_letter_look_right_in_a_real_browser(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let driver = Driver::start();
    let c = driver.browser(false).await;
    log_in(&c, &app, "ot@sakura.example", PASSWORD).await;
    c.goto(&app.url(&format!("/cases/{}/checks", renkei::demo::CASE_YAMADA)))
        .await
        .unwrap();
    let result = c
        .find(Locator::Css("#latest-result"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        result.contains("まだ紹介の目安を満たしていません"),
        "{result}"
    );
    screenshot(&c, "readiness").await;
    let referral: uuid::Uuid = sqlx::query_scalar("SELECT id FROM referral LIMIT 1")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    c.goto(&app.url(&format!("/referrals/{referral}")))
        .await
        .unwrap();
    screenshot(&c, "referral").await;
    c.goto(&app.url(&format!("/referrals/{referral}/print")))
        .await
        .unwrap();
    screenshot(&c, "referral-letter").await;
    let errors = console_errors(&c).await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    c.close().await.unwrap();
}

#[sqlx::test]
async fn a_meeting_and_its_printed_material_in_a_real_browser(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let driver = Driver::start();
    let c = driver.browser(true).await;
    log_in(&c, &app, "sabikan@hikari.example", PASSWORD).await;
    let m = renkei::demo::MEETING_TAKAHASHI;
    c.goto(&app.url(&format!("/meetings/{m}"))).await.unwrap();
    let status = c
        .find(Locator::Css("#meeting-status"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(status, "予定");
    screenshot(&c, "meeting-phone").await;
    let width = c
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .unwrap();
    assert!(width.as_u64().unwrap() <= 390, "scroll width {width}");
    // the material, made for its reader; the convener previews what an invitee will read
    c.goto(&app.url(&format!("/meetings/{m}/material")))
        .await
        .unwrap();
    screenshot(&c, "material-phone").await;
    let width = c
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .unwrap();
    assert!(width.as_u64().unwrap() <= 390, "scroll width {width}");
    c.find(Locator::Css("#preview-form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let notice = c
        .wait()
        .for_element(Locator::Css("div[role=status]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(notice.contains("に見える資料を表示しています"), "{notice}");
    screenshot(&c, "material-preview-phone").await;
    c.goto(&app.url(&format!("/meetings/{m}/material/print")))
        .await
        .unwrap();
    screenshot(&c, "material-print-phone").await;
    let errors = console_errors(&c).await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    c.close().await.unwrap();
}

#[sqlx::test]
async fn the_legal_timeline_and_the_radar_in_a_real_browser(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let driver = Driver::start();
    let c = driver.browser(false).await;
    log_in(&c, &app, "teichaku@aoba.example", PASSWORD).await;
    let case = renkei::demo::CASE_TANAKA;
    c.goto(&app.url(&format!("/cases/{case}/legal")))
        .await
        .unwrap();
    assert!(c.find(Locator::Css("#today")).await.is_ok());
    screenshot(&c, "legal").await;
    c.goto(&app.url(&format!("/cases/{case}/checks/retention")))
        .await
        .unwrap();
    assert!(c
        .find(Locator::Css("svg.radar-chart polygon.current"))
        .await
        .is_ok());
    screenshot(&c, "radar").await;
    let errors = console_errors(&c).await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    c.close().await.unwrap();
    let phone = driver.browser(true).await;
    log_in(&phone, &app, renkei::demo::PARTICIPANT_EMAIL, PASSWORD).await;
    assert_eq!(phone.current_url().await.unwrap().path(), "/me/daily");
    screenshot(&phone, "daily-phone").await;
    let width = phone
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .unwrap();
    assert!(width.as_u64().unwrap() <= 390, "scroll width {width}");
    phone.close().await.unwrap();
    // the lead's view of her reports, with her account's new password and off/on forms
    let lead = driver.browser(true).await;
    log_in(&lead, &app, "sabikan@hikari.example", PASSWORD).await;
    lead.goto(&app.url(&format!("/cases/{}/daily", renkei::demo::CASE_TAKAHASHI)))
        .await
        .unwrap();
    assert!(lead
        .find(Locator::Css("form[action$='participant-account/password']"))
        .await
        .is_ok());
    screenshot(&lead, "daily-account-phone").await;
    let width = lead
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .unwrap();
    assert!(width.as_u64().unwrap() <= 390, "scroll width {width}");
    lead.close().await.unwrap();
}

/// Issue 8's walk: a clinic OT finds the transition offices near the person that support
/// 高次脳機能障害, opens ひかり's profile, sees faces, the program and the next 見学会, and starts
/// a referral from there.
#[sqlx::test]
async fn a_therapist_finds_an_office_and_refers_from_its_profile_in_a_real_browser(pool: PgPool) {
    use renkei::demo::{CASE_YAMADA, HIKARI};
    let app = TestApp::spawn(pool).await;
    let driver = Driver::start();
    for phone in [false, true] {
        let c = driver.browser(phone).await;
        log_in(&c, &app, "ot@sakura.example", PASSWORD).await;
        c.goto(&app.url("/agencies")).await.unwrap();
        for (select, value) in [
            ("#kind", "transition_office"),
            ("#area", "みどり市"),
            ("#disability", "brain_injury"),
        ] {
            c.find(Locator::Css(select))
                .await
                .unwrap()
                .select_by_value(value)
                .await
                .unwrap();
        }
        click_and_wait(&c, "form.filters button[type=submit]").await;
        let count = c
            .find(Locator::Css("#directory-count"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(count, "1件");
        let suffix = if phone { "-phone" } else { "" };
        screenshot(&c, &format!("directory{suffix}")).await;

        click_and_wait(&c, &format!("a[href='/agencies/{HIKARI}']")).await;
        let text = c
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for shown in [
            "吉田 明美",
            "加藤 翔",
            "作業トレーニング",
            "見学会（高次脳機能障害の方向け）",
        ] {
            assert!(text.contains(shown), "{shown}");
        }
        // the faces are real pictures the browser could decode
        let loaded = c
            .execute(
                "return Array.from(document.querySelectorAll('.staff-card img'))
                        .filter(i => i.complete && i.naturalWidth > 0).length",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(loaded.as_u64(), Some(2));
        screenshot(&c, &format!("agency-profile{suffix}")).await;

        c.find(Locator::Css("#case"))
            .await
            .unwrap()
            .select_by_value(&CASE_YAMADA.to_string())
            .await
            .unwrap();
        click_and_wait(&c, "#connect button[value=referral]").await;
        let chosen = c
            .find(Locator::Css("#to_agency_id"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap();
        assert_eq!(chosen.as_deref(), Some(HIKARI.to_string().as_str()));
        if !phone {
            fill(
                &c,
                "#hopes",
                "高次脳機能障害に慣れた事業所で、見学から始めたい。",
            )
            .await;
            click_and_wait(&c, "button[name=action][value=draft]").await;
            let drafts: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM referral WHERE case_id = $1 AND to_agency_id = $2",
            )
            .bind(CASE_YAMADA)
            .bind(HIKARI)
            .fetch_one(&app.pool)
            .await
            .unwrap();
            assert_eq!(drafts, 1);
        }
        let errors = console_errors(&c).await;
        assert!(errors.is_empty(), "console errors: {errors:?}");
        c.close().await.unwrap();
    }
}

/// The code of the next 30-second step of the demo's published secret (accepted with one step
/// of skew, and never one used before in this step).
fn demo_code() -> String {
    let secret =
        renkei::domain::second_factor::secret_from_text(renkei::demo::SECOND_FACTOR_SECRET)
            .unwrap();
    renkei::domain::second_factor::code_at(&secret, chrono::Utc::now().timestamp() as u64 + 30)
}

#[sqlx::test]
async fn a_user_with_a_second_factor_logs_in_with_a_code_in_a_real_browser(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let driver = Driver::start();
    for (phone, name) in [(false, "desktop"), (true, "phone")] {
        let c = driver.browser(phone).await;
        log_in(&c, &app, renkei::demo::SECOND_FACTOR_EMAIL, PASSWORD).await;
        assert_eq!(c.current_url().await.unwrap().path(), "/login/code");
        // a wrong code first: the message by the field
        fill(&c, "#code", "000000").await;
        click_and_wait(&c, "main button[type=submit]").await;
        let error = c
            .find(Locator::Css("#code-error"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(error.contains("正しくない"), "{error}");
        screenshot(&c, &format!("login-code-{name}")).await;
        if phone {
            let width = c
                .execute("return document.documentElement.scrollWidth", vec![])
                .await
                .unwrap();
            assert!(width.as_u64().unwrap() <= 390, "scroll width {width}");
        }
        // each run uses the next step's code: the phone run as if it came later
        sqlx::query("UPDATE second_factor SET last_step = 0")
            .execute(&app.pool)
            .await
            .unwrap();
        let code = demo_code();
        fill(&c, "#code", &code).await;
        click_and_wait(&c, "main button[type=submit]").await;
        assert_eq!(c.current_url().await.unwrap().path(), "/");
        screenshot(&c, &format!("login-code-dashboard-{name}")).await;
        // the account's second-factor page, with its forms
        c.goto(&app.url("/account/second-factor")).await.unwrap();
        screenshot(&c, &format!("second-factor-on-{name}")).await;
        if phone {
            let width = c
                .execute("return document.documentElement.scrollWidth", vec![])
                .await
                .unwrap();
            assert!(width.as_u64().unwrap() <= 390, "scroll width {width}");
        }
        let errors = console_errors(&c).await;
        assert!(errors.is_empty(), "console errors: {errors:?}");
        c.close().await.unwrap();
    }

    // enrolment of another user: the QR code shows (an image from a data: URL, allowed by the CSP)
    let c = driver.browser(true).await;
    log_in(&c, &app, "ot@sakura.example", PASSWORD).await;
    c.goto(&app.url("/account/second-factor")).await.unwrap();
    click_and_wait(
        &c,
        "main form[action='/account/second-factor/begin'] button",
    )
    .await;
    let loaded = c
        .execute(
            "const i = document.querySelector('figure.qr img'); return i.complete && i.naturalWidth > 0",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(loaded, serde_json::json!(true), "the QR code is drawn");
    let width = c
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .unwrap();
    assert!(width.as_u64().unwrap() <= 390, "scroll width {width}");
    screenshot(&c, "second-factor-enrol-phone").await;
    let errors = console_errors(&c).await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    c.close().await.unwrap();
}
