//! Readiness and closed-loop referrals, as the clinic and the transition office meet them.

use crate::helpers::*;
use renkei::demo::*;
use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

const CODES: [&str; 6] = [
    "near",
    "attendance",
    "stamina",
    "awareness",
    "experiential",
    "openness",
];

fn all_met() -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = CODES
        .iter()
        .map(|c| (format!("v_{c}"), "met".to_string()))
        .collect();
    form.push((
        "assessed_on".into(),
        renkei::domain::dates::today_tokyo().to_string(),
    ));
    form
}

async fn post_pairs(app: &TestApp, path: &str, form: &[(String, String)]) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

fn referral_id(res: &reqwest::Response) -> Uuid {
    location(res)
        .trim_start_matches("/referrals/")
        .parse()
        .unwrap()
}

#[sqlx::test]
async fn the_therapist_sees_what_is_missing_for_yamada(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("ot@sakura.example").await;
    let page = body(app.get(&format!("/cases/{CASE_YAMADA}/checks")).await).await;
    assert!(page.contains("まだ紹介の目安を満たしていません"));
    assert!(page.contains("4/6 項目を満たす"));
    let missing = page.split("まだ満たしていない目安").nth(1).unwrap();
    let missing = &missing[..missing.find("</ul>").unwrap()];
    assert!(missing.contains("1日過ごす体力がある"));
    assert!(missing.contains("予測的気づきがなくても体験的気づきがある"));
    assert!(!missing.contains("住所が事業所と近い"));
    // what changed since the first assessment
    assert!(page.contains("前回からの変化"));
    assert!(page.contains(
        "ある程度の障害認識があり代償手段を使おうとしている：まだ → <strong>満たす</strong>"
    ));
    // an item left blank: a message by it, nothing written
    let before = count(&app.pool, "SELECT count(*) FROM assessment").await;
    let mut form = all_met();
    form.retain(|(k, _)| k != "v_stamina");
    let res = post_pairs(&app, &format!("/cases/{CASE_YAMADA}/checks"), &form).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("「満たす」「まだ」「不明」から選んでください"));
    assert!(
        page.contains(r#"name="v_near" value="met" checked"#),
        "answers kept"
    );
    assert_eq!(
        count(&app.pool, "SELECT count(*) FROM assessment").await,
        before
    );
}

#[sqlx::test]
async fn a_clinic_refers_and_the_transition_office_accepts_closing_the_loop(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let psw = app.browser();
    psw.login("psw@sakura.example").await;
    // a new participant
    let res = psw
        .post(
            "/cases/new",
            &[
                ("family_name", "木下"),
                ("given_name", "陽介"),
                ("family_kana", "きのした"),
                ("given_kana", "ようすけ"),
                ("birth_date", "1988-05-20"),
                ("municipality", "みどり市"),
                ("disability", "brain_injury"),
            ],
        )
        .await;
    let case: Uuid = location(&res)
        .trim_start_matches("/cases/")
        .parse()
        .unwrap();
    // all six met: ready
    let res = post_pairs(&psw, &format!("/cases/{case}/checks"), &all_met()).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let checks = body(psw.get(&format!("/cases/{case}/checks")).await).await;
    assert!(checks.contains("紹介の目安をすべて満たしています"));
    // pre-referral information
    let res = psw
        .post(
            &format!("/cases/{case}/prereferral"),
            &[
                ("note_why_work", "子どもの学費のため。"),
                ("note_course", "1年前に脳梗塞。"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // sending without consent: refused, with the missing kinds named and a link; nothing kept
    let refer = format!("/cases/{case}/referrals");
    let form = [
        ("to_agency_id", HIKARI.to_string()),
        ("attach_assessment", "1".into()),
        ("hopes", "体験利用から始めたいです。".into()),
        ("action", "send".into()),
    ];
    let res = psw
        .client
        .post(psw.url(&refer))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("同意がまだないため、送れません"));
    assert!(page.contains("評価・チェック") && page.contains("病状・服薬"));
    assert!(page.contains(&format!("/cases/{case}/consents")));
    assert!(page.contains("体験利用から始めたいです。"), "input kept");
    assert_eq!(
        count(&app.pool, "SELECT count(*) FROM referral").await,
        1,
        "only the demo's"
    );

    // consent for ひかり, then the referral goes
    let res = psw
        .client
        .post(psw.url(&format!("/cases/{case}/consents")))
        .form(&[
            ("agency_id", HIKARI.to_string()),
            ("category", "health".into()),
            ("category", "assessment".into()),
            ("category", "training".into()),
            ("category", "life".into()),
            ("given_by", "person".into()),
            ("method", "written".into()),
            ("given_on", renkei::domain::dates::today_tokyo().to_string()),
            ("term", "1y".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = psw
        .client
        .post(psw.url(&refer))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let referral = referral_id(&res);
    // a second open referral to the same office is refused
    let res = psw
        .client
        .post(psw.url(&refer))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("すでに進行中です"));
    let phase: String = sqlx::query_scalar("SELECT phase FROM case_file WHERE id = $1")
        .bind(case)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(phase, "referred");

    // ひかり sees it on its dashboard and acknowledges, schedules the visit, accepts
    let hikari = app.browser();
    hikari.login("staff@hikari.example").await;
    let dash = body(hikari.get("/").await).await;
    assert!(dash.contains("届いている紹介") && dash.contains("木下 陽介"));
    let packet = body(hikari.get(&format!("/referrals/{referral}")).await).await;
    assert!(
        packet.contains("子どもの学費のため。"),
        "the packet carries the notes"
    );
    assert!(packet.contains("体験利用から始めたいです。"));
    let step = |to: &'static str, extra: Vec<(&'static str, String)>| {
        let mut f = vec![("to", to.to_string())];
        f.extend(extra);
        f
    };
    let post = |f: Vec<(&'static str, String)>| {
        let c = hikari.client.clone();
        let url = hikari.url(&format!("/referrals/{referral}/transition"));
        async move { c.post(url).form(&f).send().await.unwrap() }
    };
    assert_eq!(
        post(step(
            "acknowledged",
            vec![("note", "受け付けました".into())]
        ))
        .await
        .status(),
        StatusCode::SEE_OTHER
    );
    let on_team: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM case_agency WHERE case_id = $1 AND agency_id = $2",
    )
    .bind(case)
    .bind(HIKARI)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(on_team, 1, "acknowledging joined the team");
    let past = (renkei::domain::dates::today_tokyo() - chrono::Duration::days(1)).to_string();
    let res = post(step("visit_scheduled", vec![("visit_on", past)])).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let visit = (renkei::domain::dates::today_tokyo() + chrono::Duration::days(7)).to_string();
    assert_eq!(
        post(step("visit_scheduled", vec![("visit_on", visit)]))
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let res = post(step("accepted", vec![])).await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a service start date is needed"
    );
    let start = (renkei::domain::dates::today_tokyo() + chrono::Duration::days(14)).to_string();
    assert_eq!(
        post(step("accepted", vec![("service_start", start)]))
            .await
            .status(),
        StatusCode::SEE_OTHER
    );

    // back at the clinic: every step on the timeline, the case in training
    let page = body(psw.get(&format!("/cases/{case}")).await).await;
    for state in ["送付済み（返事待ち）", "受け付け", "見学予定", "利用決定"]
    {
        assert!(page.contains(state), "{state} on the clinic's timeline");
    }
    assert!(page.contains("就労移行支援の利用中"));
    let (phase, lead): (String, Uuid) =
        sqlx::query_as("SELECT phase, lead_agency_id FROM case_file WHERE id = $1")
            .bind(case)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((phase.as_str(), lead), ("training", HIKARI));
    // the clinic stays on the team
    assert!(body(psw.get(&format!("/cases/{case}/team")).await)
        .await
        .contains("さくら通りクリニック"));

    // nothing moves a closed referral: accepting again, or withdrawing, is refused
    let res = post(step(
        "accepted",
        vec![("service_start", "2027-01-01".into())],
    ))
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = psw
        .post(
            &format!("/referrals/{referral}/transition"),
            &[("to", "withdrawn")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("その手続きはできません"));

    // the printable letter
    let print = body(psw.get(&format!("/referrals/{referral}/print")).await).await;
    assert!(print.contains("紹介状"));
    assert!(print.contains("作成日: 令和"));
    assert!(print.contains("子どもの学費のため。"));
}

#[sqlx::test]
async fn referrals_are_seen_by_the_two_sides_only(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let referral: Uuid = sqlx::query_scalar("SELECT id FROM referral LIMIT 1")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    for (email, status) in [
        ("psw@sakura.example", StatusCode::OK),
        ("staff@hikari.example", StatusCode::OK),
        ("soudan@komorebi.example", StatusCode::NOT_FOUND),
        ("staff@haruka.example", StatusCode::NOT_FOUND),
        ("admin@renkei.example", StatusCode::NOT_FOUND),
    ] {
        let b = app.browser();
        b.login(email).await;
        assert_eq!(
            b.get(&format!("/referrals/{referral}")).await.status(),
            status,
            "{email}"
        );
    }
    // a draft is the sender's alone
    let psw = app.browser();
    psw.login("psw@sakura.example").await;
    let res = psw
        .post(
            &format!("/cases/{CASE_YAMADA}/referrals"),
            &[("to_agency_id", &HIKARI.to_string()), ("action", "draft")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let draft = referral_id(&res);
    let hikari = app.browser();
    hikari.login("staff@hikari.example").await;
    assert_eq!(
        hikari.get(&format!("/referrals/{draft}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let res = hikari
        .post(
            &format!("/referrals/{draft}/transition"),
            &[("to", "acknowledged")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // the receiver cannot send, the sender cannot accept
    let sent: Uuid = sqlx::query_scalar("SELECT id FROM referral WHERE state = 'visit_scheduled'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let res = psw
        .post(
            &format!("/referrals/{sent}/transition"),
            &[("to", "accepted"), ("service_start", "2027-01-01")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // a decline needs a reason from the list and words
    let res = hikari
        .post(
            &format!("/referrals/{sent}/transition"),
            &[("to", "declined")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(
        page.contains("見送りの理由を選んでください") && page.contains("具体的に書いてください")
    );
    let state: String = sqlx::query_scalar("SELECT state FROM referral WHERE id = $1")
        .bind(sent)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(state, "visit_scheduled", "nothing changed");
}

#[sqlx::test]
async fn a_referral_to_a_closed_agency_is_refused(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    sqlx::query("UPDATE agency SET active = false WHERE id = $1")
        .bind(HARUKA)
        .execute(&app.pool)
        .await
        .unwrap();
    app.login("psw@sakura.example").await;
    let res = app
        .post(
            &format!("/cases/{CASE_YAMADA}/referrals"),
            &[("to_agency_id", &HARUKA.to_string()), ("action", "draft")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("紹介先の機関を選んでください"));
}

#[sqlx::test]
async fn the_consent_gate_names_who_can_record_consent_to_those_who_cannot(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let case = renkei::demo::CASE_YAMADA;
    let refer = format!("/cases/{case}/referrals");
    let form = [
        ("to_agency_id", HIKARI.to_string()),
        ("hopes", "見学から始めたいです。".into()),
        ("action", "send".into()),
    ];
    let psw_name: String =
        sqlx::query_scalar("SELECT display_name FROM app_user WHERE email = 'psw@sakura.example'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    // the OT (staff) may refer, but not record consent: she is told whom to ask, with no link
    let ot = app.browser();
    ot.login("ot@sakura.example").await;
    let res = ot
        .client
        .post(ot.url(&refer))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("同意がまだないため、送れません"));
    assert!(!page.contains("同意を記録する</a>"), "no dead-end link");
    assert!(page.contains("主担当機関のコーディネーター"), "{page}");
    assert!(page.contains(&psw_name), "the coordinator by name");
    // the PSW (the lead's coordinator) gets the link
    let psw = app.browser();
    psw.login("psw@sakura.example").await;
    let res = psw
        .client
        .post(psw.url(&refer))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("同意を記録する</a>"));
    assert!(!page.contains("id=\"consent-recorders\""));
}

#[sqlx::test]
async fn each_side_of_a_referral_finds_its_way_to_the_case_and_back(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let case = renkei::demo::CASE_SATO;
    let referral: Uuid = sqlx::query_scalar("SELECT id FROM referral WHERE case_id = $1")
        .bind(case)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // the receiving office (on the team since it acknowledged) links to the case
    let hikari = app.browser();
    hikari.login("staff@hikari.example").await;
    let page = body(hikari.get(&format!("/referrals/{referral}")).await).await;
    assert!(
        page.contains(&format!("<a href=\"/cases/{case}\" id=\"to-case\">")),
        "{page}"
    );
    assert_eq!(
        hikari.get(&format!("/cases/{case}")).await.status(),
        StatusCode::OK
    );
    // the case's referral tab has an explicit link per referral
    let tab = body(hikari.get(&format!("/cases/{case}/referrals")).await).await;
    assert!(tab.contains(&format!(
        "<a href=\"/referrals/{referral}\" class=\"referral-open\">紹介を開く</a>"
    )));
}

#[sqlx::test]
async fn a_new_assessment_starts_from_the_last_and_its_notes_are_shown(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("ot@sakura.example").await;
    let path = format!("/cases/{}/checks", renkei::demo::CASE_YAMADA);
    let mut form = all_met();
    form.push((
        format!("n_{}", CODES[0]),
        "午前中は安定、午後に疲れが出る".into(),
    ));
    form[1].1 = "not_yet".into();
    let res = post_pairs(&app, &path, &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = body(app.get(&path).await).await;
    // the note is on the checks page, by its criterion
    let notes = page
        .split("id=\"criterion-notes\"")
        .nth(1)
        .expect("notes shown");
    assert!(notes.contains("午前中は安定、午後に疲れが出る"));
    // the form starts from this assessment: its values and its note
    assert!(page.contains(&format!(
        "name=\"n_{}\" value=\"午前中は安定、午後に疲れが出る\"",
        CODES[0]
    )));
    assert!(page.contains(&format!(
        "name=\"v_{}\" value=\"not_yet\" checked",
        CODES[1]
    )));
    assert!(page.contains(&format!("name=\"v_{}\" value=\"met\" checked", CODES[0])));
}

#[sqlx::test]
async fn a_receiving_office_the_team_removed_cannot_move_its_referral_on(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let case = renkei::demo::CASE_SATO;
    let (referral, state): (Uuid, String) =
        sqlx::query_as("SELECT id, state FROM referral WHERE case_id = $1")
            .bind(case)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        state, "visit_scheduled",
        "the demo's referral: acknowledged, on the team"
    );
    // the lead takes ひかり off the team
    sqlx::query(
        "UPDATE case_agency SET left_on = (now() AT TIME ZONE 'Asia/Tokyo')::date
          WHERE case_id = $1 AND agency_id = $2",
    )
    .bind(case)
    .bind(HIKARI)
    .execute(&app.pool)
    .await
    .unwrap();
    let hikari = app.browser();
    hikari.login("staff@hikari.example").await;
    let start = (renkei::domain::dates::today_tokyo() + chrono::Duration::days(7)).to_string();
    let denied_before = count(
        &app.pool,
        "SELECT count(*) FROM audit_log WHERE action = 'referral.transition' AND outcome = 'denied'",
    )
    .await;
    for form in [
        vec![
            ("to", "accepted".to_string()),
            ("service_start", start.clone()),
        ],
        vec![
            ("to", "declined".to_string()),
            ("reason", "capacity".into()),
            ("note", "x".into()),
        ],
        vec![("to", "nonsense".to_string())],
    ] {
        let res = hikari
            .client
            .post(hikari.url(&format!("/referrals/{referral}/transition")))
            .form(&form)
            .send()
            .await
            .unwrap();
        // as any write of an agency that left the team: forbidden, audited
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{form:?}");
    }
    let (state, left): (String, Option<chrono::NaiveDate>) = sqlx::query_as(
        "SELECT r.state, ca.left_on FROM referral r
           JOIN case_agency ca ON ca.case_id = r.case_id AND ca.agency_id = $2
          WHERE r.id = $1",
    )
    .bind(referral)
    .bind(HIKARI)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(state, "visit_scheduled", "the referral did not move");
    assert!(left.is_some(), "ひかり did not rejoin the team");
    let lead: Uuid = sqlx::query_scalar("SELECT lead_agency_id FROM case_file WHERE id = $1")
        .bind(case)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_ne!(lead, HIKARI, "nor took the lead");
    let denied_after = count(
        &app.pool,
        "SELECT count(*) FROM audit_log WHERE action = 'referral.transition' AND outcome = 'denied'",
    )
    .await;
    assert_eq!(denied_after, denied_before + 3, "each refusal audited");
}
