//! Users and their memberships in agencies.

use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, sqlx::FromRow)]
pub struct LoginRow {
    pub id: Uuid,
    pub password_hash: String,
    pub active: bool,
}

pub async fn find_for_login(
    conn: &mut PgConnection,
    email: &str,
) -> sqlx::Result<Option<LoginRow>> {
    sqlx::query_as("SELECT id, password_hash, active FROM app_user WHERE email = $1")
        .bind(email)
        .fetch_optional(conn)
        .await
}

/// The agency a user acts as right after login: the first of their agencies by name.
pub async fn default_agency(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "SELECT a.id FROM membership m JOIN agency a ON a.id = m.agency_id AND a.active
         WHERE m.user_id = $1 ORDER BY a.name LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(conn)
    .await
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub is_admin: bool,
}

/// Fails with a unique violation on `app_user_email_key` when the email is taken.
pub async fn create(conn: &mut PgConnection, user: &NewUser<'_>) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO app_user (id, email, display_name, password_hash, is_admin)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(user.email)
    .bind(user.display_name)
    .bind(user.password_hash)
    .bind(user.is_admin)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Fails with a unique violation on `membership_pkey` when already a member.
pub async fn add_membership(
    conn: &mut PgConnection,
    user_id: Uuid,
    agency_id: Uuid,
    role: &str,
    job_title: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO membership (user_id, agency_id, role, job_title) VALUES ($1, $2, $3, $4)",
    )
    .bind(user_id)
    .bind(agency_id)
    .bind(role)
    .bind(job_title)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_role(
    conn: &mut PgConnection,
    user_id: Uuid,
    agency_id: Uuid,
    role: &str,
) -> sqlx::Result<bool> {
    Ok(
        sqlx::query("UPDATE membership SET role = $3 WHERE user_id = $1 AND agency_id = $2")
            .bind(user_id)
            .bind(agency_id)
            .bind(role)
            .execute(conn)
            .await?
            .rows_affected()
            == 1,
    )
}

pub async fn remove_membership(
    conn: &mut PgConnection,
    user_id: Uuid,
    agency_id: Uuid,
) -> sqlx::Result<bool> {
    Ok(
        sqlx::query("DELETE FROM membership WHERE user_id = $1 AND agency_id = $2")
            .bind(user_id)
            .bind(agency_id)
            .execute(conn)
            .await?
            .rows_affected()
            == 1,
    )
}

pub async fn set_password(
    conn: &mut PgConnection,
    user_id: Uuid,
    hash: &str,
) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "UPDATE app_user SET password_hash = $2, password_changed_at = now() WHERE id = $1",
    )
    .bind(user_id)
    .bind(hash)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

pub async fn set_active(
    conn: &mut PgConnection,
    user_id: Uuid,
    active: bool,
) -> sqlx::Result<bool> {
    // a participant's own account is managed from her case, never from the admin pages
    Ok(
        sqlx::query(
            "UPDATE app_user SET active = $2 WHERE id = $1 AND participant_case_id IS NULL",
        )
        .bind(user_id)
        .bind(active)
        .execute(conn)
        .await?
        .rows_affected()
            == 1,
    )
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub is_admin: bool,
    pub active: bool,
    /// A participant's own account (managed from her case by the lead agency).
    pub is_participant: bool,
    /// "agency name (role)" for each membership
    pub agencies: Vec<String>,
}

/// All users for the system admin, by email, keyset after `after`, optional search.
pub async fn list(
    conn: &mut PgConnection,
    search: &str,
    after: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<UserRow>> {
    sqlx::query_as(
        "SELECT u.id, u.email, u.display_name, u.is_admin, u.active,
                u.participant_case_id IS NOT NULL AS is_participant,
                coalesce(array_agg(a.name || ' (' || m.role || ')' ORDER BY a.name)
                         FILTER (WHERE a.id IS NOT NULL), '{}') AS agencies
         FROM app_user u
         LEFT JOIN membership m ON m.user_id = u.id
         LEFT JOIN agency a ON a.id = m.agency_id
         WHERE u.participant_case_id IS NULL
           AND ($1 = '' OR u.email ILIKE '%' || $1 || '%' OR u.display_name ILIKE '%' || $1 || '%')
           AND ($2::text IS NULL OR u.email > $2)
         GROUP BY u.id
         ORDER BY u.email
         LIMIT $3",
    )
    .bind(search)
    .bind(after)
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn find_by_email(conn: &mut PgConnection, email: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(
        "SELECT u.id, u.email, u.display_name, u.is_admin, u.active,
                u.participant_case_id IS NOT NULL AS is_participant, '{}'::text[] AS agencies
         FROM app_user u WHERE u.email = $1",
    )
    .bind(email)
    .fetch_optional(conn)
    .await
}

pub async fn get(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(
        "SELECT u.id, u.email, u.display_name, u.is_admin, u.active,
                u.participant_case_id IS NOT NULL AS is_participant, '{}'::text[] AS agencies
         FROM app_user u WHERE u.id = $1 AND u.participant_case_id IS NULL",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub job_title: String,
    pub active: bool,
}

pub async fn members_of(conn: &mut PgConnection, agency_id: Uuid) -> sqlx::Result<Vec<MemberRow>> {
    sqlx::query_as(
        "SELECT u.id AS user_id, u.email, u.display_name, m.role, m.job_title, u.active
         FROM membership m JOIN app_user u ON u.id = m.user_id
         WHERE m.agency_id = $1
         ORDER BY u.display_name, u.email",
    )
    .bind(agency_id)
    .fetch_all(conn)
    .await
}

pub async fn password_hash(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<String> {
    sqlx::query_scalar("SELECT password_hash FROM app_user WHERE id = $1")
        .bind(user_id)
        .fetch_one(conn)
        .await
}

pub async fn display_name(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<String> {
    sqlx::query_scalar("SELECT display_name FROM app_user WHERE id = $1")
        .bind(user_id)
        .fetch_one(conn)
        .await
}

/// The member of `agency` with this e-mail key (only active accounts when `active_only`).
pub async fn member_by_email(
    conn: &mut PgConnection,
    email: &str,
    agency: Uuid,
    active_only: bool,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "SELECT u.id FROM app_user u JOIN membership m ON m.user_id = u.id
         WHERE u.email = $1 AND m.agency_id = $2 AND (u.active OR NOT $3)",
    )
    .bind(email)
    .bind(agency)
    .bind(active_only)
    .fetch_optional(conn)
    .await
}

/// Agencies and staff accounts, for the system admin's dashboard (participants' own accounts
/// are not the admin's business and are not counted).
pub async fn admin_counts(conn: &mut PgConnection) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM agency),
                (SELECT count(*) FROM app_user WHERE participant_case_id IS NULL)",
    )
    .fetch_one(conn)
    .await
}
