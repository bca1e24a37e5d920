//! The case's timeline page: the entries this agency may read, filtered, a page at a time.

use crate::area::timeline::{load_timeline, TimelineQuery};
use crate::error::{AppError, AppResult};
use crate::http::extract::Auth;
use crate::http::render::render;
use crate::http::state::AppState;
use crate::views::timeline::TimelinePage;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

pub(super) async fn timeline_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Query(query): Query<TimelineQuery>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let case = crate::access::case::open(
        &mut conn,
        &auth.who(&state.refusals),
        id,
        crate::access::Need::Read,
        "case.timeline.view",
    )
    .await?;
    // the header, the team and the page of entries with their replies: one statement
    let read = load_timeline(&mut conn, auth.ctx.tr, &case, &query)
        .await?
        .ok_or(AppError::NotFound)?;
    let (header, timeline, unread) = (read.header, read.timeline, read.unread);
    // the view's audit row and the read marks of what it showed, in one statement
    auth.who(&state.refusals)
        .viewed(&mut conn, "case.timeline.view", Some(id), None, &unread)
        .await?;
    Ok(render(&TimelinePage {
        layout: auth.ctx.layout("timeline-title"),
        name: format!("{} {}", header.family_name, header.given_name),
        case_id: id,
        timeline,
    })?
    .into_response())
}
