//! Consents through the API: recording one and revoking one, as the consents page does (the
//! lead agency's coordinators, `Need::Manage`), through `area::consents` — so a new consent's
//! provision-ledger bookkeeping happens as on the page.

use super::body::{form_errors, Body};
use super::responses::WriteProblems;
use super::{Api, ApiError, ApiResult};
use crate::access::{self, Need};
use crate::area;
use crate::http::render::json;
use crate::http::state::AppState;
use crate::views::api::Created;
use crate::views::cases::ConsentForm;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

/// A consent, as the consents page's form takes it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[allow(dead_code)] // read member by member (`Body`), so that each error names its field
pub(super) struct NewConsent {
    /// The agency the person agrees to share with (an active agency).
    #[schema(format = Uuid)]
    agency_id: String,
    /// The information categories it covers (at least one).
    #[schema(min_items = 1)]
    categories: Vec<String>,
    /// Who gave it: person, family or employer.
    given_by: String,
    /// How: written or oral.
    method: String,
    /// The day it was given (YYYY-MM-DD, not in the future).
    #[schema(format = Date)]
    given_on: String,
    /// How long it runs: 1y, 2y, date (until `until`) or indefinite.
    term: String,
    /// term date: the last day (YYYY-MM-DD, not before `given_on`).
    #[schema(format = Date)]
    until: Option<String>,
    /// Where the signed form is kept, at most 1,000 characters.
    evidence: Option<String>,
}

/// Records a consent of the person (audited as `case.consent.record`); the entries shared
/// with the agency earlier that it now lets the agency read go into the provision ledger.
/// Needs a read-write token of a coordinator of the lead agency, as on the page.
#[utoipa::path(post, path = "/api/v1/cases/{id}/consents", tag = "consents",
    params(("id" = Uuid, Path, description = "The case")),
    request_body(content = NewConsent, content_type = "application/json"),
    responses((status = 201, body = Created), WriteProblems),
    security(("token" = [])))]
pub(super) async fn record(
    State(state): State<AppState>,
    api: Api,
    id: Result<Path<Uuid>, PathRejection>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = super::path_id(id)?;
    let tr = api.tr();
    let who = api.auth.who(&state.refusals);
    let mut tx = state.db.begin().await?;
    let case = access::case::open(&mut tx, &who, id, Need::Manage, "case.consent.record").await?;
    let mut b = Body::parse(tr, &body).map_err(ApiError::Invalid)?;
    let form = ConsentForm {
        agency_id: b.text("agency_id"),
        categories: b.texts("categories"),
        given_by: b.text("given_by"),
        method: b.text("method"),
        given_on: b.text("given_on"),
        term: b.text("term"),
        until: b.text("until"),
        evidence: b.text("evidence").trim().to_string(),
    };
    b.done().map_err(ApiError::Invalid)?;
    match area::consents::record(&mut tx, tr, &case, &form).await? {
        Ok(consent_id) => {
            who.ok(&mut tx, "case.consent.record", Some(id), Some(consent_id))
                .await?;
            tx.commit().await?;
            Ok(json(StatusCode::CREATED, &Created { id: consent_id }))
        }
        Err(errors) => Err(ApiError::Invalid(form_errors(
            &errors,
            &[("category", "categories")],
        ))),
    }
}

/// Why a consent is revoked.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[allow(dead_code)] // read member by member (`Body`)
pub(super) struct Revocation {
    /// The reason (required), at most 1,000 characters.
    reason: String,
}

/// Revokes a live consent of the case, with the reason (audited as `case.consent.revoke`), as
/// the consents page does; from then on the agency no longer sees what it covered.
#[utoipa::path(post, path = "/api/v1/cases/{id}/consents/{consent_id}/revoke", tag = "consents",
    params(("id" = Uuid, Path, description = "The case"),
           ("consent_id" = Uuid, Path, description = "The consent")),
    request_body(content = Revocation, content_type = "application/json"),
    responses((status = 204, description = "Revoked"), WriteProblems),
    security(("token" = [])))]
pub(super) async fn revoke(
    State(state): State<AppState>,
    api: Api,
    ids: Result<Path<(Uuid, Uuid)>, PathRejection>,
    body: Bytes,
) -> ApiResult<Response> {
    let Ok(Path((id, consent_id))) = ids else {
        return Err(ApiError::NotFound);
    };
    let tr = api.tr();
    let who = api.auth.who(&state.refusals);
    let mut tx = state.db.begin().await?;
    let case = access::case::open(&mut tx, &who, id, Need::Manage, "case.consent.revoke").await?;
    let mut b = Body::parse(tr, &body).map_err(ApiError::Invalid)?;
    let reason = b.text("reason");
    b.done().map_err(ApiError::Invalid)?;
    match area::consents::revoke(&mut tx, tr, &case, consent_id, &reason).await? {
        Ok(()) => {
            who.ok(&mut tx, "case.consent.revoke", Some(id), Some(consent_id))
                .await?;
            tx.commit().await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        Err(errors) => Err(ApiError::Invalid(form_errors(&errors, &[]))),
    }
}
