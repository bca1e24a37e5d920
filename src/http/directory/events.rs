//! An agency's events: open days, trial sessions and the like, in Tokyo time.

use super::{audit, item_id, load, no_markup, require_editor};
use crate::db::audit::Outcome;
use crate::db::directory::{self as dir, Event};
use crate::domain::kinds::EventKind;
use crate::domain::text;
use crate::error::{AppError, AppResult};
use crate::http::extract::Auth;
use crate::http::flash::{self, Flash};
use crate::http::form::Pairs;
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::i18n::Tr;
use crate::views::directory::{EventForm, EventPage};
use crate::views::{Choice, Errors};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::{NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Tokyo;
use sqlx::Connection;
use uuid::Uuid;

fn event_kinds(tr: Tr, selected: &str) -> Vec<Choice> {
    EventKind::ALL
        .iter()
        .map(|k| {
            Choice::new(
                k.as_str(),
                tr.t(format!("event-kind-{}", k.as_str())),
                selected,
            )
        })
        .collect()
}

pub(super) async fn event_form(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, item)): Path<(Uuid, String)>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let item = item_id(&item)?;
    let mut conn = state.db.acquire().await?;
    let p = load(&mut conn, &auth, id).await?;
    require_editor(&mut conn, &auth, id, "directory.event.edit").await?;
    let form = match item {
        Some(e) => {
            let e = dir::event(&mut conn, id, e)
                .await?
                .ok_or(AppError::NotFound)?;
            let start = e.starts_at.with_timezone(&Tokyo);
            EventForm {
                kind: e.kind,
                title: e.title,
                date: start.format("%Y-%m-%d").to_string(),
                start: start.format("%H:%M").to_string(),
                end: e
                    .ends_at
                    .map(|t| t.with_timezone(&Tokyo).format("%H:%M").to_string())
                    .unwrap_or_default(),
                place: e.place,
                how_to_apply: e.how_to_apply,
                description: e.description,
            }
        }
        None => EventForm {
            kind: EventKind::OpenHouse.as_str().into(),
            ..EventForm::default()
        },
    };
    let page = EventPage {
        layout: auth.ctx.layout_titled(p.name),
        agency_id: id,
        event_id: item,
        kinds: event_kinds(tr, &form.kind),
        form,
        errors: Errors::default(),
    };
    Ok(render(&page)?.into_response())
}

/// Reads and checks the event form: a kind, a title, a start in the future (Tokyo time), an
/// end after it on the same day if given.
fn read_event(tr: Tr, f: &Pairs, agency: Uuid, id: Uuid) -> (EventForm, Option<Event>, Errors) {
    let form = EventForm {
        kind: f.get("kind"),
        title: f.get("title").trim().to_string(),
        date: text::nfkc(&f.get("date")),
        start: text::nfkc(&f.get("start")),
        end: text::nfkc(&f.get("end")),
        place: f.get("place").trim().to_string(),
        how_to_apply: f.get("how_to_apply").trim().to_string(),
        description: f.get("description").trim().to_string(),
    };
    let mut errors = Errors::default();
    if EventKind::parse(&form.kind).is_none() {
        errors.add("kind", tr.t("error-choose"));
    }
    errors.required(tr, "title", &form.title, 100);
    errors.max_chars(tr, "place", &form.place, 200);
    errors.max_chars(tr, "how_to_apply", &form.how_to_apply, 500);
    errors.max_chars(tr, "description", &form.description, 1000);
    no_markup(
        tr,
        &mut errors,
        &[
            ("title", &form.title),
            ("place", &form.place),
            ("how_to_apply", &form.how_to_apply),
            ("description", &form.description),
        ],
    );
    let date = crate::domain::dates::parse_date(&form.date);
    if date.is_none() {
        errors.add("date", tr.t("error-date"));
    }
    let start = NaiveTime::parse_from_str(&form.start, "%H:%M").ok();
    if start.is_none() {
        errors.add("start", tr.t("meeting-time-format"));
    }
    let end = if form.end.is_empty() {
        Ok(None)
    } else {
        NaiveTime::parse_from_str(&form.end, "%H:%M").map(Some)
    };
    if end.is_err() {
        errors.add("end", tr.t("meeting-time-format"));
    }
    let at = |d, t| {
        Tokyo
            .from_local_datetime(&NaiveDateTime::new(d, t))
            .single()
            .map(|x| x.with_timezone(&Utc))
    };
    let (Some(date), Some(start), Ok(end)) = (date, start, end) else {
        return (form, None, errors);
    };
    let starts_at = at(date, start);
    let ends_at = end.and_then(|e| at(date, e));
    match starts_at {
        Some(s) if s <= Utc::now() => errors.add("date", tr.t("event-in-past")),
        None => errors.add("start", tr.t("meeting-time-format")),
        _ => {}
    }
    if let (Some(s), Some(e)) = (starts_at, ends_at) {
        if e <= s {
            errors.add("end", tr.t("event-end-before-start"));
        }
    }
    let event = starts_at
        .filter(|_| errors.is_empty())
        .map(|starts_at| Event {
            id,
            agency_id: agency,
            kind: form.kind.clone(),
            title: form.title.clone(),
            starts_at,
            ends_at,
            place: form.place.clone(),
            how_to_apply: form.how_to_apply.clone(),
            description: form.description.clone(),
        });
    (form, event, errors)
}

pub(super) async fn save_event(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, item)): Path<(Uuid, String)>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let item = item_id(&item)?;
    let mut conn = state.db.acquire().await?;
    let p = load(&mut conn, &auth, id).await?;
    require_editor(&mut conn, &auth, id, "directory.event.save").await?;
    if let Some(e) = item {
        dir::event(&mut conn, id, e)
            .await?
            .ok_or(AppError::NotFound)?;
    }
    let (form, event, errors) = read_event(tr, &f, id, item.unwrap_or_else(Uuid::now_v7));
    if let Some(event) = event {
        let mut tx = conn.begin().await?;
        dir::save_event(&mut tx, &event).await?;
        audit(
            &mut tx,
            &auth,
            "directory.event.save",
            event.id,
            Outcome::Ok,
        )
        .await?;
        tx.commit().await?;
        return Ok(flash::redirect(
            &format!("/agencies/{id}#events"),
            Flash::Saved,
        ));
    }
    let page = EventPage {
        layout: auth.ctx.layout_titled(p.name),
        agency_id: id,
        event_id: item,
        kinds: event_kinds(tr, &form.kind),
        form,
        errors,
    };
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}
