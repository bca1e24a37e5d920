//! The account's personal access tokens for the JSON API (`http::api`): made for one of the
//! user's memberships, read-only or read-write, for a term; shown once; revoked here.

use super::extract::Auth;
use crate::db::{self, audit::Outcome};
use crate::error::{AppError, AppResult};
use crate::http::flash::{self, Flash};
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::views::tokens::{TokenForm, TokensPage};
use crate::views::{Choice, Errors};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/tokens", get(page).post(create))
        .route("/account/tokens/{id}/revoke", post(revoke))
}

/// The terms a token may be made for, in days.
const TERMS: [u32; 4] = [7, 30, 90, 365];
const LABEL_MAX: usize = 100;

async fn tokens_page(
    conn: &mut sqlx::PgConnection,
    auth: &Auth,
    form: TokenForm,
    errors: Errors,
    new_token: Option<String>,
) -> AppResult<TokensPage> {
    let tr = auth.ctx.tr;
    let tokens = db::api_tokens::for_user(conn, auth.user.id).await?;
    Ok(TokensPage {
        layout: auth.ctx.layout("tokens-title"),
        tokens,
        agencies: auth
            .user
            .memberships
            .iter()
            .map(|m| {
                Choice::new(
                    &m.agency_id.to_string(),
                    m.agency_name.clone(),
                    &form.agency_id,
                )
            })
            .collect(),
        accesses: ["read", "write"]
            .iter()
            .map(|a| Choice::new(a, tr.t(format!("tokens-access-{a}")), &form.access))
            .collect(),
        terms: TERMS
            .iter()
            .map(|d| {
                let d = d.to_string();
                Choice::new(&d, tr.t1("tokens-days", "n", &d), &form.days)
            })
            .collect(),
        form,
        errors,
        new_token,
    })
}

fn default_form(auth: &Auth) -> TokenForm {
    TokenForm {
        label: String::new(),
        agency_id: auth
            .user
            .acting
            .as_ref()
            .map(|m| m.agency_id.to_string())
            .unwrap_or_default(),
        access: "read".into(),
        days: "30".into(),
    }
}

async fn page(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let form = default_form(&auth);
    let page = tokens_page(&mut conn, &auth, form, Errors::default(), None).await?;
    Ok(render(&page)?.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CreateForm {
    label: String,
    agency_id: String,
    access: String,
    days: String,
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<CreateForm>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let form = TokenForm {
        label: f.label.trim().to_string(),
        agency_id: f.agency_id,
        access: f.access,
        days: f.days,
    };
    let mut errors = Errors::default();
    errors.required(tr, "label", &form.label, LABEL_MAX);
    let agency = Uuid::parse_str(&form.agency_id)
        .ok()
        .filter(|id| auth.user.memberships.iter().any(|m| m.agency_id == *id));
    if agency.is_none() {
        errors.add("agency_id", tr.t("error-choose"));
    }
    let can_write = match form.access.as_str() {
        "read" => Some(false),
        "write" => Some(true),
        _ => None,
    };
    if can_write.is_none() {
        errors.add("access", tr.t("error-choose"));
    }
    let days = form.days.parse::<u32>().ok().filter(|d| TERMS.contains(d));
    if days.is_none() {
        errors.add("days", tr.t("error-choose"));
    }
    let mut tx = state.db.begin().await?;
    let (Some(agency_id), Some(can_write), Some(days)) = (agency, can_write, days) else {
        let page = tokens_page(&mut tx, &auth, form, errors, None).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    if !errors.is_empty() {
        let page = tokens_page(&mut tx, &auth, form, errors, None).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let token = db::api_tokens::new_token();
    let id = db::api_tokens::create(
        &mut tx,
        &db::api_tokens::NewToken {
            user_id: auth.user.id,
            agency_id,
            label: &form.label,
            can_write,
            expires_at: Utc::now() + chrono::Duration::days(i64::from(days)),
        },
        &token,
    )
    .await?;
    let mut event = auth.ctx.event("api.token.create");
    event.acting_agency_id = Some(agency_id);
    event.target_id = Some(id);
    auth.ctx.audit(&mut tx, event, Outcome::Ok).await?;
    let page = tokens_page(
        &mut tx,
        &auth,
        default_form(&auth),
        Errors::default(),
        Some(token),
    )
    .await?;
    tx.commit().await?;
    Ok(render(&page)?.into_response())
}

async fn revoke(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    if !db::api_tokens::revoke(&mut tx, auth.user.id, id).await? {
        // not theirs, or revoked already: the session layer records the refusal
        return Err(AppError::NotFound);
    }
    let mut event = auth.ctx.event("api.token.revoke");
    event.target_id = Some(id);
    auth.ctx.audit(&mut tx, event, Outcome::Ok).await?;
    tx.commit().await?;
    Ok(flash::redirect("/account/tokens", Flash::Removed))
}
