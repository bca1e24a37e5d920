//! The restore drill: the demo backed up with `renkei backup`, restored with `renkei restore`
//! into a fresh database, and every table found again row for row; a restore that refuses a
//! database already in use; the retention; the same commands against the private cluster.
//! `restored_copy` hands back the restored database for further checks.

use crate::helpers::{test_settings, TestApp};
use renkei::config::DbArgs;
use renkei::pg::Cluster;
use sqlx::{Connection, PgConnection, PgPool};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

/// Runs the built `renkei` binary; `database_url` None: the private cluster (`--data-dir`).
fn renkei(args: &[&str], database_url: Option<&str>) -> Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_renkei"));
    cmd.args(args)
        .env("RUST_LOG", "warn")
        .env("RUST_BACKTRACE", "0")
        .env_remove("RENKEI_APP_DATABASE_URL")
        .env_remove("RENKEI_BACKUP_DIR");
    match database_url {
        Some(url) => cmd.env("DATABASE_URL", url),
        None => cmd.env_remove("DATABASE_URL"),
    };
    cmd.output().expect("renkei runs")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "renkei failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The test server's URL for another database on it.
fn url_for(database: &str) -> String {
    let mut url = url::Url::parse(&std::env::var("DATABASE_URL").unwrap()).unwrap();
    url.set_path(&format!("/{database}"));
    url.to_string()
}

fn tempdir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rk-{tag}-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The backups `renkei backup` left in `dir`, oldest first.
fn backups_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| renkei::backup::taken_at(p.file_name().unwrap().to_str().unwrap()).is_some())
        .collect();
    files.sort();
    files
}

/// A database restored from a backup, on the test server; dropped by `drop_database`.
pub struct Restored {
    pub name: String,
    pub url: String,
    pub pool: PgPool,
    pub file: PathBuf,
    pub bytes: u64,
    pub backup_took: std::time::Duration,
}

impl Restored {
    pub async fn drop_database(self) {
        self.pool.close().await;
        let mut master = PgConnection::connect(&std::env::var("DATABASE_URL").unwrap())
            .await
            .unwrap();
        sqlx::query(&format!("DROP DATABASE \"{}\" WITH (FORCE)", self.name))
            .execute(&mut master)
            .await
            .unwrap();
        let _ = std::fs::remove_dir_all(self.file.parent().unwrap());
    }
}

/// Backs up the database behind `pool` with `renkei backup` and restores the file with
/// `renkei restore` into a new, empty database on the same server.
pub async fn restored_copy(pool: &PgPool) -> Restored {
    let source = pool.connect_options().get_database().unwrap().to_string();
    let dir = tempdir("backup");
    let started = std::time::Instant::now();
    let said = ok(&renkei(
        &["backup", "--dir", dir.to_str().unwrap()],
        Some(&url_for(&source)),
    ));
    let backup_took = started.elapsed();
    assert!(said.contains("backup written"), "{said}");
    let files = backups_in(&dir);
    assert_eq!(files.len(), 1, "one dated file: {files:?}");
    let file = files[0].clone();
    let bytes = std::fs::metadata(&file).unwrap().len();

    let name = format!("restored_{}", uuid::Uuid::now_v7().simple());
    let mut master = PgConnection::connect(&std::env::var("DATABASE_URL").unwrap())
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut master)
        .await
        .unwrap();
    let url = url_for(&name);
    ok(&renkei(&["restore", file.to_str().unwrap()], Some(&url)));
    let pool = PgPool::connect(&url).await.unwrap();
    Restored {
        name,
        url,
        pool,
        file,
        bytes,
        backup_took,
    }
}

/// Every table of the public schema: its row count and the md5 of all its rows' text, in order.
pub async fn table_digests(pool: &PgPool) -> BTreeMap<String, (i64, String)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut digests = BTreeMap::new();
    for table in tables {
        let digest: (i64, String) = sqlx::query_as(&format!(
            "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) \
             FROM \"{table}\" t"
        ))
        .fetch_one(pool)
        .await
        .unwrap();
        digests.insert(table, digest);
    }
    digests
}

#[sqlx::test]
async fn the_demo_restored_from_its_backup_has_every_row(pool: PgPool) {
    renkei::demo::load(&pool).await.unwrap();
    // some use first, so that the audit chain has rows of its own: logins, a page, a refusal
    {
        let app = TestApp::spawn_bare(pool.clone(), test_settings()).await;
        app.login("ot@sakura.example").await;
        app.get(&format!("/cases/{}", renkei::demo::CASE_YAMADA))
            .await;
        app.get(&format!("/cases/{}", renkei::demo::CASE_TANAKA))
            .await;
    }
    let mut conn = pool.acquire().await.unwrap();
    let chained = renkei::audit_verify::verify(&mut conn).await.unwrap();
    drop(conn);
    assert!(chained.is_intact(), "{chained}");
    let before = table_digests(&pool).await;
    let restored = restored_copy(&pool).await;
    let after = table_digests(&restored.pool).await;

    let rows: i64 = before.values().map(|(n, _)| n).sum();
    let filled = before.values().filter(|(n, _)| *n > 0).count();
    assert!(
        rows > 500 && filled > 20,
        "the demo fills the tables: {before:?}"
    );
    for (table, digest) in &before {
        assert_eq!(
            after.get(table),
            Some(digest),
            "table {table} after the restore"
        );
    }
    assert_eq!(before.len(), after.len(), "no table more or less");
    // and the audit chain of the copy is intact, row for row the same head
    let mut conn = restored.pool.acquire().await.unwrap();
    let copy = renkei::audit_verify::verify(&mut conn).await.unwrap();
    drop(conn);
    assert_eq!(copy, chained, "the restored chain is the original's");
    let audit_rows = match &copy {
        renkei::audit_verify::Verdict::Intact { rows, .. } => *rows,
        broken => panic!("{broken}"),
    };
    assert!(audit_rows >= 3, "{copy}");
    let out = renkei(&["audit", "verify"], Some(&restored.url));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("restore drill: audit chain of {audit_rows} rows verified after the restore");
    eprintln!(
        "restore drill: {} tables, {rows} rows compared; backup {} bytes in {:.2} s",
        before.len(),
        restored.bytes,
        restored.backup_took.as_secs_f64()
    );

    // a second restore of the same file is refused: the database has tables now
    let out = renkei(
        &["restore", restored.file.to_str().unwrap()],
        Some(&restored.url),
    );
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("is not empty"), "{said}");
    assert!(said.contains("only into an empty database"), "{said}");
    assert_eq!(
        table_digests(&restored.pool).await,
        after,
        "nothing was touched"
    );

    // the restored copy serves: the app role has its grants back, and a demo user logs in
    let app = TestApp::spawn_bare(restored.pool.clone(), test_settings()).await;
    app.login("ot@sakura.example").await;
    let logins: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'login' AND outcome = 'ok'",
    )
    .fetch_one(&restored.pool)
    .await
    .unwrap();
    assert!(logins >= 1, "the login was audited in the restored copy");
    let mut conn = app.app_pool.acquire().await.unwrap();
    let refused = sqlx::query("UPDATE audit_log SET detail = 'changed'")
        .execute(&mut *conn)
        .await;
    assert!(
        refused.is_err(),
        "the audit log stays append-only for the app"
    );
    drop(conn);
    drop(app);
    restored.drop_database().await;
}

#[test]
fn restore_names_a_file_that_is_not_a_backup() {
    let dir = tempdir("junk");
    let junk = dir.join("renkei-2026-01-01T000000Z.dump");
    std::fs::write(&junk, "not a dump").unwrap();
    let out = renkei(
        &["restore", junk.to_str().unwrap()],
        Some(&url_for("never_touched")),
    );
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("is not a Renkei backup"), "{said}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn retention_keeps_the_newest_and_touches_nothing_else() {
    let dir = tempdir("keep");
    let backups = [
        "renkei-2026-11-28T031500Z.dump",
        "renkei-2026-11-29T031500Z.dump",
        "renkei-2026-11-30T031500Z.dump",
        "renkei-2026-12-01T031500Z.dump",
    ];
    let others = [
        "notes.txt",
        "renkei-latest.dump",
        "renkei-2020-01-01T000000Z.dump.partial",
        ".renkei-2020-01-01T000000Z.dump.partial",
        "renkei-2020-01-01.dump",
        "other-2020-01-01T000000Z.dump",
    ];
    for name in backups.iter().chain(others.iter()) {
        std::fs::write(dir.join(name), name).unwrap();
    }
    // a directory with a backup's name is not a backup
    std::fs::create_dir(dir.join("renkei-2019-01-01T000000Z.dump")).unwrap();

    let removed = renkei::backup::prune(&dir, 2).unwrap();
    let mut removed: Vec<String> = removed
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_string())
        .collect();
    removed.sort();
    assert_eq!(removed, backups[..2]);
    let mut left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    let mut expected: Vec<String> = backups[2..]
        .iter()
        .chain(others.iter())
        .map(|s| s.to_string())
        .collect();
    expected.push("renkei-2019-01-01T000000Z.dump".into());
    expected.sort();
    assert_eq!(left, expected);
    // already within the limit: nothing more goes
    assert!(renkei::backup::prune(&dir, 2).unwrap().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The private cluster: `renkei backup` starts it when it is stopped and stops it again, leaves
/// a running one running; `renkei restore` fills a new data directory; requests there run as
/// the app role.
#[tokio::test]
async fn the_private_cluster_is_backed_up_and_restored() {
    let root = tempdir("cluster");
    let (a, b, backups) = (root.join("a"), root.join("b"), root.join("backups"));
    let args = |dir: &Path| DbArgs {
        database_url: None,
        app_database_url: None,
        data_dir: dir.to_path_buf(),
        pool_size: 2,
    };
    let database = renkei::Database::open(&args(&a)).await.unwrap();
    sqlx::query("INSERT INTO agency (id, name, kind) VALUES (gen_random_uuid(), 'バックアップ事業所', 'clinic')")
        .execute(&database.pool)
        .await
        .unwrap();
    database.close().await.unwrap();
    let cluster = Cluster::locate(&a, false).await.unwrap();
    assert!(!cluster.is_running().await);

    ok(&renkei(
        &[
            "backup",
            "--data-dir",
            a.to_str().unwrap(),
            "--dir",
            backups.to_str().unwrap(),
        ],
        None,
    ));
    assert!(
        !cluster.is_running().await,
        "stopped again after the backup"
    );
    cluster.start().await.unwrap();
    // file names are to the second
    std::thread::sleep(std::time::Duration::from_millis(1100));
    ok(&renkei(
        &[
            "backup",
            "--data-dir",
            a.to_str().unwrap(),
            "--dir",
            backups.to_str().unwrap(),
            "--keep",
            "1",
        ],
        None,
    ));
    assert!(
        cluster.is_running().await,
        "left running: it was running before"
    );
    cluster.stop().await.unwrap();
    let files = backups_in(&backups);
    assert_eq!(files.len(), 1, "--keep 1: {files:?}");

    ok(&renkei(
        &[
            "restore",
            "--data-dir",
            b.to_str().unwrap(),
            files[0].to_str().unwrap(),
        ],
        None,
    ));
    let restored = Cluster::locate(&b, false).await.unwrap();
    assert!(!restored.is_running().await, "stopped after the restore");
    let database = renkei::Database::open(&args(&b)).await.unwrap();
    let serving = database.serving_pool(2).await.unwrap();
    let (who, name): (String, String) = sqlx::query_as(
        "SELECT current_user::text, name FROM agency WHERE name = 'バックアップ事業所'",
    )
    .fetch_one(&serving)
    .await
    .unwrap();
    assert_eq!(who, renkei::APP_ROLE);
    assert_eq!(name, "バックアップ事業所");
    let refused = sqlx::query("SET session_replication_role = replica")
        .execute(&serving)
        .await;
    assert!(refused.is_err());
    serving.close().await;
    database.close().await.unwrap();
    let _ = std::fs::remove_dir_all(&root);
}
