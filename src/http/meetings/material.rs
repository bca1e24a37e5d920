//! The meeting material: the sections Renkei generates for each reader, the convener's own
//! text, and the printed copy.

use super::open_meeting;
use crate::access::meeting::MeetingNeed;
use crate::access::{self, MeetingScope, Reader};
use crate::area::material::{
    category_choices, material_for, material_reader, own_text_for, PreviewQuery,
};
use crate::db;
use crate::db::meetings::MeetingRow;
use crate::domain::case::Category;
use crate::domain::dates;
use crate::error::AppResult;
use crate::http::extract::Auth;
use crate::http::flash::{self, Flash};
use crate::http::form::Pairs;
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::views::meetings::{MaterialPage, MaterialPrint};
use crate::views::{Choice, Errors};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono_tz::Asia::Tokyo;
use sqlx::PgConnection;
use uuid::Uuid;

impl PreviewQuery for Pairs {
    fn preview_as(&self) -> String {
        self.get("as")
    }
}

pub(super) async fn material(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<Pairs>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let who = auth.who(&state.refusals);
    let scope = access::meeting::open(
        &mut conn,
        &who,
        id,
        MeetingNeed::Read,
        "meeting.material.view",
    )
    .await?;
    let (reader, as_name, previews) = material_reader(&mut conn, &scope, &q).await?;
    let action = if as_name.is_some() {
        "meeting.material.preview"
    } else {
        "meeting.material.view"
    };
    scope.record(&mut conn, &who, action).await?;
    let meeting = db::meetings::get(&mut conn, &scope).await?;
    if as_name.is_none() {
        // shown to an invited agency: a provision (第三者提供の記録)
        crate::area::ledger::material_shown(&mut conn, &scope, &meeting, reader).await?;
    }
    let page = material_page(
        &mut conn,
        &auth,
        &scope,
        meeting,
        reader,
        as_name,
        previews,
        None,
        Errors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

#[allow(clippy::too_many_arguments)]
async fn material_page(
    conn: &mut PgConnection,
    auth: &Auth,
    scope: &MeetingScope,
    meeting: MeetingRow,
    reader: Reader,
    as_name: Option<String>,
    previews: Vec<Choice>,
    typed: Option<(String, String)>,
    errors: Errors,
) -> AppResult<MaterialPage> {
    let tr = auth.ctx.tr;
    let (generated_html, text_html) = material_for(conn, tr, scope, &meeting, reader).await?;
    let (text, category) = typed.unwrap_or_else(|| {
        (
            // the agenda Renkei wrote, while untouched, in the editor's words
            own_text_for(tr, &meeting.material).unwrap_or_else(|| meeting.material.clone()),
            meeting
                .material_category
                .clone()
                .unwrap_or_else(|| "own".into()),
        )
    });
    Ok(MaterialPage {
        layout: auth.ctx.layout("material-title"),
        may_run: scope.may_run() && as_name.is_none(),
        categories: category_choices(tr, &category),
        text,
        generated_html,
        text_html,
        as_name,
        previews,
        meeting,
        errors,
    })
}

pub(super) async fn save_material(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut tx = state.db.begin().await?;
    let who = auth.who(&state.refusals);
    let (scope, meeting) =
        open_meeting(&mut tx, &who, id, MeetingNeed::Run, "meeting.material.edit").await?;
    let text = f.get("material");
    let category = match f.get("category") {
        c if c.is_empty() => "own".to_string(),
        c => c,
    };
    let mut errors = Errors::default();
    errors.required(tr, "material", &text, 50_000);
    let valid_category = category == "own"
        || category == "case_admin"
        || Category::ALL.iter().any(|c| c.as_str() == category);
    if !valid_category {
        errors.add("category", tr.t("error-choose"));
    }
    if !errors.is_empty() {
        let reader = scope.reader();
        let page = material_page(
            &mut tx,
            &auth,
            &scope,
            meeting,
            reader,
            None,
            vec![],
            Some((text, category)),
            errors,
        )
        .await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let html = crate::domain::markdown::to_safe_html(&text);
    let category = (category != "own").then_some(category.as_str());
    db::meetings::set_material(&mut tx, &scope, &text, &html, category).await?;
    scope.record(&mut tx, &who, "meeting.material.edit").await?;
    tx.commit().await?;
    Ok(flash::redirect(
        &format!("/meetings/{id}/material"),
        Flash::Saved,
    ))
}

pub(super) async fn print_material(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<Pairs>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let who = auth.who(&state.refusals);
    let scope = access::meeting::open(
        &mut conn,
        &who,
        id,
        MeetingNeed::Read,
        "meeting.material.print",
    )
    .await?;
    let (reader, as_name, _) = material_reader(&mut conn, &scope, &q).await?;
    scope
        .record(&mut conn, &who, "meeting.material.print")
        .await?;
    let meeting = db::meetings::get(&mut conn, &scope).await?;
    if as_name.is_none() {
        crate::area::ledger::material_shown(&mut conn, &scope, &meeting, reader).await?;
    }
    let (generated_html, text_html) =
        material_for(&mut conn, auth.ctx.tr, &scope, &meeting, reader).await?;
    let made = chrono::Utc::now().with_timezone(&Tokyo).date_naive();
    Ok(render(&MaterialPrint {
        layout: auth.ctx.layout("material-title"),
        made_on: dates::wareki(made),
        made_by: meeting
            .material_by_name
            .clone()
            .unwrap_or_else(|| meeting.convener_name.clone()),
        generated_html,
        text_html,
        as_name,
        meeting,
    })?
    .into_response())
}
