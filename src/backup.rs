//! `renkei backup` and `renkei restore`: PostgreSQL's own dump format (`pg_dump -Fc`), dated
//! files in one directory, the newest N kept; a restore goes only into an empty database.
//!
//! pg_dump writes into a file we opened under a hidden temporary name; only a complete, checked
//! dump is renamed to `renkei-YYYY-MM-DDTHHMMSSZ.dump`, so a partial file never looks like a
//! backup, and retention deletes nothing but names of that form.

use crate::config::DbArgs;
use crate::pg::{self, Cluster};
use anyhow::{bail, Context, Result};
use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::Command;

const PREFIX: &str = "renkei-";
const SUFFIX: &str = ".dump";
const STAMP: &str = "%Y-%m-%dT%H%M%SZ";
/// Every custom-format archive starts with these bytes.
const MAGIC: &[u8] = b"PGDMP";

/// What `backup` made.
#[derive(Debug)]
pub struct Made {
    pub path: PathBuf,
    pub bytes: u64,
    pub took: Duration,
    /// Older generations deleted by the retention.
    pub removed: Vec<PathBuf>,
}

/// The file name of a backup taken at `at`.
pub fn file_name(at: DateTime<Utc>) -> String {
    format!("{PREFIX}{}{SUFFIX}", at.format(STAMP))
}

/// When the backup named `name` was taken; None for every other name.
pub fn taken_at(name: &str) -> Option<NaiveDateTime> {
    let stamp = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    let at = NaiveDateTime::parse_from_str(stamp, STAMP).ok()?;
    // only the exact form we write (no other spellings chrono would also accept)
    (at.format(STAMP).to_string() == stamp).then_some(at)
}

/// Dumps the database into `dir` and keeps the newest `keep` backups there.
pub async fn backup(args: &DbArgs, dir: &Path, keep: usize) -> Result<Made> {
    let started = Instant::now();
    if !dir.exists() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the backup directory {}", dir.display()))?;
        // the dumps hold personal data: the directory is the operator's alone
        set_mode(dir, 0o700)?;
    }
    let name = file_name(Utc::now());
    let path = dir.join(&name);
    if path.exists() {
        bail!("{} already exists; try again in a second", path.display());
    }
    let partial = dir.join(format!(".{name}.partial"));
    let server = Server::open(args).await?;
    let dumped = dump_into(&server, &partial).await;
    server.close().await?;
    if let Err(e) = dumped {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, &path)
        .with_context(|| format!("cannot rename the dump to {}", path.display()))?;
    std::fs::File::open(dir)?.sync_all()?;
    let bytes = std::fs::metadata(&path)?.len();
    let removed = prune(dir, keep)?;
    Ok(Made {
        path,
        bytes,
        took: started.elapsed(),
        removed,
    })
}

async fn dump_into(server: &Server, partial: &Path) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(partial)
        .with_context(|| format!("cannot create {}", partial.display()))?;
    let mut cmd = server.client("pg_dump")?;
    cmd.arg("--format=custom").stdout(Stdio::from(file));
    run(cmd, "pg_dump").await?;
    let file = std::fs::File::open(partial)?;
    file.sync_all()?;
    let mut head = [0u8; 5];
    use std::io::Read;
    (&file)
        .read_exact(&mut head)
        .context("pg_dump wrote no archive")?;
    if head != MAGIC {
        bail!("pg_dump wrote something that is not a custom-format archive");
    }
    Ok(())
}

/// Deletes all but the newest `keep` backups in `dir`; any other file is left alone.
pub fn prune(dir: &Path, keep: usize) -> Result<Vec<PathBuf>> {
    let mut backups: Vec<(NaiveDateTime, PathBuf)> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| Some((taken_at(e.file_name().to_str()?)?, e.path())))
        .collect();
    backups.sort();
    let old = backups.len().saturating_sub(keep);
    let mut removed = vec![];
    for (_, path) in backups.into_iter().take(old) {
        std::fs::remove_file(&path)
            .with_context(|| format!("cannot delete the old backup {}", path.display()))?;
        removed.push(path);
    }
    Ok(removed)
}

/// Restores `file` into the (empty) database; then applies the app role's grants and any
/// migrations newer than the dump, as `renkei serve` would.
pub async fn restore(args: &DbArgs, file: &Path) -> Result<()> {
    let mut head = [0u8; 5];
    {
        use std::io::Read;
        let mut f =
            std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
        if f.read_exact(&mut head).is_err() || head != MAGIC {
            bail!(
                "{} is not a Renkei backup (a pg_dump custom-format archive)",
                file.display()
            );
        }
    }
    let server = Server::open(args).await?;
    let restored = restore_into(&server, file).await;
    server.close().await?;
    restored
}

async fn restore_into(server: &Server, file: &Path) -> Result<()> {
    let mut conn = PgConnection::connect_with(&server.options)
        .await
        .context("cannot connect to PostgreSQL")?;
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
           AND n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'",
    )
    .fetch_one(&mut conn)
    .await?;
    if tables > 0 {
        bail!(
            "the database {} is not empty ({tables} tables and sequences); a backup is restored \
             only into an empty database: create one (createdb) and point DATABASE_URL at it, or \
             use a new RENKEI_DATA_DIR",
            server.options.get_database().unwrap_or("?")
        );
    }
    let mut cmd = server.client("pg_restore")?;
    // one transaction: a failed restore leaves the database empty. Owners and privileges are
    // the restoring role's and the app role's, applied below, not the old server's.
    cmd.args([
        "--single-transaction",
        "--exit-on-error",
        "--no-owner",
        "--no-acl",
    ])
    .stdin(Stdio::from(std::fs::File::open(file)?))
    .stdout(Stdio::null());
    run(cmd, "pg_restore").await?;
    let has_grants: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'renkei_grant_app')",
    )
    .fetch_one(&mut conn)
    .await?;
    if has_grants {
        sqlx::query("SELECT renkei_grant_app()")
            .execute(&mut conn)
            .await
            .context("cannot grant the app role its privileges")?;
    }
    crate::MIGRATOR
        .run(&mut conn)
        .await
        .context("the restored database does not pass the migrations check")?;
    conn.close().await?;
    Ok(())
}

/// Where pg_dump and pg_restore connect, as the owner: DATABASE_URL, or the private cluster
/// (started for the while when it was not running, and stopped again).
struct Server {
    options: PgConnectOptions,
    how: Via,
}

enum Via {
    Url {
        bindir: PathBuf,
        url: url::Url,
        password: Option<String>,
    },
    Cluster {
        cluster: Cluster,
        started: bool,
    },
}

impl Server {
    async fn open(args: &DbArgs) -> Result<Server> {
        match &args.database_url {
            Some(raw) => {
                let options = raw
                    .parse::<PgConnectOptions>()
                    .context("DATABASE_URL is not a valid PostgreSQL URL")?;
                let (url, password) = for_libpq(raw)?;
                Ok(Server {
                    options,
                    how: Via::Url {
                        bindir: pg::find_dump_tools().await?,
                        url,
                        password,
                    },
                })
            }
            None => {
                let cluster = Cluster::locate(&args.data_dir, false).await?;
                let started = !cluster.is_running().await;
                cluster.start().await?;
                Ok(Server {
                    options: cluster.connect_options("renkei"),
                    how: Via::Cluster { cluster, started },
                })
            }
        }
    }

    fn client(&self, program: &str) -> Result<Command> {
        match &self.how {
            Via::Url {
                bindir,
                url,
                password,
            } => {
                let mut cmd = Command::new(bindir.join(program));
                cmd.arg("--no-password")
                    .arg(format!("--dbname={url}"))
                    .kill_on_drop(true);
                if let Some(p) = password {
                    cmd.env("PGPASSWORD", p);
                }
                Ok(cmd)
            }
            Via::Cluster { cluster, .. } => cluster.client(program, "renkei"),
        }
    }

    async fn close(self) -> Result<()> {
        if let Via::Cluster {
            cluster,
            started: true,
        } = self.how
        {
            cluster.stop().await?;
        }
        Ok(())
    }
}

/// DATABASE_URL as pg_dump takes it: without the password (it goes by the environment, not the
/// command line others can read) and without the settings only sqlx knows.
fn for_libpq(raw: &str) -> Result<(url::Url, Option<String>)> {
    let mut url = url::Url::parse(raw).context("DATABASE_URL is not a valid PostgreSQL URL")?;
    let password = url.password().map(percent_decode);
    let _ = url.set_password(None);
    const SQLX_ONLY: &str = "statement-cache-capacity";
    if url.query_pairs().any(|(k, _)| k == SQLX_ONLY) {
        // written again only then: the form encoding turns spaces into `+`, which libpq keeps
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != SQLX_ONLY)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.query_pairs_mut().clear().extend_pairs(kept);
        if url.query() == Some("") {
            url.set_query(None);
        }
    }
    Ok((url, password))
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("p={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

async fn run(mut cmd: Command, program: &str) -> Result<()> {
    // spawn, not `output()`: that would take standard output away from the file
    let out = cmd
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {program}"))?
        .wait_with_output()
        .await?;
    if !out.status.success() {
        bail!(
            "{program} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

fn set_mode(p: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot set permissions on {}", p.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn names_are_dated_and_only_ours_are_recognised() {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 3, 15, 0).unwrap();
        assert_eq!(file_name(at), "renkei-2026-12-01T031500Z.dump");
        assert_eq!(taken_at(&file_name(at)), Some(at.naive_utc()));
        for other in [
            "renkei-2026-12-01T031500Z.dump.partial",
            ".renkei-2026-12-01T031500Z.dump.partial",
            "renkei-2026-13-01T031500Z.dump",
            "renkei-2026-12-01T31500Z.dump",
            "renkei-latest.dump",
            "other-2026-12-01T031500Z.dump",
            "renkei-2026-12-01T031500Z.sql",
        ] {
            assert_eq!(taken_at(other), None, "{other}");
        }
    }

    #[test]
    fn the_password_leaves_the_url_for_the_environment() {
        let (url, password) = for_libpq(
            "postgres://renkei:p%40ss%2Fw+rd@db.example:5433/renkei?sslmode=require&statement-cache-capacity=10",
        )
        .unwrap();
        assert_eq!(password.as_deref(), Some("p@ss/w+rd"));
        assert_eq!(
            url.as_str(),
            "postgres://renkei@db.example:5433/renkei?sslmode=require"
        );
        let (url, password) = for_libpq("postgres://renkei@localhost/x?host=/tmp/run").unwrap();
        assert_eq!(password, None);
        assert_eq!(url.as_str(), "postgres://renkei@localhost/x?host=/tmp/run");
    }
}
