//! The convener moves a meeting (checking clashes again) or calls it off; the invitees are told.

use super::{check_place, meeting_event, meeting_page, notify, open_meeting, read_form, when};
use crate::access::meeting::MeetingNeed;
use crate::db;
use crate::domain::message::{Message, Said};
use crate::domain::notice::Kind;
use crate::error::AppResult;
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

pub(super) async fn reschedule(
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
        "meeting.reschedule",
    )
    .await?;
    let form = read_form(&f);
    let mut errors = Errors::default();
    let timing = when(tr, &form, &mut errors);
    check_place(tr, &form, &mut errors);
    if meeting.status != "scheduled" {
        errors.add("status", tr.t("meeting-not-scheduled"));
    }
    let invitees = db::meetings::invitees(&mut tx, &scope).await?;
    let mut clashes = vec![];
    if let Some((start, minutes)) = timing {
        let agencies: Vec<Uuid> = invitees
            .iter()
            .map(|i| i.agency_id)
            .chain([scope.agency_id()])
            .collect();
        clashes = db::meetings::clashes(
            &mut tx,
            &scope,
            &agencies,
            start,
            start + chrono::Duration::minutes(minutes as i64),
            Some(id),
        )
        .await?;
        if !clashes.is_empty() && !form.confirm_clash {
            errors.add("clash", tr.t("meeting-clash"));
        }
    }
    if !errors.is_empty() {
        let page = meeting_page(
            &mut tx,
            &auth,
            &scope,
            meeting,
            errors,
            Some(form),
            Default::default(),
            vec![],
            clashes,
        )
        .await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let (start, minutes) = timing.expect("checked");
    db::meetings::reschedule(
        &mut tx,
        &scope,
        start,
        minutes,
        &form.place,
        &form.online_url,
        &form.phone,
    )
    .await?;
    let agencies: Vec<Uuid> = invitees.iter().map(|i| i.agency_id).collect();
    let said = Said::new()
        .line(
            Message::new("event-meeting-rescheduled")
                .at("from", meeting.starts_at)
                .at("to", start),
        )
        .link("event-meeting-open", &format!("/meetings/{id}"));
    meeting_event(&mut tx, &scope, &agencies, &said).await?;
    notify(&mut tx, &state, &scope, Kind::MeetingChanged).await?;
    scope
        .record(&mut tx, &auth.who(&state.refusals), "meeting.reschedule")
        .await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/meetings/{id}"), Flash::Changed))
}

pub(super) async fn cancel(
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
        "meeting.cancel",
    )
    .await?;
    let reason = f.get("reason").trim().to_string();
    let mut errors = Errors::default();
    errors.required(tr, "reason", &reason, 1000);
    if meeting.status != "scheduled" {
        errors.add("status", tr.t("meeting-not-scheduled"));
    }
    if !errors.is_empty() {
        let mut page = meeting_page(
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
        page.cancel_reason = reason;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    db::meetings::cancel(&mut tx, &scope, &reason).await?;
    let invitees = db::meetings::invitees(&mut tx, &scope).await?;
    let agencies: Vec<Uuid> = invitees.iter().map(|i| i.agency_id).collect();
    let said = Said::new()
        .line(Message::new("event-meeting-cancelled").at("at", meeting.starts_at))
        .free(&reason)
        .link("event-meeting-open", &format!("/meetings/{id}"));
    meeting_event(&mut tx, &scope, &agencies, &said).await?;
    notify(&mut tx, &state, &scope, Kind::MeetingCancelled).await?;
    scope
        .record(&mut tx, &auth.who(&state.refusals), "meeting.cancel")
        .await?;
    tx.commit().await?;
    Ok(flash::redirect(
        &format!("/meetings/{id}"),
        Flash::Cancelled,
    ))
}
