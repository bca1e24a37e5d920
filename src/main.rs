//! The `renkei` command: parses arguments and calls into the library.

use anyhow::Result;
use clap::{Parser, Subcommand};
use renkei::config::{DbArgs, ServeArgs, Settings};

#[derive(Parser)]
#[command(
    name = "renkei",
    version,
    about = "連携 — shared cases for employment support agencies"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (migrations run first).
    Serve {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Load the demo dataset (idempotent). Never in production.
    Demo {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Load the benchmark's dataset into an empty database: 50 agencies, 2,000 users,
    /// 10,000 cases, 100,000 meetings, 200,000 tasks and the given number of timeline entries.
    BenchData {
        #[command(flatten)]
        db: DbArgs,
        /// Timeline entries: 10k, 100k, 1m or a number.
        #[arg(long, default_value = "10k", value_parser = parse_count)]
        entries: u64,
    },
    /// Back up the database (pg_dump custom format) into a dated file; keep the newest N.
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// Where the backups are kept.
        #[arg(long, env = "RENKEI_BACKUP_DIR", default_value = "./backups")]
        dir: std::path::PathBuf,
        /// How many backups to keep (the newest); older ones in the directory are deleted.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
        keep: u32,
    },
    /// Restore a backup into an empty database (a new data directory, or an empty
    /// DATABASE_URL).
    Restore {
        #[command(flatten)]
        db: DbArgs,
        /// A file written by `renkei backup`.
        file: std::path::PathBuf,
    },
    /// Operator tasks.
    Admin {
        #[command(flatten)]
        db: DbArgs,
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// The audit log.
    Audit {
        #[command(flatten)]
        db: DbArgs,
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Start or stop a private PostgreSQL cluster by itself (used by the test script).
    Pg {
        #[command(subcommand)]
        command: PgCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a user. The password is read from RENKEI_PASSWORD or the first line of stdin.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// A system administrator (creates agencies and users; sees no case content).
        #[arg(long)]
        system_admin: bool,
        /// Agency id to make the user a member of.
        #[arg(long)]
        agency: Option<uuid::Uuid>,
        /// staff, coordinator or agency_admin
        #[arg(long, default_value = "staff")]
        role: String,
    },
    /// Set a new password (RENKEI_PASSWORD or stdin) and end the user's sessions.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain and recompute every row's hash: "N rows verified, chain intact" and
    /// the head hash (keep it elsewhere), or the first broken row and exit status 1.
    Verify,
}

#[derive(Subcommand)]
enum PgCommand {
    /// Initialise (if needed) and start a cluster; prints its DATABASE_URL.
    Start {
        #[arg(long)]
        data_dir: std::path::PathBuf,
        /// fsync off: for throwaway test clusters only.
        #[arg(long)]
        unsafe_fast: bool,
    },
    /// Stop the cluster.
    Stop {
        #[arg(long)]
        data_dir: std::path::PathBuf,
    },
}

/// 10k, 100k, 1m, or digits.
fn parse_count(s: &str) -> Result<u64, String> {
    let s = s.to_ascii_lowercase().replace('_', "");
    let (digits, factor) = match s.strip_suffix('m') {
        Some(d) => (d.to_string(), 1_000_000),
        None => match s.strip_suffix('k') {
            Some(d) => (d.to_string(), 1_000),
            None => (s.clone(), 1),
        },
    };
    digits
        .parse::<u64>()
        .map(|n| n * factor)
        .map_err(|_| format!("not a count: {s}"))
}

#[tokio::main]
async fn main() -> Result<()> {
    renkei::telemetry::init();
    match Cli::parse().command {
        Command::Serve { db, serve } => {
            let settings = Settings {
                secure_cookies: serve.secure_cookies,
                trusted_proxies: serve.trusted_proxies.clone(),
                base_url: serve
                    .base_url
                    .clone()
                    .map(|u| u.trim().trim_end_matches('/').to_string())
                    .filter(|u| !u.is_empty()),
                mail: renkei::config::MailSettings {
                    smtp: serve.smtp_url.clone(),
                    from: serve.mail_from.clone(),
                    ..Default::default()
                },
                api_burst: serve.api_burst,
                api_refill: std::time::Duration::from_millis(serve.api_refill_ms.max(1)),
                ..Settings::default()
            };
            renkei::run_server(&db, &serve, settings).await
        }
        Command::Demo { db } => {
            let database = renkei::Database::open(&db).await?;
            let result = renkei::demo::load(&database.pool).await;
            database.close().await?;
            result.map(|_| {
                println!("demo data loaded");
                renkei::demo::print_logins();
            })
        }
        Command::BenchData { db, entries } => {
            let database = renkei::Database::open(&db).await?;
            let result = renkei::bench_data::load(&database.pool, entries).await;
            database.close().await?;
            result
        }
        Command::Backup { db, dir, keep } => {
            let made = renkei::backup::backup(&db, &dir, keep as usize).await?;
            println!(
                "backup written: {} ({} bytes, {:.1} s)",
                made.path.display(),
                made.bytes,
                made.took.as_secs_f64()
            );
            for old in made.removed {
                println!("old backup deleted: {}", old.display());
            }
            Ok(())
        }
        Command::Restore { db, file } => {
            renkei::backup::restore(&db, &file).await?;
            println!("restored {}", file.display());
            Ok(())
        }
        Command::Admin { db, command } => {
            let database = renkei::Database::open(&db).await?;
            let result = match command {
                AdminCommand::CreateUser {
                    email,
                    name,
                    system_admin,
                    agency,
                    role,
                } => {
                    let password = renkei::cli::read_password()?;
                    renkei::cli::create_user(
                        &database.pool,
                        &email,
                        &name,
                        &password,
                        system_admin,
                        agency,
                        &role,
                    )
                    .await
                }
                AdminCommand::ResetPassword { email } => {
                    let password = renkei::cli::read_password()?;
                    renkei::cli::reset_password(&database.pool, &email, &password).await
                }
            };
            database.close().await?;
            result
        }
        Command::Audit { db, command } => match command {
            AuditCommand::Verify => {
                let database = renkei::Database::open(&db).await?;
                let verdict = async {
                    let mut conn = database.pool.acquire().await?;
                    renkei::audit_verify::verify(&mut conn).await
                }
                .await;
                database.close().await?;
                let verdict = verdict?;
                println!("{verdict}");
                if !verdict.is_intact() {
                    std::process::exit(1);
                }
                Ok(())
            }
        },
        Command::Pg { command } => match command {
            PgCommand::Start {
                data_dir,
                unsafe_fast,
            } => {
                let cluster = renkei::pg::Cluster::locate(&data_dir, unsafe_fast).await?;
                cluster.start().await?;
                println!("{}", cluster.url("postgres"));
                Ok(())
            }
            PgCommand::Stop { data_dir } => {
                renkei::pg::Cluster::locate(&data_dir, false)
                    .await?
                    .stop()
                    .await
            }
        },
    }
}
