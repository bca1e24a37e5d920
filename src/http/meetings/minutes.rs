//! The minutes of a held meeting with the roles that become action items, and finishing an
//! action item.

use super::{chosen_owner, meeting_event, meeting_page, open_meeting, owner_groups, role_rows};
use crate::access;
use crate::access::meeting::MeetingNeed;
use crate::db;
use crate::db::meetings::MeetingRow;
use crate::db::meetings::NewActionItem;
use crate::domain::dates::parse_date;
use crate::domain::message::{Message, Said};
use crate::domain::text;
use crate::error::{AppError, AppResult};
use crate::http::extract::Auth;
use crate::http::flash::{self, Flash};
use crate::http::form::Pairs;
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::i18n::Tr;
use crate::views::meetings::{MinutesHistoryPage, MinutesVersion, RoleRow};
use crate::views::Errors;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::Utc;
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
    let minutes = read_minutes(&f);
    let mut roles = role_rows(&f);
    if !f.get("add_row").is_empty() {
        // 「行を追加」: the same form, everything kept, one row more; nothing is saved
        roles.push(RoleRow::default());
        let page = meeting_page(
            &mut tx,
            &auth,
            &scope,
            meeting,
            Errors::default(),
            None,
            minutes,
            roles,
            vec![],
        )
        .await?;
        scope
            .record(&mut tx, &auth.who(&state.refusals), "meeting.view")
            .await?;
        tx.commit().await?;
        return Ok(render(&page)?.into_response());
    }
    let mut errors = Errors::default();
    if meeting.status == "cancelled" {
        errors.add("status", tr.t("meeting-minutes-cancelled"));
    } else if meeting.status == "held" {
        errors.add("status", tr.t("meeting-minutes-twice"));
    } else if meeting.starts_at > Utc::now() {
        errors.add("status", not_started(tr, &meeting));
    }
    check_minutes(tr, &minutes, &mut errors);
    let groups = owner_groups(&mut tx, &scope).await?;
    let mut items = vec![];
    for (n, r) in roles.iter().enumerate() {
        if r.is_empty() {
            continue;
        }
        let owner = chosen_owner(&groups, &r.owner);
        if owner.is_none() {
            errors.add(format!("owner_{n}"), tr.t("meeting-role-owner"));
        }
        let due = parse_date(&r.due);
        if due.is_none() {
            errors.add(format!("due_{n}"), tr.t("meeting-role-due"));
        }
        if r.what.is_empty() {
            errors.add(format!("what_{n}"), tr.t("error-required"));
        } else if text::char_len(&r.what) > 1000 {
            errors.add(format!("what_{n}"), tr.t1("error-max-chars", "max", 1000));
        }
        if text::char_len(&r.how) > 1000 {
            errors.add(format!("how_{n}"), tr.t1("error-max-chars", "max", 1000));
        }
        if let (Some((agency, user)), Some(due)) = (owner, due) {
            items.push((agency, user, due, r.how.clone(), r.what.clone()));
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
    let invitees = db::meetings::invitees(&mut tx, &scope).await?;
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
    Ok(flash::redirect(&format!("/meetings/{id}"), Flash::Recorded))
}

fn read_minutes(f: &Pairs) -> (String, String, String) {
    (
        f.get("attendees").trim().to_string(),
        f.get("discussion").trim().to_string(),
        f.get("decisions").trim().to_string(),
    )
}

fn check_minutes(tr: Tr, minutes: &(String, String, String), errors: &mut Errors) {
    errors.required(tr, "attendees", &minutes.0, 2000);
    errors.required(tr, "discussion", &minutes.1, 20_000);
    errors.max_chars(tr, "decisions", &minutes.2, 20_000);
}

/// Minutes are written once the meeting has started.
fn not_started(tr: Tr, meeting: &MeetingRow) -> String {
    tr.t1(
        "meeting-minutes-not-started",
        "start",
        tr.datetime(&meeting.starts_at),
    )
}

/// Corrects the minutes of a held meeting; the version they replace is kept.
pub(super) async fn edit_minutes(
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
        "meeting.minutes.edit",
    )
    .await?;
    let minutes = read_minutes(&f);
    let mut errors = Errors::default();
    if meeting.status != "held" {
        errors.add("status", tr.t("meeting-minutes-edit-not-held"));
    } else if meeting.starts_at > Utc::now() {
        errors.add("status", not_started(tr, &meeting));
    }
    check_minutes(tr, &minutes, &mut errors);
    let expected = f.get("version").parse::<i32>().unwrap_or(-1);
    if errors.is_empty() && expected != meeting.minutes_version {
        errors.add("status", tr.t("meeting-minutes-changed-meanwhile"));
    }
    let saved = if errors.is_empty() {
        db::meetings::edit_minutes(
            &mut tx, &scope, expected, &minutes.0, &minutes.1, &minutes.2,
        )
        .await?
    } else {
        None
    };
    if saved.is_none() {
        if errors.is_empty() {
            errors.add("status", tr.t("meeting-minutes-changed-meanwhile"));
        }
        let page = meeting_page(
            &mut tx,
            &auth,
            &scope,
            meeting,
            errors,
            None,
            minutes,
            vec![],
            vec![],
        )
        .await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    scope
        .record(&mut tx, &auth.who(&state.refusals), "meeting.minutes.edit")
        .await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/meetings/{id}"), Flash::Saved))
}

/// The minutes as they stand and every earlier version, for whoever reads the meeting.
pub(super) async fn history(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut conn = state.db.acquire().await?;
    let scope = access::meeting::view(
        &mut conn,
        &auth.who(&state.refusals),
        id,
        "meeting.minutes.history",
    )
    .await?;
    let meeting = db::meetings::get(&mut conn, &scope).await?;
    if meeting.status != "held" {
        return Err(AppError::NotFound);
    }
    let rows = db::meetings::minutes_history(&mut conn, &scope).await?;
    // each version against the one that replaced it (the newest against the minutes as they are)
    let mut next = (
        meeting.attendees.clone(),
        meeting.discussion.clone(),
        meeting.decisions.clone(),
    );
    let mut versions = vec![];
    for row in rows {
        let mut changed = vec![];
        for (old, new, key) in [
            (&row.attendees, &next.0, "minutes-attendees"),
            (&row.discussion, &next.1, "minutes-discussion"),
            (&row.decisions, &next.2, "minutes-decisions"),
        ] {
            if old != new {
                changed.push(tr.t(key));
            }
        }
        next = (
            row.attendees.clone(),
            row.discussion.clone(),
            row.decisions.clone(),
        );
        versions.push(MinutesVersion { row, changed });
    }
    let page = MinutesHistoryPage {
        layout: auth.ctx.layout("minutes-history-title"),
        meeting,
        versions,
    };
    Ok(render(&page)?.into_response())
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
    let who = auth.who(&state.refusals);
    let note = f.get("note");
    let case_id = match crate::area::done::action_item(&mut tx, actor, id, &note).await? {
        crate::area::done::Done::On(case_id) => case_id,
        // the list's inline button has no room for a message: the note comes back on a form
        // of its own
        crate::area::done::Done::NoteTooLong => {
            let page = crate::views::done::DoneNotePage::too_long(
                auth.ctx.layout("done-note-title"),
                auth.ctx.tr,
                format!("/action-items/{id}/done"),
                crate::http::extract::safe_back(&f.get("back")),
                &note,
                crate::area::done::NOTE_MAX,
            );
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
        crate::area::done::Done::Nothing => {
            return Err(who
                .refuse(
                    "action_item.done",
                    None,
                    Some(id),
                    access::Refusal::NotFound,
                )
                .await
                .into())
        }
    };
    who.ok(&mut tx, "action_item.done", Some(case_id), Some(id))
        .await?;
    tx.commit().await?;
    let back = crate::http::extract::safe_back(&f.get("back")).to_string();
    Ok(flash::redirect(&back, Flash::Done))
}
