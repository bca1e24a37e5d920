//! `TestApp`: the application served on port 0 against the test's own database, with a
//! cookie-keeping client that does not follow redirects.

use renkei::config::Settings;
use renkei::AppState;
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use sqlx::PgPool;
use std::net::SocketAddr;
use std::sync::Arc;

pub const PASSWORD: &str = renkei::demo::PASSWORD;

pub struct TestApp {
    pub addr: SocketAddr,
    /// As the owner (the test's setup and checks).
    pub pool: PgPool,
    /// What the server's requests run on: the app role, as in `renkei serve`.
    pub app_pool: PgPool,
    pub client: Client,
    /// The server stops when the last handle on it is dropped.
    _server: Arc<tokio::sync::oneshot::Sender<()>>,
}

pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

impl TestApp {
    /// The app with the demo agencies and users loaded.
    pub async fn spawn(pool: PgPool) -> TestApp {
        Self::spawn_with(pool, test_settings()).await
    }

    pub async fn spawn_with(pool: PgPool, settings: Settings) -> TestApp {
        renkei::demo::load(&pool).await.expect("demo loads");
        Self::spawn_bare(pool, settings).await
    }

    /// The app without loading anything.
    /// Requests run as the app's own role (`app_pool`); the test's `pool` stays the owner's.
    pub async fn spawn_bare(pool: PgPool, settings: Settings) -> TestApp {
        let app_pool = app_pool(&pool);
        Self::serve_with(pool, AppState::new(app_pool, settings)).await
    }

    /// The app on a state the test keeps a handle on (its pools, its photo decoders); the
    /// state's pool is also the test's.
    pub async fn serve(state: AppState) -> TestApp {
        Self::serve_with(state.db.clone(), state).await
    }

    pub async fn serve_with(pool: PgPool, state: AppState) -> TestApp {
        let app_pool = state.db.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            renkei::serve(listener, state, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        TestApp {
            addr,
            pool,
            app_pool,
            client: client(),
            _server: Arc::new(tx),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn login_as(&self, email: &str) -> Response {
        self.post("/login", &[("email", email), ("password", PASSWORD)])
            .await
    }

    /// Logs in and checks it worked.
    pub async fn login(&self, email: &str) {
        let res = self.login_as(email).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "login of {email}");
        assert_eq!(location(&res), "/");
    }

    /// Another tab of the same browser (the same cookies), for requests made at once.
    pub fn tab(&self) -> TestApp {
        TestApp {
            addr: self.addr,
            pool: self.pool.clone(),
            app_pool: self.app_pool.clone(),
            client: self.client.clone(),
            _server: self._server.clone(),
        }
    }

    /// A second browser (its own cookies) against the same server and database.
    pub fn browser(&self) -> TestApp {
        TestApp {
            addr: self.addr,
            pool: self.pool.clone(),
            app_pool: self.app_pool.clone(),
            client: client(),
            _server: self._server.clone(),
        }
    }
}

/// The same database as `pool`, logged in as the app role (it owns nothing; the private
/// socket and the test cluster trust local logins), with the server's session settings.
pub fn app_pool(pool: &PgPool) -> PgPool {
    app_pool_of_size(pool, 8)
}

/// The app role's pool with `size` connections.
pub fn app_pool_of_size(pool: &PgPool, size: u32) -> PgPool {
    let options = (*pool.connect_options()).clone().username(renkei::APP_ROLE);
    renkei::pool_options(size).connect_lazy_with(renkei::session_settings(options))
}

pub fn test_settings() -> Settings {
    Settings {
        // tests log in many times from one address, often as the same user
        login_address_burst: 100_000,
        login_account_burst: 10_000,
        ..Settings::default()
    }
}

pub fn location(res: &Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

pub fn set_cookie(res: &Response) -> String {
    res.headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

pub async fn body(res: Response) -> String {
    res.text().await.unwrap()
}

pub async fn audit_count(pool: &PgPool, action: &str, outcome: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = $1 AND outcome = $2")
        .bind(action)
        .bind(outcome)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Every demo login of SPEC §12 (and the agency admin the demo adds).
pub const DEMO_EMAILS: &[&str] = &[
    "ot@sakura.example",
    "st@sakura.example",
    "psw@sakura.example",
    "jimu@sakura.example",
    "staff@hikari.example",
    "sabikan@hikari.example",
    "shugyo@minato.example",
    "jc@shokucen.example",
    "teichaku@aoba.example",
    "soudan@komorebi.example",
    "boss@midori.example",
    "staff@haruka.example",
    "dual@sakura.example",
    "admin@renkei.example",
];

/// A signed-in user of one agency, as the session lookup would make it (for tests that call the
/// door and the database layer directly).
pub fn session_user(user_id: uuid::Uuid, agency: uuid::Uuid) -> renkei::access::SessionUser {
    let m = renkei::access::Membership {
        agency_id: agency,
        agency_name: String::new(),
        agency_kind: renkei::domain::kinds::AgencyKind::Clinic,
        role: renkei::domain::kinds::Role::Coordinator,
    };
    renkei::access::SessionUser {
        id: user_id,
        email: String::new(),
        display_name: String::new(),
        is_admin: false,
        memberships: vec![m.clone()],
        acting: Some(m),
        token_hash: vec![],
        unread: None,
        participant_case_id: None,
        must_enrol: false,
        case_facts: None,
    }
}

pub fn actor_as(user_id: uuid::Uuid, agency: uuid::Uuid) -> renkei::access::Actor {
    session_user(user_id, agency)
        .actor()
        .expect("an agency user")
}

/// The case opened through the door by `user_id` acting as `agency`, for reading; None when
/// the door refuses (an agency never on the team).
pub async fn scope_as(
    pool: &PgPool,
    user_id: uuid::Uuid,
    agency: uuid::Uuid,
    case: uuid::Uuid,
) -> Option<renkei::access::CaseScope> {
    let user = session_user(user_id, agency);
    let who = renkei::access::Who {
        user: &user,
        request_id: "test",
        ip: "",
        pool,
        mark: None,
    };
    let mut conn = pool.acquire().await.unwrap();
    renkei::access::case::open(
        &mut conn,
        &who,
        case,
        renkei::access::Need::Read,
        "test.open",
    )
    .await
    .ok()
}

/// The ids of the case's entries the agency may see (empty for an agency never on the team).
pub async fn visible_ids(
    pool: &PgPool,
    user_id: uuid::Uuid,
    agency: uuid::Uuid,
    case: uuid::Uuid,
) -> Vec<uuid::Uuid> {
    match scope_as(pool, user_id, agency, case).await {
        Some(scope) => {
            let mut conn = pool.acquire().await.unwrap();
            renkei::db::entries::visible_ids(&mut conn, scope.reader())
                .await
                .unwrap()
        }
        None => vec![],
    }
}

/// A referral opened through the door by `user_id` acting as `agency`.
pub async fn referral_scope_as(
    pool: &PgPool,
    user_id: uuid::Uuid,
    agency: uuid::Uuid,
    referral: uuid::Uuid,
) -> renkei::access::ReferralScope {
    let user = session_user(user_id, agency);
    let who = renkei::access::Who {
        user: &user,
        request_id: "test",
        ip: "",
        pool,
        mark: None,
    };
    let mut conn = pool.acquire().await.unwrap();
    renkei::access::referral::open(&mut conn, &who, referral, "test.open")
        .await
        .expect("the sender or the receiver")
}

/// The calendar feed's secret, as the page that made it shows it once.
pub fn feed_token(page: &str) -> Option<String> {
    let after = page.split("id=\"feed-url\">/calendar/").nth(1)?;
    Some(after.split(".ics").next()?.to_string())
}

/// The Rust files under src/http/ (its subdirectories too): the tests read the route
/// registrations from them.
pub fn http_source_files() -> Vec<std::path::PathBuf> {
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http")];
    let mut files = vec![];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

/// The routes registered in src/http/, read from the source: (path, takes GET, takes POST).
pub fn registered_routes() -> Vec<(String, bool, bool)> {
    let mut out = std::collections::BTreeSet::new();
    for file in http_source_files() {
        let src = std::fs::read_to_string(file).unwrap();
        for piece in src.split(".route(").skip(1) {
            let path = piece.trim_start().trim_start_matches('"');
            let end = path.find('"').unwrap();
            let rest = &path[end..];
            let rest = &rest[..rest.find(".route(").unwrap_or(rest.len())];
            let rest = &rest[..rest.find("\n}").unwrap_or(rest.len())];
            out.insert((
                path[..end].to_string(),
                rest.contains("get("),
                rest.contains("post("),
            ));
        }
    }
    out.into_iter().collect()
}
