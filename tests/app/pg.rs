//! The embedded cluster: created on first start, reused on the next, stopped at the end.

use renkei::pg::Cluster;
use sqlx::{Connection, PgConnection};

#[tokio::test]
async fn embedded_cluster_starts_is_reused_and_stops() {
    let dir = tempdir();
    let cluster = Cluster::locate(&dir, true).await.unwrap();
    cluster.start().await.unwrap();
    assert!(cluster.is_running().await);
    let mut conn = PgConnection::connect_with(&cluster.connect_options("renkei"))
        .await
        .unwrap();
    sqlx::raw_sql("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    cluster.stop().await.unwrap();
    assert!(!cluster.is_running().await);

    // started again: same cluster, same data; starting twice is harmless
    let again = Cluster::locate(&dir, true).await.unwrap();
    again.start().await.unwrap();
    again.start().await.unwrap();
    let mut conn = PgConnection::connect_with(&again.connect_options("renkei"))
        .await
        .unwrap();
    let v: String = sqlx::query_scalar("SELECT v FROM kept")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(v, "still here");
    // the socket lives in the data directory; nothing listens on TCP
    let listen: String = sqlx::query_scalar("SHOW listen_addresses")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(listen, "");
    conn.close().await.unwrap();
    again.stop().await.unwrap();
    assert!(!again.is_running().await);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_cluster_runs_as_postgres_when_we_are_root() {
    let dir = tempdir();
    let cluster = Cluster::locate(&dir, true).await.unwrap();
    cluster.start().await.unwrap();
    let root = std::process::Command::new("id").arg("-u").output().unwrap();
    let we_are_root = String::from_utf8_lossy(&root.stdout).trim() == "0";
    let pid_file = std::fs::read_to_string(cluster.pgdata().join("postmaster.pid")).unwrap();
    let pid = pid_file.lines().next().unwrap().trim();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let uid_line = status.lines().find(|l| l.starts_with("Uid:")).unwrap();
    let server_uid = uid_line.split_whitespace().nth(1).unwrap();
    if we_are_root {
        assert_ne!(server_uid, "0", "PostgreSQL must not run as root");
    }
    cluster.stop().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rk-pg-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
