//! Tasks and action items marked done through the API, with the optional note, as the pages'
//! "done" buttons do (`area::done`): only the owning agency's open item.

use super::body::Body;
use super::responses::WriteProblems;
use super::{path_id, Api, ApiError, ApiResult};
use crate::access::Refusal;
use crate::area::done::{self, Done, NOTE_MAX};
use crate::http::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

/// Closing an item.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[allow(dead_code)] // read member by member (`Body`)
pub(super) struct Finish {
    /// What was done, at most 1,000 characters.
    note: Option<String>,
}

/// The note of an empty body (`{}` or none at all) is empty.
fn read_note(api: &Api, body: &[u8]) -> ApiResult<String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(String::new());
    }
    let mut b = Body::parse(api.tr(), body).map_err(ApiError::Invalid)?;
    let note = b.text("note");
    b.done().map_err(ApiError::Invalid)?;
    Ok(note)
}

async fn finish(
    state: &AppState,
    api: &Api,
    id: Uuid,
    body: &[u8],
    action: &'static str,
) -> ApiResult<Response> {
    let note = read_note(api, body)?;
    let who = api.auth.who(&state.refusals);
    let Some(actor) = api.auth.user.actor() else {
        return Err(who
            .refuse(action, None, Some(id), Refusal::NotFound)
            .await
            .into());
    };
    let mut tx = state.db.begin().await?;
    let outcome = if action == "task.done" {
        done::task(&mut tx, actor, id, &note).await?
    } else {
        done::action_item(&mut tx, actor, id, &note).await?
    };
    match outcome {
        Done::On(case_id) => {
            who.ok(&mut tx, action, Some(case_id), Some(id)).await?;
            tx.commit().await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        Done::NoteTooLong => Err(ApiError::field(
            "note",
            api.tr().t1("error-max-chars", "max", NOTE_MAX),
        )),
        Done::Nothing => Err(who
            .refuse(action, None, Some(id), Refusal::NotFound)
            .await
            .into()),
    }
}

/// Marks an open task of the acting agency done (audited as `task.done`), as the task list's
/// button does.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/done", tag = "follow-up",
    params(("id" = Uuid, Path, description = "The task")),
    request_body(content = Finish, content_type = "application/json"),
    responses((status = 204, description = "Done"), WriteProblems),
    security(("token" = [])))]
pub(super) async fn task(
    State(state): State<AppState>,
    api: Api,
    id: Result<Path<Uuid>, PathRejection>,
    body: Bytes,
) -> ApiResult<Response> {
    finish(&state, &api, path_id(id)?, &body, "task.done").await
}

/// Marks an open action item of the acting agency done (audited as `action_item.done`), as the
/// meeting page's button does.
#[utoipa::path(post, path = "/api/v1/action-items/{id}/done", tag = "follow-up",
    params(("id" = Uuid, Path, description = "The action item")),
    request_body(content = Finish, content_type = "application/json"),
    responses((status = 204, description = "Done"), WriteProblems),
    security(("token" = [])))]
pub(super) async fn action_item(
    State(state): State<AppState>,
    api: Api,
    id: Result<Path<Uuid>, PathRejection>,
    body: Bytes,
) -> ApiResult<Response> {
    finish(&state, &api, path_id(id)?, &body, "action_item.done").await
}
