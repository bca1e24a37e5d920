//! The audit log as evidence: a hash chain `renkei audit verify` walks (an intact chain, an
//! edited row, a deleted row, concurrent writers), no backdated rows, Renkei's own request id.

use crate::helpers::*;
use renkei::audit_verify::{verify, Break, Verdict};
use renkei::db::audit::{record, Event, Outcome};
use sqlx::{Acquire, PgPool};
use std::time::Instant;

async fn rows(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log")
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn verdict(pool: &PgPool) -> Verdict {
    let mut conn = pool.acquire().await.unwrap();
    verify(&mut conn).await.unwrap()
}

/// Runs `sql` as the superuser with the audit triggers off, as an intruder with those rights
/// would (the test cluster's user is a superuser).
async fn tamper(pool: &PgPool, sql: &str, id: i64) {
    let mut conn = pool.acquire().await.unwrap();
    let mut tx = conn.begin().await.unwrap();
    sqlx::query("SET LOCAL session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .unwrap();
    let done = sqlx::query(sql).bind(id).execute(&mut *tx).await.unwrap();
    assert_eq!(done.rows_affected(), 1, "{sql}");
    tx.commit().await.unwrap();
}

/// The url of the test's own database, for the `renkei` binary.
fn database_url(pool: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let mut url = url::Url::parse(&base).unwrap();
    url.set_path(pool.connect_options().get_database().unwrap());
    url.to_string()
}

fn verify_command(pool: &PgPool) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_renkei"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", database_url(pool))
        .env("RUST_LOG", "error")
        .output()
        .unwrap()
}

async fn some_activity(app: &TestApp) {
    app.login("ot@sakura.example").await;
    let case = renkei::demo::CASE_SUZUKI;
    for path in [
        "/".to_string(),
        "/agency/members".to_string(), // refused: a row on the refusal pool
        format!("/cases/{case}"),
        format!("/cases/{case}/timeline"),
    ] {
        app.get(&path).await;
    }
}

#[sqlx::test]
async fn an_intact_chain_verifies_with_the_binary_too(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    some_activity(&app).await;
    let n = rows(&app.pool).await;
    assert!(n >= 5, "{n}");
    assert!(
        audit_count(&app.pool, "agency.members.view", "denied").await >= 1,
        "the refusal is in the log"
    );
    match verdict(&app.pool).await {
        Verdict::Intact { rows, head_seq, .. } => {
            assert_eq!(rows as i64, n);
            assert_eq!(head_seq, n);
        }
        broken => panic!("{broken}"),
    }
    let out = verify_command(&app.pool);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout} {:?}", out);
    assert!(
        stdout.contains(&format!("{n} rows verified, chain intact")),
        "{stdout}"
    );
    let head: Vec<u8> = sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(
        stdout.contains(&hex::encode(head)),
        "the head hash is printed"
    );
}

#[sqlx::test]
async fn an_edited_row_is_named(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    some_activity(&app).await;
    let (seq, id): (i64, i64) = sqlx::query_as(
        "SELECT seq, id FROM audit_log WHERE outcome = 'denied' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    // the refusal made to look like a success
    tamper(
        &app.pool,
        "UPDATE audit_log SET outcome = 'ok' WHERE id = $1",
        id,
    )
    .await;
    match verdict(&app.pool).await {
        Verdict::Broken {
            seq: s,
            id: i,
            what,
            verified,
            ..
        } => {
            assert_eq!((s, i), (seq, id));
            assert_eq!(what, Break::ContentChanged);
            assert_eq!(verified as i64, seq - 1);
        }
        intact => panic!("not found: {intact}"),
    }
    let out = verify_command(&app.pool);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!("chain broken at seq {seq} (id {id},")),
        "{stdout}"
    );
    assert!(stdout.contains("content changed"), "{stdout}");

    // rewriting the row's own hash too moves the break to the next row's link
    tamper(
        &app.pool,
        "UPDATE audit_log SET hash = sha256(audit_log_canonical(seq, id, at, user_id,
             acting_agency_id, action, case_id, target_id, outcome, request_id, ip, detail,
             prev_hash)) WHERE id = $1",
        id,
    )
    .await;
    match verdict(&app.pool).await {
        Verdict::Broken { seq: s, what, .. } => {
            assert_eq!(s, seq + 1);
            assert_eq!(what, Break::PrevHashMismatch);
        }
        intact => panic!("not found: {intact}"),
    }
}

#[sqlx::test]
async fn a_deleted_row_is_found(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    some_activity(&app).await;
    let (seq, id): (i64, i64) =
        sqlx::query_as("SELECT seq, id FROM audit_log WHERE action = 'case.view' LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    tamper(&app.pool, "DELETE FROM audit_log WHERE id = $1", id).await;
    match verdict(&app.pool).await {
        Verdict::Broken { seq: s, what, .. } => {
            assert_eq!(s, seq + 1, "named at the row after the gap");
            assert_eq!(what, Break::RowsMissing { expected: seq });
        }
        intact => panic!("not found: {intact}"),
    }
}

#[sqlx::test]
async fn no_row_is_backdated_or_placed_by_its_writer(pool: PgPool) {
    sqlx::query(
        "INSERT INTO audit_log (at, action, outcome, seq, hash) VALUES
         ('2020-01-01T00:00:00Z', 'login', 'ok', 999, '\\x00')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let (age, seq): (f64, i64) = sqlx::query_as(
        "SELECT extract(epoch FROM now() - at)::float8, seq FROM audit_log WHERE action = 'login'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(
        age.abs() < 60.0,
        "at is the database's now(), not 2020: {age}"
    );
    assert_eq!(seq, 1, "the chain places the row");
    assert!(verdict(&pool).await.is_intact());
    // and the log stays append-only
    let err = sqlx::query("UPDATE audit_log SET outcome = 'failed'")
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}

#[sqlx::test]
async fn concurrent_writers_leave_an_intact_chain(pool: PgPool) {
    const TASKS: usize = 8;
    const EACH: usize = 50;
    let started = Instant::now();
    let mut handles = Vec::new();
    for t in 0..TASKS {
        let pool = pool.clone();
        handles.push(tokio::spawn(async move {
            for i in 0..EACH {
                // like a change: the row written last in the request's transaction
                let mut tx = pool.begin().await.unwrap();
                let event = Event {
                    action: "case.view",
                    request_id: format!("{t}-{i}"),
                    ..Default::default()
                };
                record(&mut tx, &event, Outcome::Ok).await.unwrap();
                tx.commit().await.unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let elapsed = started.elapsed();
    let n = (TASKS * EACH) as i64;
    eprintln!(
        "audit chain: {n} rows from {TASKS} concurrent writers in {:.2} s = {:.0} rows/s",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64()
    );
    assert_eq!(rows(&pool).await, n);
    match verdict(&pool).await {
        Verdict::Intact { rows, head_seq, .. } => {
            assert_eq!(rows as i64, n);
            assert_eq!(head_seq, n);
        }
        broken => panic!("{broken}"),
    }
}

#[sqlx::test]
async fn the_request_id_is_renkeis_own(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let res = app
        .client
        .post(app.url("/login"))
        .header("x-request-id", "forged-by-the-client")
        .form(&[("email", "ot@sakura.example"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
    let sent_back = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_ne!(sent_back, "forged-by-the-client");
    assert!(uuid::Uuid::parse_str(&sent_back).is_ok(), "{sent_back}");
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT request_id FROM audit_log WHERE action = 'login'")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored, vec![sent_back]);
}

#[sqlx::test]
async fn the_lead_reviews_the_case_log_filtered_in_words_and_exports_it(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let case = renkei::demo::CASE_SUZUKI;
    // someone off the team is refused the case: a denied row for the case
    let outsider = app.browser();
    outsider.login("staff@haruka.example").await;
    outsider.get(&format!("/cases/{case}")).await;
    app.login("sabikan@hikari.example").await;
    app.get(&format!("/cases/{case}")).await;
    app.get(&format!("/cases/{case}/timeline")).await;

    let page = body(app.get(&format!("/cases/{case}/access-log")).await).await;
    assert!(page.contains(">ケースの閲覧</td>"), "actions in words");
    assert!(page.contains(">経過記録の閲覧</td>"));
    assert!(
        page.contains("staff@haruka.example"),
        "the refused reader is listed"
    );
    assert!(page.contains(r#"<tr class="refused">"#), "refusals marked");
    assert!(!page.contains("<code>case.view</code>"), "no raw codes");

    let res = app
        .get(&format!(
            "/cases/{case}/access-log?action=case.view&user=sabikan%40hikari.example"
        ))
        .await;
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    let page = body(res).await;
    assert!(page.contains(">ケースの閲覧</td>"));
    assert!(!page.contains("staff@haruka.example"), "filtered by user");
    assert!(!page.contains(">経過記録の閲覧</td>"), "filtered by action");

    // bad dates: the form again, values kept, a message by the field
    let res = app
        .get(&format!("/cases/{case}/access-log?from=2026-13-01&to=1"))
        .await;
    assert_eq!(res.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains(r#"id="from-error""#), "{page}");
    assert!(page.contains(r#"id="to-error""#));
    assert!(page.contains(r#"value="2026-13-01""#), "kept");
    let res = app
        .get(&format!("/cases/{case}/access-log?action=drop_table"))
        .await;
    assert_eq!(res.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);

    // the CSV of the filtered rows, for Excel, audited
    let today = renkei::domain::dates::today_tokyo().format("%Y-%m-%d");
    let res = app
        .get(&format!(
            "/cases/{case}/access-log.csv?action=case.view&from={today}&to={today}"
        ))
        .await;
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split_terminator("\r\n").collect();
    assert!(!text.replace("\r\n", "").contains('\n'), "CRLF only");
    assert_eq!(
        lines[0],
        "日時,ユーザー,所属機関として,操作,操作コード,結果,接続元"
    );
    // the outsider's refused view and the lead's view
    assert_eq!(lines.len(), 3, "{text}");
    for line in &lines[1..] {
        assert!(line.contains(",ケースの閲覧,case.view,"), "{line}");
        let at = line.split(',').next().unwrap();
        assert_eq!(at.len(), 16, "2026/04/01 12:34: {at}");
        assert_eq!((&at[4..5], &at[7..8], &at[13..14]), ("/", "/", ":"));
    }
    assert!(text.contains(",拒否,"), "the refusal is in the export");
    assert_eq!(
        audit_count(&app.pool, "case.access_log.export", "ok").await,
        1
    );
    // not the lead: refused, and the refusal recorded
    let res = outsider.get(&format!("/cases/{case}/access-log.csv")).await;
    assert_eq!(res.status(), reqwest::StatusCode::NOT_FOUND);
    assert_eq!(
        audit_count(&app.pool, "case.access_log.export", "denied").await,
        1
    );
}

#[sqlx::test]
async fn the_agency_admin_pages_through_what_was_done_as_the_agency(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let other = app.browser();
    other.login("psw@sakura.example").await;
    other.get("/agency/members").await; // refused, as さくら
                                        // 150 more rows as さくら, and one as another agency that must not show
    let mut conn = app.pool.acquire().await.unwrap();
    for i in 0..150 {
        let event = Event {
            acting_agency_id: Some(renkei::demo::SAKURA),
            action: "dashboard.view",
            request_id: format!("bulk-{i}"),
            ..Default::default()
        };
        record(&mut conn, &event, Outcome::Ok).await.unwrap();
    }
    let event = Event {
        acting_agency_id: Some(renkei::demo::HIKARI),
        action: "inbox.view",
        ..Default::default()
    };
    record(&mut conn, &event, Outcome::Ok).await.unwrap();
    drop(conn);

    app.login("jimu@sakura.example").await;
    let page = body(app.get("/agency/audit").await).await;
    let rows = page.matches("<tr").count() - 1;
    assert_eq!(rows, 100, "one page");
    assert!(!page.contains(">受信箱の閲覧</td>"), "another agency's row");
    let next = page
        .split("href=\"/agency/audit?before=")
        .nth(1)
        .expect("a next page")
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let second = body(app.get(&format!("/agency/audit?before={next}")).await).await;
    let rows2 = second.matches("<tr").count() - 1;
    let total: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE acting_agency_id = $1")
            .bind(renkei::demo::SAKURA)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    // the second page: the rest (each page's own view row is written after it was read)
    assert_eq!(rows + rows2, total as usize - 2, "{total}");
    assert!(
        second.contains(">職員一覧の閲覧</td>"),
        "the refusal, in words"
    );
    assert!(second.contains(r#"<tr class="refused">"#));

    let res = app
        .get("/agency/audit?user=psw%40sakura.example&action=agency.members.view")
        .await;
    let page = body(res).await;
    assert_eq!(page.matches(r#"<tr class="refused">"#).count(), 1);
    let res = app.get("/agency/audit?case=nope&from=2026-02-30").await;
    assert_eq!(res.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains(r#"id="case-error""#) && page.contains(r#"id="from-error""#));

    let csv = app.get("/agency/audit.csv").await.bytes().await.unwrap();
    let text = String::from_utf8(csv.to_vec()).unwrap();
    assert!(text.starts_with('\u{feff}'));
    // every row as さくら, in batches: the views so far and the export itself
    let total: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE acting_agency_id = $1")
            .bind(renkei::demo::SAKURA)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(text.split_terminator("\r\n").count() as i64, total + 1);
    assert_eq!(audit_count(&app.pool, "agency.audit.export", "ok").await, 1);
    assert!(verdict(&app.pool).await.is_intact());
}

fn someone() -> renkei::access::SessionUser {
    renkei::access::SessionUser {
        id: uuid::Uuid::now_v7(),
        email: "someone@example.invalid".into(),
        display_name: "someone".into(),
        is_admin: false,
        memberships: vec![],
        acting: None,
        token_hash: vec![],
        unread: None,
        participant_case_id: None,
        must_enrol: false,
        case_facts: None,
    }
}

async fn sync_commit(conn: &mut sqlx::PgConnection) -> String {
    sqlx::query_scalar("SHOW synchronous_commit")
        .fetch_one(conn)
        .await
        .unwrap()
}

/// A view turns `synchronous_commit` off for its own statement only: the connection's next
/// statement, and a view written inside a change's transaction, commit as configured. Its rows
/// chain like every other. (That the view's commit does not wait for the flush, and what a
/// crash does to the chain, is `faults::a_crash_loses_only_the_last_views_and_the_chain_stays_intact`,
/// on a durable cluster of its own.)
#[sqlx::test]
async fn a_view_turns_synchronous_commit_off_for_itself_only(pool: PgPool) {
    let user = someone();
    let who = renkei::access::Who {
        user: &user,
        request_id: "r-view",
        ip: "127.0.0.1",
        pool: &pool,
        mark: None,
    };
    let mut conn = pool.acquire().await.unwrap();
    sqlx::query("SET synchronous_commit = on")
        .execute(&mut *conn)
        .await
        .unwrap();
    for _ in 0..5 {
        who.viewed(&mut conn, "case.view", None, None, &[])
            .await
            .unwrap();
        assert_eq!(
            sync_commit(&mut conn).await,
            "on",
            "the setting ends with the view"
        );
        who.ok(&mut conn, "entry.create", None, None).await.unwrap();
    }
    // inside a change's transaction the view leaves the transaction as it was
    let mut tx = conn.begin().await.unwrap();
    who.viewed(&mut tx, "case.view", None, None, &[])
        .await
        .unwrap();
    assert_eq!(sync_commit(&mut tx).await, "on");
    who.ok(&mut tx, "entry.create", None, None).await.unwrap();
    tx.commit().await.unwrap();
    let rows: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE request_id = 'r-view'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert_eq!(rows, 12);
    drop(conn);
    assert!(verdict(&pool).await.is_intact());
}

#[sqlx::test]
async fn the_access_log_export_is_the_export_modules_csv(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let case = renkei::demo::CASE_SUZUKI;
    // a reader's agency whose name Excel would take for a formula
    sqlx::query("UPDATE agency SET name = '=HYPERLINK(\"x\")' WHERE id = $1")
        .bind(renkei::demo::HARUKA)
        .execute(&app.pool)
        .await
        .unwrap();
    let outsider = app.browser();
    outsider.login("staff@haruka.example").await;
    outsider.get(&format!("/cases/{case}")).await;
    app.login("sabikan@hikari.example").await;
    let res = app.get(&format!("/cases/{case}/access-log.csv")).await;
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    let today = renkei::domain::dates::today_tokyo().format("%Y-%m-%d");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.starts_with(&format!("attachment; filename=\"access-log_{today}.csv\"")),
        "{disposition}"
    );
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
    let text = String::from_utf8(res.bytes().await.unwrap().to_vec()).unwrap();
    assert!(text.starts_with('\u{feff}'));
    assert!(
        text.contains("'=HYPERLINK"),
        "formula-like text neutralised: {text}"
    );
    assert!(!text.contains(",=HYPERLINK"), "{text}");
    assert_eq!(
        text.split_terminator("\r\n").next().unwrap(),
        "\u{feff}日時,ユーザー,所属機関として,操作,操作コード,結果,接続元"
    );
}
