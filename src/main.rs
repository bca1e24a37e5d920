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
    /// Operator tasks.
    Admin {
        #[command(flatten)]
        db: DbArgs,
        #[command(subcommand)]
        command: AdminCommand,
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

#[tokio::main]
async fn main() -> Result<()> {
    renkei::telemetry::init();
    match Cli::parse().command {
        Command::Serve { db, serve } => {
            let settings = Settings {
                secure_cookies: serve.secure_cookies,
                ..Settings::default()
            };
            renkei::run_server(&db, &serve, settings).await
        }
        Command::Demo { db } => {
            let database = renkei::Database::open(&db).await?;
            let result = renkei::demo::load(&database.pool).await;
            database.close().await?;
            result.map(|_| println!("demo data loaded"))
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
