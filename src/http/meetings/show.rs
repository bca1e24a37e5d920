//! A meeting's page, its calendar file, and an invited agency's answer to the invitation.

use super::{calendar_response, ics_event, meeting_page, open_meeting};
use crate::access;
use crate::access::meeting::MeetingNeed;
use crate::db;
use crate::domain::ics;
use crate::domain::meeting::Rsvp;
use crate::error::{AppError, AppResult};
use crate::http::extract::Auth;
use crate::http::flash::{self, Flash};
use crate::http::form::Pairs;
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::views::Errors;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use uuid::Uuid;

/// `/meetings/{id}` is the meeting's page; `/meetings/{id}.ics` its calendar file.
pub(super) async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
) -> AppResult<Response> {
    let (id_text, is_ics) = match raw.strip_suffix(".ics") {
        Some(id) => (id, true),
        None => (raw.as_str(), false),
    };
    let id = Uuid::parse_str(id_text).map_err(|_| AppError::NotFound)?;
    let mut conn = state.db.acquire().await?;
    let action = if is_ics {
        "meeting.ics"
    } else {
        "meeting.view"
    };
    let scope = access::meeting::view(&mut conn, &auth.who(&state.refusals), id, action).await?;
    let meeting = db::meetings::get(&mut conn, &scope).await?;
    if is_ics {
        let method = if meeting.status == "cancelled" {
            "CANCEL"
        } else {
            "PUBLISH"
        };
        let body = ics::calendar(
            &auth.ctx.tr.t("app-name"),
            method,
            &[ics_event(auth.ctx.tr, &state.settings, &meeting)],
        );
        return Ok(calendar_response(body, &format!("meeting-{id}.ics")));
    }
    let page = meeting_page(
        &mut conn,
        &auth,
        &scope,
        meeting,
        Errors::default(),
        None,
        Default::default(),
        vec![],
        vec![],
    )
    .await?;
    Ok(render(&page)?.into_response())
}

pub(super) async fn rsvp(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut tx = state.db.begin().await?;
    let (scope, meeting) = open_meeting(
        &mut tx,
        &auth.who(&state.refusals),
        id,
        MeetingNeed::Read,
        "meeting.rsvp",
    )
    .await?;
    let response = Rsvp::parse(&f.get("response")).filter(|r| *r != Rsvp::Pending);
    let Some(response) = response else {
        let mut errors = Errors::default();
        errors.add("response", tr.t("error-choose"));
        let page = meeting_page(
            &mut tx,
            &auth,
            &scope,
            meeting,
            errors,
            None,
            Default::default(),
            vec![],
            vec![],
        )
        .await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    if meeting.status != "scheduled"
        || !db::meetings::rsvp(&mut tx, &scope, response.as_str()).await?
    {
        return Err(scope
            .refuse(&auth.who(&state.refusals), "meeting.rsvp")
            .await
            .into());
    }
    scope
        .record(&mut tx, &auth.who(&state.refusals), "meeting.rsvp")
        .await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/meetings/{id}"), Flash::Answered))
}
