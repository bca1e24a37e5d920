//! Exports for Excel (issue 17 §2): each export, as each demo reader, holds what the page shows
//! that reader and nothing the page hides; the bytes are what Excel needs (BOM, CRLF, dates
//! 2026/04/01, phone numbers as text); the .xlsx opens (read back with calamine); every
//! download is audited, and a case the reader may not open is 404 as on the pages.

use crate::helpers::*;
use calamine::{Data, Reader, Xlsx};
use renkei::demo::*;
use reqwest::StatusCode;
use sqlx::PgPool;
use std::collections::BTreeSet;
use std::io::Cursor;
use std::time::Instant;
use uuid::Uuid;

/// Every demo staff reader (and the system admin, who has no agency).
const READERS: &[&str] = &[
    "sabikan@hikari.example",
    "staff@hikari.example",
    "psw@sakura.example",
    "jimu@sakura.example",
    "shugyo@minato.example",
    "jc@shokucen.example",
    "teichaku@aoba.example",
    "soudan@komorebi.example",
    "boss@midori.example",
    "staff@haruka.example",
    "admin@renkei.example",
];

const CASES: &[Uuid] = &[
    CASE_YAMADA,
    CASE_SATO,
    CASE_SUZUKI,
    CASE_TAKAHASHI,
    CASE_TANAKA,
    CASE_ITO,
];

/// A download: status, content type, disposition and the bytes.
struct Download {
    status: StatusCode,
    content_type: String,
    disposition: String,
    bytes: Vec<u8>,
}

async fn download(app: &TestApp, path: &str) -> Download {
    let res = app.get(path).await;
    let header = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let (content_type, disposition) = (header("content-type"), header("content-disposition"));
    let status = res.status();
    let bytes = res.bytes().await.unwrap().to_vec();
    Download {
        status,
        content_type,
        disposition,
        bytes,
    }
}

/// The CSV checked for Excel's needs and parsed: the heading and the rows.
fn parse_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "a BOM first");
    let text = std::str::from_utf8(&bytes[3..]).expect("UTF-8");
    assert!(
        text.is_empty() || text.ends_with("\r\n"),
        "the last line ends in CRLF"
    );
    // every line break outside a quoted field is CRLF
    let mut quoted = false;
    let mut prev = '\0';
    for c in text.chars() {
        if c == '"' {
            quoted = !quoted;
        }
        if c == '\n' && !quoted {
            assert_eq!(prev, '\r', "a bare LF ends a line");
        }
        prev = c;
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let head = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (head, rows)
}

/// The .xlsx read back: its only sheet's cells, the heading first.
fn parse_xlsx(bytes: &[u8]) -> Vec<Vec<Data>> {
    assert!(bytes.starts_with(b"PK"), "a zip file");
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("the workbook opens");
    let names = book.sheet_names();
    assert_eq!(names.len(), 1, "{names:?}");
    let range = book.worksheet_range(&names[0]).expect("the sheet reads");
    range.rows().map(|r| r.to_vec()).collect()
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The ids of the entries (and replies) on a timeline page and every older page after it.
async fn page_entry_ids(app: &TestApp, case: Uuid) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut url = format!("/cases/{case}/timeline");
    loop {
        let page = body(app.get(&url).await).await;
        for part in page.split("id=\"entry-").skip(1) {
            ids.insert(part[..36].to_string());
        }
        match page.split("rel=\"next\"").next().and_then(|before| {
            before
                .rsplit_once(&format!("href=\"/cases/{case}/timeline?"))
                .map(|(_, q)| {
                    let q = q.split('"').next().unwrap();
                    q.replace("&#38;", "&").replace("&amp;", "&")
                })
        }) {
            Some(q) if page.contains("rel=\"next\"") => url = format!("/cases/{case}/timeline?{q}"),
            _ => break,
        }
    }
    ids
}

/// Writes an entry through the form as the signed-in user; its id.
async fn write_entry(app: &TestApp, case: Uuid, form: &[(&str, &str)]) -> Uuid {
    let res = app.post(&format!("/cases/{case}/entries"), form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    location(&res)
        .split("#entry-")
        .nth(1)
        .unwrap()
        .parse()
        .unwrap()
}

async fn team_of(pool: &PgPool, case: Uuid) -> Vec<String> {
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

async fn audit_rows(pool: &PgPool, action: &str, outcome: &str, case: Option<Uuid>) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM audit_log
         WHERE action = $1 AND outcome = $2 AND ($3::uuid IS NULL OR case_id = $3)",
    )
    .bind(action)
    .bind(outcome)
    .bind(case)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// The "done when": as staff@hikari.example, the case list as CSV opens in a CSV parser
/// with the expected columns, lists the cases the page lists, and keeps a phone number with a
/// leading zero as text where the contact rule shows it (the case page shows it too).
#[sqlx::test]
async fn staff_downloads_the_case_list_as_csv_with_the_expected_columns(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    sqlx::query(
        "UPDATE participant SET phone = '0312345678'
         WHERE id = (SELECT participant_id FROM case_file WHERE id = $1)",
    )
    .bind(CASE_SUZUKI)
    .execute(&app.pool)
    .await
    .unwrap();
    app.login("staff@hikari.example").await;
    let page = body(app.get("/cases").await).await;
    assert!(
        page.contains("href=\"/cases.csv\""),
        "the page links its export"
    );
    assert!(page.contains("href=\"/cases.xlsx\""));

    let d = download(&app, "/cases.csv").await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(d.content_type, "text/csv; charset=utf-8");
    let today = renkei::domain::dates::today_tokyo().format("%Y-%m-%d");
    assert!(
        d.disposition.starts_with(&format!(
            "attachment; filename=\"cases_{today}.csv\"; filename*=UTF-8''"
        )),
        "{}",
        d.disposition
    );
    let encoded = d.disposition.split("UTF-8''").nth(1).unwrap();
    assert_eq!(
        percent_encoding::percent_decode_str(encoded)
            .decode_utf8()
            .unwrap(),
        format!("ケース一覧_{today}.csv")
    );
    let text = String::from_utf8(d.bytes.clone()).unwrap();
    assert!(
        text.contains("\"=\"\"0312345678\"\"\""),
        "the phone as a text formula, leading zero kept: {text}"
    );
    let (head, rows) = parse_csv(&d.bytes);
    assert_eq!(
        head,
        [
            "氏名",
            "フリガナ",
            "段階",
            "主担当機関",
            "市区町村",
            "電話番号",
            "引継ぎ日"
        ],
    );
    // the names the page lists, in its order
    let listed: Vec<String> = page
        .split("<td data-label=\"氏名\"><a href=\"/cases/")
        .skip(1)
        .map(|p| p[38..].split("</a>").next().unwrap().to_string())
        .collect();
    let exported: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
    assert!(!listed.is_empty());
    assert_eq!(exported, listed);
    for row in &rows {
        assert_eq!(row.len(), head.len());
        // a date, when there is one, as 2026/04/01
        if !row[6].is_empty() {
            let d = &row[6];
            assert_eq!((d.len(), &d[4..5], &d[7..8]), (10, "/", "/"), "{d}");
        }
    }
    // the phone exactly where the case page shows it
    let ids: Vec<Uuid> = page
        .split("<td data-label=\"氏名\"><a href=\"/cases/")
        .skip(1)
        .map(|p| p[..36].parse().unwrap())
        .collect();
    for (id, row) in ids.iter().zip(&rows) {
        let case_page = body(app.get(&format!("/cases/{id}")).await).await;
        let phone = row[5].trim_start_matches("=\"").trim_end_matches('"');
        if phone.is_empty() {
            assert!(
                !case_page.contains("090-0000-0000") && !case_page.contains("0312345678"),
                "{} shows a phone the export leaves out",
                row[0]
            );
        } else {
            assert!(case_page.contains(phone), "{}: {phone}", row[0]);
        }
    }
    let suzuki = rows.iter().find(|r| r[0] == "鈴木 一郎").unwrap();
    assert_eq!(suzuki[5], "=\"0312345678\"");
    assert_eq!(audit_rows(&app.pool, "cases.export", "ok", None).await, 1);

    // the same as .xlsx: real dates, the phone a string
    let x = download(&app, "/cases.xlsx").await;
    assert_eq!(x.status, StatusCode::OK);
    assert_eq!(
        x.content_type,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(x
        .disposition
        .contains(&format!("filename=\"cases_{today}.xlsx\"")));
    let sheet = parse_xlsx(&x.bytes);
    let head: Vec<String> = sheet[0].iter().map(cell_text).collect();
    assert_eq!(head[0], "氏名");
    let names: Vec<String> = sheet[1..].iter().map(|r| cell_text(&r[0])).collect();
    assert_eq!(names, listed);
    let suzuki = sheet[1..]
        .iter()
        .find(|r| cell_text(&r[0]) == "鈴木 一郎")
        .unwrap();
    assert_eq!(suzuki[5], Data::String("0312345678".into()));
    assert_eq!(audit_rows(&app.pool, "cases.export", "ok", None).await, 2);
}

/// Each demo reader's timeline export of each case holds exactly the entries the timeline
/// pages show that reader — an entry hidden by consent (health, from the employer) and one
/// shared with no one never appear where the page does not show them — and a case the reader
/// may not open is 404, audited, as the page is.
#[sqlx::test]
async fn each_reader_exports_exactly_the_timeline_the_page_shows(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let hikari = app.browser();
    hikari.login("sabikan@hikari.example").await;
    let team = team_of(&app.pool, CASE_TAKAHASHI).await;
    let mut health = vec![
        ("kind", "progress"),
        ("category", "health"),
        ("body", "EXPORT-HEALTH 主治医と面談。薬の量を調整する予定。"),
    ];
    for a in &team {
        health.push(("share", a.as_str()));
    }
    let health = write_entry(&hikari, CASE_TAKAHASHI, &health).await;
    let private = write_entry(
        &hikari,
        CASE_TAKAHASHI,
        &[
            ("kind", "note"),
            ("category", "life"),
            ("body", "=EXPORT-PRIVATE 共有しないメモ"),
        ],
    )
    .await;

    let mut opened = 0;
    for email in READERS {
        let reader = app.browser();
        reader.login(email).await;
        for case in CASES {
            let page = reader.get(&format!("/cases/{case}/timeline")).await;
            let csv = download(&reader, &format!("/cases/{case}/timeline.csv")).await;
            let xlsx = download(&reader, &format!("/cases/{case}/timeline.xlsx")).await;
            if page.status() != StatusCode::OK {
                assert_eq!(page.status(), StatusCode::NOT_FOUND, "{email} {case}");
                assert_eq!(csv.status, StatusCode::NOT_FOUND, "{email} {case} csv");
                assert_eq!(xlsx.status, StatusCode::NOT_FOUND, "{email} {case} xlsx");
                continue;
            }
            opened += 1;
            assert_eq!(csv.status, StatusCode::OK, "{email} {case}");
            assert_eq!(xlsx.status, StatusCode::OK, "{email} {case}");
            let shown = page_entry_ids(&reader, *case).await;
            let (head, rows) = parse_csv(&csv.bytes);
            let id_col = head.iter().position(|h| h == "記録ID").unwrap();
            let from_csv: BTreeSet<String> = rows.iter().map(|r| r[id_col].clone()).collect();
            assert_eq!(rows.len(), from_csv.len(), "no entry twice");
            assert_eq!(from_csv, shown, "{email} on {case}: the CSV is the page");
            let sheet = parse_xlsx(&xlsx.bytes);
            let from_xlsx: BTreeSet<String> =
                sheet[1..].iter().map(|r| cell_text(&r[id_col])).collect();
            assert_eq!(from_xlsx, shown, "{email} on {case}: the .xlsx is the page");
            let all = String::from_utf8_lossy(&csv.bytes).into_owned();
            if *case == CASE_TAKAHASHI {
                let sees_health = *email != "boss@midori.example";
                let hikari_reader = email.ends_with("@hikari.example");
                assert_eq!(shown.contains(&health.to_string()), sees_health, "{email}");
                assert_eq!(all.contains("EXPORT-HEALTH"), sees_health, "{email}");
                assert_eq!(shown.contains(&private.to_string()), hikari_reader);
                assert_eq!(all.contains("EXPORT-PRIVATE"), hikari_reader, "{email}");
                if hikari_reader {
                    // a text that starts like a formula is not one in Excel
                    assert!(all.contains(",'=EXPORT-PRIVATE 共有しないメモ,"), "{all}");
                }
            }
        }
    }
    // every download audited: an ok row per export, a denied row per refusal, as the page's
    let ok = audit_rows(&app.pool, "case.timeline.export", "ok", None).await;
    let denied = audit_rows(&app.pool, "case.timeline.export", "denied", None).await;
    let refused_pages = audit_rows(&app.pool, "case.timeline.view", "denied", None).await;
    assert_eq!(ok, 2 * opened);
    assert!(refused_pages > 0);
    assert_eq!(denied, 2 * refused_pages);
}

/// A refused export is refused as the page is, and the refusal is audited with the export's
/// action: another agency's case (はるか is on none of the demo's teams).
#[sqlx::test]
async fn another_agencys_case_exports_nothing_and_the_refusal_is_audited(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("staff@haruka.example").await;
    for (path, action) in [
        ("timeline", "case.timeline.export"),
        ("meetings", "case.meetings.export"),
        ("checks", "case.checks.export"),
    ] {
        for ext in ["csv", "xlsx"] {
            let d = download(&app, &format!("/cases/{CASE_SUZUKI}/{path}.{ext}")).await;
            assert_eq!(d.status, StatusCode::NOT_FOUND, "{path}.{ext}");
            assert!(!d.content_type.starts_with("text/csv"));
            assert!(!String::from_utf8_lossy(&d.bytes).contains("鈴木"));
        }
        assert_eq!(
            audit_rows(&app.pool, action, "denied", Some(CASE_SUZUKI)).await,
            2,
            "{action}"
        );
        assert_eq!(audit_rows(&app.pool, action, "ok", None).await, 0);
    }
    // its own lists export empty, with their headings
    let (head, rows) = parse_csv(&download(&app, "/cases.csv").await.bytes);
    assert_eq!(head[0], "氏名");
    assert!(rows.is_empty());
}

/// The meetings, checklist history and tasks exports hold what their pages list, in the
/// reader's words; a meeting the agency is not invited to shows only its day, purpose and
/// status.
#[sqlx::test]
async fn meetings_checks_and_tasks_exports_list_what_their_pages_list(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("sabikan@hikari.example").await;

    // meetings: one row per meeting the page lists
    let page = body(app.get(&format!("/cases/{CASE_SUZUKI}/meetings")).await).await;
    assert!(page.contains(&format!("href=\"/cases/{CASE_SUZUKI}/meetings.csv\"")));
    let listed = page
        .split("<ul class=\"meetings\">")
        .nth(1)
        .map(|l| l.split("</ul>").next().unwrap().matches("<li>").count())
        .unwrap_or(0);
    let (head, rows) = parse_csv(
        &download(&app, &format!("/cases/{CASE_SUZUKI}/meetings.csv"))
            .await
            .bytes,
    );
    assert_eq!(head, ["日時", "目的", "状態", "招集"]);
    assert!(listed > 0);
    assert_eq!(rows.len(), listed);
    for r in &rows {
        assert!(page.contains(&r[1]) && page.contains(&r[2]), "{r:?}");
        assert_eq!(&r[0][4..5], "/", "{r:?}");
    }
    let sheet = parse_xlsx(
        &download(&app, &format!("/cases/{CASE_SUZUKI}/meetings.xlsx"))
            .await
            .bytes,
    );
    assert_eq!(sheet.len(), listed + 1);
    assert!(
        matches!(sheet[1][0], Data::DateTime(_)),
        "a real date: {:?}",
        sheet[1][0]
    );
    // みなと is on the team and not invited to a meeting ひかり convenes for the clinic only
    let minato = app.browser();
    minato.login("shugyo@minato.example").await;
    let minato_page = body(minato.get(&format!("/cases/{CASE_SUZUKI}/meetings")).await).await;
    let (_, minato_rows) = parse_csv(
        &download(&minato, &format!("/cases/{CASE_SUZUKI}/meetings.csv"))
            .await
            .bytes,
    );
    let not_invited = minato_page.matches("招待されていません").count();
    assert_eq!(
        minato_rows
            .iter()
            .filter(|r| r[3] == "招待されていません")
            .count(),
        not_invited
    );
    for r in minato_rows.iter().filter(|r| r[3] == "招待されていません") {
        assert_eq!(r[0].len(), 10, "only the day: {r:?}");
    }

    // checklist history: each assessment the page lists, one row per item
    let checks = body(app.get(&format!("/cases/{CASE_SUZUKI}/checks")).await).await;
    let (head, rows) = parse_csv(
        &download(&app, &format!("/cases/{CASE_SUZUKI}/checks.csv"))
            .await
            .bytes,
    );
    assert_eq!(head[0], "チェックリスト");
    let readiness_rows: Vec<_> = rows.iter().filter(|r| r[0].contains("準備")).collect();
    let dates: BTreeSet<(&str, &str)> = readiness_rows
        .iter()
        .map(|r| (r[1].as_str(), r[8].as_str()))
        .collect();
    let page_rows = checks.split("<td data-label=\"評価日\">").skip(1).count();
    assert_eq!(
        dates.len(),
        page_rows,
        "one assessment per row of the page's history"
    );
    assert_eq!(
        audit_rows(&app.pool, "case.checks.export", "ok", Some(CASE_SUZUKI)).await,
        1
    );

    // tasks: the page's tasks and action items
    let tasks = body(app.get("/tasks").await).await;
    assert!(tasks.contains("href=\"/tasks.csv\""));
    let shown = tasks.matches("<td data-label=\"期限\">").count();
    let (head, rows) = parse_csv(&download(&app, "/tasks.csv").await.bytes);
    assert_eq!(
        head,
        ["種別", "期限", "氏名", "担当", "内容", "方法", "状態"]
    );
    assert_eq!(rows.len(), shown);
    for r in &rows {
        assert!(tasks.contains(&r[4]), "{r:?}");
    }
    assert_eq!(audit_rows(&app.pool, "tasks.export", "ok", None).await, 1);
    let sheet = parse_xlsx(&download(&app, "/tasks.xlsx").await.bytes);
    assert_eq!(sheet.len(), shown + 1);
}

/// In English the headings, the kinds and the texts Renkei wrote itself are English, as the
/// page puts them; the file name too.
#[sqlx::test]
async fn an_english_reader_gets_english_headings_and_system_texts(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("sabikan@hikari.example").await;
    let res = app.post("/lang", &[("lang", "en"), ("back", "/")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let d = download(&app, &format!("/cases/{CASE_SUZUKI}/timeline.csv")).await;
    assert_eq!(d.status, StatusCode::OK);
    let encoded = d.disposition.split("UTF-8''").nth(1).unwrap();
    assert!(percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .unwrap()
        .starts_with("Timeline_鈴木一郎_"));
    let (head, rows) = parse_csv(&d.bytes);
    assert_eq!(head[0], "When");
    assert_eq!(head[5], "Text");
    assert!(
        rows.iter().all(|r| !r[1].contains("経過")),
        "kinds in English"
    );
    // the entries Renkei wrote, put into English words, on every case the reader opens
    let en = renkei::i18n::Tr::new(renkei::i18n::Lang::En);
    let mut checked = 0;
    for case in CASES {
        let d = download(&app, &format!("/cases/{case}/timeline.csv")).await;
        if d.status != StatusCode::OK {
            continue;
        }
        let (head, rows) = parse_csv(&d.bytes);
        let id_col = head.iter().position(|h| h == "Entry ID").unwrap();
        let said: Vec<(Uuid, serde_json::Value)> =
            sqlx::query_as("SELECT id, fields FROM entry WHERE case_id = $1 AND fields ? 'said'")
                .bind(case)
                .fetch_all(&app.pool)
                .await
                .unwrap();
        for (id, fields) in said {
            let Some(row) = rows.iter().find(|r| r[id_col] == id.to_string()) else {
                continue;
            };
            let f = renkei::domain::entry::EntryFields::from_json(&fields);
            let html = f.said.unwrap().to_html(en);
            let words = renkei::http::export::html_to_text(&html);
            assert_eq!(row[5].trim_start_matches('\''), words);
            checked += 1;
        }
    }
    assert!(checked > 0, "the demo has texts Renkei wrote");
}

/// A large timeline streams: the CSV comes in many chunks, read a batch at a time, and the
/// .xlsx holds every row; the numbers are printed for the report.
#[sqlx::test]
async fn a_large_timeline_streams_in_batches(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (user, team): (Uuid, Vec<Uuid>) = (
        sqlx::query_scalar("SELECT id FROM app_user WHERE email = 'sabikan@hikari.example'")
            .fetch_one(&app.pool)
            .await
            .unwrap(),
        vec![HIKARI],
    );
    const N: i64 = 5_000;
    sqlx::query(
        "INSERT INTO entry (id, case_id, author_user_id, author_agency_id, kind, category,
                            occurred_at, body, body_html, shared_with)
         SELECT gen_random_uuid(), $1, $2, $3, 'progress', 'training',
                now() - make_interval(mins => g), '作業の記録 ' || g, '<p>作業の記録 ' || g || '</p>', $4
         FROM generate_series(1, $5) g",
    )
    .bind(CASE_SUZUKI)
    .bind(user)
    .bind(HIKARI)
    .bind(&team)
    .bind(N as i32)
    .execute(&app.pool)
    .await
    .unwrap();
    app.login("staff@hikari.example").await;
    let visible = visible_ids(&app.pool, Uuid::nil(), HIKARI, CASE_SUZUKI)
        .await
        .len();
    let start = Instant::now();
    let mut res = app
        .client
        .get(app.url(&format!("/cases/{CASE_SUZUKI}/timeline.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let first = start.elapsed();
    let (mut chunks, mut bytes) = (0, vec![]);
    while let Some(c) = res.chunk().await.unwrap() {
        chunks += 1;
        bytes.extend_from_slice(&c);
    }
    let csv_time = start.elapsed();
    let (_, rows) = parse_csv(&bytes);
    let top_level = rows.iter().filter(|r| r[13].is_empty()).count();
    assert!(rows.len() >= N as usize);
    assert!(
        top_level <= visible && rows.len() <= visible,
        "{} {visible}",
        rows.len()
    );
    assert!(chunks > 10, "streamed in pieces: {chunks}");
    let start = Instant::now();
    let x = download(&app, &format!("/cases/{CASE_SUZUKI}/timeline.xlsx")).await;
    let xlsx_time = start.elapsed();
    let sheet = parse_xlsx(&x.bytes);
    assert_eq!(sheet.len() - 1, rows.len());
    println!(
        "timeline export of {} rows: CSV {} bytes in {chunks} chunks, first bytes after {:?}, \
         all after {:?}; XLSX {} bytes in {:?}",
        rows.len(),
        bytes.len(),
        first,
        csv_time,
        x.bytes.len(),
        xlsx_time
    );
}

/// The provision ledger goes through the same writer: its CSV and its .xlsx hold the same rows,
/// the .xlsx with real dates and the count as a number; the file name is in the reader's words.
#[sqlx::test]
async fn the_provision_ledger_exports_as_csv_and_xlsx_alike(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("sabikan@hikari.example").await;
    let page = body(app.get(&format!("/cases/{CASE_SUZUKI}/ledger")).await).await;
    assert!(page.contains(&format!("href=\"/cases/{CASE_SUZUKI}/ledger.xlsx\"")));
    let csv = download(&app, &format!("/cases/{CASE_SUZUKI}/ledger.csv")).await;
    let (head, rows) = parse_csv(&csv.bytes);
    assert!(!rows.is_empty());
    let x = download(&app, &format!("/cases/{CASE_SUZUKI}/ledger.xlsx")).await;
    assert_eq!(x.status, StatusCode::OK);
    let encoded = x.disposition.split("UTF-8''").nth(1).unwrap();
    assert!(percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .unwrap()
        .starts_with("第三者提供の記録_鈴木一郎_"));
    let sheet = parse_xlsx(&x.bytes);
    assert_eq!(sheet.len(), rows.len() + 1);
    let xhead: Vec<String> = sheet[0].iter().map(cell_text).collect();
    assert_eq!(xhead, head);
    for (c, x) in rows.iter().zip(&sheet[1..]) {
        assert!(matches!(x[0], Data::DateTime(_)), "{:?}", x[0]);
        assert_eq!(x[3], Data::Float(c[3].parse().unwrap()));
        assert_eq!(cell_text(&x[4]), c[4]);
    }
    assert_eq!(
        audit_rows(&app.pool, "case.ledger.export", "ok", Some(CASE_SUZUKI)).await,
        2
    );
    // the agency's side as .xlsx
    let x = download(&app, "/agency/ledger.xlsx?side=provided").await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(parse_xlsx(&x.bytes).len() > 1);
}
