//! The embedded default: a private PostgreSQL cluster under the data directory, built from the
//! system's PostgreSQL binaries, listening only on a Unix socket inside that directory.
//!
//! Layout of the data directory:
//!   pg/              the cluster (PGDATA), owned by the user the server runs as
//!   run/             the socket directory and the server log
//! When Renkei runs as root the cluster runs as the unprivileged `postgres` user (PostgreSQL
//! refuses to run as root); the directories are handed to that user.

use anyhow::{bail, Context, Result};
use sqlx::postgres::PgConnectOptions;
use std::path::{Path, PathBuf};
use tokio::process::Command;

/// The superuser the cluster is created with; connections come over the private socket.
/// Migrations, the demo, the benchmark data and backups connect as it; requests do not
/// (they are served as `crate::APP_ROLE`).
const SUPERUSER: &str = "renkei";
pub const PORT: u16 = 5432;

#[derive(Debug, Clone)]
pub struct Cluster {
    bindir: PathBuf,
    root: PathBuf,
    as_postgres: bool,
    /// fsync and synchronous commit off: only for throwaway test clusters.
    unsafe_fast: bool,
}

impl Cluster {
    /// Finds the PostgreSQL binaries and prepares (but does not start) a cluster under `root`.
    pub async fn locate(root: &Path, unsafe_fast: bool) -> Result<Self> {
        std::fs::create_dir_all(root)
            .with_context(|| format!("cannot create data directory {}", root.display()))?;
        let root = root.canonicalize()?;
        let socket = root.join("run").join(format!(".s.PGSQL.{PORT}"));
        if socket.as_os_str().len() > 100 {
            bail!(
                "the data directory path is too long for a Unix socket ({}); set RENKEI_DATA_DIR to a shorter path",
                root.display()
            );
        }
        Ok(Cluster {
            bindir: find_bindir().await?,
            root,
            as_postgres: running_as_root().await,
            unsafe_fast,
        })
    }

    pub fn pgdata(&self) -> PathBuf {
        self.root.join("pg")
    }

    pub fn socket_dir(&self) -> PathBuf {
        self.root.join("run")
    }

    fn log_file(&self) -> PathBuf {
        self.socket_dir().join("postgresql.log")
    }

    /// As the owner of everything (the cluster's superuser).
    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        self.connect_options_as(SUPERUSER, database)
    }

    /// As another role; the private socket trusts every local connection (initdb
    /// `--auth=trust`, and only the server's own user can reach the socket).
    pub fn connect_options_as(&self, role: &str, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(self.socket_dir())
            .port(PORT)
            .username(role)
            .database(database)
    }

    /// A PostgreSQL client program of the cluster's own version (`pg_dump`, `pg_restore`)
    /// connected to `database` as the owner, run as the server's user. Its standard input and
    /// output are the caller's to set, so files stay ours.
    pub fn client(&self, program: &str, database: &str) -> Result<Command> {
        let socket = path_str(&self.socket_dir())?.to_owned();
        let port = PORT.to_string();
        Ok(self.command(
            program,
            &[
                "--no-password",
                "-h",
                &socket,
                "-p",
                &port,
                "-U",
                SUPERUSER,
                "-d",
                database,
            ],
        ))
    }

    /// A URL for other programs (the test suite): sqlx reads the socket directory from `host`.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{SUPERUSER}@localhost:{PORT}/{database}?host={}",
            self.socket_dir().display()
        )
    }

    /// Initialises the cluster on first use, starts it unless it is already running, and makes
    /// sure the `renkei` database exists. Safe to call again on an existing cluster.
    pub async fn start(&self) -> Result<()> {
        let pgdata = self.pgdata();
        let run = self.socket_dir();
        std::fs::create_dir_all(&pgdata)?;
        std::fs::create_dir_all(&run)?;
        set_mode(&pgdata, 0o700)?;
        set_mode(&run, 0o700)?;
        if self.as_postgres {
            // postgres must be able to walk down to its directories
            set_mode(&self.root, 0o711)?;
            chown_postgres(&pgdata).await?;
            chown_postgres(&run).await?;
        }

        if !pgdata.join("PG_VERSION").exists() {
            tracing::info!(pgdata = %pgdata.display(), "initialising a private PostgreSQL cluster");
            self.run(
                "initdb",
                &[
                    "-D",
                    path_str(&pgdata)?,
                    "-U",
                    SUPERUSER,
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-locale",
                    "--no-sync",
                ],
            )
            .await?;
            let mut conf = format!(
                "\n# written by renkei\nlisten_addresses = ''\nunix_socket_directories = '{}'\nunix_socket_permissions = 0700\nport = {PORT}\ntimezone = 'UTC'\n",
                run.display()
            );
            // PostgreSQL's default (128 MB) keeps little of a prefecture's timeline in memory;
            // a quarter of the machine's memory is the usual advice, capped for a shared host
            conf.push_str(&format!("shared_buffers = {}MB\n", shared_buffers_mb()));
            if self.unsafe_fast {
                conf.push_str("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
            }
            let conf_path = pgdata.join("postgresql.conf");
            let mut existing = std::fs::read_to_string(&conf_path)?;
            existing.push_str(&conf);
            std::fs::write(&conf_path, existing)?;
        }

        if !self.is_running().await {
            tracing::info!("starting the private PostgreSQL cluster");
            self.run(
                "pg_ctl",
                &[
                    "-D",
                    path_str(&pgdata)?,
                    "-l",
                    path_str(&self.log_file())?,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ],
            )
            .await
            .with_context(|| {
                format!(
                    "PostgreSQL did not start; see {}",
                    self.log_file().display()
                )
            })?;
        }
        self.ensure_database("renkei").await
    }

    pub async fn is_running(&self) -> bool {
        let Ok(pgdata) = path_str(&self.pgdata()).map(str::to_owned) else {
            return false;
        };
        self.command("pg_ctl", &["-D", &pgdata, "status"])
            .output()
            .await
            .map(|o| o.status.success())
            .unwrap_or(false)
    }

    pub async fn stop(&self) -> Result<()> {
        if !self.is_running().await {
            return Ok(());
        }
        tracing::info!("stopping the private PostgreSQL cluster");
        self.run(
            "pg_ctl",
            &["-D", path_str(&self.pgdata())?, "-m", "fast", "-w", "stop"],
        )
        .await
    }

    async fn ensure_database(&self, name: &str) -> Result<()> {
        use sqlx::{Connection, PgConnection};
        let mut conn = PgConnection::connect_with(&self.connect_options("postgres")).await?;
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(name)
                .fetch_one(&mut conn)
                .await?;
        if !exists {
            // the name is ours, never user input
            sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                .execute(&mut conn)
                .await?;
        }
        conn.close().await?;
        Ok(())
    }

    fn command(&self, program: &str, args: &[&str]) -> Command {
        let bin = self.bindir.join(program);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.arg("-u").arg("postgres").arg("--").arg(bin);
            c
        } else {
            Command::new(bin)
        };
        cmd.args(args).current_dir(&self.root).kill_on_drop(true);
        cmd
    }

    async fn run(&self, program: &str, args: &[&str]) -> Result<()> {
        let out = self
            .command(program, args)
            .output()
            .await
            .with_context(|| format!("cannot run {program}"))?;
        if !out.status.success() {
            bail!(
                "{program} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }
}

/// A quarter of the machine's memory, between 128 MB and 2 GB.
fn shared_buffers_mb() -> u64 {
    let total_kb: u64 = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0);
    (total_kb / 1024 / 4).clamp(128, 2048)
}

fn path_str(p: &Path) -> Result<&str> {
    p.to_str()
        .context("the data directory path is not valid UTF-8")
}

fn set_mode(p: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot set permissions on {}", p.display()))
}

async fn chown_postgres(p: &Path) -> Result<()> {
    let status = Command::new("chown")
        .arg("-R")
        .arg("postgres:")
        .arg(p)
        .status()
        .await?;
    if !status.success() {
        bail!("cannot hand {} to the postgres user", p.display());
    }
    Ok(())
}

async fn running_as_root() -> bool {
    match Command::new("id").arg("-u").output().await {
        Ok(o) => String::from_utf8_lossy(&o.stdout).trim() == "0",
        Err(_) => false,
    }
}

/// The directory of the server binaries (`initdb`, `pg_ctl`); see `find_dir_with`.
pub async fn find_bindir() -> Result<PathBuf> {
    find_dir_with(&["initdb", "pg_ctl"]).await.context(
        "PostgreSQL server binaries (initdb, pg_ctl) not found. Install them (Debian/Ubuntu: \
         apt-get install postgresql) or set DATABASE_URL to an existing server.",
    )
}

/// The directory of the dump tools for an existing server (`DATABASE_URL`): the newest found,
/// since `pg_dump` must be at least the server's version.
pub async fn find_dump_tools() -> Result<PathBuf> {
    find_dir_with(&["pg_dump", "pg_restore"]).await.context(
        "pg_dump and pg_restore not found. Install them (Debian/Ubuntu: apt-get install \
         postgresql-client) or set RENKEI_PG_BINDIR.",
    )
}

/// `RENKEI_PG_BINDIR`, then `pg_config --bindir`, then the newest `/usr/lib/postgresql/*/bin`,
/// then `PATH`: the first directory that holds all of `programs`.
async fn find_dir_with(programs: &[&str]) -> Result<PathBuf> {
    let has_tools = |d: &Path| programs.iter().all(|p| d.join(p).is_file());
    if let Ok(dir) = std::env::var("RENKEI_PG_BINDIR") {
        let dir = PathBuf::from(dir);
        if has_tools(&dir) {
            return Ok(dir);
        }
        bail!(
            "RENKEI_PG_BINDIR={} has no {}",
            dir.display(),
            programs.join(", ")
        );
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output().await {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && has_tools(&dir) {
            return Ok(dir);
        }
    }
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<(u32, PathBuf)> = entries
            .flatten()
            .filter_map(|e| {
                let v = e.file_name().to_str()?.parse::<u32>().ok()?;
                Some((v, e.path().join("bin")))
            })
            .filter(|(_, d)| has_tools(d))
            .collect();
        versions.sort();
        if let Some((_, dir)) = versions.pop() {
            return Ok(dir);
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if has_tools(&dir) {
                return Ok(dir);
            }
        }
    }
    bail!("{} not found", programs.join(", "))
}
