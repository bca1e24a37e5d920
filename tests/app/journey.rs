//! The whole journey of one person's case in headless Chromium, at 1280 px and at 390 px: the
//! lead records consent, the therapist assesses readiness and refers, the transition office
//! acknowledges and posts an observation, the clinic replies, a coordinator schedules a meeting
//! and records its minutes, the retention office scores a check; then each user logs out and the
//! back button shows nothing private. No console errors (a CSP violation would show there) and,
//! on the phone, no page wider than the screen.

use crate::browser::{click_and_wait, console_errors, fill, log_in, log_out, screenshot, Driver};
use crate::helpers::*;
use fantoccini::{Client, Locator};
use renkei::demo::{CASE_TANAKA, CASE_YAMADA, HIKARI};
use sqlx::PgPool;

/// Sets a field's value by script: date and time inputs take keys in the browser's locale.
async fn set(c: &Client, css: &str, value: &str) {
    c.execute(
        "document.querySelector(arguments[0]).value = arguments[1];",
        vec![css.into(), value.into()],
    )
    .await
    .unwrap();
}

/// Ticks every radio button or checkbox the selector finds.
async fn tick_all(c: &Client, css: &str) -> u64 {
    c.execute(
        "const xs = document.querySelectorAll(arguments[0]); xs.forEach(x => x.click()); return xs.length;",
        vec![css.into()],
    )
    .await
    .unwrap()
    .as_u64()
    .unwrap()
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

async fn page(c: &Client) -> String {
    c.source().await.unwrap()
}

/// On the phone, the page fits the screen: no sideways scrolling.
async fn fits(c: &Client, phone: bool, what: &str) {
    if phone {
        let width = c
            .execute("return document.documentElement.scrollWidth", vec![])
            .await
            .unwrap();
        assert!(
            width.as_u64().unwrap() <= 390,
            "{what}: scroll width {width}"
        );
    }
}

/// On a phone the header's links sit behind the menu button: open it as a user would.
pub(crate) async fn open_menu(c: &Client) {
    let summary = c
        .find(Locator::Css("details.menu > summary"))
        .await
        .unwrap();
    if summary.is_displayed().await.unwrap() {
        summary.click().await.unwrap();
    }
}

/// Logs out with the header's button, goes back, and finds nothing of the case on the screen.
async fn log_out_and_go_back(c: Client, private: &str) {
    log_out(&c).await;
    c.back().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let shown = page(&c).await;
    assert!(
        !shown.contains(private),
        "after logging out, the back button shows {private}"
    );
    let errors = console_errors(&c).await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    c.close().await.unwrap();
}

async fn journey(pool: PgPool, phone: bool) {
    let app = TestApp::spawn(pool).await;
    let driver = Driver::start();
    let tag = if phone { "phone" } else { "desktop" };
    let today = renkei::domain::dates::today_tokyo();
    let yamada = format!("/cases/{CASE_YAMADA}");

    // the clinic's PSW (the lead's coordinator) records 山田 太郎's consent for ひかり
    let psw = driver.browser(phone).await;
    log_in(&psw, &app, "psw@sakura.example", PASSWORD).await;
    psw.goto(&app.url(&format!("{yamada}/consents")))
        .await
        .unwrap();
    psw.find(Locator::Css("#agency_id"))
        .await
        .unwrap()
        .select_by_value(&HIKARI.to_string())
        .await
        .unwrap();
    // she agrees to share everything with ひかり
    assert!(tick_all(&psw, "input[name=category]").await >= 5);
    click(&psw, "input[name=given_by][value=person]").await;
    click(&psw, "input[name=method][value=written]").await;
    click(&psw, "input[name=term][value='1y']").await;
    set(&psw, "#given_on", &today.to_string()).await;
    fits(&psw, phone, "consent form").await;
    click_and_wait(
        &psw,
        &format!("form[action='{yamada}/consents'] > button[type=submit]"),
    )
    .await;
    assert!(page(&psw).await.contains("ひかり就労移行支援センター"));
    screenshot(&psw, &format!("journey-consent-{tag}")).await;
    fits(&psw, phone, "consents").await;

    // the OT assesses readiness: all six met, then refers to ひかり
    let ot = driver.browser(phone).await;
    log_in(&ot, &app, "ot@sakura.example", PASSWORD).await;
    ot.goto(&app.url(&format!("{yamada}/checks")))
        .await
        .unwrap();
    click(&ot, "details:has(form.checklist) > summary").await;
    assert_eq!(tick_all(&ot, "form.checklist input[value=met]").await, 6);
    set(&ot, "#assessed_on", &today.to_string()).await;
    click_and_wait(&ot, "form.checklist button[type=submit]").await;
    let result = text(&ot, "#latest-result").await;
    assert!(result.contains("すべて満たしています"), "{result}");
    screenshot(&ot, &format!("journey-readiness-{tag}")).await;
    fits(&ot, phone, "readiness").await;
    ot.goto(&app.url(&format!("{yamada}/referrals")))
        .await
        .unwrap();
    ot.find(Locator::Css("#to_agency_id"))
        .await
        .unwrap()
        .select_by_value(&HIKARI.to_string())
        .await
        .unwrap();
    click(&ot, "input[name=attach_assessment]").await;
    fill(&ot, "#hopes", "まず体験利用から始めたいと話しています。").await;
    click_and_wait(&ot, "#referral-form button[value=send]").await;
    screenshot(&ot, &format!("journey-referral-sent-{tag}")).await;
    let referral: uuid::Uuid = sqlx::query_scalar(
        "SELECT id FROM referral WHERE case_id = $1 AND to_agency_id = $2 AND state = 'sent'",
    )
    .bind(CASE_YAMADA)
    .bind(HIKARI)
    .fetch_one(&app.pool)
    .await
    .expect("the referral was sent");
    fits(&ot, phone, "referral sent").await;

    // ひかり's staff find it on the dashboard, acknowledge it and post an observation
    let hikari = driver.browser(phone).await;
    log_in(&hikari, &app, "staff@hikari.example", PASSWORD).await;
    let dash = page(&hikari).await;
    assert!(dash.contains("届いている紹介") && dash.contains("山田 太郎"));
    fits(&hikari, phone, "hikari dashboard").await;
    hikari
        .goto(&app.url(&format!("/referrals/{referral}")))
        .await
        .unwrap();
    assert!(page(&hikari).await.contains("まず体験利用から始めたい"));
    click(
        &hikari,
        "details:has(input[name=to][value=acknowledged]) > summary",
    )
    .await;
    fill(
        &hikari,
        "details[open] textarea[name=note]",
        "受け付けました。見学の日程をご連絡します。",
    )
    .await;
    click_and_wait(
        &hikari,
        "form:has(input[name=to][value=acknowledged]) button[type=submit]",
    )
    .await;
    let state = text(&hikari, "#referral-state").await;
    assert!(state.contains("受け付け"), "{state}");
    screenshot(&hikari, &format!("journey-acknowledged-{tag}")).await;
    fits(&hikari, phone, "acknowledged").await;
    hikari.goto(&app.url(&yamada)).await.unwrap();
    click_and_wait(&hikari, "a[href$='kind=observation']").await;
    fill(&hikari, "#situation", "見学の途中、説明が長くなったとき").await;
    fill(
        &hikari,
        "#body",
        "メモを取りながら、要点を自分で確かめていた。",
    )
    .await;
    fill(&hikari, "#handling", "説明を3点にまとめて渡した").await;
    click_and_wait(&hikari, "main form button[type=submit]").await;
    assert!(page(&hikari).await.contains("要点を自分で確かめていた"));
    fits(&hikari, phone, "observation").await;
    log_out_and_go_back(hikari, "要点を自分で確かめていた").await;

    // the OT finds the observation in the inbox and replies
    ot.goto(&app.url("/inbox")).await.unwrap();
    screenshot(&ot, &format!("journey-inbox-{tag}")).await;
    fits(&ot, phone, "inbox").await;
    click_and_wait(&ot, "ul.inbox li a").await;
    assert!(page(&ot).await.contains("要点を自分で確かめていた"));
    click(&ot, "input[name=answer][value=seen_here]").await;
    fill(
        &ot,
        "#situation",
        "外来のリハビリでも、メモで確かめている。",
    )
    .await;
    click_and_wait(&ot, "#reply button[type=submit]").await;
    assert!(page(&ot).await.contains("外来のリハビリでも"));
    screenshot(&ot, &format!("journey-reply-{tag}")).await;
    fits(&ot, phone, "reply").await;
    log_out_and_go_back(ot, "山田 太郎").await;

    // the PSW schedules a meeting with ひかり and records its minutes
    psw.goto(&app.url(&format!("{yamada}/meetings")))
        .await
        .unwrap();
    psw.find(Locator::Css("#purpose"))
        .await
        .unwrap()
        .select_by_index(1)
        .await
        .unwrap();
    let day = today + chrono::Duration::days(7);
    set(&psw, "#date", &day.to_string()).await;
    set(&psw, "#time", "10:00").await;
    set(&psw, "#duration", "60").await;
    fill(&psw, "#place", "さくら通りクリニック 相談室").await;
    click(&psw, &format!("input[name=invite][value='{HIKARI}']")).await;
    fits(&psw, phone, "meeting form").await;
    click_and_wait(&psw, "#meeting-form button[type=submit]").await;
    let meeting: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM meeting WHERE case_id = $1 AND place = $2")
            .bind(CASE_YAMADA)
            .bind("さくら通りクリニック 相談室")
            .fetch_one(&app.pool)
            .await
            .expect("the meeting was scheduled");
    // minutes are written once the meeting has started: the meeting is now under way
    sqlx::query("UPDATE meeting SET starts_at = now() - interval '10 minutes' WHERE id = $1")
        .bind(meeting)
        .execute(&app.pool)
        .await
        .unwrap();
    psw.goto(&app.url(&format!("/meetings/{meeting}")))
        .await
        .unwrap();
    fill(&psw, "#attendees", "山田 太郎さん、PSW、ひかり スタッフ").await;
    fill(&psw, "#discussion", "体験利用の始め方を話し合った。").await;
    fill(&psw, "#decisions", "来月から週2日の体験利用を始める。").await;
    psw.find(Locator::Css("select[name=owner_0]"))
        .await
        .unwrap()
        .select_by_index(1)
        .await
        .unwrap();
    fill(&psw, "input[name=what_0]", "体験利用の日程を本人と決める").await;
    set(
        &psw,
        "input[name=due_0]",
        &(today + chrono::Duration::days(14)).to_string(),
    )
    .await;
    click_and_wait(
        &psw,
        &format!("form[action='/meetings/{meeting}/minutes'] > button[type=submit]"),
    )
    .await;
    let shown = page(&psw).await;
    assert!(shown.contains("週2日の体験利用を始める"));
    assert!(shown.contains("体験利用の日程を本人と決める"));
    screenshot(&psw, &format!("journey-minutes-{tag}")).await;
    fits(&psw, phone, "minutes").await;
    log_out_and_go_back(psw, "週2日の体験利用を始める").await;

    // the retention office scores 田中 健's check
    let before: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM assessment WHERE case_id = $1 AND instrument_id = 'retention'",
    )
    .bind(CASE_TANAKA)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let aoba = driver.browser(phone).await;
    log_in(&aoba, &app, "teichaku@aoba.example", PASSWORD).await;
    aoba.goto(&app.url(&format!("/cases/{CASE_TANAKA}/checks/retention")))
        .await
        .unwrap();
    click(&aoba, "details:has(form.checklist) > summary").await;
    assert_eq!(
        tick_all(&aoba, "form.checklist input[type=radio][value='4']").await,
        27
    );
    set(&aoba, "#assessed_on", &today.to_string()).await;
    click_and_wait(&aoba, "form.checklist button[type=submit]").await;
    let after: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM assessment WHERE case_id = $1 AND instrument_id = 'retention'",
    )
    .bind(CASE_TANAKA)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(after, before + 1, "the check was recorded");
    assert!(aoba.find(Locator::Css("svg")).await.is_ok(), "the radar");
    screenshot(&aoba, &format!("journey-retention-{tag}")).await;
    fits(&aoba, phone, "retention check").await;
    log_out_and_go_back(aoba, "田中 健").await;
}

#[sqlx::test]
async fn the_whole_journey_of_a_case_at_desktop_width(pool: PgPool) {
    journey(pool, false).await;
}

#[sqlx::test]
async fn the_whole_journey_of_a_case_on_a_phone(pool: PgPool) {
    journey(pool, true).await;
}

/// Every visible table cell narrower than this, on a 390 px screen, is a squeezed table.
const NARROWEST_CELL: f64 = 90.0;

/// Cells narrower than `NARROWEST_CELL`, with their text, and the page's scroll width.
async fn squeezed(c: &Client) -> (Vec<String>, u64) {
    let found = c
        .execute(
            "const out = [];
             for (const td of document.querySelectorAll('main td, main tbody th')) {
               const r = td.getBoundingClientRect();
               if (r.width > 0 && r.height > 0 && r.width < arguments[0]) {
                 out.push(Math.round(r.width) + 'px: ' + td.textContent.trim().slice(0, 30));
               }
             }
             return [out, document.documentElement.scrollWidth];",
            vec![NARROWEST_CELL.into()],
        )
        .await
        .unwrap();
    let cells = found[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    (cells, found[1].as_u64().unwrap())
}

#[sqlx::test]
async fn every_main_page_on_a_phone_has_no_squeezed_table(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let driver = Driver::start();
    let meeting = renkei::demo::MEETING_SUZUKI;
    let referral: uuid::Uuid = sqlx::query_scalar("SELECT id FROM referral LIMIT 1")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let case_pages = |case: uuid::Uuid| {
        [
            "",
            "/timeline",
            "/legal",
            "/daily",
            "/checks",
            "/checks/retention",
            "/referrals",
            "/meetings",
            "/team",
            "/consents",
            "/plans",
            "/reports",
        ]
        .map(|p| format!("/cases/{case}{p}"))
        .to_vec()
    };
    let common = || {
        [
            "/",
            "/cases",
            "/tasks",
            "/referrals",
            "/inbox",
            "/agencies",
            "/account",
            "/account/notifications",
            "/agency/ledger",
            "/agency/regional-meetings",
        ]
        .map(String::from)
        .to_vec()
    };
    let mut visits: Vec<(&str, Vec<String>)> = vec![
        ("psw@sakura.example", {
            let mut v = common();
            v.extend(case_pages(renkei::demo::CASE_SUZUKI));
            v.extend(case_pages(CASE_YAMADA));
            v.push(format!("/cases/{CASE_YAMADA}/access-log"));
            v.push(format!("/cases/{CASE_YAMADA}/ledger"));
            v.push(format!("/meetings/{meeting}"));
            v.push(format!("/referrals/{referral}"));
            v
        }),
        ("teichaku@aoba.example", {
            let mut v = common();
            v.extend(case_pages(CASE_TANAKA));
            v.push(format!("/cases/{CASE_TANAKA}/access-log"));
            v.push(format!("/cases/{CASE_TANAKA}/ledger"));
            v
        }),
        ("boss@midori.example", {
            let mut v = common();
            v.extend(case_pages(CASE_TANAKA));
            v
        }),
        ("sabikan@hikari.example", {
            let mut v = common();
            v.extend(case_pages(renkei::demo::CASE_TAKAHASHI));
            v.push(format!(
                "/cases/{}/access-log",
                renkei::demo::CASE_TAKAHASHI
            ));
            v.push(format!("/cases/{}/ledger", renkei::demo::CASE_SUZUKI));
            v
        }),
        (
            "jimu@sakura.example",
            vec!["/agency/members".into(), "/agency/audit".into()],
        ),
        (
            "admin@renkei.example",
            vec![
                "/admin".into(),
                "/admin/agencies".into(),
                "/admin/mail".into(),
                "/admin/users".into(),
            ],
        ),
    ];
    let mut pages = 0;
    let mut problems = Vec::new();
    for (email, paths) in visits.drain(..) {
        let c = driver.browser(true).await;
        log_in(&c, &app, email, PASSWORD).await;
        for path in paths {
            c.goto(&app.url(&path)).await.unwrap();
            let (cells, width) = squeezed(&c).await;
            pages += 1;
            if width > 390 || !cells.is_empty() {
                let name = path.replace('/', "_");
                screenshot(&c, &format!("squeezed{name}")).await;
                problems.push(format!("{email} {path}: width {width}, {cells:?}"));
            }
        }
        let errors = console_errors(&c).await;
        assert!(errors.is_empty(), "{email}: console errors: {errors:?}");
        c.close().await.unwrap();
    }
    assert!(pages > 50, "{pages} pages seen");
    assert!(
        problems.is_empty(),
        "squeezed on a phone:\n{}",
        problems.join("\n")
    );
}
