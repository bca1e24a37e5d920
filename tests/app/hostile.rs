//! Hostile input: long text that must come back to its writer, ids that are not ids, NUL
//! characters, invalid UTF-8, repeated and missing fields, control and direction characters,
//! five-digit years — through every decoder and validator (property tests) and through every
//! route of the real app (randomized requests as signed-in users). No answer may be a 5xx, and
//! a refused form may change nothing.
//!
//! Each test prints how many inputs it tried ("hostile inputs tried: N, 5xx: 0"). The number of
//! generated cases is set by `HOSTILE_CASES` (a multiplier, default 1).

use crate::helpers::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use renkei::demo::{AOBA, CASE_SUZUKI, HIKARI, MEETING_SUZUKI, MINATO, PARTICIPANT_EMAIL, SAKURA};
use reqwest::StatusCode;
use sqlx::PgPool;
use std::collections::BTreeSet;

use uuid::Uuid;

/// `HOSTILE_CASES` × `n`.
fn scaled(n: usize) -> usize {
    let k: usize = std::env::var("HOSTILE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    n * k.max(1)
}

/// Pieces hostile text is made of.
const FRAGMENTS: &[&str] = &[
    "\0",
    "%00",
    "\u{202E}",
    "\u{202D}",
    "\u{200B}",
    "\u{FEFF}",
    "\r\n",
    "\r",
    "\t",
    "\u{1}",
    "\u{7F}",
    "\u{85}",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    "![x](/inbox/read-all)",
    "![x](https://evil.example/x.png)",
    "[a](javascript:alert(1))",
    "<a href=\"/x\" onclick=\"y()\">a</a>",
    "<iframe src=/>",
    "<style>*{}</style>",
    "&#0;",
    "&lt;",
    "20260-04-01",
    "+275760-09-13",
    "-4714-01-01",
    "2026-02-30",
    "2026-13-01",
    "9999-12-31T23:59",
    "2026-04-01T25:61",
    "99999999999999999999",
    "-1",
    "NaN",
    "1e309",
    "' OR 1=1 --",
    "\"",
    "'",
    "\\",
    "//evil.example",
    "/\t/evil.example",
    "%2F%2Fevil",
    "%",
    "&",
    "=",
    "+",
    "あ",
    "ｱｲｳ",
    "ヴ",
    "ゔ",
    "𠮷",
    "👩‍👩‍👧",
    "e\u{301}",
    "ａｂｃ＠ｅｘａｍｐｌｅ．ｃｏｍ",
    "a@b.c",
    "０９０－１２３４－５６７８",
    " ",
    "\u{3000}",
    "1",
    "0",
    "/",
    "-",
    "T",
    ":",
    ".",
    "@",
    "#",
    "*",
    "_",
    "`",
    "|",
    "\n\n",
    "# ",
    "> ",
    "- ",
    "1. ",
    "```",
];

/// Text made of hostile pieces, or any string at all.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..12)
            .prop_map(|v| v.concat()),
        "[0-9０-９+\\-/T: ]{0,24}",
    ]
}

fn config(cases: usize) -> Config {
    Config {
        cases: cases as u32,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Runs one property over `cases` generated inputs; returns how many were tried.
fn check<S: Strategy>(
    name: &str,
    cases: usize,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) -> usize
where
    S::Value: std::fmt::Debug,
{
    let mut runner = TestRunner::new(config(cases));
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{name}: {e}");
    }
    cases
}

/// The tags of an HTML fragment with their attribute names (quoted values left out).
fn attribute_names(html: &str) -> Vec<String> {
    let mut names = vec![];
    for tag in html.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or_default();
        // drop quoted values
        let mut plain = String::new();
        let mut quote = None;
        for c in tag.chars() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c == '"' || c == '\'' => quote = Some(c),
                None => plain.push(c),
            }
        }
        for part in plain.split_whitespace().skip(1) {
            names.push(part.split('=').next().unwrap_or_default().to_lowercase());
        }
    }
    names
}

/// Every decoder and validator of what users type: no panic, and what they accept keeps
/// its promise.
#[test]
fn decoders_and_validators_survive_hostile_text() {
    use renkei::domain::{dates, kana, markdown, password, text};
    let n = scaled(2000);
    let mut tried = 0;
    tried += check("dates", n, hostile_text(), |s| {
        if let Some(d) = dates::parse_date(&s) {
            prop_assert!(dates::in_range(d), "{s:?} → {d}");
            let _ = (dates::slash(d), dates::long_ja(d), dates::wareki(d));
            let _ = dates::tokyo_noon(d);
        }
        Ok(())
    });
    tried += check(
        "date arithmetic",
        n,
        (any::<i32>(), 1u32..=12, 1u32..=31, any::<i32>()),
        |(y, m, d, months)| {
            if let Some(date) = chrono::NaiveDate::from_ymd_opt(y, m, d) {
                let _ = dates::add_months_clamped(date, months);
                let _ = dates::period_end(date, months);
                let _ = renkei::domain::legal::transition(date);
            }
            let _ = dates::last_day_of_month(y, m);
            Ok(())
        },
    );
    tried += check("datetime-local", n, hostile_text(), |s| {
        if let Some(t) = dates::parse_local_datetime(&s) {
            let day = t.with_timezone(&chrono_tz::Asia::Tokyo).date_naive();
            prop_assert!(dates::in_range(day), "{s:?} → {t}");
            let _ = dates::tokyo_minutes(t);
        }
        Ok(())
    });
    tried += check("names and emails", n, hostile_text(), |s| {
        let key = text::nfkc(&s);
        prop_assert_eq!(text::nfkc(&key), key.clone(), "NFKC is stable");
        prop_assert!(!key.starts_with(char::is_whitespace) && !key.ends_with(char::is_whitespace));
        let email = text::email_key(&s);
        if text::looks_like_email(&email) {
            prop_assert!(email.contains('@') && !email.chars().any(char::is_whitespace));
        }
        let _ = (
            text::has_markup(&s),
            text::split_list(&s),
            text::char_len(&s),
        );
        let escaped = text::query_escape(&s);
        prop_assert!(escaped.bytes().all(|b| b.is_ascii_graphic()));
        let _ = text::markdown_escape(&s);
        let _ = password::check_new(&s, "a@b.example", "名前");
        Ok(())
    });
    tried += check(
        "kana",
        n,
        prop_oneof![hostile_text(), "[ぁ-ゖー・ 　]{1,12}"],
        |s| {
            let k = kana::to_katakana(&s);
            if !s.is_empty() && s.chars().all(|c| ('ぁ'..='ゖ').contains(&c) || c == 'ー') {
                prop_assert!(kana::is_katakana(&k), "{s:?} → {k:?}");
            }
            Ok(())
        },
    );
    tried += check("markdown", n, hostile_text(), |s| {
        let html = markdown::to_safe_html(&s);
        let lower = html.to_lowercase();
        for bad in [
            "<img",
            "<script",
            "<iframe",
            "<style",
            "<svg",
            "=\"javascript:",
            "='javascript:",
        ] {
            prop_assert!(!lower.contains(bad), "{s:?} → {html}");
        }
        for name in attribute_names(&lower) {
            prop_assert!(!name.starts_with("on"), "{s:?} → {html}");
        }
        prop_assert!(!html.contains('\0'));
        Ok(())
    });
    tried += check("back links", n, hostile_text(), |s| {
        let back = renkei::http::extract::safe_back(&s);
        prop_assert!(back.starts_with('/') && !back.starts_with("//"), "{s:?}");
        prop_assert!(!back
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\'));
        Ok(())
    });
    tried += check("calendar text", n, hostile_text(), |s| {
        let line =
            renkei::domain::ics::fold(&format!("DESCRIPTION:{}", renkei::domain::ics::escape(&s)));
        for l in line.split("\r\n") {
            prop_assert!(l.len() <= 75, "{l:?}");
        }
        Ok(())
    });
    let portrait = renkei::domain::photo::placeholder_portrait(3);
    let magic: &[&[u8]] = &[
        b"\xFF\xD8\xFF\xE0",
        b"\x89PNG\r\n\x1a\n",
        b"RIFF\0\0\0\0WEBPVP8 ",
        b"GIF89a",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\">",
        b"%PDF-1.4",
    ];
    tried += check(
        "photos",
        scaled(60),
        (
            0.0f64..=1.0,
            proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
            proptest::option::of(0..magic.len()),
            proptest::collection::vec(any::<u8>(), 0..64),
        ),
        |(keep, flips, prefix, tail)| {
            // a real picture truncated, bit-flipped, behind another format's magic, or noise
            let mut bytes = portrait[..(portrait.len() as f64 * keep) as usize].to_vec();
            if !bytes.is_empty() {
                for (i, b) in &flips {
                    let at = i.index(bytes.len());
                    bytes[at] ^= b;
                }
            }
            if let Some(m) = prefix {
                bytes = [magic[m], &bytes].concat();
            }
            bytes.extend(&tail);
            if let Ok(photo) = renkei::domain::photo::process(&bytes) {
                prop_assert!(
                    ["image/jpeg", "image/png", "image/webp"].contains(&photo.content_type)
                );
                let img = image::load_from_memory(&photo.bytes).expect("what is kept decodes");
                prop_assert!(img.width() <= 480 && img.height() <= 480);
            }
            Ok(())
        },
    );
    println!("hostile inputs tried (decoders and validators): {tried}, panics: 0");
}

fn params(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| s.starts_with('{'))
        .map(str::to_string)
        .collect()
}

/// The parts of a path that are not ids.
const NOT_IDS: &[&str] = &[
    "abc",
    "%00",
    "%FF%FE",
    "%E3%81%82",
    "...",
    "-1",
    "00000000-0000-0000-0000-00000000000g",
    "%0D%0ALocation:%20//evil",
    "new%00",
    "%%0000",
];

async fn signed_in(app: &TestApp, email: &str) -> TestApp {
    let b = app.browser();
    b.login(email).await;
    b
}

/// Every route with something that is not an id in each of its path parameters, by GET and
/// POST: an answer in the 4xx, as a page, never a 5xx.
#[sqlx::test]
async fn ids_that_are_not_ids_get_a_page_on_every_route(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let member = signed_in(&app, "sabikan@hikari.example").await;
    let long = "a".repeat(4000);
    let mut bad: Vec<&str> = NOT_IDS.to_vec();
    bad.push(&long);
    let mut tried = 0;
    let mut failures = vec![];
    let routes = registered_routes();
    assert!(
        routes.len() > 60,
        "routes read from the source: {}",
        routes.len()
    );
    for (path, _, _) in &routes {
        for param in params(path) {
            for b in &bad {
                let mut url = path.replace(&param, b);
                for other in params(path) {
                    url = url.replace(&other, &Uuid::now_v7().to_string());
                }
                for post in [false, true] {
                    let req = if post {
                        member
                            .client
                            .post(member.url(&url))
                            .header("content-type", "application/x-www-form-urlencoded")
                            .body("a=1")
                    } else {
                        member.client.get(member.url(&url))
                    };
                    let res = req.send().await.unwrap();
                    tried += 1;
                    let status = res.status();
                    // a page, or for the JSON API a problem (RFC 9457)
                    let kind = if url.starts_with("/api/") {
                        "application/problem+json"
                    } else {
                        "text/html"
                    };
                    let is_page = res
                        .headers()
                        .get("content-type")
                        .is_some_and(|v| v.to_str().unwrap().starts_with(kind));
                    let ok = status.is_client_error() && is_page;
                    if !ok {
                        failures.push(format!(
                            "{} {url} → {status}",
                            if post { "POST" } else { "GET" }
                        ));
                    }
                }
            }
        }
    }
    println!(
        "hostile inputs tried (path ids): {tried}, 5xx: {}",
        failures.iter().filter(|f| f.contains("→ 5")).count()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The ids a signed-in member may use in the paths.
struct Ids {
    meeting: Uuid,
    referral: Uuid,
    action: Uuid,
    task: Uuid,
    consent: Uuid,
    entry: Uuid,
    victim: Uuid,
    member: Uuid,
}

async fn id_or(pool: &PgPool, sql: &str, fallback: Uuid) -> Uuid {
    sqlx::query_scalar(sql)
        .bind(CASE_SUZUKI)
        .fetch_optional(pool)
        .await
        .unwrap()
        .unwrap_or(fallback)
}

async fn ids(pool: &PgPool) -> Ids {
    let nobody = Uuid::now_v7();
    let user = |email: &'static str| async move {
        sqlx::query_scalar::<_, Uuid>("SELECT id FROM app_user WHERE email = $1")
            .bind(email)
            .fetch_one(pool)
            .await
            .unwrap()
    };
    Ids {
        meeting: id_or(
            pool,
            "SELECT id FROM meeting WHERE case_id = $1 AND status = 'planned' ORDER BY starts_at LIMIT 1",
            MEETING_SUZUKI,
        )
        .await,
        referral: id_or(pool, "SELECT id FROM referral WHERE case_id = $1 LIMIT 1", nobody).await,
        action: id_or(pool, "SELECT id FROM action_item WHERE case_id = $1 LIMIT 1", nobody).await,
        task: id_or(pool, "SELECT id FROM task WHERE case_id = $1 LIMIT 1", nobody).await,
        consent: id_or(pool, "SELECT id FROM consent WHERE case_id = $1 LIMIT 1", nobody).await,
        entry: id_or(
            pool,
            "SELECT id FROM entry WHERE case_id = $1 ORDER BY occurred_at DESC LIMIT 1",
            nobody,
        )
        .await,
        victim: user("ot@sakura.example").await,
        member: user("st@sakura.example").await,
    }
}

/// A route's path with real ids, and who asks.
fn fill(path: &str, ids: &Ids) -> (String, &'static str) {
    let who = if path.starts_with("/admin") || path.starts_with("/agencies/") {
        "admin@renkei.example"
    } else if path.starts_with("/agency/") {
        "jimu@sakura.example"
    } else if path.starts_with("/me/") {
        PARTICIPANT_EMAIL
    } else {
        "sabikan@hikari.example"
    };
    let id = if path.starts_with("/cases/") {
        CASE_SUZUKI
    } else if path.starts_with("/meetings/") {
        ids.meeting
    } else if path.starts_with("/referrals/") {
        ids.referral
    } else if path.starts_with("/action-items/") {
        ids.action
    } else if path.starts_with("/tasks/") {
        ids.task
    } else if path.starts_with("/agencies/") {
        HIKARI
    } else {
        ids.victim
    };
    let url = path
        .replace("{id}", &id.to_string())
        .replace("{agency_id}", &MINATO.to_string())
        .replace("{consent_id}", &ids.consent.to_string())
        .replace("{entry_id}", &ids.entry.to_string())
        .replace("{user_id}", &ids.member.to_string())
        .replace("{item}", "new")
        .replace("{token}", "x")
        .replace("{file}", "app.css");
    (url, who)
}

/// The field names the forms read, from the source: `get("…")` and `all("…")` on the pairs,
/// and the fields of the typed forms.
fn field_names() -> Vec<String> {
    let mut names = BTreeSet::new();
    for file in http_source_files() {
        let src = std::fs::read_to_string(file).unwrap();
        for marker in [".get(\"", ".all(\""] {
            for piece in src.split(marker).skip(1) {
                let name = &piece[..piece.find('"').unwrap_or(0)];
                if !name.is_empty() && name.len() < 40 && !name.contains(' ') {
                    names.insert(name.to_string());
                }
            }
        }
        for line in src.lines() {
            let t = line.trim().trim_start_matches("pub ");
            if let Some((name, ty)) = t.split_once(": ") {
                let typed = ["String,", "Option<String>,", "bool,", "Vec<String>,"];
                if typed.contains(&ty) && name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                    names.insert(name.to_string());
                }
            }
        }
    }
    names.into_iter().collect()
}

fn enc(s: &str) -> String {
    renkei::domain::text::query_escape(s)
}

/// One value for a field: plausible (so that some forms pass and the checks further in are
/// reached) or hostile.
fn value(rng: &mut StdRng, plausible: &[String]) -> Vec<u8> {
    match rng.random_range(0..20) {
        0..=7 => enc(&plausible[rng.random_range(0..plausible.len())]).into_bytes(),
        8..=14 => {
            let n = rng.random_range(1..5);
            let s: String = (0..n)
                .map(|_| FRAGMENTS[rng.random_range(0..FRAGMENTS.len())])
                .collect();
            enc(&s).into_bytes()
        }
        15 => b"%FF%FE%C3%28%E3%81".to_vec(),
        16 => vec![0xFF, b'a', 0xC0, 0x80, b'%', b'Z'],
        17 if rng.random_bool(0.2) => enc(&"長".repeat(25_000)).into_bytes(),
        17 => enc(&"長".repeat(rng.random_range(100..3000))).into_bytes(),
        18 => enc(&format!("{}-04-01", rng.random_range(10_000..999_999))).into_bytes(),
        _ => enc(&format!(
            "2026-04-01T{:02}:{:02}",
            rng.random_range(0..30),
            rng.random_range(0..70)
        ))
        .into_bytes(),
    }
}

/// Percent-decoded bytes, invalid UTF-8 and NUL kept as they are.
fn decoded(b: &[u8]) -> Vec<u8> {
    let mut out = vec![];
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push(h * 16 + l);
                i += 3;
            }
            (b'+', ..) => {
                out.push(b' ');
                i += 1;
            }
            (c, ..) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// A body of random fields: a subset of the names, some repeated, some values hostile.
fn hostile_body(rng: &mut StdRng, names: &[String], plausible: &[String]) -> Vec<u8> {
    let mut body = vec![];
    let p = rng.random_range(0.05..0.9);
    for name in names {
        if !rng.random_bool(p) {
            continue;
        }
        let times = if rng.random_bool(0.1) {
            rng.random_range(2..4)
        } else {
            1
        };
        for _ in 0..times {
            if !body.is_empty() {
                body.push(b'&');
            }
            body.extend(enc(name).bytes());
            body.push(b'=');
            body.extend(value(rng, plausible));
        }
    }
    if rng.random_bool(0.1) {
        body.extend(b"&%00=%00&=&&a%00b=c%%0000d&%%0000=%%%000000");
    }
    body
}

/// Everything a refused form must leave as it was (audit rows, sessions, read marks and the
/// login throttle are not compared: they are written on purpose).
const TABLES: &[&str] = &[
    "agency",
    "app_user",
    "membership",
    "participant",
    "case_file",
    "case_agency",
    "consent",
    "entry",
    "entry_version",
    "assessment",
    "assessment_item",
    "prereferral_note",
    "referral",
    "referral_event",
    "meeting",
    "meeting_invitee",
    "action_item",
    "calendar_feed",
    "task",
    "daily_report",
    "agency_profile",
    "agency_program",
    "agency_staff",
    "agency_staff_photo",
    "agency_event",
];

async fn fingerprint(pool: &PgPool) -> String {
    // a photo by its hash, not its bytes
    let row = |t: &str| match t {
        "agency_staff_photo" => "(x.staff_id, x.sha256, x.created_at)::text",
        _ => "x::text",
    };
    let parts: Vec<String> = TABLES
        .iter()
        .map(|t| {
            format!(
                "(SELECT md5(coalesce(string_agg(md5({r}), ',' ORDER BY md5({r})), '')) FROM {t} x)",
                r = row(t)
            )
        })
        .collect();
    sqlx::query_scalar(&format!("SELECT md5(concat({}))", parts.join(", ")))
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Every POST route, as a signed-in user who may use it, with random bodies: random subsets
/// of the forms' fields, repeated fields, NUL, invalid UTF-8, overlong text, control and
/// direction characters, five-digit years. No 5xx; a refused form (4xx) changes nothing.
#[sqlx::test]
async fn hostile_bodies_on_every_form_get_no_5xx_and_change_nothing_when_refused(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let ids = ids(&pool).await;
    let names = field_names();
    assert!(
        names.len() > 50,
        "field names read from the source: {}",
        names.len()
    );
    let today = renkei::domain::dates::today_tokyo();
    let mut plausible: Vec<String> = [
        "progress",
        "observation",
        "contact",
        "training",
        "life",
        "health",
        "contact",
        "case_admin",
        "met",
        "not_met",
        "3",
        "1",
        "yes",
        "no",
        "attend",
        "decline",
        "staff",
        "coordinator",
        "other",
        "clinic",
        "support_plan",
        "14:00",
        "60",
        "written",
        "person",
        "1y",
        "withdrawn",
        "sent",
        "new",
        "true",
        "false",
        "相談室",
        "本人の希望",
        "検証 花子",
        "ケンショウ",
        "けんしょう",
        "mental",
        "みどり市",
        "hikari@renkei.example",
        "0120-000-999",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    plausible.extend([HIKARI, SAKURA, MINATO, AOBA, ids.victim].map(|u| u.to_string()));
    plausible.extend([0, 1, 40, -3].map(|d| (today + chrono::Duration::days(d)).to_string()));
    plausible.push(format!("{today}T10:00"));
    let mut routes: Vec<String> = registered_routes()
        .into_iter()
        .filter(|(p, _, post)| *post && p != "/logout")
        .map(|(p, ..)| p)
        .collect();
    // what takes something away comes last
    let takes_away = |p: &String| {
        [
            "remove",
            "lead",
            "delete",
            "active",
            "revoke",
            "transition",
            "cancel",
            "password",
        ]
        .iter()
        .any(|w| p.contains(w))
    };
    routes.sort_by_key(|p| takes_away(p));
    let mut clients = std::collections::HashMap::new();
    let anonymous = app.browser();
    let per_route = scaled(8);
    let mut rng = StdRng::seed_from_u64(14);
    let (mut tried, mut fives, mut partial) = (0, vec![], vec![]);
    let mut before = fingerprint(&pool).await;
    let mut answers = std::collections::BTreeMap::new();
    for path in &routes {
        let (url, who) = fill(path, &ids);
        if !clients.contains_key(who) {
            clients.insert(who, signed_in(&app, who).await);
        }
        let client = if path == "/login" {
            &anonymous
        } else {
            &clients[who]
        };
        for _ in 0..per_route {
            let body = hostile_body(&mut rng, &names, &plausible);
            let req = client.client.post(client.url(&url));
            let req = if path.ends_with("/staff/{item}") {
                // the card form is multipart: the same pairs as parts, names and values raw
                let mut form = reqwest::multipart::Form::new();
                for pair in body.split(|&b| b == b'&') {
                    let mut kv = pair.splitn(2, |&b| b == b'=');
                    let name = String::from_utf8_lossy(&decoded(kv.next().unwrap_or_default()))
                        .to_string();
                    let value = decoded(kv.next().unwrap_or_default());
                    form = form.part(name, reqwest::multipart::Part::bytes(value));
                }
                req.multipart(form)
            } else {
                req.header("content-type", "application/x-www-form-urlencoded")
                    .body(body.clone())
            };
            let res = req.send().await.unwrap();
            tried += 1;
            let status = res.status();
            *answers.entry(status.as_u16()).or_insert(0) += 1;
            let after = fingerprint(&pool).await;
            let excerpt = String::from_utf8_lossy(&body[..body.len().min(300)]).to_string();
            if status.is_server_error() {
                fives.push(format!("POST {path} → {status}: {excerpt}"));
            } else if status.is_client_error() && after != before {
                partial.push(format!("POST {path} → {status} changed data: {excerpt}"));
            }
            before = after;
        }
    }
    println!(
        "hostile inputs tried (form bodies): {tried} on {} routes, 5xx: {}, refused with a change: {}; answers: {answers:?}",
        routes.len(),
        fives.len(),
        partial.len()
    );
    assert!(fives.is_empty(), "{}", fives.join("\n"));
    assert!(partial.is_empty(), "{}", partial.join("\n"));
}

/// Every page with random query strings: unknown and repeated keys, NUL, invalid UTF-8,
/// cursors out of range, overlong search text.
#[sqlx::test]
async fn hostile_query_strings_on_every_page_get_no_5xx(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let ids = ids(&pool).await;
    let keys = [
        "q",
        "kind",
        "agency",
        "from",
        "to",
        "before_at",
        "before_id",
        "back",
        "done",
        "page",
        "status",
        "user",
        "case",
        "action",
        "outcome",
        "date",
        "agency_id",
        "area",
        "age",
        "disability",
        "feature",
        "lang",
        "new",
        "role",
        "for",
        "type",
        "purpose",
    ];
    let plausible: Vec<String> = ["1", "progress", "2026-04-01", "/cases", "1700000000000000"]
        .iter()
        .map(|s| s.to_string())
        .chain([
            HIKARI.to_string(),
            i64::MAX.to_string(),
            i64::MIN.to_string(),
        ])
        .collect();
    let mut clients = std::collections::HashMap::new();
    let mut rng = StdRng::seed_from_u64(41);
    let per_route = scaled(6);
    let (mut tried, mut fives) = (0, vec![]);
    for (path, get, _) in registered_routes() {
        if !get {
            continue;
        }
        let (url, who) = fill(&path, &ids);
        if !clients.contains_key(who) {
            clients.insert(who, signed_in(&app, who).await);
        }
        let client = &clients[who];
        for _ in 0..per_route {
            let mut query = vec![];
            if rng.random_bool(0.2) {
                // a NUL that appears only once the first is taken out
                query.push("q=%%0000x".to_string());
            }
            for k in keys {
                if rng.random_bool(0.3) {
                    query.push(format!(
                        "{k}={}",
                        String::from_utf8_lossy(&value(&mut rng, &plausible))
                            .replace('\u{FFFD}', "%FF")
                            .chars()
                            .take(3000)
                            .collect::<String>()
                    ));
                }
            }
            let full = format!("{url}?{}", query.join("&"));
            let res = client.client.get(client.url(&full)).send().await.unwrap();
            tried += 1;
            if res.status().is_server_error() {
                fives.push(format!("GET {full:.300} → {}", res.status()));
            }
        }
    }
    println!(
        "hostile inputs tried (query strings): {tried}, 5xx: {}",
        fives.len()
    );
    assert!(fives.is_empty(), "{}", fives.join("\n"));
}

fn entry_count_sql() -> &'static str {
    "SELECT count(*) FROM entry WHERE case_id = $1"
}

async fn entries(pool: &PgPool) -> i64 {
    sqlx::query_scalar(entry_count_sql())
        .bind(CASE_SUZUKI)
        .fetch_one(pool)
        .await
        .unwrap()
}

fn post_entry(app: &TestApp, body: &str) -> reqwest::RequestBuilder {
    app.client
        .post(app.url(&format!("/cases/{CASE_SUZUKI}/entries")))
        .form(&[
            ("kind", "progress"),
            ("category", "training"),
            ("body", body),
            ("share", &SAKURA.to_string()),
        ])
}

/// A Japanese text of `n` characters, with line breaks.
fn japanese(n: usize) -> String {
    let line = "本人は午前の作業を最後まで続けられた。午後は集中が途切れがちだった。\n";
    line.chars().cycle().take(n).collect()
}

/// The text the form came back with, in its textarea.
fn textarea(page: &str, name: &str) -> String {
    let start = page
        .find(&format!("name=\"{name}\""))
        .and_then(|i| page[i..].find('>').map(|j| i + j + 1))
        .expect("the field is on the page");
    let end = page[start..].find("</textarea>").unwrap() + start;
    page[start..end].to_string()
}

/// A 30,000-character Japanese entry (270 KB posted, over the old 256 KiB limit) comes back
/// with every character and the message by the field; 20,000 characters are saved; a body of
/// several MiB comes back with what fits of it, and no entry is written.
#[sqlx::test]
async fn long_text_comes_back_to_its_writer(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    app.login("sabikan@hikari.example").await;
    let before = entries(&pool).await;

    let text = japanese(30_000);
    let res = post_entry(&app, &text).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("長すぎます。20000文字以内で入力してください。"));
    assert_eq!(
        textarea(&page, "body").replace("\r\n", "\n").trim_end(),
        text.trim_end()
    );
    assert_eq!(entries(&pool).await, before, "nothing written");

    // in English too
    let res = post_entry(&app, &text)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert!(body(res)
        .await
        .contains("Too long: at most 20000 characters."));

    let res = post_entry(&app, &japanese(20_000)).send().await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "the longest entry allowed is saved"
    );
    assert_eq!(entries(&pool).await, before + 1);

    // several MiB: the form comes back with the first ~2 MiB of it
    let huge = japanese(600_000);
    let res = post_entry(&app, &huge).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("長すぎます。"));
    let kept = textarea(&page, "body").replace("\r\n", "\n");
    assert!(
        kept.chars().count() > 200_000,
        "kept {}",
        kept.chars().count()
    );
    assert!(
        huge.starts_with(&kept),
        "what was received, to its last whole character"
    );
    assert_eq!(entries(&pool).await, before + 1, "nothing more written");
}

/// The longest field of all (the meeting material, 50,000 characters) fits the limit even in
/// 4-byte characters, and is saved.
#[sqlx::test]
async fn the_longest_field_in_the_widest_characters_is_saved(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    app.login("sabikan@hikari.example").await;
    let text = "𠮷".repeat(renkei::http::form_limit::LONGEST_FIELD);
    let res = app
        .post(
            &format!("/meetings/{MEETING_SUZUKI}/material"),
            &[("material", &text), ("category", "own")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let stored: String = sqlx::query_scalar("SELECT material FROM meeting WHERE id = $1")
        .bind(MEETING_SUZUKI)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        stored.chars().count(),
        renkei::http::form_limit::LONGEST_FIELD
    );
}

/// A body over the limit made of many short fields is no one's text: the "too large" page,
/// in the frame, and nothing changed.
#[sqlx::test]
async fn many_fields_over_the_limit_get_the_too_large_page(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    app.login("sabikan@hikari.example").await;
    let before = fingerprint(&pool).await;
    let body = format!(
        "kind=progress&category=training&body=x&{}",
        "share=x&".repeat(400_000)
    );
    let res = app
        .client
        .post(app.url(&format!("/cases/{CASE_SUZUKI}/entries")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body_text(res)
        .await
        .contains("送信された内容が大きすぎます"));
    assert_eq!(fingerprint(&pool).await, before);
}

async fn body_text(res: reqwest::Response) -> String {
    body(res).await
}

/// NUL characters in the staff card's multipart field names and values: the card is saved
/// without them (PostgreSQL cannot store a NUL), never a 500.
#[sqlx::test]
async fn nul_in_multipart_fields_is_dropped(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    app.login("admin@renkei.example").await;
    let form = reqwest::multipart::Form::new()
        .text("name", "吉田\0 明美")
        .text("job_title", "サービス\0管理責任者")
        .text("x\0y", "x")
        .text("\0", "\0")
        .text("introduction", "\0\0");
    let res = app
        .client
        .post(app.url(&format!("/agencies/{HIKARI}/staff/new")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (name, title): (String, String) = sqlx::query_as(
        "SELECT name, job_title FROM agency_staff WHERE agency_id = $1 AND name LIKE '吉田%'",
    )
    .bind(HIKARI)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (name.as_str(), title.as_str()),
        ("吉田 明美", "サービス管理責任者")
    );
}
