//! Nothing typed twice, nothing lost: the one-shot confirmation after a save, forms that come
//! back with every field as typed, the participant's correction of today's report, action-item
//! owners chosen from the team's people, and minutes corrected with their history.

use crate::helpers::*;
use renkei::demo::*;
use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

fn in_days(n: i64) -> String {
    (renkei::domain::dates::today_tokyo() + chrono::Duration::days(n)).to_string()
}

async fn post_pairs(app: &TestApp, path: &str, form: &[(String, String)]) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .form(form)
        .send()
        .await
        .unwrap()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn all_set_cookies(res: &reqwest::Response) -> Vec<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

const FLASH: &str = "id=\"flash\"";

/// An open task of an agency and a user who acts only as that agency.
async fn open_task(pool: &PgPool) -> (Uuid, String) {
    sqlx::query_as(
        "SELECT t.id, u.email FROM task t
           JOIN membership m ON m.agency_id = t.owner_agency_id
           JOIN app_user u ON u.id = m.user_id
          WHERE t.status = 'open' AND u.active AND u.participant_case_id IS NULL
            AND (SELECT count(*) FROM membership x WHERE x.user_id = u.id) = 1
            AND NOT EXISTS (SELECT 1 FROM second_factor f
                             WHERE f.user_id = u.id AND f.enabled_at IS NOT NULL)
          ORDER BY t.due_on, t.id, u.email LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .expect("the demo has an open task")
}

#[sqlx::test]
async fn a_save_confirms_once_and_not_after_a_reload(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (task, email) = open_task(&app.pool).await;
    app.login(&email).await;
    let res = app
        .post(
            &format!("/tasks/{task}"),
            &[
                ("title", "面談の記録を確かめる"),
                ("due_on", &in_days(9)),
                ("back", "/tasks"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/tasks");
    let cookie = set_cookie(&res);
    assert!(
        cookie.starts_with("renkei_flash=saved;") && cookie.contains("HttpOnly"),
        "only the flash's code, in a cookie scripts cannot read: {cookie}"
    );
    assert!(cookie.contains("Max-Age=60"), "{cookie}");
    // the page that follows says so, once
    let res = app.get("/tasks").await;
    assert!(
        all_set_cookies(&res)
            .iter()
            .any(|c| c.starts_with("renkei_flash=;")),
        "the page that showed it removes it"
    );
    let page = body(res).await;
    assert!(
        page.contains("<p role=\"status\" class=\"flash\" id=\"flash\">保存しました</p>"),
        "{page}"
    );
    assert!(page.contains("面談の記録を確かめる"));
    // a reload shows nothing
    assert!(!body(app.get("/tasks").await).await.contains(FLASH));

    // finishing a task says 完了, in English for an English reader
    app.post("/lang", &[("lang", "en"), ("back", "/tasks")])
        .await;
    let res = app
        .post(
            &format!("/tasks/{task}/done"),
            &[("note", ""), ("back", "/tasks")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = body(app.get("/tasks").await).await;
    assert!(page.contains(">Marked as done.</p>"), "{page}");
    assert!(!body(app.get("/tasks").await).await.contains(FLASH));
}

#[sqlx::test]
async fn a_flash_carries_no_text_and_ends_at_logout(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("sabikan@hikari.example").await;
    // a cookie with anything but a known code shows nothing
    for forged in ["<script>x</script>", "保存しました", "flash-saved", "SAVED"] {
        let res = app
            .client
            .get(app.url("/"))
            .header("cookie", format!("renkei_flash={}", urlencode(forged)))
            .send()
            .await
            .unwrap();
        let page = body(res).await;
        assert!(!page.contains(FLASH), "{forged}");
        assert!(!page.contains("<script>x"), "{forged}");
    }
    // a save, then logging out before the page that follows: the next user sees nothing
    let res = app
        .post(
            &format!("/cases/{CASE_SUZUKI}/entries"),
            &[
                ("kind", "progress"),
                ("category", "training"),
                ("body", "午前の作業が安定してきた。"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    let res = app.post("/logout", &[]).await;
    assert!(
        all_set_cookies(&res)
            .iter()
            .any(|c| c.starts_with("renkei_flash=;")),
        "logging out removes the flash"
    );
    app.login("staff@hikari.example").await;
    assert!(!body(app.get("/").await).await.contains(FLASH));
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[sqlx::test]
async fn the_confirmation_follows_the_saves_of_every_area(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("sabikan@hikari.example").await;
    // (path, form, the words on the page that follows)
    type Save = (String, Vec<(String, String)>, &'static str);
    let saves: Vec<Save> = vec![
        (
            format!("/cases/{CASE_SUZUKI}/entries"),
            pairs(&[
                ("kind", "progress"),
                ("category", "training"),
                ("body", "作業の手順書を自分で見直していた。"),
            ]),
            "記録しました",
        ),
        (
            format!("/cases/{CASE_SUZUKI}/meetings"),
            pairs(&[
                ("purpose", "support_plan"),
                ("date", &in_days(12)),
                ("time", "10:00"),
                ("duration", "60"),
                ("place", "ひかり 相談室"),
                ("invite", &MINATO.to_string()),
                ("confirm_clash", "1"),
            ]),
            "予定を登録しました",
        ),
        (
            format!("/meetings/{MEETING_SUZUKI}/material"),
            pairs(&[
                ("material", "## 議題\n\n- 実習の振り返り"),
                ("category", "own"),
            ]),
            "保存しました",
        ),
    ];
    for (path, form, words) in saves {
        let res = post_pairs(&app, &path, &form).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        let next = location(&res);
        let page = body(app.get(&next).await).await;
        assert!(
            page.contains(&format!("id=\"flash\">{words}</p>")),
            "{path} → {next}: {words}"
        );
        assert!(!body(app.get(&next).await).await.contains(FLASH), "{path}");
    }
}

#[sqlx::test]
async fn a_failed_task_edit_comes_back_as_the_tasks_form(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (task, email) = open_task(&app.pool).await;
    app.login(&email).await;
    let before: (String, chrono::NaiveDate) =
        sqlx::query_as("SELECT title, due_on FROM task WHERE id = $1")
            .bind(task)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    // a bad date: the title typed stays, the message is by the date
    let res = app
        .post(
            &format!("/tasks/{task}"),
            &[
                ("title", "書類の控えを本人に渡す"),
                ("due_on", "2026-02-31"),
                ("back", "/tasks"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(
        page.contains(&format!("action=\"/tasks/{task}\"")),
        "the task's own form"
    );
    assert!(page.contains("value=\"書類の控えを本人に渡す\""));
    assert!(page.contains("value=\"2026-02-31\""), "the date as typed");
    assert!(
        page.contains("id=\"due_on-error\""),
        "the message by the date"
    );
    assert!(!page.contains("id=\"title-error\""));
    assert!(page.contains("name=\"back\" value=\"/tasks\""));
    // no title: the date stays, the message is by the title
    let due = in_days(20);
    let res = app
        .post(
            &format!("/tasks/{task}"),
            &[("title", "  "), ("due_on", &due), ("back", "/tasks")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains(&format!("value=\"{due}\"")));
    assert!(page.contains("id=\"title-error\""));
    // in the reader's language
    app.post("/lang", &[("lang", "en"), ("back", "/tasks")])
        .await;
    let page = body(
        app.post(
            &format!("/tasks/{task}"),
            &[("title", "x"), ("due_on", ""), ("back", "/tasks")],
        )
        .await,
    )
    .await;
    assert!(
        page.contains("Please enter a date as 2026-04-01."),
        "{page}"
    );
    // nothing changed
    let after: (String, chrono::NaiveDate) =
        sqlx::query_as("SELECT title, due_on FROM task WHERE id = $1")
            .bind(task)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(before, after);
    // another agency's task has no form to come back to
    let other = app.browser();
    other.login("admin@renkei.example").await;
    let res = other
        .post(&format!("/tasks/{task}"), &[("title", ""), ("due_on", "")])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn a_failed_referral_step_keeps_its_date_reason_and_note(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
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
    app.login("staff@hikari.example").await;
    let past = in_days(-2);
    let res = app
        .post(
            &format!("/referrals/{referral}/transition"),
            &[
                ("to", "visit_scheduled"),
                ("visit_on", &past),
                ("note", "午後の見学を希望"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(
        page.contains(&format!("name=\"visit_on\" value=\"{past}\"")),
        "the visit date as typed"
    );
    assert!(
        page.contains(">午後の見学を希望</textarea>"),
        "the note kept"
    );
    assert!(page.contains("field-error"));
    // a decline without its reason keeps the note, and a chosen reason stays chosen
    let res = app
        .post(
            &format!("/referrals/{referral}/transition"),
            &[("to", "declined"), ("reason", "no_capacity"), ("note", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(
        page.contains("value=\"no_capacity\" selected"),
        "the reason stays chosen"
    );
    // the good date goes through, with its confirmation
    let res = app
        .post(
            &format!("/referrals/{referral}/transition"),
            &[("to", "visit_scheduled"), ("visit_on", &in_days(4))],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(body(app.get(&location(&res)).await)
        .await
        .contains("id=\"flash\">記録しました"));
}

#[sqlx::test]
async fn the_participant_corrects_todays_report_and_no_other(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login(PARTICIPANT_EMAIL).await;
    let today = in_days(0);
    let report = |mood: &str, note: &str, correct: bool| {
        let mut f = pairs(&[
            ("day", &today),
            ("sleep_hours", "7"),
            ("sleep_quality", "4"),
            ("medication_taken", "yes"),
            ("appetite", "4"),
            ("fatigue_recovered", "yes"),
            ("mood", mood),
            ("note", note),
        ]);
        if correct {
            f.push(("correct".into(), "1".into()));
        }
        f
    };
    let res = post_pairs(&app, "/me/daily", &report("4", "よく眠れた", false)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = body(app.get("/me/daily").await).await;
    assert!(page.contains("id=\"flash\">記録しました"), "{page}");
    // the form is now today's report, to correct it
    assert!(page.contains("id=\"daily-correcting\""));
    assert!(page.contains("name=\"correct\" value=\"1\""));
    assert!(page.contains(">よく眠れた</textarea>"));
    assert!(page.contains("name=\"mood\" value=\"4\" checked"));
    let res = post_pairs(&app, "/me/daily", &report("2", "夜に目が覚めた", true)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(body(app.get("/me/daily").await)
        .await
        .contains("id=\"flash\">保存しました"));
    let (mood, note, count): (i16, String, i64) = sqlx::query_as(
        "SELECT mood, note, (SELECT count(*) FROM daily_report WHERE case_id = $1 AND day = $2)
           FROM daily_report WHERE case_id = $1 AND day = $2",
    )
    .bind(CASE_TAKAHASHI)
    .bind(renkei::domain::dates::today_tokyo())
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((mood, note.as_str(), count), (2, "夜に目が覚めた", 1));
    assert_eq!(audit_count(&app.pool, "daily.correct", "ok").await, 1);
    // an earlier day stays as it was, whatever the form says
    let yesterday = in_days(-1);
    let before: (i16, String) =
        sqlx::query_as("SELECT mood, note FROM daily_report WHERE case_id = $1 AND day = $2")
            .bind(CASE_TAKAHASHI)
            .bind(renkei::domain::dates::today_tokyo() - chrono::Duration::days(1))
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let mut old = report("5", "書き換え", true);
    old[0].1 = yesterday.clone();
    let res = post_pairs(&app, "/me/daily", &old).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("直せるのは今日の記録だけです"), "{page}");
    assert!(
        page.contains(">書き換え</textarea>"),
        "what was typed is kept"
    );
    let after: (i16, String) =
        sqlx::query_as("SELECT mood, note FROM daily_report WHERE case_id = $1 AND day = $2")
            .bind(CASE_TAKAHASHI)
            .bind(renkei::domain::dates::today_tokyo() - chrono::Duration::days(1))
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(before, after);
    // a bad correction keeps every field, radios included
    let res = post_pairs(
        &app,
        "/me/daily",
        &report("9", "気分の数字を間違えた", true),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("name=\"sleep_quality\" value=\"4\" checked"));
    assert!(page.contains("name=\"fatigue_recovered\" value=\"yes\" checked"));
    assert!(page.contains(">気分の数字を間違えた</textarea>"));
    // another day can still be written from the blank form
    let blank = body(app.get("/me/daily?new=1").await).await;
    assert!(!blank.contains("name=\"correct\""));
}

/// Moves a meeting's start into the past (minutes are written once it has started).
async fn started(pool: &PgPool, meeting: Uuid) {
    sqlx::query("UPDATE meeting SET starts_at = now() - interval '1 hour' WHERE id = $1")
        .bind(meeting)
        .execute(pool)
        .await
        .unwrap();
}

async fn user_id(pool: &PgPool, email: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM app_user WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn action_item_owners_are_the_teams_people_in_any_number_of_rows(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let meeting = MEETING_TAKAHASHI;
    started(&app.pool, meeting).await;
    app.login("sabikan@hikari.example").await;
    let page = body(app.get(&format!("/meetings/{meeting}")).await).await;
    // a select of people grouped by agency, no e-mail to type
    assert!(!page.contains("name=\"who_0\""));
    assert!(page.contains("<optgroup label=\"あおば就労定着支援事業所\">"));
    let aoba = user_id(&app.pool, "teichaku@aoba.example").await;
    let aoba_person = format!("{AOBA}/{aoba}");
    assert!(page.contains(&format!("<option value=\"{aoba_person}\">")));
    // one empty row to start with
    assert!(page.contains("name=\"what_0\"") && !page.contains("name=\"what_1\""));
    assert!(page.contains("name=\"rows\" value=\"1\""));

    // 行を追加: the same form with one row more, everything kept, nothing saved
    let mut form = pairs(&[
        ("attendees", "本人、ひかり、あおば"),
        ("discussion", "定着支援への引継ぎ"),
        ("decisions", ""),
        ("rows", "1"),
        ("owner_0", &aoba_person),
        ("due_0", &in_days(7)),
        ("how_0", "職場訪問"),
        ("what_0", "職場での様子を確かめる"),
    ]);
    let mut adding = form.clone();
    adding.push(("add_row".into(), "1".into()));
    let res = post_pairs(&app, &format!("/meetings/{meeting}/minutes"), &adding).await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = body(res).await;
    assert!(page.contains("name=\"rows\" value=\"2\""));
    assert!(page.contains("name=\"what_1\"") && !page.contains("name=\"what_2\""));
    assert!(page.contains(&format!("<option value=\"{aoba_person}\" selected>")));
    assert!(page.contains("value=\"職場での様子を確かめる\""));
    assert!(page.contains(">定着支援への引継ぎ</textarea>"));
    let status: String = sqlx::query_scalar("SELECT status FROM meeting WHERE id = $1")
        .bind(meeting)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "scheduled", "adding a row saves nothing");

    // someone not of the team's agencies is refused by the field, the rest kept
    let outsider = user_id(&app.pool, "staff@haruka.example").await;
    let mut wrong = form.clone();
    wrong.extend(pairs(&[
        ("rows", "2"),
        ("owner_1", &format!("{HARUKA}/{outsider}")),
        ("due_1", &in_days(3)),
        ("what_1", "連絡する"),
    ]));
    let res = post_pairs(&app, &format!("/meetings/{meeting}/minutes"), &wrong).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("担当する機関を選んでください"));
    assert!(page.contains("value=\"連絡する\""));
    // a person of one agency passed off as another's is refused too
    let mut forged = form.clone();
    forged[4].1 = format!("{MINATO}/{aoba}");
    let res = post_pairs(&app, &format!("/meetings/{meeting}/minutes"), &forged).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // seven rows (more than any fixed number), each its owner
    let shokucen = user_id(&app.pool, "jc@shokucen.example").await;
    for n in 1..7 {
        let owner = if n % 2 == 0 {
            MIDORI.to_string()
        } else {
            format!("{SHOKUCEN}/{shokucen}")
        };
        form.extend(pairs(&[
            (&format!("owner_{n}"), &owner),
            (&format!("due_{n}"), &in_days(10 + n)),
            (&format!("what_{n}"), &format!("役割 {n}")),
        ]));
    }
    form[3].1 = "7".into();
    let res = post_pairs(&app, &format!("/meetings/{meeting}/minutes"), &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    let items: Vec<(Uuid, Option<Uuid>, String)> = sqlx::query_as(
        "SELECT owner_agency_id, owner_user_id, what FROM action_item
          WHERE meeting_id = $1 ORDER BY what",
    )
    .bind(meeting)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(items.len(), 7);
    assert!(items.contains(&(AOBA, Some(aoba), "職場での様子を確かめる".into())));
    assert!(items.contains(&(SHOKUCEN, Some(shokucen), "役割 1".into())));
    assert!(items.contains(&(MIDORI, None, "役割 2".into())));
    // the person sees it as theirs on /tasks
    let person = app.browser();
    person.login("teichaku@aoba.example").await;
    assert!(body(person.get("/tasks").await)
        .await
        .contains("職場での様子を確かめる"));
}

#[sqlx::test]
async fn minutes_are_corrected_with_their_history(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let meeting = MEETING_SUZUKI;
    app.login("sabikan@hikari.example").await;
    let page = body(app.get(&format!("/meetings/{meeting}")).await).await;
    assert!(page.contains(&format!("action=\"/meetings/{meeting}/minutes/edit\"")));
    assert!(
        page.contains("name=\"version\" value=\"2\""),
        "the demo's second version"
    );
    let edit = |decisions: &str, version: &str| {
        pairs(&[
            (
                "attendees",
                "本人、ひかり（吉田）、さくら通りクリニック（山本）、みなと（山口）、こもれび（林）",
            ),
            (
                "discussion",
                "訓練の様子と、実習に向けた課題を共有した。疲れが出る午後の過ごし方について、デイケアでの工夫を聞いた。",
            ),
            ("decisions", decisions),
            ("version", version),
        ])
    };
    let res = post_pairs(
        &app,
        &format!("/meetings/{meeting}/minutes/edit"),
        &edit(
            "物流会社での実習を目指す。生活面はみなと、通院はさくらが支える。",
            "2",
        ),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = body(app.get(&location(&res)).await).await;
    assert!(page.contains("id=\"flash\">保存しました"));
    assert!(page.contains("通院はさくらが支える"));
    assert!(page.contains("第3版"));
    assert_eq!(
        audit_count(&app.pool, "meeting.minutes.edit", "ok").await,
        1
    );

    // a second edit made from the page as it was before is refused, with the text kept
    let res = post_pairs(
        &app,
        &format!("/meetings/{meeting}/minutes/edit"),
        &edit("古い画面からの修正", "2"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("この間に別の人が議事録を直しました"));
    assert!(page.contains(">古い画面からの修正</textarea>"));
    // an empty required part is refused by the field
    let mut empty = edit("x", "3");
    empty[0].1 = String::new();
    let res = post_pairs(&app, &format!("/meetings/{meeting}/minutes/edit"), &empty).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("id=\"attendees-error\""));

    // an invited agency reads every version: who wrote it, who replaced it, what changed
    let clinic = app.browser();
    clinic.login("psw@sakura.example").await;
    let res = clinic
        .get(&format!("/meetings/{meeting}/minutes/history"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let history = body(res).await;
    assert!(history.contains("id=\"minutes-current\""));
    assert!(
        history.contains("id=\"minutes-version-2\"")
            && history.contains("id=\"minutes-version-1\"")
    );
    assert!(history.contains("通院はさくらが支える"));
    assert!(
        history.contains("生活面の相談はみなとが受ける"),
        "version 2 kept"
    );
    let name: String = sqlx::query_scalar(
        "SELECT display_name FROM app_user WHERE email = 'sabikan@hikari.example'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        history.contains(&format!("置き換え: {name}")),
        "who replaced it"
    );
    assert!(history.contains("次の版で変わったところ: 決まったこと"));
    assert_eq!(
        audit_count(&app.pool, "meeting.minutes.history", "ok").await,
        1
    );
    // the clinic does not run the meeting: it cannot correct the minutes
    let res = post_pairs(
        &clinic,
        &format!("/meetings/{meeting}/minutes/edit"),
        &edit("y", "3"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // an agency not invited does not read the history
    let aoba = app.browser();
    aoba.login("teichaku@aoba.example").await;
    let res = aoba
        .get(&format!("/meetings/{meeting}/minutes/history"))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // the history is append-only for the app's role
    let changed = sqlx::query("UPDATE minutes_version SET decisions = 'x'")
        .execute(&app.app_pool)
        .await;
    assert!(
        changed.is_err(),
        "the app cannot rewrite an earlier version"
    );
    let versions: i64 =
        sqlx::query_scalar("SELECT count(*) FROM minutes_version WHERE meeting_id = $1")
            .bind(meeting)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(versions, 2);
}

#[sqlx::test]
async fn minutes_wait_for_the_meeting_to_start(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let meeting = MEETING_TAKAHASHI;
    app.login("sabikan@hikari.example").await;
    let page = body(app.get(&format!("/meetings/{meeting}")).await).await;
    assert!(page.contains("id=\"minutes-not-started\""));
    assert!(!page.contains("id=\"minutes-form\""));
    let form = pairs(&[
        ("attendees", "本人"),
        ("discussion", "引継ぎの準備"),
        ("rows", "1"),
        ("due_0", &in_days(3)),
        ("what_0", "書類をそろえる"),
    ]);
    let res = post_pairs(&app, &format!("/meetings/{meeting}/minutes"), &form).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("議事録は会議が始まってから"));
    assert!(
        page.contains(">引継ぎの準備</textarea>"),
        "the text typed is kept"
    );
    assert!(page.contains("value=\"書類をそろえる\""));
    let status: String = sqlx::query_scalar("SELECT status FROM meeting WHERE id = $1")
        .bind(meeting)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "scheduled");
    // an edit of held minutes whose start lies ahead (moved by hand) is refused too
    sqlx::query("UPDATE meeting SET starts_at = now() + interval '1 day' WHERE id = $1")
        .bind(MEETING_SUZUKI)
        .execute(&app.pool)
        .await
        .unwrap();
    let res = post_pairs(
        &app,
        &format!("/meetings/{MEETING_SUZUKI}/minutes/edit"),
        &pairs(&[("attendees", "a"), ("discussion", "b"), ("version", "2")]),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("議事録は会議が始まってから"));
}

#[sqlx::test]
async fn a_refused_reason_comes_back_with_its_text(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("sabikan@hikari.example").await;
    let long = "理由".repeat(501);
    // revoking a consent
    let consent: Uuid = sqlx::query_scalar(
        "SELECT id FROM consent WHERE case_id = $1 AND revoked_at IS NULL ORDER BY id LIMIT 1",
    )
    .bind(CASE_SUZUKI)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let res = app
        .post(
            &format!("/cases/{CASE_SUZUKI}/consents/{consent}/revoke"),
            &[("reason", &long)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(
        page.contains(&format!(">{long}</textarea>")),
        "the reason kept"
    );
    assert!(
        page.contains("文字以内で入力してください"),
        "the message by the field"
    );
    // cancelling a meeting
    let res = app
        .post(
            &format!("/meetings/{MEETING_TAKAHASHI}/cancel"),
            &[("reason", &long)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(
        page.contains(&format!(">{long}</textarea>")),
        "the reason kept"
    );
    let status: String = sqlx::query_scalar("SELECT status FROM meeting WHERE id = $1")
        .bind(MEETING_TAKAHASHI)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "scheduled");
    // a team member's role, too long: it stays in that member's field
    let role = "定着支援".repeat(30);
    let res = app
        .post(
            &format!("/cases/{CASE_SUZUKI}/team/{MINATO}/role"),
            &[("role_text", &role)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains(&format!("name=\"role_text\" value=\"{role}\"")));
    assert!(page.contains("文字以内で入力してください"));
}

#[sqlx::test]
async fn the_demo_has_a_meeting_whose_minutes_are_to_be_written(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("sabikan@hikari.example").await;
    let page = body(
        app.get(&format!("/meetings/{MEETING_SUZUKI_YESTERDAY}"))
            .await,
    )
    .await;
    assert!(
        page.contains("id=\"minutes-form\""),
        "yesterday's meeting has started"
    );
    assert!(page.contains("<optgroup label=\"さくら通りクリニック\">"));
    // and the held one has a corrected version to read
    let history = body(
        app.get(&format!("/meetings/{MEETING_SUZUKI}/minutes/history"))
            .await,
    )
    .await;
    assert!(history.contains("id=\"minutes-version-1\""));
}
