//! Employment and retention: phase dates, the legal time line, the tasks it generates and how
//! regeneration treats what users changed, the monthly interview-and-report rule.

use crate::helpers::*;
use renkei::demo::*;
use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

#[sqlx::test]
async fn the_retention_office_sees_the_countdown_and_what_is_due(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("teichaku@aoba.example").await;
    let page = body(app.get(&format!("/cases/{CASE_TANAKA}/legal")).await).await;
    assert!(
        page.contains("就労定着支援の終了日")
            || page.contains("サービス終了：最終の引継ぎケース会議")
    );
    assert!(page.contains("就労定着支援の終了まであと"));
    assert!(
        page.contains(r#"id="today""#),
        "today is marked on the time line"
    );
    // the seed 004 schedule, E−6 to E, owned by あおば
    for step in [
        "終了6か月前",
        "終了5か月前",
        "終了4か月前",
        "終了3か月前",
        "終了2か月前",
        "終了1か月前",
        "最終の引継ぎケース会議",
    ] {
        assert!(page.contains(step), "{step}");
    }
    let owners: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT a.name FROM task t JOIN agency a ON a.id = t.owner_agency_id
         WHERE t.case_id = $1 AND t.source LIKE 'end-%'",
    )
    .bind(CASE_TANAKA)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(owners, vec!["あおば就労定着支援事業所".to_string()]);
    // the dashboard lists what is due this month
    let dash = body(app.get("/").await).await;
    let panel = dash
        .split("今月が期限のタスク")
        .nth(1)
        .expect("the panel is there");
    assert!(panel.contains("田中 健"));
    // the monthly interview and report table
    assert!(page.contains("月ごとの面談と支援レポート"));
}

async fn phase(app: &TestApp, case: Uuid, form: &[(&str, &str)]) -> reqwest::Response {
    app.post(&format!("/cases/{case}/phase"), form).await
}

#[sqlx::test]
async fn phase_dates_follow_the_rules_and_explain_them(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("sabikan@hikari.example").await;
    // 鈴木 一郎 started training 14 months ago; a hire before that is refused
    let res = phase(
        &app,
        CASE_SUZUKI,
        &[
            ("phase", "employed"),
            ("hired_on", "2020-01-01"),
            ("start_kind", "ordinary"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("就労移行支援の利用開始日"));
    // a five-digit year is not a date: refused by the field, and the case page still opens
    let res = phase(
        &app,
        CASE_SUZUKI,
        &[
            ("phase", "employed"),
            ("hired_on", "20260-04-01"),
            ("start_kind", "ordinary"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("20260-04-01"), "the input is kept");
    let res = app.get(&format!("/cases/{CASE_SUZUKI}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = phase(
        &app,
        CASE_SUZUKI,
        &[
            ("phase", "employed"),
            ("hired_on", "2026-04-01"),
            ("start_kind", ""),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // a proper hire: the hand-over task appears with the months-4–5 window
    let hired = (renkei::domain::dates::today_tokyo() - chrono::Duration::days(10)).to_string();
    let res = phase(
        &app,
        CASE_SUZUKI,
        &[
            ("phase", "employed"),
            ("hired_on", &hired),
            ("start_kind", "ordinary"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = body(app.get(&format!("/cases/{CASE_SUZUKI}/legal")).await).await;
    assert!(page.contains("定着支援事業所への引継ぎの調整"));
    assert!(page.contains("就労定着支援を利用できる最初の日"));
    // the retention service too early, or ending too late: refused, with the rule's date
    let res = phase(
        &app,
        CASE_SUZUKI,
        &[("phase", "retention"), ("retention_start_on", &hired)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res)
        .await
        .contains("移行元による6か月の定着支援が終わった翌日"));
    let h = renkei::domain::dates::today_tokyo() - chrono::Duration::days(10);
    let e = renkei::domain::legal::employment(renkei::domain::legal::StartKind::Ordinary, h, None);
    let too_late = (e.retention_latest_end + chrono::Duration::days(1)).to_string();
    let res = phase(
        &app,
        CASE_SUZUKI,
        &[
            ("phase", "retention"),
            ("retention_start_on", &e.retention_earliest.to_string()),
            ("retention_end_on", &too_late),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("3年6か月"));
    // others on the team may read but not change the phase
    let ot = app.browser();
    ot.login("ot@sakura.example").await;
    assert_eq!(
        ot.get(&format!("/cases/{CASE_SUZUKI}/legal"))
            .await
            .status(),
        StatusCode::OK
    );
    let res = phase(
        &ot,
        CASE_SUZUKI,
        &[("phase", "closed"), ("closed_on", "2026-01-01")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test]
async fn regenerating_tasks_keeps_what_users_changed_or_finished(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("teichaku@aoba.example").await;
    let task = |source: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_as::<_, (Uuid, chrono::NaiveDate, String, bool)>(
                "SELECT id, due_on, status, edited FROM task WHERE case_id = $1 AND source = $2",
            )
            .bind(CASE_TANAKA)
            .bind(source)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let (e6, _, _, _) = task("end-6").await;
    let (e5, _, _, _) = task("end-5").await;
    let (e4_before, e4_due, _, _) = task("end-4").await;
    // a user moves E−6 and finishes E−5
    let res = app
        .post(
            &format!("/tasks/{e6}"),
            &[
                ("title", "終了後の意向確認（本人と事業主）"),
                ("due_on", "2030-01-15"),
                ("back", "/tasks"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app
        .post(
            &format!("/tasks/{e5}/done"),
            &[("note", "会議日程を決めた")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // bad input on a task: a message, nothing changed
    let res = app
        .post(&format!("/tasks/{e6}"), &[("title", ""), ("due_on", "x")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("期限の日付を入力してください"));
    // the service end moves a month earlier: untouched tasks follow, the others stay
    let (start, end): (chrono::NaiveDate, chrono::NaiveDate) =
        sqlx::query_as("SELECT retention_start_on, retention_end_on FROM case_file WHERE id = $1")
            .bind(CASE_TANAKA)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let new_end = renkei::domain::dates::add_months_clamped(end, -1);
    let lead = app.browser();
    lead.login("teichaku@aoba.example").await;
    // あおば leads but teichaku is staff: the phase belongs to a coordinator; make one
    sqlx::query("UPDATE membership SET role = 'coordinator' WHERE agency_id = $1")
        .bind(AOBA)
        .execute(&app.pool)
        .await
        .unwrap();
    let res = phase(
        &lead,
        CASE_TANAKA,
        &[
            ("phase", "retention"),
            ("retention_start_on", &start.to_string()),
            ("retention_end_on", &new_end.to_string()),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (id6, due6, _, edited6) = task("end-6").await;
    assert_eq!(
        (id6, due6.to_string().as_str(), edited6),
        (e6, "2030-01-15", true),
        "the user's change is kept"
    );
    let (_, _, status5, _) = task("end-5").await;
    assert_eq!(status5, "done", "a finished task stays finished");
    let (id4, due4, _, _) = task("end-4").await;
    assert_eq!(id4, e4_before, "the same task, not a second one");
    assert_eq!(due4, renkei::domain::dates::add_months_clamped(new_end, -4));
    assert_ne!(due4, e4_due);
}

#[sqlx::test]
async fn months_without_an_interview_and_a_report_are_flagged(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("teichaku@aoba.example").await;
    let page = body(app.get(&format!("/cases/{CASE_TANAKA}/legal")).await).await;
    let table = page.split("月ごとの面談と支援レポート").nth(1).unwrap();
    let table = &table[..table.find("</table>").unwrap()];
    // the demo's monthly interviews with reports: most months are complete
    assert!(
        table
            .matches("○</td><td data-label=\"支援レポート\">○</td>")
            .count()
            >= 20,
        "{table}"
    );
    // remove the interviews of last month: it is flagged
    let last_month =
        renkei::domain::dates::add_months_clamped(renkei::domain::dates::today_tokyo(), -1);
    let label = format!(
        "{}/{:02}",
        chrono::Datelike::year(&last_month),
        chrono::Datelike::month(&last_month)
    );
    sqlx::query(
        "UPDATE entry SET fields = '{}' WHERE case_id = $1
           AND to_char(occurred_at AT TIME ZONE 'Asia/Tokyo', 'YYYY/MM') = $2",
    )
    .bind(CASE_TANAKA)
    .bind(&label)
    .execute(&app.pool)
    .await
    .unwrap();
    let page = body(app.get(&format!("/cases/{CASE_TANAKA}/legal")).await).await;
    let row = page
        .split(&format!("<td data-label=\"月\">{label}"))
        .nth(1)
        .unwrap();
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("不足"), "{row}");
}

#[sqlx::test]
async fn the_retention_check_reproduces_seed_004s_example_with_a_radar(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("teichaku@aoba.example").await;
    let page = body(
        app.get(&format!("/cases/{CASE_TANAKA}/checks/retention"))
            .await,
    )
    .await;
    // seed 004's example result, from the item scores of the demo's latest check
    let row = page.split("<tbody>").nth(1).unwrap();
    let latest = &row[..row.find("</tr>").unwrap()];
    for mean in ["4.0", "2.3", "4.3", "5.0", "4.0", "5.0"] {
        assert!(
            latest.contains(&format!(">{mean}</td>")),
            "{mean} in {latest}"
        );
    }
    // the radar: the latest polygon, the previous one overlaid, domain II highlighted
    assert!(page.contains(r#"class="current""#) && page.contains(r#"class="previous""#));
    assert!(page.contains("160.0,72.0 203.8,134.7 241.9,207.3 160.0,270.0 83.8,204.0 64.7,105.0"));
    assert!(page.contains("対話のきっかけに"));
    // a check with items missing or a score out of range: messages, nothing written
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM assessment")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let res = app
        .post(
            &format!("/cases/{CASE_TANAKA}/checks/retention"),
            &[("v_i1", "4"), ("v_i2", "7"), ("assessed_on", "2026-01-01")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let form = body(res).await;
    assert!(form.contains("1〜5から選んでください"));
    assert!(
        form.contains(r#"name="v_i1" value="4" checked"#),
        "answers kept"
    );
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM assessment")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(before, after);
}

#[sqlx::test]
async fn the_case_page_shows_the_coming_dates_and_material_carries_the_retention_check(
    pool: PgPool,
) {
    let app = TestApp::spawn(pool).await;
    app.login("teichaku@aoba.example").await;
    let page = body(app.get(&format!("/cases/{CASE_TANAKA}")).await).await;
    assert!(page.contains("これからの期限"));
    assert!(page.contains("終了6か月前") || page.contains("終了5か月前"));
    // a meeting on 田中 健's case: the drafted material has the latest retention check
    sqlx::query("UPDATE membership SET role = 'coordinator' WHERE agency_id = $1")
        .bind(AOBA)
        .execute(&app.pool)
        .await
        .unwrap();
    let date = (renkei::domain::dates::today_tokyo() + chrono::Duration::days(5)).to_string();
    let res = app
        .post(
            &format!("/cases/{CASE_TANAKA}/meetings"),
            &[
                ("purpose", "service_end_handover"),
                ("date", &date),
                ("time", "15:00"),
                ("duration", "60"),
                ("place", "あおば"),
                ("invite", &MINATO.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let material = body(app.get(&format!("{}/material", location(&res))).await).await;
    assert!(material.contains("定着のチェックリスト"));
    assert!(material.contains("本人の体調の安定 2.3（要確認）"));
}

#[sqlx::test]
async fn a_done_note_over_the_limit_comes_back_on_a_form_of_its_own(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let hikari = app.browser();
    hikari.login("staff@hikari.example").await;
    let task: Uuid = sqlx::query_scalar(
        "SELECT id FROM task WHERE owner_agency_id = $1 AND status = 'open' LIMIT 1",
    )
    .bind(HIKARI)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let long = "済".repeat(1001);
    let res = hikari
        .post(
            &format!("/tasks/{task}/done"),
            &[("note", long.as_str()), ("back", "/tasks")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains(&long), "the note kept");
    assert!(
        page.contains("文字以内で入力してください"),
        "the message by the field: {page}"
    );
    assert!(page.contains(&format!(r#"action="/tasks/{task}/done""#)));
    let status: String = sqlx::query_scalar("SELECT status FROM task WHERE id = $1")
        .bind(task)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "open", "nothing changed");
    // the same for an action item, in English
    let (item, owner): (Uuid, Uuid) =
        sqlx::query_as("SELECT id, owner_agency_id FROM action_item WHERE status = 'open' LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let email: String = sqlx::query_scalar(
        "SELECT u.email FROM app_user u JOIN membership m ON m.user_id = u.id
          WHERE m.agency_id = $1 ORDER BY u.email LIMIT 1",
    )
    .bind(owner)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let owner_user = app.browser();
    owner_user.login(&email).await;
    let res = owner_user
        .client
        .post(owner_user.url(&format!("/action-items/{item}/done")))
        .header("accept-language", "en")
        .form(&[("note", long.as_str()), ("back", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains(&long));
    assert!(
        page.contains("Too long: at most"),
        "in the reader's language: {page}"
    );
}
