//! The inbox: the entries the user has not read yet, and marking them all read.

use crate::area::timeline::PER_PAGE;
use crate::db::{self, cases::Actor};
use crate::error::AppResult;
use crate::http::extract::Auth;
use crate::http::flash::{self, Flash};
use crate::http::render::render;
use crate::http::state::AppState;
use crate::views::timeline::InboxPage;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::DateTime;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct InboxQuery {
    before_at: Option<i64>,
    before_id: Option<Uuid>,
}

pub(super) async fn inbox(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<InboxQuery>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let mut rows = match auth.user.actor() {
        Some(actor) => {
            let before = q
                .before_at
                .and_then(DateTime::from_timestamp_micros)
                .filter(|t| crate::domain::dates::in_range(t.date_naive()))
                .zip(q.before_id)
                .map(|(created_at, id)| db::entries::CreatedCursor { created_at, id });
            db::entries::inbox(&mut conn, actor, before, PER_PAGE + 1).await?
        }
        None => vec![],
    };
    let older = if rows.len() as i64 > PER_PAGE {
        rows.truncate(PER_PAGE as usize);
        rows.last().map(|r| {
            format!(
                "before_at={}&before_id={}",
                r.created_at.timestamp_micros(),
                r.id
            )
        })
    } else {
        None
    };
    auth.ctx
        .audit(
            &mut conn,
            auth.ctx.event("inbox.view"),
            db::audit::Outcome::Ok,
        )
        .await?;
    Ok(render(&InboxPage {
        layout: auth.ctx.layout("inbox-title"),
        rows,
        older,
    })?
    .into_response())
}

pub(super) async fn read_all(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let Some(actor): Option<Actor> = auth.user.actor() else {
        return Ok(Redirect::to("/inbox").into_response());
    };
    let mut tx = state.db.begin().await?;
    db::entries::mark_all_read(&mut tx, actor).await?;
    auth.ctx
        .audit(
            &mut tx,
            auth.ctx.event("inbox.read_all"),
            db::audit::Outcome::Ok,
        )
        .await?;
    tx.commit().await?;
    Ok(flash::redirect("/inbox", Flash::Done))
}
