//! Administration: the system admin's agencies and users (`/admin/…`), and an agency admin's
//! members and audit log (`/agency/…`).

use super::extract::{Auth, Ctx};
use super::form::Pairs;
use super::review;
use crate::access::{Refusal, Who};
use crate::db::{self, agencies::NewAgency, audit::Outcome, users::NewUser};
use crate::domain::kinds::{AgencyKind, Role};
use crate::domain::{password, text};
use crate::error::{AppError, AppResult};
use crate::http::flash::{self, Flash};
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::i18n::Tr;
use crate::policy;
use crate::views::admin::{
    AgenciesPage, AgencyForm, AuditPage, MailPage, MembersPage, UserForm, UsersPage,
};
use crate::views::audit::Review;
use crate::views::{Choice, Errors};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(|| async { Redirect::to("/admin/users") }))
        .route("/admin/agencies", get(agencies).post(create_agency))
        .route("/admin/mail", get(mail_status))
        .route("/admin/users", get(users).post(create_user))
        .route("/admin/users/{id}/password", post(reset_password))
        .route("/admin/users/{id}/active", post(set_active))
        .route(
            "/admin/users/{id}/second-factor/reset",
            post(reset_second_factor),
        )
        .route("/agency/members", get(members).post(add_member))
        .route("/agency/members/{user_id}/role", post(change_role))
        .route("/agency/members/{user_id}/remove", post(remove_member))
        .route("/agency/audit", get(agency_audit))
        .route("/agency/second-factor", post(require_second_factor))
        .route("/agency/audit.csv", get(agency_audit_csv))
}

/// The system admin only; anyone else is refused and the refusal audited.
/// The system admin only; anyone else is refused (audited on a connection of its own, so the
/// row survives the rollback of the request's transaction).
async fn require_admin(who: &Who<'_>, action: &'static str) -> AppResult<()> {
    if policy::is_system_admin(who.user) {
        return Ok(());
    }
    Err(who
        .refuse(action, None, None, Refusal::Forbidden)
        .await
        .into())
}

/// The agency the user acts as, when they are its agency admin.
async fn require_agency_admin(who: &Who<'_>, action: &'static str) -> AppResult<(Uuid, String)> {
    if let Some(m) = who.user.acting.as_ref() {
        if policy::may_manage_members(who.user, m.agency_id) {
            return Ok((m.agency_id, m.agency_name.clone()));
        }
    }
    Err(who
        .refuse(action, None, None, Refusal::Forbidden)
        .await
        .into())
}

fn kind_options(tr: Tr, selected: &str) -> Vec<Choice> {
    AgencyKind::ALL
        .iter()
        .map(|k| Choice::new(k.as_str(), tr.t(k.label_key()), selected))
        .collect()
}

fn role_options(tr: Tr, selected: &str) -> Vec<Choice> {
    Role::ALL
        .iter()
        .map(|r| Choice::new(r.as_str(), tr.t(r.label_key()), selected))
        .collect()
}

// ---- agencies -------------------------------------------------------------------------------

async fn agencies_page(
    conn: &mut PgConnection,
    ctx: &Ctx,
    form: AgencyForm,
    errors: Errors,
) -> AppResult<AgenciesPage> {
    Ok(AgenciesPage {
        layout: ctx.layout("admin-agencies-title"),
        agencies: db::agencies::list(conn, 1000).await?,
        kinds: kind_options(ctx.tr, &form.kind),
        form,
        errors,
    })
}

async fn agencies(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    require_admin(&auth.who(&state.refusals), "admin.agencies.view").await?;
    let page = agencies_page(
        &mut conn,
        &auth.ctx,
        AgencyForm::default(),
        Errors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

/// Whether mail goes out, where to, and how the outbox stands.
async fn mail_status(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    require_admin(&auth.who(&state.refusals), "admin.mail.view").await?;
    let status = db::notices::status(&mut conn).await?;
    let tr = auth.ctx.tr;
    let mail = &state.settings.mail;
    let server = match &mail.smtp {
        Some(url) => tr.targs(
            "admin-mail-on",
            &[("server", &url.server()), ("from", &mail.from)],
        ),
        None => tr.t("admin-mail-off"),
    };
    Ok(render(&MailPage {
        layout: auth.ctx.layout("admin-mail-title"),
        on: mail.enabled(),
        server,
        queue: tr.targs(
            "admin-mail-queue",
            &[
                ("waiting", &status.waiting),
                ("retrying", &status.retrying),
                ("sent", &status.sent_today),
            ],
        ),
        last_error: status
            .last_error
            .map(|e| tr.t1("admin-mail-error", "error", e)),
    })?
    .into_response())
}

async fn create_agency(
    State(state): State<AppState>,
    auth: Auth,
    Form(mut form): Form<AgencyForm>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut conn = state.db.acquire().await?;
    require_admin(&auth.who(&state.refusals), "admin.agency.create").await?;
    form.name = text::nfkc(&form.name);
    form.municipality = text::nfkc(&form.municipality);
    form.address = text::nfkc(&form.address);
    form.phone = text::nfkc(&form.phone);
    let mut errors = Errors::default();
    errors.required(tr, "name", &form.name, 200);
    errors.max_chars(tr, "municipality", &form.municipality, 100);
    errors.max_chars(tr, "address", &form.address, 300);
    errors.max_chars(tr, "phone", &form.phone, 30);
    if AgencyKind::parse(&form.kind).is_none() {
        errors.add("kind", tr.t("error-choose"));
    }
    if errors.is_empty() {
        let new = NewAgency {
            name: &form.name,
            kind: &form.kind,
            municipality: &form.municipality,
            address: &form.address,
            phone: &form.phone,
        };
        match db::agencies::create(&mut conn, &new).await {
            Ok(id) => {
                let mut event = auth.ctx.event("admin.agency.create");
                event.target_id = Some(id);
                auth.ctx.audit(&mut conn, event, Outcome::Ok).await?;
                return Ok(flash::redirect("/admin/agencies", Flash::Added));
            }
            Err(e) if db::is_unique_violation(&e, "agency_name_address_key") => {
                errors.add("name", tr.t("agency-duplicate"));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let page = agencies_page(&mut conn, &auth.ctx, form, errors).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

// ---- users ------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UserListQuery {
    q: String,
    after: Option<String>,
}

const USERS_PER_PAGE: i64 = 50;

#[allow(clippy::too_many_arguments)]
async fn users_page(
    conn: &mut PgConnection,
    ctx: &Ctx,
    query: &UserListQuery,
    form: UserForm,
    errors: Errors,
    notice: Option<String>,
    reset_error: Option<(Uuid, String)>,
) -> AppResult<UsersPage> {
    let search = text::nfkc(&query.q);
    let mut users =
        db::users::list(conn, &search, query.after.as_deref(), USERS_PER_PAGE + 1).await?;
    let next_after = if users.len() as i64 > USERS_PER_PAGE {
        users.truncate(USERS_PER_PAGE as usize);
        users.last().map(|u| u.email.clone())
    } else {
        None
    };
    let ids: Vec<Uuid> = users.iter().map(|u| u.id).collect();
    Ok(UsersPage {
        layout: ctx.layout("admin-users-title"),
        second_factor_users: db::second_factor::enabled_among(conn, &ids).await?,
        users,
        search,
        next_after,
        agencies: db::agencies::list(conn, 1000).await?,
        roles: role_options(ctx.tr, &form.role),
        form,
        errors,
        notice,
        reset_error,
    })
}

async fn users(
    State(state): State<AppState>,
    auth: Auth,
    Query(query): Query<UserListQuery>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    require_admin(&auth.who(&state.refusals), "admin.users.view").await?;
    let page = users_page(
        &mut conn,
        &auth.ctx,
        &query,
        UserForm::default(),
        Errors::default(),
        None,
        None,
    )
    .await?;
    Ok(render(&page)?.into_response())
}

/// Validates the fields of a new user (and membership); returns the normalised email.
fn check_new_user(tr: Tr, form: &mut UserForm, errors: &mut Errors, need_agency: bool) -> String {
    let email = text::email_key(&form.email);
    form.display_name = text::nfkc(&form.display_name);
    form.job_title = text::nfkc(&form.job_title);
    if email.is_empty() {
        errors.add("email", tr.t("error-required"));
    } else if !text::looks_like_email(&email) {
        errors.add("email", tr.t("error-email"));
    }
    errors.required(tr, "display_name", &form.display_name, 100);
    errors.max_chars(tr, "job_title", &form.job_title, 100);
    if let Err(p) = password::check_new(&form.password, &email, &form.display_name) {
        errors.add("password", tr.t(p.message_key()));
    }
    if need_agency && Uuid::parse_str(&form.agency_id).is_err() {
        errors.add("agency_id", tr.t("error-choose"));
    }
    if !form.agency_id.is_empty() && Role::parse(&form.role).is_none() {
        errors.add("role", tr.t("error-choose"));
    }
    email
}

async fn create_user(
    State(state): State<AppState>,
    auth: Auth,
    Form(mut form): Form<UserForm>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut conn = state.db.acquire().await?;
    require_admin(&auth.who(&state.refusals), "admin.user.create").await?;
    let mut errors = Errors::default();
    let is_admin = form.system_admin.is_some();
    let email = check_new_user(tr, &mut form, &mut errors, !is_admin);
    let agency = Uuid::parse_str(&form.agency_id).ok();
    if let Some(id) = agency {
        if db::agencies::get(&mut conn, id).await?.is_none() {
            errors.add("agency_id", tr.t("error-choose"));
        }
    }
    if errors.is_empty() {
        drop(conn);
        let pw = form.password.clone();
        let hash = tokio::task::spawn_blocking(move || password::hash(&pw)).await?;
        let mut tx = state.db.begin().await?;
        let new = NewUser {
            email: &email,
            display_name: &form.display_name,
            password_hash: &hash,
            is_admin,
        };
        match db::users::create(&mut tx, &new).await {
            Ok(id) => {
                if let Some(agency) = agency {
                    db::users::add_membership(&mut tx, id, agency, &form.role, &form.job_title)
                        .await?;
                }
                let mut event = auth.ctx.event("admin.user.create");
                event.target_id = Some(id);
                auth.ctx.audit(&mut tx, event, Outcome::Ok).await?;
                tx.commit().await?;
                return Ok(flash::redirect("/admin/users", Flash::Added));
            }
            Err(e) if db::is_unique_violation(&e, "app_user_email_key") => {
                errors.add("email", tr.t("user-email-taken"));
            }
            Err(e) => return Err(e.into()),
        }
        tx.rollback().await?;
        conn = state.db.acquire().await?;
    }
    form.password.clear();
    let page = users_page(
        &mut conn,
        &auth.ctx,
        &UserListQuery::default(),
        form,
        errors,
        None,
        None,
    )
    .await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ResetForm {
    password: String,
}

async fn reset_password(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut conn = state.db.acquire().await?;
    require_admin(&auth.who(&state.refusals), "admin.user.reset_password").await?;
    let user = db::users::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Err(p) = password::check_new(&form.password, &user.email, &user.display_name) {
        let page = users_page(
            &mut conn,
            &auth.ctx,
            &UserListQuery::default(),
            UserForm::default(),
            Errors::default(),
            None,
            Some((id, tr.t(p.message_key()))),
        )
        .await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    drop(conn);
    let pw = form.password.clone();
    let hash = tokio::task::spawn_blocking(move || password::hash(&pw)).await?;
    let mut tx = state.db.begin().await?;
    db::users::set_password(&mut tx, id, &hash).await?;
    db::auth::delete_for_user(&mut tx, id).await?;
    let mut event = auth.ctx.event("admin.user.reset_password");
    event.target_id = Some(id);
    auth.ctx.audit(&mut tx, event, Outcome::Ok).await?;
    tx.commit().await?;
    let mut conn = state.db.acquire().await?;
    let page = users_page(
        &mut conn,
        &auth.ctx,
        &UserListQuery::default(),
        UserForm::default(),
        Errors::default(),
        Some(tr.t1("user-password-reset-done", "email", &user.email)),
        None,
    )
    .await?;
    Ok(render(&page)?.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ActiveForm {
    active: String,
}

async fn set_active(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(form): Form<ActiveForm>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    require_admin(&auth.who(&state.refusals), "admin.user.set_active").await?;
    let active = form.active == "true";
    if id == auth.user.id && !active {
        // an admin cannot lock themselves out
        return Err(AppError::Forbidden);
    }
    if !db::users::set_active(&mut tx, id, active).await? {
        return Err(AppError::NotFound);
    }
    if !active {
        db::auth::delete_for_user(&mut tx, id).await?;
    }
    let mut event = auth.ctx.event(if active {
        "admin.user.activate"
    } else {
        "admin.user.deactivate"
    });
    event.target_id = Some(id);
    auth.ctx.audit(&mut tx, event, Outcome::Ok).await?;
    tx.commit().await?;
    Ok(flash::redirect("/admin/users", Flash::Changed))
}

/// Removes a user's second factor (a lost phone and lost recovery codes): they log in with the
/// password alone again, or enrol again where their agency requires it. Their sessions end.
async fn reset_second_factor(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    require_admin(&auth.who(&state.refusals), "admin.user.second_factor.reset").await?;
    let user = db::users::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let had = db::second_factor::remove(&mut tx, id).await?;
    db::auth::delete_for_user(&mut tx, id).await?;
    let mut event = auth.ctx.event("admin.user.second_factor.reset");
    event.target_id = Some(id);
    event.detail = if had { "removed" } else { "none" }.to_string();
    auth.ctx.audit(&mut tx, event, Outcome::Ok).await?;
    tx.commit().await?;
    let mut conn = state.db.acquire().await?;
    let page = users_page(
        &mut conn,
        &auth.ctx,
        &UserListQuery::default(),
        UserForm::default(),
        Errors::default(),
        Some(
            auth.ctx
                .tr
                .t1("admin-second-factor-reset-done", "email", &user.email),
        ),
        None,
    )
    .await?;
    Ok(render(&page)?.into_response())
}

// ---- an agency's members ----------------------------------------------------------------------

async fn members_page(
    conn: &mut PgConnection,
    ctx: &Ctx,
    agency: (Uuid, String),
    form: UserForm,
    errors: Errors,
    notice: Option<String>,
) -> AppResult<MembersPage> {
    let members = db::users::members_of(conn, agency.0).await?;
    let ids: Vec<Uuid> = members.iter().map(|m| m.user_id).collect();
    Ok(MembersPage {
        layout: ctx.layout("members-title"),
        agency_name: agency.1,
        requires_second_factor: db::second_factor::agency_requires(conn, agency.0).await?,
        second_factor_users: db::second_factor::enabled_among(conn, &ids).await?,
        members,
        roles: role_options(ctx.tr, &form.role),
        form,
        errors,
        notice,
    })
}

async fn members(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let agency = require_agency_admin(&auth.who(&state.refusals), "agency.members.view").await?;
    let page = members_page(
        &mut conn,
        &auth.ctx,
        agency,
        UserForm::default(),
        Errors::default(),
        None,
    )
    .await?;
    Ok(render(&page)?.into_response())
}

/// Adds a member: an existing user by email, or a new user when a name and password are given.
async fn add_member(
    State(state): State<AppState>,
    auth: Auth,
    Form(mut form): Form<UserForm>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut conn = state.db.acquire().await?;
    let agency = require_agency_admin(&auth.who(&state.refusals), "agency.member.add").await?;
    let email = text::email_key(&form.email);
    let existing = db::users::find_by_email(&mut conn, &email).await?;
    let mut errors = Errors::default();
    form.agency_id = agency.0.to_string();
    if existing.as_ref().is_some_and(|u| u.is_participant) {
        // the person's own account belongs to her case, not to an agency
        errors.add("email", tr.t("member-participant-account"));
    } else if existing.is_none() {
        check_new_user(tr, &mut form, &mut errors, true);
    } else if Role::parse(&form.role).is_none() {
        errors.add("role", tr.t("error-choose"));
    }
    // what the database holds at most, answered by the field (an existing user too)
    form.job_title = text::nfkc(&form.job_title);
    if !errors.has("job_title") {
        errors.max_chars(tr, "job_title", &form.job_title, 100);
    }
    if errors.is_empty() {
        drop(conn);
        let hash = match existing {
            Some(_) => None,
            None => {
                let pw = form.password.clone();
                Some(tokio::task::spawn_blocking(move || password::hash(&pw)).await?)
            }
        };
        let mut tx = state.db.begin().await?;
        let user_id = match (&existing, &hash) {
            (Some(u), _) => u.id,
            (None, Some(hash)) => {
                let new = NewUser {
                    email: &email,
                    display_name: &form.display_name,
                    password_hash: hash,
                    is_admin: false,
                };
                db::users::create(&mut tx, &new).await?
            }
            (None, None) => unreachable!("a new user always has a hash"),
        };
        let job_title = text::nfkc(&form.job_title);
        match db::users::add_membership(&mut tx, user_id, agency.0, &form.role, &job_title).await {
            Ok(()) => {
                let mut event = auth.ctx.event("agency.member.add");
                event.target_id = Some(user_id);
                auth.ctx.audit(&mut tx, event, Outcome::Ok).await?;
                tx.commit().await?;
                return Ok(flash::redirect("/agency/members", Flash::Added));
            }
            Err(e) if db::is_unique_violation(&e, "membership_pkey") => {
                errors.add("email", tr.t("member-already"));
            }
            Err(e) => return Err(e.into()),
        }
        tx.rollback().await?;
        conn = state.db.acquire().await?;
    }
    form.password.clear();
    let page = members_page(&mut conn, &auth.ctx, agency, form, errors, None).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RoleForm {
    role: String,
}

async fn change_role(
    State(state): State<AppState>,
    auth: Auth,
    Path(user_id): Path<Uuid>,
    Form(form): Form<RoleForm>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    let agency = require_agency_admin(&auth.who(&state.refusals), "agency.member.role").await?;
    let role = Role::parse(&form.role).ok_or(AppError::NotFound)?;
    if user_id == auth.user.id && role != Role::AgencyAdmin {
        // keep at least the admin who is acting: they would lose this page mid-action
        let page = members_page(
            &mut tx,
            &auth.ctx,
            agency,
            UserForm::default(),
            Errors::default(),
            Some(auth.ctx.tr.t("member-self-demote")),
        )
        .await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    if !db::users::set_role(&mut tx, user_id, agency.0, role.as_str()).await? {
        return Err(AppError::NotFound);
    }
    let mut event = auth.ctx.event("agency.member.role");
    event.target_id = Some(user_id);
    event.detail = role.as_str().to_string();
    auth.ctx.audit(&mut tx, event, Outcome::Ok).await?;
    tx.commit().await?;
    Ok(flash::redirect("/agency/members", Flash::Changed))
}

async fn remove_member(
    State(state): State<AppState>,
    auth: Auth,
    Path(user_id): Path<Uuid>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    let agency = require_agency_admin(&auth.who(&state.refusals), "agency.member.remove").await?;
    if user_id == auth.user.id {
        let page = members_page(
            &mut tx,
            &auth.ctx,
            agency,
            UserForm::default(),
            Errors::default(),
            Some(auth.ctx.tr.t("member-self-remove")),
        )
        .await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    if !db::users::remove_membership(&mut tx, user_id, agency.0).await? {
        return Err(AppError::NotFound);
    }
    let mut event = auth.ctx.event("agency.member.remove");
    event.target_id = Some(user_id);
    auth.ctx.audit(&mut tx, event, Outcome::Ok).await?;
    tx.commit().await?;
    Ok(flash::redirect("/agency/members", Flash::Removed))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RequireForm {
    required: String,
}

/// Requires (or no longer requires) a second factor of the agency's members: a member without
/// one enrols after the password at their next login.
async fn require_second_factor(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<RequireForm>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    let agency =
        require_agency_admin(&auth.who(&state.refusals), "agency.second_factor.require").await?;
    let required = form.required == "1";
    db::second_factor::set_agency_requires(&mut tx, agency.0, required).await?;
    let mut event = auth.ctx.event("agency.second_factor.require");
    event.target_id = Some(agency.0);
    event.detail = if required { "on" } else { "off" }.to_string();
    auth.ctx.audit(&mut tx, event, Outcome::Ok).await?;
    tx.commit().await?;
    Ok(flash::redirect("/agency/members", Flash::Saved))
}

/// What was done as the agency, for its admin: filtered, in words, refusals marked.
async fn agency_audit(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<Pairs>,
) -> AppResult<Response> {
    review_agency(state, auth, q, false).await
}

/// The same rows as CSV (the export is audited).
async fn agency_audit_csv(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<Pairs>,
) -> AppResult<Response> {
    review_agency(state, auth, q, true).await
}

async fn review_agency(state: AppState, auth: Auth, q: Pairs, export: bool) -> AppResult<Response> {
    let action = if export {
        "agency.audit.export"
    } else {
        "agency.audit.view"
    };
    let (agency_id, agency_name) = require_agency_admin(&auth.who(&state.refusals), action).await?;
    let query = review::ReviewQuery::read(&q);
    let tr = auth.ctx.tr;
    let path = "/agency/audit";
    let page = |review| AuditPage {
        layout: auth.ctx.layout("audit-title"),
        agency_name: agency_name.clone(),
        review,
    };
    let filter = match query.input.parse() {
        Ok(filter) => filter,
        Err(found) => {
            let errors = review::errors(tr, &found);
            let review = Review::new(tr, path, true, query.input, errors, &[], None);
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(review));
        }
    };
    let source = review::Source::Agency(agency_id);
    let mut conn = state.db.acquire().await?;
    if export {
        auth.ctx
            .audit(&mut conn, auth.ctx.event(action), Outcome::Ok)
            .await?;
        drop(conn);
        return review::csv(&state.db, tr, source, filter, "audit-log", "audit-log").await;
    }
    let (rows, next) = review::first_page(&mut conn, &source, &filter, query.before).await?;
    auth.ctx
        .audit(&mut conn, auth.ctx.event(action), Outcome::Ok)
        .await?;
    let review = Review::new(tr, path, true, query.input, Errors::default(), &rows, next);
    Ok(render(&page(review))?.into_response())
}
