//! Case meetings (SPEC §6): scheduling with clash checks, invitations and answers, calendar
//! files and feeds, the material Renkei drafts for the convener, minutes with role assignments
//! that become action items, and `/tasks`.
//!
//! The routes and the helpers the pages share are here; each part of a meeting's life has its
//! own file below.

mod feeds;
mod material;
mod minutes;
mod presenter;
mod run;
mod schedule;
mod show;

use super::extract::Auth;
use super::form::Pairs;
use crate::access::meeting::MeetingNeed;
use crate::access::{self, MeetingScope, Who};
use crate::config::Settings;
use crate::db;
use crate::db::meetings::MeetingRow;
use crate::domain::dates::parse_date;
use crate::domain::message::Said;
use crate::domain::{ics, text};
use crate::error::AppResult;
use crate::http::state::AppState;
use crate::i18n::{Lang, Tr};
use crate::views::meetings::{MeetingForm, MeetingPage, OwnerGroup, RoleRow};
use crate::views::{Choice, Errors};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Tokyo;
use sqlx::PgConnection;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/cases/{id}/meetings",
            get(schedule::case_page).post(schedule::schedule),
        )
        .route("/meetings/{id}", get(show::show))
        .route("/meetings/{id}/rsvp", post(show::rsvp))
        .route("/meetings/{id}/reschedule", post(run::reschedule))
        .route("/meetings/{id}/cancel", post(run::cancel))
        .route(
            "/meetings/{id}/material",
            get(material::material).post(material::save_material),
        )
        .route(
            "/meetings/{id}/material/print",
            get(material::print_material),
        )
        .route("/meetings/{id}/minutes", post(minutes::minutes))
        .route("/meetings/{id}/minutes/edit", post(minutes::edit_minutes))
        .route("/meetings/{id}/minutes/history", get(minutes::history))
        .route("/meetings/{id}/presenter", post(presenter::record))
        .route("/action-items/{id}/done", post(minutes::finish_action))
        .route("/calendar/{token}", get(feeds::feed))
        .route("/account/calendar/revoke", post(feeds::revoke_feed))
}

/// At most this many role rows in one form (a form posted with more keeps the first ones).
const MAX_ROLE_ROWS: usize = 50;

fn read_form(f: &Pairs) -> MeetingForm {
    MeetingForm {
        purpose: f.get("purpose"),
        purpose_note: text::nfkc(&f.get("purpose_note")),
        date: f.get("date"),
        time: f.get("time"),
        duration: f.get("duration"),
        place: text::nfkc(&f.get("place")),
        online_url: f.get("online_url").trim().to_string(),
        phone: text::nfkc(&f.get("phone")),
        person_attends: !f.get("person_attends").is_empty(),
        family_attends: !f.get("family_attends").is_empty(),
        invite: f.all("invite"),
        outside_agency: f.get("outside_agency"),
        outside_email: text::email_key(&f.get("outside_email")),
        consent_reason: f.get("consent_reason").trim().to_string(),
        confirm_clash: !f.get("confirm_clash").is_empty(),
    }
}

/// The start instant from a Tokyo date and time, and the end.
fn when(tr: Tr, form: &MeetingForm, errors: &mut Errors) -> Option<(DateTime<Utc>, i32)> {
    let date = parse_date(&form.date);
    let time = NaiveTime::parse_from_str(&text::nfkc(&form.time), "%H:%M").ok();
    if date.is_none() {
        errors.add("date", tr.t("error-date"));
    }
    if time.is_none() {
        errors.add("time", tr.t("meeting-time-format"));
    }
    let duration = form
        .duration
        .parse::<i32>()
        .ok()
        .filter(|d| (15..=480).contains(d));
    if duration.is_none() {
        errors.add("duration", tr.t("meeting-duration-range"));
    }
    let start = Tokyo
        .from_local_datetime(&NaiveDateTime::new(date?, time?))
        .single()?
        .with_timezone(&Utc);
    if start < Utc::now() {
        errors.add("date", tr.t("meeting-in-past"));
    }
    Some((start, duration?))
}

fn check_place(tr: Tr, form: &MeetingForm, errors: &mut Errors) {
    if form.place.is_empty() && form.online_url.is_empty() && form.phone.is_empty() {
        errors.add("place", tr.t("meeting-place-needed"));
    }
    errors.max_chars(tr, "place", &form.place, 300);
    errors.max_chars(tr, "online_url", &form.online_url, 500);
    if !form.online_url.is_empty() && !form.online_url.starts_with("https://") {
        errors.add("online_url", tr.t("meeting-url-https"));
    }
    errors.max_chars(tr, "phone", &form.phone, 30);
}

/// Shares a meeting event with the invited agencies (their inbox shows it).
async fn meeting_event(
    conn: &mut PgConnection,
    scope: &impl access::OnCase,
    invited: &[Uuid],
    said: &Said,
) -> AppResult<Uuid> {
    let actor = scope.actor();
    let shared: Vec<Uuid> = invited
        .iter()
        .copied()
        .filter(|a| *a != actor.agency_id())
        .collect();
    Ok(db::entries::insert_said(
        conn,
        scope,
        "meeting",
        "case_admin",
        said,
        &shared,
        Utc::now(),
    )
    .await?)
}

/// Tells the invited agencies by e-mail (when mail is on), with the meeting's calendar file as
/// `/meetings/{id}.ics` gives it (in Japanese: the mail's own words are the recipient's).
async fn notify(
    conn: &mut PgConnection,
    state: &AppState,
    scope: &MeetingScope,
    kind: crate::domain::notice::Kind,
) -> AppResult<()> {
    if !state.settings.mail.enabled() {
        return Ok(());
    }
    let meeting = db::meetings::get(conn, scope).await?;
    let method = if meeting.status == "cancelled" {
        "CANCEL"
    } else {
        "PUBLISH"
    };
    let tr = Tr::new(Lang::Ja);
    let ics = ics::calendar(
        &tr.t("app-name"),
        method,
        &[ics_event(tr, &state.settings, &meeting)],
    );
    crate::area::notify::meeting_changed(conn, &state.settings.mail, scope, &meeting, kind, ics)
        .await?;
    Ok(())
}

/// Opens a meeting through the door (the convener's agency or an invited agency) and reads it.
async fn open_meeting(
    conn: &mut PgConnection,
    who: &Who<'_>,
    id: Uuid,
    need: MeetingNeed,
    action: &'static str,
) -> AppResult<(MeetingScope, MeetingRow)> {
    let scope = access::meeting::open(conn, who, id, need, action).await?;
    let row = db::meetings::get(conn, &scope).await?;
    Ok((scope, row))
}

#[allow(clippy::too_many_arguments)]
async fn meeting_page(
    conn: &mut PgConnection,
    auth: &Auth,
    scope: &MeetingScope,
    meeting: MeetingRow,
    errors: Errors,
    form: Option<MeetingForm>,
    minutes: (String, String, String),
    roles: Vec<RoleRow>,
    clashes: Vec<db::meetings::ClashRow>,
) -> AppResult<MeetingPage> {
    let invitees = db::meetings::invitees(conn, scope).await?;
    let actions = db::meetings::actions_for(conn, scope.reader(), Some(scope)).await?;
    let may_run = scope.may_run();
    let owner_groups = owner_groups(conn, scope).await?;
    let start = meeting.starts_at.with_timezone(&Tokyo);
    let form = form.unwrap_or_else(|| MeetingForm {
        date: start.format("%Y-%m-%d").to_string(),
        time: start.format("%H:%M").to_string(),
        duration: meeting.duration_minutes.to_string(),
        place: meeting.place.clone(),
        online_url: meeting.online_url.clone(),
        phone: meeting.phone.clone(),
        ..MeetingForm::default()
    });
    // always one empty row more than the filled ones
    let mut roles = roles;
    if roles.last().is_none_or(|r| !r.is_empty()) {
        roles.push(RoleRow::default());
    }
    // the correction form of held minutes starts from the minutes as they stand
    let minutes = if meeting.status == "held" && minutes == Default::default() {
        (
            meeting.attendees.clone(),
            meeting.discussion.clone(),
            meeting.decisions.clone(),
        )
    } else {
        minutes
    };
    let started = meeting.starts_at <= Utc::now();
    let meeting_presenter = meeting.plan_presenter.clone();
    Ok(MeetingPage {
        layout: auth.ctx.layout("meeting-title"),
        my_invitation: invitees
            .iter()
            .find(|i| i.agency_id == scope.agency_id())
            .cloned(),
        invitees,
        actions,
        may_run,
        meeting,
        errors,
        form,
        minutes,
        roles,
        owner_groups,
        clashes,
        started,
        cancel_reason: String::new(),
        presenter_choices: crate::views::ledger::presenter_choices(
            auth.ctx.tr,
            meeting_presenter.as_deref().unwrap_or(""),
        ),
    })
}

/// The owner select's choices: each agency an item can be given to, with its people.
async fn owner_groups(conn: &mut PgConnection, scope: &MeetingScope) -> AppResult<Vec<OwnerGroup>> {
    let mut groups: Vec<OwnerGroup> = vec![];
    for row in db::meetings::owner_people(conn, scope).await? {
        let value = row.agency_id.to_string();
        if groups.last().is_none_or(|g| g.value != value) {
            groups.push(OwnerGroup {
                name: row.agency_name.clone(),
                value: value.clone(),
                people: vec![],
            });
        }
        if let (Some(user), Some(name), Some(g)) = (row.user_id, row.user_name, groups.last_mut()) {
            g.people
                .push(Choice::new(&format!("{value}/{user}"), name, ""));
        }
    }
    Ok(groups)
}

/// An owner as chosen: an agency, or one of its people, among the groups offered.
fn chosen_owner(groups: &[OwnerGroup], value: &str) -> Option<(Uuid, Option<Uuid>)> {
    let (agency, user) = match value.split_once('/') {
        Some((a, u)) => (a, Some(u)),
        None => (value, None),
    };
    let group = groups.iter().find(|g| g.value == agency)?;
    let agency_id = Uuid::parse_str(agency).ok()?;
    match user {
        None => Some((agency_id, None)),
        Some(u) => {
            group.people.iter().find(|p| p.value == value)?;
            Some((agency_id, Some(Uuid::parse_str(u).ok()?)))
        }
    }
}

/// The role rows of a posted form: as many as it says it has (`rows`), or as its fields reach.
fn role_rows(f: &Pairs) -> Vec<RoleRow> {
    let field = |p: &str, n: usize| f.get(&format!("{p}_{n}"));
    let reached = (0..MAX_ROLE_ROWS)
        .rev()
        .find(|&n| {
            ["owner", "due", "how", "what"]
                .iter()
                .any(|p| !field(p, n).is_empty())
        })
        .map_or(0, |n| n + 1);
    let said = f.get("rows").parse::<usize>().unwrap_or(0);
    (0..said.max(reached).min(MAX_ROLE_ROWS))
        .map(|n| RoleRow {
            owner: field("owner", n),
            due: field("due", n),
            how: field("how", n).trim().to_string(),
            what: field("what", n).trim().to_string(),
        })
        .collect()
}

/// A meeting as a calendar event, in the reader's language. The title and description name no
/// one and carry no notes (calendars are often shared or shown on lock screens): the purpose,
/// the place or the online link, and a link to the meeting page (absolute when the base URL is
/// configured).
fn ics_event<'a>(tr: Tr, settings: &Settings, m: &'a MeetingRow) -> ics::Event<'a> {
    let location = [m.place.as_str(), m.online_url.as_str(), m.phone.as_str()]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or("");
    let purpose = tr.t(m.purpose_key());
    let url = settings.link(&format!("/meetings/{}", m.id));
    let mut description = tr.t1("meeting-ics-purpose", "purpose", &purpose);
    if !m.place.is_empty() && !m.online_url.is_empty() {
        // both: the place is the location, the link goes in the description
        description.push('\n');
        description.push_str(&tr.t1("meeting-ics-online", "url", &m.online_url));
    }
    description.push('\n');
    description.push_str(&tr.t1("meeting-ics-page", "url", &url));
    ics::Event {
        uid: format!("{}@renkei", m.id),
        sequence: m.sequence,
        start: m.starts_at,
        end: m.ends_at(),
        stamp: m.updated_at,
        summary: tr.targs(
            "event-paren",
            &[("text", &tr.t("meeting-ics-summary")), ("note", &purpose)],
        ),
        location,
        description,
        url: if url.starts_with("http") {
            url
        } else {
            String::new()
        },
        cancelled: m.status == "cancelled",
    }
}

fn calendar_response(body: String, filename: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}
