//! The provision ledger (第三者提供の記録, SPEC §13): every kind of provision is recorded in its
//! transaction and nothing else is; shared entries are counted per month; the receiver reads
//! what it received, from whom and how the provider obtained it; the app's role cannot delete
//! or change a row; the CSV's bytes; the first plan's deadline as a task; 地域連携会議実施加算;
//! and the lead opening and downloading the case's ledger in a real browser.

use crate::browser::{click_and_wait, console_errors, log_in, screenshot, Driver};
use crate::helpers::*;
use fantoccini::Locator;
use renkei::demo::{
    CASE_SATO, CASE_SUZUKI, CASE_TAKAHASHI, CASE_YAMADA, HIKARI, KOMOREBI, MIDORI, MINATO,
    PASSWORD, SAKURA,
};
use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

/// A demo record's fixed id (meetings are 0x6000 + their number).
fn id(n: u128) -> Uuid {
    Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 | n)
}

fn today() -> chrono::NaiveDate {
    renkei::domain::dates::today_tokyo()
}

fn this_month() -> String {
    today().format("%Y-%m").to_string()
}

/// The ledger rows of a kind on a case, as (provider, receiver, categories, count).
async fn rows(pool: &PgPool, case: Uuid, kind: &str) -> Vec<(Uuid, Uuid, Vec<String>, i32)> {
    sqlx::query_as(
        "SELECT provider_agency_id, receiver_agency_id, categories, count FROM provision
         WHERE case_id = $1 AND kind = $2 ORDER BY receiver_agency_id, categories",
    )
    .bind(case)
    .bind(kind)
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn total(pool: &PgPool) -> (i64, i64) {
    sqlx::query_as("SELECT count(*), coalesce(sum(count), 0) FROM provision")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// This month's count of `category` entries shared by `from` with `to` on `case`.
async fn month_count(pool: &PgPool, case: Uuid, from: Uuid, to: Uuid, category: &str) -> i32 {
    sqlx::query_scalar(
        "SELECT coalesce(sum(count), 0)::int FROM provision
         WHERE kind = 'entries' AND case_id = $1 AND provider_agency_id = $2
           AND receiver_agency_id = $3 AND categories = ARRAY[$4]
           AND month = date_trunc('month', (now() AT TIME ZONE 'Asia/Tokyo')::date::timestamp)::date",
    )
    .bind(case)
    .bind(from)
    .bind(to)
    .bind(category)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn write_entry(app: &TestApp, case: Uuid, category: &str, share: &[Uuid]) {
    let mut form: Vec<(&str, String)> = vec![
        ("kind", "progress".into()),
        ("category", category.into()),
        ("body", "午前の作業を最後まで続けられた".into()),
    ];
    for a in share {
        form.push(("share", a.to_string()));
    }
    let res = app
        .client
        .post(app.url(&format!("/cases/{case}/entries")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
}

async fn user(pool: &PgPool, email: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM app_user WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn entries_shared_under_consent_are_counted_per_month_and_nothing_else_is(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    app.login("sabikan@hikari.example").await;
    let before_minato = month_count(&pool, CASE_TAKAHASHI, HIKARI, MINATO, "health").await;
    let before_midori = month_count(&pool, CASE_TAKAHASHI, HIKARI, MIDORI, "health").await;
    // みどり物流 has no consent for health on 高橋 美咲's case: shared with it, nothing recorded
    write_entry(&app, CASE_TAKAHASHI, "health", &[MINATO, MIDORI]).await;
    write_entry(&app, CASE_TAKAHASHI, "health", &[MINATO, MIDORI]).await;
    assert_eq!(
        month_count(&pool, CASE_TAKAHASHI, HIKARI, MINATO, "health").await,
        before_minato + 2,
        "two entries, one month's row counting both"
    );
    assert_eq!(
        month_count(&pool, CASE_TAKAHASHI, HIKARI, MIDORI, "health").await,
        before_midori,
        "shared without consent: not provided"
    );
    let rows_now: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM provision WHERE kind = 'entries' AND case_id = $1
           AND provider_agency_id = $2 AND receiver_agency_id = $3 AND categories = '{health}'
           AND month = date_trunc('month', (now() AT TIME ZONE 'Asia/Tokyo')::date::timestamp)::date",
    )
    .bind(CASE_TAKAHASHI)
    .bind(HIKARI)
    .bind(MINATO)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        rows_now, 1,
        "one row per month, receiver, category and consent"
    );
    // another category is a row of its own
    let work_before = month_count(&pool, CASE_TAKAHASHI, HIKARI, MINATO, "work").await;
    write_entry(&app, CASE_TAKAHASHI, "work", &[MINATO]).await;
    assert_eq!(
        month_count(&pool, CASE_TAKAHASHI, HIKARI, MINATO, "work").await,
        work_before + 1
    );
    // an entry shared with no one records nothing
    let (rows_before, sum_before) = total(&pool).await;
    write_entry(&app, CASE_TAKAHASHI, "work", &[]).await;
    assert_eq!(total(&pool).await, (rows_before, sum_before));
    // a revoked consent: shared with こもれび on 鈴木 一郎's case, nothing recorded for it
    sqlx::query(
        "UPDATE consent SET revoked_at = now(), revoked_by = recorded_by
         WHERE case_id = $1 AND agency_id = $2",
    )
    .bind(CASE_SUZUKI)
    .bind(KOMOREBI)
    .execute(&pool)
    .await
    .unwrap();
    let komorebi_before = month_count(&pool, CASE_SUZUKI, HIKARI, KOMOREBI, "training").await;
    let minato_before = month_count(&pool, CASE_SUZUKI, HIKARI, MINATO, "training").await;
    write_entry(&app, CASE_SUZUKI, "training", &[KOMOREBI, MINATO]).await;
    assert_eq!(
        month_count(&pool, CASE_SUZUKI, HIKARI, KOMOREBI, "training").await,
        komorebi_before
    );
    assert_eq!(
        month_count(&pool, CASE_SUZUKI, HIKARI, MINATO, "training").await,
        minato_before + 1
    );
    // the consent relied on is the receiver's live one
    let consent: Vec<Uuid> = sqlx::query_scalar(
        "SELECT unnest(consent_ids) FROM provision WHERE kind = 'entries' AND case_id = $1
           AND receiver_agency_id = $2 AND categories = '{training}'
           AND month = date_trunc('month', (now() AT TIME ZONE 'Asia/Tokyo')::date::timestamp)::date
           AND provider_agency_id = $3",
    )
    .bind(CASE_SUZUKI)
    .bind(MINATO)
    .bind(HIKARI)
    .fetch_all(&pool)
    .await
    .unwrap();
    let live: Uuid =
        sqlx::query_scalar("SELECT id FROM consent WHERE case_id = $1 AND agency_id = $2")
            .bind(CASE_SUZUKI)
            .bind(MINATO)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(consent, vec![live]);
}

#[sqlx::test]
async fn referrals_material_plans_and_reports_are_recorded_once_each(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;

    // a referral: refused without consent (nothing recorded), sent once consent is given
    let psw = app.browser();
    psw.login("psw@sakura.example").await;
    let form = [
        ("to_agency_id", HIKARI.to_string()),
        ("hopes", "見学から始めたいです。".into()),
        ("action", "send".into()),
    ];
    let refer = format!("/cases/{CASE_YAMADA}/referrals");
    let res = psw
        .client
        .post(psw.url(&refer))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(rows(&pool, CASE_YAMADA, "referral").await.is_empty());
    let psw_id = user(&pool, "psw@sakura.example").await;
    sqlx::query(
        "INSERT INTO consent (id, case_id, agency_id, categories, given_by, method, given_on,
                              recorded_by, recorded_as)
         VALUES ($1, $2, $3, '{health,assessment,training,work,life,contact}', 'person',
                 'written', (now() AT TIME ZONE 'Asia/Tokyo')::date, $4, $5)",
    )
    .bind(Uuid::now_v7())
    .bind(CASE_YAMADA)
    .bind(HIKARI)
    .bind(psw_id)
    .bind(SAKURA)
    .execute(&pool)
    .await
    .unwrap();
    let res = psw
        .client
        .post(psw.url(&refer))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    let sent = rows(&pool, CASE_YAMADA, "referral").await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!((sent[0].0, sent[0].1), (SAKURA, HIKARI));
    assert!(sent[0].2.contains(&"training".to_string()), "{sent:?}");

    // material: an invited agency reading the material of a meeting to come is recorded once;
    // the convener reading it, or previewing it as an invitee, records nothing
    let meeting = id(0x6007);
    let material = format!("/meetings/{meeting}/material");
    let hikari = app.browser();
    hikari.login("sabikan@hikari.example").await;
    let subject_rows = |m: Uuid| {
        let pool = pool.clone();
        async move {
            sqlx::query_as::<_, (Uuid, Vec<String>)>(
                "SELECT receiver_agency_id, categories FROM provision
                 WHERE kind = 'material' AND subject_id = $1 ORDER BY receiver_agency_id",
            )
            .bind(m)
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(hikari.get(&material).await.status(), StatusCode::OK);
    assert_eq!(
        hikari
            .get(&format!("{material}?as={SAKURA}"))
            .await
            .status(),
        StatusCode::OK
    );
    assert!(
        subject_rows(meeting).await.is_empty(),
        "the convener's own reading"
    );
    // what the material's history carries since the last held meeting: an entry of today
    write_entry(
        &hikari,
        CASE_SUZUKI,
        "training",
        &[KOMOREBI, MINATO, SAKURA],
    )
    .await;
    let komorebi = app.browser();
    komorebi.login("soudan@komorebi.example").await;
    assert_eq!(komorebi.get(&material).await.status(), StatusCode::OK);
    assert_eq!(
        komorebi.get(&format!("{material}/print")).await.status(),
        StatusCode::OK
    );
    let shown = subject_rows(meeting).await;
    assert_eq!(shown.len(), 1, "recorded when first shown: {shown:?}");
    assert_eq!(shown[0].0, KOMOREBI);
    assert!(shown[0].1.contains(&"training".to_string()), "{shown:?}");

    // a plan: delivered to the person only, nothing; to こもれび under consent, one row
    let plan = crate::plans::consented_plan(&hikari, &pool).await;
    let url = format!("/cases/{CASE_SATO}/plans/{plan}");
    let day0 = today().to_string();
    let res = hikari
        .post(&format!("{url}/delivery"), &[("delivered_on", &day0)])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(rows(&pool, CASE_SATO, "plan").await.is_empty());
    let res = hikari
        .post(
            &format!("{url}/delivery"),
            &[
                ("delivered_on", &day0),
                ("agency_id", &KOMOREBI.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        rows(&pool, CASE_SATO, "plan").await,
        vec![(HIKARI, KOMOREBI, vec!["training".to_string()], 1)]
    );

    // a report: through the function the report side calls
    let sabikan = user(&pool, "sabikan@hikari.example").await;
    let scope = scope_as(&pool, sabikan, HIKARI, CASE_SATO).await.unwrap();
    let consent: Uuid =
        sqlx::query_scalar("SELECT id FROM consent WHERE case_id = $1 AND agency_id = $2")
            .bind(CASE_SATO)
            .bind(KOMOREBI)
            .fetch_one(&pool)
            .await
            .unwrap();
    let report = Uuid::now_v7();
    let mut conn = pool.acquire().await.unwrap();
    for expect in [true, false] {
        let written = renkei::area::ledger::report_delivered(
            &mut conn,
            &scope,
            report,
            KOMOREBI,
            &["work".to_string()],
            consent,
            today(),
        )
        .await
        .unwrap();
        assert_eq!(written, expect, "one record per report and receiver");
    }
    assert_eq!(
        rows(&pool, CASE_SATO, "report").await,
        vec![(HIKARI, KOMOREBI, vec!["work".to_string()], 1)]
    );
}

#[sqlx::test]
async fn the_receiver_reads_what_it_received_from_whom_and_how(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let komorebi = app.browser();
    komorebi.login("soudan@komorebi.example").await;
    let res = komorebi.get("/agency/ledger").await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = body(res).await;
    let received = &page[page.find(r#"id="received""#).expect("the received part")..];
    assert!(received.contains("ひかり就労移行支援センター"), "from whom");
    let hikari_address: String = sqlx::query_scalar("SELECT address FROM agency WHERE id = $1")
        .bind(HIKARI)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(received.contains(&hikari_address), "the provider's address");
    assert!(
        received.contains("提供元が本人との面談とアセスメントにもとづき作成し"),
        "how the provider obtained the plan"
    );
    assert!(received.contains("個別支援計画の交付"));
    assert!(received.contains("鈴木 一郎"));
    assert!(audit_count(&pool, "agency.ledger.view", "ok").await >= 1);
    // the provider's side of the same plan delivery
    let hikari = app.browser();
    hikari.login("sabikan@hikari.example").await;
    let page = body(hikari.get("/agency/ledger").await).await;
    let provided =
        &page[page.find(r#"id="provided""#).unwrap()..page.find(r#"id="received""#).unwrap()];
    assert!(provided.contains("こもれび相談支援事業所"));
    assert!(provided.contains("個別支援計画の交付"));
    // the month filter: this month (an entry shared today), a month with nothing, and one
    // that does not parse
    write_entry(&hikari, CASE_SUZUKI, "training", &[KOMOREBI]).await;
    let page = body(
        hikari
            .get(&format!("/agency/ledger?month={}", this_month()))
            .await,
    )
    .await;
    assert!(page.contains("記録の共有（月ごと）"), "this month's shares");
    let page = body(hikari.get("/agency/ledger?month=2001-01").await).await;
    assert_eq!(page.matches("この期間の記録はありません。").count(), 2);
    let (rows_before, _) = total(&pool).await;
    let res = hikari.get("/agency/ledger?month=2026-13").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("月は 2026-04 の形で入力してください。"));
    assert!(page.contains(r#"value="2026-13""#), "the input kept");
    assert_eq!(
        hikari.get("/agency/ledger.csv?month=abc").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let res = hikari
        .get(&format!("/cases/{CASE_SUZUKI}/ledger?month=x"))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(total(&pool).await.0, rows_before, "nothing written");
    // in English too
    let en = app.browser();
    en.login("soudan@komorebi.example").await;
    let page = body(
        en.client
            .get(en.url("/agency/ledger?month=bad"))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("Enter the month as 2026-04."), "{page}");
}

#[sqlx::test]
async fn the_app_role_cannot_delete_or_change_a_ledger_row(pool: PgPool) {
    let _app = TestApp::spawn(pool.clone()).await;
    let app_pool = app_pool(&pool);
    let (entries_row, plan_row): (Uuid, Uuid) = sqlx::query_as(
        "SELECT (SELECT id FROM provision WHERE kind = 'entries' LIMIT 1),
                (SELECT id FROM provision WHERE kind = 'plan' LIMIT 1)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let denied = |e: sqlx::Error| e.to_string();
    for sql in [
        "DELETE FROM provision WHERE id = $1",
        "UPDATE provision SET categories = '{health}' WHERE id = $1",
        "UPDATE provision SET receiver_agency_id = provider_agency_id WHERE id = $1",
    ] {
        let err = sqlx::query(sql)
            .bind(entries_row)
            .execute(&app_pool)
            .await
            .map_err(denied)
            .expect_err(sql);
        assert!(err.contains("permission denied"), "{sql}: {err}");
    }
    let err = sqlx::query("TRUNCATE provision")
        .execute(&app_pool)
        .await
        .map_err(denied)
        .expect_err("truncate");
    assert!(err.contains("permission denied"), "{err}");
    // the month's counter may move, forward only, and only on a month's entries
    sqlx::query("UPDATE provision SET count = count + 1 WHERE id = $1")
        .bind(entries_row)
        .execute(&app_pool)
        .await
        .unwrap();
    for (sql, row) in [
        (
            "UPDATE provision SET count = count - 1 WHERE id = $1",
            entries_row,
        ),
        (
            "UPDATE provision SET count = count + 1 WHERE id = $1",
            plan_row,
        ),
    ] {
        let err = sqlx::query(sql)
            .bind(row)
            .execute(&app_pool)
            .await
            .map_err(denied)
            .expect_err(sql);
        assert!(err.contains("only a month's count grows"), "{sql}: {err}");
    }
    // the owner cannot delete a row younger than three years either, nor empty the table
    let err = sqlx::query("DELETE FROM provision WHERE id = $1")
        .bind(plan_row)
        .execute(&pool)
        .await
        .map_err(denied)
        .expect_err("owner delete");
    assert!(err.contains("three years"), "{err}");
    let err = sqlx::query("TRUNCATE provision")
        .execute(&pool)
        .await
        .map_err(denied)
        .expect_err("owner truncate");
    assert!(err.contains("TRUNCATE refused"), "{err}");
    // a grant run again (a restore) keeps the rule
    sqlx::query("SELECT renkei_grant_app()")
        .execute(&pool)
        .await
        .unwrap();
    let err = sqlx::query("DELETE FROM provision WHERE id = $1")
        .bind(entries_row)
        .execute(&app_pool)
        .await
        .map_err(denied)
        .expect_err("delete after regrant");
    assert!(err.contains("permission denied"), "{err}");
}

#[sqlx::test]
async fn the_case_ledger_csv_has_a_bom_crlf_and_slashed_dates(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    app.login("sabikan@hikari.example").await;
    let page = body(app.get(&format!("/cases/{CASE_SUZUKI}/ledger")).await).await;
    assert!(page.contains("こもれび相談支援事業所"));
    assert!(page.contains(&format!(r#"href="/cases/{CASE_SUZUKI}/ledger.csv""#)));
    let res = app.get(&format!("/cases/{CASE_SUZUKI}/ledger.csv")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(".csv"));
    let bytes = res.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 with BOM");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert!(text.ends_with("\r\n"));
    assert_eq!(
        text.matches('\n').count(),
        text.matches("\r\n").count(),
        "every line ends in CRLF"
    );
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(
        lines[0].starts_with("提供日,最終提供日,提供したもの,件数,提供元"),
        "{}",
        lines[0]
    );
    let rows_on_case: i64 = sqlx::query_scalar("SELECT count(*) FROM provision WHERE case_id = $1")
        .bind(CASE_SUZUKI)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        lines.len() as i64,
        rows_on_case + 1,
        "a header and one line a row"
    );
    let date = regex_free_date(lines[1]);
    assert!(date, "dates as 2026/04/01: {}", lines[1]);
    assert!(audit_count(&pool, "case.ledger.export", "ok").await == 1);
    // the month's CSV holds only that month
    let month = this_month();
    let res = app
        .get(&format!("/cases/{CASE_SUZUKI}/ledger.csv?month={month}"))
        .await;
    let text = String::from_utf8(res.bytes().await.unwrap().to_vec()).unwrap();
    let prefix = today().format("%Y/%m/").to_string();
    for line in text.split("\r\n").skip(1).filter(|l| !l.is_empty()) {
        assert!(line.starts_with(&prefix), "{line}");
    }
    // another agency on the team is refused the case's ledger, and the refusal is audited
    let komorebi = app.browser();
    komorebi.login("soudan@komorebi.example").await;
    assert_eq!(
        komorebi
            .get(&format!("/cases/{CASE_SUZUKI}/ledger.csv"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert!(audit_count(&pool, "case.ledger.export", "denied").await == 1);
    // the agency's CSV of what it received
    let res = komorebi.get("/agency/ledger.csv?side=received").await;
    let bytes = res.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    assert!(std::str::from_utf8(&bytes)
        .unwrap()
        .contains("ひかり就労移行支援センター"));
}

/// The first field is a date written as 2026/04/01.
fn regex_free_date(line: &str) -> bool {
    let first = line.split(',').next().unwrap_or("");
    let parts: Vec<&str> = first.split('/').collect();
    parts.len() == 3
        && parts[0].len() == 4
        && parts[1].len() == 2
        && parts[2].len() == 2
        && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
}

#[sqlx::test]
async fn the_first_plan_is_due_within_a_month_of_the_service_start(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    // 佐藤 花子 starts training at ひかり: the first plan is due a month on, at month ends too
    let sabikan = user(&pool, "sabikan@hikari.example").await;
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    for (start, due) in [
        ("2026-04-01", "2026-04-30"),
        ("2026-01-31", "2026-02-28"),
        ("2028-01-31", "2028-02-29"),
        ("2026-03-31", "2026-04-30"),
        ("2026-12-15", "2027-01-14"),
    ] {
        sqlx::query(
            "UPDATE case_file SET phase = 'training', training_started_on = $2 WHERE id = $1",
        )
        .bind(CASE_SATO)
        .bind(d(start))
        .execute(&pool)
        .await
        .unwrap();
        let scope = scope_as(&pool, sabikan, HIKARI, CASE_SATO).await.unwrap();
        let mut conn = pool.acquire().await.unwrap();
        renkei::db::plans::sync_review_tasks(&mut conn, &scope)
            .await
            .unwrap();
        let (due_on, owner, title): (chrono::NaiveDate, Uuid, String) = sqlx::query_as(
            "SELECT due_on, owner_agency_id, title FROM task
             WHERE case_id = $1 AND source = $2 AND status = 'open'",
        )
        .bind(CASE_SATO)
        .bind(format!("plan-first:{HIKARI}"))
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(due_on, d(due), "started {start}");
        assert_eq!(owner, HIKARI);
        assert!(title.starts_with("個別支援計画の作成期限"), "{title}");
    }
    // a start today: the task is on ひかり's dashboard; the clinic (not a welfare office) has none
    let start = today();
    sqlx::query("UPDATE case_file SET training_started_on = $2 WHERE id = $1")
        .bind(CASE_SATO)
        .bind(start)
        .execute(&pool)
        .await
        .unwrap();
    let scope = scope_as(&pool, sabikan, HIKARI, CASE_SATO).await.unwrap();
    let mut conn = pool.acquire().await.unwrap();
    renkei::db::plans::sync_review_tasks(&mut conn, &scope)
        .await
        .unwrap();
    let firsts: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM task WHERE case_id = $1 AND source LIKE 'plan-first:%'",
    )
    .bind(CASE_SATO)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(firsts, 1, "only ひかり provides a service on the case");
    app.login("sabikan@hikari.example").await;
    let tasks = body(app.get("/tasks").await).await;
    assert!(tasks.contains("個別支援計画の作成期限"), "{tasks}");
    // the plan delivered: the task goes
    let plan = crate::plans::consented_plan(&app, &pool).await;
    let res = app
        .post(
            &format!("/cases/{CASE_SATO}/plans/{plan}/delivery"),
            &[("delivered_on", &today().to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let firsts: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM task WHERE case_id = $1 AND source LIKE 'plan-first:%'",
    )
    .bind(CASE_SATO)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(firsts, 0);
}

#[sqlx::test]
async fn regional_meetings_count_against_the_limits(pool: PgPool) {
    use renkei::domain::regional::Counts;
    let app = TestApp::spawn(pool.clone()).await;
    app.login("sabikan@hikari.example").await;
    // the demo's held planning meeting on 鈴木 一郎's case, presented by the サービス管理責任者
    let held: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT starts_at FROM meeting WHERE id = $1")
            .bind(id(0x6001))
            .fetch_one(&pool)
            .await
            .unwrap();
    let held_day = held.with_timezone(&chrono_tz::Asia::Tokyo).date_naive();
    let expect = Counts::of(&[held_day], today());
    let page = body(app.get(&format!("/cases/{CASE_SUZUKI}/plans")).await).await;
    assert!(
        page.contains(&format!(
            "今月 {} 回（上限 1 回）・今年度 {} 回（上限 4 回）",
            expect.month, expect.year
        )),
        "{page}"
    );
    // the month's list of the agency
    let month = held_day.format("%Y-%m").to_string();
    let page = body(
        app.get(&format!("/agency/regional-meetings?month={month}"))
            .await,
    )
    .await;
    assert!(page.contains("鈴木 一郎"));
    assert!(page.contains("地域連携会議実施加算（Ⅰ）"));
    assert!(
        page.contains("こもれび相談支援事業所"),
        "the outside agencies present"
    );
    // recording who presented: bad input by the field, nothing written
    let meeting = id(0x6001);
    let res = app
        .post(
            &format!("/meetings/{meeting}/presenter"),
            &[("plan_presenter", "boss")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("説明者を選んでください。"));
    let not_plan = id(0x600d);
    let res = app
        .post(
            &format!("/meetings/{not_plan}/presenter"),
            &[("plan_presenter", "staff")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let presenters: Vec<Option<String>> =
        sqlx::query_scalar("SELECT plan_presenter FROM meeting WHERE id = ANY ($1) ORDER BY id")
            .bind(vec![meeting, not_plan])
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(presenters, vec![Some("manager".to_string()), None]);
    // other staff reporting back: (Ⅱ)
    let res = app
        .post(
            &format!("/meetings/{meeting}/presenter"),
            &[("plan_presenter", "staff")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = body(
        app.get(&format!("/agency/regional-meetings?month={month}"))
            .await,
    )
    .await;
    assert!(page.contains("地域連携会議実施加算（Ⅱ）"));
    assert!(audit_count(&pool, "meeting.presenter", "ok").await == 1);
    // a meeting no outside agency attended does not count
    sqlx::query("UPDATE meeting_invitee SET response = 'decline' WHERE meeting_id = $1")
        .bind(meeting)
        .execute(&pool)
        .await
        .unwrap();
    let page = body(
        app.get(&format!("/agency/regional-meetings?month={month}"))
            .await,
    )
    .await;
    assert!(page.contains("この月の対象となる会議はありません。"));
    let res = app.get("/agency/regional-meetings?month=13").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test]
async fn the_lead_opens_and_downloads_the_case_ledger_in_a_real_browser(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let driver = Driver::start();
    for phone in [false, true] {
        let c = driver.browser(phone).await;
        log_in(&c, &app, "sabikan@hikari.example", PASSWORD).await;
        c.goto(&app.url(&format!("/cases/{CASE_SUZUKI}")))
            .await
            .unwrap();
        click_and_wait(&c, "#case-ledger-link").await;
        let tag = if phone { "phone" } else { "desktop" };
        let text = c
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(text.contains("このケースの提供記録"), "{text}");
        assert!(text.contains("こもれび相談支援事業所"));
        assert!(text.contains("個別支援計画の交付"));
        let width = c
            .execute("return document.documentElement.scrollWidth", vec![])
            .await
            .unwrap();
        assert!(
            width.as_u64().unwrap() <= if phone { 390 } else { 1280 },
            "scroll width {width}"
        );
        screenshot(&c, &format!("ledger-case-{tag}")).await;
        // this month only, through the form
        c.execute(
            &format!(
                "document.getElementById('month').value = '{}';",
                this_month()
            ),
            vec![],
        )
        .await
        .unwrap();
        click_and_wait(&c, ".ledger-filter button[type=submit]").await;
        assert!(c.current_url().await.unwrap().as_str().contains("month="));
        // the download link, fetched by the page itself with its session
        let href = c
            .find(Locator::Css("#ledger-csv"))
            .await
            .unwrap()
            .attr("href")
            .await
            .unwrap()
            .unwrap();
        assert!(href.contains(".csv?month="), "{href}");
        let got = c
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 fetch(arguments[0]).then(r => r.arrayBuffer()).then(b => {
                   const u = new Uint8Array(b);
                   done([u[0], u[1], u[2], new TextDecoder().decode(u)]);
                 });",
                vec![serde_json::Value::String(href)],
            )
            .await
            .unwrap();
        let got = got.as_array().unwrap();
        assert_eq!(
            (got[0].as_u64(), got[1].as_u64(), got[2].as_u64()),
            (Some(0xEF), Some(0xBB), Some(0xBF)),
            "the BOM"
        );
        let csv = got[3].as_str().unwrap();
        assert!(csv.contains("提供日") && csv.contains("\r\n"));
        assert!(console_errors(&c).await.is_empty());
        c.close().await.unwrap();
    }
    assert!(audit_count(&pool, "case.ledger.export", "ok").await >= 2);
}

#[sqlx::test]
async fn a_consent_recorded_later_records_the_entries_it_opens(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    app.login("sabikan@hikari.example").await;
    // 高橋 美咲 has not consented to share health with みどり物流: an entry shared with it is
    // not provided…
    write_entry(&app, CASE_TAKAHASHI, "health", &[MIDORI]).await;
    write_entry(&app, CASE_TAKAHASHI, "health", &[MIDORI]).await;
    assert_eq!(
        month_count(&pool, CASE_TAKAHASHI, HIKARI, MIDORI, "health").await,
        0
    );
    // …until the consent is recorded (by the lead, ひかり): then the entries shared with it
    // earlier are provided, counted under that consent
    let res = app
        .client
        .post(app.url(&format!("/cases/{CASE_TAKAHASHI}/consents")))
        .form(&[
            ("agency_id", MIDORI.to_string()),
            ("category", "health".into()),
            ("given_by", "person".into()),
            ("method", "written".into()),
            ("given_on", today().to_string()),
            ("term", "1y".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    let opened = month_count(&pool, CASE_TAKAHASHI, HIKARI, MIDORI, "health").await;
    let shared_before: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM entry WHERE case_id = $1 AND category = 'health'
           AND author_agency_id = $2 AND $3 = ANY (shared_with)",
    )
    .bind(CASE_TAKAHASHI)
    .bind(HIKARI)
    .bind(MIDORI)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(opened as i64, shared_before, "every entry it can read now");
    assert!(opened >= 2);
    // a second consent covering the same opens nothing new
    let res = app
        .client
        .post(app.url(&format!("/cases/{CASE_TAKAHASHI}/consents")))
        .form(&[
            ("agency_id", MIDORI.to_string()),
            ("category", "health".into()),
            ("given_by", "person".into()),
            ("method", "oral".into()),
            ("given_on", today().to_string()),
            ("term", "1y".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let all: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(count), 0) FROM provision WHERE kind = 'entries' AND case_id = $1
           AND receiver_agency_id = $2 AND categories = '{health}'",
    )
    .bind(CASE_TAKAHASHI)
    .bind(MIDORI)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(all, opened as i64);
}

#[sqlx::test]
async fn a_report_issued_to_the_employer_is_in_the_ledger_of_both(pool: PgPool) {
    use renkei::demo::{AOBA, CASE_TANAKA};
    let app = TestApp::spawn(pool.clone()).await;
    // the demo's issued reports are recorded
    let issued: i64 =
        sqlx::query_scalar("SELECT count(*) FROM support_report WHERE issued_on IS NOT NULL")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(issued > 0);
    assert_eq!(
        rows(&pool, CASE_TANAKA, "report").await.len() as i64,
        issued
    );
    // a draft is no provision; its issue is, once
    let aoba = app.browser();
    aoba.login("teichaku@aoba.example").await;
    let report = crate::reports::draft_last_month(&aoba).await;
    let of_report = || {
        let pool = pool.clone();
        async move {
            sqlx::query_as::<_, (Uuid, Uuid, Vec<String>)>(
                "SELECT provider_agency_id, receiver_agency_id, categories FROM provision
                 WHERE kind = 'report' AND subject_id = $1",
            )
            .bind(report)
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    assert!(of_report().await.is_empty());
    let path = format!("/cases/{CASE_TANAKA}/reports/{report}");
    let res = aoba.post(&format!("{path}/issue"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    assert_eq!(
        of_report().await,
        vec![(AOBA, MIDORI, vec!["work".to_string()])]
    );
    // the employer reads it among what it received
    let midori = app.browser();
    midori.login("boss@midori.example").await;
    let page = body(midori.get("/agency/ledger").await).await;
    let received = &page[page.find(r#"id="received""#).unwrap()..];
    assert!(received.contains("支援レポートの交付"));
    assert!(received.contains("あおば就労定着支援事業所"));
    assert!(received.contains("田中 健"));
}

/// The link to the next rows of a section (the first one in `part`), as a path.
fn more_link(part: &str) -> Option<String> {
    let at = part.find(r#"class="more""#)?;
    let start = part[..at].rfind(r#"<a href=""#)? + 9;
    let end = start + part[start..].find('"')?;
    Some(part[start..end].replace("&amp;", "&").replace("&#38;", "&"))
}

#[sqlx::test]
async fn a_long_ledger_comes_in_pages_and_whole_as_csv(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    // 230 rows that komorebi received from hikari, on days spread over three months, several on
    // the same day (the page key then falls back to the id)
    let consent: Uuid =
        sqlx::query_scalar("SELECT id FROM consent WHERE case_id = $1 AND agency_id = $2 LIMIT 1")
            .bind(CASE_SUZUKI)
            .bind(KOMOREBI)
            .fetch_one(&pool)
            .await
            .unwrap();
    sqlx::query(
        "INSERT INTO provision (id, kind, case_id, provider_agency_id, receiver_agency_id,
                                provided_on, last_on, month, categories, consent_ids, subject_id,
                                count)
         SELECT gen_random_uuid(), 'material', $1, $2, $3, d, d,
                date_trunc('month', d)::date, '{training}', ARRAY[$4::uuid], gen_random_uuid(), 1
           FROM (SELECT DATE '2001-01-01' + (n / 3) AS d FROM generate_series(0, 229) n) days",
    )
    .bind(CASE_SUZUKI)
    .bind(HIKARI)
    .bind(KOMOREBI)
    .bind(consent)
    .execute(&pool)
    .await
    .unwrap();
    let komorebi = app.browser();
    komorebi.login("soudan@komorebi.example").await;
    // the received side, page by page, in 2001 only: every row once, newest first
    let first = body(komorebi.get("/agency/ledger?month=2001-02").await).await;
    let received = &first[first.find(r#"id="received""#).unwrap()..];
    let month_rows = received.matches(r#"data-label="件数""#).count();
    assert_eq!(
        month_rows,
        28 * 3,
        "February 2001: three a day, fewer than a page"
    );
    assert!(!received.contains(r#"class="more""#));
    // all months: pages of 100
    let mut seen: Vec<String> = vec![];
    let mut pages = 0;
    let mut path = "/agency/ledger".to_string();
    loop {
        let res = komorebi.get(&path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let page = body(res).await;
        let part = if pages == 0 {
            page[page.find(r#"id="received""#).unwrap()..].to_string()
        } else {
            assert!(page.contains("新しい記録の続きです。"), "{path}");
            assert!(
                page.contains("最新の記録を表示"),
                "the other side: a link back"
            );
            page.clone()
        };
        let days: Vec<String> = part
            .split(r#"data-label="提供日">"#)
            .skip(1)
            .map(|r| r[..r.find('<').unwrap()].to_string())
            .collect();
        seen.extend(days.iter().filter(|d| d.starts_with("2001/")).cloned());
        pages += 1;
        match more_link(&part) {
            Some(next) => {
                assert!(next.contains("side=received"), "{next}");
                path = next;
            }
            None => break,
        }
        assert!(pages < 10, "the pages end");
    }
    assert_eq!(seen.len(), 230, "every row once");
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(seen, sorted, "newest first across pages");
    // a key that does not parse: the page says so, and nothing else is shown
    let res = komorebi
        .get("/agency/ledger?side=received&before=2001-01-01_x")
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("記録の位置を読み取れません"));
    // the CSV holds every row, read in batches
    let csv = body(komorebi.get("/agency/ledger.csv?side=received").await).await;
    assert_eq!(
        csv.matches("\r\n2001/").count(),
        230,
        "every row in the CSV"
    );
}
