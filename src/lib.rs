//! Renkei: one shared case for the agencies that support a person with a disability into work.
//!
//! A request flows one way: route → who is asking (`http::extract`) → may they (`policy`) →
//! scoped query (`db`) → view (`views`, askama templates) → response.

pub mod access;
pub mod area;
pub mod audit_verify;
pub mod backup;
pub mod bench_data;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod http;
pub mod i18n;
pub mod mail;
pub mod pg;
pub mod telemetry;
pub mod views;

use anyhow::{Context, Result};
use config::{DbArgs, ServeArgs, Settings};
use sqlx::postgres::PgConnectOptions;
use sqlx::PgPool;
use std::{future::Future, net::SocketAddr};

pub use access::policy;
pub use db::pool_options;
pub use http::router;
pub use http::state::AppState;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The login role requests are served as: it owns nothing and may only read and write rows
/// (the audit log only read and append); `migrations/0015_app_role.sql` makes it.
pub const APP_ROLE: &str = "renkei_app";

/// The pool, and the private cluster behind it when Renkei runs its own.
pub struct Database {
    /// As the owner: migrations, the demo, the benchmark data, operator commands.
    pub pool: PgPool,
    pub cluster: Option<pg::Cluster>,
    /// Where requests connect: the app role over the private socket, RENKEI_APP_DATABASE_URL,
    /// or (neither) nothing known.
    app_options: Option<PgConnectOptions>,
}

impl Database {
    /// Connects to `DATABASE_URL`, or starts the private cluster under the data directory; then
    /// runs the migrations.
    pub async fn open(args: &DbArgs) -> Result<Database> {
        let (options, cluster, app_options) = match &args.database_url {
            Some(url) => {
                let app = match &args.app_database_url {
                    Some(app) => Some(
                        app.parse::<PgConnectOptions>()
                            .context("RENKEI_APP_DATABASE_URL is not a valid PostgreSQL URL")?,
                    ),
                    None => None,
                };
                (
                    url.parse::<PgConnectOptions>()
                        .context("DATABASE_URL is not a valid PostgreSQL URL")?,
                    None,
                    app,
                )
            }
            None => {
                let cluster = pg::Cluster::locate(&args.data_dir, false).await?;
                cluster.start().await?;
                let app = cluster.connect_options_as(APP_ROLE, "renkei");
                (cluster.connect_options("renkei"), Some(cluster), Some(app))
            }
        };
        let ready = async {
            let pool = pool_options(args.pool_size)
                .connect_with(session_settings(options))
                .await
                .context("cannot connect to PostgreSQL")?;
            MIGRATOR.run(&pool).await.context("migrations failed")?;
            anyhow::Ok(pool)
        }
        .await;
        match ready {
            Ok(pool) => Ok(Database {
                pool,
                cluster,
                app_options,
            }),
            Err(e) => {
                // do not leave our private cluster running behind a failed start
                if let Some(cluster) = cluster {
                    let _ = cluster.stop().await;
                }
                Err(e)
            }
        }
    }

    /// The pool requests are served from, as the app role. Without one configured (DATABASE_URL
    /// but no RENKEI_APP_DATABASE_URL) the owner's pool, with a warning: that role can switch
    /// off the audit log's triggers.
    pub async fn serving_pool(&self, size: u32) -> Result<PgPool> {
        let Some(options) = &self.app_options else {
            tracing::warn!(
                "RENKEI_APP_DATABASE_URL is not set: requests run as the DATABASE_URL role, which \
                 owns the schema; set it to the {APP_ROLE} login (see the README)"
            );
            return Ok(self.pool.clone());
        };
        let pool = pool_options(size)
            .connect_with(session_settings(options.clone()))
            .await
            .context("cannot connect as the app role")?;
        let (user, superuser): (String, bool) = sqlx::query_as(
            "SELECT current_user::text, rolsuper FROM pg_roles WHERE rolname = current_user",
        )
        .fetch_one(&pool)
        .await?;
        if superuser {
            tracing::warn!(
                role = user,
                "requests run as a superuser, which can switch off the audit log's triggers"
            );
        }
        Ok(pool)
    }

    pub async fn close(self) -> Result<()> {
        self.pool.close().await;
        if let Some(cluster) = self.cluster {
            cluster.stop().await?;
        }
        Ok(())
    }
}

/// Prepared statements kept per connection (see `session_settings`).
pub const STATEMENT_CACHE: usize = 512;

/// Every connection: no statement runs longer than 30 s; times are UTC until rendered; and a
/// statement is planned once per connection, not on every call. Every query is keyed by ids
/// and written for an index, so the plan does not depend on the values; with the default,
/// PostgreSQL re-planned several dashboard statements on every call (a `LIMIT $n` or a date
/// range parameter made the generic plan look dearer), which cost more than running them.
/// Each connection keeps up to `STATEMENT_CACHE` prepared statements: Renkei has about 300
/// statements (and a shape per filter set of the timeline), more than sqlx's default of 100,
/// and a statement pushed out of the cache is parsed and planned again on its next use.
/// A generic plan cannot see that one case holds a thousand entries and the next one: with
/// PostgreSQL's default `random_page_cost` (4, for spinning disks) it read a long case's
/// timeline through a bitmap scan and sorted all of it (4.3 ms) instead of walking
/// `entry_case_time_idx` for 51 rows (1.0 ms). The working set is in memory or on SSD, where
/// a random read costs little more than a sequential one: 1.1 is the usual setting.
pub fn session_settings(options: PgConnectOptions) -> PgConnectOptions {
    options.statement_cache_capacity(STATEMENT_CACHE).options([
        ("statement_timeout", "30s"),
        ("TimeZone", "UTC"),
        ("plan_cache_mode", "force_generic_plan"),
        ("random_page_cost", "1.1"),
    ])
}

/// `renkei serve`: open the database, load the demo if asked, serve until SIGINT/SIGTERM, then
/// stop the private cluster.
pub async fn run_server(db: &DbArgs, serve_args: &ServeArgs, settings: Settings) -> Result<()> {
    let database = Database::open(db).await?;
    if serve_args.demo {
        demo::load(&database.pool).await?;
    }
    let serving = database.serving_pool(db.pool_size).await?;
    if database.app_options.is_some() {
        // the owner's connections are not needed while serving
        database.pool.close().await;
    }
    let listener = tokio::net::TcpListener::bind(serve_args.bind)
        .await
        .with_context(|| format!("cannot listen on {}", serve_args.bind))?;
    let addr = listener.local_addr()?;
    println!("Renkei is running at http://{addr}/");
    if serve_args.demo {
        demo::print_logins();
        println!("{}", mail::describe(&settings.mail));
    }
    let state = AppState::new(serving.clone(), settings);
    let served = serve(listener, state, shutdown_signal()).await;
    serving.close().await;
    database.close().await?;
    served
}

/// Serves the router on a listener the caller made (tests bind port 0) until `shutdown` ends.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let base = state.settings.base_url.clone().unwrap_or_else(|| {
        listener
            .local_addr()
            .map(|a| format!("http://{a}"))
            .unwrap_or_default()
    });
    let mail = mail::Worker::start(&state.db, &state.settings, base);
    let served = axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    if let Some(worker) = mail {
        worker.stop().await;
    }
    Ok(served?)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
