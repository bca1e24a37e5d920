//! The signed-in user's own account: changing the password, and making the calendar feed URL.

use super::extract::Auth;
use crate::db::{self, audit::Outcome};
use crate::domain::password;
use crate::error::AppResult;
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::views::{account::AccountPage, Errors};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(page))
        .route("/account/password", post(change_password))
        .route("/account/calendar", post(new_feed))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Done {
    done: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<Done>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let has_feed = db::meetings::has_feed(&mut conn, auth.user.id).await?;
    let second_factor = db::second_factor::is_enabled(&mut conn, auth.user.id).await?;
    Ok(render(&AccountPage {
        layout: auth.ctx.layout("account-title"),
        errors: Errors::default(),
        done: q.done.is_some(),
        new_feed: None,
        has_feed,
        second_factor,
    })?
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PasswordForm {
    current: String,
    new_password: String,
    confirm: String,
}

async fn change_password(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut errors = Errors::default();
    let mut conn = state.db.acquire().await?;
    // with a second factor on, the minimum is lower
    let second_factor = db::second_factor::is_enabled(&mut conn, auth.user.id).await?;
    if let Err(p) = password::check_new_for(
        &form.new_password,
        &auth.user.email,
        &auth.user.display_name,
        second_factor,
    ) {
        errors.add("new_password", tr.t(p.message_key_for(second_factor)));
    }
    if form.new_password != form.confirm {
        errors.add("confirm", tr.t("password-mismatch"));
    }
    let stored = db::users::password_hash(&mut conn, auth.user.id).await?;
    drop(conn);
    let current = form.current.clone();
    let current_ok =
        tokio::task::spawn_blocking(move || password::verify(&current, Some(&stored))).await?;
    if !current_ok {
        errors.add("current", tr.t("password-current-wrong"));
    }
    let mut conn = state.db.acquire().await?;
    if !errors.is_empty() {
        auth.ctx
            .audit(
                &mut conn,
                auth.ctx.event("password.change"),
                Outcome::Failed,
            )
            .await?;
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &AccountPage {
                layout: auth.ctx.layout("account-title"),
                errors,
                done: false,
                new_feed: None,
                has_feed: false,
                second_factor,
            },
        );
    }
    drop(conn);
    let new = form.new_password.clone();
    let hash = tokio::task::spawn_blocking(move || password::hash(&new)).await?;
    let mut tx = state.db.begin().await?;
    db::users::set_password(&mut tx, auth.user.id, &hash).await?;
    db::auth::delete_others(&mut tx, auth.user.id, &auth.user.token_hash).await?;
    auth.ctx
        .audit(&mut tx, auth.ctx.event("password.change"), Outcome::Ok)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to("/account?done=1").into_response())
}

/// Makes (or remakes, revoking the old one) the user's calendar feed URL and shows it once, in
/// this response: the secret never travels in a URL of Renkei's own (no redirect, no history,
/// no log line carries it).
async fn new_feed(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let token = db::auth::new_token();
    let mut tx = state.db.begin().await?;
    db::meetings::set_feed(&mut tx, auth.user.id, &db::auth::hash_token(&token)).await?;
    auth.ctx
        .audit(&mut tx, auth.ctx.event("calendar.feed.create"), Outcome::Ok)
        .await?;
    tx.commit().await?;
    let mut conn = state.db.acquire().await?;
    let second_factor = db::second_factor::is_enabled(&mut conn, auth.user.id).await?;
    Ok(render(&AccountPage {
        layout: auth.ctx.layout("account-title"),
        errors: Errors::default(),
        done: false,
        new_feed: Some(token),
        has_feed: true,
        second_factor,
    })?
    .into_response())
}
