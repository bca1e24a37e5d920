//! Case meetings: scheduling (with clashes and consent warnings), answers, calendar files and
//! feeds, the drafted material, minutes and the action items they assign.

use crate::helpers::*;
use renkei::demo::*;
use renkei::domain::ics::parse_lines;
use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

fn in_days(n: i64) -> String {
    (renkei::domain::dates::today_tokyo() + chrono::Duration::days(n)).to_string()
}

fn schedule_form(date: &str, time: &str, invite: &[Uuid]) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = vec![
        ("purpose".into(), "support_plan".into()),
        ("date".into(), date.into()),
        ("time".into(), time.into()),
        ("duration".into(), "60".into()),
        ("place".into(), "みなとセンター 会議室".into()),
        ("person_attends".into(), "1".into()),
    ];
    f.extend(invite.iter().map(|a| ("invite".to_string(), a.to_string())));
    f
}

async fn post_pairs(app: &TestApp, path: &str, form: &[(String, String)]) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .form(form)
        .send()
        .await
        .unwrap()
}

fn ics_value(ics: &str, key: &str) -> Option<String> {
    parse_lines(ics)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

#[sqlx::test]
async fn a_coordinator_runs_a_meeting_from_schedule_to_action_items(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let minato = app.browser();
    minato.login("shugyo@minato.example").await;
    let path = format!("/cases/{CASE_SUZUKI}/meetings");
    let demo_meetings: i64 = sqlx::query_scalar("SELECT count(*) FROM meeting")
        .fetch_one(&app.pool)
        .await
        .unwrap();

    // bad input first: in the past, no invitees, no place — messages, input kept, nothing saved
    let mut bad = schedule_form(&in_days(-1), "10:00", &[]);
    bad.retain(|(k, _)| k != "place");
    let res = post_pairs(&minato, &path, &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("過去の日時には設定できません"));
    assert!(page.contains("招く機関を1つ以上選んでください"));
    assert!(page.contains("場所、オンラインのURL、電話番号のいずれか"));
    let meetings: i64 = sqlx::query_scalar("SELECT count(*) FROM meeting")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(meetings, demo_meetings, "the demo's only");

    let date = in_days(3);
    let res = post_pairs(
        &minato,
        &path,
        &schedule_form(&date, "13:30", &[SAKURA, HIKARI]),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let meeting: Uuid = location(&res)
        .trim_start_matches("/meetings/")
        .parse()
        .unwrap();

    // the material was drafted, with only what every invitee may see, and prints
    let material = body(minato.get(&format!("/meetings/{meeting}/material")).await).await;
    assert!(material.contains("読む機関ごとに"));
    for heading in [
        "訪問の時期や頻度",
        "相談方法やタイミング",
        "連絡方法",
        "職場不適応を起こした場合の対応",
        "関係者間の調整方法",
    ] {
        assert!(material.contains(heading), "{heading}");
    }
    assert!(material.contains("未完了の役割分担"));
    let print = body(
        minato
            .get(&format!("/meetings/{meeting}/material/print"))
            .await,
    )
    .await;
    assert!(print.contains("作成日: 令和") && print.contains("作成者: 山口 健太"));
    // the convener edits it
    let res = minato
        .post(
            &format!("/meetings/{meeting}/material"),
            &[("material", "## 議題\n\n- 実習先の相談")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        body(minato.get(&format!("/meetings/{meeting}/material")).await)
            .await
            .contains("実習先の相談")
    );

    // the clinic sees the invitation and answers
    let clinic = app.browser();
    clinic.login("psw@sakura.example").await;
    assert!(body(clinic.get("/").await)
        .await
        .contains("予定しているケース会議"));
    let res = clinic
        .post(
            &format!("/meetings/{meeting}/rsvp"),
            &[("response", "attend")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = body(minato.get(&format!("/meetings/{meeting}")).await).await;
    assert!(
        page.contains("出席") && page.contains("山本 恵"),
        "the convener sees the answer"
    );

    // the clinic's calendar feed carries it, in UTC
    let res = clinic.post("/account/calendar", &[]).await;
    let token = feed_token(&body(res).await).unwrap();
    let feed = body(app.browser().get(&format!("/calendar/{token}.ics")).await).await;
    assert_eq!(ics_value(&feed, "UID"), Some(format!("{meeting}@renkei")));
    let start = ics_value(&feed, "DTSTART").unwrap();
    assert!(
        start.ends_with("T043000Z"),
        "13:30 JST is 04:30 UTC: {start}"
    );

    // no minutes before the meeting has started: the page says from when, the post is refused
    let page = body(minato.get(&format!("/meetings/{meeting}")).await).await;
    assert!(page.contains("id=\"minutes-not-started\""), "{page}");
    assert!(!page.contains("id=\"minutes-form\""));
    let early = post_pairs(
        &minato,
        &format!("/meetings/{meeting}/minutes"),
        &[
            ("attendees".into(), "本人".into()),
            ("discussion".into(), "まだ始まっていない".into()),
        ],
    )
    .await;
    assert_eq!(early.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let early = body(early).await;
    assert!(early.contains("議事録は会議が始まってから"), "{early}");
    assert!(
        early.contains("まだ始まっていない"),
        "the text typed is kept"
    );
    sqlx::query("UPDATE meeting SET starts_at = now() - interval '1 hour' WHERE id = $1")
        .bind(meeting)
        .execute(&app.pool)
        .await
        .unwrap();

    // hold it: two role assignments
    let res = post_pairs(
        &minato,
        &format!("/meetings/{meeting}/minutes"),
        &[
            ("attendees".into(), "本人、さくら、ひかり、みなと".into()),
            ("discussion".into(), "実習に向けた準備".into()),
            ("decisions".into(), "実習先を探す".into()),
            ("owner_0".into(), SAKURA.to_string()),
            ("due_0".into(), in_days(14)),
            ("how_0".into(), "記録で".into()),
            ("what_0".into(), "デイケアでの工夫をまとめる".into()),
            ("owner_1".into(), HIKARI.to_string()),
            ("due_1".into(), in_days(21)),
            ("what_1".into(), "実習先に打診する".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // the action items reach the owners' dashboards and /tasks
    assert!(body(clinic.get("/").await)
        .await
        .contains("デイケアでの工夫をまとめる"));
    let hikari = app.browser();
    hikari.login("sabikan@hikari.example").await;
    assert!(body(hikari.get("/tasks").await)
        .await
        .contains("実習先に打診する"));
    // the timeline has the meeting entry linking the minutes
    let timeline = body(clinic.get(&format!("/cases/{CASE_SUZUKI}")).await).await;
    assert!(timeline.contains(&format!("/meetings/{meeting}")));
    // no minutes twice
    let res = post_pairs(
        &minato,
        &format!("/meetings/{meeting}/minutes"),
        &[
            ("attendees".into(), "x".into()),
            ("discussion".into(), "x".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // the clinic finishes its item
    let item: Uuid =
        sqlx::query_scalar("SELECT id FROM action_item WHERE what = 'デイケアでの工夫をまとめる'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let res = hikari
        .post(&format!("/action-items/{item}/done"), &[("note", "x")])
        .await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "only the owner agency finishes it"
    );
    let res = clinic
        .post(
            &format!("/action-items/{item}/done"),
            &[("note", "共有済み"), ("back", "/tasks")],
        )
        .await;
    assert_eq!(location(&res), "/tasks");
    assert!(!body(clinic.get("/").await)
        .await
        .contains("デイケアでの工夫をまとめる"));
}

#[sqlx::test]
async fn clashes_are_shown_before_saving(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("shugyo@minato.example").await;
    let path = format!("/cases/{CASE_SUZUKI}/meetings");
    let date = in_days(4);
    let res = post_pairs(&app, &path, &schedule_form(&date, "10:00", &[HIKARI])).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // ひかり is busy 10:00–11:00: 10:30 clashes, 11:00 does not
    let res = post_pairs(&app, &path, &schedule_form(&date, "10:30", &[HIKARI])).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("時間が重なっています") && page.contains("ひかり就労移行支援センター"));
    assert!(
        !page.contains("鈴木 一郎："),
        "other meetings are shown by agency and time only"
    );
    let res = post_pairs(&app, &path, &schedule_form(&date, "11:00", &[HIKARI])).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // confirmed, the clash is accepted
    let mut form = schedule_form(&date, "10:30", &[HIKARI]);
    form.push(("confirm_clash".into(), "1".into()));
    let res = post_pairs(&app, &path, &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[sqlx::test]
async fn inviting_without_consent_needs_a_reason(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("sabikan@hikari.example").await;
    let path = format!("/cases/{CASE_SUZUKI}/meetings");
    // the job coach's center is not on the team and has no consent
    let mut form = schedule_form(&in_days(6), "15:00", &[SAKURA]);
    form.push(("outside_agency".into(), SHOKUCEN.to_string()));
    form.push(("outside_email".into(), "jc@shokucen.example".into()));
    let res = post_pairs(&app, &path, &form).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(
        page.contains("同意がない機関を招こうとしています")
            && page.contains("県障害者職業センター")
    );
    form.push((
        "consent_reason".into(),
        "ジョブコーチ支援の導入を検討するため（本人了承済み、書面は次回）".into(),
    ));
    let res = post_pairs(&app, &path, &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let meeting: Uuid = location(&res)
        .trim_start_matches("/meetings/")
        .parse()
        .unwrap();
    // the job coach, not on the team, sees the invitation and answers
    let jc = app.browser();
    jc.login("jc@shokucen.example").await;
    assert_eq!(
        jc.get(&format!("/meetings/{meeting}")).await.status(),
        StatusCode::OK
    );
    let res = jc
        .post(
            &format!("/meetings/{meeting}/rsvp"),
            &[("response", "tentative")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // but not the case itself
    assert_eq!(
        jc.get(&format!("/cases/{CASE_SUZUKI}")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test]
async fn ics_keeps_its_uid_bumps_sequence_and_cancels(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("sabikan@hikari.example").await;
    let m = MEETING_TAKAHASHI;
    let first = body(app.get(&format!("/meetings/{m}.ics")).await).await;
    assert_eq!(ics_value(&first, "METHOD").as_deref(), Some("PUBLISH"));
    assert_eq!(ics_value(&first, "SEQUENCE").as_deref(), Some("0"));
    assert!(ics_value(&first, "DTSTART").unwrap().ends_with('Z'));
    assert!(!first.contains("高橋"), "calendar titles name no one");
    let res = app
        .post(
            &format!("/meetings/{m}/reschedule"),
            &[
                ("date", &in_days(8)),
                ("time", "09:00"),
                ("duration", "90"),
                ("place", "あおば"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let moved = body(app.get(&format!("/meetings/{m}.ics")).await).await;
    assert_eq!(ics_value(&moved, "UID"), ics_value(&first, "UID"));
    assert_eq!(ics_value(&moved, "SEQUENCE").as_deref(), Some("1"));
    assert!(
        ics_value(&moved, "DTSTART").unwrap().ends_with("T000000Z"),
        "09:00 JST"
    );
    // invitees are told in their inbox
    let aoba = app.browser();
    aoba.login("teichaku@aoba.example").await;
    assert!(body(aoba.get("/inbox").await)
        .await
        .contains("日時・場所を変更しました"));
    // cancelling needs a reason; then METHOD:CANCEL
    let res = app
        .post(&format!("/meetings/{m}/cancel"), &[("reason", "")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(
            &format!("/meetings/{m}/cancel"),
            &[("reason", "本人の体調不良のため")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cancelled = body(app.get(&format!("/meetings/{m}.ics")).await).await;
    assert_eq!(ics_value(&cancelled, "METHOD").as_deref(), Some("CANCEL"));
    assert_eq!(
        ics_value(&cancelled, "STATUS").as_deref(),
        Some("CANCELLED")
    );
    assert_eq!(ics_value(&cancelled, "SEQUENCE").as_deref(), Some("2"));
    // and minutes for a cancelled meeting are refused
    let res = app
        .post(
            &format!("/meetings/{m}/minutes"),
            &[("attendees", "x"), ("discussion", "x")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("中止した会議の議事録は書けません"));
}

#[sqlx::test]
async fn a_revoked_feed_stops_answering(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("teichaku@aoba.example").await;
    let res = app.post("/account/calendar", &[]).await;
    // shown once, in the response, never in a URL
    assert_eq!(res.status(), StatusCode::OK);
    let token = feed_token(&body(res).await).unwrap();
    assert!(!body(app.get("/account").await).await.contains(&token));
    let anyone = app.browser();
    let feed = anyone.get(&format!("/calendar/{token}.ics")).await;
    assert_eq!(feed.status(), StatusCode::OK);
    assert!(feed.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    assert!(body(feed)
        .await
        .contains(&format!("{MEETING_TAKAHASHI}@renkei")));
    // a new URL revokes the old one; revoking ends both
    let res = app.post("/account/calendar", &[]).await;
    let second = feed_token(&body(res).await).unwrap();
    assert_eq!(
        anyone.get(&format!("/calendar/{token}.ics")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        anyone
            .get(&format!("/calendar/{second}.ics"))
            .await
            .status(),
        StatusCode::OK
    );
    app.post("/account/calendar/revoke", &[]).await;
    assert_eq!(
        anyone
            .get(&format!("/calendar/{second}.ics"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test]
async fn the_material_leaves_out_what_an_invitee_may_not_see(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("sabikan@hikari.example").await;
    // a health entry: the employer has no consent for health
    let shares: Vec<String> = sqlx::query_scalar::<_, Uuid>(
        "SELECT agency_id FROM case_agency WHERE case_id = $1 AND left_on IS NULL",
    )
    .bind(CASE_TAKAHASHI)
    .fetch_all(&app.pool)
    .await
    .unwrap()
    .iter()
    .map(|u| u.to_string())
    .collect();
    let mut form = vec![
        ("kind", "progress"),
        ("category", "health"),
        ("body", "睡眠薬を変更した"),
    ];
    form.extend(shares.iter().map(|s| ("share", s.as_str())));
    app.post(&format!("/cases/{CASE_TAKAHASHI}/entries"), &form)
        .await;
    let mut form = vec![
        ("kind", "progress"),
        ("category", "work"),
        ("body", "仕分けのミスが減った"),
    ];
    form.extend(shares.iter().map(|s| ("share", s.as_str())));
    app.post(&format!("/cases/{CASE_TAKAHASHI}/entries"), &form)
        .await;
    let path = format!("/cases/{CASE_TAKAHASHI}/meetings");
    let with_employer = post_pairs(
        &app,
        &path,
        &schedule_form(&in_days(9), "10:00", &[MIDORI, AOBA]),
    )
    .await;
    let m1 = location(&with_employer);
    // the material is made for each reader: the convener previews the employer's
    let material = body(app.get(&format!("{m1}/material?as={MIDORI}")).await).await;
    assert!(material.contains("仕分けのミスが減った"));
    assert!(
        !material.contains("睡眠薬を変更した"),
        "the employer may not see health"
    );
    let without = post_pairs(&app, &path, &schedule_form(&in_days(10), "10:00", &[AOBA])).await;
    let m2 = location(&without);
    let material = body(app.get(&format!("{m2}/material")).await).await;
    assert!(
        material.contains("睡眠薬を変更した"),
        "everyone invited may see it"
    );
}

#[sqlx::test]
async fn the_clash_check_includes_the_conveners_own_meetings(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("shugyo@minato.example").await;
    let date = in_days(5);
    // みなと convenes a meeting on 鈴木 一郎's case with ひかり
    let res = post_pairs(
        &app,
        &format!("/cases/{CASE_SUZUKI}/meetings"),
        &schedule_form(&date, "14:00", &[HIKARI]),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // and then one on 高橋 美咲's case at the same time with another agency: its own staff
    // cannot be in two places
    let res = post_pairs(
        &app,
        &format!("/cases/{CASE_TAKAHASHI}/meetings"),
        &schedule_form(&date, "14:30", &[MIDORI]),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("時間が重なっています"));
    assert!(
        page.contains("みなと障害者就業・生活支援センター"),
        "the convener's own agency"
    );
}
