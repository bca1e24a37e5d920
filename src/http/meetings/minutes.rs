//! The minutes of a held meeting with the roles that become action items, and finishing an
//! action item.

use super::{meeting_event, meeting_page, open_meeting, ROLE_ROWS};
use crate::access;
use crate::access::meeting::MeetingNeed;
use crate::db;
use crate::db::meetings::NewActionItem;
use crate::domain::dates::parse_date;
use crate::domain::message::{Message, Said};
use crate::domain::text;
use crate::error::{AppError, AppResult};
use crate::http::extract::Auth;
use crate::http::form::Pairs;
use crate::http::render::render_status;
use crate::http::state::AppState;
use crate::views::meetings::RoleRow;
use crate::views::Errors;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use uuid::Uuid;

pub(super) async fn minutes(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut tx = state.db.begin().await?;
    let (scope, meeting) = open_meeting(
        &mut tx,
        &auth.who(&state.refusals),
        id,
        MeetingNeed::Run,
        "meeting.minutes",
    )
    .await?;
    let minutes = (
        f.get("attendees").trim().to_string(),
        f.get("discussion").trim().to_string(),
        f.get("decisions").trim().to_string(),
    );
    let roles: Vec<RoleRow> = (0..ROLE_ROWS)
        .map(|n| RoleRow {
            owner: f.get(&format!("owner_{n}")),
            who: text::email_key(&f.get(&format!("who_{n}"))),
            due: f.get(&format!("due_{n}")),
            how: f.get(&format!("how_{n}")).trim().to_string(),
            what: f.get(&format!("what_{n}")).trim().to_string(),
        })
        .collect();
    let mut errors = Errors::default();
    if meeting.status == "cancelled" {
        errors.add("status", tr.t("meeting-minutes-cancelled"));
    } else if meeting.status == "held" {
        errors.add("status", tr.t("meeting-minutes-twice"));
    }
    errors.required(tr, "attendees", &minutes.0, 2000);
    errors.required(tr, "discussion", &minutes.1, 20_000);
    errors.max_chars(tr, "decisions", &minutes.2, 20_000);
    let invitees = db::meetings::invitees(&mut tx, &scope).await?;
    let mut items = vec![];
    for (n, r) in roles.iter().enumerate() {
        if r.owner.is_empty()
            && r.due.is_empty()
            && r.what.is_empty()
            && r.how.is_empty()
            && r.who.is_empty()
        {
            continue;
        }
        let owner = Uuid::parse_str(&r.owner).ok().filter(|a| {
            *a == meeting.convener_agency_id || invitees.iter().any(|i| i.agency_id == *a)
        });
        if owner.is_none() {
            errors.add(format!("owner_{n}"), tr.t("meeting-role-owner"));
        }
        let due = parse_date(&r.due);
        if due.is_none() {
            errors.add(format!("due_{n}"), tr.t("meeting-role-due"));
        }
        if r.what.is_empty() {
            errors.add(format!("what_{n}"), tr.t("error-required"));
        }
        errors.max_chars(tr, "what", &r.what, 1000);
        let mut user = None;
        if !r.who.is_empty() {
            user = match owner {
                Some(a) => db::users::member_by_email(&mut tx, &r.who, a, false).await?,
                None => None,
            };
            if user.is_none() {
                errors.add(format!("who_{n}"), tr.t("meeting-person-not-member"));
            }
        }
        if let (Some(owner), Some(due)) = (owner, due) {
            items.push((owner, user, due, r.how.clone(), r.what.clone()));
        }
    }
    if !errors.is_empty() {
        let page = meeting_page(
            &mut tx,
            &auth,
            &scope,
            meeting,
            errors,
            None,
            minutes,
            roles,
            vec![],
        )
        .await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    if !db::meetings::hold(&mut tx, &scope, &minutes.0, &minutes.1, &minutes.2).await? {
        return Err(AppError::NotFound);
    }
    for (owner, user, due, how, what) in &items {
        let item = NewActionItem {
            meeting_id: Some(id),
            owner_agency_id: *owner,
            owner_user_id: *user,
            what,
            how,
            due_on: *due,
        };
        db::meetings::add_action_item(&mut tx, &scope, &item).await?;
    }
    let agencies: Vec<Uuid> = invitees.iter().map(|i| i.agency_id).collect();
    let said = Said::new()
        .line(Message::new("event-meeting-held").key("purpose", meeting.purpose_key()))
        .line(Message::new("event-meeting-roles").text("count", items.len().to_string()))
        .link("event-meeting-open", &format!("/meetings/{id}"));
    meeting_event(&mut tx, &scope, &agencies, &said).await?;
    scope
        .record(&mut tx, &auth.who(&state.refusals), "meeting.minutes")
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/meetings/{id}")).into_response())
}

pub(super) async fn finish_action(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let Some(actor) = auth.user.actor() else {
        return Err(AppError::NotFound);
    };
    let mut tx = state.db.begin().await?;
    let note = f.get("note").trim().to_string();
    if text::char_len(&note) > 1000 {
        return Err(AppError::NotFound);
    }
    let who = auth.who(&state.refusals);
    let Some(case_id) = db::meetings::finish_action(&mut tx, actor, id, &note).await? else {
        return Err(who
            .refuse(
                "action_item.done",
                None,
                Some(id),
                access::Refusal::NotFound,
            )
            .await
            .into());
    };
    who.ok(&mut tx, "action_item.done", Some(case_id), Some(id))
        .await?;
    tx.commit().await?;
    let back = crate::http::extract::safe_back(&f.get("back")).to_string();
    Ok(Redirect::to(&back).into_response())
}
