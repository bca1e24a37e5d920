//! The forms' journeys in headless Chromium at 1280 and 390 px: a save shows its confirmation
//! and a reload does not; a failed task edit and a failed visit date come back as typed; the
//! participant corrects today's report; an action item's owner is picked from the team's people
//! with a row added. No console errors (a CSP violation would show there), and on the phone no
//! page wider than the screen.

use crate::browser::{click_and_wait, console_errors, fill, log_in, log_out, screenshot, Driver};
use crate::helpers::*;
use fantoccini::{Client, Locator};
use renkei::demo::{AOBA, MEETING_TAKAHASHI, PARTICIPANT_EMAIL};
use sqlx::PgPool;
use uuid::Uuid;

/// Sets a field's value by script: date inputs take keys in the browser's locale.
async fn set(c: &Client, css: &str, value: &str) {
    c.execute(
        "document.querySelector(arguments[0]).value = arguments[1];",
        vec![css.into(), value.into()],
    )
    .await
    .unwrap();
}

async fn value(c: &Client, css: &str) -> String {
    c.execute(
        "return document.querySelector(arguments[0]).value;",
        vec![css.into()],
    )
    .await
    .unwrap()
    .as_str()
    .unwrap_or_default()
    .to_string()
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("clicking {css}: {e}"));
}

async fn flash(c: &Client) -> Option<String> {
    match c.find(Locator::Css("#flash")).await {
        Ok(e) => Some(e.text().await.unwrap()),
        Err(_) => None,
    }
}

/// The confirmation is on the page, and gone after a reload.
async fn confirmed_once(c: &Client, words: &str, what: &str) {
    assert_eq!(flash(c).await.as_deref(), Some(words), "{what}");
    c.refresh().await.unwrap();
    assert_eq!(
        flash(c).await,
        None,
        "{what}: a reload shows no confirmation"
    );
}

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

async fn no_console_errors(c: &Client) {
    let errors = console_errors(c).await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
}

async fn forms_journey(pool: PgPool, phone: bool) {
    let app = TestApp::spawn(pool).await;
    let driver = Driver::start();
    let tag = if phone { "phone" } else { "desk" };
    let today = renkei::domain::dates::today_tokyo();

    // 1. a task edit with no date comes back as the task's form, the text kept
    let (task, email): (Uuid, String) = sqlx::query_as(
        "SELECT t.id, u.email FROM task t
           JOIN membership m ON m.agency_id = t.owner_agency_id
           JOIN app_user u ON u.id = m.user_id
          WHERE t.status = 'open' AND u.active AND u.participant_case_id IS NULL
            AND (SELECT count(*) FROM membership x WHERE x.user_id = u.id) = 1
            AND NOT EXISTS (SELECT 1 FROM second_factor f
                             WHERE f.user_id = u.id AND f.enabled_at IS NOT NULL)
          ORDER BY t.due_on, t.id, u.email LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let c = driver.browser(phone).await;
    log_in(&c, &app, &email, PASSWORD).await;
    c.goto(&app.url("/tasks")).await.unwrap();
    let form = format!("form[action='/tasks/{task}']");
    click(&c, &format!("details:has({form}) > summary")).await;
    fill(
        &c,
        &format!("{form} input[name=title]"),
        "本人と書類を確かめる",
    )
    .await;
    set(&c, &format!("{form} input[name=due_on]"), "").await;
    click_and_wait(&c, &format!("{form} button[type=submit]")).await;
    assert_eq!(
        c.current_url().await.unwrap().path(),
        format!("/tasks/{task}")
    );
    assert_eq!(value(&c, "#title").await, "本人と書類を確かめる");
    assert!(c.find(Locator::Css("#due_on-error")).await.is_ok());
    fits(&c, phone, "task edit form").await;
    screenshot(&c, &format!("forms-task-error-{tag}")).await;
    let due = (today + chrono::Duration::days(6)).to_string();
    set(&c, "#due_on", &due).await;
    click_and_wait(&c, "#task-edit button[type=submit]").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/tasks");
    screenshot(&c, &format!("forms-task-saved-{tag}")).await;
    confirmed_once(&c, "保存しました", "task edit").await;
    assert!(c.source().await.unwrap().contains("本人と書類を確かめる"));
    no_console_errors(&c).await;
    log_out(&c).await;

    // 2. a visit date in the past comes back as typed, with the note and the message
    let referral: Uuid =
        sqlx::query_scalar("SELECT id FROM referral WHERE state = 'visit_scheduled' LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    sqlx::query("UPDATE referral SET state = 'acknowledged', visit_on = NULL WHERE id = $1")
        .bind(referral)
        .execute(&app.pool)
        .await
        .unwrap();
    log_in(&c, &app, "staff@hikari.example", PASSWORD).await;
    c.goto(&app.url(&format!("/referrals/{referral}")))
        .await
        .unwrap();
    let step = "details:has(input[name=visit_on])";
    click(&c, &format!("{step} > summary")).await;
    let past = (today - chrono::Duration::days(3)).to_string();
    set(&c, &format!("{step} input[name=visit_on]"), &past).await;
    fill(
        &c,
        &format!("{step} textarea[name=note]"),
        "午後の見学を希望",
    )
    .await;
    click_and_wait(&c, &format!("{step} button[type=submit]")).await;
    assert_eq!(
        value(&c, "input[name=visit_on]").await,
        past,
        "the date kept"
    );
    assert_eq!(
        value(&c, &format!("{step} textarea[name=note]")).await,
        "午後の見学を希望"
    );
    assert!(c
        .find(Locator::Css(&format!("{step}[open] .field-error")))
        .await
        .is_ok());
    fits(&c, phone, "referral step").await;
    screenshot(&c, &format!("forms-visit-error-{tag}")).await;
    let visit = (today + chrono::Duration::days(5)).to_string();
    set(&c, &format!("{step} input[name=visit_on]"), &visit).await;
    click_and_wait(&c, &format!("{step} button[type=submit]")).await;
    confirmed_once(&c, "記録しました", "visit scheduled").await;
    no_console_errors(&c).await;
    log_out(&c).await;

    // 3. the participant records her day, then corrects it
    log_in(&c, &app, PARTICIPANT_EMAIL, PASSWORD).await;
    assert_eq!(c.current_url().await.unwrap().path(), "/me/daily");
    fill(&c, "#sleep_hours", "7").await;
    for (name, v) in [
        ("sleep_quality", "4"),
        ("appetite", "4"),
        ("mood", "4"),
        ("medication_taken", "yes"),
        ("fatigue_recovered", "yes"),
    ] {
        click(&c, &format!("input[name={name}][value='{v}']")).await;
    }
    fill(&c, "#note", "よく眠れた").await;
    click_and_wait(&c, "form.daily-form button[type=submit]").await;
    assert_eq!(flash(&c).await.as_deref(), Some("記録しました"));
    assert!(c.find(Locator::Css("#daily-correcting")).await.is_ok());
    click(&c, "input[name=mood][value='2']").await;
    fill(&c, "#note", "夜に目が覚めた").await;
    fits(&c, phone, "today's report").await;
    click_and_wait(&c, "form.daily-form button[type=submit]").await;
    screenshot(&c, &format!("forms-daily-corrected-{tag}")).await;
    confirmed_once(&c, "保存しました", "today's report corrected").await;
    let (mood, note): (i16, String) =
        sqlx::query_as("SELECT mood, note FROM daily_report WHERE case_id = $1 AND day = $2")
            .bind(renkei::demo::CASE_TAKAHASHI)
            .bind(today)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((mood, note.as_str()), (2, "夜に目が覚めた"));
    assert!(c.source().await.unwrap().contains("夜に目が覚めた"));
    no_console_errors(&c).await;
    log_out(&c).await;

    // 4. minutes: the owner picked from the team's people, a row added, everything kept
    sqlx::query("UPDATE meeting SET starts_at = now() - interval '30 minutes' WHERE id = $1")
        .bind(MEETING_TAKAHASHI)
        .execute(&app.pool)
        .await
        .unwrap();
    let aoba: Uuid =
        sqlx::query_scalar("SELECT id FROM app_user WHERE email = 'teichaku@aoba.example'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    log_in(&c, &app, "sabikan@hikari.example", PASSWORD).await;
    c.goto(&app.url(&format!("/meetings/{MEETING_TAKAHASHI}")))
        .await
        .unwrap();
    fill(&c, "#attendees", "本人、ひかり、あおば").await;
    fill(&c, "#discussion", "定着支援への引継ぎを確かめた。").await;
    let person = format!("{AOBA}/{aoba}");
    c.find(Locator::Css("select[name=owner_0]"))
        .await
        .unwrap()
        .select_by_value(&person)
        .await
        .unwrap();
    set(
        &c,
        "input[name=due_0]",
        &(today + chrono::Duration::days(7)).to_string(),
    )
    .await;
    fill(&c, "input[name=what_0]", "職場での様子を確かめる").await;
    assert!(c.find(Locator::Css("input[name=what_1]")).await.is_err());
    click_and_wait(&c, "#add-role-row").await;
    assert_eq!(value(&c, "select[name=owner_0]").await, person);
    assert_eq!(
        value(&c, "input[name=what_0]").await,
        "職場での様子を確かめる"
    );
    assert_eq!(
        value(&c, "#discussion").await,
        "定着支援への引継ぎを確かめた。"
    );
    c.find(Locator::Css("select[name=owner_1]"))
        .await
        .unwrap()
        .select_by_value(&AOBA.to_string())
        .await
        .unwrap();
    set(
        &c,
        "input[name=due_1]",
        &(today + chrono::Duration::days(14)).to_string(),
    )
    .await;
    fill(&c, "input[name=what_1]", "支援計画を引き継ぐ").await;
    fits(&c, phone, "minutes with two rows").await;
    screenshot(&c, &format!("forms-minutes-rows-{tag}")).await;
    click_and_wait(
        &c,
        &format!("form[action='/meetings/{MEETING_TAKAHASHI}/minutes'] > button[type=submit]"),
    )
    .await;
    let shown = c.source().await.unwrap();
    assert!(shown.contains("職場での様子を確かめる") && shown.contains("支援計画を引き継ぐ"));
    confirmed_once(&c, "記録しました", "minutes").await;
    let owners: Vec<(String, Option<Uuid>)> = sqlx::query_as(
        "SELECT what, owner_user_id FROM action_item WHERE meeting_id = $1 ORDER BY what",
    )
    .bind(MEETING_TAKAHASHI)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        owners,
        vec![
            ("支援計画を引き継ぐ".to_string(), None),
            ("職場での様子を確かめる".to_string(), Some(aoba)),
        ]
    );
    no_console_errors(&c).await;
    log_out(&c).await;
    c.close().await.unwrap();
}

#[sqlx::test]
async fn the_forms_keep_what_was_typed_and_confirm_saves_at_desktop_width(pool: PgPool) {
    forms_journey(pool, false).await;
}

#[sqlx::test]
async fn the_forms_keep_what_was_typed_and_confirm_saves_on_a_phone(pool: PgPool) {
    forms_journey(pool, true).await;
}
