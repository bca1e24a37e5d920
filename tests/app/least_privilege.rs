//! Requests run as the app role: it owns nothing, so it can neither switch off the audit log's
//! triggers nor change the schema; it may read and write rows, and only append to the audit log.

use crate::helpers::{audit_count, TestApp};
use reqwest::StatusCode;
use sqlx::PgPool;

/// The SQLSTATE a statement run as the app role fails with (None: it ran).
async fn refused(conn: &mut sqlx::PgConnection, sql: &str) -> Option<String> {
    match sqlx::raw_sql(sql).execute(&mut *conn).await {
        Ok(_) => None,
        Err(e) => Some(
            e.as_database_error()
                .and_then(|d| d.code().map(|c| c.into_owned()))
                .unwrap_or_else(|| format!("not a database error: {e}")),
        ),
    }
}

#[sqlx::test]
async fn the_app_role_cannot_rewrite_the_audit_log_or_the_schema(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    // the served app writes its audit rows as the app role
    app.login("ot@sakura.example").await;
    let res = app
        .get(&format!("/cases/{}", renkei::demo::CASE_YAMADA))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(audit_count(&pool, "login", "ok").await, 1);
    // the rows so far, to compare afterwards
    let last: i64 = sqlx::query_scalar("SELECT max(id) FROM audit_log")
        .fetch_one(&pool)
        .await
        .unwrap();
    let digest = |last: i64| {
        let pool = pool.clone();
        async move {
            sqlx::query_as::<_, (i64, String)>(
                "SELECT count(*), md5(string_agg(a::text, E'\\n' ORDER BY id)) \
                 FROM audit_log a WHERE id <= $1",
            )
            .bind(last)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let before = digest(last).await;
    assert!(before.0 > 0);

    let mut conn = app.app_pool.acquire().await.unwrap();
    let (user, superuser, owned): (String, bool, i64) = sqlx::query_as(
        "SELECT current_user::text, r.rolsuper,
                (SELECT count(*) FROM pg_class WHERE relowner = r.oid)
                  + (SELECT count(*) FROM pg_proc WHERE proowner = r.oid)
                  + (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid)
         FROM pg_roles r WHERE r.rolname = current_user",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!(user, renkei::APP_ROLE);
    assert!(!superuser);
    assert_eq!(owned, 0, "the app role owns nothing");

    let insufficient = Some("42501".to_string());
    for sql in [
        "SET session_replication_role = replica",
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete",
        "DROP TRIGGER audit_log_no_update_delete ON audit_log",
        "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger \
         LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
        "UPDATE audit_log SET detail = 'rewritten'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "DROP TABLE audit_log",
        "ALTER TABLE case_file ADD COLUMN note text",
        "ALTER TABLE audit_log OWNER TO renkei_app",
        "CREATE TABLE shadow (v text)",
        "GRANT UPDATE ON audit_log TO renkei_app",
        "SELECT renkei_grant_app()",
        "UPDATE _sqlx_migrations SET checksum = ''",
        "SET ROLE renkei",
        "SET SESSION AUTHORIZATION renkei",
    ] {
        let got = refused(&mut conn, sql).await;
        // GRANT by a non-owner is a warning that grants nothing; everything else an error
        if sql.starts_with("GRANT") {
            continue;
        }
        assert_eq!(got, insufficient, "{sql}");
    }
    assert_eq!(
        refused(&mut conn, "UPDATE audit_log SET detail = 'rewritten'").await,
        insufficient,
        "still refused after the GRANT attempt"
    );
    // what it needs: reading, appending, and the rows of the other tables
    assert_eq!(
        refused(&mut conn, "SELECT count(*) FROM audit_log").await,
        None
    );
    assert_eq!(
        refused(
            &mut conn,
            "INSERT INTO audit_log (action, outcome) VALUES ('test.append', 'ok')"
        )
        .await,
        None
    );
    assert_eq!(
        refused(&mut conn, "UPDATE agency SET name = name WHERE false").await,
        None
    );
    drop(conn);

    // nothing written before was changed; the one appended row is there
    assert_eq!(digest(last).await, before, "the earlier rows are unchanged");
    assert_eq!(audit_count(&pool, "test.append", "ok").await, 1);
}

/// The role is cluster-wide, databases are many: on a new server, several databases migrated at
/// once all end with the role and its grants, none fails on the role made by another.
#[tokio::test]
async fn databases_migrated_at_once_share_the_role_without_failing() {
    use renkei::pg::Cluster;
    use sqlx::{Connection, PgConnection};
    let dir = std::env::temp_dir().join(format!("rk-role-{}", uuid::Uuid::now_v7().simple()));
    let cluster = Cluster::locate(&dir, true).await.unwrap();
    cluster.start().await.unwrap();
    let mut admin = PgConnection::connect_with(&cluster.connect_options("postgres"))
        .await
        .unwrap();
    let names: Vec<String> = (0..10).map(|i| format!("parallel_{i}")).collect();
    for name in &names {
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
    }
    let mut runs = tokio::task::JoinSet::new();
    for name in &names {
        let options = cluster.connect_options(name);
        runs.spawn(async move {
            let pool = PgPool::connect_with(options).await.unwrap();
            let migrated = renkei::MIGRATOR.run(&pool).await;
            pool.close().await;
            migrated
        });
    }
    for result in runs.join_all().await {
        result.expect("every database migrates");
    }
    let roles: i64 =
        sqlx::query_scalar("SELECT count(*) FROM pg_roles WHERE rolname = 'renkei_app'")
            .fetch_one(&mut admin)
            .await
            .unwrap();
    assert_eq!(roles, 1);
    for name in &names {
        let mut app =
            PgConnection::connect_with(&cluster.connect_options_as(renkei::APP_ROLE, name))
                .await
                .unwrap();
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM agency")
            .fetch_one(&mut app)
            .await
            .expect("granted in every database");
        assert_eq!(n, 0);
        assert!(sqlx::query("DELETE FROM audit_log")
            .execute(&mut app)
            .await
            .is_err());
    }
    drop(admin);
    cluster.stop().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
