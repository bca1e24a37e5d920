//! The shared timeline as users meet it: writing, reading within consent, replies, edits,
//! pages, filters, the inbox — and the cost of a page, which must not grow with the case.

use crate::helpers::*;
use renkei::demo::*;
use reqwest::StatusCode;
use sqlx::PgPool;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use uuid::Uuid;

async fn entries_of(pool: &PgPool, case: Uuid) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM entry WHERE case_id = $1")
        .bind(case)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn user_id(pool: &PgPool, email: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM app_user WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap()
}

fn observation<'a>(body: &'a str, shares: &'a [String]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("kind", "observation"),
        ("category", "training"),
        ("body", body),
        ("situation", "午後の作業"),
        ("handling", "手順書で確認"),
    ];
    for s in shares {
        form.push(("share", s.as_str()));
    }
    form
}

async fn team_ids(pool: &PgPool, case: Uuid) -> Vec<String> {
    sqlx::query_scalar::<_, Uuid>(
        "SELECT agency_id FROM case_agency WHERE case_id = $1 AND left_on IS NULL",
    )
    .bind(case)
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .map(|u| u.to_string())
    .collect()
}

#[sqlx::test]
async fn an_observation_reaches_the_clinic_inbox_and_gets_a_reply(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let hikari = app.browser();
    hikari.login("staff@hikari.example").await;
    let shares = team_ids(&app.pool, CASE_SUZUKI).await;
    let res = hikari
        .post(
            &format!("/cases/{CASE_SUZUKI}/entries"),
            &observation("**休憩後**に作業の再開が遅れる。\n- 午前\n- 午後", &shares),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let entry: Uuid = location(&res)
        .split("#entry-")
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();

    let ot = app.browser();
    ot.login("ot@sakura.example").await;
    let inbox = body(ot.get("/inbox").await).await;
    // the preview is plain words, not Markdown marks
    assert!(
        inbox.contains("休憩後に作業の再開が遅れる。 午前 午後"),
        "{inbox}"
    );
    assert!(!inbox.contains("**休憩後**"));
    assert!(inbox.contains("鈴木 一郎"));
    // the reply, from the clinic's side
    let res = ot
        .post(
            &format!("/cases/{CASE_SUZUKI}/entries/{entry}/replies"),
            &[
                ("answer", "seen_here"),
                ("observed_on", "2026-10-01"),
                ("situation", "デイケアでも、休憩明けに切り替えが遅かった。"),
                ("handling", "タイマーで合図した"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // opening the entry marked it read
    assert!(!body(ot.get("/inbox").await)
        .await
        .contains("休憩後に作業の再開が遅れる。"));
    // ひかり sees the answer under its observation, and the reply in its inbox
    let page = body(hikari.get(&format!("/cases/{CASE_SUZUKI}")).await).await;
    assert!(page.contains("こちらでも起きている"));
    assert!(page.contains("デイケアでも、休憩明けに切り替えが遅かった。"));
    let hikari_inbox = body(hikari.get("/inbox").await).await;
    // the case page was just opened, so the reply shown there is read
    assert!(!hikari_inbox.contains("休憩明けに切り替えが遅かった"));

    // the author's agency cannot answer its own observation
    let res = hikari
        .post(
            &format!("/cases/{CASE_SUZUKI}/entries/{entry}/replies"),
            &[("answer", "not_seen")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test]
async fn a_health_entry_stays_hidden_from_the_employer_everywhere(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let boss_actor = actor_as(user_id(&app.pool, "boss@midori.example").await, MIDORI);
    let mut conn = app.pool.acquire().await.unwrap();
    let unread_before = renkei::db::entries::unread_count(&mut conn, boss_actor, 1000)
        .await
        .unwrap();
    let hikari = app.browser();
    hikari.login("sabikan@hikari.example").await;
    let shares = team_ids(&app.pool, CASE_TAKAHASHI).await;
    let mut form = vec![
        ("kind", "progress"),
        ("category", "health"),
        ("body", "主治医と面談。薬の量を調整する予定。"),
    ];
    for s in &shares {
        form.push(("share", s.as_str()));
    }
    let res = hikari
        .post(&format!("/cases/{CASE_TAKAHASHI}/entries"), &form)
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let entry: Uuid = location(&res)
        .split("#entry-")
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    // not counted for the employer: its unread count is what it was before the entry
    let unread_after = renkei::db::entries::unread_count(&mut conn, boss_actor, 1000)
        .await
        .unwrap();
    assert_eq!(unread_before, unread_after);
    // the form said so before saving
    let new = body(
        hikari
            .get(&format!("/cases/{CASE_TAKAHASHI}/entries/new"))
            .await,
    )
    .await;
    let midori_line: String = new
        .split("株式会社みどり物流")
        .nth(1)
        .unwrap()
        .chars()
        .take(200)
        .collect();
    assert!(midori_line.contains("病状・服薬"), "{midori_line}");

    let boss = app.browser();
    boss.login("boss@midori.example").await;
    let secret = "薬の量を調整";
    assert!(!body(boss.get(&format!("/cases/{CASE_TAKAHASHI}")).await)
        .await
        .contains(secret));
    let search = format!("/cases/{CASE_TAKAHASHI}/timeline?q=%E8%96%AC"); // 薬
    assert!(!body(boss.get(&search).await).await.contains(secret));
    assert!(!body(boss.get("/inbox").await).await.contains(secret));
    let res = boss
        .get(&format!("/cases/{CASE_TAKAHASHI}/entries/{entry}"))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let visible = visible_ids(&app.pool, Uuid::nil(), MIDORI, CASE_TAKAHASHI).await;
    assert!(!visible.contains(&entry));
    // while the rest of the team sees it
    let jc = app.browser();
    jc.login("jc@shokucen.example").await;
    assert!(body(jc.get(&format!("/cases/{CASE_TAKAHASHI}")).await)
        .await
        .contains(secret));
}

#[sqlx::test]
async fn pages_walk_every_entry_once_even_with_equal_timestamps(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let author = user_id(&app.pool, "psw@sakura.example").await;
    // 120 entries at exactly the same instant on 山田 太郎's case
    sqlx::query(
        "INSERT INTO entry (id, case_id, author_user_id, author_agency_id, kind, category,
                            occurred_at, body, body_html, shared_with)
         SELECT gen_random_uuid(), $1, $2, $3, 'note', 'training', '2026-06-01 10:00:00+09',
                'same ' || g, '<p>same ' || g || '</p>', '{}'
         FROM generate_series(1, 120) g",
    )
    .bind(CASE_YAMADA)
    .bind(author)
    .bind(SAKURA)
    .execute(&app.pool)
    .await
    .unwrap();
    app.login("ot@sakura.example").await;
    let mut seen = std::collections::BTreeSet::new();
    let mut url = format!("/cases/{CASE_YAMADA}/timeline?from=2026-06-01&to=2026-06-01");
    let mut pages = 0;
    loop {
        let page = body(app.get(&url).await).await;
        pages += 1;
        for piece in page.split("<p>same ").skip(1) {
            let n: u32 = piece[..piece.find('<').unwrap()].parse().unwrap();
            assert!(seen.insert(n), "entry {n} shown twice");
        }
        match page
            .split("rel=\"next\"")
            .next()
            .and_then(|p| p.rsplit("href=\"").next())
        {
            Some(href) if page.contains("rel=\"next\"") => {
                // as a browser reads the attribute
                url = href
                    .split('"')
                    .next()
                    .unwrap()
                    .replace("&amp;", "&")
                    .replace("&#38;", "&");
            }
            _ => break,
        }
    }
    assert_eq!(seen.len(), 120);
    assert_eq!(pages, 3, "50 + 50 + 20");
}

#[sqlx::test]
async fn filters_by_kind_agency_dates_and_text(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("sabikan@hikari.example").await;
    let base = format!("/cases/{CASE_SUZUKI}/timeline");
    let by_kind = body(app.get(&format!("{base}?kind=observation")).await).await;
    assert!(by_kind.contains("指示が2つ以上重なると"));
    assert!(!by_kind.contains("PC入力訓練"));
    let by_agency = body(app.get(&format!("{base}?agency={MINATO}")).await).await;
    assert!(by_agency.contains("通勤経路を確認"));
    assert!(!by_agency.contains("PC入力訓練"));
    let text = body(
        app.get(&format!("{base}?q=%E9%80%9A%E5%8B%A4%E7%B5%8C%E8%B7%AF"))
            .await,
    )
    .await; // 通勤経路
    assert!(text.contains("通勤経路を確認") && !text.contains("PC入力訓練"));
    let today = renkei::domain::dates::today_tokyo();
    let from = (today - chrono::Duration::days(50)).to_string();
    let to = (today - chrono::Duration::days(40)).to_string();
    let range = body(app.get(&format!("{base}?from={from}&to={to}")).await).await;
    assert!(range.contains("通勤経路を確認"), "45 days ago is inside");
    assert!(!range.contains("実習先の候補"), "14 days ago is outside");
    // a LIKE wildcard typed by a user is a plain character
    let wild = body(app.get(&format!("{base}?q=%25")).await).await;
    assert!(wild.contains("該当") || !wild.contains("PC入力訓練"));
}

#[sqlx::test]
async fn bad_entries_are_refused_with_messages_and_nothing_written(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("staff@hikari.example").await;
    let before = entries_of(&app.pool, CASE_SUZUKI).await;
    let url = format!("/cases/{CASE_SUZUKI}/entries");
    let long = "あ".repeat(20_001);
    let future = (chrono::Utc::now() + chrono::Duration::days(2))
        .with_timezone(&chrono_tz::Asia::Tokyo)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let haruka = HARUKA.to_string();
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![
                ("kind", "progress"),
                ("category", "training"),
                ("body", "  "),
            ],
            "入力してください",
        ),
        (
            vec![
                ("kind", "progress"),
                ("category", "training"),
                ("body", &long),
            ],
            "20000文字以内",
        ),
        (
            vec![("kind", "daily"), ("category", "training"), ("body", "x")],
            "記録の種類を選んでください",
        ),
        (
            vec![("kind", "progress"), ("category", "secret"), ("body", "x")],
            "選択してください",
        ),
        (
            vec![
                ("kind", "progress"),
                ("category", "training"),
                ("body", "x"),
                ("share", &haruka),
            ],
            "チームに入っていない機関とは共有できません",
        ),
        (
            vec![
                ("kind", "progress"),
                ("category", "training"),
                ("body", "x"),
                ("occurred_at", &future),
            ],
            "未来の日付は入力できません",
        ),
        (
            vec![
                ("kind", "contact"),
                ("category", "work"),
                ("body", "x"),
                ("channel", "fax"),
            ],
            "選択してください",
        ),
    ];
    for (form, message) in cases {
        let res = app.post(&url, &form).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        let page = body(res).await;
        assert!(page.contains(message), "{message}");
    }
    // the typed text comes back
    let res = app
        .post(
            &url,
            &[
                ("kind", "observation"),
                ("category", "training"),
                ("body", ""),
                ("situation", "朝の朝礼で"),
            ],
        )
        .await;
    assert!(body(res).await.contains("朝の朝礼で"));
    assert_eq!(
        entries_of(&app.pool, CASE_SUZUKI).await,
        before,
        "nothing written"
    );
    // a reply to an entry the agency cannot see: it does not exist for it
    let boss = app.browser();
    boss.login("boss@midori.example").await;
    let health: Uuid = sqlx::query_scalar(
        "SELECT id FROM entry WHERE case_id = $1 AND category = 'health' LIMIT 1",
    )
    .bind(CASE_TAKAHASHI)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let res = boss
        .post(
            &format!("/cases/{CASE_TAKAHASHI}/entries/{health}/replies"),
            &[("answer", "not_seen")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn markdown_and_fields_cannot_carry_script(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("staff@hikari.example").await;
    let res = app
        .post(
            &format!("/cases/{CASE_SUZUKI}/entries"),
            &[
                ("kind", "observation"),
                ("category", "training"),
                ("body", "<script>alert('x')</script>\n[link](javascript:alert(1))\n<img src=x onerror=alert(2)>"),
                ("situation", "<b onclick=alert(3)>bold</b>"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = body(app.get(&format!("/cases/{CASE_SUZUKI}")).await).await;
    assert!(!page.contains("<script>alert"));
    assert!(!page.contains("href=\"javascript:"));
    assert!(!page.contains("<img src=\"x\""));
    assert!(!page.contains("<b onclick"));
    assert!(
        page.contains("&#60;b onclick=alert(3)&#62;bold"),
        "shown as text"
    );
}

#[sqlx::test]
async fn edits_keep_the_previous_versions(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("staff@hikari.example").await;
    let shares = team_ids(&app.pool, CASE_SUZUKI).await;
    let mut form = vec![
        ("kind", "progress"),
        ("category", "training"),
        ("body", "最初の文章"),
    ];
    form.extend(shares.iter().map(|s| ("share", s.as_str())));
    let res = app
        .post(&format!("/cases/{CASE_SUZUKI}/entries"), &form)
        .await;
    let entry: Uuid = location(&res)
        .split("#entry-")
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let edit = format!("/cases/{CASE_SUZUKI}/entries/{entry}/edit");

    let form = body(app.get(&edit).await).await;
    assert!(form.contains("最初の文章"));
    let res = app.post(&edit, &[("body", "")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app.post(&edit, &[("body", "直した文章")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // another agency on the team sees the entry and its history, and cannot edit it
    let ot = app.browser();
    ot.login("ot@sakura.example").await;
    let page = body(
        ot.get(&format!("/cases/{CASE_SUZUKI}/entries/{entry}"))
            .await,
    )
    .await;
    assert!(page.contains("直した文章"), "{page}");
    assert!(
        page.contains("最初の文章"),
        "the first version is in the history"
    );
    assert!(page.contains("第1版"));
    assert_eq!(ot.get(&edit).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        ot.post(&edit, &[("body", "乗っ取り")]).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[sqlx::test]
async fn the_inbox_counts_unread_and_can_be_cleared(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("ot@sakura.example").await;
    let home = body(app.get("/").await).await;
    assert!(
        home.contains("id=\"unread-count\""),
        "demo entries are unread at first"
    );
    // opening 山田 太郎's case marks what was shown as read
    let inbox = body(app.get("/inbox").await).await;
    assert!(inbox.contains("山田 太郎"));
    let _ = app.get(&format!("/cases/{CASE_YAMADA}")).await;
    let inbox = body(app.get("/inbox").await).await;
    assert!(!inbox.contains("山田 太郎"), "read once opened");
    let res = app.post("/inbox/read-all", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let home = body(app.get("/").await).await;
    assert!(!home.contains("id=\"unread-count\""));
    assert!(body(app.get("/inbox").await)
        .await
        .contains("未読の記録はありません"));
}

/// Counts the statements sqlx runs on this thread while installed (the test's runtime runs
/// the server on the same thread).
#[derive(Clone, Default)]
struct QueryCounter(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for QueryCounter {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

async fn queries_for(app: &TestApp, path: &str) -> usize {
    use tracing_subscriber::layer::SubscriberExt;
    let counter = QueryCounter::default();
    let subscriber = tracing_subscriber::registry().with(counter.clone()).with(
        tracing_subscriber::filter::Targets::new()
            .with_target("sqlx::query", tracing::Level::DEBUG),
    );
    let _guard = tracing::subscriber::set_default(subscriber);
    let res = app.get(path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    let _ = body(res).await;
    counter.0.load(Ordering::SeqCst)
}

/// The case page: the session (with the door's facts), the page read (header, team and the
/// timeline's first page), consents, the phase dates (for the coming dates and the hand-over),
/// the daily reports under the health rule, the plans and their notices, and the reader's
/// traces.
const CASE_PAGE_STATEMENTS: usize = 8;

#[sqlx::test]
async fn a_case_page_costs_the_same_queries_with_5_or_5000_entries(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let author = user_id(&app.pool, "staff@hikari.example").await;
    // 佐藤 花子: a handful; 鈴木 一郎: 5,000 more, with replies among them
    sqlx::query("DELETE FROM entry_read")
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO entry (id, case_id, author_user_id, author_agency_id, kind, category,
                            occurred_at, body, body_html, shared_with)
         SELECT gen_random_uuid(), $1, $2, $3,
                (ARRAY['progress','observation','contact','note'])[1 + g % 4],
                (ARRAY['training','work','life','health'])[1 + g % 4],
                now() - make_interval(mins => g), 'bulk ' || g, '<p>bulk ' || g || '</p>',
                ARRAY(SELECT agency_id FROM case_agency WHERE case_id = $1)
         FROM generate_series(1, 5000) g",
    )
    .bind(CASE_SUZUKI)
    .bind(author)
    .bind(HIKARI)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("ANALYZE entry")
        .execute(&app.pool)
        .await
        .unwrap();
    let small = entries_of(&app.pool, CASE_SATO).await;
    let large = entries_of(&app.pool, CASE_SUZUKI).await;
    assert!(small < 30 && large > 5000, "{small} vs {large}");
    app.login("sabikan@hikari.example").await;
    // warm up (first-use statements), then count
    let _ = queries_for(&app, &format!("/cases/{CASE_SATO}")).await;
    let _ = queries_for(&app, &format!("/cases/{CASE_SUZUKI}")).await;
    let few = queries_for(&app, &format!("/cases/{CASE_SATO}")).await;
    let many = queries_for(&app, &format!("/cases/{CASE_SUZUKI}")).await;
    println!("case page queries: {few} with {small} entries, {many} with {large} entries");
    assert!(few > 5, "the counter sees the queries ({few})");
    assert_eq!(few, many);
    // seen once before, like the case pages above (a page's first view also marks it read)
    let older_small = format!("/cases/{CASE_SATO}/timeline");
    let older_large = format!("/cases/{CASE_SUZUKI}/timeline?kind=progress");
    let _ = queries_for(&app, &older_small).await;
    let _ = queries_for(&app, &older_large).await;
    let older_few = queries_for(&app, &older_small).await;
    let older_many = queries_for(&app, &older_large).await;
    assert_eq!(older_few, older_many);
    // a timeline page is three statements: the session (with the unread count and the case
    // door's facts), the page (header, team, entries with their replies, authors and read
    // marks) and the reader's traces (the audit row with the read marks)
    assert_eq!(older_few, 3, "timeline page statements");
    // a first view too: its read marks go with the audit row
    sqlx::query("DELETE FROM entry_read")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(queries_for(&app, &older_large).await, 3, "first view");
    let unmarked: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM entry_read r JOIN app_user u ON u.id = r.user_id
         WHERE u.email = 'sabikan@hikari.example'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(unmarked > 0, "the first view marked what it showed");
    println!("case page statements: {few}");
    assert_eq!(few, CASE_PAGE_STATEMENTS, "case page statements");
    // the dashboard: the session, every panel in one statement, the audit row
    let dashboard = queries_for(&app, "/").await;
    assert_eq!(dashboard, 3, "dashboard statements");
    let inbox = queries_for(&app, "/inbox").await;
    assert!(inbox <= 5, "inbox queries: {inbox}");
}

#[sqlx::test]
async fn the_timeline_page_query_uses_its_index(pool: PgPool) {
    renkei::demo::load(&pool).await.unwrap();
    let author = user_id(&pool, "staff@hikari.example").await;
    sqlx::query(
        "INSERT INTO entry (id, case_id, author_user_id, author_agency_id, kind, category,
                            occurred_at, body, body_html, shared_with)
         SELECT gen_random_uuid(), c.id, $1, $2, 'progress', 'training',
                now() - make_interval(mins => g), 'b', '<p>b</p>', '{}'
         FROM generate_series(1, 5000) g CROSS JOIN case_file c",
    )
    .bind(author)
    .bind(HIKARI)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("ANALYZE").execute(&pool).await.unwrap();
    let plan: Vec<String> = sqlx::query_scalar(&format!(
        "EXPLAIN {}",
        renkei::db::entries::page_sql(&Default::default(), false)
    ))
    .bind(HIKARI)
    .bind(author)
    .bind(CASE_SUZUKI)
    .bind(51_i64)
    .fetch_all(&pool)
    .await
    .unwrap();
    let plan = plan.join("\n");
    println!("{plan}");
    assert!(
        plan.contains("Index Scan") && plan.contains("entry_case_time_idx"),
        "{plan}"
    );
    // the limit takes the entries in the index's order: no sort between the page's LIMIT and
    // the index (the only sort is over the page's own rows, after the limit)
    let (above_index, _) = plan.split_once("entry_case_time_idx").unwrap();
    let to_index = &above_index[above_index.rfind("Limit").expect("a LIMIT above the index")..];
    assert!(
        !to_index.contains("Sort"),
        "no sort: the index gives the order\n{plan}"
    );
}
