//! Starting work with an agency from its profile.

use super::load;
use super::profile_page;
use crate::error::{AppError, AppResult};
use crate::http::extract::Auth;
use crate::http::form::Pairs;
use crate::http::render::render_status;
use crate::http::state::AppState;
use crate::policy;
use crate::views::Errors;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

/// From a profile to the case page where the step is taken (the case's own rules apply
/// there): the referral form with this agency chosen, the team form, the meeting form.
pub(super) async fn connect(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<Pairs>,
) -> AppResult<Response> {
    if !policy::may_connect_from_directory(&auth.user) {
        return Err(AppError::Forbidden);
    }
    if let Ok(case) = Uuid::parse_str(&q.get("case")) {
        let to = match q.get("to").as_str() {
            "referral" => Some(format!("/cases/{case}/referrals?to={id}#referral-form")),
            "team" => Some(format!("/cases/{case}/team?agency={id}#team-add")),
            "meeting" => Some(format!("/cases/{case}/meetings?outside={id}#meeting-form")),
            _ => None,
        };
        if let Some(to) = to {
            return Ok(Redirect::to(&to).into_response());
        }
    }
    let mut conn = state.db.acquire().await?;
    let p = load(&mut conn, &auth, id).await?;
    let mut errors = Errors::default();
    errors.add("case", auth.ctx.tr.t("directory-choose-case"));
    let page = profile_page(&mut conn, &auth, p, errors, &q.get("case")).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}
