//! Two `renkei serve` processes on one database are interchangeable: whatever one of them
//! knows lives in PostgreSQL, so a session, a change, a read mark, a logout, the mail outbox
//! and the login limits hold across both at once, as they would behind a load balancer.

use crate::helpers::*;
use renkei::demo::CASE_SUZUKI;
use reqwest::{Client, StatusCode};
use sqlx::PgPool;
use std::process::{Command, Stdio};
use uuid::Uuid;

/// A server process, killed when the test ends (even on a panic).
struct Server {
    child: std::process::Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    async fn start(database_url: &str, smtp: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_renkei"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", database_url)
            .env("RENKEI_SMTP_URL", smtp)
            .env("RENKEI_BASE_URL", "https://renkei.example.jp")
            .env_remove("RENKEI_TRUSTED_PROXIES")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let probe = Client::new();
        for _ in 0..300 {
            if probe
                .get(format!("{}/healthz", server.base))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the server on port {port} did not start");
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// One browser's cookie jar; cookies do not carry the port, so it is the same on both servers.
fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn login(c: &Client, on: &Server, email: &str, password: &str) -> StatusCode {
    c.post(on.url("/login"))
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
}

async fn page(c: &Client, on: &Server, path: &str) -> (StatusCode, String) {
    let res = c.get(on.url(path)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

/// The header's unread count as the page shows it (0 when there is no mark).
fn unread(page: &str) -> u32 {
    page.split_once(r#"<mark id="unread-count""#)
        .and_then(|(_, rest)| rest.split_once('>'))
        .and_then(|(_, rest)| rest.split_once('<'))
        .map(|(n, _)| n.trim_end_matches('+').parse().unwrap())
        .unwrap_or(0)
}

/// The test's own database, for the servers to connect to.
async fn database_url(pool: &PgPool) -> String {
    let db: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(pool)
        .await
        .unwrap();
    let mut url = url::Url::parse(&std::env::var("DATABASE_URL").unwrap()).unwrap();
    url.set_path(&format!("/{db}"));
    url.to_string()
}

#[sqlx::test]
async fn two_processes_on_one_database_share_sessions_changes_and_limits(pool: PgPool) {
    renkei::demo::load(&pool).await.unwrap();
    let url = database_url(&pool).await;
    let mail = crate::smtp::Receiver::start().await;
    let a = Server::start(&url, &mail.url()).await;
    let b = Server::start(&url, &mail.url()).await;

    // a session made on one works on the other
    let writer = browser();
    assert_eq!(
        login(&writer, &a, "sabikan@hikari.example", PASSWORD).await,
        StatusCode::SEE_OTHER
    );
    let (status, case_page) = page(&writer, &b, &format!("/cases/{CASE_SUZUKI}")).await;
    assert_eq!(status, StatusCode::OK, "the session from A is known to B");
    assert!(case_page.contains("鈴木"), "B shows the case");

    // a change on one shows at once on the other, for another user, and so does the read mark
    let reader = browser();
    assert_eq!(
        login(&reader, &b, "ot@sakura.example", PASSWORD).await,
        StatusCode::SEE_OTHER
    );
    let (_, home) = page(&reader, &a, "/").await;
    let unread_before = unread(&home);
    let team: Vec<Uuid> = sqlx::query_scalar(
        "SELECT agency_id FROM case_agency WHERE case_id = $1 AND left_on IS NULL",
    )
    .bind(CASE_SUZUKI)
    .fetch_all(&pool)
    .await
    .unwrap();
    let text = format!("二つの窓口から見える記録 {}", Uuid::now_v7());
    let mut form: Vec<(&str, String)> = vec![
        ("kind", "progress".into()),
        ("category", "training".into()),
        ("body", text.clone()),
    ];
    for agency in &team {
        form.push(("share", agency.to_string()));
    }
    let res = writer
        .post(a.url(&format!("/cases/{CASE_SUZUKI}/entries")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "the entry is written on A"
    );
    let (_, home) = page(&reader, &a, "/").await;
    assert_eq!(unread(&home), unread_before + 1, "A counts the new entry");
    let (status, timeline) = page(&reader, &b, &format!("/cases/{CASE_SUZUKI}/timeline")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(timeline.contains(&text), "B shows the entry written on A");
    let (_, home) = page(&reader, &a, "/").await;
    assert!(
        unread(&home) < unread_before + 1,
        "the read mark made on B counts on A at once"
    );

    // both processes' mail workers share the outbox: each notice goes out once. A meeting
    // scheduled on A tells the invited agencies' people, one mail each.
    let date = (renkei::domain::dates::today_tokyo() + chrono::Duration::days(4)).to_string();
    let mut meeting: Vec<(&str, String)> = vec![
        ("purpose", "support_plan".into()),
        ("date", date),
        ("time", "11:15".into()),
        ("duration", "60".into()),
        ("place", "ひかり就労移行支援センター 相談室".into()),
    ];
    meeting.push(("invite", renkei::demo::SAKURA.to_string()));
    let res = writer
        .post(a.url(&format!("/cases/{CASE_SUZUKI}/meetings")))
        .form(&meeting)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "the meeting is scheduled on A"
    );
    let told: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE kind = 'meeting_invited'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(told > 0);
    let got = mail.wait_for(told as usize).await;
    let invitations: Vec<&crate::smtp::Received> = got
        .iter()
        .filter(|m| m.decoded().subject.contains("ケース会議のご案内"))
        .collect();
    let mut to: Vec<&String> = invitations.iter().flat_map(|m| &m.to).collect();
    let all = to.len();
    to.sort();
    to.dedup();
    assert_eq!(
        all as i64, told,
        "one mail per notice, whichever process sent it"
    );
    assert_eq!(to.len(), all, "nobody got the same invitation twice");

    // a logout on one ends the session on the other
    let res = writer.post(b.url("/logout")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = writer
        .get(a.url(&format!("/cases/{CASE_SUZUKI}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "A no longer knows the session"
    );
    assert!(location(&res).starts_with("/login"), "{}", location(&res));

    // the login limits hold across both: five wrong passwords, alternating, then the lock
    let guesser = browser();
    for i in 0..6 {
        let on = if i % 2 == 0 { &a } else { &b };
        let status = login(&guesser, on, "st@sakura.example", "not-the-password-1").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    for on in [&a, &b] {
        let status = login(&guesser, on, "st@sakura.example", PASSWORD).await;
        assert_eq!(
            status,
            StatusCode::TOO_MANY_REQUESTS,
            "the lock started by both holds on each"
        );
    }
}
