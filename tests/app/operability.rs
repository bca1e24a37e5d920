//! What an operator reads: the server's log, one plain line per request.

use sqlx::PgPool;
use std::io::Read;
use std::process::{Command, Stdio};

/// The server process, killed if the test fails before it is stopped.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[sqlx::test]
async fn the_server_log_has_one_plain_line_per_request(pool: PgPool) {
    let db: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&pool)
        .await
        .unwrap();
    let mut url = url::Url::parse(&std::env::var("DATABASE_URL").unwrap()).unwrap();
    url.set_path(&format!("/{db}"));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Server(
        Command::new(env!("CARGO_BIN_EXE_renkei"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", url.as_str())
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut up = false;
    for _ in 0..300 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(up, "the server started");
    let login = client.get(format!("{base}/login")).send().await.unwrap();
    assert_eq!(login.status(), 200);
    let missing = client
        .get(format!("{base}/cases/not-a-case?q=secret-word"))
        .send()
        .await
        .unwrap();
    assert!(missing.status().is_redirection() || missing.status().is_client_error());
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    // a polite stop, as systemd would ask
    Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status()
        .unwrap();
    let mut log = String::new();
    server
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(server.0.wait().unwrap().success(), "exit 0 after SIGTERM");
    // the server's connections are gone before the test's database is dropped
    for _ in 0..100 {
        let others: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity
             WHERE datname = current_database() AND application_name <> 'sqlx-test'
               AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        if others == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        !log.contains('\u{1b}'),
        "no colour codes in a log that is not a terminal:\n{log}"
    );
    let login_lines: Vec<&str> = log.lines().filter(|l| l.contains("route=/login")).collect();
    assert_eq!(login_lines.len(), 1, "one line for the request:\n{log}");
    let line = login_lines[0];
    for part in ["method=GET", "status=200", "request_id=", "latency="] {
        assert!(line.contains(part), "{part} in {line}");
    }
    assert!(
        !log.contains("secret-word"),
        "no query text in the log:\n{log}"
    );
    assert!(
        !log.contains("not-a-case"),
        "the route, not the path:\n{log}"
    );
}
