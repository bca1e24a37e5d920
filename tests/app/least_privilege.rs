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
