//! Faults under load. While signed-in users write progress entries and read the case page,
//! PostgreSQL's backends are killed, the pool is exhausted by requests stuck behind a lock,
//! the server is stopped hard and started again, and the process itself is stopped with
//! SIGTERM. Every error a user sees is a 503 that came within 5 s; every write that answered
//! 303 is in the database afterwards with its audit row; Renkei recovers by itself.

use crate::helpers::*;
use renkei::demo::CASE_SUZUKI;
use renkei::pg::Cluster;
use reqwest::{Client, StatusCode};
use sqlx::{Connection, PgConnection, PgPool};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

const WRITER: &str = "sabikan@hikari.example";
/// The longest a 503 may take (SPEC: pool exhausted or database down → 503 within 5 s).
const UNAVAILABLE_WITHIN: Duration = Duration::from_secs(5);
/// A request with no answer after this long has hung.
const HUNG: Duration = Duration::from_secs(20);

/// What the load saw.
#[derive(Default, Debug)]
struct Tally {
    requests: u64,
    ok: u64,
    unavailable: u64,
    other_5xx: u64,
    /// Any other status (a login redirect, a 4xx): none is expected.
    unexpected: Vec<u16>,
    /// No answer: refused, reset, or hung.
    no_answer: u64,
    hung: u64,
    late_503: u64,
    slowest_503: Duration,
    /// Successes that took longer than `UNAVAILABLE_WITHIN` (held behind a lock on purpose).
    slow_ok: u64,
    /// Entries whose write answered 303: (entry id, body).
    written: Vec<(Uuid, String)>,
}

impl Tally {
    fn record(
        &mut self,
        took: Duration,
        res: Result<reqwest::Response, reqwest::Error>,
        body: Option<&str>,
    ) {
        self.requests += 1;
        let res = match res {
            Ok(r) => r,
            Err(e) => {
                self.no_answer += 1;
                if e.is_timeout() {
                    self.hung += 1;
                }
                return;
            }
        };
        let status = res.status();
        match status {
            StatusCode::OK | StatusCode::SEE_OTHER => {
                if status == StatusCode::SEE_OTHER {
                    let to = location(&res);
                    match (body, to.split_once("#entry-")) {
                        (Some(b), Some((_, id))) => self
                            .written
                            .push((Uuid::parse_str(id).unwrap(), b.to_string())),
                        (None, None) => {}
                        _ => return self.unexpected.push(303),
                    }
                }
                self.ok += 1;
                if took > UNAVAILABLE_WITHIN {
                    self.slow_ok += 1;
                }
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                self.unavailable += 1;
                self.slowest_503 = self.slowest_503.max(took);
                if took > UNAVAILABLE_WITHIN {
                    self.late_503 += 1;
                }
            }
            s if s.is_server_error() => self.other_5xx += 1,
            s => self.unexpected.push(s.as_u16()),
        }
    }
}

/// Signed-in users reading and writing until told to stop.
struct Load {
    stop: Arc<AtomicBool>,
    tally: Arc<Mutex<Tally>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

fn load_client() -> Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(HUNG)
        .build()
        .unwrap()
}

async fn signed_in(base: &str) -> Client {
    let c = load_client();
    let res = c
        .post(format!("{base}/login"))
        .form(&[("email", WRITER), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "login");
    c
}

impl Load {
    async fn start(base: &str, workers: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let tally = Arc::new(Mutex::new(Tally::default()));
        let mut tasks = vec![];
        for w in 0..workers {
            let client = signed_in(base).await;
            let (base, stop, tally) = (base.to_string(), stop.clone(), tally.clone());
            tasks.push(tokio::spawn(async move {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let body = format!("負荷 {w}-{i} {}", Uuid::now_v7());
                    let started = Instant::now();
                    let res = client
                        .post(format!("{base}/cases/{CASE_SUZUKI}/entries"))
                        .form(&[
                            ("kind", "progress"),
                            ("category", "training"),
                            ("body", &body),
                        ])
                        .send()
                        .await;
                    let took = started.elapsed();
                    tally.lock().unwrap().record(took, res, Some(&body));
                    let page = if i % 2 == 0 {
                        format!("{base}/cases/{CASE_SUZUKI}")
                    } else {
                        format!("{base}/")
                    };
                    let started = Instant::now();
                    let res = client.get(page).send().await;
                    let took = started.elapsed();
                    tally.lock().unwrap().record(took, res, None);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }));
        }
        Load { stop, tally, tasks }
    }

    async fn stop(self) -> Tally {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.tasks {
            t.await.unwrap();
        }
        Arc::try_unwrap(self.tally).unwrap().into_inner().unwrap()
    }

    fn requests(&self) -> u64 {
        self.tally.lock().unwrap().requests
    }

    /// Waits until the load has made `more` further requests.
    async fn run_for(&self, more: u64) {
        let target = self.requests() + more;
        while self.requests() < target {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Writes that answered 303 but whose entry or audit row is missing.
async fn lost_writes(pool: &PgPool, written: &[(Uuid, String)]) -> usize {
    let mut lost = 0;
    for (id, body) in written {
        let (entry, audit): (bool, bool) = sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM entry WHERE id = $1 AND body = $2 AND case_id = $3),
                    EXISTS (SELECT 1 FROM audit_log WHERE target_id = $1 AND case_id = $3
                            AND action = 'entry.create' AND outcome = 'ok')",
        )
        .bind(id)
        .bind(body)
        .bind(CASE_SUZUKI)
        .fetch_one(pool)
        .await
        .unwrap();
        if !(entry && audit) {
            lost += 1;
        }
    }
    lost
}

/// The page answers again, by itself, within `limit`.
async fn recovers(base: &str, limit: Duration) -> Duration {
    let client = signed_in_eventually(base, limit).await;
    let started = Instant::now();
    loop {
        let res = client
            .get(format!("{base}/cases/{CASE_SUZUKI}"))
            .send()
            .await;
        if res.is_ok_and(|r| r.status() == StatusCode::OK) {
            return started.elapsed();
        }
        assert!(started.elapsed() < limit, "the app did not recover");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn signed_in_eventually(base: &str, limit: Duration) -> Client {
    let started = Instant::now();
    loop {
        let c = load_client();
        let res = c
            .post(format!("{base}/login"))
            .form(&[("email", WRITER), ("password", PASSWORD)])
            .send()
            .await;
        if res.is_ok_and(|r| r.status() == StatusCode::SEE_OTHER) {
            return c;
        }
        assert!(started.elapsed() < limit, "no login after the fault");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn report(fault: &str, injected: u64, t: &Tally, lost: usize) {
    println!(
        "faults[{fault}]: injected {injected}, requests {}, ok {}, 503 {} (slowest {} ms), \
         other 5xx {}, no answer {}, writes confirmed {}, lost writes {lost}",
        t.requests,
        t.ok,
        t.unavailable,
        t.slowest_503.as_millis(),
        t.other_5xx,
        t.no_answer,
        t.written.len(),
    );
}

/// What must hold after every fault while the app kept running.
fn assert_sound(t: &Tally, lost: usize) {
    assert_eq!(t.other_5xx, 0, "{t:?}");
    assert!(t.unexpected.is_empty(), "{:?}", t.unexpected);
    assert_eq!(t.no_answer, 0, "every request got an answer: {t:?}");
    assert_eq!(t.late_503, 0, "every 503 within 5 s: {t:?}");
    assert_eq!(lost, 0, "every 303 has its row and its audit row");
    assert!(!t.written.is_empty(), "some writes succeeded: {t:?}");
}

/// The app with a pool of its own (so that the test's checks do not share it).
async fn app_with_pool(pool: &PgPool, size: u32) -> TestApp {
    renkei::demo::load(pool).await.unwrap();
    // the app's own role, with a pool of `size`; the test keeps the owner's pool for checks
    let own = app_pool_of_size(pool, size);
    TestApp::serve_with(pool.clone(), renkei::AppState::new(own, test_settings())).await
}

#[sqlx::test]
async fn killed_backends_under_load_give_503_and_lose_no_write(pool: PgPool) {
    let app = app_with_pool(&pool, 4).await;
    let base = app.url("");
    let load = Load::start(&base, 3).await;
    load.run_for(20).await;
    let mut killer = pool.acquire().await.unwrap();
    let mut killed = 0u64;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(3) {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()
               AND backend_type = 'client backend'",
        )
        .fetch_one(&mut *killer)
        .await
        .unwrap();
        killed += n as u64;
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    drop(killer);
    let back = recovers(&base, Duration::from_secs(10)).await;
    load.run_for(20).await;
    let t = load.stop().await;
    let lost = lost_writes(&pool, &t.written).await;
    report("pg_terminate_backend", killed, &t, lost);
    println!(
        "faults[pg_terminate_backend]: recovered in {} ms",
        back.as_millis()
    );
    assert!(killed > 10, "backends were killed: {killed}");
    assert_sound(&t, lost);
}

#[sqlx::test]
async fn an_exhausted_pool_answers_503_within_5_s_and_recovers(pool: PgPool) {
    // two connections, both soon stuck behind a lock on the session table
    let app = app_with_pool(&pool, 2).await;
    let base = app.url("");
    let load = Load::start(&base, 4).await;
    load.run_for(20).await;
    let episodes = 2u64;
    for _ in 0..episodes {
        let mut locker = PgConnection::connect_with(&pool.connect_options())
            .await
            .unwrap();
        let mut tx = locker.begin().await.unwrap();
        sqlx::query("LOCK TABLE session IN ACCESS EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_secs(3)).await;
        tx.commit().await.unwrap();
        load.run_for(10).await;
    }
    let back = recovers(&base, Duration::from_secs(10)).await;
    let t = load.stop().await;
    let lost = lost_writes(&pool, &t.written).await;
    report("pool exhausted", episodes, &t, lost);
    println!(
        "faults[pool exhausted]: recovered in {} ms",
        back.as_millis()
    );
    assert!(t.unavailable > 0, "the waiting requests got 503: {t:?}");
    // only the requests that held the pool's two connections waited behind the lock, and
    // answered when it went: the others had their 503 within 5 s
    let stuck = t.slow_ok + t.late_503;
    println!("faults[pool exhausted]: requests held behind the lock {stuck}");
    assert!(stuck <= 2 * 2 * episodes, "{t:?}");
    let t = Tally { late_503: 0, ..t };
    assert_sound(&t, lost);
}

fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rk-f-{}", Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `pg_ctl stop -m immediate`: what a crash or a power cut looks like to Renkei.
async fn crash(cluster: &Cluster) {
    let bindir = renkei::pg::find_bindir().await.unwrap();
    let pg_ctl = bindir.join("pg_ctl");
    let pgdata = cluster.pgdata();
    let root = std::process::Command::new("id").arg("-u").output().unwrap();
    let mut cmd = if String::from_utf8_lossy(&root.stdout).trim() == "0" {
        let mut c = tokio::process::Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(pg_ctl);
        c
    } else {
        tokio::process::Command::new(pg_ctl)
    };
    let out = cmd
        .arg("-D")
        .arg(&pgdata)
        .args(["-m", "immediate", "-w", "stop"])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// PostgreSQL processes still running for this data directory.
fn postgres_processes_for(pgdata: &Path) -> usize {
    let needle = pgdata.to_string_lossy().to_string();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .chars()
                .all(|c| c.is_ascii_digit())
        })
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .filter(|cmd| {
            let cmd = String::from_utf8_lossy(cmd).replace('\0', " ");
            cmd.contains("postgres") && cmd.contains(&needle)
        })
        .count()
}

async fn private_pool(cluster: &Cluster) -> PgPool {
    let pool = renkei::pool_options(4)
        .connect_with(renkei::session_settings(cluster.connect_options("renkei")))
        .await
        .unwrap();
    renkei::MIGRATOR.run(&pool).await.unwrap();
    pool
}

#[tokio::test]
async fn a_database_stopped_under_load_gives_503_and_renkei_recovers_by_itself() {
    let dir = tempdir();
    // a cluster as `renkei serve` makes it: with `--unsafe-fast` (synchronous_commit off) a
    // crash loses the last writes PostgreSQL had already acknowledged, and this test sees it
    let cluster = Cluster::locate(&dir, false).await.unwrap();
    cluster.start().await.unwrap();
    let pool = private_pool(&cluster).await;
    let app = TestApp::spawn(pool.clone()).await;
    let base = app.url("");
    let load = Load::start(&base, 3).await;
    load.run_for(20).await;
    let stops = 2u64;
    let mut recovery = vec![];
    for _ in 0..stops {
        crash(&cluster).await;
        assert!(!cluster.is_running().await);
        // the load runs against a database that is gone
        load.run_for(6).await;
        cluster.start().await.unwrap();
        recovery.push(recovers(&base, Duration::from_secs(15)).await);
        load.run_for(20).await;
    }
    let t = load.stop().await;
    let lost = lost_writes(&pool, &t.written).await;
    report("pg_ctl stop -m immediate", stops, &t, lost);
    println!(
        "faults[pg_ctl stop -m immediate]: recovered in {:?} ms after each start",
        recovery.iter().map(|d| d.as_millis()).collect::<Vec<_>>()
    );
    drop(app);
    pool.close().await;
    cluster.stop().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_sound(&t, lost);
    assert!(
        t.unavailable > 0,
        "the pages said 503 while it was down: {t:?}"
    );
}

/// Reads the address from the line `Renkei is running at http://ADDR/`.
async fn running_at(stdout: tokio::process::ChildStdout) -> SocketAddr {
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let addr = tokio::time::timeout(Duration::from_secs(120), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(rest) = line.strip_prefix("Renkei is running at http://") {
                return rest.trim_end_matches('/').parse().unwrap();
            }
        }
        panic!("the server ended before it listened")
    })
    .await
    .expect("the server starts");
    // keep reading, so the server never blocks on a full pipe
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    addr
}

#[tokio::test]
async fn sigterm_under_load_finishes_requests_in_flight_refuses_new_ones_and_stops_the_cluster() {
    let dir = tempdir();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_renkei"))
        .args(["serve", "--demo", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(&dir)
        .env_remove("DATABASE_URL")
        .env_remove("RENKEI_DATA_DIR")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let addr = running_at(child.stdout.take().unwrap()).await;
    let base = format!("http://{addr}");
    let cluster = Cluster::locate(&dir, false).await.unwrap();
    let load = Load::start(&base, 3).await;
    load.run_for(20).await;

    let writer = signed_in(&base).await;
    // hold the session table so that the next requests are in flight when the signal comes
    let mut locker = PgConnection::connect_with(&cluster.connect_options("renkei"))
        .await
        .unwrap();
    let mut tx = locker.begin().await.unwrap();
    sqlx::query("LOCK TABLE session IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await
        .unwrap();
    let in_flight_body = format!("終了前の記録 {}", Uuid::now_v7());
    let in_flight = tokio::spawn({
        let (writer, base, body) = (writer.clone(), base.clone(), in_flight_body.clone());
        async move {
            writer
                .post(format!("{base}/cases/{CASE_SUZUKI}/entries"))
                .form(&[
                    ("kind", "progress"),
                    ("category", "training"),
                    ("body", &body),
                ])
                .send()
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = child.id().unwrap().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    tokio::time::sleep(Duration::from_millis(300)).await;
    // no new connections once the signal came
    let refused = tokio::net::TcpStream::connect(addr).await;
    assert!(
        refused.is_err(),
        "a new connection after SIGTERM was accepted"
    );
    // the lock goes; what was in flight finishes
    tx.commit().await.unwrap();
    locker.close().await.unwrap();
    let res = in_flight
        .await
        .unwrap()
        .expect("the request in flight got its answer");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let in_flight_id = Uuid::parse_str(location(&res).split_once("#entry-").unwrap().1).unwrap();

    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("the server exits after SIGTERM")
        .unwrap();
    assert_eq!(status.code(), Some(0), "exit code");
    let mut t = load.stop().await;
    // the private cluster was stopped with the server
    assert!(!cluster.is_running().await);
    assert_eq!(postgres_processes_for(&cluster.pgdata()), 0);
    assert!(!cluster.pgdata().join("postmaster.pid").exists());

    // every write that answered 303, the one in flight included, is there with its audit row
    t.written.push((in_flight_id, in_flight_body));
    cluster.start().await.unwrap();
    let pool = renkei::pool_options(1)
        .connect_with(cluster.connect_options("renkei"))
        .await
        .unwrap();
    let lost = lost_writes(&pool, &t.written).await;
    pool.close().await;
    cluster.stop().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    report("SIGTERM", 1, &t, lost);
    assert_eq!(lost, 0);
    assert_eq!(t.other_5xx, 0, "{t:?}");
    assert!(t.unexpected.is_empty(), "{:?}", t.unexpected);
    assert_eq!(t.hung, 0, "{t:?}");
}

fn someone() -> renkei::access::SessionUser {
    renkei::access::SessionUser {
        id: Uuid::now_v7(),
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

fn who<'a>(
    user: &'a renkei::access::SessionUser,
    pool: &'a PgPool,
    request_id: &'a str,
) -> renkei::access::Who<'a> {
    renkei::access::Who {
        user,
        request_id,
        ip: "127.0.0.1",
        pool,
        mark: None,
    }
}

/// Whether the WAL is flushed as far as it is written: right after a durable commit it is;
/// after an asynchronous one the commit record waits for the WAL writer (nothing else writes
/// to this cluster).
async fn flushed(conn: &mut PgConnection) -> bool {
    sqlx::query_scalar("SELECT pg_current_wal_flush_lsn() >= pg_current_wal_insert_lsn()")
        .fetch_one(conn)
        .await
        .unwrap()
}

/// Request ids of the audit rows in the table.
async fn audited(pool: &PgPool) -> std::collections::HashSet<String> {
    sqlx::query_scalar("SELECT request_id FROM audit_log")
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

/// A page view's audit row (and its read marks) commits asynchronously, a change's durably
/// (`Who::viewed`, `Who::ok`). Crashed (`pg_ctl stop -m immediate`) while both are written,
/// PostgreSQL comes back with every change whose commit was acknowledged, and the audit
/// chain verifies intact: the WAL is flushed in order, so a durable commit also flushes every
/// view committed before it, and a crash cuts only the chain's tail — the last views.
#[tokio::test]
async fn a_crash_loses_only_the_last_views_and_the_chain_stays_intact() {
    let dir = tempdir();
    // durable, as production runs (not `--unsafe-fast`)
    let cluster = Cluster::locate(&dir, false).await.unwrap();
    cluster.start().await.unwrap();
    let pool = private_pool(&cluster).await;

    // a view's commit does not wait for the flush; a change's does
    let user = someone();
    let mut conn = pool.acquire().await.unwrap();
    let (mut views_unflushed, mut changes_unflushed) = (0, 0);
    for n in 0..20 {
        let id = format!("probe-{n}");
        who(&user, &pool, &id)
            .viewed(&mut conn, "case.view", None, None, &[])
            .await
            .unwrap();
        if !flushed(&mut conn).await {
            views_unflushed += 1;
        }
        who(&user, &pool, &id)
            .ok(&mut conn, "entry.create", None, None)
            .await
            .unwrap();
        if !flushed(&mut conn).await {
            changes_unflushed += 1;
        }
    }
    drop(conn);
    println!(
        "faults[async views]: not yet flushed after the commit: views {views_unflushed}/20, changes {changes_unflushed}/20"
    );
    assert!(views_unflushed >= 10, "views commit asynchronously");
    assert!(changes_unflushed <= 2, "changes commit durably");

    // views and changes from four connections, and a crash in the middle
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged: Arc<Mutex<Vec<(bool, String)>>> = Arc::default();
    let mut tasks = vec![];
    for t in 0..4 {
        let (pool, stop, acknowledged) = (pool.clone(), stop.clone(), acknowledged.clone());
        tasks.push(tokio::spawn(async move {
            let user = someone();
            let view = t % 2 == 0;
            for n in 0.. {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let id = format!("{}-{t}-{n}", if view { "view" } else { "change" });
                let Ok(mut conn) = pool.acquire().await else {
                    break;
                };
                let w = who(&user, &pool, &id);
                let done = if view {
                    w.viewed(&mut conn, "case.view", None, None, &[]).await
                } else {
                    w.ok(&mut conn, "entry.create", None, None).await
                };
                if done.is_err() {
                    break;
                }
                acknowledged.lock().unwrap().push((view, id));
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    crash(&cluster).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    cluster.start().await.unwrap();
    let acknowledged = acknowledged.lock().unwrap().clone();
    let mut there = audited(&pool).await;
    for _ in 0..50 {
        if !there.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        there = audited(&pool).await;
    }
    let (views, changes): (Vec<_>, Vec<_>) = acknowledged.iter().partition(|(v, _)| *v);
    let lost_changes = changes.iter().filter(|(_, id)| !there.contains(id)).count();
    let lost_views = views.iter().filter(|(_, id)| !there.contains(id)).count();
    println!(
        "faults[async views]: acknowledged {} views and {} changes before the crash; lost {lost_views} views, {lost_changes} changes",
        views.len(),
        changes.len()
    );
    assert!(!views.is_empty() && !changes.is_empty());
    assert_eq!(lost_changes, 0, "every acknowledged change survives");
    let mut conn = pool.acquire().await.unwrap();
    let verdict = renkei::audit_verify::verify(&mut conn).await.unwrap();
    println!("faults[async views]: {verdict}");
    assert!(verdict.is_intact(), "{verdict}");
    // and the chain goes on from its surviving head
    who(&user, &pool, "after")
        .viewed(&mut conn, "case.view", None, None, &[])
        .await
        .unwrap();
    who(&user, &pool, "after")
        .ok(&mut conn, "entry.create", None, None)
        .await
        .unwrap();
    let verdict = renkei::audit_verify::verify(&mut conn).await.unwrap();
    assert!(verdict.is_intact(), "{verdict}");
    drop(conn);
    pool.close().await;
    cluster.stop().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
