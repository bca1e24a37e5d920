//! Calendar feeds: a user's meetings at a secret URL, and making or revoking that URL.

use super::{calendar_response, ics_event};
use crate::db;
use crate::domain::ics;
use crate::error::{AppError, AppResult};
use crate::http::extract::Auth;
use crate::http::flash::{self, Flash};
use crate::http::state::AppState;
use crate::i18n::{Lang, Tr};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;

/// A user's meetings for Google or Outlook calendars, at a secret URL; no session needed.
pub(super) async fn feed(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    // no session: the language the calendar asks for, else Japanese
    let tr = Tr::new(Lang::negotiate(
        None,
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    ));
    let token = token.strip_suffix(".ics").unwrap_or(&token);
    let mut conn = state.db.acquire().await?;
    let Some(user) = db::meetings::feed_user(&mut conn, &db::auth::hash_token(token)).await? else {
        return Err(AppError::NotFound);
    };
    let meetings = db::meetings::feed_meetings(&mut conn, user).await?;
    let events: Vec<ics::Event> = meetings
        .iter()
        .map(|m| ics_event(tr, &state.settings, m))
        .collect();
    let body = ics::calendar(&tr.t("app-name"), "PUBLISH", &events);
    let event = db::audit::Event {
        user_id: Some(user),
        action: "calendar.feed",
        ..Default::default()
    };
    db::audit::record(&mut conn, &event, db::audit::Outcome::Ok).await?;
    Ok(calendar_response(body, "renkei.ics"))
}

pub(super) async fn revoke_feed(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    db::meetings::revoke_feed(&mut tx, auth.user.id).await?;
    auth.ctx
        .audit(
            &mut tx,
            auth.ctx.event("calendar.feed.revoke"),
            db::audit::Outcome::Ok,
        )
        .await?;
    tx.commit().await?;
    Ok(flash::redirect("/account", Flash::Removed))
}
