//! 個別支援計画 (SPEC §13): the cycle from assessment to the next plan, versions kept, the
//! delivery to the 相談支援事業所 under consent, 404 for everyone else, the review clock's tasks,
//! bad input, and drafting and printing a plan in a real browser at desktop and phone width.

use crate::browser::{click_and_wait, console_errors, fill, log_in, screenshot, Driver};
use crate::helpers::*;
use fantoccini::Locator;
use renkei::demo::{AOBA, CASE_SATO, CASE_SUZUKI, CASE_TAKAHASHI, CASE_TANAKA, HIKARI, KOMOREBI};
use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

fn today() -> chrono::NaiveDate {
    renkei::domain::dates::today_tokyo()
}

fn day(n: i64) -> String {
    (today() + chrono::Duration::days(n)).to_string()
}

async fn count(pool: &PgPool, sql: &str, id: Uuid) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Starts a plan of the signed-in agency on `case` and returns its id.
async fn start_plan(app: &TestApp, case: Uuid, service_start: &str) -> Uuid {
    let res = app
        .post(
            &format!("/cases/{case}/plans"),
            &[
                ("service", "transition"),
                ("service_start_on", service_start),
                ("assessed_on", &day(0)),
                ("assessment", "面談：事務の仕事を希望。午後に疲れやすい。"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    let to = location(&res);
    let id = to.rsplit('/').next().unwrap();
    Uuid::parse_str(id).unwrap()
}

async fn sabikan_id(pool: &PgPool) -> String {
    sqlx::query_scalar::<_, Uuid>("SELECT id FROM app_user WHERE email = 'sabikan@hikari.example'")
        .fetch_one(pool)
        .await
        .unwrap()
        .to_string()
}

fn draft<'a>(manager: &'a str, wishes: &'a str) -> Vec<(&'static str, String)> {
    vec![
        ("plan_date", day(0)),
        ("manager_id", manager.to_string()),
        ("wishes", wishes.to_string()),
        ("policy", "手順書で作業を安定させる".into()),
        ("period_from", day(0)),
        ("period_to", day(90)),
        ("goal_text_1", "事務職に就職する".into()),
        ("goal_on_1", day(365)),
        ("goal_text_2", "データ入力を1時間続ける".into()),
        ("goal_on_2", day(90)),
        ("row_what_1", "PC入力の作業訓練".into()),
        ("row_who_1", "就労支援員".into()),
        ("row_frequency_1", "週4日".into()),
        ("row_place_1", "ひかり".into()),
        ("row_period_1", "3か月".into()),
        ("row_addition_1", "1".into()),
    ]
}

async fn post_pairs(app: &TestApp, path: &str, pairs: &[(&str, String)]) -> reqwest::Response {
    let form: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post(path, &form).await
}

#[sqlx::test]
async fn the_cycle_runs_from_assessment_to_the_next_plan_and_keeps_every_version(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    app.login("sabikan@hikari.example").await;
    let case = CASE_SATO;
    let manager = sabikan_id(&pool).await;
    // the form starts from what ひかり may see of the case
    let page = body(app.get(&format!("/cases/{case}/plans")).await).await;
    assert!(page.contains("アセスメントの記録"), "{page}");
    let plan = start_plan(&app, case, &day(-40)).await;
    let url = format!("/cases/{case}/plans/{plan}");
    // a service that started 40 days ago without a delivered plan is flagged
    let page = body(app.get(&format!("/cases/{case}/plans")).await).await;
    assert!(
        page.contains("個別支援計画がまだ交付されていません"),
        "{page}"
    );
    assert!(page.contains("plan-notice"));
    let overview = body(app.get(&format!("/cases/{case}")).await).await;
    assert!(
        overview.contains("個別支援計画がまだ交付されていません"),
        "flagged on the case"
    );
    // steps out of turn are refused by the field, nothing written
    let res = app
        .post(
            &format!("{url}/consent"),
            &[
                ("consented_on", &day(0)),
                ("method", "signature"),
                ("consenter", "本人"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("今の段階ではこの操作はできません"));
    // 原案, twice: both versions kept
    for wishes in [
        "事務の仕事に就きたい",
        "事務の仕事に就きたい（家族：無理なく）",
    ] {
        let res = post_pairs(&app, &format!("{url}/versions"), &draft(&manager, wishes)).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    }
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM support_plan_version WHERE plan_id = $1",
            plan
        )
        .await,
        2
    );
    let page = body(app.get(&url).await).await;
    assert!(
        page.contains("版2") && page.contains("保存した版"),
        "{page}"
    );
    assert!(page.contains("原案"));
    // 担当者会議 (an internal record)
    let res = app
        .post(
            &format!("{url}/meeting"),
            &[
                ("meeting_id", ""),
                ("held_on", &day(0)),
                ("attendees", "本人、サービス管理責任者、支援員"),
                ("minutes", "頻度を本人の希望に合わせた"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    // 本人の同意 to the latest version
    let res = app
        .post(
            &format!("{url}/consent"),
            &[
                ("consented_on", &day(0)),
                ("method", "name_seal"),
                ("consenter", "本人"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    let consented: i32 = sqlx::query_scalar(
        "SELECT v.version_no FROM support_plan_consent k
         JOIN support_plan_version v ON v.id = k.version_id WHERE k.plan_id = $1",
    )
    .bind(plan)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(consented, 2);
    // the consented version is frozen: no more drafts
    let res = post_pairs(&app, &format!("{url}/versions"), &draft(&manager, "変更")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM support_plan_version WHERE plan_id = $1",
            plan
        )
        .await,
        2
    );
    // 交付 to the person and to こもれび (its consent covers training)
    let res = app
        .post(
            &format!("{url}/delivery"),
            &[
                ("delivered_on", &day(0)),
                ("agency_id", &KOMOREBI.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM support_plan_delivery WHERE plan_id = $1",
            plan
        )
        .await,
        2
    );
    assert!(audit_count(&pool, "plan.deliver", "ok").await >= 2);
    let page = body(app.get(&url).await).await;
    assert!(page.contains("交付済み"), "{page}");
    // the review clock: a task for ひかり, three months on
    let due: chrono::NaiveDate = sqlx::query_scalar(
        "SELECT due_on FROM task WHERE case_id = $1 AND source = $2 AND owner_agency_id = $3",
    )
    .bind(case)
    .bind(format!("plan-review:{plan}"))
    .bind(HIKARI)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(due, renkei::domain::dates::add_months_clamped(today(), 3));
    // the flag is gone once a plan is delivered
    let page = body(app.get(&format!("/cases/{case}/plans")).await).await;
    assert!(!page.contains("個別支援計画がまだ交付されていません"));
    let overview = body(app.get(&format!("/cases/{case}")).await).await;
    assert!(!overview.contains("個別支援計画がまだ交付されていません"));
    // モニタリング
    let res = app
        .post(
            &format!("{url}/monitoring"),
            &[
                ("monitoring_held_on", &day(0)),
                ("findings", "午前の作業は安定"),
                ("change_needed", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    assert!(body(app.get(&url).await).await.contains("午前の作業は安定"));
    // the next plan starts from the delivered version
    let next = start_plan(&app, case, &day(-40)).await;
    assert_ne!(next, plan);
    let page = body(app.get(&format!("/cases/{case}/plans/{next}")).await).await;
    assert!(
        page.contains("事務の仕事に就きたい（家族：無理なく）"),
        "{page}"
    );
    assert!(page.contains("PC入力の作業訓練"));
    // a third may not start while the second is in progress
    let res = app
        .post(
            &format!("/cases/{case}/plans"),
            &[
                ("service", "transition"),
                ("service_start_on", ""),
                ("assessed_on", &day(0)),
                ("assessment", "x"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // the next plan through to delivery: the first is superseded and its task goes
    let nurl = format!("/cases/{case}/plans/{next}");
    let res = app
        .post(
            &format!("{nurl}/meeting"),
            &[
                ("held_on", &day(0)),
                ("attendees", "本人、サビ管"),
                ("minutes", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    let res = app
        .post(
            &format!("{nurl}/consent"),
            &[
                ("consented_on", &day(0)),
                ("method", "oral"),
                ("consenter", "本人"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app
        .post(&format!("{nurl}/delivery"), &[("delivered_on", &day(0))])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let sources: Vec<String> = sqlx::query_scalar(
        "SELECT source FROM task WHERE case_id = $1 AND source LIKE 'plan-review:%' AND status = 'open'",
    )
    .bind(case)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(sources, vec![format!("plan-review:{next}")]);
    let page = body(app.get(&url).await).await;
    assert!(page.contains("次の計画に更新済み"), "{page}");
    // the first plan's delivered version is still there, as delivered
    let printed = body(app.get(&format!("{url}/print")).await).await;
    assert!(printed.contains("事務の仕事に就きたい（家族：無理なく）"));
    assert!(printed.contains("上記の個別支援計画について説明を受け、同意し、交付を受けました。"));
    assert!(printed.contains("令和"), "the print is dated in 和暦");
}

/// A plan of ひかり on 佐藤 花子's case taken to consent (nothing delivered yet).
pub(crate) async fn consented_plan(app: &TestApp, pool: &PgPool) -> Uuid {
    let manager = sabikan_id(pool).await;
    let plan = start_plan(app, CASE_SATO, "").await;
    let url = format!("/cases/{CASE_SATO}/plans/{plan}");
    let res = post_pairs(
        app,
        &format!("{url}/versions"),
        &draft(&manager, "本人の意向 LEAK-CHECK"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.post(
        &format!("{url}/meeting"),
        &[("held_on", &day(0)), ("attendees", "本人")],
    )
    .await;
    let res = app
        .post(
            &format!("{url}/consent"),
            &[
                ("consented_on", &day(0)),
                ("method", "signature"),
                ("consenter", "本人"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    plan
}

#[sqlx::test]
async fn the_consultation_office_reads_the_delivered_plan_only_under_consent(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    app.login("sabikan@hikari.example").await;
    let plan = consented_plan(&app, &pool).await;
    let url = format!("/cases/{CASE_SATO}/plans/{plan}");
    let komorebi = app.browser();
    komorebi.login("soudan@komorebi.example").await;
    // not delivered to it: the plan does not exist for こもれび
    assert_eq!(komorebi.get(&url).await.status(), StatusCode::NOT_FOUND);
    assert!(
        !body(komorebi.get(&format!("/cases/{CASE_SATO}/plans")).await)
            .await
            .contains("LEAK-CHECK")
    );
    // without the person's consent for training, delivery to こもれび is refused by the field
    sqlx::query(
        "UPDATE consent SET categories = array_remove(categories, 'training')
         WHERE case_id = $1 AND agency_id = $2",
    )
    .bind(CASE_SATO)
    .bind(KOMOREBI)
    .execute(&pool)
    .await
    .unwrap();
    let res = app
        .post(
            &format!("{url}/delivery"),
            &[
                ("delivered_on", &day(0)),
                ("agency_id", &KOMOREBI.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(
        page.contains("本人の同意がないため、交付できません"),
        "{page}"
    );
    assert!(
        page.contains(&format!(r#"value="{}" checked"#, KOMOREBI)),
        "the choice is kept"
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM support_plan_delivery WHERE plan_id = $1",
            plan
        )
        .await,
        0,
        "nothing written"
    );
    // delivered to the person only: still nothing for こもれび
    let res = app
        .post(&format!("{url}/delivery"), &[("delivered_on", &day(0))])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(komorebi.get(&url).await.status(), StatusCode::NOT_FOUND);
    // consent given again: delivered to こもれび afterwards, it reads the delivered version only
    sqlx::query(
        "UPDATE consent SET categories = array_append(categories, 'training')
         WHERE case_id = $1 AND agency_id = $2",
    )
    .bind(CASE_SATO)
    .bind(KOMOREBI)
    .execute(&pool)
    .await
    .unwrap();
    let res = app
        .post(
            &format!("{url}/delivery"),
            &[
                ("delivered_on", &day(0)),
                ("agency_id", &KOMOREBI.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    let res = komorebi.get(&url).await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = body(res).await;
    assert!(page.contains("LEAK-CHECK"), "the delivered version");
    assert!(
        !page.contains("午後に疲れやすい"),
        "not the assessment record"
    );
    assert!(!page.contains("原案を保存する"), "no forms");
    assert_eq!(
        komorebi.get(&format!("{url}/print")).await.status(),
        StatusCode::OK
    );
    assert!(
        body(komorebi.get(&format!("/cases/{CASE_SATO}/plans")).await)
            .await
            .contains("第1回の計画")
    );
    // it may read, not record
    let res = komorebi
        .post(
            &format!("{url}/monitoring"),
            &[("monitoring_held_on", &day(0)), ("findings", "x")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // the consent revoked: at once not found again
    sqlx::query("UPDATE consent SET revoked_at = now(), revoked_by = recorded_by WHERE case_id = $1 AND agency_id = $2")
        .bind(CASE_SATO)
        .bind(KOMOREBI)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(komorebi.get(&url).await.status(), StatusCode::NOT_FOUND);
    assert!(audit_count(&pool, "plan.view", "denied").await >= 3);
}

#[sqlx::test]
async fn every_plan_url_is_not_found_for_other_agencies(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let plan: Uuid = sqlx::query_scalar(
        "SELECT id FROM support_plan WHERE case_id = $1 AND agency_id = $2 AND seq = 2",
    )
    .bind(CASE_SUZUKI)
    .bind(HIKARI)
    .fetch_one(&pool)
    .await
    .unwrap();
    let base = format!("/cases/{CASE_SUZUKI}/plans/{plan}");
    let gets = [base.clone(), format!("{base}/print")];
    let posts = ["versions", "meeting", "consent", "delivery", "monitoring"];
    // the clinic and みなと are on the team, not given the plan; はるか is off the team
    for email in [
        "psw@sakura.example",
        "shugyo@minato.example",
        "staff@haruka.example",
        "admin@renkei.example",
    ] {
        let c = app.browser();
        c.login(email).await;
        for url in &gets {
            assert_eq!(
                c.get(url).await.status(),
                StatusCode::NOT_FOUND,
                "{email} GET {url}"
            );
        }
        for step in posts {
            let res = c
                .post(&format!("{base}/{step}"), &[("held_on", &day(0))])
                .await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{email} POST {step}");
        }
        let page = body(c.get(&format!("/cases/{CASE_SUZUKI}/plans")).await).await;
        assert!(
            !page.contains("事務補助の仕事に就職し"),
            "{email} reads no plan in the list"
        );
    }
    // ひかり's own staff and こもれび (delivered, consent live) read it
    for email in ["staff@hikari.example", "soudan@komorebi.example"] {
        let c = app.browser();
        c.login(email).await;
        let res = c.get(&base).await;
        assert_eq!(res.status(), StatusCode::OK, "{email}");
        assert!(body(res).await.contains("事務補助の仕事に就職し"));
    }
}

#[sqlx::test]
async fn reviews_due_and_overdue_are_tasks_on_the_agencys_dashboard(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    app.login("sabikan@hikari.example").await;
    let plan: Uuid = sqlx::query_scalar(
        "SELECT id FROM support_plan WHERE case_id = $1 AND agency_id = $2 AND seq = 2",
    )
    .bind(CASE_SUZUKI)
    .bind(HIKARI)
    .fetch_one(&pool)
    .await
    .unwrap();
    // the demo: 鈴木 一郎's review comes due within the week
    let due: chrono::NaiveDate = sqlx::query_scalar(
        "SELECT due_on FROM task WHERE source = $1 AND owner_agency_id = $2 AND status = 'open'",
    )
    .bind(format!("plan-review:{plan}"))
    .bind(HIKARI)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(
        due >= today() && due <= today() + chrono::Duration::days(7),
        "{due}"
    );
    let dash = body(app.get("/").await).await;
    assert!(dash.contains("個別支援計画の見直し期限"), "{dash}");
    let plans = body(app.get(&format!("/cases/{CASE_SUZUKI}/plans")).await).await;
    assert!(plans.contains("見直し期限が近づいています"), "{plans}");
    // delivered four months ago: overdue (a monitoring that finds a change needed keeps the clock)
    sqlx::query(
        "UPDATE support_plan_delivery SET delivered_on = $2 WHERE plan_id = $1 AND agency_id IS NULL",
    )
    .bind(plan)
    .bind(renkei::domain::dates::add_months_clamped(today(), -4))
    .execute(&pool)
    .await
    .unwrap();
    let url = format!("/cases/{CASE_SUZUKI}/plans/{plan}");
    let res = app
        .post(
            &format!("{url}/monitoring"),
            &[
                ("monitoring_held_on", &day(0)),
                ("findings", "目標の見直しが必要"),
                ("change_needed", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    let due: chrono::NaiveDate = sqlx::query_scalar("SELECT due_on FROM task WHERE source = $1")
        .bind(format!("plan-review:{plan}"))
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        due,
        renkei::domain::dates::add_months_clamped(
            renkei::domain::dates::add_months_clamped(today(), -4),
            3
        )
    );
    assert!(due < today());
    let dash = body(app.get("/").await).await;
    assert!(dash.contains("個別支援計画の見直し期限"), "{dash}");
    let plans = body(app.get(&format!("/cases/{CASE_SUZUKI}/plans")).await).await;
    assert!(plans.contains("を過ぎています"), "{plans}");
    assert!(plans.contains("期限超過"));
    // a monitoring that finds the plan holds is the review: the clock restarts from it
    let res = app
        .post(
            &format!("{url}/monitoring"),
            &[
                ("monitoring_held_on", &day(0)),
                ("findings", "計画どおり継続"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let due: chrono::NaiveDate = sqlx::query_scalar("SELECT due_on FROM task WHERE source = $1")
        .bind(format!("plan-review:{plan}"))
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(due, renkei::domain::dates::add_months_clamped(today(), 3));
    // the legal time line's regeneration leaves the plan's task alone
    let res = app
        .post(
            &format!("/cases/{CASE_SUZUKI}/phase"),
            &[
                ("phase", "training"),
                (
                    "training_started_on",
                    &renkei::domain::dates::add_months_clamped(today(), -14).to_string(),
                ),
            ],
        )
        .await;
    assert!(res.status().is_redirection() || res.status() == StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM task WHERE source = $1")
            .bind(format!("plan-review:{plan}"))
            .fetch_one(&pool)
            .await
            .unwrap(),
        1
    );
    // あおば's plan on 田中 健: a task of its own, six months after its monitoring
    let aoba: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM task WHERE case_id = $1 AND owner_agency_id = $2 AND source LIKE 'plan-review:%'",
    )
    .bind(CASE_TANAKA)
    .bind(AOBA)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(aoba, 1);
}

#[sqlx::test]
async fn bad_input_comes_back_with_every_field_kept_and_nothing_written(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    app.login("sabikan@hikari.example").await;
    let plan = start_plan(&app, CASE_SATO, "").await;
    let url = format!("/cases/{CASE_SATO}/plans/{plan}");
    // no goals, no サービス管理責任者, a short-term goal dated before the plan
    let pairs = vec![
        ("plan_date", day(0)),
        ("manager_id", String::new()),
        ("wishes", "本人の意向はそのまま残る".to_string()),
        ("policy", "方針もそのまま".to_string()),
        ("period_from", day(0)),
        ("period_to", day(-1)),
        ("goal_text_1", String::new()),
        ("goal_on_1", String::new()),
        ("goal_text_2", "短期目標の文".to_string()),
        ("goal_on_2", day(-3)),
        ("row_what_1", "作業訓練の行".to_string()),
        ("row_who_1", "支援員".to_string()),
    ];
    let res = post_pairs(&app, &format!("{url}/versions"), &pairs).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    for kept in [
        "本人の意向はそのまま残る",
        "方針もそのまま",
        "短期目標の文",
        "作業訓練の行",
        &day(-3),
    ] {
        assert!(page.contains(kept), "{kept} kept");
    }
    for message in [
        "この事業所のサービス管理責任者を選んでください。",
        "長期目標を入力してください。",
        "達成時期は作成日以降にしてください。",
        "終了日は開始日以降にしてください。",
    ] {
        assert!(page.contains(message), "{message}");
    }
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM support_plan_version WHERE plan_id = $1",
            plan
        )
        .await,
        0
    );
    // in English too
    let en = app.browser();
    en.login("sabikan@hikari.example").await;
    en.post("/lang", &[("lang", "en")]).await;
    let res = post_pairs(&en, &format!("{url}/versions"), &pairs).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("Enter the long-term goal."));
    // a consent dated before the draft
    let manager = sabikan_id(&pool).await;
    let res = post_pairs(&app, &format!("{url}/versions"), &draft(&manager, "意向")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.post(
        &format!("{url}/meeting"),
        &[("held_on", &day(0)), ("attendees", "本人")],
    )
    .await;
    let res = app
        .post(
            &format!("{url}/consent"),
            &[
                ("consented_on", &day(-5)),
                ("method", "signature"),
                ("consenter", "本人（母同席）"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("同意日は原案の作成日以降にしてください。"));
    assert!(page.contains("本人（母同席）"), "kept");
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM support_plan_consent WHERE plan_id = $1",
            plan
        )
        .await,
        0
    );
    // a start without an assessment
    let res = app
        .post(
            &format!("/cases/{CASE_SUZUKI}/plans"),
            &[
                ("service", "nonsense"),
                ("assessed_on", "2026-13-40"),
                ("assessment", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test]
async fn a_plan_is_drafted_and_printed_in_a_real_browser(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let driver = Driver::start();
    for phone in [false, true] {
        let c = driver.browser(phone).await;
        log_in(&c, &app, "sabikan@hikari.example", PASSWORD).await;
        let case = if phone { CASE_SATO } else { CASE_TAKAHASHI };
        c.goto(&app.url(&format!("/cases/{case}/plans")))
            .await
            .unwrap();
        let tag = if phone { "phone" } else { "desktop" };
        screenshot(&c, &format!("plans-{tag}")).await;
        click_and_wait(&c, "#start button[type=submit]").await;
        // the draft
        fill(
            &c,
            "#wishes",
            "事務の仕事に就きたい。家族：無理なく続けてほしい。",
        )
        .await;
        fill(
            &c,
            "#policy",
            "手順書とメモで作業を安定させ、職場実習に進む。",
        )
        .await;
        fill(&c, "#goal_text_1", "事務補助の仕事に就職する").await;
        fill(&c, "#goal_on_1", "").await;
        c.execute(
            &format!("document.getElementById('goal_on_1').value = '{}'; document.getElementById('goal_on_2').value = '{}';", day(365), day(90)),
            vec![],
        )
        .await
        .unwrap();
        fill(&c, "#goal_text_2", "データ入力を1時間続ける").await;
        fill(&c, "#row_what_1", "PC入力・書類整理の作業訓練").await;
        fill(&c, "#row_who_1", "就労支援員").await;
        fill(&c, "#row_frequency_1", "週4日").await;
        fill(&c, "#row_place_1", "ひかり").await;
        fill(&c, "#row_period_1", "3か月").await;
        fill(&c, "#row_what_2", "面談（疲れのサインの振り返り）").await;
        fill(&c, "#row_frequency_2", "月2回").await;
        screenshot(&c, &format!("plan-draft-{tag}")).await;
        click_and_wait(&c, "#draft button[type=submit]").await;
        let state = c
            .find(Locator::Css("#plan-state"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(state, "原案");
        let width = c
            .execute("return document.documentElement.scrollWidth", vec![])
            .await
            .unwrap();
        assert!(
            width.as_u64().unwrap() <= if phone { 390 } else { 1280 },
            "scroll width {width}"
        );
        screenshot(&c, &format!("plan-{tag}")).await;
        click_and_wait(&c, "a.plan-print").await;
        let text = c
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(text.contains("個別支援計画書"));
        assert!(text.contains("令和"));
        assert!(text.contains("PC入力・書類整理の作業訓練"));
        assert!(text.contains("上記の個別支援計画について説明を受け、同意し、交付を受けました。"));
        let width = c
            .execute("return document.documentElement.scrollWidth", vec![])
            .await
            .unwrap();
        assert!(
            width.as_u64().unwrap() <= if phone { 390 } else { 1280 },
            "print scroll width {width}"
        );
        screenshot(&c, &format!("plan-print-{tag}")).await;
        if !phone {
            // the rest of the cycle at desktop width: meeting, consent, delivery, monitoring
            c.back().await.unwrap();
            fill(&c, "#attendees", "本人、サービス管理責任者、就労支援員").await;
            fill(&c, "#minutes", "原案を本人と確認した").await;
            click_and_wait(&c, "#meeting button[type=submit]").await;
            c.find(Locator::Css("#method option[value=signature]"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            fill(&c, "#consenter", "本人").await;
            click_and_wait(&c, "#consent button[type=submit]").await;
            let state = c
                .find(Locator::Css("#plan-state"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert_eq!(state, "本人同意済み");
            c.find(Locator::Css(&format!(
                "input[name=agency_id][value='{KOMOREBI}']"
            )))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
            click_and_wait(&c, "#delivery button[type=submit]").await;
            let state = c
                .find(Locator::Css("#plan-state"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert_eq!(state, "交付済み");
            let delivered = c
                .find(Locator::Css("ul.plan-deliveries"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(
                delivered.contains("本人") && delivered.contains("こもれび"),
                "{delivered}"
            );
            fill(&c, "#findings", "午前の作業は安定している").await;
            click_and_wait(&c, "#monitoring button[type=submit]").await;
            screenshot(&c, "plan-delivered-desktop").await;
            // ひかり's dashboard lists the reviews due this month (鈴木 一郎's, from the demo)
            c.goto(&app.url("/")).await.unwrap();
            let dash = c
                .find(Locator::Css("main"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(dash.contains("個別支援計画の見直し期限"), "{dash}");
        }
        let errors = console_errors(&c).await;
        assert!(errors.is_empty(), "console errors: {errors:?}");
        c.close().await.unwrap();
    }
}
