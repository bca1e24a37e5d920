//! Who presented the plan at a meeting on the support plan: the evidence 地域連携会議実施加算
//! is claimed on ((Ⅰ) the サービス管理責任者, (Ⅱ) other staff reporting back).

use super::{meeting_page, open_meeting};
use crate::access::meeting::MeetingNeed;
use crate::db;
use crate::domain::regional::Presenter;
use crate::error::{AppError, AppResult};
use crate::http::extract::Auth;
use crate::http::flash::{self, Flash};
use crate::http::form::Pairs;
use crate::http::render::render_status;
use crate::http::state::AppState;
use crate::views::Errors;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use uuid::Uuid;

pub(super) async fn record(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut tx = state.db.begin().await?;
    let who = auth.who(&state.refusals);
    let (scope, meeting) =
        open_meeting(&mut tx, &who, id, MeetingNeed::Run, "meeting.presenter").await?;
    let presenter = Presenter::parse(&f.get("plan_presenter"));
    let mut errors = Errors::default();
    if meeting.purpose != "support_plan" {
        errors.add("plan_presenter", tr.t("regional-presenter-not-plan"));
    } else if presenter.is_none() {
        errors.add("plan_presenter", tr.t("regional-presenter-invalid"));
    }
    let Some(presenter) = presenter.filter(|_| errors.is_empty()) else {
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
    if !db::additions::set_presenter(&mut tx, &scope, Some(presenter.as_str())).await? {
        return Err(AppError::NotFound);
    }
    scope.record(&mut tx, &who, "meeting.presenter").await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/meetings/{id}"), Flash::Recorded))
}
