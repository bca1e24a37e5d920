//! The benchmark program (issue 9), outside `cargo test`. Run by `scripts/bench`, which starts
//! PostgreSQL, loads `renkei bench-data` at each size, starts `renkei serve` and this program's
//! baseline server, and then calls `bench run` and `bench report`.
//!
//! - `bench baseline`: the ceilings the product is compared with, on their own port —
//!   B0 a plaintext response (HTTP), B1 the real timeline template rendered from memory
//!   (rendering), B2 a Fortunes page (12 rows through a pool like the product's, one added,
//!   sorted, rendered as an escaped askama table: TechEmpower's Fortunes shape).
//! - `bench run`: for each scenario, the peak (closed loop, many connections) and then a fixed
//!   offered load at 70 % of that peak (open loop: latency counted from when each request was
//!   due, so a stall is not hidden), errors, CPU of the app, PostgreSQL and this program, the
//!   app's RSS, and queries per page (pg_stat_statements). Many users, many cases.
//! - `bench soak`: the logged-in mix at a fixed load for minutes, the app's RSS sampled.
//! - `bench report`: BENCHMARKS.md's tables from the JSON results.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;
use clap::{Parser, Subcommand};
use renkei::bench_data::{self, Rng};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve B0 (/plaintext), B1 (/render) and B2 (/fortunes).
    Baseline {
        #[arg(long, default_value = "127.0.0.1:8091")]
        bind: String,
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        #[arg(long, default_value_t = 8)]
        pool_size: u32,
    },
    /// Measure every scenario once at this data size; writes JSON.
    Run {
        #[command(flatten)]
        target: Target,
        /// The data size's name, as in the report (10k, 100k, 1m).
        #[arg(long)]
        label: String,
        /// Seconds of each closed-loop and each open-loop phase.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Connections of the closed loop.
        #[arg(long, default_value_t = 32)]
        connections: usize,
        /// Only these scenarios (names as in the report, comma-separated), for investigating.
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
        #[arg(long)]
        out: PathBuf,
    },
    /// The logged-in mix at a fixed load for minutes; samples the app's RSS.
    Soak {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value_t = 10)]
        minutes: u64,
        /// Requests per second; by default 70 % of the mix's peak in the given run file.
        #[arg(long)]
        rate: Option<f64>,
        #[arg(long)]
        run_file: Option<PathBuf>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Markdown tables from run and soak files.
    Report { files: Vec<PathBuf> },
}

#[derive(clap::Args, Clone)]
struct Target {
    #[arg(long, default_value = "http://127.0.0.1:8090")]
    app: String,
    #[arg(long, default_value = "http://127.0.0.1:8091")]
    baseline: String,
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// The app's process id (CPU and RSS are read from /proc).
    #[arg(long)]
    app_pid: u32,
    /// The baseline server's process id: its CPU and RSS stand in the app's columns for B0–B2.
    #[arg(long)]
    baseline_pid: Option<u32>,
    /// Users to sign in (spread over the agencies).
    #[arg(long, default_value_t = 200)]
    users: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Cmd::Baseline {
            bind,
            database_url,
            pool_size,
        } => baseline(&bind, &database_url, pool_size).await,
        Cmd::Run {
            target,
            label,
            seconds,
            connections,
            only,
            out,
        } => {
            let world = World::prepare(&target).await?;
            let result = run(&world, &target, &label, seconds, connections, &only).await?;
            std::fs::write(&out, serde_json::to_string_pretty(&result)?)?;
            eprintln!("wrote {}", out.display());
            Ok(())
        }
        Cmd::Soak {
            target,
            minutes,
            rate,
            run_file,
            out,
        } => {
            let rate = match (rate, run_file) {
                (Some(r), _) => r,
                (None, Some(f)) => {
                    let run: RunResult = serde_json::from_str(&std::fs::read_to_string(f)?)?;
                    let mix = run
                        .scenarios
                        .iter()
                        .find(|s| s.name == "mix")
                        .ok_or_else(|| anyhow::anyhow!("no mix in the run file"))?;
                    mix.peak_rps * 0.7
                }
                _ => anyhow::bail!("give --rate or --run-file"),
            };
            let world = World::prepare(&target).await?;
            let result = soak(&world, &target, minutes, rate).await?;
            std::fs::write(&out, serde_json::to_string_pretty(&result)?)?;
            Ok(())
        }
        Cmd::Report { files } => {
            print!("{}", report(&files)?);
            Ok(())
        }
    }
}

// ---- the baseline server ---------------------------------------------------------------------

#[derive(Clone)]
struct Baseline {
    pool: PgPool,
    timeline: Arc<dyn Fn() -> String + Send + Sync>,
}

#[derive(Template)]
#[template(
    source = "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>{% for f in fortunes %}<tr><td>{{ f.0 }}</td><td>{{ f.1 }}</td></tr>{% endfor %}</table></body></html>",
    ext = "html"
)]
struct Fortunes {
    fortunes: Vec<(i32, String)>,
}

const FORTUNES: [&str; 12] = [
    "fortune: No such file or directory",
    "A computer scientist is someone who fixes things that aren't broken.",
    "After enough decimal places, nobody gives a damn.",
    "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    "A computer program does what you tell it to do, not what you want it to do.",
    "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
    "Any program that runs right is obsolete.",
    "A list is only as strong as its weakest link. — Donald Knuth",
    "Feature: A bug with seniority.",
    "Computers make very fast, very accurate mistakes.",
    "<script>alert(\"This should not be displayed in a browser alert box.\");</script>",
    "フレームワークのベンチマーク",
];

async fn baseline(bind: &str, url: &str, pool_size: u32) -> anyhow::Result<()> {
    let pool = PgPoolOptions::new()
        .max_connections(pool_size)
        .connect(url)
        .await?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS fortune (id integer PRIMARY KEY, message text NOT NULL)",
    )
    .execute(&pool)
    .await?;
    for (i, m) in FORTUNES.iter().enumerate() {
        sqlx::query("INSERT INTO fortune VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(i as i32 + 1)
            .bind(m)
            .execute(&pool)
            .await?;
    }
    let page = timeline_from_memory();
    let state = Baseline {
        pool,
        timeline: Arc::new(page),
    };
    let app = Router::new()
        .route("/plaintext", get(|| async { "Hello, World!" }))
        .route(
            "/render",
            get(|State(s): State<Baseline>| async move { Html((s.timeline)()) }),
        )
        .route("/fortunes", get(fortunes))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(bind).await?;
    eprintln!("baseline on {bind}");
    axum::serve(listener, app).await?;
    Ok(())
}

async fn fortunes(State(s): State<Baseline>) -> axum::response::Response {
    let rows: Result<Vec<(i32, String)>, _> = sqlx::query_as("SELECT id, message FROM fortune")
        .fetch_all(&s.pool)
        .await;
    match rows {
        Ok(mut fortunes) => {
            fortunes.push((0, "Additional fortune added at request time.".into()));
            fortunes.sort_by(|a, b| a.1.cmp(&b.1));
            match (Fortunes { fortunes }).render() {
                Ok(html) => Html(html).into_response(),
                Err(_) => axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            }
        }
        Err(_) => axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// The product's timeline page (its askama template and frame), 50 entries, built once in
/// memory and rendered on every call — what rendering alone costs.
fn timeline_from_memory() -> impl Fn() -> String + Send + Sync + 'static {
    use renkei::db::auth::{Membership, SessionUser};
    use renkei::db::entries::EntryRow;
    use renkei::domain::entry::EntryFields;
    use renkei::domain::kinds::{AgencyKind, Role};
    use renkei::i18n::{Lang, Tr};
    use renkei::views::timeline::{EntryView, FilterForm, Timeline, TimelinePage};
    use renkei::views::{Choice, Layout};
    let agency = bench_data::agency_id(1);
    let user = SessionUser {
        id: bench_data::user_id(41),
        email: bench_data::email(41),
        display_name: "職員 41".into(),
        is_admin: false,
        memberships: vec![Membership {
            agency_id: agency,
            agency_name: "ベンチ事業所1".into(),
            agency_kind: AgencyKind::TransitionOffice,
            role: Role::Coordinator,
        }],
        acting: None,
        token_hash: vec![],
        unread: Some(12),
        participant_case_id: None,
        must_enrol: false,
        case_facts: None,
    };
    let case_id = bench_data::case_id(1);
    let now = chrono::Utc::now();
    let rows: Vec<EntryRow> = (0..50)
        .map(|i| EntryRow {
            id: Uuid::from_u128(i),
            case_id,
            kind: "progress".into(),
            category: "training".into(),
            occurred_at: now - chrono::Duration::hours(i as i64 * 7),
            created_at: now - chrono::Duration::hours(i as i64 * 7),
            body_html: "<p>作業手順書を使って、データ入力を午前中に最後まで行えた。疲れの記録では午後に疲労が強く、休憩を一回増やすことにした。</p>".into(),
            fields: serde_json::json!({}),
            reply_to: None,
            version: 1,
            edited_at: None,
            author_user_id: bench_data::user_id(42),
            author_agency_id: agency,
            author_name: "職員 42".into(),
            author_agency_name: "ベンチ事業所1".into(),
            shared_with: vec![agency, bench_data::agency_id(7)],
            shared_names: vec!["ベンチ事業所1".into(), "ベンチ事業所7".into()],
            read: i % 3 != 0,
        })
        .collect();
    move || {
        let tr = Tr::new(Lang::Ja);
        let mut acting_user = user.clone();
        acting_user.acting = acting_user.memberships.first().cloned();
        let page = TimelinePage {
            layout: Layout {
                tr,
                title: tr.t("timeline-title"),
                path: format!("/cases/{case_id}/timeline"),
                user: Some(acting_user),
                flash: None,
            },
            name: "佐藤 花子1".into(),
            case_id,
            timeline: Timeline {
                case_id,
                entries: rows
                    .iter()
                    .map(|r| EntryView {
                        row: r.clone(),
                        fields: EntryFields::default(),
                        replies: vec![],
                        can_edit: false,
                        can_reply: false,
                    })
                    .collect(),
                older: Some("kind=&agency=&from=&to=&q=&before_at=1&before_id=x".into()),
                filter: FilterForm::default(),
                kinds: vec![Choice::new("progress", tr.t("entry-kind-progress"), "")],
                agencies: vec![Choice::new(&agency.to_string(), "ベンチ事業所1".into(), "")],
                can_write: true,
                writable: vec![],
            },
        };
        page.render().unwrap_or_default()
    }
}

// ---- the world: users with sessions, their cases and meetings ----------------------------------

struct User {
    cookie: String,
    cases: Vec<Uuid>,
    meetings: Vec<Uuid>,
}

struct World {
    users: Vec<User>,
    teams: HashMap<Uuid, Vec<Uuid>>,
    /// (user index, older-page path)
    older: Vec<(usize, String)>,
    pool: PgPool,
    client: reqwest::Client,
    app: String,
    baseline: String,
    entries: i64,
}

impl World {
    async fn prepare(t: &Target) -> anyhow::Result<Arc<World>> {
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .connect(&t.database_url)
            .await?;
        let entries: i64 = sqlx::query_scalar("SELECT count(*) FROM entry")
            .fetch_one(&pool)
            .await?;
        let teams: HashMap<Uuid, Vec<Uuid>> = sqlx::query_as::<_, (Uuid, Vec<Uuid>)>(
            "SELECT case_id, array_agg(agency_id) FROM case_agency WHERE left_on IS NULL
             GROUP BY case_id",
        )
        .fetch_all(&pool)
        .await?
        .into_iter()
        .collect();
        // users spread over the agencies: coordinators and staff, several per agency
        let per_agency = t.users.div_ceil(bench_data::AGENCIES as usize);
        let mut users = Vec::new();
        let mut conn = pool.acquire().await?;
        'outer: for k in 0..per_agency as u64 {
            for a in 0..bench_data::AGENCIES {
                if users.len() >= t.users {
                    break 'outer;
                }
                let u = a * bench_data::USERS_PER_AGENCY + 1 + k * 5;
                let agency = bench_data::agency_id(a);
                // a real session row, as a login would make (the login's per-address limit
                // would otherwise throttle signing in hundreds of users from one address)
                let token = renkei::db::auth::new_token();
                renkei::db::auth::create(
                    &mut conn,
                    &token,
                    bench_data::user_id(u),
                    Some(agency),
                    Duration::from_secs(1800),
                    Duration::from_secs(12 * 3600),
                )
                .await?;
                let cases: Vec<Uuid> = sqlx::query_scalar(
                    "SELECT case_id FROM case_agency WHERE agency_id = $1 AND left_on IS NULL",
                )
                .bind(agency)
                .fetch_all(&mut *conn)
                .await?;
                let meetings: Vec<Uuid> = sqlx::query_scalar(
                    "SELECT meeting_id FROM meeting_invitee WHERE agency_id = $1 LIMIT 500",
                )
                .bind(agency)
                .fetch_all(&mut *conn)
                .await?;
                users.push(User {
                    cookie: format!("renkei_session={token}"),
                    cases,
                    meetings,
                });
            }
        }
        drop(conn);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(1024)
            .timeout(Duration::from_secs(30))
            .build()?;
        let mut world = World {
            users,
            teams,
            older: vec![],
            pool,
            client,
            app: t.app.clone(),
            baseline: t.baseline.clone(),
            entries,
        };
        // older pages: follow "さらに前の記録" from a sample of timelines (this also warms up)
        // on cases with more than one page, seen by a signed-in user of the team
        let long: Vec<Uuid> = sqlx::query_scalar(
            "SELECT case_id FROM entry GROUP BY case_id HAVING count(*) > 80
             ORDER BY case_id LIMIT 400",
        )
        .fetch_all(&world.pool)
        .await?;
        let mut older = Vec::new();
        for case in long {
            let Some(u) = world.users.iter().position(|u| u.cases.contains(&case)) else {
                continue;
            };
            let html = world
                .client
                .get(format!("{}/cases/{case}/timeline", world.app))
                .header("cookie", &world.users[u].cookie)
                .send()
                .await?
                .text()
                .await?;
            if let Some(start) = html.find(&format!("href=\"/cases/{case}/timeline?")) {
                let rest = &html[start + 6..];
                let link = &rest[..rest.find('"').unwrap_or(0)];
                older.push((u, link.replace("&amp;", "&")));
            }
        }
        eprintln!(
            "{} users signed in, {} older-page links, {} entries",
            world.users.len(),
            older.len(),
            entries
        );
        world.older = older;
        Ok(Arc::new(world))
    }
}

fn pick<T: Copy>(rng: &mut Rng, items: &[T]) -> T {
    items[rng.below(items.len() as u64) as usize]
}

// ---- scenarios -------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
enum Scenario {
    B0,
    B1,
    B2,
    Timeline,
    Older,
    Dashboard,
    Case,
    Meeting,
    Tasks,
    Post,
    Mix,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::B0 => "B0 plaintext",
            Scenario::B1 => "B1 render",
            Scenario::B2 => "B2 fortunes",
            Scenario::Timeline => "timeline",
            Scenario::Older => "older page",
            Scenario::Dashboard => "dashboard",
            Scenario::Case => "case page",
            Scenario::Meeting => "meeting page",
            Scenario::Tasks => "tasks page",
            Scenario::Post => "post update",
            Scenario::Mix => "mix",
        }
    }
}

const ALL: [Scenario; 11] = [
    Scenario::B0,
    Scenario::B1,
    Scenario::B2,
    Scenario::Timeline,
    Scenario::Older,
    Scenario::Dashboard,
    Scenario::Case,
    Scenario::Meeting,
    Scenario::Tasks,
    Scenario::Post,
    Scenario::Mix,
];

static POSTS: AtomicU64 = AtomicU64::new(0);

/// One request of the scenario for a random user; true when the answer was the expected one.
async fn request(w: &World, s: Scenario, rng: &mut Rng) -> bool {
    let s = if s == Scenario::Mix {
        // 35 % timeline, 10 % older, 25 % dashboard, 10 % case, 10 % meeting/tasks, 10 % writes
        match rng.below(100) {
            0..=34 => Scenario::Timeline,
            35..=44 => Scenario::Older,
            45..=69 => Scenario::Dashboard,
            70..=79 => Scenario::Case,
            80..=84 => Scenario::Meeting,
            85..=89 => Scenario::Tasks,
            _ => Scenario::Post,
        }
    } else {
        s
    };
    let u = rng.below(w.users.len() as u64) as usize;
    let user = &w.users[u];
    let get = |url: String, cookie: Option<&str>| {
        let mut r = w.client.get(url);
        if let Some(c) = cookie {
            r = r.header("cookie", c);
        }
        r
    };
    if user.cases.is_empty() || (s == Scenario::Meeting && user.meetings.is_empty()) {
        return false;
    }
    let req = match s {
        Scenario::B0 => get(format!("{}/plaintext", w.baseline), None),
        Scenario::B1 => get(format!("{}/render", w.baseline), None),
        Scenario::B2 => get(format!("{}/fortunes", w.baseline), None),
        Scenario::Timeline => get(
            format!("{}/cases/{}/timeline", w.app, pick(rng, &user.cases)),
            Some(&user.cookie),
        ),
        Scenario::Older if w.older.is_empty() => get(
            format!("{}/cases/{}/timeline", w.app, pick(rng, &user.cases)),
            Some(&user.cookie),
        ),
        Scenario::Older => {
            let (u, path) = &w.older[rng.below(w.older.len() as u64) as usize];
            get(format!("{}{path}", w.app), Some(&w.users[*u].cookie))
        }
        Scenario::Dashboard => get(format!("{}/", w.app), Some(&user.cookie)),
        Scenario::Case => get(
            format!("{}/cases/{}", w.app, pick(rng, &user.cases)),
            Some(&user.cookie),
        ),
        Scenario::Meeting => get(
            format!("{}/meetings/{}", w.app, pick(rng, &user.meetings)),
            Some(&user.cookie),
        ),
        Scenario::Tasks => get(format!("{}/tasks", w.app), Some(&user.cookie)),
        Scenario::Post => {
            let case = pick(rng, &user.cases);
            let n = POSTS.fetch_add(1, Ordering::Relaxed);
            let mut form = vec![
                ("kind".to_string(), "progress".to_string()),
                ("category".to_string(), "training".to_string()),
                ("occurred_at".to_string(), String::new()),
                (
                    "body".to_string(),
                    format!("ベンチマークの経過記録 {n}: 手順書を見ながら作業できた。"),
                ),
            ];
            for a in w.teams.get(&case).into_iter().flatten() {
                form.push(("share".to_string(), a.to_string()));
            }
            w.client
                .post(format!("{}/cases/{case}/entries", w.app))
                .header("cookie", &user.cookie)
                .form(&form)
        }
        Scenario::Mix => unreachable!(),
    };
    let expected = if s == Scenario::Post { 303 } else { 200 };
    match req.send().await {
        Ok(res) => {
            let ok = res.status().as_u16() == expected;
            ok & res.bytes().await.is_ok()
        }
        Err(_) => false,
    }
}

// ---- measuring -------------------------------------------------------------------------------

#[derive(Default, Clone, Copy)]
struct Ticks {
    app: u64,
    pg: u64,
    me: u64,
}

fn proc_ticks(pid: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // fields after the command (which may contain spaces) — utime and stime are 14 and 15
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

fn postgres_ticks() -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| {
            let pid = e.file_name().into_string().ok()?;
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
            (comm.trim() == "postgres")
                .then(|| proc_ticks(&pid))
                .flatten()
        })
        .sum()
}

fn ticks(app_pid: u32) -> Ticks {
    Ticks {
        app: proc_ticks(&app_pid.to_string()).unwrap_or(0),
        pg: postgres_ticks(),
        me: proc_ticks("self").unwrap_or(0),
    }
}

fn rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// CPU in percent of one core (200 % = both cores of a 2-core machine), USER_HZ = 100.
fn cpu_percent(before: Ticks, after: Ticks, secs: f64) -> (f64, f64, f64) {
    let p = |a: u64, b: u64| (b.saturating_sub(a)) as f64 / secs;
    (
        p(before.app, after.app),
        p(before.pg, after.pg),
        p(before.me, after.me),
    )
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i] as f64 / 1000.0
}

struct Phase {
    done: u64,
    errors: u64,
    /// microseconds
    latencies: Vec<u64>,
    secs: f64,
}

/// Closed loop: `connections` workers send as fast as answers come back.
async fn closed_loop(w: &Arc<World>, s: Scenario, connections: usize, secs: u64) -> Phase {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for k in 0..connections {
        let w = w.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = Rng::new(1000 + k as u64);
            let mut lat = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                if !request(&w, s, &mut rng).await {
                    errors += 1;
                }
                lat.push(t.elapsed().as_micros() as u64);
            }
            (lat, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((l, e)) = t.await {
            latencies.extend(l);
            errors += e;
        }
    }
    latencies.sort_unstable();
    Phase {
        done: latencies.len() as u64,
        errors,
        latencies,
        secs: started.elapsed().as_secs_f64(),
    }
}

/// Open loop: requests are due at a fixed rate whatever the answers do; each latency runs from
/// when the request was due. At most `cap` in flight: beyond that, requests count as errors.
async fn open_loop(w: &Arc<World>, s: Scenario, rate: f64, secs: u64) -> Phase {
    let cap = 2048u64;
    let start = Instant::now();
    let total = (rate * secs as f64) as u64;
    let in_flight = Arc::new(AtomicU64::new(0));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(u64, bool)>();
    let mut rng = Rng::new(99);
    let mut dropped = 0;
    let mut sent = 0u64;
    while sent < total {
        let due = start + Duration::from_secs_f64(sent as f64 / rate);
        let now = Instant::now();
        if due > now {
            tokio::time::sleep(due - now).await;
        }
        // everything already due goes out now (timers are coarser than the interval)
        while sent < total && start + Duration::from_secs_f64(sent as f64 / rate) <= Instant::now()
        {
            let due = start + Duration::from_secs_f64(sent as f64 / rate);
            sent += 1;
            if in_flight.load(Ordering::Relaxed) >= cap {
                dropped += 1;
                continue;
            }
            in_flight.fetch_add(1, Ordering::Relaxed);
            let (w, tx, in_flight) = (w.clone(), tx.clone(), in_flight.clone());
            let mut r = Rng::new(rng.next_u64());
            tokio::spawn(async move {
                let ok = request(&w, s, &mut r).await;
                let _ = tx.send((due.elapsed().as_micros() as u64, ok));
                in_flight.fetch_sub(1, Ordering::Relaxed);
            });
        }
    }
    drop(tx);
    let mut latencies = Vec::new();
    let mut errors = dropped;
    while let Some((l, ok)) = rx.recv().await {
        latencies.push(l);
        if !ok {
            errors += 1;
        }
    }
    latencies.sort_unstable();
    Phase {
        done: latencies.len() as u64,
        errors,
        latencies,
        secs: start.elapsed().as_secs_f64(),
    }
}

/// Statements one request of the scenario costs, and the milliseconds PostgreSQL spent
/// executing them, from pg_stat_statements over 20 requests one after another (None when the
/// extension is not loaded).
async fn queries_per_request(w: &Arc<World>, s: Scenario) -> Option<(f64, f64)> {
    if s == Scenario::Mix || s == Scenario::B0 || s == Scenario::B1 {
        return if s == Scenario::Mix {
            None
        } else {
            Some((0.0, 0.0))
        };
    }
    sqlx::query("SELECT pg_stat_statements_reset()")
        .execute(&w.pool)
        .await
        .ok()?;
    let n = 20;
    let mut rng = Rng::new(5);
    for _ in 0..n {
        request(w, s, &mut rng).await;
    }
    let (calls, ms): (i64, f64) = sqlx::query_as(
        "SELECT coalesce(sum(calls), 0)::bigint, coalesce(sum(total_exec_time), 0)::float8
         FROM pg_stat_statements
         WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND query NOT ILIKE '%pg_stat_statements%'",
    )
    .fetch_one(&w.pool)
    .await
    .ok()?;
    Some((calls as f64 / n as f64, ms / n as f64))
}

#[derive(Serialize, Deserialize, Clone)]
struct ScenarioResult {
    name: String,
    peak_rps: f64,
    peak_errors: u64,
    peak_p50_ms: f64,
    peak_p99_ms: f64,
    /// the fixed offered load (70 % of the peak)
    rate: f64,
    achieved_rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    p999_ms: f64,
    errors: u64,
    app_cpu: f64,
    pg_cpu: f64,
    tool_cpu: f64,
    app_rss_mib: f64,
    queries_per_request: Option<f64>,
    /// PostgreSQL's execution time per request (pg_stat_statements), ms
    #[serde(default)]
    pg_exec_ms: Option<f64>,
}

#[derive(Serialize, Deserialize)]
struct Machine {
    cpu: String,
    cores: usize,
    memory_gib: f64,
    postgres: String,
}

#[derive(Serialize, Deserialize)]
struct RunResult {
    label: String,
    entries: i64,
    seconds: u64,
    connections: usize,
    users: usize,
    machine: Machine,
    scenarios: Vec<ScenarioResult>,
}

async fn machine(pool: &PgPool) -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .unwrap_or("?")
        .trim()
        .to_string();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kb: f64 = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0.0);
    let postgres: String = sqlx::query_scalar("SHOW server_version")
        .fetch_one(pool)
        .await
        .unwrap_or_default();
    let sync: String = sqlx::query_scalar("SHOW synchronous_commit")
        .fetch_one(pool)
        .await
        .unwrap_or_default();
    Machine {
        cpu,
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        memory_gib: mem_kb / 1024.0 / 1024.0,
        postgres: format!("{postgres}, synchronous_commit={sync}"),
    }
}

async fn run(
    w: &Arc<World>,
    t: &Target,
    label: &str,
    secs: u64,
    connections: usize,
    only: &[String],
) -> anyhow::Result<RunResult> {
    let _ = sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        .execute(&w.pool)
        .await;
    let mut scenarios = Vec::new();
    for s in ALL {
        if !only.is_empty() && !only.iter().any(|o| o == s.name()) {
            continue;
        }
        if s == Scenario::Older && w.older.is_empty() {
            eprintln!("{label}: no case has a second page; no older-page figures");
            continue;
        }
        // a short warm-up, then the peak
        closed_loop(w, s, connections, 1).await;
        let peak = closed_loop(w, s, connections, secs).await;
        let peak_rps = peak.done as f64 / peak.secs;
        let rate = (peak_rps * 0.7).max(1.0);
        // the baselines run in their own server: measure that one for them
        let server = match (s, t.baseline_pid) {
            (Scenario::B0 | Scenario::B1 | Scenario::B2, Some(pid)) => pid,
            _ => t.app_pid,
        };
        let before = ticks(server);
        let fixed = open_loop(w, s, rate, secs).await;
        let after = ticks(server);
        let (app_cpu, pg_cpu, tool_cpu) = cpu_percent(before, after, fixed.secs);
        let mut result = ScenarioResult {
            name: s.name().into(),
            peak_rps,
            peak_errors: peak.errors,
            peak_p50_ms: percentile(&peak.latencies, 0.5),
            peak_p99_ms: percentile(&peak.latencies, 0.99),
            rate,
            achieved_rps: fixed.done as f64 / fixed.secs,
            p50_ms: percentile(&fixed.latencies, 0.5),
            p99_ms: percentile(&fixed.latencies, 0.99),
            p999_ms: percentile(&fixed.latencies, 0.999),
            errors: fixed.errors,
            app_cpu,
            pg_cpu,
            tool_cpu,
            app_rss_mib: rss_mib(server),
            queries_per_request: None,
            pg_exec_ms: None,
        };
        let (queries, exec_ms) = queries_per_request(w, s).await.unzip();
        result.queries_per_request = queries;
        result.pg_exec_ms = exec_ms;
        eprintln!(
            "{label:>5} {:<13} peak {:>7.0}/s  at {:>6.0}/s p50 {:>6.2} ms p99 {:>6.2} ms p99.9 {:>7.2} ms  errors {}+{}  q/req {:?}  PG exec ms/req {:?}",
            result.name,
            result.peak_rps,
            result.rate,
            result.p50_ms,
            result.p99_ms,
            result.p999_ms,
            result.peak_errors,
            result.errors,
            result.queries_per_request,
            result.pg_exec_ms
        );
        scenarios.push(result);
    }
    Ok(RunResult {
        label: label.into(),
        entries: w.entries,
        seconds: secs,
        connections,
        users: w.users.len(),
        machine: machine(&w.pool).await,
        scenarios,
    })
}

#[derive(Serialize, Deserialize)]
struct SoakResult {
    label: String,
    entries: i64,
    minutes: u64,
    rate: f64,
    requests: u64,
    errors: u64,
    p50_ms: f64,
    p99_ms: f64,
    /// (minute, RSS MiB)
    rss: Vec<(f64, f64)>,
}

async fn soak(w: &Arc<World>, t: &Target, minutes: u64, rate: f64) -> anyhow::Result<SoakResult> {
    let pid = t.app_pid;
    let started = Instant::now();
    let sampler = tokio::spawn(async move {
        let mut samples = Vec::new();
        loop {
            samples.push((started.elapsed().as_secs_f64() / 60.0, rss_mib(pid)));
            if started.elapsed() >= Duration::from_secs(minutes * 60) {
                break;
            }
            tokio::time::sleep(Duration::from_secs(10)).await;
        }
        samples
    });
    let phase = open_loop(w, Scenario::Mix, rate, minutes * 60).await;
    let rss = sampler.await?;
    eprintln!(
        "soak: {} requests, {} errors, RSS {:.1} → {:.1} MiB",
        phase.done,
        phase.errors,
        rss.first().map_or(0.0, |s| s.1),
        rss.last().map_or(0.0, |s| s.1)
    );
    Ok(SoakResult {
        label: format!("{}", w.entries),
        entries: w.entries,
        minutes,
        rate,
        requests: phase.done,
        errors: phase.errors,
        p50_ms: percentile(&phase.latencies, 0.5),
        p99_ms: percentile(&phase.latencies, 0.99),
        rss,
    })
}

// ---- the report ------------------------------------------------------------------------------

fn report(files: &[PathBuf]) -> anyhow::Result<String> {
    let mut runs: Vec<RunResult> = Vec::new();
    let mut soaks: Vec<SoakResult> = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f)?;
        if let Ok(r) = serde_json::from_str::<RunResult>(&text) {
            runs.push(r);
        } else {
            soaks.push(serde_json::from_str(&text)?);
        }
    }
    let mut out = String::new();
    use std::fmt::Write;
    if let Some(r) = runs.first() {
        writeln!(
            out,
            "Machine: {} × {} cores, {:.0} GiB; PostgreSQL {}; app, PostgreSQL and the load tool \
             on the same machine. {} users signed in, {} connections in the closed loop, {} s per \
             phase.\n",
            r.machine.cpu,
            r.machine.cores,
            r.machine.memory_gib,
            r.machine.postgres,
            r.users,
            r.connections,
            r.seconds
        )?;
    }
    for r in &runs {
        let b2 = r
            .scenarios
            .iter()
            .find(|s| s.name == "B2 fortunes")
            .map_or(1.0, |s| s.peak_rps);
        writeln!(out, "### {} timeline entries ({})\n", r.label, r.entries)?;
        writeln!(
            out,
            "| scenario | peak req/s | × B2 | offered req/s (70 %) | p50 ms | p99 ms | p99.9 ms | errors | app CPU % | PG CPU % | tool CPU % | app RSS MiB | queries/req | PG exec ms/req |"
        )?;
        writeln!(
            out,
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        )?;
        for s in &r.scenarios {
            writeln!(
                out,
                "| {} | {:.0} | {:.2} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {:.0} | {:.0} | {:.0} | {:.1} | {} | {} |",
                s.name,
                s.peak_rps,
                s.peak_rps / b2,
                s.rate,
                s.p50_ms,
                s.p99_ms,
                s.p999_ms,
                s.peak_errors + s.errors,
                s.app_cpu,
                s.pg_cpu,
                s.tool_cpu,
                s.app_rss_mib,
                s.queries_per_request
                    .map_or("–".to_string(), |q| format!("{q:.1}")),
                s.pg_exec_ms.map_or("–".to_string(), |q| format!("{q:.2}"))
            )?;
        }
        writeln!(out)?;
    }
    if runs.len() > 1 {
        let first = &runs[0];
        let last = &runs[runs.len() - 1];
        writeln!(
            out,
            "### Flat with data: {} vs {} entries\n\n| scenario | p50 ms ({}) | p50 ms ({}) | ratio | queries/req ({} → {}) |\n|---|---:|---:|---:|---|",
            last.label, first.label, first.label, last.label, first.label, last.label
        )?;
        for s in &first.scenarios {
            if let Some(l) = last.scenarios.iter().find(|x| x.name == s.name) {
                writeln!(
                    out,
                    "| {} | {:.2} | {:.2} | {:.2} | {} → {} |",
                    s.name,
                    s.p50_ms,
                    l.p50_ms,
                    l.p50_ms / s.p50_ms.max(0.001),
                    s.queries_per_request
                        .map_or("–".into(), |q| format!("{q:.1}")),
                    l.queries_per_request
                        .map_or("–".into(), |q| format!("{q:.1}"))
                )?;
            }
        }
        writeln!(out)?;
    }
    targets(&mut out, &runs, &soaks)?;
    for s in &soaks {
        let first = s.rss.first().map_or(0.0, |x| x.1);
        let last = s.rss.last().map_or(0.0, |x| x.1);
        let max = s.rss.iter().map(|x| x.1).fold(0.0, f64::max);
        writeln!(
            out,
            "### Soak: the mix at {:.0} req/s for {} minutes ({} entries)\n\n{} requests, {} errors, p50 {:.2} ms, p99 {:.2} ms; app RSS {:.1} MiB at the start, {:.1} MiB at the end, {:.1} MiB at most (sampled every 10 s).\n",
            s.rate, s.minutes, s.entries, s.requests, s.errors, s.p50_ms, s.p99_ms, first, last, max
        )?;
    }
    Ok(out)
}

/// The targets, each with what was measured and whether it was met, per data size.
fn targets(out: &mut String, runs: &[RunResult], soaks: &[SoakResult]) -> std::fmt::Result {
    use std::fmt::Write;
    if runs.is_empty() {
        return Ok(());
    }
    let find = |r: &RunResult, name: &str| r.scenarios.iter().find(|s| s.name == name).cloned();
    let mark = |ok: bool| if ok { "met" } else { "**missed**" };
    writeln!(out, "### Targets\n")?;
    write!(out, "| target |")?;
    for r in runs {
        write!(out, " {} |", r.label)?;
    }
    writeln!(out)?;
    write!(out, "|---|")?;
    for _ in runs {
        write!(out, "---|")?;
    }
    writeln!(out)?;
    let ratio_row = |out: &mut String, name: &str, label: &str, min: f64| -> std::fmt::Result {
        write!(out, "| {label} |")?;
        for r in runs {
            let b2 = find(r, "B2 fortunes").map_or(0.0, |s| s.peak_rps);
            match find(r, name) {
                Some(s) if b2 > 0.0 => {
                    let x = s.peak_rps / b2;
                    write!(out, " {x:.2} × B2: {} |", mark(x >= min))?
                }
                _ => write!(out, " – |")?,
            }
        }
        writeln!(out)
    };
    ratio_row(out, "timeline", "timeline ≥ 0.35 × B2", 0.35)?;
    ratio_row(out, "dashboard", "dashboard ≥ 0.25 × B2", 0.25)?;
    ratio_row(out, "mix", "mix ≥ 0.30 × B2", 0.30)?;
    write!(out, "| mix without errors |")?;
    for r in runs {
        match find(r, "mix") {
            Some(s) => {
                let e = s.peak_errors + s.errors;
                write!(out, " {e} errors: {} |", mark(e == 0))?
            }
            None => write!(out, " – |")?,
        }
    }
    writeln!(out)?;
    write!(out, "| POST update ≥ 1,000/s |")?;
    for r in runs {
        match find(r, "post update") {
            Some(s) => write!(
                out,
                " {:.0}/s: {} |",
                s.peak_rps,
                mark(s.peak_rps >= 1000.0)
            )?,
            None => write!(out, " – |")?,
        }
    }
    writeln!(out)?;
    write!(out, "| p99 ≤ 25 ms at 70 % of peak, every product page |")?;
    for r in runs {
        let over: Vec<String> = r
            .scenarios
            .iter()
            .filter(|s| !s.name.starts_with('B') && s.p99_ms > 25.0)
            .map(|s| format!("{} {:.0} ms", s.name, s.p99_ms))
            .collect();
        if over.is_empty() {
            write!(out, " all: met |")?;
        } else {
            write!(out, " **missed**: {} |", over.join(", "))?;
        }
    }
    writeln!(out)?;
    write!(out, "| app RSS ≤ 100 MiB under load |")?;
    for r in runs {
        let max = r
            .scenarios
            .iter()
            .filter(|s| !s.name.starts_with('B'))
            .map(|s| s.app_rss_mib)
            .fold(0.0, f64::max);
        write!(out, " {max:.0} MiB: {} |", mark(max <= 100.0))?;
    }
    writeln!(out)?;
    writeln!(out)?;
    if runs.len() > 1 {
        let (first, last) = (&runs[0], &runs[runs.len() - 1]);
        let mut flat = vec![];
        let mut same_queries = vec![];
        for s in first.scenarios.iter().filter(|s| !s.name.starts_with('B')) {
            if let Some(l) = find(last, &s.name) {
                let ratio = l.p50_ms / s.p50_ms.max(0.001);
                flat.push(format!("{} {ratio:.2}", s.name));
                if s.queries_per_request != l.queries_per_request {
                    same_queries.push(s.name.clone());
                }
            }
        }
        writeln!(
            out,
            "p50 at {} ÷ p50 at {} (target ≤ 1.2): {}.\n\nQueries per request identical across \
             sizes: {}.\n",
            last.label,
            first.label,
            flat.join(", "),
            if same_queries.is_empty() {
                "yes".to_string()
            } else {
                format!("**no** ({})", same_queries.join(", "))
            }
        )?;
    }
    for s in soaks {
        let first = s.rss.first().map_or(0.0, |x| x.1);
        let max = s.rss.iter().map(|x| x.1).fold(0.0, f64::max);
        writeln!(
            out,
            "Soak: RSS {first:.1} → at most {max:.1} MiB over {} minutes (target: ≤ 100 MiB, no \
             growth): {}.\n",
            s.minutes,
            mark(max <= 100.0 && max <= first * 1.1 + 2.0)
        )?;
    }
    Ok(())
}
