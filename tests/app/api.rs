//! The JSON API (`/api/v1`): personal access tokens made on the account page (shown once,
//! stored hashed, revoked, expiring), the problems it answers (401, 403, 404, 422 in the
//! reader's language), keyset pages with `?after=`, the per-token rate limit across two
//! servers, an audit row for every use, and the timeline of 鈴木 一郎 read with a read-only
//! token as exactly what the timeline page shows the same user.

use crate::helpers::*;
use renkei::demo::{CASE_SUZUKI, CASE_TAKAHASHI, HIKARI, SAKURA};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use std::time::Duration;
use uuid::Uuid;

async fn user_id(pool: &PgPool, email: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM app_user WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// A token made directly in the database (the account page is tested on its own).
pub async fn token_for(pool: &PgPool, email: &str, agency: Uuid, can_write: bool) -> String {
    let token = renkei::db::api_tokens::new_token();
    let mut conn = pool.acquire().await.unwrap();
    renkei::db::api_tokens::create(
        &mut conn,
        &renkei::db::api_tokens::NewToken {
            user_id: user_id(pool, email).await,
            agency_id: agency,
            label: "test",
            can_write,
            expires_at: chrono::Utc::now() + chrono::Duration::days(30),
        },
        &token,
    )
    .await
    .unwrap();
    token
}

struct Answer {
    status: StatusCode,
    content_type: String,
    request_id: String,
    headers: reqwest::header::HeaderMap,
    json: Value,
}

async fn call(
    client: &Client,
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
    lang: Option<&str>,
) -> Answer {
    let mut req = match method {
        "GET" => client.get(app.url(path)),
        _ => client.post(app.url(path)),
    };
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(l) = lang {
        req = req.header("accept-language", l);
    }
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let content_type = headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let request_id = headers
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let text = res.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        content_type,
        request_id,
        headers,
        json,
    }
}

fn assert_problem(a: &Answer, status: u16, code: &str) {
    assert_eq!(a.status.as_u16(), status, "{:?}", a.json);
    assert_eq!(a.content_type, "application/problem+json");
    assert_eq!(a.json["status"], status);
    assert_eq!(a.json["type"], format!("urn:renkei:problem:{code}"));
    assert!(a.json["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(a.json["request_id"], a.request_id.as_str());
}

/// The token shown once on the page that made it.
fn shown_token(page: &str) -> Option<String> {
    let after = page.split("id=\"new-token\">").nth(1)?;
    Some(after.split('<').next()?.to_string())
}

#[sqlx::test]
async fn a_token_is_made_shown_once_stored_hashed_revoked_and_expires(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    app.login("staff@hikari.example").await;
    let res = app.get("/account/tokens").await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = body(res).await;
    assert!(page.contains("action=\"/account/tokens\""));
    // a form with errors comes back with its fields and a message by each
    let res = app
        .post(
            "/account/tokens",
            &[
                ("label", ""),
                ("agency_id", &SAKURA.to_string()),
                ("access", "x"),
                ("days", "1000"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert_eq!(page.matches("class=\"field-error\"").count(), 4, "{page}");
    assert!(shown_token(&page).is_none());

    let res = app
        .post(
            "/account/tokens",
            &[
                ("label", "勤怠システム"),
                ("agency_id", &HIKARI.to_string()),
                ("access", "read"),
                ("days", "30"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let token = shown_token(&body(res).await).expect("the new token is shown");
    assert!(token.starts_with("rk_") && token.len() == 67, "{token}");
    // stored as its SHA-256 only
    let (hash, can_write, days): (Vec<u8>, bool, f64) = sqlx::query_as(
        "SELECT token_hash, can_write, (extract(epoch FROM expires_at - created_at) / 86400)::float8
         FROM api_token WHERE label = '勤怠システム'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(hash, renkei::db::auth::hash_token(&token));
    assert!(!can_write);
    assert!((days - 30.0).abs() < 0.01);
    let plain: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM api_token WHERE position($1::bytea IN token_hash) > 0
            OR label LIKE '%' || $2 || '%'",
    )
    .bind(token.as_bytes())
    .bind(&token)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(plain, 0, "the token itself is stored nowhere");
    // shown once: the list does not show it again
    let page = body(app.get("/account/tokens").await).await;
    assert!(!page.contains(&token));
    assert!(page.contains("勤怠システム"));
    assert_eq!(audit_count(&pool, "api.token.create", "ok").await, 1);

    // it works, as ひかり
    let api = client();
    let me = call(&api, &app, "GET", "/api/v1/me", Some(&token), None, None).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json["agency_id"], HIKARI.to_string());
    assert_eq!(me.json["can_write"], false);
    let last_used: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT last_used_at FROM api_token WHERE label = '勤怠システム'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(last_used.is_some());

    // revoked on the page: 401 from then on, and the use is audited as refused
    let id: Uuid = sqlx::query_scalar("SELECT id FROM api_token WHERE label = '勤怠システム'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let res = app.post(&format!("/account/tokens/{id}/revoke"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(audit_count(&pool, "api.token.revoke", "ok").await, 1);
    let gone = call(&api, &app, "GET", "/api/v1/me", Some(&token), None, None).await;
    assert_problem(&gone, 401, "unauthorized");
    assert!(gone.headers.get("www-authenticate").is_some());
    assert_eq!(audit_count(&pool, "api.token.refused", "denied").await, 1);
    // revoking again, or someone else's token, is not found
    let res = app.post(&format!("/account/tokens/{id}/revoke"), &[]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let other = app.browser();
    other.login("sabikan@hikari.example").await;
    let theirs = token_for(&pool, "staff@hikari.example", HIKARI, false).await;
    let theirs_id: Uuid = sqlx::query_scalar("SELECT id FROM api_token WHERE token_hash = $1")
        .bind(renkei::db::auth::hash_token(&theirs))
        .fetch_one(&pool)
        .await
        .unwrap();
    let res = other
        .post(&format!("/account/tokens/{theirs_id}/revoke"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let still = call(&api, &app, "GET", "/api/v1/me", Some(&theirs), None, None).await;
    assert_eq!(still.status, StatusCode::OK);

    // past its expiry: 401
    sqlx::query(
        "UPDATE api_token SET created_at = now() - interval '2 days',
                              expires_at = now() - interval '1 second'
         WHERE id = $1",
    )
    .bind(theirs_id)
    .execute(&pool)
    .await
    .unwrap();
    let expired = call(&api, &app, "GET", "/api/v1/me", Some(&theirs), None, None).await;
    assert_problem(&expired, 401, "unauthorized");
    assert_eq!(audit_count(&pool, "api.token.refused", "denied").await, 2);
    let page = body(app.get("/account/tokens").await).await;
    assert!(page.contains("失効済み"));

    // a token cannot be made for an agency the user is not a member of
    let res = app
        .post(
            "/account/tokens",
            &[
                ("label", "x"),
                ("agency_id", &SAKURA.to_string()),
                ("access", "read"),
                ("days", "30"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test]
async fn problems_are_rfc_9457_in_the_readers_language(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let api = client();
    let case = format!("/api/v1/cases/{CASE_SUZUKI}");
    // no token, a malformed header, an unknown token: 401
    for token in [None, Some("nonsense"), Some("rk_0000")] {
        let a = call(&api, &app, "GET", &case, token, None, None).await;
        assert_problem(&a, 401, "unauthorized");
        assert_eq!(a.json["instance"], case.as_str());
        assert!(a.json["title"].as_str().unwrap().contains("認証"));
    }
    let plain = api
        .get(app.url(&case))
        .header("authorization", "Basic Zm9vOmJhcg==")
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::UNAUTHORIZED);
    // a session cookie is no credential for the API
    let browser = app.browser();
    browser.login("staff@hikari.example").await;
    let res = browser.get(&case).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // a token used outside its membership: 404 as on the pages, and audited
    let dual_sakura = token_for(&pool, "dual@sakura.example", SAKURA, true).await;
    let dual_hikari = token_for(&pool, "dual@sakura.example", HIKARI, true).await;
    let takahashi = format!("/api/v1/cases/{CASE_TAKAHASHI}");
    let before = audit_count(&pool, "case.view", "denied").await;
    let a = call(
        &api,
        &app,
        "GET",
        &takahashi,
        Some(&dual_sakura),
        None,
        None,
    )
    .await;
    assert_problem(&a, 404, "not-found");
    assert_eq!(audit_count(&pool, "case.view", "denied").await, before + 1);
    let a = call(
        &api,
        &app,
        "GET",
        &takahashi,
        Some(&dual_hikari),
        None,
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json["id"], CASE_TAKAHASHI.to_string());
    // an id that is not one, an unknown path: 404 problems too
    let a = call(
        &api,
        &app,
        "GET",
        "/api/v1/cases/not-an-id",
        Some(&dual_hikari),
        None,
        None,
    )
    .await;
    assert_problem(&a, 404, "not-found");
    let a = call(
        &api,
        &app,
        "GET",
        "/api/v1/nothing-here",
        Some(&dual_hikari),
        None,
        None,
    )
    .await;
    assert_problem(&a, 404, "not-found");

    // a read-only token that writes: 403, audited
    let read_only = token_for(&pool, "staff@hikari.example", HIKARI, false).await;
    let entries = format!("/api/v1/cases/{CASE_SUZUKI}/entries");
    let good = json!({"kind": "progress", "category": "training", "body": "午前の作業を続けた"})
        .to_string();
    let a = call(
        &api,
        &app,
        "POST",
        &entries,
        Some(&read_only),
        Some(&good),
        None,
    )
    .await;
    assert_problem(&a, 403, "read-only");
    assert_eq!(audit_count(&pool, "api.token.read_only", "denied").await, 1);

    // bad input: 422 with the field named, in Japanese by default
    let writer = token_for(&pool, "staff@hikari.example", HIKARI, true).await;
    let bad = |body: &str, field: &'static str| (body.to_string(), field);
    for (body, field) in [
        bad("{not json", "body"),
        bad("[1, 2]", "body"),
        bad(r#"{"category": "training", "body": "x"}"#, "kind"),
        bad(
            r#"{"kind": "progress", "category": "nope", "body": "x"}"#,
            "category",
        ),
        bad(
            r#"{"kind": "progress", "category": "training", "body": 12}"#,
            "body",
        ),
        bad(
            r#"{"kind": "progress", "category": "training", "body": "  "}"#,
            "body",
        ),
        bad(
            r#"{"kind": "progress", "category": "training", "body": "x", "occurred_at": "yesterday"}"#,
            "occurred_at",
        ),
        bad(
            r#"{"kind": "progress", "category": "training", "body": "x", "occurred_at": "2999-01-01T00:00:00Z"}"#,
            "occurred_at",
        ),
        bad(
            r#"{"kind": "progress", "category": "training", "body": "x", "shared_with": ["00000000-0000-0000-0000-000000000001"]}"#,
            "shared_with",
        ),
        bad(
            r#"{"kind": "progress", "category": "training", "body": "x", "shared_with": "all"}"#,
            "shared_with",
        ),
        bad(
            r#"{"kind": "observation", "category": "training", "body": "x", "resolved": "yes"}"#,
            "resolved",
        ),
    ] {
        let a = call(
            &api,
            &app,
            "POST",
            &entries,
            Some(&writer),
            Some(&body),
            None,
        )
        .await;
        assert_problem(&a, 422, "invalid");
        let errors = a.json["errors"].as_array().expect("errors");
        assert!(
            errors.iter().any(|e| e["field"] == field),
            "{body}: {errors:?}"
        );
        let message = errors.iter().find(|e| e["field"] == field).unwrap()["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(!message.is_ascii(), "Japanese by default: {message}");
    }
    // English when asked
    let missing = r#"{"kind": "progress", "category": "training"}"#;
    let a = call(
        &api,
        &app,
        "POST",
        &entries,
        Some(&writer),
        Some(missing),
        Some("en-GB,en;q=0.9"),
    )
    .await;
    assert_problem(&a, 422, "invalid");
    assert_eq!(a.json["title"], "Input not accepted");
    assert_eq!(a.json["errors"][0]["field"], "body");
    assert!(a.json["errors"][0]["message"].as_str().unwrap().is_ascii());
    // without Accept-Language, the user's own language (their notification settings)
    sqlx::query("INSERT INTO notify_setting (user_id, lang) VALUES ($1, 'en')")
        .bind(user_id(&pool, "staff@hikari.example").await)
        .execute(&pool)
        .await
        .unwrap();
    let a = call(
        &api,
        &app,
        "POST",
        &entries,
        Some(&writer),
        Some(missing),
        None,
    )
    .await;
    assert_eq!(a.json["title"], "Input not accepted");
    let a = call(
        &api,
        &app,
        "POST",
        &entries,
        Some(&writer),
        Some(missing),
        Some("ja"),
    )
    .await;
    assert_eq!(a.json["title"], "入力を受け付けられません");
    // nothing was written by any of them
    let written: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'entry.create' AND outcome = 'ok'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(written, 0);
    // a bad page position
    let a = call(
        &api,
        &app,
        "GET",
        &format!("{entries}?after=zzz"),
        Some(&writer),
        None,
        None,
    )
    .await;
    assert_problem(&a, 422, "invalid");
    assert_eq!(a.json["errors"][0]["field"], "after");
    let a = call(
        &api,
        &app,
        "GET",
        "/api/v1/cases?after=%%%",
        Some(&writer),
        None,
        None,
    )
    .await;
    assert_eq!(a.status.as_u16(), 422);
    // a well-formed cursor hiding a NUL in its kana is refused at the field, not by the
    // database
    use base64::Engine as _;
    let hidden =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{}\0", Uuid::nil()));
    let a = call(
        &api,
        &app,
        "GET",
        &format!("/api/v1/cases?after={hidden}"),
        Some(&writer),
        None,
        None,
    )
    .await;
    assert_problem(&a, 422, "invalid");
    assert_eq!(a.json["errors"][0]["field"], "after");
}

#[sqlx::test]
async fn a_read_write_token_posts_what_the_entry_form_takes(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let api = client();
    let writer = token_for(&pool, "staff@hikari.example", HIKARI, true).await;
    let entries = format!("/api/v1/cases/{CASE_SUZUKI}/entries");
    let body = json!({
        "kind": "observation",
        "category": "training",
        "body": "API-観察-午後に集中が途切れる",
        "situation": "午後",
        "handling": "休憩を入れた",
        "resolved": true,
        "shared_with": [SAKURA],
        "occurred_at": "2026-04-01T10:00:00+09:00"
    })
    .to_string();
    let a = call(
        &api,
        &app,
        "POST",
        &entries,
        Some(&writer),
        Some(&body),
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    let id: Uuid = a.json["id"].as_str().unwrap().parse().unwrap();
    let (kind, shared, author_agency, fields): (String, Vec<Uuid>, Uuid, Value) = sqlx::query_as(
        "SELECT kind, shared_with, author_agency_id, fields FROM entry WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(kind, "observation");
    assert_eq!(shared, vec![SAKURA]);
    assert_eq!(author_agency, HIKARI);
    assert_eq!(fields["handling"], "休憩を入れた");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'entry.create' AND outcome = 'ok'
           AND target_id = $1 AND request_id = $2",
    )
    .bind(id)
    .bind(&a.request_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    // the timeline page shows it
    app.login("staff@hikari.example").await;
    let page = body_of(
        &app,
        &format!("/cases/{CASE_SUZUKI}/timeline?from=2026-04-01&to=2026-04-01"),
    )
    .await;
    assert!(page.contains("API-観察-午後に集中が途切れる"));
    // an agency that left the team cannot write (403 as on the pages)
    let left = token_for(
        &pool,
        "soudan@komorebi.example",
        renkei::demo::KOMOREBI,
        true,
    )
    .await;
    sqlx::query(
        "UPDATE case_agency SET left_on = (now() AT TIME ZONE 'Asia/Tokyo')::date - 1
         WHERE case_id = $1 AND agency_id = $2",
    )
    .bind(CASE_SUZUKI)
    .bind(renkei::demo::KOMOREBI)
    .execute(&pool)
    .await
    .unwrap();
    let simple = json!({"kind": "progress", "category": "training", "body": "x"}).to_string();
    let a = call(
        &api,
        &app,
        "POST",
        &entries,
        Some(&left),
        Some(&simple),
        None,
    )
    .await;
    assert_problem(&a, 403, "forbidden");
}

async fn body_of(app: &TestApp, path: &str) -> String {
    let res = app.get(path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    body(res).await
}

/// The entry ids a timeline page shows, in its order (entries and their replies).
fn page_entry_ids(page: &str) -> Vec<String> {
    page.split("id=\"entry-")
        .skip(1)
        .map(|s| s[..36].to_string())
        .collect()
}

/// Every page of the timeline as the browser reads it, following "older" links.
async fn timeline_by_page(app: &TestApp, case: Uuid) -> (Vec<String>, usize) {
    let mut ids = vec![];
    let mut path = format!("/cases/{case}/timeline");
    let mut pages = 0;
    loop {
        let page = body_of(app, &path).await;
        pages += 1;
        ids.extend(page_entry_ids(&page));
        let Some(next) = page
            .split("\" rel=\"next\"")
            .next()
            .filter(|_| page.contains("rel=\"next\""))
            .and_then(|s| s.rsplit("href=\"").next())
        else {
            break;
        };
        let next = next.replace("&amp;", "&").replace("&#38;", "&");
        assert_ne!(next, path, "the older page is another page");
        path = next;
        assert!(pages < 100, "{path}");
    }
    (ids, pages)
}

/// Every page of the timeline through the API, following `next` with `?after=`.
async fn timeline_by_api(app: &TestApp, token: &str, case: Uuid) -> (Vec<String>, usize) {
    let api = client();
    let mut ids = vec![];
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &after {
            Some(a) => format!("/api/v1/cases/{case}/entries?after={a}"),
            None => format!("/api/v1/cases/{case}/entries"),
        };
        let a = call(&api, app, "GET", &path, Some(token), None, None).await;
        assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
        assert_eq!(a.content_type, "application/json");
        pages += 1;
        for item in a.json["items"].as_array().unwrap() {
            ids.push(item["id"].as_str().unwrap().to_string());
            for r in item["replies"].as_array().unwrap() {
                ids.push(r["id"].as_str().unwrap().to_string());
            }
        }
        match a.json["next"].as_str() {
            Some(n) => after = Some(n.to_string()),
            None => break,
        }
        assert!(pages < 100, "{after:?}");
    }
    (ids, pages)
}

/// 120 more progress entries on 鈴木 一郎's case by ひかり, some shared with the clinic, so that
/// the timeline runs to several pages.
async fn many_entries(pool: &PgPool) {
    let sabikan = user_id(pool, "sabikan@hikari.example").await;
    let scope = scope_as(pool, sabikan, HIKARI, CASE_SUZUKI).await.unwrap();
    let mut conn = pool.acquire().await.unwrap();
    for n in 0..120 {
        let shared: &[Uuid] = if n % 3 == 0 { &[SAKURA] } else { &[] };
        let mut e =
            renkei::db::entries::NewEntry::plain("progress", "training", "作業の記録", shared);
        // some at the same instant, so that the keyset's tie-break by id is exercised
        e.occurred_at = chrono::Utc::now() - chrono::Duration::hours(n / 2);
        renkei::db::entries::insert(&mut conn, &scope, &e)
            .await
            .unwrap();
    }
}

#[sqlx::test]
async fn a_read_only_token_lists_the_timeline_the_page_shows(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    many_entries(&pool).await;
    for (email, agency) in [
        ("staff@hikari.example", HIKARI),
        ("psw@sakura.example", SAKURA),
    ] {
        let token = token_for(&pool, email, agency, false).await;
        let (by_api, api_pages) = timeline_by_api(&app, &token, CASE_SUZUKI).await;
        let browser = app.browser();
        browser.login(email).await;
        let (by_page, html_pages) = timeline_by_page(&browser, CASE_SUZUKI).await;
        assert!(
            api_pages >= 2,
            "{email}: the timeline runs to several pages"
        );
        assert_eq!(api_pages, html_pages, "{email}");
        assert_eq!(
            by_api, by_page,
            "{email}: the API lists what the page shows"
        );
        let unique: std::collections::BTreeSet<_> = by_api.iter().collect();
        assert_eq!(
            unique.len(),
            by_api.len(),
            "{email}: no entry twice across pages"
        );
        println!(
            "{email}: {} entries on {api_pages} pages, the same ids through the API and the page",
            by_api.len()
        );
    }
}

#[sqlx::test]
async fn the_cases_list_pages_with_after(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let staff = user_id(&pool, "staff@hikari.example").await;
    let mut conn = pool.acquire().await.unwrap();
    for n in 0..60 {
        renkei::db::cases::create(
            &mut conn,
            actor_as(staff, HIKARI),
            &renkei::db::cases::NewParticipant {
                family_name: "頁",
                given_name: &format!("太郎{n}"),
                family_kana: "ページ",
                given_kana: &format!("タロウ{n:02}"),
                birth_date: chrono::NaiveDate::from_ymd_opt(1990, 4, 1).unwrap(),
                disability_categories: &["mental".to_string()],
                municipality: "みどり市",
                postal_code: "",
                address: "",
                phone: "",
                email: "",
                family_contacts: "",
                notes: "",
            },
            "相談",
        )
        .await
        .unwrap();
    }
    drop(conn);
    let token = token_for(&pool, "staff@hikari.example", HIKARI, false).await;
    let api = client();
    let mut ids = vec![];
    let mut path = "/api/v1/cases".to_string();
    let mut pages = 0;
    loop {
        let a = call(&api, &app, "GET", &path, Some(&token), None, None).await;
        assert_eq!(a.status, StatusCode::OK);
        pages += 1;
        ids.extend(
            a.json["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string()),
        );
        match a.json["next"].as_str() {
            Some(n) => path = format!("/api/v1/cases?after={n}"),
            None => break,
        }
    }
    let expected: Vec<String> = sqlx::query_scalar::<_, Uuid>(
        "SELECT case_id FROM case_agency WHERE agency_id = $1
         ORDER BY sort_kana COLLATE \"ja-x-icu\", case_id",
    )
    .bind(HIKARI)
    .fetch_all(&pool)
    .await
    .unwrap()
    .into_iter()
    .map(|u| u.to_string())
    .collect();
    assert!(pages >= 2);
    assert_eq!(ids, expected);
}

#[sqlx::test]
async fn every_use_leaves_an_audit_row(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let token = token_for(&pool, "staff@hikari.example", HIKARI, false).await;
    let api = client();
    let staff = user_id(&pool, "staff@hikari.example").await;
    let meeting = renkei::demo::MEETING_SUZUKI;
    for (path, action) in [
        ("/api/v1/me".to_string(), "api.me.view"),
        ("/api/v1/cases".to_string(), "cases.list"),
        (format!("/api/v1/cases/{CASE_SUZUKI}"), "case.view"),
        (
            format!("/api/v1/cases/{CASE_SUZUKI}/team"),
            "case.team.view",
        ),
        (
            format!("/api/v1/cases/{CASE_SUZUKI}/consents"),
            "case.consents.view",
        ),
        (
            format!("/api/v1/cases/{CASE_SUZUKI}/entries"),
            "case.timeline.view",
        ),
        (
            format!("/api/v1/cases/{CASE_SUZUKI}/referrals"),
            "case.referrals.view",
        ),
        (
            format!("/api/v1/cases/{CASE_SUZUKI}/meetings"),
            "case.meetings.view",
        ),
        (
            format!("/api/v1/cases/{CASE_SUZUKI}/action-items"),
            "case.meetings.view",
        ),
        (
            format!("/api/v1/cases/{CASE_SUZUKI}/tasks"),
            "case.legal.view",
        ),
        (
            format!("/api/v1/cases/{CASE_SUZUKI}/checks"),
            "case.checks.view",
        ),
        (format!("/api/v1/meetings/{meeting}"), "meeting.view"),
    ] {
        let a = call(&api, &app, "GET", &path, Some(&token), None, None).await;
        assert_eq!(a.status, StatusCode::OK, "{path}: {:?}", a.json);
        let rows: Vec<(String, String, Uuid, Option<Uuid>)> = sqlx::query_as(
            "SELECT action, outcome, user_id, acting_agency_id FROM audit_log WHERE request_id = $1",
        )
        .bind(&a.request_id)
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(
            rows,
            vec![(action.to_string(), "ok".to_string(), staff, Some(HIKARI))],
            "{path}"
        );
    }
    // refusals too: one denied row each
    let off = token_for(&pool, "staff@haruka.example", renkei::demo::HARUKA, false).await;
    for path in [
        format!("/api/v1/cases/{CASE_SUZUKI}/entries"),
        format!("/api/v1/meetings/{meeting}"),
        format!("/api/v1/cases/{}", Uuid::now_v7()),
    ] {
        let a = call(&api, &app, "GET", &path, Some(&off), None, None).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{path}");
        let outcomes: Vec<String> =
            sqlx::query_scalar("SELECT outcome FROM audit_log WHERE request_id = $1")
                .bind(&a.request_id)
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(outcomes, vec!["denied".to_string()], "{path}");
    }
}

#[sqlx::test]
async fn the_rate_limit_holds_across_processes(pool: PgPool) {
    let settings = renkei::config::Settings {
        api_burst: 5,
        api_refill: Duration::from_secs(60),
        ..test_settings()
    };
    let one = TestApp::spawn_with(pool.clone(), settings.clone()).await;
    // a second server on the same database, as a second `renkei serve` would be
    let two = TestApp::spawn_bare(pool.clone(), settings).await;
    let token = token_for(&pool, "staff@hikari.example", HIKARI, false).await;
    let other = token_for(&pool, "sabikan@hikari.example", HIKARI, false).await;
    let api = client();
    let mut statuses = vec![];
    for n in 0..8 {
        let app = if n % 2 == 0 { &one } else { &two };
        let a = call(&api, app, "GET", "/api/v1/me", Some(&token), None, None).await;
        statuses.push(a.status.as_u16());
        if a.status == StatusCode::TOO_MANY_REQUESTS {
            assert_problem(&a, 429, "too-many-requests");
            let wait: i64 = a.headers["retry-after"].to_str().unwrap().parse().unwrap();
            assert!((1..=60).contains(&wait), "{wait}");
        }
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
    assert_eq!(audit_count(&pool, "api.rate_limited", "denied").await, 3);
    // another token has its own bucket
    let a = call(&api, &two, "GET", "/api/v1/me", Some(&other), None, None).await;
    assert_eq!(a.status, StatusCode::OK);
}

#[sqlx::test]
async fn an_invited_agency_answers_through_the_api(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let api = client();
    // a meeting to come on 鈴木 一郎's case, convened by ひかり, the clinic invited
    let sabikan = user_id(&pool, "sabikan@hikari.example").await;
    let convener = scope_as(&pool, sabikan, HIKARI, CASE_SUZUKI).await.unwrap();
    let mut conn = pool.acquire().await.unwrap();
    let meeting = renkei::db::meetings::create(
        &mut conn,
        &convener,
        &renkei::db::meetings::NewMeeting {
            purpose: "support_plan",
            purpose_note: "",
            starts_at: chrono::Utc::now() + chrono::Duration::days(20),
            duration_minutes: 60,
            place: "ひかり 相談室",
            online_url: "",
            phone: "",
            person_attends: true,
            family_attends: false,
            invitees: &[(SAKURA, None, String::new())],
        },
    )
    .await
    .unwrap();
    drop(conn);
    let psw = token_for(&pool, "psw@sakura.example", SAKURA, true).await;
    let path = format!("/api/v1/meetings/{meeting}/answer");
    let a = call(
        &api,
        &app,
        "POST",
        &path,
        Some(&psw),
        Some(r#"{"response": "maybe"}"#),
        None,
    )
    .await;
    assert_problem(&a, 422, "invalid");
    assert_eq!(a.json["errors"][0]["field"], "response");
    let a = call(
        &api,
        &app,
        "POST",
        &path,
        Some(&psw),
        Some(r#"{"response": "attend"}"#),
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    let shown = call(
        &api,
        &app,
        "GET",
        &format!("/api/v1/meetings/{meeting}"),
        Some(&psw),
        None,
        None,
    )
    .await;
    let invitee = shown.json["invitees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["agency_id"] == SAKURA.to_string())
        .unwrap()
        .clone();
    assert_eq!(invitee["response"], "attend");
    // an agency not invited does not find it
    let off = token_for(&pool, "staff@haruka.example", renkei::demo::HARUKA, true).await;
    let a = call(
        &api,
        &app,
        "POST",
        &path,
        Some(&off),
        Some(r#"{"response": "attend"}"#),
        None,
    )
    .await;
    assert_problem(&a, 404, "not-found");
}

#[sqlx::test]
async fn the_openapi_document_describes_every_route(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let res = app.get("/api/v1/openapi.json").await;
    assert_eq!(res.status(), StatusCode::OK);
    let doc: Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, get, post) in registered_routes() {
        if !path.starts_with("/api/v1/") || path == "/api/v1/openapi.json" {
            continue;
        }
        let item = paths
            .get(&path)
            .unwrap_or_else(|| panic!("{path} is not in the OpenAPI document"));
        assert_eq!(item.get("get").is_some(), get, "{path} get");
        assert_eq!(item.get("post").is_some(), post, "{path} post");
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    assert!(doc["components"]["securitySchemes"]["token"].is_object());
}

async fn post_json(app: &TestApp, token: &str, path: &str, body: &Value) -> Answer {
    call(
        &client(),
        app,
        "POST",
        path,
        Some(token),
        Some(&body.to_string()),
        None,
    )
    .await
}

fn fields_of(a: &Answer) -> Vec<String> {
    a.json["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|f| f["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn count(pool: &PgPool, sql: &str, id: Uuid) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Mail configured (towards a port nobody listens on): the notices wait in the outbox.
fn with_outbox() -> renkei::config::Settings {
    renkei::config::Settings {
        base_url: Some("https://renkei.example.jp".into()),
        mail: renkei::config::MailSettings {
            smtp: Some(
                renkei::config::SmtpUrl::parse(&format!(
                    "smtp://127.0.0.1:{}",
                    crate::smtp::free_port()
                ))
                .unwrap(),
            ),
            from: "Renkei <renkei@example.jp>".to_string(),
            poll: Duration::from_secs(3600),
        },
        ..test_settings()
    }
}

#[sqlx::test]
async fn a_referral_is_sent_through_the_api_as_the_form_sends_it(pool: PgPool) {
    let app = TestApp::spawn_with(pool.clone(), with_outbox()).await;
    let lead = token_for(&pool, "sabikan@hikari.example", HIKARI, true).await;
    let path = format!("/api/v1/cases/{CASE_SUZUKI}/referrals");
    // a member of the wrong type is named; nothing is written
    let before = count(
        &pool,
        "SELECT count(*) FROM referral WHERE case_id = $1",
        CASE_SUZUKI,
    )
    .await;
    let a = post_json(
        &app,
        &lead,
        &path,
        &json!({"to_agency_id": 5, "send": "yes"}),
    )
    .await;
    assert_problem(&a, 422, "invalid");
    assert_eq!(fields_of(&a), vec!["to_agency_id", "send"]);
    // the form's own checks: an unknown agency, the acting agency itself
    for to in [Uuid::now_v7(), HIKARI] {
        let a = post_json(&app, &lead, &path, &json!({"to_agency_id": to})).await;
        assert_problem(&a, 422, "invalid");
        assert_eq!(fields_of(&a), vec!["to_agency_id"]);
    }
    // sending to an agency the person has not consented to share with: nothing is kept,
    // not even the draft
    let a = post_json(
        &app,
        &lead,
        &path,
        &json!({"to_agency_id": renkei::demo::HARUKA, "hopes": "相談", "send": true}),
    )
    .await;
    assert_problem(&a, 422, "invalid");
    assert_eq!(fields_of(&a), vec!["consent"]);
    assert!(a.json["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("訓練"));
    let after = count(
        &pool,
        "SELECT count(*) FROM referral WHERE case_id = $1",
        CASE_SUZUKI,
    )
    .await;
    assert_eq!(before, after);
    // a draft
    let a = post_json(
        &app,
        &lead,
        &path,
        &json!({"to_agency_id": renkei::demo::HARUKA, "hopes": "定着支援の相談"}),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    let id: Uuid = a.json["id"].as_str().unwrap().parse().unwrap();
    let (state, from, hopes): (String, Uuid, String) =
        sqlx::query_as("SELECT state, from_agency_id, hopes FROM referral WHERE id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (state.as_str(), from, hopes.as_str()),
        ("draft", HIKARI, "定着支援の相談")
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'referral.create' AND outcome = 'ok'
           AND target_id = $1 AND request_id = $2",
    )
    .bind(id)
    .bind(&a.request_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    // a second open referral to the same agency is refused at the field, as on the page
    let a = post_json(
        &app,
        &lead,
        &path,
        &json!({"to_agency_id": renkei::demo::HARUKA}),
    )
    .await;
    assert_problem(&a, 422, "invalid");
    assert_eq!(fields_of(&a), vec!["to_agency_id"]);
    // the person consents to share training with はるか: the draft is sent, the receiving
    // office's members are told (the outbox), the case is referred
    let coordinator = token_for(&pool, "sabikan@hikari.example", HIKARI, true).await;
    let a = post_json(
        &app,
        &coordinator,
        &format!("/api/v1/cases/{CASE_SUZUKI}/consents"),
        &json!({
            "agency_id": renkei::demo::HARUKA,
            "categories": ["training", "assessment", "health", "life", "work", "contact"],
            "given_by": "person", "method": "written",
            "given_on": renkei::domain::dates::today_tokyo().to_string(), "term": "1y"
        }),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    let a = post_json(
        &app,
        &lead,
        &format!("/api/v1/referrals/{id}/transition"),
        &json!({"to": "sent"}),
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{:?}", a.json);
    let state: String = sqlx::query_scalar("SELECT state FROM referral WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(state, "sent");
    let told = count(
        &pool,
        "SELECT count(*) FROM outbox o JOIN membership m ON m.user_id = o.user_id
          WHERE o.kind = 'referral_received' AND m.agency_id = $1",
        renkei::demo::HARUKA,
    )
    .await;
    assert!(told > 0, "the receiving office is told");
    // sending at once, as the form's "send" button does, tells the receiver too
    let a = post_json(
        &app,
        &coordinator,
        &format!("/api/v1/cases/{CASE_SUZUKI}/consents"),
        &json!({
            "agency_id": renkei::demo::AOBA,
            "categories": ["training", "assessment", "health", "life", "work", "contact"],
            "given_by": "person", "method": "oral",
            "given_on": renkei::domain::dates::today_tokyo().to_string(), "term": "indefinite"
        }),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    let a = post_json(
        &app,
        &lead,
        &path,
        &json!({"to_agency_id": renkei::demo::AOBA, "attach_assessment": true, "send": true}),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    let id: Uuid = a.json["id"].as_str().unwrap().parse().unwrap();
    let state: String = sqlx::query_scalar("SELECT state FROM referral WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(state, "sent");
    let told = count(
        &pool,
        "SELECT count(*) FROM outbox o JOIN membership m ON m.user_id = o.user_id
          WHERE o.kind = 'referral_received' AND m.agency_id = $1",
        renkei::demo::AOBA,
    )
    .await;
    assert!(told > 0, "sent at once, the receiver is told");
}

/// A referral from the clinic to はるか, sent.
async fn sent_to_haruka(pool: &PgPool) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO referral (id, case_id, from_agency_id, to_agency_id, state, created_by, sent_at)
         VALUES ($1, $2, $3, $4, 'sent', $5, now())",
    )
    .bind(id)
    .bind(CASE_SUZUKI)
    .bind(SAKURA)
    .bind(renkei::demo::HARUKA)
    .bind(user_id(pool, "psw@sakura.example").await)
    .execute(pool)
    .await
    .unwrap();
    id
}

#[sqlx::test]
async fn the_receiving_office_acknowledges_accepts_or_declines_through_the_api(pool: PgPool) {
    let app = TestApp::spawn_with(pool.clone(), with_outbox()).await;
    let haruka = token_for(&pool, "staff@haruka.example", renkei::demo::HARUKA, true).await;
    let referral = sent_to_haruka(&pool).await;
    let step = format!("/api/v1/referrals/{referral}/transition");
    // a move the state machine forbids: 422 naming `to`, nothing changes
    let a = post_json(
        &app,
        &haruka,
        &step,
        &json!({"to": "accepted", "service_start": "2030-01-01"}),
    )
    .await;
    assert_problem(&a, 422, "invalid");
    assert_eq!(fields_of(&a), vec!["to"]);
    // declining asks for the reason and a note, as the page does
    let a = post_json(&app, &haruka, &step, &json!({"to": "declined"})).await;
    assert_problem(&a, 422, "invalid");
    assert_eq!(fields_of(&a), vec!["note", "reason"]);
    let a = post_json(&app, &haruka, &step, &json!({"to": "declined", "note": 3})).await;
    assert_eq!(fields_of(&a), vec!["note"]);
    // acknowledged: はるか joins the team, the clinic's people are told, an event on the timeline
    let a = post_json(&app, &haruka, &step, &json!({"to": "acknowledged"})).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{:?}", a.json);
    let on_team: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM case_agency WHERE case_id = $1 AND agency_id = $2
           AND left_on IS NULL",
    )
    .bind(CASE_SUZUKI)
    .bind(renkei::demo::HARUKA)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(on_team, 1);
    let told = count(
        &pool,
        "SELECT count(*) FROM outbox o JOIN membership m ON m.user_id = o.user_id
          WHERE o.kind = 'referral_acknowledged' AND m.agency_id = $1",
        SAKURA,
    )
    .await;
    assert!(told > 0, "the sender's people are told");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'referral.transition' AND outcome = 'ok'
           AND target_id = $1 AND detail = 'acknowledged' AND request_id = $2",
    )
    .bind(referral)
    .bind(&a.request_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    // declined with the reason the page asks for
    let a = post_json(
        &app,
        &haruka,
        &step,
        &json!({"to": "declined", "reason": "no_capacity", "note": "定員のため"}),
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{:?}", a.json);
    let (state, reason): (String, Option<String>) = sqlx::query_as(
        "SELECT r.state, e.decline_reason FROM referral r
               JOIN referral_event e ON e.referral_id = r.id AND e.to_state = 'declined'
              WHERE r.id = $1",
    )
    .bind(referral)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (state.as_str(), reason.as_deref()),
        ("declined", Some("no_capacity"))
    );
    let told = count(
        &pool,
        "SELECT count(*) FROM outbox o JOIN membership m ON m.user_id = o.user_id
          WHERE o.kind = 'referral_declined' AND m.agency_id = $1",
        SAKURA,
    )
    .await;
    assert!(told > 0);
    // accepted, on another referral: the training starts, はるか leads
    let second = sent_to_haruka(&pool).await;
    let step = format!("/api/v1/referrals/{second}/transition");
    let start = (renkei::domain::dates::today_tokyo() + chrono::Duration::days(10)).to_string();
    let a = post_json(&app, &haruka, &step, &json!({"to": "acknowledged"})).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{:?}", a.json);
    let a = post_json(
        &app,
        &haruka,
        &step,
        &json!({"to": "accepted", "service_start": "someday"}),
    )
    .await;
    assert_eq!(fields_of(&a), vec!["service_start"]);
    let a = post_json(
        &app,
        &haruka,
        &step,
        &json!({"to": "accepted", "service_start": start}),
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{:?}", a.json);
    let lead: Uuid = sqlx::query_scalar("SELECT lead_agency_id FROM case_file WHERE id = $1")
        .bind(CASE_SUZUKI)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(lead, renkei::demo::HARUKA);
    // an agency on neither side finds nothing
    let other = token_for(&pool, "sabikan@hikari.example", HIKARI, true).await;
    let a = post_json(&app, &other, &step, &json!({"to": "withdrawn"})).await;
    assert_problem(&a, 404, "not-found");
}

#[sqlx::test]
async fn consents_are_recorded_and_revoked_through_the_api_as_on_the_page(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let coordinator = token_for(&pool, "sabikan@hikari.example", HIKARI, true).await;
    let staff = token_for(&pool, "staff@hikari.example", HIKARI, true).await;
    let path = format!("/api/v1/cases/{CASE_SUZUKI}/consents");
    let today = renkei::domain::dates::today_tokyo();
    let good = json!({
        "agency_id": renkei::demo::MINATO, "categories": ["training"], "given_by": "person",
        "method": "written", "given_on": today.to_string(), "term": "1y", "evidence": "同意書"
    });
    // staff may not (the page's rule: the lead's coordinators)
    let a = post_json(&app, &staff, &path, &good).await;
    assert_problem(&a, 403, "forbidden");
    // wrong types named, then the form's checks
    let a = post_json(
        &app,
        &coordinator,
        &path,
        &json!({"categories": "training", "term": 1}),
    )
    .await;
    assert_eq!(fields_of(&a), vec!["categories", "term"]);
    let a = post_json(
        &app,
        &coordinator,
        &path,
        &json!({"agency_id": renkei::demo::MINATO, "categories": ["gossip"], "given_by": "person",
                "method": "written", "given_on": (today + chrono::Duration::days(1)).to_string(),
                "term": "date", "until": "2020-01-01"}),
    )
    .await;
    assert_problem(&a, 422, "invalid");
    assert_eq!(fields_of(&a), vec!["categories", "given_on", "until"]);
    // みなと's consents are revoked; an entry is shared with it; a new consent opens it: the
    // provision ledger counts what it opened, as the page's does
    let live: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM consent WHERE case_id = $1 AND agency_id = $2 AND revoked_at IS NULL",
    )
    .bind(CASE_SUZUKI)
    .bind(renkei::demo::MINATO)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(!live.is_empty());
    let revoke = |id: Uuid| format!("/api/v1/cases/{CASE_SUZUKI}/consents/{id}/revoke");
    let a = post_json(
        &app,
        &coordinator,
        &revoke(live[0]),
        &json!({"reason": " "}),
    )
    .await;
    assert_eq!(fields_of(&a), vec!["reason"]);
    for id in &live {
        let a = post_json(
            &app,
            &coordinator,
            &revoke(*id),
            &json!({"reason": "本人の申し出"}),
        )
        .await;
        assert_eq!(a.status, StatusCode::NO_CONTENT, "{:?}", a.json);
        let audited = count(
            &pool,
            "SELECT count(*) FROM audit_log WHERE action = 'case.consent.revoke' AND outcome = 'ok'
               AND target_id = $1",
            *id,
        )
        .await;
        assert_eq!(audited, 1);
    }
    let a = post_json(
        &app,
        &coordinator,
        &revoke(live[0]),
        &json!({"reason": "二度目"}),
    )
    .await;
    assert_problem(&a, 422, "invalid");
    assert_eq!(fields_of(&a), vec!["reason"]);
    let a = post_json(
        &app,
        &coordinator,
        &format!("/api/v1/cases/{CASE_SUZUKI}/entries"),
        &json!({"kind": "progress", "category": "training", "body": "API-同意前に共有",
                "shared_with": [renkei::demo::MINATO]}),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    let ledger = |pool: PgPool| async move {
        sqlx::query_scalar::<_, Option<i64>>(
            "SELECT sum(count)::bigint FROM provision WHERE kind = 'entries' AND case_id = $1
               AND receiver_agency_id = $2 AND provider_agency_id = $3",
        )
        .bind(CASE_SUZUKI)
        .bind(renkei::demo::MINATO)
        .bind(HIKARI)
        .fetch_one(&pool)
        .await
        .unwrap()
        .unwrap_or(0)
    };
    let before = ledger(pool.clone()).await;
    let a = post_json(&app, &coordinator, &path, &good).await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    let consent: Uuid = a.json["id"].as_str().unwrap().parse().unwrap();
    let opened: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM entry WHERE case_id = $1 AND author_agency_id = $2
           AND category = 'training' AND $3 = ANY (shared_with)",
    )
    .bind(CASE_SUZUKI)
    .bind(HIKARI)
    .bind(renkei::demo::MINATO)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(opened >= 1);
    assert_eq!(
        ledger(pool.clone()).await,
        before + opened,
        "every entry it opened is counted"
    );
    let (categories, until): (Vec<String>, Option<chrono::NaiveDate>) =
        sqlx::query_as("SELECT categories, valid_until FROM consent WHERE id = $1")
            .bind(consent)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(categories, vec!["training"]);
    assert_eq!(
        until,
        renkei::domain::case::ConsentTerm::OneYear.valid_until(today, None)
    );
}

#[sqlx::test]
async fn tasks_and_action_items_are_marked_done_through_the_api(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let staff = token_for(&pool, "staff@hikari.example", HIKARI, true).await;
    let reader = token_for(&pool, "staff@hikari.example", HIKARI, false).await;
    let clinic = token_for(&pool, "psw@sakura.example", SAKURA, true).await;
    // two action items of ひかり on the case, decided outside a meeting
    let sabikan = user_id(&pool, "sabikan@hikari.example").await;
    let scope = scope_as(&pool, sabikan, HIKARI, CASE_SUZUKI).await.unwrap();
    let mut conn = pool.acquire().await.unwrap();
    for what in ["職場に連絡する", "通院日を確認する"] {
        renkei::db::meetings::add_action_item(
            &mut conn,
            &scope,
            &renkei::db::meetings::NewActionItem {
                meeting_id: None,
                owner_agency_id: HIKARI,
                owner_user_id: None,
                what,
                how: "",
                due_on: renkei::domain::dates::today_tokyo() + chrono::Duration::days(7),
            },
        )
        .await
        .unwrap();
    }
    drop(conn);
    let open = |table: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, Uuid>(&format!(
                "SELECT id FROM {table} WHERE case_id = $1 AND owner_agency_id = $2
                   AND status = 'open' ORDER BY id LIMIT 1"
            ))
            .bind(CASE_SUZUKI)
            .bind(HIKARI)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    for (table, route, action) in [
        ("task", "tasks", "task.done"),
        ("action_item", "action-items", "action_item.done"),
    ] {
        let id = open(table).await;
        let path = format!("/api/v1/{route}/{id}/done");
        let a = post_json(&app, &reader, &path, &json!({})).await;
        assert_eq!(a.status.as_u16(), 403, "{route}: a read-only token");
        let a = post_json(&app, &clinic, &path, &json!({"note": "x"})).await;
        assert_problem(&a, 404, "not-found");
        let a = post_json(&app, &staff, &path, &json!({"note": "あ".repeat(1001)})).await;
        assert_problem(&a, 422, "invalid");
        assert_eq!(fields_of(&a), vec!["note"]);
        let a = post_json(&app, &staff, &path, &json!({"note": true})).await;
        assert_eq!(fields_of(&a), vec!["note"]);
        let a = post_json(&app, &staff, &path, &json!({"note": " 電話で確認した "})).await;
        assert_eq!(a.status, StatusCode::NO_CONTENT, "{route}: {:?}", a.json);
        let (status, note): (String, Option<String>) = sqlx::query_as(&format!(
            "SELECT status, done_note FROM {table} WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(status, "done");
        assert_eq!(note.as_deref(), Some("電話で確認した"));
        let audited = count(
            &pool,
            &format!(
                "SELECT count(*) FROM audit_log WHERE action = '{action}' AND outcome = 'ok'
                   AND target_id = $1"
            ),
            id,
        )
        .await;
        assert_eq!(audited, 1);
        // done once: a second time names nothing
        let a = post_json(&app, &staff, &path, &json!({})).await;
        assert_problem(&a, 404, "not-found");
        // the note is optional: an empty body will do
        let id = open(table).await;
        let a = call(
            &client(),
            &app,
            "POST",
            &format!("/api/v1/{route}/{id}/done"),
            Some(&staff),
            None,
            None,
        )
        .await;
        assert_eq!(a.status, StatusCode::NO_CONTENT, "{route}: {:?}", a.json);
    }
}

#[sqlx::test]
async fn the_case_list_is_searched_by_name_or_kana_with_after(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let token = token_for(&pool, "sabikan@hikari.example", HIKARI, false).await;
    let api = client();
    let names = |a: &Answer| -> Vec<String> {
        a.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    let get = |q: String| {
        let (api, app, token) = (&api, &app, &token);
        async move {
            call(
                api,
                app,
                "GET",
                &format!("/api/v1/cases?{q}"),
                Some(token),
                None,
                None,
            )
            .await
        }
    };
    // the page's search box and the API agree, by name, hiragana and half-width kana
    app.login("sabikan@hikari.example").await;
    for q in ["鈴木", "すずき", "ｽｽﾞｷ", "スズキ　イチロウ"] {
        let a = get(format!("q={}", urlencoding(q))).await;
        assert_eq!(a.status, StatusCode::OK, "{q}");
        let ids = names(&a);
        assert!(ids.contains(&CASE_SUZUKI.to_string()), "{q}: {ids:?}");
        let page = body_of(&app, &format!("/cases?q={}", urlencoding(q))).await;
        for id in &ids {
            assert!(
                page.contains(&format!("/cases/{id}")),
                "{q}: the page lists {id}"
            );
        }
        assert!(!ids.contains(&CASE_TAKAHASHI.to_string()), "{q}");
    }
    let a = get("q=zzzz-nobody".into()).await;
    assert!(names(&a).is_empty());
    assert!(a.json["next"].is_null());
    // a search paged with after: many cases named alike, the pages put back together are the
    // search's result, each once
    let sabikan = user_id(&pool, "sabikan@hikari.example").await;
    let mut conn = pool.acquire().await.unwrap();
    for n in 0..60 {
        renkei::db::cases::create(
            &mut conn,
            actor_as(sabikan, HIKARI),
            &renkei::db::cases::NewParticipant {
                family_name: "検索",
                given_name: &format!("太郎{n}"),
                family_kana: "ケンサク",
                given_kana: &format!("タロウ{n:02}"),
                birth_date: chrono::NaiveDate::from_ymd_opt(1990, 4, 1).unwrap(),
                disability_categories: &["mental".to_string()],
                municipality: "みどり市",
                postal_code: "",
                address: "",
                phone: "",
                email: "",
                family_contacts: "",
                notes: "",
            },
            "相談",
        )
        .await
        .unwrap();
    }
    drop(conn);
    let mut seen = vec![];
    let mut q = format!("q={}", urlencoding("けんさく"));
    let mut pages = 0;
    loop {
        let a = get(q.clone()).await;
        assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
        seen.extend(names(&a));
        pages += 1;
        match a.json["next"].as_str() {
            Some(n) => q = format!("q={}&after={n}", urlencoding("けんさく")),
            None => break,
        }
    }
    assert_eq!(pages, 2);
    assert_eq!(seen.len(), 60);
    let unique: std::collections::BTreeSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), 60);
}

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[sqlx::test]
async fn a_meetings_material_is_computed_for_its_reader_audited_and_ledgered(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let meeting = renkei::demo::MEETING_SUZUKI;
    let path = format!("/api/v1/meetings/{meeting}/material");
    for (email, agency) in [
        ("sabikan@hikari.example", HIKARI),
        ("psw@sakura.example", SAKURA),
    ] {
        let token = token_for(&pool, email, agency, false).await;
        let a = call(&client(), &app, "GET", &path, Some(&token), None, None).await;
        assert_eq!(a.status, StatusCode::OK, "{email}: {:?}", a.json);
        let generated = a.json["generated_html"].as_str().unwrap().to_string();
        // what the material page shows the same user
        app.login(email).await;
        let page = body_of(&app, &format!("/meetings/{meeting}/material")).await;
        let first_heading = generated
            .split("<h2>")
            .nth(1)
            .and_then(|h| h.split('<').next())
            .unwrap_or_default();
        assert!(!first_heading.is_empty(), "{email}: {generated}");
        assert!(page.contains(first_heading), "{email}: {first_heading}");
        let audited: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM audit_log WHERE action = 'meeting.material.view'
               AND outcome = 'ok' AND target_id = $1 AND request_id = $2",
        )
        .bind(meeting)
        .bind(&a.request_id)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(audited, 1, "{email}");
    }
    // shown to the invited clinic: a provision in the ledger, as on the page
    let provided = count(
        &pool,
        "SELECT count(*) FROM provision WHERE kind = 'material' AND receiver_agency_id = $1",
        SAKURA,
    )
    .await;
    assert!(provided > 0);
    // an agency neither convening nor invited finds nothing
    let off = token_for(&pool, "staff@haruka.example", renkei::demo::HARUKA, false).await;
    let a = call(&client(), &app, "GET", &path, Some(&off), None, None).await;
    assert_problem(&a, 404, "not-found");
}

#[sqlx::test]
async fn the_documented_bodies_are_as_strict_as_the_checks(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let doc: Value =
        serde_json::from_str(&body(app.get("/api/v1/openapi.json").await).await).unwrap();
    let schema = |name: &str| doc["components"]["schemas"][name].clone();
    let entry = schema("NewEntry");
    assert_eq!(entry["properties"]["body"]["maxLength"], 20_000);
    assert_eq!(entry["properties"]["body"]["minLength"], 1);
    assert_eq!(entry["properties"]["situation"]["maxLength"], 2_000);
    assert_eq!(entry["properties"]["next_visit"]["format"], "date");
    let step = schema("Step");
    let to: Vec<&str> = step["properties"]["to"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(to.contains(&"acknowledged") && to.contains(&"declined"));
    assert!(!to.contains(&"draft"), "no step goes back to a draft");
    assert!(step["properties"]["reason"]["enum"]
        .as_array()
        .unwrap()
        .contains(&json!("no_capacity")));
    assert_eq!(step["required"], json!(["to"]));
    let consent = schema("NewConsent");
    assert_eq!(
        consent["properties"]["categories"]["items"]["enum"],
        json!([
            "health",
            "assessment",
            "training",
            "work",
            "life",
            "contact"
        ])
    );
    assert_eq!(
        consent["properties"]["term"]["enum"],
        json!(["1y", "2y", "date", "indefinite"])
    );
    assert_eq!(
        schema("Revocation")["properties"]["reason"]["maxLength"],
        1_000
    );
    assert_eq!(schema("Finish")["properties"]["note"]["maxLength"], 1_000);
    assert_eq!(
        schema("NewReferral")["properties"]["hopes"]["maxLength"],
        5_000
    );
}
