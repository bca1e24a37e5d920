//! Logging in and out, choosing the acting agency, choosing the language.

use super::extract::{safe_back, session_cookie_name, Auth, Ctx, LANG_COOKIE};
use super::session::session_cookie;
use crate::area::login_limits::{self, Admission};
use crate::db::{self, audit::Outcome};
use crate::domain::{password, text};
use crate::error::{AppError, AppResult};
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::i18n::Lang;
use crate::policy;
use crate::views::{auth::LoginPage, Errors};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use cookie::{Cookie, SameSite};
use serde::Deserialize;
use uuid::Uuid;

pub fn routes(_state: &AppState) -> Router<AppState> {
    // POST /login is limited inside the handler (`area::login_limits`): the limits need the
    // account from the form, and live in PostgreSQL so that every process counts alike
    Router::new()
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/acting-agency", post(acting_agency))
        .route("/lang", post(set_lang))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
}

async fn login_page(ctx: Ctx) -> AppResult<Response> {
    if ctx.user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    Ok(render(&LoginPage {
        layout: ctx.layout("login-title"),
        email: String::new(),
        errors: Errors::default(),
        message: None,
    })?
    .into_response())
}

fn login_form_again(ctx: &Ctx, email: &str, errors: Errors, message: Option<String>) -> LoginPage {
    LoginPage {
        layout: ctx.layout("login-title"),
        email: email.to_string(),
        errors,
        message,
    }
}

async fn login_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let tr = ctx.tr;
    let email = text::email_key(&form.email);
    let mut errors = Errors::default();
    if email.is_empty() {
        errors.add("email", tr.t("error-required"));
    } else if text::char_len(&email) > 254 {
        errors.add("email", tr.t("error-too-long"));
    }
    if form.password.is_empty() {
        errors.add("password", tr.t("error-required"));
    } else if text::char_len(&form.password) > password::MAX_LEN {
        errors.add("password", tr.t("password-too-long"));
    }
    if !errors.is_empty() {
        let page = login_form_again(&ctx, &form.email, errors, None);
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }

    let mut event = ctx.event("login");
    event.detail = email.clone();
    let mut conn = state.db.acquire().await?;
    let admission = login_limits::admit(&mut conn, &state.settings, &email, ctx.addr).await?;
    let refusal = match admission {
        Admission::Go => None,
        Admission::Locked { minutes } => Some(tr.t1("login-locked", "minutes", minutes)),
        Admission::TooMany { minutes, .. } => Some(tr.t1("login-too-many", "minutes", minutes)),
    };
    if let Some(message) = refusal {
        event.detail = format!("{email} ({})", admission.reason());
        ctx.audit(&mut conn, event, Outcome::Denied).await?;
        let page = login_form_again(&ctx, &form.email, Errors::default(), Some(message));
        return render_status(StatusCode::TOO_MANY_REQUESTS, &page);
    }
    let found = db::users::find_for_login(&mut conn, &email).await?;
    // the connection goes back to the pool while Argon2 runs on a blocking thread
    drop(conn);
    let user_id = found.as_ref().filter(|u| u.active).map(|u| u.id);
    let stored = found.filter(|u| u.active).map(|u| u.password_hash);
    let candidate = form.password.clone();
    let ok = tokio::task::spawn_blocking(move || password::verify(&candidate, stored.as_deref()))
        .await?;

    let mut tx = state.db.begin().await?;
    event.user_id = user_id;
    if !ok {
        login_limits::failed(&mut tx, &email, ctx.addr, &event).await?;
        ctx.audit(&mut tx, event, Outcome::Failed).await?;
        tx.commit().await?;
        // the same answer whether the email is unknown or the password wrong
        let page = login_form_again(
            &ctx,
            &form.email,
            Errors::default(),
            Some(tr.t("login-failed")),
        );
        return render_status(StatusCode::UNAUTHORIZED, &page);
    }
    let user_id = user_id.expect("verified users exist");
    login_limits::succeeded(&mut tx, &email, ctx.addr).await?;
    // the session now, or the second factor's step first
    let res =
        super::session::after_password(&mut tx, &state, &ctx, event, &headers, user_id).await?;
    tx.commit().await?;
    Ok(res)
}

async fn logout(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    db::auth::delete(&mut tx, &auth.user.token_hash).await?;
    auth.ctx
        .audit(&mut tx, auth.ctx.event("logout"), Outcome::Ok)
        .await?;
    tx.commit().await?;
    let name = session_cookie_name(state.settings.secure_cookies);
    let mut gone = session_cookie(name, String::new(), state.settings.secure_cookies);
    gone.make_removal();
    Ok((
        AppendHeaders([
            (header::SET_COOKIE, gone.to_string()),
            (
                header::SET_COOKIE,
                super::flash::removal(state.settings.secure_cookies),
            ),
        ]),
        Redirect::to("/login"),
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActingForm {
    agency_id: String,
    back: String,
}

async fn acting_agency(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<ActingForm>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let mut event = auth.ctx.event("acting_agency.switch");
    let target = Uuid::parse_str(form.agency_id.trim()).ok();
    event.target_id = target;
    match target.filter(|id| policy::may_act_as(&auth.user, *id)) {
        Some(id) => {
            db::auth::set_acting_agency(&mut conn, &auth.user.token_hash, id).await?;
            event.acting_agency_id = Some(id);
            auth.ctx.audit(&mut conn, event, Outcome::Ok).await?;
            Ok(Redirect::to(safe_back(&form.back)).into_response())
        }
        None => {
            auth.ctx.audit(&mut conn, event, Outcome::Denied).await?;
            Err(AppError::Forbidden)
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LangForm {
    lang: String,
    back: String,
}

async fn set_lang(Form(form): Form<LangForm>) -> Response {
    let lang = Lang::parse(&form.lang).unwrap_or_default();
    let cookie = Cookie::build((LANG_COOKIE, lang.code()))
        .path("/")
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::days(365))
        .build();
    (
        [(header::SET_COOKIE, cookie.to_string())],
        Redirect::to(safe_back(&form.back)),
    )
        .into_response()
}
