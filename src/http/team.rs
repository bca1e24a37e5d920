//! The case team: who is on it, what each agency does, who leads (coordinators of the lead
//! agency change it; every change is a timeline entry).

use super::extract::Auth;
use super::form::Pairs;
use crate::access::CaseScope;
use crate::db;
use crate::domain::message::{Message, Said};
use crate::domain::text;
use crate::error::{AppError, AppResult};
use crate::http::flash::{self, Flash};
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::views::cases::TeamPage;
use crate::views::Errors;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use sqlx::PgConnection;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/team", get(page).post(add))
        .route("/cases/{id}/team/{agency_id}/role", post(set_role))
        .route("/cases/{id}/team/{agency_id}/remove", post(remove))
        .route("/cases/{id}/lead", post(hand_lead))
}

async fn team_page(
    conn: &mut PgConnection,
    auth: &Auth,
    case: &CaseScope,
    errors: Errors,
    role_text: String,
    chosen: String,
) -> AppResult<TeamPage> {
    let header = db::cases::header(conn, case.reader())
        .await?
        .ok_or(AppError::NotFound)?;
    let team = db::cases::team(conn, case).await?;
    let candidates = if case.access().can_manage() {
        db::agencies::list(conn, 1000)
            .await?
            .into_iter()
            .filter(|a| {
                a.active
                    && !team
                        .iter()
                        .any(|m| m.agency_id == a.id && m.left_on.is_none())
            })
            .collect()
    } else {
        vec![]
    };
    Ok(TeamPage {
        layout: auth.ctx.layout("team-title"),
        case_id: case.case_id(),
        name: format!("{} {}", header.family_name, header.given_name),
        access: case.access(),
        team,
        candidates,
        chosen,
        errors,
        role_text,
        role_typed: None,
    })
}

async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<Pairs>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let case = crate::access::case::open(
        &mut conn,
        &auth.who(&state.refusals),
        id,
        crate::access::Need::Read,
        "case.team.view",
    )
    .await?;
    // from the directory: the agency to add
    let chosen = q.get("agency");
    let page = team_page(
        &mut conn,
        &auth,
        &case,
        Errors::default(),
        String::new(),
        chosen,
    )
    .await?;
    auth.who(&state.refusals)
        .viewed(&mut conn, "case.team.view", Some(id), None, &[])
        .await?;
    Ok(render(&page)?.into_response())
}

/// A team event: put into each reader's words when read.
fn team_said(key: &str, agency: &str) -> Said {
    Said::new().line(Message::new(key).text("agency", agency))
}

async fn agency_name(conn: &mut PgConnection, id: Uuid) -> AppResult<Option<String>> {
    Ok(db::agencies::get(conn, id)
        .await?
        .filter(|a| a.active)
        .map(|a| a.name))
}

async fn add(
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
        "case.team.add",
    )
    .await?;
    let role_text = text::nfkc(&f.get("role_text"));
    let mut errors = Errors::default();
    errors.max_chars(tr, "role_text", &role_text, 100);
    let agency = Uuid::parse_str(&f.get("agency_id")).ok();
    let name = match agency {
        Some(a) => agency_name(&mut tx, a).await?,
        None => None,
    };
    if name.is_none() {
        errors.add("agency_id", tr.t("error-choose"));
    }
    if let (true, Some(agency), Some(name)) = (errors.is_empty(), agency, &name) {
        if db::cases::add_member(&mut tx, &case, agency, &role_text).await? {
            let said = team_said("team-event-added", name);
            db::entries::record_team_event(&mut tx, &case, "note", &said).await?;
            auth.who(&state.refusals)
                .ok(&mut tx, "case.team.add", Some(id), Some(agency))
                .await?;
            tx.commit().await?;
            return Ok(flash::redirect(&format!("/cases/{id}/team"), Flash::Added));
        }
        errors.add("agency_id", tr.t("team-already"));
    }
    let page = team_page(&mut tx, &auth, &case, errors, role_text, f.get("agency_id")).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

async fn set_role(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, agency)): Path<(Uuid, Uuid)>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut tx = state.db.begin().await?;
    let case = crate::access::case::open(
        &mut tx,
        &auth.who(&state.refusals),
        id,
        crate::access::Need::Manage,
        "case.team.role",
    )
    .await?;
    let role_text = text::nfkc(&f.get("role_text"));
    let mut errors = Errors::default();
    errors.max_chars(tr, "role_text", &role_text, 100);
    if errors.is_empty() {
        if !db::cases::set_role_text(&mut tx, &case, agency, &role_text).await? {
            return Err(AppError::NotFound);
        }
        auth.who(&state.refusals)
            .ok(&mut tx, "case.team.role", Some(id), Some(agency))
            .await?;
        tx.commit().await?;
        return Ok(flash::redirect(
            &format!("/cases/{id}/team"),
            Flash::Changed,
        ));
    }
    // the message goes by the member's own field, with the text as typed
    let message = errors.get("role_text").unwrap_or_default().to_string();
    let mut page = team_page(
        &mut tx,
        &auth,
        &case,
        Errors::default(),
        String::new(),
        String::new(),
    )
    .await?;
    page.role_typed = Some((agency, role_text, message));
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

async fn remove(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, agency)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    let case = crate::access::case::open(
        &mut tx,
        &auth.who(&state.refusals),
        id,
        crate::access::Need::Manage,
        "case.team.remove",
    )
    .await?;
    if agency == case.facts().lead_agency_id {
        let mut errors = Errors::default();
        errors.add("team", auth.ctx.tr.t("team-remove-lead"));
        let page = team_page(&mut tx, &auth, &case, errors, String::new(), String::new()).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let name = agency_name(&mut tx, agency).await?.unwrap_or_default();
    if !db::cases::remove_member(&mut tx, &case, agency).await? {
        return Err(AppError::NotFound);
    }
    let said = team_said("team-event-left", &name);
    db::entries::record_team_event(&mut tx, &case, "handover", &said).await?;
    auth.who(&state.refusals)
        .ok(&mut tx, "case.team.remove", Some(id), Some(agency))
        .await?;
    tx.commit().await?;
    Ok(flash::redirect(
        &format!("/cases/{id}/team"),
        Flash::Removed,
    ))
}

async fn hand_lead(
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
        "case.lead.hand",
    )
    .await?;
    let agency = Uuid::parse_str(&f.get("agency_id")).ok();
    if let Some(agency) = agency {
        if db::cases::set_lead(&mut tx, &case, agency).await? {
            let name = agency_name(&mut tx, agency).await?.unwrap_or_default();
            let said = team_said("team-event-lead", &name);
            db::entries::record_team_event(&mut tx, &case, "handover", &said).await?;
            auth.who(&state.refusals)
                .ok(&mut tx, "case.lead.hand", Some(id), Some(agency))
                .await?;
            tx.commit().await?;
            return Ok(flash::redirect(
                &format!("/cases/{id}/team"),
                Flash::Changed,
            ));
        }
    }
    let mut errors = Errors::default();
    errors.add("lead", tr.t("team-lead-choose"));
    let page = team_page(&mut tx, &auth, &case, errors, String::new(), String::new()).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}
