//! The legal timeline telling the truth: generated tasks close themselves with the reason once
//! the case moved on, their titles in the reader's language, the current month of the
//! interview-and-report check in progress, dates the law rules out refused by the field, a
//! phase moved back only with a reason, and the demo's dates true on the day it is loaded.

use crate::browser::{click_and_wait, console_errors, fill, log_in, screenshot, Driver};
use crate::helpers::*;
use chrono::{Duration, NaiveDate};
use fantoccini::Locator;
use renkei::demo::{
    AOBA, CASE_ITO, CASE_SATO, CASE_SUZUKI, CASE_TAKAHASHI, CASE_TANAKA, CASE_YAMADA, HIKARI,
};
use renkei::domain::dates::{add_months_clamped, today_tokyo};
use renkei::domain::legal::{self, PhaseDates};
use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

async fn phase(app: &TestApp, case: Uuid, form: &[(&str, &str)]) -> reqwest::Response {
    app.post(&format!("/cases/{case}/phase"), form).await
}

/// The message shown by a field, or None.
fn field_error(page: &str, field: &str) -> Option<String> {
    let start = page.find(&format!(r#"id="{field}-error" class="field-error">"#))?;
    let rest = &page[start..];
    let text = &rest[rest.find('>')? + 1..];
    Some(text[..text.find("</small>")?].to_string())
}

async fn dates_of(pool: &PgPool, case: Uuid) -> PhaseDates {
    sqlx::query_as(
        "SELECT phase, lead_agency_id, training_started_on, hired_on, start_kind,
                transition_ended_on, returned_on, retention_start_on, retention_end_on,
                follow_up_on, closed_on
         FROM case_file WHERE id = $1",
    )
    .bind(case)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// (status, closed reason, due) of a case's task from a source.
async fn task(pool: &PgPool, case: Uuid, source: &str) -> (String, Option<String>, NaiveDate) {
    sqlx::query_as(
        "SELECT status, closed_reason, due_on FROM task WHERE case_id = $1 AND source = $2",
    )
    .bind(case)
    .bind(source)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test]
async fn a_case_moved_to_retention_closes_its_hand_over_task_with_the_reason(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("sabikan@hikari.example").await;
    let (status, reason, _) = task(&app.pool, CASE_TAKAHASHI, "handover-4-5").await;
    assert_eq!((status.as_str(), reason), ("open", None));
    // due today, so that the dashboard's panel of this month lists it too
    sqlx::query("UPDATE task SET due_on = $2 WHERE case_id = $1 AND source = 'handover-4-5'")
        .bind(CASE_TAKAHASHI)
        .bind(today_tokyo())
        .execute(&app.pool)
        .await
        .unwrap();
    let listed = body(app.get("/tasks").await).await;
    assert!(
        listed.contains("定着支援事業所への引継ぎの調整"),
        "{listed}"
    );
    let dash = body(app.get("/").await).await;
    assert!(dash.contains("定着支援事業所への引継ぎの調整"), "{dash}");
    // 高橋 美咲 moves to the retention service on the first day it may start
    let d = dates_of(&app.pool, CASE_TAKAHASHI).await;
    let start = d.employment().unwrap().retention_earliest.to_string();
    let res = phase(
        &app,
        CASE_TAKAHASHI,
        &[("phase", "retention"), ("retention_start_on", &start)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    let (status, reason, _) = task(&app.pool, CASE_TAKAHASHI, "handover-4-5").await;
    assert_eq!(status, "closed");
    assert_eq!(reason.as_deref(), Some("task-closed-retention-started"));
    // gone from what needs doing now, the dashboard and /tasks
    let listed = body(app.get("/tasks").await).await;
    assert!(
        !listed.contains("定着支援事業所への引継ぎの調整"),
        "{listed}"
    );
    let dash = body(app.get("/").await).await;
    assert!(!dash.contains("定着支援事業所への引継ぎの調整"));
    // still on the case's task list, closed with the reason in words
    let page = body(app.get(&format!("/cases/{CASE_TAKAHASHI}/legal")).await).await;
    let tasks = page.split("制度の期限から生まれたタスク").last().unwrap();
    assert!(tasks.contains("定着支援事業所への引継ぎの調整"));
    assert!(tasks.contains("自動で終了"));
    assert!(tasks.contains("就労定着支援が始まったため"));
    // an English reader reads the reason in English
    app.post("/lang", &[("lang", "en"), ("back", "/")]).await;
    let page = body(app.get(&format!("/cases/{CASE_TAKAHASHI}/legal")).await).await;
    assert!(page.contains("Closed automatically"));
    assert!(page.contains("The retention service has started"));
    // moved back to employed (with the reason): the hand-over is due again
    let hired = d.hired_on.unwrap().to_string();
    let res = phase(
        &app,
        CASE_TAKAHASHI,
        &[
            ("phase", "employed"),
            ("hired_on", &hired),
            ("start_kind", "ordinary"),
            (
                "reason",
                "The retention service start was recorded by mistake.",
            ),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (status, reason, due) = task(&app.pool, CASE_TAKAHASHI, "handover-4-5").await;
    assert_eq!((status.as_str(), reason), ("open", None));
    assert_eq!(due, d.employment().unwrap().handover_to);

    // a closed case closes everything still open, edited tasks included
    let aoba = app.browser();
    sqlx::query("UPDATE membership SET role = 'coordinator' WHERE agency_id = $1")
        .bind(AOBA)
        .execute(&app.pool)
        .await
        .unwrap();
    aoba.login("teichaku@aoba.example").await;
    let (e6,): (Uuid,) =
        sqlx::query_as("SELECT id FROM task WHERE case_id = $1 AND source = 'end-6'")
            .bind(CASE_TANAKA)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let due = (today_tokyo() + Duration::days(20)).to_string();
    let res = aoba
        .post(
            &format!("/tasks/{e6}"),
            &[("title", "終了後の意向確認"), ("due_on", &due)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = phase(
        &aoba,
        CASE_TANAKA,
        &[
            ("phase", "closed"),
            ("closed_on", &today_tokyo().to_string()),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let open: i64 =
        sqlx::query_scalar("SELECT count(*) FROM task WHERE case_id = $1 AND status = 'open'")
            .bind(CASE_TANAKA)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(open, 0);
    let (status, reason, _) = task(&app.pool, CASE_TANAKA, "end-6").await;
    assert_eq!(
        (status.as_str(), reason.as_deref()),
        ("closed", Some("task-closed-case-closed"))
    );
    let listed = body(aoba.get("/tasks").await).await;
    assert!(!listed.contains("田中 健"), "{listed}");
}

#[sqlx::test]
async fn the_current_month_of_the_interview_check_is_in_progress_not_missing(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("teichaku@aoba.example").await;
    // nothing recorded this month yet
    sqlx::query(
        "UPDATE entry SET fields = '{}' WHERE case_id = $1
           AND date_trunc('month', occurred_at AT TIME ZONE 'Asia/Tokyo')
             = date_trunc('month', now() AT TIME ZONE 'Asia/Tokyo')",
    )
    .bind(CASE_TANAKA)
    .execute(&app.pool)
    .await
    .unwrap();
    let today = today_tokyo();
    let label = today.format("%Y/%m").to_string();
    let page = body(app.get(&format!("/cases/{CASE_TANAKA}/legal")).await).await;
    let row = page
        .split(&format!("<td data-label=\"月\">{label}"))
        .nth(1)
        .expect("this month has its row");
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("今月（月末に確認）"), "{row}");
    assert!(!row.contains("不足"), "{row}");
    // the row is not marked as overdue either
    let tr_start = page[..page
        .find(&format!("<td data-label=\"月\">{label}"))
        .unwrap()]
        .rfind("<tr")
        .unwrap();
    assert!(!page[tr_start..tr_start + 30].contains("overdue"));
    // last month, once over, is judged
    let last = add_months_clamped(today, -1).format("%Y/%m").to_string();
    assert!(page.contains(&format!("<td data-label=\"月\">{last}")));
}

#[sqlx::test]
async fn dates_the_law_rules_out_are_refused_by_the_field_with_the_reason(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("sabikan@hikari.example").await;
    let today = today_tokyo();
    let before: (i64, i64) =
        sqlx::query_as("SELECT (SELECT count(*) FROM phase_change), (SELECT count(*) FROM entry)")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    // a transition service begun 37 months ago is over: 36 months at most
    let old_start = add_months_clamped(today, -37).to_string();
    let res = phase(
        &app,
        CASE_SUZUKI,
        &[("phase", "training"), ("training_started_on", &old_start)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    let msg = field_error(&page, "training_started_on").expect("a message by the field");
    assert!(msg.contains("最長36か月"), "{msg}");
    assert!(
        page.contains(&format!(r#"value="{old_start}""#)),
        "the input is kept"
    );
    // the retention service without a hire date
    let res = phase(
        &app,
        CASE_SUZUKI,
        &[
            ("phase", "retention"),
            ("retention_start_on", &today.to_string()),
            ("retention_end_on", "2031-01-01"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(field_error(&page, "retention_start_on")
        .unwrap()
        .contains("就職日が記録されていません"));
    assert!(
        page.contains(r#"value="2031-01-01""#),
        "every field is kept"
    );
    // 高橋 美咲 (born 1995-07-07) hired at 13: refused with her 15th birthday
    let res = phase(
        &app,
        CASE_TAKAHASHI,
        &[
            ("phase", "employed"),
            ("hired_on", "2009-04-01"),
            ("start_kind", "ordinary"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    let msg = field_error(&page, "hired_on").unwrap();
    assert!(msg.contains("15歳") && msg.contains("2010/07/07"), "{msg}");
    assert!(page.contains(r#"value="2009-04-01""#));
    // her retention service before the sending office's 6 months end
    let d = dates_of(&app.pool, CASE_TAKAHASHI).await;
    let hired = d.hired_on.unwrap();
    let e = d.employment().unwrap();
    let early = (hired + Duration::days(30)).to_string();
    let res = phase(
        &app,
        CASE_TAKAHASHI,
        &[("phase", "retention"), ("retention_start_on", &early)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(field_error(&page, "retention_start_on")
        .unwrap()
        .contains(&renkei::domain::dates::slash(e.retention_earliest)));
    // the label says how the window is counted, 復職支援型 included
    assert!(page.contains("復職支援型は復職日から"));
    assert!(page.contains(&format!(
        "この方の場合：{}〜{}",
        renkei::domain::dates::slash(e.retention_earliest),
        renkei::domain::dates::slash(e.retention_latest_end)
    )));
    // a follow-up before the hire
    let res = phase(
        &app,
        CASE_TAKAHASHI,
        &[
            ("phase", "follow_up"),
            ("follow_up_on", &(hired - Duration::days(1)).to_string()),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(field_error(&page, "follow_up_on")
        .unwrap()
        .contains(&renkei::domain::dates::slash(hired)));
    // in English, for an English reader, dates Western
    app.post("/lang", &[("lang", "en"), ("back", "/")]).await;
    let res = phase(
        &app,
        CASE_TAKAHASHI,
        &[
            ("phase", "employed"),
            ("hired_on", "2009-04-01"),
            ("start_kind", "ordinary"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let msg = field_error(&body(res).await, "hired_on").unwrap();
    assert!(
        msg.contains("turned 15") && msg.contains("7 July 2010"),
        "{msg}"
    );
    // a due date more than a year ago, on a task
    let (id,): (Uuid,) =
        sqlx::query_as("SELECT id FROM task WHERE case_id = $1 AND source = 'handover-4-5'")
            .bind(CASE_TAKAHASHI)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let res = app
        .post(
            &format!("/tasks/{id}"),
            &[
                ("title", "引継ぎの調整"),
                ("due_on", &add_months_clamped(today, -13).to_string()),
                ("back", "/tasks"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("more than a year ago"));
    let (_, _, due) = task(&app.pool, CASE_TAKAHASHI, "handover-4-5").await;
    assert_eq!(due, e.handover_to, "nothing changed");
    // accepting a referral with a service start whose 36 months are over
    let hikari = app.browser();
    hikari.login("staff@hikari.example").await;
    let (referral,): (Uuid,) = sqlx::query_as("SELECT id FROM referral WHERE case_id = $1")
        .bind(CASE_SATO)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let res = hikari
        .post(
            &format!("/referrals/{referral}/transition"),
            &[("to", "accepted"), ("service_start", &old_start)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    let by_field = page.split(r#"name="service_start""#).nth(1).unwrap();
    let by_field = &by_field[..by_field.find("</label>").unwrap()];
    assert!(by_field.contains("最長36か月"), "{by_field}");
    // nothing was written by any refused form
    let after: (i64, i64) =
        sqlx::query_as("SELECT (SELECT count(*) FROM phase_change), (SELECT count(*) FROM entry)")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(before, after);
}

#[sqlx::test]
async fn moving_a_phase_back_asks_for_the_reason_and_records_it(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("sabikan@hikari.example").await;
    let d = dates_of(&app.pool, CASE_TAKAHASHI).await;
    let start = d.training_started_on.unwrap().to_string();
    let page = body(app.get(&format!("/cases/{CASE_TAKAHASHI}/legal")).await).await;
    // the earlier phases are marked, so that choosing one shows the reason field
    assert!(
        page.contains(r#"<option value="training" data-earlier>"#),
        "{page}"
    );
    assert!(!page.contains(r#"<option value="retention" data-earlier>"#));
    // employed → training without a reason: refused by the field, the dates kept
    let res = phase(
        &app,
        CASE_TAKAHASHI,
        &[("phase", "training"), ("training_started_on", &start)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(field_error(&page, "reason")
        .unwrap()
        .contains("理由を書いてください"));
    assert!(page.contains(&format!(r#"value="{start}""#)));
    assert!(page.contains(r#"class="phase-reason shown""#));
    let phase_now: String = sqlx::query_scalar("SELECT phase FROM case_file WHERE id = $1")
        .bind(CASE_TAKAHASHI)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(phase_now, "employed");
    // with the reason: saved, and the reason recorded with the change
    let res = phase(
        &app,
        CASE_TAKAHASHI,
        &[
            ("phase", "training"),
            ("training_started_on", &start),
            ("reason", "体調を崩して退職。就労移行支援の利用を再開する。"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (from, to, reason): (String, String, String) =
        sqlx::query_as("SELECT from_phase, to_phase, reason FROM phase_change WHERE case_id = $1")
            .bind(CASE_TAKAHASHI)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((from.as_str(), to.as_str()), ("employed", "training"));
    assert_eq!(reason, "体調を崩して退職。就労移行支援の利用を再開する。");
    let timeline: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM entry WHERE case_id = $1 AND body LIKE '%体調を崩して退職%'",
    )
    .bind(CASE_TAKAHASHI)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(timeline, 1);
    // forward again needs no reason
    let hired = d.hired_on.unwrap().to_string();
    let res = phase(
        &app,
        CASE_TAKAHASHI,
        &[
            ("phase", "employed"),
            ("hired_on", &hired),
            ("start_kind", "ordinary"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[sqlx::test]
async fn task_titles_are_in_the_readers_language_unless_a_user_typed_one(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("teichaku@aoba.example").await;
    let ja = body(app.get("/tasks").await).await;
    assert!(ja.contains("最終の引継ぎケース会議（サービス終了）"));
    app.post("/lang", &[("lang", "en"), ("back", "/")]).await;
    let en = body(app.get("/tasks").await).await;
    assert!(
        en.contains("Final hand-over case meeting (service end)"),
        "{en}"
    );
    assert!(
        !en.contains("最終の引継ぎケース会議"),
        "no Japanese title for an English reader"
    );
    // the hand-over task with its dates in Western style
    let sabikan = app.browser();
    sabikan.login("sabikan@hikari.example").await;
    sabikan
        .post("/lang", &[("lang", "en"), ("back", "/")])
        .await;
    let e = dates_of(&app.pool, CASE_TAKAHASHI)
        .await
        .employment()
        .unwrap();
    let page = body(sabikan.get(&format!("/cases/{CASE_TAKAHASHI}/legal")).await).await;
    let want = format!(
        "months 4–5 after hiring: {} to {};",
        renkei::domain::dates::western(e.handover_from),
        renkei::domain::dates::western(e.handover_to)
    );
    assert!(page.contains(&want), "{want}");
    assert!(!page.contains("（就職後4〜5月目"));
    // a title a user typed is shown as typed, in both languages
    let (id,): (Uuid,) =
        sqlx::query_as("SELECT id FROM task WHERE case_id = $1 AND source = 'end-0'")
            .bind(CASE_TANAKA)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let due: NaiveDate = sqlx::query_scalar("SELECT due_on FROM task WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let res = app
        .post(
            &format!("/tasks/{id}"),
            &[
                ("title", "最終会議は会場をみどり物流で"),
                ("due_on", &due.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let en = body(app.get("/tasks").await).await;
    assert!(en.contains("最終会議は会場をみどり物流で"));
    // moving only the due date of a task, as a Japanese reader, keeps its title generated
    let (e1,): (Uuid,) =
        sqlx::query_as("SELECT id FROM task WHERE case_id = $1 AND source = 'end-1'")
            .bind(CASE_TANAKA)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let ja = app.browser();
    ja.login("teichaku@aoba.example").await;
    let res = ja
        .post(
            &format!("/tasks/{e1}"),
            &[
                ("title", "終了への本人の不安を確認する（終了1か月前）"),
                ("due_on", &(today_tokyo() + Duration::days(40)).to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let en = body(app.get("/tasks").await).await;
    assert!(
        en.contains("Check the person&#39;s worries about the end (1 month before the end)")
            || en.contains("Check the person's worries about the end (1 month before the end)"),
        "{en}"
    );
    assert!(en.contains("(changed)"));
    assert!(!en.contains("Final hand-over case meeting (service end)"));
}

#[sqlx::test]
async fn the_demo_tells_the_truth_on_the_day_it_is_loaded(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    // loading again changes nothing and keeps it true
    renkei::demo::load(&app.pool).await.unwrap();
    let today = today_tokyo();
    let tr = renkei::i18n::Tr::new(renkei::i18n::Lang::Ja);
    // 高橋 美咲: inside months 4–5 after hiring, the hand-over window open, her task due in it
    let d = dates_of(&app.pool, CASE_TAKAHASHI).await;
    let e = d.employment().unwrap();
    assert!(e.handover_from <= today && today <= e.handover_to, "{e:?}");
    let (_, notices) = renkei::area::legal::milestones(tr, &d, None, today);
    assert!(notices.contains(&tr.t("legal-handover-now")), "{notices:?}");
    let (status, _, due) = task(&app.pool, CASE_TAKAHASHI, "handover-4-5").await;
    assert_eq!((status.as_str(), due), ("open", e.handover_to));
    assert!(due >= today);
    // 田中 健: 2 years 11 months after hiring, the service-end countdown running
    let d = dates_of(&app.pool, CASE_TANAKA).await;
    let hired = d.hired_on.unwrap();
    assert!(add_months_clamped(today, -36) < hired && hired <= add_months_clamped(today, -35));
    let (_, notices) = renkei::area::legal::milestones(tr, &d, None, today);
    assert!(
        notices
            .iter()
            .any(|n| n.contains("就労定着支援の終了まであと")),
        "{notices:?}"
    );
    // ひかり left 田中 健's team when its 6 months of support ended
    let left: Option<NaiveDate> =
        sqlx::query_scalar("SELECT left_on FROM case_agency WHERE case_id = $1 AND agency_id = $2")
            .bind(CASE_TANAKA)
            .bind(HIKARI)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(left, Some(d.employment().unwrap().sending_support_end));
    // every demo date passes the phase form's own checks
    for case in [CASE_SUZUKI, CASE_TAKAHASHI, CASE_TANAKA, CASE_ITO] {
        let d = dates_of(&app.pool, case).await;
        let birth: NaiveDate = sqlx::query_scalar(
            "SELECT p.birth_date FROM case_file c JOIN participant p ON p.id = c.participant_id
             WHERE c.id = $1",
        )
        .bind(case)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert_eq!(
            legal::refused_dates(&d, birth, today),
            vec![],
            "{case} {d:?}"
        );
    }
    // every case has a meeting held and one to come
    for case in [
        CASE_YAMADA,
        CASE_SATO,
        CASE_SUZUKI,
        CASE_TAKAHASHI,
        CASE_TANAKA,
        CASE_ITO,
    ] {
        let (past, future): (i64, i64) = sqlx::query_as(
            "SELECT count(*) FILTER (WHERE starts_at < now()),
                    count(*) FILTER (WHERE starts_at > now() AND status = 'scheduled')
             FROM meeting WHERE case_id = $1 AND status <> 'cancelled'",
        )
        .bind(case)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert!(
            past >= 1 && future >= 1,
            "{case}: {past} past, {future} to come"
        );
    }
    // nothing open is overdue by more than a few weeks, tasks and action items alike
    let oldest: Option<NaiveDate> = sqlx::query_scalar(
        "SELECT min(due_on) FROM (
             SELECT due_on FROM task WHERE status = 'open'
             UNION ALL SELECT due_on FROM action_item WHERE done_at IS NULL) d",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(oldest.unwrap() >= today - Duration::days(21), "{oldest:?}");
    // the pages say the same: 高橋 美咲's hand-over notice
    app.login("sabikan@hikari.example").await;
    let page = body(app.get(&format!("/cases/{CASE_TAKAHASHI}/legal")).await).await;
    assert!(page.contains(&tr.t("legal-handover-now")));
}

/// The phase form in a real browser, on a desk and on a phone: a retention start before the
/// sending office's 6 months are over is refused by the field, and choosing an earlier phase
/// shows the reason field, required.
#[sqlx::test]
async fn the_phase_form_refuses_a_bad_date_and_asks_why_a_phase_goes_back(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let driver = Driver::start();
    let d = dates_of(&app.pool, CASE_TAKAHASHI).await;
    let early = (d.hired_on.unwrap() + Duration::days(30)).to_string();
    for phone in [false, true] {
        let c = driver.browser(phone).await;
        log_in(&c, &app, "sabikan@hikari.example", PASSWORD).await;
        let url = app.url(&format!("/cases/{CASE_TAKAHASHI}/legal"));
        c.goto(&url).await.unwrap();
        // the reason field is hidden while the phase stays or moves on
        let reason = c.find(Locator::Css("label.phase-reason")).await.unwrap();
        assert!(!reason.is_displayed().await.unwrap());
        let select = c.find(Locator::Css("#phase")).await.unwrap();
        select.select_by_value("retention").await.unwrap();
        c.execute(
            "document.getElementById('retention_start_on').value = arguments[0];",
            vec![serde_json::json!(early)],
        )
        .await
        .unwrap();
        click_and_wait(&c, "form[action$='/phase'] button[type=submit]").await;
        let msg = c
            .find(Locator::Css("#retention_start_on-error"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(msg.contains("6か月"), "{msg}");
        let kept = c
            .find(Locator::Css("#retention_start_on"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap();
        assert_eq!(kept.as_deref(), Some(early.as_str()));
        screenshot(
            &c,
            &format!("phase-refused-{}", if phone { "phone" } else { "desk" }),
        )
        .await;
        // an earlier phase: the reason field appears, and an empty one is refused
        let select = c.find(Locator::Css("#phase")).await.unwrap();
        select.select_by_value("training").await.unwrap();
        let reason = c.find(Locator::Css("label.phase-reason")).await.unwrap();
        assert!(
            reason.is_displayed().await.unwrap(),
            "the reason field appears"
        );
        click_and_wait(&c, "form[action$='/phase'] button[type=submit]").await;
        let msg = c
            .find(Locator::Css("#reason-error"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(msg.contains("理由"), "{msg}");
        fill(&c, "#reason", "退職したため訓練を再開する").await;
        click_and_wait(&c, "form[action$='/phase'] button[type=submit]").await;
        assert!(c.current_url().await.unwrap().path().ends_with("/legal"));
        assert!(c.find(Locator::Css("#reason-error")).await.is_err());
        if phone {
            let width = c
                .execute("return document.documentElement.scrollWidth", vec![])
                .await
                .unwrap();
            assert!(
                width.as_i64().unwrap() <= 390,
                "no sideways scrolling: {width}"
            );
        }
        screenshot(
            &c,
            &format!("phase-back-{}", if phone { "phone" } else { "desk" }),
        )
        .await;
        let errors = console_errors(&c).await;
        assert!(errors.is_empty(), "console errors: {errors:?}");
        c.close().await.unwrap();
        // back to employed for the next width
        sqlx::query("UPDATE case_file SET phase = 'employed' WHERE id = $1")
            .bind(CASE_TAKAHASHI)
            .execute(&app.pool)
            .await
            .unwrap();
    }
}
