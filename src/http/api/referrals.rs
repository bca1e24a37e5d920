//! Referrals through the API: sending one from a case, as the case's referral form does, and a
//! step by either side (the receiving office's acknowledge, accept and decline with its
//! reason; the sender's send and withdraw), as the referral page's step forms do — the same
//! area functions (`area::referrals`), so the same checks, timeline events and mail notices.

use super::body::{form_errors, Body};
use super::responses::WriteProblems;
use super::{path_id, Api, ApiError, ApiResult};
use crate::access::{self, Need};
use crate::area::referrals::{self, Stopped};
use crate::db::{self, audit::Outcome};
use crate::http::render::json;
use crate::http::state::AppState;
use crate::views::api::{Created, FieldError};
use crate::views::referrals::{ReferralForm, StepForm};
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

/// A referral from the case, as the case's referral form takes it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[allow(dead_code)] // read member by member (`Body`), so that each error names its field
pub(super) struct NewReferral {
    /// The receiving agency (an active agency other than the acting one).
    #[schema(format = Uuid)]
    to_agency_id: String,
    /// What the person hopes for, at most 5,000 characters.
    hopes: Option<String>,
    /// Attach the latest readiness assessment.
    attach_assessment: Option<bool>,
    /// Send at once (the consent must cover the receiver); a draft when false or left out.
    send: Option<bool>,
}

/// The consent problem's message, with the categories it misses.
fn stopped_errors(s: Stopped) -> Vec<FieldError> {
    let mut errors = form_errors(&s.errors, &[]);
    if !s.missing_consent.is_empty() {
        for e in errors.iter_mut().filter(|e| e.field == "consent") {
            e.message = format!("{}（{}）", e.message, s.missing_consent.join("、"));
        }
    }
    errors
}

/// Drafts a referral of the case to another agency and, with `send`, sends it (audited as
/// `referral.create`; the receiving office's members are told by mail when mail is on). Needs
/// a read-write token of an agency on the team.
#[utoipa::path(post, path = "/api/v1/cases/{id}/referrals", tag = "referrals",
    params(("id" = Uuid, Path, description = "The case")),
    request_body(content = NewReferral, content_type = "application/json"),
    responses((status = 201, body = Created), WriteProblems),
    security(("token" = [])))]
pub(super) async fn create(
    State(state): State<AppState>,
    api: Api,
    id: Result<Path<Uuid>, PathRejection>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    let tr = api.tr();
    let who = api.auth.who(&state.refusals);
    let mut tx = state.db.begin().await?;
    let case = access::case::open(&mut tx, &who, id, Need::Write, "referral.create").await?;
    let mut b = Body::parse(tr, &body).map_err(ApiError::Invalid)?;
    let form = ReferralForm {
        to_agency_id: b.text("to_agency_id"),
        hopes: b.text("hopes").trim().to_string(),
        attach_assessment: b.flag("attach_assessment"),
    };
    let send_now = b.flag("send");
    b.done().map_err(ApiError::Invalid)?;
    let mail = &state.settings.mail;
    match referrals::create(&mut tx, tr, &who, mail, &case, &form, send_now).await? {
        Ok(referral_id) => {
            who.ok(&mut tx, "referral.create", Some(id), Some(referral_id))
                .await?;
            tx.commit().await?;
            Ok(json(StatusCode::CREATED, &Created { id: referral_id }))
        }
        Err(stopped) => {
            // nothing is kept, not even the draft
            tx.rollback().await?;
            Err(ApiError::Invalid(stopped_errors(stopped)))
        }
    }
}

/// A step of a referral, as the referral page's step forms take it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[allow(dead_code)] // read member by member (`Body`)
pub(super) struct Step {
    /// The state to move to. The receiver: acknowledged, visit_scheduled, trial, accepted,
    /// declined; the sender: sent, withdrawn — each only from the states the page offers it.
    to: String,
    /// visit_scheduled: the visit's date (YYYY-MM-DD, today or later)
    #[schema(format = Date)]
    visit_on: Option<String>,
    /// accepted: the training's first day (YYYY-MM-DD)
    #[schema(format = Date)]
    service_start: Option<String>,
    /// declined: the reason
    reason: Option<String>,
    /// A note, at most 2,000 characters; required when declining.
    note: Option<String>,
}

/// Moves a referral one step for the acting side (audited as `referral.transition`, with the
/// state as its detail): a timeline event both sides read, and the mail notice to the other
/// side. Acknowledging or accepting puts the receiver on the team; accepting starts the
/// training. A move the state machine does not allow is a 422 naming `to`.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/transition", tag = "referrals",
    params(("id" = Uuid, Path, description = "The referral")),
    request_body(content = Step, content_type = "application/json"),
    responses((status = 204, description = "Moved"), WriteProblems),
    security(("token" = [])))]
pub(super) async fn transition(
    State(state): State<AppState>,
    api: Api,
    id: Result<Path<Uuid>, PathRejection>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    let tr = api.tr();
    let who = api.auth.who(&state.refusals);
    let mut tx = state.db.begin().await?;
    let rs = access::referral::open(&mut tx, &who, id, "referral.transition").await?;
    let referral = db::referrals::get(&mut tx, &rs).await?;
    let mut b = Body::parse(tr, &body).map_err(ApiError::Invalid)?;
    let step = StepForm {
        to: b.text("to"),
        visit_on: b.text("visit_on"),
        service_start: b.text("service_start"),
        reason: b.text("reason"),
        note: b.text("note").trim().to_string(),
    };
    b.done().map_err(ApiError::Invalid)?;
    let mail = &state.settings.mail;
    let to = match referrals::transition(&mut tx, tr, &who, mail, &rs, &referral, &step).await? {
        Ok(to) => to,
        Err(stopped) => {
            tx.rollback().await?;
            return Err(ApiError::Invalid(stopped_errors(stopped)));
        }
    };
    let ctx = &api.auth.ctx;
    let mut event = ctx.event("referral.transition");
    event.case_id = Some(referral.case_id);
    event.target_id = Some(id);
    event.detail = to.as_str().to_string();
    ctx.audit(&mut tx, event, Outcome::Ok).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
