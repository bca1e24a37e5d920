//! Consent records: what the person agreed to share with which agency. Coordinators of the lead
//! agency record and revoke them; every team agency sees them.

use super::extract::Auth;
use super::form::Pairs;
use crate::access::CaseScope;
use crate::area::{
    self,
    consents::{category_labels, consent_matrix},
};
use crate::db;
use crate::domain::case::Category;
use crate::domain::dates;
use crate::error::{AppError, AppResult};
use crate::http::flash::{self, Flash};
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::views::cases::{ConsentForm, ConsentsPage};
use crate::views::Errors;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use sqlx::PgConnection;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/consents", get(page).post(record))
        .route("/cases/{id}/consents/{consent_id}/revoke", post(revoke))
}

async fn consents_page(
    conn: &mut PgConnection,
    auth: &Auth,
    case: &CaseScope,
    form: ConsentForm,
    errors: Errors,
    revoke_error: Option<(Uuid, String, String)>,
) -> AppResult<ConsentsPage> {
    let _agency = case.actor().agency_id();
    let header = db::cases::header(conn, case.reader())
        .await?
        .ok_or(AppError::NotFound)?;
    let team = db::cases::team(conn, case).await?;
    let consents = db::consents::for_case(conn, case).await?;
    // the agencies a consent can name: the team first, then the rest of the directory
    let mut agencies: Vec<(Uuid, String)> = team
        .iter()
        .filter(|m| m.left_on.is_none())
        .map(|m| (m.agency_id, m.name.clone()))
        .collect();
    if case.access().can_manage() {
        for a in db::agencies::list(conn, 1000).await? {
            if a.active && !agencies.iter().any(|(id, _)| *id == a.id) {
                agencies.push((a.id, a.name));
            }
        }
    }
    Ok(ConsentsPage {
        layout: auth.ctx.layout("consents-title"),
        case_id: case.case_id(),
        name: format!("{} {}", header.family_name, header.given_name),
        access: case.access(),
        matrix: consent_matrix(auth.ctx.tr, &team, &consents),
        matrix_headers: category_labels(auth.ctx.tr),
        categories: Category::ALL
            .iter()
            .map(|c| (c.as_str(), auth.ctx.tr.t(c.label_key())))
            .collect(),
        consents,
        agencies,
        form,
        errors,
        revoke_error,
    })
}

async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let case = crate::access::case::open(
        &mut conn,
        &auth.who(&state.refusals),
        id,
        crate::access::Need::Read,
        "case.consents.view",
    )
    .await?;
    let form = ConsentForm {
        given_on: dates::today_tokyo().to_string(),
        term: "1y".into(),
        ..ConsentForm::default()
    };
    let page = consents_page(&mut conn, &auth, &case, form, Errors::default(), None).await?;
    auth.who(&state.refusals)
        .viewed(&mut conn, "case.consents.view", Some(id), None, &[])
        .await?;
    Ok(render(&page)?.into_response())
}

async fn record(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut tx = state.db.begin().await?;
    let case = crate::access::case::open(
        &mut tx,
        &auth.who(&state.refusals),
        id,
        crate::access::Need::Manage,
        "case.consent.record",
    )
    .await?;
    let form = ConsentForm {
        agency_id: f.get("agency_id"),
        categories: f.all("category"),
        given_by: f.get("given_by"),
        method: f.get("method"),
        given_on: f.get("given_on"),
        term: f.get("term"),
        until: f.get("until"),
        evidence: f.get("evidence").trim().to_string(),
    };
    let errors = match area::consents::record(&mut tx, tr, &case, &form).await? {
        Ok(consent_id) => {
            auth.who(&state.refusals)
                .ok(&mut tx, "case.consent.record", Some(id), Some(consent_id))
                .await?;
            tx.commit().await?;
            return Ok(flash::redirect(
                &format!("/cases/{id}/consents"),
                Flash::Recorded,
            ));
        }
        Err(errors) => errors,
    };
    let page = consents_page(&mut tx, &auth, &case, form, errors, None).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

async fn revoke(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, consent_id)): Path<(Uuid, Uuid)>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut tx = state.db.begin().await?;
    let case = crate::access::case::open(
        &mut tx,
        &auth.who(&state.refusals),
        id,
        crate::access::Need::Manage,
        "case.consent.revoke",
    )
    .await?;
    let reason = f.get("reason").trim().to_string();
    let Err(errors) = area::consents::revoke(&mut tx, tr, &case, consent_id, &reason).await? else {
        auth.who(&state.refusals)
            .ok(&mut tx, "case.consent.revoke", Some(id), Some(consent_id))
            .await?;
        tx.commit().await?;
        return Ok(flash::redirect(
            &format!("/cases/{id}/consents"),
            Flash::Recorded,
        ));
    };
    let message = errors.get("reason").unwrap_or_default().to_string();
    let form = ConsentForm {
        given_on: dates::today_tokyo().to_string(),
        term: "1y".into(),
        ..ConsentForm::default()
    };
    let page = consents_page(
        &mut tx,
        &auth,
        &case,
        form,
        Errors::default(),
        Some((consent_id, message, reason)),
    )
    .await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}
