//! An agency's profile page: its programs, staff faces and open events.

use super::{audit, load, profile_page};
use crate::db::audit::Outcome;
use crate::error::AppResult;
use crate::http::extract::Auth;
use crate::http::render::render;
use crate::http::state::AppState;
use crate::views::Errors;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

pub(super) async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let p = load(&mut conn, &auth, id).await?;
    let page = profile_page(&mut conn, &auth, p, Errors::default(), "").await?;
    audit(&mut conn, &auth, "directory.view", id, Outcome::Ok).await?;
    Ok(render(&page)?.into_response())
}
