//! The system admin's agencies and users; an agency admin's members; who is refused.

use crate::helpers::*;
use reqwest::StatusCode;
use sqlx::PgPool;

#[sqlx::test]
async fn admin_pages_are_refused_to_everyone_else(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    for email in [
        "ot@sakura.example",
        "psw@sakura.example",
        "jimu@sakura.example",
    ] {
        let b = app.browser();
        b.login(email).await;
        for path in ["/admin/users", "/admin/agencies"] {
            assert_eq!(
                b.get(path).await.status(),
                StatusCode::FORBIDDEN,
                "{email} {path}"
            );
        }
        let res = b
            .post("/admin/agencies", &[("name", "x"), ("kind", "clinic")])
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{email}");
        let page = body(res).await;
        assert!(page.contains("権限がありません"));
    }
    let agencies: i64 = sqlx::query_scalar("SELECT count(*) FROM agency WHERE name = 'x'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(agencies, 0);
    assert!(audit_count(&app.pool, "admin.users.view", "denied").await >= 3);
}

#[sqlx::test]
async fn member_pages_need_the_agency_admin_role(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    for email in [
        "ot@sakura.example",
        "psw@sakura.example",
        "admin@renkei.example",
    ] {
        let b = app.browser();
        b.login(email).await;
        assert_eq!(
            b.get("/agency/members").await.status(),
            StatusCode::FORBIDDEN,
            "{email}"
        );
        assert_eq!(
            b.get("/agency/audit").await.status(),
            StatusCode::FORBIDDEN,
            "{email}"
        );
    }
    app.login("jimu@sakura.example").await;
    let page = body(app.get("/agency/members").await).await;
    assert!(page.contains("ot@sakura.example"));
    assert!(page.contains("dual@sakura.example"));
    assert!(
        !page.contains("staff@hikari.example"),
        "only this agency's members"
    );
}

#[sqlx::test]
async fn admin_registers_an_agency_and_a_user_who_can_log_in(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("admin@renkei.example").await;
    let res = app
        .post(
            "/admin/agencies",
            &[
                ("name", "そよかぜ就労移行支援事業所"),
                ("kind", "transition_office"),
                ("municipality", "みどり市"),
                ("address", "みどり市そよかぜ1-1"),
                ("phone", "０１２０－１１１－２２２"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (id, phone): (uuid::Uuid, String) =
        sqlx::query_as("SELECT id, phone FROM agency WHERE name = 'そよかぜ就労移行支援事業所'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(phone, "0120-111-222", "NFKC on the phone number");

    // the same name and address again: a message, the input kept, nothing written
    let res = app
        .post(
            "/admin/agencies",
            &[
                ("name", "そよかぜ就労移行支援事業所"),
                ("kind", "transition_office"),
                ("address", "みどり市そよかぜ1-1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("すでに登録されています"));
    assert!(page.contains(r#"value="みどり市そよかぜ1-1""#));

    // a user with a weak password is refused with the input kept (but not the password)
    let agency = id.to_string();
    let mut fields = vec![
        ("email", "Aoi@Soyokaze.Example"),
        ("display_name", "青井 空"),
        ("password", "short"),
        ("agency_id", agency.as_str()),
        ("role", "coordinator"),
        ("job_title", "サービス管理責任者"),
    ];
    let res = app.post("/admin/users", &fields).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains("15文字以上"));
    assert!(page.contains("青井 空"));
    fields[2] = ("password", "soyokaze-no-fuku-oka-de");
    let res = app.post("/admin/users", &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // the same email again
    let res = app.post("/admin/users", &fields).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res)
        .await
        .contains("このメールアドレスはすでに登録されています"));

    let new = app.browser();
    let res = new
        .post(
            "/login",
            &[
                ("email", "aoi@soyokaze.example"),
                ("password", "soyokaze-no-fuku-oka-de"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(body(new.get("/").await)
        .await
        .contains("そよかぜ就労移行支援事業所"));
    assert_eq!(audit_count(&app.pool, "admin.user.create", "ok").await, 1);
}

#[sqlx::test]
async fn admin_resets_a_password_and_deactivates_a_user(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ot = app.browser();
    ot.login("ot@sakura.example").await;
    app.login("admin@renkei.example").await;
    let id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM app_user WHERE email = 'ot@sakura.example'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let res = app
        .post(
            &format!("/admin/users/{id}/password"),
            &[("password", "short")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(
            &format!("/admin/users/{id}/password"),
            &[("password", "atarashii-kari-pasuwado")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(body(res).await.contains("再設定しました"));
    assert_eq!(
        location(&ot.get("/").await),
        "/login",
        "their sessions ended"
    );
    let res = ot
        .post(
            "/login",
            &[
                ("email", "ot@sakura.example"),
                ("password", "atarashii-kari-pasuwado"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let res = app
        .post(&format!("/admin/users/{id}/active"), &[("active", "false")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&ot.get("/").await),
        "/login",
        "deactivation ends sessions"
    );
    let res = ot
        .post(
            "/login",
            &[
                ("email", "ot@sakura.example"),
                ("password", "atarashii-kari-pasuwado"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "a deactivated user cannot log in"
    );
}

#[sqlx::test]
async fn agency_admin_adds_members_and_changes_roles(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("jimu@sakura.example").await;
    // an existing user of another agency joins (seed 000's double work)
    let res = app
        .post(
            "/agency/members",
            &[
                ("email", "staff@hikari.example"),
                ("role", "staff"),
                ("job_title", "非常勤OT"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // again: already a member
    let res = app
        .post(
            "/agency/members",
            &[("email", "staff@hikari.example"), ("role", "staff")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(res).await.contains("すでにこの機関の職員です"));
    // a new user needs a name and a good password
    let res = app
        .post(
            "/agency/members",
            &[("email", "pt@sakura.example"), ("role", "staff")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(res).await;
    assert!(page.contains(r#"id="display_name-error""#));
    assert!(page.contains(r#"value="pt@sakura.example""#));
    let res = app
        .post(
            "/agency/members",
            &[
                ("email", "pt@sakura.example"),
                ("role", "staff"),
                ("display_name", "佐々木 望"),
                ("password", "rihabiri-no-asa-wa-hayai"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let pt: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM app_user WHERE email = 'pt@sakura.example'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let res = app
        .post(
            &format!("/agency/members/{pt}/role"),
            &[("role", "coordinator")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let role: String = sqlx::query_scalar("SELECT role FROM membership WHERE user_id = $1")
        .bind(pt)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(role, "coordinator");
    let res = app.post(&format!("/agency/members/{pt}/remove"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // the admin cannot remove themselves
    let me: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM app_user WHERE email = 'jimu@sakura.example'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let res = app.post(&format!("/agency/members/{me}/remove"), &[]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // members of another agency are out of reach
    let hikari_staff: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM app_user WHERE email = 'sabikan@hikari.example'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let res = app
        .post(
            &format!("/agency/members/{hikari_staff}/role"),
            &[("role", "staff")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // the audit page lists what the agency's users did, in words
    let page = body(app.get("/agency/audit").await).await;
    assert!(page.contains(">職員の追加</td>"));
}

#[sqlx::test]
async fn audit_log_refuses_update_and_delete(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.login("ot@sakura.example").await;
    for sql in [
        "UPDATE audit_log SET outcome = 'failed'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let err = sqlx::query(sql).execute(&app.pool).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
}

#[sqlx::test]
async fn operator_commands_create_users_and_reset_passwords(pool: PgPool) {
    renkei::demo::load(&pool).await.unwrap();
    let err = renkei::cli::create_user(
        &pool,
        "ops@renkei.example",
        "運用 担当",
        "short",
        true,
        None,
        "staff",
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("15文字以上"));
    renkei::cli::create_user(
        &pool,
        "ops@renkei.example",
        "運用 担当",
        "unyou-tantou-no-pasuwado",
        true,
        None,
        "staff",
    )
    .await
    .unwrap();
    let dup = renkei::cli::create_user(
        &pool,
        "OPS@renkei.example",
        "運用 担当",
        "unyou-tantou-no-pasuwado",
        true,
        None,
        "staff",
    )
    .await;
    assert!(dup.is_err());
    renkei::cli::reset_password(&pool, "ops@renkei.example", "betsu-no-nagai-pasuwado")
        .await
        .unwrap();
    let app = TestApp::spawn_bare(pool, test_settings()).await;
    let res = app
        .post(
            "/login",
            &[
                ("email", "ops@renkei.example"),
                ("password", "betsu-no-nagai-pasuwado"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[sqlx::test]
async fn demo_load_is_idempotent(pool: PgPool) {
    renkei::demo::load(&pool).await.unwrap();
    renkei::demo::load(&pool).await.unwrap();
    let (agencies, users, memberships): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM agency), (SELECT count(*) FROM app_user),
                (SELECT count(*) FROM membership)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (agencies, users),
        (8, DEMO_EMAILS.len() as i64 + 2),
        "and the participant's own account and the user with a second factor"
    );
    assert_eq!(
        memberships, 15,
        "14 single memberships (the user with a second factor's too) + dual's second"
    );
}
