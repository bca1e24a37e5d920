//! E-mail notifications through a real SMTP exchange with a local receiver: the right people,
//! no personal text, the calendar file, the recipient's language, the daily digest, retries
//! after the receiver was down, one message per notice with two workers, and nothing queued
//! when no mail server is configured.

use crate::helpers::*;
use crate::smtp::{free_port, Receiver};
use renkei::config::{MailSettings, Settings, SmtpUrl};
use renkei::demo::{CASE_SATO, CASE_SUZUKI, HIKARI, SAKURA};
use reqwest::StatusCode;
use sqlx::PgPool;
use std::time::{Duration, Instant};
use uuid::Uuid;

const BASE: &str = "https://renkei.example.jp";

fn mail_settings(smtp: &str) -> Settings {
    Settings {
        base_url: Some(BASE.to_string()),
        mail: MailSettings {
            smtp: Some(SmtpUrl::parse(smtp).unwrap()),
            from: "Renkei <renkei@example.jp>".to_string(),
            poll: Duration::from_millis(100),
        },
        ..test_settings()
    }
}

/// The demo's referral of 佐藤 花子 to ひかり, with its visit scheduled.
async fn visit_scheduled(pool: &PgPool) -> Uuid {
    sqlx::query_scalar("SELECT id FROM referral WHERE case_id = $1 AND state = 'visit_scheduled'")
        .bind(CASE_SATO)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn accept(app: &TestApp, referral: Uuid) {
    let hikari = app.browser();
    hikari.login("sabikan@hikari.example").await;
    let start = (renkei::domain::dates::today_tokyo() + chrono::Duration::days(10)).to_string();
    let started = Instant::now();
    let res = hikari
        .post(
            &format!("/referrals/{referral}/transition"),
            &[("to", "accepted"), ("service_start", start.as_str())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    assert!(started.elapsed() < Duration::from_secs(5));
}

async fn sakura_staff(pool: &PgPool) -> Vec<String> {
    let mut v: Vec<String> = sqlx::query_scalar(
        "SELECT u.email FROM membership m JOIN app_user u ON u.id = m.user_id
          WHERE m.agency_id = $1 AND u.active ORDER BY 1",
    )
    .bind(SAKURA)
    .fetch_all(pool)
    .await
    .unwrap();
    v.sort();
    v
}

fn assert_no_personal_text(all: &str) {
    for name in ["佐藤", "花子", "鈴木", "一郎", "サトウ", "ハナコ"] {
        assert!(
            !all.contains(name),
            "a mail names the person ({name}): {all}"
        );
    }
}

#[sqlx::test]
async fn an_accepted_referral_mails_the_senders_people_without_personal_text(pool: PgPool) {
    let receiver = Receiver::start().await;
    let app = TestApp::spawn_with(pool, mail_settings(&receiver.url())).await;
    let referral = visit_scheduled(&app.pool).await;
    accept(&app, referral).await;
    let expected = sakura_staff(&app.pool).await;
    let got = receiver.wait_for(expected.len()).await;
    let mut to: Vec<String> = got.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, expected, "each of the clinic's people, once");
    for m in &got {
        assert_eq!(m.from, "renkei@example.jp");
        let d = m.decoded();
        assert!(
            d.subject.contains("紹介の利用が決まりました"),
            "{}",
            d.subject
        );
        assert!(d.text.contains("ひかり就労移行支援センター"), "{}", d.text);
        assert!(
            d.text.contains(&format!("{BASE}/referrals/{referral}")),
            "{}",
            d.text
        );
        assert_no_personal_text(&d.everything());
    }
    let unsent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND kind = 'referral_accepted'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(unsent, 0, "every notice marked sent");
}

#[sqlx::test]
async fn a_meeting_invitation_carries_its_calendar_file_in_the_readers_language(pool: PgPool) {
    let receiver = Receiver::start().await;
    let app = TestApp::spawn_with(pool, mail_settings(&receiver.url())).await;
    // psw@ reads Renkei in English: its mails come in English
    let psw = app.browser();
    psw.login("psw@sakura.example").await;
    let mut form: Vec<(String, String)> = renkei::domain::notice::Kind::ALL
        .iter()
        .map(|k| (format!("mode_{}", k.code()), "immediate".to_string()))
        .collect();
    form.push(("digest_at".into(), "08:00".into()));
    let res = psw
        .client
        .post(psw.url("/account/notifications"))
        .header("accept-language", "en")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let minato = app.browser();
    minato.login("shugyo@minato.example").await;
    let date = (renkei::domain::dates::today_tokyo() + chrono::Duration::days(3)).to_string();
    let mut f: Vec<(String, String)> = vec![
        ("purpose".into(), "support_plan".into()),
        ("date".into(), date),
        ("time".into(), "13:30".into()),
        ("duration".into(), "60".into()),
        ("place".into(), "みなとセンター 会議室".into()),
    ];
    f.extend([SAKURA, HIKARI].map(|a| ("invite".to_string(), a.to_string())));
    let res = minato
        .client
        .post(minato.url(&format!("/cases/{CASE_SUZUKI}/meetings")))
        .form(&f)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let meeting = location(&res);
    let invited: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT m.user_id) FROM membership m JOIN app_user u ON u.id = m.user_id
          WHERE m.agency_id = ANY ($1) AND u.active AND u.participant_case_id IS NULL",
    )
    .bind(vec![SAKURA, HIKARI])
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let got = receiver.wait_for(invited as usize).await;
    assert_eq!(got.len() as i64, invited, "one mail per invited person");
    assert!(
        !got.iter()
            .any(|m| m.to.iter().any(|t| t.ends_with("@minato.example"))),
        "the convener's office is not told of its own meeting"
    );
    for m in &got {
        let d = m.decoded();
        let (kind, ics) = d
            .attachments
            .iter()
            .find(|(k, _)| k == "text/calendar")
            .expect("the calendar file is attached");
        assert_eq!(kind, "text/calendar");
        assert!(
            ics.contains("BEGIN:VEVENT") && ics.contains("DTSTART"),
            "{ics}"
        );
        assert!(d.text.contains(&format!("{BASE}{meeting}")), "{}", d.text);
        assert_no_personal_text(&d.everything());
        if m.to == ["psw@sakura.example"] {
            assert!(
                d.subject.contains("Case meeting invitation"),
                "{}",
                d.subject
            );
            assert!(d.text.contains("invites you"), "{}", d.text);
        } else {
            assert!(d.subject.contains("ケース会議のご案内"), "{}", d.subject);
        }
    }
}

#[sqlx::test]
async fn a_digest_gathers_a_days_notices_in_one_mail(pool: PgPool) {
    let receiver = Receiver::start().await;
    let app = TestApp::spawn_with(pool, mail_settings(&receiver.url())).await;
    let st = app.browser();
    st.login("st@sakura.example").await;
    let mut form: Vec<(String, String)> = renkei::domain::notice::Kind::ALL
        .iter()
        .map(|k| (format!("mode_{}", k.code()), "digest".to_string()))
        .collect();
    form.push(("digest_at".into(), "07:45".into()));
    let res = st
        .client
        .post(st.url("/account/notifications"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = body(st.get("/account/notifications").await).await;
    assert!(page.contains("value=\"07:45\""), "the time is kept");

    accept(&app, visit_scheduled(&app.pool).await).await;
    // a second notice for st@, of another kind
    let st_id: Uuid =
        sqlx::query_scalar("SELECT id FROM app_user WHERE email = 'st@sakura.example'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let waiting: Vec<(String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
        "SELECT mode, due_at FROM outbox
          WHERE user_id = $1 AND sent_at IS NULL AND kind = 'referral_accepted'",
    )
    .bind(st_id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(waiting.len(), 1, "st@'s notice waits for the digest");
    assert_eq!(waiting[0].0, "digest");
    let expected = renkei::domain::notice::next_digest(
        chrono::Utc::now(),
        chrono::NaiveTime::from_hms_opt(7, 45, 0).unwrap(),
    );
    assert!(
        (waiting[0].1 - expected).num_seconds().abs() < 60,
        "due at the next 07:45 in Tokyo"
    );
    let mut conn = app.pool.acquire().await.unwrap();
    renkei::db::notices::enqueue(
        &mut conn,
        &renkei::db::notices::Notice {
            kind: renkei::domain::notice::Kind::ItemDue,
            recipients: &[st_id],
            args: serde_json::json!({ "agency": "さくら通りクリニック", "due_on": "2026-12-02" }),
            link: format!("/cases/{CASE_SATO}/tasks"),
            ics: None,
            dedupe: None,
        },
    )
    .await
    .unwrap();
    // the others got theirs at once; st@ nothing yet
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(!receiver
        .received()
        .iter()
        .any(|m| m.to == ["st@sakura.example"]));
    // the digest time comes (with it, whatever reminders of the demo's dates st@ has)
    let theirs: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE user_id = $1 AND sent_at IS NULL")
            .bind(st_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(theirs >= 2);
    sqlx::query("UPDATE outbox SET due_at = now() WHERE user_id = $1")
        .bind(st_id)
        .execute(&app.pool)
        .await
        .unwrap();
    let before = receiver.received().len();
    let got = receiver.wait_for(before + 1).await;
    let digests: Vec<_> = got
        .iter()
        .filter(|m| m.to == ["st@sakura.example"])
        .collect();
    assert_eq!(digests.len(), 1, "one mail for the day");
    let d = digests[0].decoded();
    assert!(d.subject.contains(&format!("{theirs}件")), "{}", d.subject);
    assert_eq!(d.text.matches("・").count() as i64, theirs, "{}", d.text);
    assert!(d.text.contains("紹介を受け入れました"), "{}", d.text);
    assert!(
        d.text.contains("2026年12月2日") || d.text.contains("2026/12/02"),
        "{}",
        d.text
    );
    assert_no_personal_text(&d.everything());
}

#[sqlx::test]
async fn a_mail_server_that_is_down_loses_nothing_and_slows_nothing(pool: PgPool) {
    let port = free_port();
    let app = TestApp::spawn_with(pool, mail_settings(&format!("smtp://127.0.0.1:{port}"))).await;
    let referral = visit_scheduled(&app.pool).await;
    // the change is made and answered at once although no mail server answers
    accept(&app, referral).await;
    let expected = sakura_staff(&app.pool).await;
    let mut failed = 0i64;
    for _ in 0..100 {
        failed = sqlx::query_scalar(
            "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND attempts > 0
                AND last_error IS NOT NULL AND due_at > now() AND kind = 'referral_accepted'",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
        if failed == expected.len() as i64 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(failed, expected.len() as i64, "each waits for a retry");
    // the server comes back; the retry time comes
    let receiver = Receiver::start_on(port).await;
    sqlx::query(
        "UPDATE outbox SET due_at = now() WHERE sent_at IS NULL AND kind = 'referral_accepted'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let got = receiver.wait_for(expected.len()).await;
    let mut to: Vec<String> = got.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, expected, "every notice arrives, once");
    let attempts: Vec<i32> = sqlx::query_scalar(
        "SELECT attempts FROM outbox WHERE sent_at IS NOT NULL AND kind = 'referral_accepted'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(attempts.iter().all(|a| *a >= 1), "{attempts:?}");
}

#[sqlx::test]
async fn two_workers_send_each_notice_once(pool: PgPool) {
    let receiver = Receiver::start().await;
    let settings = mail_settings(&receiver.url());
    let app = TestApp::spawn_with(pool.clone(), settings.clone()).await;
    let _second = TestApp::spawn_bare(pool, settings).await;
    // many notices at once for both workers to share
    let users: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM app_user WHERE active AND participant_case_id IS NULL AND NOT is_admin",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let mut conn = app.pool.acquire().await.unwrap();
    for i in 0..10 {
        renkei::db::notices::enqueue(
            &mut conn,
            &renkei::db::notices::Notice {
                kind: renkei::domain::notice::Kind::ReferralReceived,
                recipients: &users,
                args: serde_json::json!({ "agency": format!("機関{i}") }),
                link: "/referrals".to_string(),
                ics: None,
                dedupe: None,
            },
        )
        .await
        .unwrap();
    }
    let n = users.len() * 10;
    let got = receiver.wait_for(n).await;
    assert_eq!(got.len(), n, "each notice once, whichever worker sent it");
}

#[sqlx::test]
async fn reminders_are_queued_once_a_day_and_nothing_without_a_mail_server(pool: PgPool) {
    renkei::demo::load(&pool).await.unwrap();
    // without a mail server no notice is made by a change
    let app = TestApp::spawn_bare(pool.clone(), test_settings()).await;
    accept(&app, visit_scheduled(&pool).await).await;
    let queued: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(queued, 0, "mail off: nothing queued");
    let admin = app.browser();
    admin.login("admin@renkei.example").await;
    let page = body(admin.get("/admin/mail").await).await;
    assert!(
        page.contains("RENKEI_SMTP_URL"),
        "the admin page says mail is off"
    );
    let settings = body(admin.get("/account/notifications").await).await;
    assert!(settings.contains("id=\"mail-off\""));

    // the daily sweep: what is due tomorrow or overdue, and consents about to expire; a
    // support plan's review that falls due tomorrow comes as its own kind
    let review: Uuid = sqlx::query_scalar(
        "UPDATE task SET due_on = $1
          WHERE id = (SELECT id FROM task WHERE source LIKE 'plan-review:%' AND status = 'open'
                       ORDER BY due_on LIMIT 1)
          RETURNING case_id",
    )
    .bind(renkei::domain::dates::today_tokyo() + chrono::Duration::days(1))
    .fetch_one(&pool)
    .await
    .expect("the demo has a plan review to come");
    let first = renkei::mail::sweep(&pool).await.unwrap();
    let again = renkei::mail::sweep(&pool).await.unwrap();
    assert!(first > 0, "the demo has something due");
    assert_eq!(again, 0, "each reminder once a day");
    let texts: Vec<serde_json::Value> = sqlx::query_scalar("SELECT args FROM outbox")
        .fetch_all(&pool)
        .await
        .unwrap();
    for a in &texts {
        let keys: Vec<&String> = a.as_object().unwrap().keys().collect();
        assert!(
            keys.iter().all(|k| *k == "agency" || *k == "due_on"),
            "only an agency and a date: {a}"
        );
    }
    let reviews: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT link FROM outbox WHERE kind = 'plan_review_due'")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(reviews, vec![format!("/cases/{review}/plans")]);
    // every link leads to a page its reader can open
    let links: Vec<(String, String)> = sqlx::query_as(
        "SELECT DISTINCT ON (o.link) o.link, u.email FROM outbox o
           JOIN app_user u ON u.id = o.user_id
          WHERE NOT EXISTS (SELECT 1 FROM second_factor f
                             WHERE f.user_id = u.id AND f.enabled_at IS NOT NULL)
            AND (SELECT count(*) FROM membership x WHERE x.user_id = u.id) = 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(!links.is_empty());
    for (link, email) in links {
        let reader = app.browser();
        reader.login(&email).await;
        assert_eq!(
            reader.get(&link).await.status(),
            StatusCode::OK,
            "{email} {link}"
        );
    }
}

/// The users of `agency`, by email.
async fn members_of(pool: &PgPool, agency: Uuid, role: Option<&str>) -> Vec<String> {
    let mut v: Vec<String> = sqlx::query_scalar(
        "SELECT u.email FROM membership m JOIN app_user u ON u.id = m.user_id
          WHERE m.agency_id = $1 AND u.active AND ($2::text IS NULL OR m.role = $2) ORDER BY 1",
    )
    .bind(agency)
    .bind(role)
    .fetch_all(pool)
    .await
    .unwrap();
    v.sort();
    v
}

/// Sets `kind` to immediate for every user of `agency`.
async fn immediately(pool: &PgPool, agency: Uuid, kind: &str) {
    sqlx::query(
        "INSERT INTO notify_pref (user_id, kind, mode)
         SELECT user_id, $2, 'immediate' FROM membership WHERE agency_id = $1
         ON CONFLICT (user_id, kind) DO UPDATE SET mode = 'immediate'",
    )
    .bind(agency)
    .bind(kind)
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test]
async fn an_issued_report_mails_the_employers_people_and_no_one_else(pool: PgPool) {
    use renkei::demo::{CASE_TANAKA, MIDORI};
    let receiver = Receiver::start().await;
    let app = TestApp::spawn_with(pool, mail_settings(&receiver.url())).await;
    immediately(&app.pool, MIDORI, "report_awaiting").await;
    let aoba = app.browser();
    aoba.login("teichaku@aoba.example").await;
    let last = renkei::domain::dates::add_months_clamped(renkei::domain::dates::today_tokyo(), -1);
    let month = format!(
        "{}-{:02}",
        chrono::Datelike::year(&last),
        chrono::Datelike::month(&last)
    );
    let res = aoba
        .post(
            &format!("/cases/{CASE_TANAKA}/reports"),
            &[
                ("month", month.as_str()),
                ("activity", "面談1回"),
                ("situation", "田中さんは出勤が安定している"),
                ("support", "面談"),
                ("requests", "指示の出し方"),
                ("next_steps", "継続"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    let report = location(&res).rsplit('/').next().unwrap().to_string();
    // a draft tells no one
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(receiver.received().is_empty(), "a draft mails no one");
    let res = aoba
        .post(&format!("/cases/{CASE_TANAKA}/reports/{report}/issue"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    let expected = members_of(&app.pool, MIDORI, None).await;
    assert!(!expected.is_empty());
    let got = receiver.wait_for(expected.len()).await;
    let mut to: Vec<String> = got.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(
        to, expected,
        "the employer's users, once each, and no one else"
    );
    for m in &got {
        let d = m.decoded();
        assert!(
            d.subject.contains("支援レポートの確認をお願いします"),
            "{}",
            d.subject
        );
        assert!(d.text.contains("あおば就労定着支援事業所"), "{}", d.text);
        assert!(
            d.text
                .contains(&format!("{BASE}/cases/{CASE_TANAKA}/reports/{report}")),
            "{}",
            d.text
        );
        let all = d.everything();
        for name in ["田中", "健", "タナカ", "出勤が安定", "指示の出し方"] {
            assert!(
                !all.contains(name),
                "a mail carries personal text ({name}): {all}"
            );
        }
    }
}

#[sqlx::test]
async fn three_bad_days_mail_only_the_leads_coordinators_once(pool: PgPool) {
    use renkei::demo::{CASE_TAKAHASHI, PARTICIPANT_EMAIL};
    let receiver = Receiver::start().await;
    let app = TestApp::spawn_with(pool, mail_settings(&receiver.url())).await;
    // the demo's 高橋 美咲 had three bad days up to yesterday; today's report is bad too
    let person = app.browser();
    person.login(PARTICIPANT_EMAIL).await;
    let today = renkei::domain::dates::today_tokyo().to_string();
    let bad = [
        ("day", today.as_str()),
        ("sleep_hours", "4"),
        ("sleep_quality", "1"),
        ("medication_taken", "yes"),
        ("appetite", "2"),
        ("fatigue_recovered", "no"),
        ("mood", "1"),
        ("note", "眠れず、仕事がつらい"),
    ];
    let res = person.post("/me/daily", &bad).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    let expected = members_of(&app.pool, HIKARI, Some("coordinator")).await;
    assert!(!expected.is_empty());
    let got = receiver.wait_for(expected.len()).await;
    let mut to: Vec<String> = got.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, expected, "only the lead agency's coordinators");
    for m in &got {
        let d = m.decoded();
        assert!(
            d.subject.contains("日報で不調が続いています"),
            "{}",
            d.subject
        );
        assert!(
            d.text
                .contains(&format!("{BASE}/cases/{CASE_TAKAHASHI}/daily")),
            "{}",
            d.text
        );
        let all = d.everything();
        for word in ["高橋", "美咲", "眠れず", "つらい", "眠れなかった"] {
            assert!(
                !all.contains(word),
                "a mail carries personal text ({word}): {all}"
            );
        }
    }
    // the same run of bad days is announced once: today's report entered again (by the
    // lead's staff, after it was removed) queues nothing more
    let queued = |pool: PgPool| async move {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM outbox WHERE kind = 'bad_days'")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert_eq!(queued(app.pool.clone()).await, expected.len() as i64);
    sqlx::query("DELETE FROM daily_report WHERE case_id = $1 AND day = $2::date")
        .bind(CASE_TAKAHASHI)
        .bind(&today)
        .execute(&app.pool)
        .await
        .unwrap();
    let staff = app.browser();
    staff.login("staff@hikari.example").await;
    let res = staff
        .post(&format!("/cases/{CASE_TAKAHASHI}/daily"), &bad)
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    assert_eq!(queued(app.pool.clone()).await, expected.len() as i64);
}
