//! Meetings through the API: a case's list (the date, purpose and status of meetings the
//! acting agency is not part of, as on the page), a meeting with its invitees and action items
//! for its convener and invitees, and an invited agency's answer.

use super::responses::{ReadProblems, WriteProblems};
use super::{path_id, Api, ApiError, ApiResult};
use crate::access::{self, meeting::MeetingNeed, Need};
use crate::db;
use crate::domain::meeting::Rsvp;
use crate::http::render::json;
use crate::http::state::AppState;
use crate::views::api::{ActionItem, Material, Meeting, MeetingSummary};
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

/// The case's meetings (the case's meetings page).
#[utoipa::path(get, path = "/api/v1/cases/{id}/meetings", tag = "meetings",
    params(("id" = Uuid, Path, description = "The case")),
    responses((status = 200, body = Vec<MeetingSummary>), ReadProblems),
    security(("token" = [])))]
pub(super) async fn for_case(
    State(state): State<AppState>,
    api: Api,
    id: Result<Path<Uuid>, PathRejection>,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    let mut conn = state.db.acquire().await?;
    let who = api.auth.who(&state.refusals);
    let case =
        access::case::view(&mut conn, &who, id, Need::Read, "case.meetings.view", None).await?;
    let rows = db::meetings::for_case(&mut conn, &case).await?;
    Ok(json(
        StatusCode::OK,
        &rows
            .into_iter()
            .map(MeetingSummary::from)
            .collect::<Vec<_>>(),
    ))
}

/// The action items of the case the acting agency may read: its own, and those of the
/// meetings it convened or was invited to (the case's meetings page).
#[utoipa::path(get, path = "/api/v1/cases/{id}/action-items", tag = "meetings",
    params(("id" = Uuid, Path, description = "The case")),
    responses((status = 200, body = Vec<ActionItem>), ReadProblems),
    security(("token" = [])))]
pub(super) async fn action_items(
    State(state): State<AppState>,
    api: Api,
    id: Result<Path<Uuid>, PathRejection>,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    let mut conn = state.db.acquire().await?;
    let who = api.auth.who(&state.refusals);
    let case =
        access::case::view(&mut conn, &who, id, Need::Read, "case.meetings.view", None).await?;
    let rows = db::meetings::actions_for_case(&mut conn, &case).await?;
    Ok(json(
        StatusCode::OK,
        &rows.into_iter().map(ActionItem::from).collect::<Vec<_>>(),
    ))
}

/// A meeting, for its convener and its invitees (the meeting's page, without the material,
/// which is computed for each reader on its own page).
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings",
    params(("id" = Uuid, Path, description = "The meeting")),
    responses((status = 200, body = Meeting), ReadProblems),
    security(("token" = [])))]
pub(super) async fn show(
    State(state): State<AppState>,
    api: Api,
    id: Result<Path<Uuid>, PathRejection>,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    let mut conn = state.db.acquire().await?;
    let scope = access::meeting::view(
        &mut conn,
        &api.auth.who(&state.refusals),
        id,
        "meeting.view",
    )
    .await?;
    let meeting = db::meetings::get(&mut conn, &scope).await?;
    let invitees = db::meetings::invitees(&mut conn, &scope).await?;
    let actions = db::meetings::actions_for(&mut conn, scope.reader(), Some(&scope)).await?;
    Ok(json(
        StatusCode::OK,
        &Meeting::of(meeting, invitees, actions),
    ))
}

/// The meeting's material as the material page shows it to the acting agency: the generated
/// sections from what it may see, and the convener's own text where the rule lets it read it.
/// Audited as `meeting.material.view`; shown to an invited agency, it is a provision in the
/// ledger, as on the page.
#[utoipa::path(get, path = "/api/v1/meetings/{id}/material", tag = "meetings",
    params(("id" = Uuid, Path, description = "The meeting")),
    responses((status = 200, body = Material), ReadProblems),
    security(("token" = [])))]
pub(super) async fn material(
    State(state): State<AppState>,
    api: Api,
    id: Result<Path<Uuid>, PathRejection>,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    let mut conn = state.db.acquire().await?;
    let who = api.auth.who(&state.refusals);
    let scope = access::meeting::open(
        &mut conn,
        &who,
        id,
        MeetingNeed::Read,
        "meeting.material.view",
    )
    .await?;
    // the reader's own agency (the page's preview as an invitee is the convener's tool)
    let reader = scope.reader();
    scope
        .record(&mut conn, &who, "meeting.material.view")
        .await?;
    let meeting = db::meetings::get(&mut conn, &scope).await?;
    // shown to an invited agency: a provision (第三者提供の記録)
    crate::area::ledger::material_shown(&mut conn, &scope, &meeting, reader).await?;
    let (generated_html, text_html) =
        crate::area::material::material_for(&mut conn, api.tr(), &scope, &meeting, reader).await?;
    Ok(json(
        StatusCode::OK,
        &Material {
            meeting_id: id,
            generated_html,
            text_html,
        },
    ))
}

/// An invited agency's answer.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(super) struct Answer {
    /// attend, decline or tentative
    #[allow(dead_code)] // read from the JSON value, so that a wrong type is named
    response: String,
}

/// Answers the invitation for the acting agency (attend, decline, tentative), as the meeting
/// page's answer buttons do; only while the meeting is scheduled.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/answer", tag = "meetings",
    params(("id" = Uuid, Path, description = "The meeting")),
    request_body(content = Answer, content_type = "application/json"),
    responses((status = 204, description = "Answered"), WriteProblems),
    security(("token" = [])))]
pub(super) async fn answer(
    State(state): State<AppState>,
    api: Api,
    id: Result<Path<Uuid>, PathRejection>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    let tr = api.tr();
    let who = api.auth.who(&state.refusals);
    let mut tx = state.db.begin().await?;
    let scope = access::meeting::open(&mut tx, &who, id, MeetingNeed::Read, "meeting.rsvp").await?;
    let meeting = db::meetings::get(&mut tx, &scope).await?;
    let value: serde_json::Value =
        serde_json::from_slice(&body).map_err(|_| ApiError::field("body", tr.t("api-bad-json")))?;
    let response = match value.get("response") {
        Some(serde_json::Value::String(s)) => Rsvp::parse(s).filter(|r| *r != Rsvp::Pending),
        Some(_) if value.is_object() => {
            return Err(ApiError::field("response", tr.t("api-not-string")))
        }
        _ if !value.is_object() => return Err(ApiError::field("body", tr.t("api-not-object"))),
        _ => None,
    };
    let Some(response) = response else {
        return Err(ApiError::field("response", tr.t("error-choose")));
    };
    if meeting.status != "scheduled"
        || !db::meetings::rsvp(&mut tx, &scope, response.as_str()).await?
    {
        return Err(scope.refuse(&who, "meeting.rsvp").await.into());
    }
    scope.record(&mut tx, &who, "meeting.rsvp").await?;
    tx.commit().await?;
    Ok(axum::response::IntoResponse::into_response(
        StatusCode::NO_CONTENT,
    ))
}
