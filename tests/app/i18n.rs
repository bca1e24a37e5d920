//! Every sentence in the reader's language: what Renkei writes itself (meeting events, referral
//! steps, phase changes, checklist summaries, team changes) is kept as message keys and
//! arguments and read in each reader's language, whoever wrote it; the referral letter, the
//! meeting material and the calendar file too.

use crate::helpers::*;
use renkei::demo::*;
use renkei::domain::ics::parse_lines;
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

/// A browser logged in as `email`, reading in `lang`.
async fn reader(app: &TestApp, email: &str, lang: &str) -> TestApp {
    let b = app.browser();
    b.login(email).await;
    let res = b.post("/lang", &[("lang", lang), ("back", "/")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    b
}

async fn page(app: &TestApp, path: &str) -> String {
    let res = app.get(path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    // apostrophes as text, for the English sentences below
    body(res).await.replace("&#39;", "'").replace("&#x27;", "'")
}

fn ics_value(ics: &str, key: &str) -> Option<String> {
    parse_lines(ics)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// Schedules a meeting for 鈴木 一郎 as みなと (in Japanese), inviting the clinic and ひかり.
async fn schedule(app: &TestApp, time: &str, place: &str, online: &str) -> Uuid {
    let minato = app.browser();
    minato.login("shugyo@minato.example").await;
    let form: Vec<(String, String)> = vec![
        ("purpose".into(), "support_plan".into()),
        ("date".into(), in_days(3)),
        ("time".into(), time.into()),
        ("duration".into(), "60".into()),
        ("place".into(), place.into()),
        ("online_url".into(), online.into()),
        ("person_attends".into(), "1".into()),
        ("invite".into(), SAKURA.to_string()),
        ("invite".into(), HIKARI.to_string()),
    ];
    let res = post_pairs(&minato, &format!("/cases/{CASE_SUZUKI}/meetings"), &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    location(&res)
        .trim_start_matches("/meetings/")
        .parse()
        .unwrap()
}

#[sqlx::test]
async fn system_written_entries_read_in_each_readers_language(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    // written by people reading Japanese: a meeting, a phase change, a readiness assessment
    let meeting = schedule(&app, "13:30", "みなとセンター 会議室", "").await;
    let hikari = app.browser();
    hikari.login("sabikan@hikari.example").await;
    let hired = in_days(-10);
    let res = hikari
        .post(
            &format!("/cases/{CASE_SUZUKI}/phase"),
            &[
                ("phase", "employed"),
                ("hired_on", &hired),
                ("start_kind", "ordinary"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let ot = app.browser();
    ot.login("ot@sakura.example").await;
    let mut form: Vec<(String, String)> = CODES
        .iter()
        .map(|c| {
            let v = if *c == "stamina" { "not_yet" } else { "met" };
            (format!("v_{c}"), v.to_string())
        })
        .collect();
    form.push(("n_stamina".into(), "午後に疲れが出る".into()));
    form.push((
        "assessed_on".into(),
        renkei::domain::dates::today_tokyo().to_string(),
    ));
    let res = post_pairs(&ot, &format!("/cases/{CASE_SUZUKI}/checks"), &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // two readers of the clinic: one in Japanese, one in English
    let ja = reader(&app, "psw@sakura.example", "ja").await;
    let en = reader(&app, "st@sakura.example", "en").await;
    let hired_day = renkei::domain::dates::today_tokyo() - chrono::Duration::days(10);
    let hired_en = hired_day.format("%a %-d %b %Y").to_string();
    let hired_ja = renkei::domain::dates::long_ja(hired_day);

    // the inbox preview (before the timeline marks them read)
    let inbox_en = page(&en, "/inbox").await;
    assert!(inbox_en.contains("Case meeting scheduled: "), "{inbox_en}");
    assert!(inbox_en.contains("(Support plan)"));
    assert!(
        inbox_en.contains(&format!(
            "Phase changed to “Employed (sending office's support)” ({hired_en}) · Ordinary hire"
        )),
        "{inbox_en}"
    );
    assert!(!inbox_en.contains("ケース会議を設定しました"));
    assert!(!inbox_en.contains("段階を"));
    let inbox_ja = page(&ja, "/inbox").await;
    assert!(
        inbox_ja.contains("ケース会議を設定しました："),
        "{inbox_ja}"
    );
    assert!(inbox_ja.contains("（支援体制の検討）"));
    assert!(
        inbox_ja.contains(&format!("（{hired_ja}）・通常の就職")),
        "{inbox_ja}"
    );
    assert!(!inbox_ja.contains("Case meeting scheduled"));
    // a preview is words: the link to the meeting is not in it
    assert!(!inbox_ja.contains("ケース会議のページへ"));

    // the timeline
    let timeline_en = page(&en, &format!("/cases/{CASE_SUZUKI}/timeline")).await;
    assert!(timeline_en.contains("Case meeting scheduled: "));
    assert!(timeline_en.contains(&format!(r#"<a href="/meetings/{meeting}""#)));
    assert!(timeline_en.contains(">Open the meeting</a>"));
    assert!(timeline_en.contains("Readiness checklist: 5/6 met. Not yet met:"));
    assert!(timeline_en.contains("<li>Has the stamina for a whole day</li>"));
    // a note as typed, under the criterion in the reader's words
    assert!(timeline_en.contains("Has the stamina for a whole day: 午後に疲れが出る"));
    assert!(!timeline_en.contains("ケース会議を設定しました"));
    assert!(!timeline_en.contains("紹介準備チェック："));
    assert!(!timeline_en.contains('（') || !timeline_en.contains("Case meeting scheduled: （"));
    let timeline_ja = page(&ja, &format!("/cases/{CASE_SUZUKI}/timeline")).await;
    assert!(timeline_ja.contains("ケース会議を設定しました："));
    assert!(timeline_ja.contains(">ケース会議のページへ</a>"));
    assert!(timeline_ja.contains("紹介準備チェック：5/6 項目を満たしています。"));
    assert!(timeline_ja.contains("<li>1日過ごす体力がある</li>"));
    assert!(timeline_ja.contains("1日過ごす体力がある：午後に疲れが出る"));
    assert!(!timeline_ja.contains("Case meeting scheduled"));

    // the meeting material: the history in each reader's words
    let material_en = page(&en, &format!("/meetings/{meeting}/material")).await;
    assert!(
        material_en.contains("Case meeting scheduled: "),
        "{material_en}"
    );
    assert!(material_en.contains("Phase changed to"));
    assert!(material_en.contains("<li>Name: 鈴木 一郎 (スズキ イチロウ)</li>"));
    assert!(!material_en.contains("ケース会議を設定しました"));
    assert!(!material_en.contains("氏名："));
    let material_ja = page(&ja, &format!("/meetings/{meeting}/material")).await;
    assert!(material_ja.contains("ケース会議を設定しました："));
    assert!(!material_ja.contains("Case meeting scheduled"));
    // and the agenda Renkei drafted, while nobody changed it, for the convener's readers
    let minato_en = reader(&app, "shugyo@minato.example", "en").await;
    let material_en = page(&minato_en, &format!("/meetings/{meeting}/material")).await;
    assert!(
        material_en.contains("<h3>When and how often to visit</h3>"),
        "{material_en}"
    );
    assert!(!material_en.contains("訪問の時期や頻度"));
    // the edit form starts from it in the editor's words
    assert!(material_en.contains("### How and when to consult"));
    let minato_ja = reader(&app, "shugyo@minato.example", "ja").await;
    let material_ja = page(&minato_ja, &format!("/meetings/{meeting}/material")).await;
    assert!(material_ja.contains("<h3>訪問の時期や頻度</h3>"));
    assert!(!material_ja.contains("When and how often to visit"));

    // the body keeps the Japanese words (search), the fields the keys and ISO dates
    let (body_text, fields): (String, serde_json::Value) = sqlx::query_as(
        "SELECT body, fields FROM entry WHERE case_id = $1 AND kind = 'note'
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind(CASE_SUZUKI)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(body_text.starts_with("段階を「"), "{body_text}");
    let stored = fields.to_string();
    assert!(stored.contains("\"phase-employed\""), "{stored}");
    assert!(stored.contains(&format!("\"{hired}\"")), "{stored}");

    // written by someone reading English, read in Japanese all the same
    let minato_en = reader(&app, "shugyo@minato.example", "en").await;
    let res = minato_en
        .post(
            &format!("/meetings/{meeting}/cancel"),
            &[("reason", "本人の体調不良のため")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let timeline_ja = page(&ja, &format!("/cases/{CASE_SUZUKI}/timeline")).await;
    assert!(timeline_ja.contains("ケース会議を中止しました："));
    // what the user typed is never translated
    assert!(timeline_ja.contains("本人の体調不良のため"));
    let timeline_en = page(&en, &format!("/cases/{CASE_SUZUKI}/timeline")).await;
    assert!(timeline_en.contains("Case meeting cancelled: "));
    assert!(timeline_en.contains("本人の体調不良のため"));
}

#[sqlx::test]
async fn entries_written_before_messages_still_show_their_text(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    // a row as the application wrote them before: Japanese words in the body, no message
    sqlx::query(
        "INSERT INTO entry (id, case_id, author_user_id, author_agency_id, kind, category,
                            occurred_at, body, body_html, fields, shared_with)
         SELECT $1, $2, u.id, $3, 'meeting', 'case_admin', now(), $4, $5, '{}', $6
         FROM app_user u WHERE u.email = 'shugyo@minato.example'",
    )
    .bind(Uuid::now_v7())
    .bind(CASE_SUZUKI)
    .bind(MINATO)
    .bind("ケース会議を設定しました：2026/01/05 10:00（支援計画）")
    .bind("<p>ケース会議を設定しました：2026/01/05 10:00（支援計画）</p>")
    .bind(vec![SAKURA])
    .execute(&app.pool)
    .await
    .unwrap();
    let en = reader(&app, "st@sakura.example", "en").await;
    assert!(page(&en, "/inbox")
        .await
        .contains("ケース会議を設定しました：2026/01/05 10:00（支援計画）"));
    assert!(page(&en, &format!("/cases/{CASE_SUZUKI}/timeline"))
        .await
        .contains("<p>ケース会議を設定しました：2026/01/05 10:00（支援計画）</p>"));
}

#[sqlx::test]
async fn the_demos_checklist_summaries_read_in_each_readers_language(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let en = reader(&app, "ot@sakura.example", "en").await;
    let timeline = page(&en, &format!("/cases/{CASE_YAMADA}/timeline")).await;
    assert!(
        timeline.contains("Readiness checklist: 4/6 met. Not yet met:"),
        "{timeline}"
    );
    assert!(!timeline.contains("紹介準備チェック："));
    let aoba_en = reader(&app, "teichaku@aoba.example", "en").await;
    let timeline = page(&aoba_en, &format!("/cases/{CASE_TANAKA}/timeline")).await;
    assert!(timeline.contains("Checklist for stable work and life (domain means):"));
    assert!(
        timeline.contains("(a place to start talking)"),
        "{timeline}"
    );
    let aoba_ja = reader(&app, "teichaku@aoba.example", "ja").await;
    let timeline = page(&aoba_ja, &format!("/cases/{CASE_TANAKA}/timeline")).await;
    assert!(timeline.contains("安定した就労と生活のためのチェックリスト（領域ごとの平均）："));
    assert!(timeline.contains("（対話のきっかけに）"));
}

#[sqlx::test]
async fn referral_steps_and_the_packet_read_in_each_readers_language(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    // the demo's referral of 佐藤 花子: its steps are messages too
    let ja = reader(&app, "psw@sakura.example", "ja").await;
    let en = reader(&app, "ot@sakura.example", "en").await;
    let timeline_en = page(&en, &format!("/cases/{CASE_SATO}/timeline")).await;
    assert!(
        timeline_en
            .contains("Sent (awaiting reply): さくら通りクリニック → ひかり就労移行支援センター"),
        "{timeline_en}"
    );
    let timeline_ja = page(&ja, &format!("/cases/{CASE_SATO}/timeline")).await;
    assert!(timeline_ja
        .contains("送付済み（返事待ち）：さくら通りクリニック → ひかり就労移行支援センター"));

    // ひかり moves it on (reading English); the step reads in each language
    let hikari = reader(&app, "staff@hikari.example", "en").await;
    let referral: Uuid = sqlx::query_scalar("SELECT id FROM referral WHERE case_id = $1")
        .bind(CASE_SATO)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let res = hikari
        .post(
            &format!("/referrals/{referral}/transition"),
            &[("to", "trial"), ("note", "午前中のみ体験")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    let timeline_ja = page(&ja, &format!("/cases/{CASE_SATO}/timeline")).await;
    assert!(timeline_ja.contains("体験利用中：さくら通りクリニック → ひかり就労移行支援センター"));
    assert!(timeline_ja.contains("午前中のみ体験"));
    let timeline_en = page(&en, &format!("/cases/{CASE_SATO}/timeline")).await;
    assert!(timeline_en.contains("Trial use: さくら通りクリニック → ひかり就労移行支援センター"));

    // a draft to みなと from 山田 (whose latest assessment is attached): the packet's criteria
    // and disabilities in the reader's language
    let res = ja
        .post(
            &format!("/cases/{CASE_YAMADA}/referrals"),
            &[
                ("to_agency_id", &MINATO.to_string()),
                ("attach_assessment", "1"),
                ("hopes", "体験から"),
                ("action", "draft"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    let draft = location(&res);
    let show_en = page(&en, &draft).await;
    assert!(
        show_en.contains("Has the stamina for a whole day"),
        "{show_en}"
    );
    assert!(!show_en.contains("1日過ごす体力がある"));
    let show_ja = page(&ja, &draft).await;
    assert!(show_ja.contains("1日過ごす体力がある"));
    assert!(!show_ja.contains("Has the stamina for a whole day"));
}

#[sqlx::test]
async fn the_referral_letter_has_its_addressee_sender_and_consent(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let referral: Uuid = sqlx::query_scalar("SELECT id FROM referral WHERE case_id = $1")
        .bind(CASE_SATO)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let consent_on: chrono::NaiveDate = sqlx::query_scalar(
        "SELECT max(given_on) FROM consent WHERE case_id = $1 AND agency_id = $2",
    )
    .bind(CASE_SATO)
    .bind(HIKARI)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let ja = reader(&app, "psw@sakura.example", "ja").await;
    let letter = page(&ja, &format!("/referrals/{referral}/print")).await;
    assert!(
        letter.contains("ひかり就労移行支援センター 御中"),
        "{letter}"
    );
    assert!(letter.contains("紹介元: さくら通りクリニック"));
    assert!(letter.contains("所在地: みどり市さくら通り1-2-3"));
    assert!(letter.contains("電話: 0120-000-101"));
    assert!(letter.contains("担当: 山本 恵"));
    assert!(letter.contains(&format!(
        "ご本人の同意を得て情報を提供します（同意日：{}）",
        renkei::domain::dates::long_ja(consent_on)
    )));
    assert!(letter.contains("高次脳機能障害"));
    // the pre-referral items in SPEC §5's order: 受傷後の経過 before 希望の働き方
    let course = letter.find("受傷後の経過").expect("course");
    let desired = letter.find("希望の働き方").expect("desired work");
    assert!(course < desired);
    let en = reader(&app, "ot@sakura.example", "en").await;
    let letter = page(&en, &format!("/referrals/{referral}/print")).await;
    assert!(
        letter.contains("To: ひかり就労移行支援センター"),
        "{letter}"
    );
    assert!(!letter.contains("御中"));
    assert!(letter.contains("Higher brain dysfunction"));
    assert!(
        letter.contains(&format!(
            "shared with the person's consent (given on {})",
            consent_on.format("%a %-d %b %Y")
        )),
        "{letter}"
    );
    let letter_text = letter.split("<main>").nth(1).unwrap_or_default();
    let at = letter_text.find('（');
    assert!(
        at.is_none(),
        "half-width brackets in English: {}",
        &letter_text[at.unwrap_or(0).saturating_sub(200)..]
    );

    // a referral sent now freezes its consent day and the sender's contact details
    let psw = app.browser();
    psw.login("psw@sakura.example").await;
    let given = in_days(-2);
    let res = psw
        .client
        .post(psw.url(&format!("/cases/{CASE_YAMADA}/consents")))
        .form(&[
            ("agency_id", HIKARI.to_string()),
            ("category", "health".into()),
            ("category", "training".into()),
            ("category", "life".into()),
            ("category", "work".into()),
            ("given_by", "person".into()),
            ("method", "written".into()),
            ("given_on", given.clone()),
            ("term", "1y".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = psw
        .post(
            &format!("/cases/{CASE_YAMADA}/referrals"),
            &[
                ("to_agency_id", &HIKARI.to_string()),
                ("hopes", "体験から"),
                ("action", "send"),
            ],
        )
        .await;
    let status = res.status();
    let to = location(&res);
    assert_eq!(status, StatusCode::SEE_OTHER, "{to} {}", body(res).await);
    {
        let packet: serde_json::Value = sqlx::query_scalar(
            "SELECT packet FROM referral WHERE case_id = $1 AND to_agency_id = $2",
        )
        .bind(CASE_YAMADA)
        .bind(HIKARI)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert_eq!(packet["consent_on"], given.as_str(), "{packet} {to}");
        assert_eq!(packet["from_phone"], "0120-000-101");
        assert_eq!(packet["from_address"], "みどり市さくら通り1-2-3");
    }
}

#[sqlx::test]
async fn the_calendar_file_has_the_place_the_purpose_and_a_link_and_no_personal_text(pool: PgPool) {
    let settings = renkei::config::Settings {
        base_url: Some("https://renkei.example.jp".into()),
        ..test_settings()
    };
    let app = TestApp::spawn_with(pool, settings).await;
    let meeting = schedule(
        &app,
        "13:30",
        "みなとセンター 会議室",
        "https://meet.example/abc",
    )
    .await;
    let ja = reader(&app, "psw@sakura.example", "ja").await;
    let ics = body(ja.get(&format!("/meetings/{meeting}.ics")).await).await;
    assert_eq!(
        ics_value(&ics, "LOCATION").as_deref(),
        Some("みなとセンター 会議室")
    );
    let description = ics_value(&ics, "DESCRIPTION").unwrap();
    assert!(
        description.contains("目的：支援体制の検討"),
        "{description}"
    );
    assert!(description.contains("オンライン：https://meet.example/abc"));
    assert!(description.contains(&format!(
        "会議のページ：https://renkei.example.jp/meetings/{meeting}"
    )));
    assert_eq!(
        ics_value(&ics, "URL"),
        Some(format!("https://renkei.example.jp/meetings/{meeting}"))
    );
    // no one's name, no notes: not the person's, not the staff's
    for personal in ["鈴木", "一郎", "山口"] {
        assert!(!ics.contains(personal), "{personal} in {ics}");
    }
    let en = reader(&app, "ot@sakura.example", "en").await;
    let ics = body(en.get(&format!("/meetings/{meeting}.ics")).await).await;
    assert_eq!(
        ics_value(&ics, "SUMMARY").as_deref(),
        Some("Case meeting (Support plan)")
    );
    assert!(ics_value(&ics, "DESCRIPTION")
        .unwrap()
        .contains("Purpose: Support plan"));

    // online only: the link is the location
    let online = schedule(&app, "16:00", "", "https://meet.example/xyz").await;
    let ics = body(ja.get(&format!("/meetings/{online}.ics")).await).await;
    assert_eq!(
        ics_value(&ics, "LOCATION").as_deref(),
        Some("https://meet.example/xyz")
    );
}

/// A Chrome DevTools command through chromedriver (here: print media emulation).
#[derive(Debug)]
struct Cdp(&'static str, serde_json::Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or("")
        ))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({"cmd": self.0, "params": self.1});
        (http::Method::POST, Some(body.to_string()))
    }
}

async fn print_media(c: &fantoccini::Client) {
    c.issue_cmd(Cdp(
        "Emulation.setEmulatedMedia",
        serde_json::json!({"media": "print"}),
    ))
    .await
    .unwrap();
}

async fn js(c: &fantoccini::Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![]).await.unwrap()
}

#[sqlx::test]
async fn the_printed_letter_and_material_keep_headings_with_their_content_in_a_real_browser(
    pool: PgPool,
) {
    use crate::browser::{console_errors, log_in, screenshot, Driver};
    let app = TestApp::spawn(pool).await;
    let driver = Driver::start();
    let c = driver.browser(false).await;
    log_in(&c, &app, "psw@sakura.example", crate::helpers::PASSWORD).await;
    let referral: Uuid = sqlx::query_scalar("SELECT id FROM referral WHERE case_id = $1")
        .bind(CASE_SATO)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    c.goto(&app.url(&format!("/referrals/{referral}/print")))
        .await
        .unwrap();
    print_media(&c).await;
    let to = js(&c, "return document.querySelector('.letter-to').innerText").await;
    assert_eq!(to, "ひかり就労移行支援センター 御中");
    let from = js(
        &c,
        "return document.querySelector('.letter-from').innerText",
    )
    .await;
    let from = from.as_str().unwrap();
    assert!(
        from.contains("0120-000-101") && from.contains("山本 恵"),
        "{from}"
    );
    // in print, no heading may end a page: each avoids a break after it, and the small
    // blocks (a note with its label) are kept whole
    let headings = js(
        &c,
        "return [...document.querySelectorAll('main h1, main h2, main h3, dl.notes dt')]
            .map(h => getComputedStyle(h).breakAfter)",
    )
    .await;
    let headings = headings.as_array().unwrap();
    assert!(!headings.is_empty());
    assert!(headings.iter().all(|b| b == "avoid"), "{headings:?}");
    let kept = js(
        &c,
        "return [...document.querySelectorAll('dl.notes .keep')]
            .map(k => getComputedStyle(k).breakInside)",
    )
    .await;
    let kept = kept.as_array().unwrap();
    assert!(kept.len() >= 2, "{kept:?}");
    assert!(kept.iter().all(|b| b == "avoid"), "{kept:?}");
    // the items in SPEC §5's order
    let items = js(
        &c,
        "return [...document.querySelectorAll('dl.notes dt')].map(d => d.innerText)",
    )
    .await;
    assert_eq!(
        items,
        serde_json::json!(["受傷後の経過", "希望の働き方"]),
        "{items}"
    );
    screenshot(&c, "referral-letter-print").await;
    // in English: "To:", no 御中, half-width brackets
    c.issue_cmd(Cdp(
        "Emulation.setEmulatedMedia",
        serde_json::json!({"media": ""}),
    ))
    .await
    .unwrap();
    c.goto(&app.url("/")).await.unwrap();
    crate::browser::click_and_wait(&c, "form[action='/lang'] button").await;
    print_media(&c).await;
    c.goto(&app.url(&format!("/referrals/{referral}/print")))
        .await
        .unwrap();
    let to = js(&c, "return document.querySelector('.letter-to').innerText").await;
    assert_eq!(to, "To: ひかり就労移行支援センター");
    screenshot(&c, "referral-letter-print-en").await;

    // the material as the convener prints it: every agenda heading in a block with its content
    let minato = driver.browser(false).await;
    log_in(
        &minato,
        &app,
        "sabikan@hikari.example",
        crate::helpers::PASSWORD,
    )
    .await;
    let m = renkei::demo::MEETING_TAKAHASHI;
    minato
        .goto(&app.url(&format!("/meetings/{m}/material/print")))
        .await
        .unwrap();
    print_media(&minato).await;
    let loose = js(
        &minato,
        "return [...document.querySelectorAll('article.material h3')]
            .filter(h => !h.closest('section.keep') || !h.nextElementSibling)
            .map(h => h.innerText)",
    )
    .await;
    assert_eq!(loose, serde_json::json!([]), "headings alone: {loose}");
    let agenda = js(
        &minato,
        "return document.querySelectorAll('article.material section.keep h3').length",
    )
    .await;
    assert!(agenda.as_u64().unwrap() >= 5, "{agenda}");
    let whole = js(
        &minato,
        "return [...document.querySelectorAll('article.material section.keep')]
            .every(s => getComputedStyle(s).breakInside === 'avoid')",
    )
    .await;
    assert_eq!(whole, serde_json::json!(true));
    // an empty bullet is a line to write on, not a lone dot
    let dots = js(
        &minato,
        "return [...document.querySelectorAll('article.material li')]
            .filter(li => li.innerText.trim() === '' && getComputedStyle(li).listStyleType !== 'none')
            .length",
    )
    .await;
    assert_eq!(dots, serde_json::json!(0));
    js(
        &minato,
        "document.querySelectorAll('article.material')[1].scrollIntoView(); return 0",
    )
    .await;
    screenshot(&minato, "material-print-agenda").await;
    for client in [&c, &minato] {
        let errors = console_errors(client).await;
        assert!(errors.is_empty(), "console errors: {errors:?}");
    }
    c.close().await.unwrap();
    minato.close().await.unwrap();
}

/// The printed support plan and monthly report (issue 16): on A4, in print media, no table row
/// is cut across a page (every row avoids a break inside it, the table's head repeats on each
/// page), nothing is wider than the sheet, and Chromium prints them to an A4 PDF.
#[sqlx::test]
async fn the_printed_plan_and_report_fit_a4_without_cut_rows_in_a_real_browser(pool: PgPool) {
    use crate::browser::{log_in, screenshot, Driver};
    let app = TestApp::spawn(pool).await;
    let driver = Driver::start();
    let plan: Uuid =
        sqlx::query_scalar("SELECT id FROM support_plan WHERE case_id = $1 ORDER BY id LIMIT 1")
            .bind(CASE_SUZUKI)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let report: Uuid = sqlx::query_scalar(
        "SELECT id FROM support_report WHERE case_id = $1 AND issued_at IS NOT NULL
          ORDER BY month LIMIT 1",
    )
    .bind(CASE_TANAKA)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    for (who, path, tag) in [
        (
            "sabikan@hikari.example",
            format!("/cases/{CASE_SUZUKI}/plans/{plan}/print"),
            "plan",
        ),
        (
            "teichaku@aoba.example",
            format!("/cases/{CASE_TANAKA}/reports/{report}/print"),
            "report",
        ),
    ] {
        let c = driver.browser(false).await;
        // A4 at 96 dpi: 210 × 297 mm
        c.set_window_size(794, 1123).await.unwrap();
        log_in(&c, &app, who, crate::helpers::PASSWORD).await;
        c.goto(&app.url(&path)).await.unwrap();
        print_media(&c).await;
        let rows = js(
            &c,
            "return [...document.querySelectorAll('main tr')].map(r => getComputedStyle(r).breakInside)",
        )
        .await;
        let rows = rows.as_array().unwrap();
        // the plan's support rows are a table; the report is headed blocks of text
        assert!(tag != "plan" || !rows.is_empty(), "{tag}: no table rows");
        assert!(rows.iter().all(|b| b == "avoid"), "{tag}: {rows:?}");
        let heads = js(
            &c,
            "return [...document.querySelectorAll('main thead')].map(h => getComputedStyle(h).display)",
        )
        .await;
        assert!(
            heads
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d == "table-header-group"),
            "{tag}: {heads:?}"
        );
        let width = js(&c, "return document.documentElement.scrollWidth").await;
        assert!(width.as_u64().unwrap() <= 794, "{tag}: {width} px wide");
        let pdf = c
            .issue_cmd(Cdp(
                "Page.printToPDF",
                serde_json::json!({"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": false}),
            ))
            .await
            .unwrap();
        let data = pdf["data"].as_str().unwrap_or_default();
        assert!(data.len() > 1000, "{tag}: no PDF");
        screenshot(&c, &format!("{tag}-print-a4")).await;
        c.close().await.unwrap();
    }
}
