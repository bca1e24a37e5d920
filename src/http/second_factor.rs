//! The second factor: the code step of the login (`/login/code`), and the user's own enrolment,
//! recovery codes and turning it off (`/account/second-factor…`).

use super::cookies::cookie_value;
use super::extract::{Auth, Ctx};
use super::session::{pending_cookie_name, ENROL_PATH};
use crate::db::{self, audit::Outcome};
use crate::domain::{password, second_factor as sf, text};
use crate::error::AppResult;
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::views::second_factor::{CodePage, Enrolment, SecondFactorPage};
use crate::views::Errors;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login/code", get(code_page).post(code_submit))
        .route("/account/second-factor", get(page))
        .route("/account/second-factor/begin", post(begin))
        .route("/account/second-factor/confirm", post(confirm))
        .route("/account/second-factor/recovery", post(new_recovery_codes))
        .route("/account/second-factor/disable", post(disable))
}

/// The paths a session limited to enrolment reaches (an agency of the user requires a second
/// factor they have not set up yet).
pub fn enrolling_may(path: &str) -> bool {
    matches!(
        path,
        ENROL_PATH
            | "/account/second-factor/begin"
            | "/account/second-factor/confirm"
            | "/logout"
            | "/lang"
            | "/healthz"
            | "/readyz"
    ) || path.starts_with("/static/")
}

fn now_unix() -> u64 {
    chrono::Utc::now().timestamp().max(0) as u64
}

// ---- the login's code step --------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CodeForm {
    code: String,
}

/// The user this browser's pending login names, if it is live.
async fn pending_user(
    conn: &mut PgConnection,
    state: &AppState,
    headers: &HeaderMap,
) -> sqlx::Result<Option<(Vec<u8>, Uuid)>> {
    let Some(token) = cookie_value(headers, pending_cookie_name(state.settings.secure_cookies))
    else {
        return Ok(None);
    };
    let hash = db::auth::hash_token(&token);
    Ok(db::second_factor::pending_login_user(conn, &hash)
        .await?
        .map(|u| (hash, u)))
}

fn code_form(ctx: &Ctx, errors: Errors, message: Option<String>) -> CodePage {
    CodePage {
        layout: ctx.layout("login-code-title"),
        errors,
        message,
    }
}

async fn code_page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
) -> AppResult<Response> {
    if ctx.user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let mut conn = state.db.acquire().await?;
    if pending_user(&mut conn, &state, &headers).await?.is_none() {
        return Ok(Redirect::to("/login").into_response());
    }
    Ok(render(&code_form(&ctx, Errors::default(), None))?.into_response())
}

/// Checks a code of an enabled second factor: a TOTP code of now (±1 step) not used before, or
/// an unspent recovery code. Returns how it was given ("totp" / "recovery"), or None.
async fn accept_code(
    conn: &mut PgConnection,
    user_id: Uuid,
    factor: &db::second_factor::Enabled,
    code: &str,
) -> sqlx::Result<Option<&'static str>> {
    if sf::is_totp_shape(code) {
        let Some(step) = sf::matching_step(&factor.secret, code, now_unix(), factor.last_step)
        else {
            return Ok(None);
        };
        // the conditional update decides, so two requests with one code cannot both pass
        return Ok(db::second_factor::use_step(conn, user_id, step)
            .await?
            .then_some("totp"));
    }
    Ok(
        db::second_factor::use_recovery_code(conn, user_id, &sf::recovery_hash(code))
            .await?
            .then_some("recovery"),
    )
}

async fn code_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let tr = ctx.tr;
    let mut tx = state.db.begin().await?;
    let Some((pending_hash, user_id)) = pending_user(&mut tx, &state, &headers).await? else {
        return Ok(Redirect::to("/login").into_response());
    };
    let mut event = ctx.event("login.code");
    event.user_id = Some(user_id);
    if text::char_len(&form.code) > 40 || form.code.trim().is_empty() {
        let mut errors = Errors::default();
        errors.add("code", tr.t("second-factor-code-required"));
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &code_form(&ctx, errors, None),
        );
    }
    if let Some(seconds) = db::second_factor::code_locked_for(&mut tx, user_id).await? {
        ctx.audit(&mut tx, event, Outcome::Denied).await?;
        tx.commit().await?;
        let minutes = (seconds + 59) / 60;
        let message = tr.t1("second-factor-locked", "minutes", minutes);
        return render_status(
            StatusCode::TOO_MANY_REQUESTS,
            &code_form(&ctx, Errors::default(), Some(message)),
        );
    }
    let Some(factor) = db::second_factor::enabled(&mut tx, user_id).await? else {
        // reset by the admin meanwhile: start again from the password
        db::second_factor::pending_login_delete(&mut tx, &pending_hash).await?;
        tx.commit().await?;
        return Ok(Redirect::to("/login").into_response());
    };
    let Some(how) = accept_code(&mut tx, user_id, &factor, &form.code).await? else {
        db::second_factor::record_code_failure(&mut tx, user_id).await?;
        ctx.audit(&mut tx, event, Outcome::Failed).await?;
        tx.commit().await?;
        let mut errors = Errors::default();
        errors.add("code", tr.t("second-factor-code-wrong"));
        return render_status(StatusCode::UNAUTHORIZED, &code_form(&ctx, errors, None));
    };
    db::second_factor::clear_code_failures(&mut tx, user_id).await?;
    db::second_factor::pending_login_delete(&mut tx, &pending_hash).await?;
    let mut login = ctx.event("login");
    login.user_id = Some(user_id);
    login.detail = how.to_string();
    let res = super::session::start(&mut tx, &state, &ctx, login, &headers, user_id, false).await?;
    tx.commit().await?;
    Ok(res)
}

// ---- the user's own second factor -------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Notice {
    done: Option<String>,
}

/// The page as it stands for the user: off, being set up (QR code and secret), or on.
async fn page_for(
    conn: &mut PgConnection,
    auth: &Auth,
    errors: Errors,
    code: String,
    notice: Option<String>,
    new_codes: Vec<String>,
) -> AppResult<SecondFactorPage> {
    let user = &auth.user;
    let enrolment = if db::second_factor::is_enabled(&mut *conn, user.id).await? {
        Enrolment::On {
            codes_left: db::second_factor::recovery_codes_left(&mut *conn, user.id).await?,
        }
    } else if let Some(secret) = db::second_factor::pending(&mut *conn, user.id).await? {
        Enrolment::Pending {
            qr: sf::qr_data_url(&sf::otpauth_url(&secret, &user.email)),
            secret: sf::secret_text(&secret),
        }
    } else {
        Enrolment::Off
    };
    Ok(SecondFactorPage {
        layout: auth.ctx.layout("second-factor-title"),
        enrolment,
        required: user.must_enrol || db::second_factor::required_for(&mut *conn, user.id).await?,
        must_enrol: user.must_enrol,
        errors,
        code,
        notice,
        new_codes,
    })
}

async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<Notice>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let notice = match q.done.as_deref() {
        Some("off") => Some(auth.ctx.tr.t("second-factor-off-done")),
        _ => None,
    };
    let page = page_for(
        &mut conn,
        &auth,
        Errors::default(),
        String::new(),
        notice,
        vec![],
    )
    .await?;
    Ok(render(&page)?.into_response())
}

/// Begins an enrolment with a new secret made here (a second factor already on is kept).
async fn begin(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    let begun = db::second_factor::begin(&mut tx, auth.user.id, &sf::new_secret()).await?;
    if begun {
        auth.ctx
            .audit(&mut tx, auth.ctx.event("second_factor.begin"), Outcome::Ok)
            .await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(ENROL_PATH).into_response())
}

/// Ten new recovery codes: stored hashed, returned in the clear to be shown once.
fn recovery_set() -> (Vec<String>, Vec<Vec<u8>>) {
    let codes = sf::new_recovery_codes();
    let hashes = codes.iter().map(|c| sf::recovery_hash(c)).collect();
    (codes, hashes)
}

/// Turns the second factor on when the code fits the pending secret; shows the recovery codes
/// once, in this response.
async fn confirm(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut tx = state.db.begin().await?;
    let Some(secret) = db::second_factor::pending(&mut tx, auth.user.id).await? else {
        return Ok(Redirect::to(ENROL_PATH).into_response());
    };
    let step = sf::matching_step(&secret, &form.code, now_unix(), 0);
    let Some(step) = step else {
        auth.ctx
            .audit(
                &mut tx,
                auth.ctx.event("second_factor.enable"),
                Outcome::Failed,
            )
            .await?;
        tx.commit().await?;
        let mut errors = Errors::default();
        errors.add("code", tr.t("second-factor-code-wrong"));
        let mut conn = state.db.acquire().await?;
        let page = page_for(&mut conn, &auth, errors, form.code.clone(), None, vec![]).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let (codes, hashes) = recovery_set();
    db::second_factor::enable(&mut tx, auth.user.id, step, &hashes).await?;
    auth.ctx
        .audit(&mut tx, auth.ctx.event("second_factor.enable"), Outcome::Ok)
        .await?;
    tx.commit().await?;
    let mut conn = state.db.acquire().await?;
    let mut page = page_for(
        &mut conn,
        &auth,
        Errors::default(),
        String::new(),
        None,
        codes,
    )
    .await?;
    page.must_enrol = false;
    page.notice = Some(tr.t("second-factor-on-done"));
    Ok(render(&page)?.into_response())
}

/// A new set of recovery codes (the old ones stop working), after a current code.
async fn new_recovery_codes(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut tx = state.db.begin().await?;
    let Some(factor) = db::second_factor::enabled(&mut tx, auth.user.id).await? else {
        return Ok(Redirect::to(ENROL_PATH).into_response());
    };
    let event = auth.ctx.event("second_factor.recovery.renew");
    if let Some(problem) = code_problem(&mut tx, &auth, &factor, &form.code).await? {
        auth.ctx.audit(&mut tx, event, Outcome::Failed).await?;
        tx.commit().await?;
        let mut errors = Errors::default();
        errors.add("recovery_code", tr.t(problem));
        let mut conn = state.db.acquire().await?;
        let page = page_for(&mut conn, &auth, errors, String::new(), None, vec![]).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let (codes, hashes) = recovery_set();
    db::second_factor::replace_recovery_codes(&mut tx, auth.user.id, &hashes).await?;
    auth.ctx.audit(&mut tx, event, Outcome::Ok).await?;
    tx.commit().await?;
    let mut conn = state.db.acquire().await?;
    let page = page_for(
        &mut conn,
        &auth,
        Errors::default(),
        String::new(),
        None,
        codes,
    )
    .await?;
    Ok(render(&page)?.into_response())
}

/// Why a code given by a signed-in user is refused (a catalog key), counting a wrong one
/// against the account's code lock; None when it is accepted.
async fn code_problem(
    conn: &mut PgConnection,
    auth: &Auth,
    factor: &db::second_factor::Enabled,
    code: &str,
) -> sqlx::Result<Option<&'static str>> {
    if let Some(seconds) = db::second_factor::code_locked_for(&mut *conn, auth.user.id).await? {
        let _ = seconds;
        return Ok(Some("second-factor-locked-short"));
    }
    if accept_code(&mut *conn, auth.user.id, factor, code)
        .await?
        .is_some()
    {
        db::second_factor::clear_code_failures(&mut *conn, auth.user.id).await?;
        return Ok(None);
    }
    db::second_factor::record_code_failure(&mut *conn, auth.user.id).await?;
    Ok(Some("second-factor-code-wrong"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DisableForm {
    password: String,
    code: String,
}

/// Turns the second factor off after the password and a current code; refused while an agency
/// of the user requires one, and while the password is shorter than the minimum without one.
async fn disable(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<DisableForm>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut conn = state.db.acquire().await?;
    let stored = db::users::password_hash(&mut conn, auth.user.id).await?;
    let required = db::second_factor::required_for(&mut conn, auth.user.id).await?;
    drop(conn);
    let typed = form.password.clone();
    let password_ok =
        tokio::task::spawn_blocking(move || password::verify(&typed, Some(&stored))).await?;
    let mut errors = Errors::default();
    let mut tx = state.db.begin().await?;
    let Some(factor) = db::second_factor::enabled(&mut tx, auth.user.id).await? else {
        return Ok(Redirect::to(ENROL_PATH).into_response());
    };
    if required {
        errors.add("disable_password", tr.t("second-factor-required-by-agency"));
    } else if !password_ok {
        errors.add("disable_password", tr.t("password-current-wrong"));
    } else if form.password.chars().count() < password::MIN_LEN {
        errors.add("disable_password", tr.t("second-factor-password-too-short"));
    }
    if errors.is_empty() {
        if let Some(problem) = code_problem(&mut tx, &auth, &factor, &form.code).await? {
            errors.add("disable_code", tr.t(problem));
        }
    }
    let event = auth.ctx.event("second_factor.disable");
    if !errors.is_empty() {
        auth.ctx.audit(&mut tx, event, Outcome::Failed).await?;
        tx.commit().await?;
        let mut conn = state.db.acquire().await?;
        let page = page_for(&mut conn, &auth, errors, String::new(), None, vec![]).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    db::second_factor::remove(&mut tx, auth.user.id).await?;
    auth.ctx.audit(&mut tx, event, Outcome::Ok).await?;
    tx.commit().await?;
    Ok(Redirect::to("/account/second-factor?done=off").into_response())
}
