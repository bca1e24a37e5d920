//! Starting a session once the password is right: at once, or — for a user with a second
//! factor — after the code step, which a short-lived pending login bound to the browser by its
//! own cookie leads to. Used by the password step (`auth`) and the code step (`second_factor`).

use super::cookies::cookie_value;
use super::extract::{session_cookie_name, Ctx};
use crate::db::{self, audit::Outcome};
use crate::error::AppResult;
use crate::http::state::AppState;
use axum::http::{header, HeaderMap};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use cookie::{Cookie, SameSite};
use sqlx::PgConnection;
use uuid::Uuid;

/// Where a limited session is sent: the only pages it reaches.
pub const ENROL_PATH: &str = "/account/second-factor";

pub fn session_cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build()
}

/// The cookie between the password and the code; it never names a session.
pub fn pending_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-renkei_pending"
    } else {
        "renkei_pending"
    }
}

fn pending_removal(secure: bool) -> Cookie<'static> {
    let mut gone = session_cookie(pending_cookie_name(secure), String::new(), secure);
    gone.make_removal();
    gone
}

/// After the right password: the code step for a user with a second factor (no session yet),
/// otherwise the session (limited to enrolment when an agency of theirs requires a second
/// factor). `event` is the login's audit event.
pub async fn after_password(
    conn: &mut PgConnection,
    state: &AppState,
    ctx: &Ctx,
    event: db::audit::Event,
    headers: &HeaderMap,
    user_id: Uuid,
) -> AppResult<Response> {
    let secure = state.settings.secure_cookies;
    if db::second_factor::is_enabled(&mut *conn, user_id).await? {
        let token = db::auth::new_token();
        db::second_factor::pending_login_create(&mut *conn, &db::auth::hash_token(&token), user_id)
            .await?;
        let mut event = event;
        event.action = "login.password";
        ctx.audit(&mut *conn, event, Outcome::Ok).await?;
        let mut cookie = session_cookie(pending_cookie_name(secure), token, secure);
        cookie.set_max_age(cookie::time::Duration::seconds(
            db::second_factor::PENDING_LOGIN.as_secs() as i64,
        ));
        return Ok((
            [(header::SET_COOKIE, cookie.to_string())],
            Redirect::to("/login/code"),
        )
            .into_response());
    }
    let must_enrol = db::second_factor::required_for(&mut *conn, user_id).await?;
    start(conn, state, ctx, event, headers, user_id, must_enrol).await
}

/// Starts the session: a new id on every login (any session the browser had before is ended),
/// the login's `ok` row, the cookie; a pending login's cookie is removed.
pub async fn start(
    conn: &mut PgConnection,
    state: &AppState,
    ctx: &Ctx,
    mut event: db::audit::Event,
    headers: &HeaderMap,
    user_id: Uuid,
    must_enrol: bool,
) -> AppResult<Response> {
    let secure = state.settings.secure_cookies;
    let cookie_name = session_cookie_name(secure);
    if let Some(old) = cookie_value(headers, cookie_name) {
        db::auth::delete(&mut *conn, &db::auth::hash_token(&old)).await?;
    }
    let token = db::auth::new_token();
    let acting = db::users::default_agency(&mut *conn, user_id).await?;
    db::auth::create(
        &mut *conn,
        &token,
        user_id,
        acting,
        state.settings.idle_timeout,
        state.settings.absolute_timeout,
    )
    .await?;
    if must_enrol {
        db::second_factor::limit_session(&mut *conn, &db::auth::hash_token(&token)).await?;
    }
    event.acting_agency_id = acting;
    ctx.audit(&mut *conn, event, Outcome::Ok).await?;
    let cookie = session_cookie(cookie_name, token, secure);
    let mut cookies = vec![(header::SET_COOKIE, cookie.to_string())];
    if cookie_value(headers, pending_cookie_name(secure)).is_some() {
        cookies.push((header::SET_COOKIE, pending_removal(secure).to_string()));
    }
    let to = if must_enrol { ENROL_PATH } else { "/" };
    Ok((AppendHeaders(cookies), Redirect::to(to)).into_response())
}
