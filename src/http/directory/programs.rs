//! An agency's programs.

use super::{audit, item_id, load, no_markup, require_editor};
use crate::db::audit::Outcome;
use crate::db::directory::{self as dir, Program};
use crate::error::{AppError, AppResult};
use crate::http::extract::Auth;
use crate::http::flash::{self, Flash};
use crate::http::form::Pairs;
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::views::directory::ProgramPage;
use crate::views::Errors;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use sqlx::Connection;
use uuid::Uuid;

pub(super) async fn program_form(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, item)): Path<(Uuid, String)>,
) -> AppResult<Response> {
    let item = item_id(&item)?;
    let mut conn = state.db.acquire().await?;
    let p = load(&mut conn, &auth, id).await?;
    require_editor(&mut conn, &auth, id, "directory.program.edit").await?;
    let program = match item {
        Some(g) => dir::program(&mut conn, id, g)
            .await?
            .ok_or(AppError::NotFound)?,
        None => Program::default(),
    };
    let page = ProgramPage {
        layout: auth.ctx.layout_titled(p.name),
        agency_id: id,
        is_new: item.is_none(),
        program,
        errors: Errors::default(),
    };
    Ok(render(&page)?.into_response())
}

pub(super) async fn save_program(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, item)): Path<(Uuid, String)>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let item = item_id(&item)?;
    let mut conn = state.db.acquire().await?;
    let p = load(&mut conn, &auth, id).await?;
    require_editor(&mut conn, &auth, id, "directory.program.save").await?;
    if let Some(g) = item {
        dir::program(&mut conn, id, g)
            .await?
            .ok_or(AppError::NotFound)?;
    }
    let program = Program {
        id: item.unwrap_or_else(Uuid::now_v7),
        agency_id: id,
        name: f.get("name").trim().to_string(),
        description: f.get("description").trim().to_string(),
        schedule: f.get("schedule").trim().to_string(),
    };
    let mut errors = Errors::default();
    errors.required(tr, "name", &program.name, 100);
    errors.max_chars(tr, "schedule", &program.schedule, 200);
    errors.max_chars(tr, "description", &program.description, 2000);
    no_markup(
        tr,
        &mut errors,
        &[
            ("name", &program.name),
            ("schedule", &program.schedule),
            ("description", &program.description),
        ],
    );
    if errors.is_empty() {
        let mut tx = conn.begin().await?;
        dir::save_program(&mut tx, &program).await?;
        audit(
            &mut tx,
            &auth,
            "directory.program.save",
            program.id,
            Outcome::Ok,
        )
        .await?;
        tx.commit().await?;
        return Ok(flash::redirect(
            &format!("/agencies/{id}/edit"),
            Flash::Saved,
        ));
    }
    let page = ProgramPage {
        layout: auth.ctx.layout_titled(p.name),
        agency_id: id,
        is_new: item.is_none(),
        program,
        errors,
    };
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}
