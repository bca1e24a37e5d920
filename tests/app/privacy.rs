//! One regression test for each leak the access layer closed, named for the behaviour: derived
//! pages (meeting pages, material, print, calendar files, daily reports, admin and audit pages)
//! computed for their reader, and refusals audited even when the request's work rolls back.

use crate::helpers::*;
use renkei::demo::{AOBA, CASE_TAKAHASHI, CASE_TANAKA, HIKARI, MIDORI, SAKURA};
use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

async fn user(pool: &PgPool, email: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM app_user WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// An entry written by `author` as `agency`, shared with the whole team, at `created`.
async fn plant_entry(
    pool: &PgPool,
    case: Uuid,
    author: Uuid,
    agency: Uuid,
    category: &str,
    text: &str,
    created: &str,
) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO entry (id, case_id, author_user_id, author_agency_id, kind, category,
                            occurred_at, body, body_html, shared_with, created_at)
         SELECT $1, $2, $3, $4, 'progress', $5, $7::timestamptz, $6, '<p>' || $6 || '</p>',
                array_agg(agency_id), $7::timestamptz
         FROM case_agency WHERE case_id = $2",
    )
    .bind(id)
    .bind(case)
    .bind(author)
    .bind(agency)
    .bind(category)
    .bind(text)
    .bind(created)
    .execute(pool)
    .await
    .unwrap();
    id
}

/// A meeting on the case convened by ひかり's coordinator, inviting only `invited`.
async fn plant_meeting(pool: &PgPool, case: Uuid, invited: &[Uuid], text: &str) -> Uuid {
    let id = Uuid::now_v7();
    let convener = user(pool, "sabikan@hikari.example").await;
    sqlx::query(
        "INSERT INTO meeting (id, case_id, convener_user_id, convener_agency_id, purpose,
                              starts_at, duration_minutes, place, status, material,
                              material_html, material_category)
         VALUES ($1, $2, $3, $4, 'support_plan', now() + interval '3 days', 60, '相談室',
                 'scheduled', $5, '<p>' || $5 || '</p>', 'case_admin')",
    )
    .bind(id)
    .bind(case)
    .bind(convener)
    .bind(HIKARI)
    .bind(text)
    .execute(pool)
    .await
    .unwrap();
    for a in invited {
        sqlx::query("INSERT INTO meeting_invitee (meeting_id, agency_id) VALUES ($1, $2)")
            .bind(id)
            .bind(a)
            .execute(pool)
            .await
            .unwrap();
    }
    id
}

async fn ensure_on_team(pool: &PgPool, case: Uuid, agency: Uuid) {
    sqlx::query(
        "INSERT INTO case_agency (case_id, agency_id, role_text, joined_on)
         VALUES ($1, $2, '', (now() AT TIME ZONE 'Asia/Tokyo')::date - 30)
         ON CONFLICT (case_id, agency_id) DO UPDATE SET left_on = NULL",
    )
    .bind(case)
    .bind(agency)
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test]
async fn a_team_agency_not_invited_sees_only_that_a_meeting_is_planned(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    ensure_on_team(&app.pool, CASE_TAKAHASHI, HIKARI).await;
    ensure_on_team(&app.pool, CASE_TAKAHASHI, MIDORI).await;
    let m = plant_meeting(
        &app.pool,
        CASE_TAKAHASHI,
        &[AOBA],
        "MATERIAL-TEXT-ONLY-INVITED",
    )
    .await;
    let boss = app.browser();
    boss.login("boss@midori.example").await;
    for path in [
        format!("/meetings/{m}"),
        format!("/meetings/{m}.ics"),
        format!("/meetings/{m}/material"),
        format!("/meetings/{m}/material/print"),
    ] {
        let res = boss.get(&path).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    // the case's meeting list says a meeting is planned, without a way in
    let list = body(boss.get(&format!("/cases/{CASE_TAKAHASHI}/meetings")).await).await;
    assert!(list.contains("招待されていません"));
    assert!(!list.contains(&format!("/meetings/{m}\"")));
    assert!(audit_count(&app.pool, "meeting.material.view", "denied").await >= 1);
    // the invited agency reads it
    let aoba = app.browser();
    aoba.login("teichaku@aoba.example").await;
    let material = body(aoba.get(&format!("/meetings/{m}/material")).await).await;
    assert!(material.contains("MATERIAL-TEXT-ONLY-INVITED"));
}

#[sqlx::test]
async fn the_material_is_computed_for_each_reader_and_a_revocation_applies_at_once(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    ensure_on_team(&app.pool, CASE_TAKAHASHI, HIKARI).await;
    ensure_on_team(&app.pool, CASE_TAKAHASHI, AOBA).await;
    let hikari = user(&app.pool, "sabikan@hikari.example").await;
    let now = chrono::Utc::now().to_rfc3339();
    plant_entry(
        &app.pool,
        CASE_TAKAHASHI,
        hikari,
        HIKARI,
        "health",
        "HEALTH-MARKER-7",
        &now,
    )
    .await;
    plant_entry(
        &app.pool,
        CASE_TAKAHASHI,
        hikari,
        HIKARI,
        "training",
        "TRAINING-MARKER-7",
        &now,
    )
    .await;
    let m = plant_meeting(&app.pool, CASE_TAKAHASHI, &[AOBA], "議題").await;
    // あおば: a live training consent only
    sqlx::query(
        "UPDATE consent SET revoked_at = now(), revoked_by = recorded_by, revoke_reason = 'test'
         WHERE case_id = $1 AND agency_id = $2 AND revoked_at IS NULL",
    )
    .bind(CASE_TAKAHASHI)
    .bind(AOBA)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO consent (id, case_id, agency_id, categories, given_by, method, given_on,
                              recorded_by, recorded_as)
         VALUES ($1, $2, $3, '{training}', 'person', 'written',
                 (now() AT TIME ZONE 'Asia/Tokyo')::date - 1, $4, $5)",
    )
    .bind(Uuid::now_v7())
    .bind(CASE_TAKAHASHI)
    .bind(AOBA)
    .bind(hikari)
    .bind(HIKARI)
    .execute(&app.pool)
    .await
    .unwrap();
    let convener = app.browser();
    convener.login("sabikan@hikari.example").await;
    let own = body(convener.get(&format!("/meetings/{m}/material")).await).await;
    assert!(own.contains("HEALTH-MARKER-7") && own.contains("TRAINING-MARKER-7"));
    // the convener previews what あおば will read
    let preview = body(
        convener
            .get(&format!("/meetings/{m}/material?as={AOBA}"))
            .await,
    )
    .await;
    assert!(!preview.contains("HEALTH-MARKER-7") && preview.contains("TRAINING-MARKER-7"));
    let aoba = app.browser();
    aoba.login("teichaku@aoba.example").await;
    for path in [
        format!("/meetings/{m}/material"),
        format!("/meetings/{m}/material/print"),
    ] {
        let page = body(aoba.get(&path).await).await;
        assert!(!page.contains("HEALTH-MARKER-7"), "{path}");
        assert!(page.contains("TRAINING-MARKER-7"), "{path}");
    }
    // an invitee cannot preview as someone else
    let other = body(
        aoba.get(&format!("/meetings/{m}/material?as={HIKARI}"))
            .await,
    )
    .await;
    assert!(!other.contains("HEALTH-MARKER-7"));
    // revoking the training consent empties it at once
    sqlx::query(
        "UPDATE consent SET revoked_at = now(), revoked_by = recorded_by, revoke_reason = 'test'
         WHERE case_id = $1 AND agency_id = $2 AND revoked_at IS NULL",
    )
    .bind(CASE_TAKAHASHI)
    .bind(AOBA)
    .execute(&app.pool)
    .await
    .unwrap();
    let page = body(aoba.get(&format!("/meetings/{m}/material")).await).await;
    assert!(!page.contains("TRAINING-MARKER-7"));
}

#[sqlx::test]
async fn an_agency_without_a_health_consent_gets_no_daily_report_form_or_answer(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    ensure_on_team(&app.pool, CASE_TAKAHASHI, MIDORI).await;
    let has_health: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM consent WHERE case_id = $1 AND agency_id = $2
                          AND 'health' = ANY (categories) AND revoked_at IS NULL)",
    )
    .bind(CASE_TAKAHASHI)
    .bind(MIDORI)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(!has_health, "the demo's employer has no health consent");
    let boss = app.browser();
    boss.login("boss@midori.example").await;
    let res = boss.get(&format!("/cases/{CASE_TAKAHASHI}/daily")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let today = renkei::domain::dates::today_tokyo().to_string();
    let res = boss
        .post(
            &format!("/cases/{CASE_TAKAHASHI}/daily"),
            &[("day", today.as_str()), ("sleep_hours", "7")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(!body(res).await.contains("この日の記録はもうあります"));
    assert!(audit_count(&app.pool, "daily.create", "denied").await >= 1);
}

#[sqlx::test]
async fn the_system_admin_sees_neither_the_participant_nor_her_account(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let her = user(&app.pool, renkei::demo::PARTICIPANT_EMAIL).await;
    let admin = app.browser();
    admin.login("admin@renkei.example").await;
    let page = body(admin.get("/admin/users?q=takahashi").await).await;
    assert!(!page.contains(renkei::demo::PARTICIPANT_EMAIL));
    let page = body(admin.get("/admin/users").await).await;
    assert!(!page.contains(renkei::demo::PARTICIPANT_EMAIL));
    let res = admin
        .post(
            &format!("/admin/users/{her}/password"),
            &[("password", "a-new-password-2026!")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = admin
        .post(
            &format!("/admin/users/{her}/active"),
            &[("active", "false")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let active: bool = sqlx::query_scalar("SELECT active FROM app_user WHERE id = $1")
        .bind(her)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(active);
}

#[sqlx::test]
async fn an_agency_that_left_reads_an_entry_as_it_stood_when_it_left(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let staff = user(&app.pool, "staff@hikari.example").await;
    // ひかり wrote an entry a month ago and left the team a week ago; the entry is edited today
    let written = (chrono::Utc::now() - chrono::Duration::days(30)).to_rfc3339();
    ensure_on_team(&app.pool, CASE_TANAKA, HIKARI).await;
    let e = plant_entry(
        &app.pool,
        CASE_TANAKA,
        staff,
        HIKARI,
        "training",
        "OLD-TEXT-3",
        &written,
    )
    .await;
    sqlx::query(
        "UPDATE case_agency SET left_on = (now() AT TIME ZONE 'Asia/Tokyo')::date - 7
         WHERE case_id = $1 AND agency_id = $2",
    )
    .bind(CASE_TANAKA)
    .bind(HIKARI)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO entry_version (entry_id, version, body, body_html, fields, occurred_at,
                                    written_by, written_at)
         SELECT id, version, body, body_html, fields, occurred_at, author_user_id, created_at
         FROM entry WHERE id = $1",
    )
    .bind(e)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE entry SET body = 'NEW-TEXT-3', body_html = '<p>NEW-TEXT-3</p>',
                          version = version + 1, edited_at = now(), edited_by = author_user_id
         WHERE id = $1",
    )
    .bind(e)
    .execute(&app.pool)
    .await
    .unwrap();
    let hikari = app.browser();
    hikari.login("staff@hikari.example").await;
    for path in [
        format!("/cases/{CASE_TANAKA}/timeline"),
        format!("/cases/{CASE_TANAKA}/entries/{e}"),
    ] {
        let page = body(hikari.get(&path).await).await;
        assert!(page.contains("OLD-TEXT-3"), "{path}");
        assert!(!page.contains("NEW-TEXT-3"), "{path}");
    }
}

#[sqlx::test]
async fn a_refusal_inside_a_transaction_is_audited(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let off = app.browser();
    off.login("staff@haruka.example").await;
    let res = off
        .post(
            &format!("/cases/{CASE_TAKAHASHI}/entries"),
            &[
                ("kind", "progress"),
                ("category", "training"),
                ("body", "x"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let denied: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE case_id = $1 AND outcome = 'denied'
           AND user_id = (SELECT id FROM app_user WHERE email = 'staff@haruka.example')",
    )
    .bind(CASE_TAKAHASHI)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(denied, 1);
}

#[sqlx::test]
async fn the_forms_that_show_a_case_are_audited_as_views(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    ensure_on_team(&app.pool, CASE_TAKAHASHI, HIKARI).await;
    let staff = app.browser();
    staff.login("sabikan@hikari.example").await;
    let res = staff
        .get(&format!("/cases/{CASE_TAKAHASHI}/entries/new"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(audit_count(&app.pool, "entry.form.view", "ok").await, 1);
}

#[sqlx::test]
async fn an_agency_admin_reads_only_what_was_done_as_the_agency(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    // dual@sakura works as ひかり (the demo's first acting agency may be either)
    let dual = app.browser();
    dual.login("dual@sakura.example").await;
    let res = dual
        .post("/acting-agency", &[("agency_id", &HIKARI.to_string())])
        .await;
    assert!(res.status().is_redirection());
    dual.get(&format!("/cases/{CASE_TAKAHASHI}")).await;
    let mut conn = app.pool.acquire().await.unwrap();
    let rows =
        renkei::db::audit::for_agency_members(&mut conn, SAKURA, &Default::default(), None, 1000)
            .await
            .unwrap();
    assert!(!rows.is_empty());
    let hikari_name: String = sqlx::query_scalar("SELECT name FROM agency WHERE id = $1")
        .bind(HIKARI)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(rows
        .iter()
        .all(|r| r.agency_name.as_deref() != Some(hikari_name.as_str())));
}

/// The header's unread count, as the page shows it (0 when there is none).
fn unread_in_header(page: &str) -> i64 {
    page.split("id=\"unread-count\"")
        .nth(1)
        .and_then(|rest| rest.split('>').nth(1))
        .and_then(|n| n.split('<').next())
        .map(|n| n.trim_end_matches('+').parse().unwrap())
        .unwrap_or(0)
}

#[sqlx::test]
async fn the_unread_count_follows_a_revocation_at_once(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    ensure_on_team(&app.pool, CASE_TAKAHASHI, HIKARI).await;
    ensure_on_team(&app.pool, CASE_TAKAHASHI, AOBA).await;
    let hikari = user(&app.pool, "sabikan@hikari.example").await;
    sqlx::query(
        "INSERT INTO consent (id, case_id, agency_id, categories, given_by, method, given_on,
                              recorded_by, recorded_as)
         VALUES ($1, $2, $3, '{work}', 'person', 'written',
                 (now() AT TIME ZONE 'Asia/Tokyo')::date - 1, $4, $5)",
    )
    .bind(Uuid::now_v7())
    .bind(CASE_TAKAHASHI)
    .bind(AOBA)
    .bind(hikari)
    .bind(HIKARI)
    .execute(&app.pool)
    .await
    .unwrap();
    let aoba = app.browser();
    aoba.login("teichaku@aoba.example").await;
    let before = unread_in_header(&body(aoba.get("/cases").await).await);
    let now = chrono::Utc::now().to_rfc3339();
    for n in 0..3 {
        plant_entry(
            &app.pool,
            CASE_TAKAHASHI,
            hikari,
            HIKARI,
            "work",
            &format!("WORK-{n}"),
            &now,
        )
        .await;
    }
    let with = unread_in_header(&body(aoba.get("/cases").await).await);
    assert_eq!(with, (before + 3).min(100), "counted on the next page");
    sqlx::query(
        "UPDATE consent SET revoked_at = now(), revoked_by = recorded_by, revoke_reason = 'test'
         WHERE case_id = $1 AND agency_id = $2 AND revoked_at IS NULL",
    )
    .bind(CASE_TAKAHASHI)
    .bind(AOBA)
    .execute(&app.pool)
    .await
    .unwrap();
    let after = unread_in_header(&body(aoba.get("/cases").await).await);
    assert!(after <= before, "the revoked entries stop counting at once");
}

#[sqlx::test]
async fn refusals_at_meeting_answers_and_referral_steps_are_audited(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    ensure_on_team(&app.pool, CASE_TAKAHASHI, MIDORI).await;
    let m = plant_meeting(&app.pool, CASE_TAKAHASHI, &[AOBA], "議題").await;
    let boss = app.browser();
    boss.login("boss@midori.example").await;
    let res = boss
        .post(&format!("/meetings/{m}/rsvp"), &[("response", "yes")])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(audit_count(&app.pool, "meeting.rsvp", "denied").await, 1);
    // a referral the agency is neither side of
    let referral: Uuid = sqlx::query_scalar("SELECT id FROM referral ORDER BY id LIMIT 1")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let off = app.browser();
    off.login("staff@haruka.example").await;
    let res = off
        .post(
            &format!("/referrals/{referral}/transition"),
            &[("to", "accepted")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        audit_count(&app.pool, "referral.transition", "denied").await,
        1
    );
}
