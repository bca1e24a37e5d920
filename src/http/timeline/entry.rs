//! One entry: its page with its replies and earlier versions, and a reply to an observation.

use super::FIELD_MAX;
use crate::access::CaseScope;
use crate::area::timeline::{entry_view, group_replies, unread};
use crate::db;
use crate::domain::dates;
use crate::domain::dates::parse_date;
use crate::domain::entry::{EntryFields, EntryKind, ReplyAnswer};
use crate::error::{AppError, AppResult};
use crate::http::extract::Auth;
use crate::http::flash::{self, Flash};
use crate::http::form::Pairs;
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::views::timeline::{EntryPage, ReplyForm};
use crate::views::Errors;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::Utc;
use sqlx::PgConnection;
use uuid::Uuid;

async fn entry_page_view(
    conn: &mut PgConnection,
    auth: &Auth,
    case: &CaseScope,
    entry_id: Uuid,
    reply: ReplyForm,
    errors: Errors,
) -> AppResult<EntryPage> {
    let row = db::entries::get(conn, case, entry_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (header, team) = db::cases::header_and_team(conn, case)
        .await?
        .ok_or(AppError::NotFound)?;
    let replies = db::entries::replies(conn, case, &[entry_id]).await?;
    let versions = db::entries::versions(conn, case, entry_id).await?;
    db::entries::mark_read(conn, case, &unread(std::slice::from_ref(&row), &replies)).await?;
    let entry = group_replies(case, &team, vec![row], replies)
        .pop()
        .expect("one entry in, one out");
    Ok(EntryPage {
        layout: auth.ctx.layout("entry-title"),
        name: format!("{} {}", header.family_name, header.given_name),
        case_id: case.case_id(),
        entry,
        versions: versions
            .into_iter()
            .map(|v| {
                let f = EntryFields::from_json(&v.fields);
                (v, f)
            })
            .collect(),
        reply,
        errors,
    })
}

pub(super) async fn entry_page(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, entry_id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let case = crate::access::case::open(
        &mut conn,
        &auth.who(&state.refusals),
        id,
        crate::access::Need::Read,
        "entry.view",
    )
    .await?;
    let page = entry_page_view(
        &mut conn,
        &auth,
        &case,
        entry_id,
        ReplyForm::default(),
        Errors::default(),
    )
    .await?;
    auth.who(&state.refusals)
        .viewed(&mut conn, "entry.view", Some(id), Some(entry_id), &[])
        .await?;
    Ok(render(&page)?.into_response())
}

pub(super) async fn reply(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, entry_id)): Path<(Uuid, Uuid)>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut tx = state.db.begin().await?;
    let case = crate::access::case::open(
        &mut tx,
        &auth.who(&state.refusals),
        id,
        crate::access::Need::Write,
        "entry.reply",
    )
    .await?;
    // the observation must be one this agency can see: otherwise it does not exist for it
    let parent = db::entries::get(&mut tx, &case, entry_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (_, parent_shared) = db::entries::source(&mut tx, &case, entry_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let view = entry_view(&case, parent.clone());
    if !view.can_reply {
        return Err(AppError::from(
            case.refuse(&auth.who(&state.refusals), "entry.reply").await,
        ));
    }
    let form = ReplyForm {
        answer: f.get("answer"),
        observed_on: f.get("observed_on"),
        situation: f.get("situation").trim().to_string(),
        handling: f.get("handling").trim().to_string(),
    };
    let mut errors = Errors::default();
    let answer = ReplyAnswer::parse(&form.answer);
    if answer.is_none() {
        errors.add("answer", tr.t("error-choose"));
    }
    let observed_on = if form.observed_on.trim().is_empty() {
        None
    } else {
        match parse_date(&form.observed_on) {
            None => {
                errors.add("observed_on", tr.t("error-date"));
                None
            }
            Some(d) if d > dates::today_tokyo() => {
                errors.add("observed_on", tr.t("error-date-future"));
                None
            }
            d => d,
        }
    };
    if answer.is_some_and(|a| a != ReplyAnswer::NotSeen) && form.situation.is_empty() {
        errors.add("situation", tr.t("reply-situation-needed"));
    }
    errors.max_chars(tr, "situation", &form.situation, FIELD_MAX);
    errors.max_chars(tr, "handling", &form.handling, FIELD_MAX);
    if !errors.is_empty() {
        let page = entry_page_view(&mut tx, &auth, &case, entry_id, form, errors).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    // the reply goes to those the observation was shared with, and to its author's agency
    let mut shared: Vec<Uuid> = parent_shared;
    shared.push(parent.author_agency_id);
    shared.retain(|a| *a != case.actor().agency_id());
    shared.sort();
    shared.dedup();
    let fields = EntryFields {
        answer: answer.map(|a| a.as_str().to_string()),
        observed_on,
        handling: Some(form.handling.clone()).filter(|h| !h.is_empty()),
        ..EntryFields::default()
    };
    let new = db::entries::NewEntry {
        kind: EntryKind::Observation.as_str(),
        category: &parent.category,
        occurred_at: Utc::now(),
        body: &form.situation,
        fields: fields.to_json(),
        shared_with: &shared,
        reply_to: Some(entry_id),
    };
    let reply_id = db::entries::insert(&mut tx, &case, &new).await?;
    // whoever answers an observation has read it
    db::entries::mark_read(&mut tx, &case, &[entry_id]).await?;
    auth.who(&state.refusals)
        .ok(&mut tx, "entry.reply", Some(id), Some(reply_id))
        .await?;
    tx.commit().await?;
    Ok(flash::redirect(
        &format!("/cases/{id}/entries/{entry_id}"),
        Flash::Sent,
    ))
}
