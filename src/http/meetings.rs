//! Case meetings (SPEC §6): scheduling with clash checks, invitations and answers, calendar
//! files and feeds, the material Renkei drafts for the convener, minutes with role assignments
//! that become action items, and `/tasks`.

use super::extract::Auth;
use super::form::Pairs;
use crate::access::meeting::MeetingNeed;
use crate::access::{self, CaseScope, MeetingScope, Reader, Who};
use crate::area::material::{
    agenda_text, category_choices, material_for, material_reader, PreviewQuery,
};
use crate::db::meetings::{MeetingRow, NewActionItem, NewMeeting};
use crate::db::{self};
use crate::domain::case::Category;
use crate::domain::dates::parse_date;
use crate::domain::meeting::{Purpose, Rsvp};
use crate::domain::{dates, ics, text};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Tr};
use crate::policy;
use crate::views::meetings::{
    CaseMeetingsPage, MaterialPage, MaterialPrint, MeetingForm, MeetingPage, RoleRow,
};
use crate::views::{render, render_status, Choice, Errors};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{DateTime, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Tokyo;
use sqlx::PgConnection;
use uuid::Uuid;

impl PreviewQuery for Pairs {
    fn preview_as(&self) -> String {
        self.get("as")
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/meetings", get(case_page).post(schedule))
        .route("/meetings/{id}", get(show))
        .route("/meetings/{id}/rsvp", post(rsvp))
        .route("/meetings/{id}/reschedule", post(reschedule))
        .route("/meetings/{id}/cancel", post(cancel))
        .route("/meetings/{id}/material", get(material).post(save_material))
        .route("/meetings/{id}/material/print", get(print_material))
        .route("/meetings/{id}/minutes", post(minutes))
        .route("/action-items/{id}/done", post(finish_action))
        .route("/calendar/{token}", get(feed))
        .route("/account/calendar", post(new_feed))
        .route("/account/calendar/revoke", post(revoke_feed))
}

const ROLE_ROWS: usize = 5;

fn purpose_choices(tr: Tr, selected: &str) -> Vec<Choice> {
    Purpose::ALL
        .iter()
        .map(|p| Choice::new(p.as_str(), tr.t(p.label_key()), selected))
        .collect()
}

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

#[allow(clippy::too_many_arguments)]
async fn case_page_view(
    conn: &mut PgConnection,
    auth: &Auth,
    case: &CaseScope,
    form: MeetingForm,
    errors: Errors,
    clashes: Vec<db::meetings::ClashRow>,
    unconsented: Vec<String>,
) -> AppResult<CaseMeetingsPage> {
    let tr = auth.ctx.tr;
    let header = db::cases::header(conn, case.reader())
        .await?
        .ok_or(AppError::NotFound)?;
    let team = db::cases::team(conn, case).await?;
    let consents = db::consents::for_case(conn, case).await?;
    let meetings = db::meetings::for_case(conn, case).await?;
    let actions = db::meetings::actions_for_case(conn, case).await?;
    let current: Vec<_> = team.iter().filter(|m| m.left_on.is_none()).collect();
    let others = db::agencies::list(conn, 1000)
        .await?
        .into_iter()
        .filter(|a| a.active && !current.iter().any(|m| m.agency_id == a.id))
        .map(|a| {
            Choice::new(
                &a.id.to_string(),
                format!("{}（{}）", a.name, tr.t(a.kind_key())),
                &form.outside_agency,
            )
        })
        .collect();
    Ok(CaseMeetingsPage {
        layout: auth.ctx.layout("meetings-title"),
        case_id: case.case_id(),
        name: format!("{} {}", header.family_name, header.given_name),
        meetings,
        actions,
        may_convene: policy::may_convene(&auth.user, case.access()),
        purposes: purpose_choices(tr, &form.purpose),
        team: current
            .iter()
            .map(|m| {
                let consented = consents
                    .iter()
                    .any(|k| k.live && k.agency_id == m.agency_id);
                (m.agency_id, m.name.clone(), consented)
            })
            .collect(),
        others,
        form,
        errors,
        clashes,
        unconsented,
    })
}

async fn case_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<Pairs>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let case = crate::access::case::open(
        &mut conn,
        &auth.who(&state.refusals),
        id,
        crate::access::Need::Read,
        "case.meetings.view",
    )
    .await?;
    let team = db::cases::team(&mut conn, &case).await?;
    let form = MeetingForm {
        duration: "60".into(),
        time: "10:00".into(),
        invite: team
            .iter()
            .filter(|m| m.left_on.is_none())
            .map(|m| m.agency_id.to_string())
            .collect(),
        // from the directory: the agency to invite from outside the team
        outside_agency: Uuid::parse_str(&q.get("outside"))
            .map(|a| a.to_string())
            .unwrap_or_default(),
        ..MeetingForm::default()
    };
    let page = case_page_view(
        &mut conn,
        &auth,
        &case,
        form,
        Errors::default(),
        vec![],
        vec![],
    )
    .await?;
    auth.who(&state.refusals)
        .ok(&mut conn, "case.meetings.view", Some(id), None)
        .await?;
    Ok(render(&page)?.into_response())
}

/// Shares a meeting event with the invited agencies (their inbox shows it).
async fn meeting_event(
    conn: &mut PgConnection,
    scope: &impl access::OnCase,
    invited: &[Uuid],
    body: &str,
) -> AppResult<Uuid> {
    let (actor, case_id) = (scope.actor(), scope.case_id());
    let shared: Vec<Uuid> = invited
        .iter()
        .copied()
        .filter(|a| *a != actor.agency_id())
        .collect();
    let entry = db::entries::NewEntry::plain(case_id, "meeting", "case_admin", body, &shared);
    Ok(db::entries::insert(conn, scope, &entry).await?)
}

fn tokyo(t: DateTime<Utc>) -> String {
    dates::tokyo_minutes(t)
}

async fn schedule(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut tx = state.db.begin().await?;
    let case = crate::access::case::open(
        &mut tx,
        &auth.who(&state.refusals),
        id,
        crate::access::Need::Read,
        "meeting.schedule",
    )
    .await?;
    if !policy::may_convene(&auth.user, case.access()) {
        return Err(AppError::from(
            case.refuse(&auth.who(&state.refusals), "meeting.schedule")
                .await,
        ));
    }
    let form = read_form(&f);
    let mut errors = Errors::default();
    let purpose = Purpose::parse(&form.purpose);
    if purpose.is_none() {
        errors.add("purpose", tr.t("error-choose"));
    }
    errors.max_chars(tr, "purpose_note", &form.purpose_note, 200);
    let timing = when(tr, &form, &mut errors);
    check_place(tr, &form, &mut errors);
    // invitees: team agencies, and optionally one agency (and person) not yet on the team
    let team = db::cases::team(&mut tx, &case).await?;
    let mut invited: Vec<(Uuid, Option<Uuid>)> = vec![];
    for i in &form.invite {
        match Uuid::parse_str(i).ok().filter(|a| {
            team.iter()
                .any(|m| m.agency_id == *a && m.left_on.is_none())
        }) {
            Some(a) => invited.push((a, None)),
            None => errors.add("invite", tr.t("entry-share-off-team")),
        }
    }
    if !form.outside_agency.is_empty() {
        match Uuid::parse_str(&form.outside_agency).ok() {
            Some(a)
                if db::agencies::get(&mut tx, a)
                    .await?
                    .is_some_and(|a| a.active) =>
            {
                let person = if form.outside_email.is_empty() {
                    None
                } else {
                    let user =
                        db::users::member_by_email(&mut tx, &form.outside_email, a, true).await?;
                    if user.is_none() {
                        errors.add("outside_email", tr.t("meeting-person-not-member"));
                    }
                    user
                };
                invited.push((a, person));
            }
            _ => errors.add("outside_agency", tr.t("error-choose")),
        }
    }
    invited.sort();
    invited.dedup_by_key(|(a, _)| *a);
    if invited.iter().all(|(a, _)| *a == case.actor().agency_id()) {
        errors.add("invite", tr.t("meeting-no-invitees"));
    }
    // invitees the person has not consented to share with: warn, and ask why
    let consents = db::consents::for_case(&mut tx, &case).await?;
    let mut unconsented = vec![];
    for (a, _) in &invited {
        if !consents.iter().any(|k| k.live && k.agency_id == *a) {
            let name = db::agencies::get(&mut tx, *a)
                .await?
                .map(|a| a.name)
                .unwrap_or_default();
            unconsented.push(name);
        }
    }
    if !unconsented.is_empty() && form.consent_reason.is_empty() {
        errors.add("consent_reason", tr.t("meeting-consent-reason"));
    }
    // clashes with the invitees' other meetings, shown before saving
    let mut clashes = vec![];
    if let Some((start, minutes)) = timing {
        let agencies: Vec<Uuid> = invited
            .iter()
            .map(|(a, _)| *a)
            .chain([case.actor().agency_id()])
            .collect();
        clashes = db::meetings::clashes(
            &mut tx,
            &agencies,
            start,
            start + chrono::Duration::minutes(minutes as i64),
            None,
        )
        .await?;
        if !clashes.is_empty() && !form.confirm_clash {
            errors.add("clash", tr.t("meeting-clash"));
        }
    }
    if !errors.is_empty() {
        let page =
            case_page_view(&mut tx, &auth, &case, form, errors, clashes, unconsented).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let (start, minutes) = timing.expect("checked");
    let purpose = purpose.expect("checked");
    let reason = form.consent_reason.clone();
    let invitees: Vec<(Uuid, Option<Uuid>, String)> = invited
        .iter()
        .map(|(a, u)| {
            let name_has_consent = consents.iter().any(|k| k.live && k.agency_id == *a);
            (
                *a,
                *u,
                if name_has_consent {
                    String::new()
                } else {
                    reason.clone()
                },
            )
        })
        .collect();
    let new = NewMeeting {
        case_id: id,
        convener_user_id: case.actor().user_id(),
        convener_agency_id: case.actor().agency_id(),
        purpose: purpose.as_str(),
        purpose_note: &form.purpose_note,
        starts_at: start,
        duration_minutes: minutes,
        place: &form.place,
        online_url: &form.online_url,
        phone: &form.phone,
        person_attends: form.person_attends,
        family_attends: form.family_attends,
        invitees: &invitees,
    };
    let meeting_id = db::meetings::create(&mut tx, &case, &new).await?;
    // the stored material is only the convener's text (the agenda to start from); the
    // generated sections are computed for each reader when read
    let scope = access::meeting::open(
        &mut tx,
        &auth.who(&state.refusals),
        meeting_id,
        MeetingNeed::Read,
        "meeting.schedule",
    )
    .await?;
    let agenda = agenda_text();
    let html = crate::domain::markdown::to_safe_html(&agenda);
    db::meetings::set_material(&mut tx, &scope, &agenda, &html, None).await?;
    let ja = Tr::new(Lang::Ja);
    let agencies: Vec<Uuid> = invited.iter().map(|(a, _)| *a).collect();
    let body = format!(
        "{}：{}（{}）\n/meetings/{meeting_id}",
        ja.t("meeting-event-scheduled"),
        tokyo(start),
        ja.t(purpose.label_key())
    );
    meeting_event(&mut tx, &case, &agencies, &body).await?;
    auth.who(&state.refusals)
        .ok(&mut tx, "meeting.schedule", Some(id), Some(meeting_id))
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/meetings/{meeting_id}")).into_response())
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
    let owners = invitees
        .iter()
        .map(|i| (i.agency_id, i.agency_name.clone()))
        .chain([(
            meeting.convener_agency_id,
            meeting.convener_agency_name.clone(),
        )])
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_iter()
        .map(|(id, name)| Choice::new(&id.to_string(), name, ""))
        .collect();
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
    let mut roles = roles;
    roles.resize(ROLE_ROWS, RoleRow::default());
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
        owners,
        clashes,
    })
}

/// `/meetings/{id}` is the meeting's page; `/meetings/{id}.ics` its calendar file.
async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
) -> AppResult<Response> {
    let (id_text, is_ics) = match raw.strip_suffix(".ics") {
        Some(id) => (id, true),
        None => (raw.as_str(), false),
    };
    let id = Uuid::parse_str(id_text).map_err(|_| AppError::NotFound)?;
    let mut conn = state.db.acquire().await?;
    let action = if is_ics {
        "meeting.ics"
    } else {
        "meeting.view"
    };
    let scope = access::meeting::view(&mut conn, &auth.who(&state.refusals), id, action).await?;
    let meeting = db::meetings::get(&mut conn, &scope).await?;
    if is_ics {
        let method = if meeting.status == "cancelled" {
            "CANCEL"
        } else {
            "PUBLISH"
        };
        let body = ics::calendar(&auth.ctx.tr.t("app-name"), method, &[ics_event(&meeting)]);
        return Ok(calendar_response(body, &format!("meeting-{id}.ics")));
    }
    let page = meeting_page(
        &mut conn,
        &auth,
        &scope,
        meeting,
        Errors::default(),
        None,
        Default::default(),
        vec![],
        vec![],
    )
    .await?;
    Ok(render(&page)?.into_response())
}

fn ics_event(m: &MeetingRow) -> ics::Event<'_> {
    let ja = Tr::new(Lang::Ja);
    let location = [m.place.as_str(), m.online_url.as_str(), m.phone.as_str()]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or("");
    ics::Event {
        uid: format!("{}@renkei", m.id),
        sequence: m.sequence,
        start: m.starts_at,
        end: m.ends_at(),
        stamp: m.updated_at,
        // the title names no one: calendars are often shared or shown on lock screens
        summary: format!(
            "{}（{}）",
            ja.t("meeting-ics-summary"),
            ja.t(m.purpose_key())
        ),
        location,
        description: "",
        url: "",
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

async fn rsvp(
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
        MeetingNeed::Read,
        "meeting.rsvp",
    )
    .await?;
    let response = Rsvp::parse(&f.get("response")).filter(|r| *r != Rsvp::Pending);
    let Some(response) = response else {
        let mut errors = Errors::default();
        errors.add("response", tr.t("error-choose"));
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
    if meeting.status != "scheduled"
        || !db::meetings::rsvp(&mut tx, &scope, response.as_str()).await?
    {
        return Err(scope
            .refuse(&auth.who(&state.refusals), "meeting.rsvp")
            .await
            .into());
    }
    scope
        .record(&mut tx, &auth.who(&state.refusals), "meeting.rsvp")
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/meetings/{id}")).into_response())
}

async fn reschedule(
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
        let agencies: Vec<Uuid> = invitees.iter().map(|i| i.agency_id).collect();
        clashes = db::meetings::clashes(
            &mut tx,
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
    let ja = Tr::new(Lang::Ja);
    let agencies: Vec<Uuid> = invitees.iter().map(|i| i.agency_id).collect();
    let body = format!(
        "{}：{} → {}\n/meetings/{id}",
        ja.t("meeting-event-rescheduled"),
        tokyo(meeting.starts_at),
        tokyo(start)
    );
    meeting_event(&mut tx, &scope, &agencies, &body).await?;
    scope
        .record(&mut tx, &auth.who(&state.refusals), "meeting.reschedule")
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/meetings/{id}")).into_response())
}

async fn cancel(
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
    }
    db::meetings::cancel(&mut tx, &scope, &reason).await?;
    let invitees = db::meetings::invitees(&mut tx, &scope).await?;
    let agencies: Vec<Uuid> = invitees.iter().map(|i| i.agency_id).collect();
    let ja = Tr::new(Lang::Ja);
    let body = format!(
        "{}：{}\n{reason}\n/meetings/{id}",
        ja.t("meeting-event-cancelled"),
        tokyo(meeting.starts_at)
    );
    meeting_event(&mut tx, &scope, &agencies, &body).await?;
    scope
        .record(&mut tx, &auth.who(&state.refusals), "meeting.cancel")
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/meetings/{id}")).into_response())
}

async fn material(
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
            meeting.material.clone(),
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

async fn save_material(
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
    Ok(Redirect::to(&format!("/meetings/{id}/material")).into_response())
}

async fn print_material(
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

async fn minutes(
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
            case_id: meeting.case_id,
            meeting_id: Some(id),
            owner_agency_id: *owner,
            owner_user_id: *user,
            what,
            how,
            due_on: *due,
            created_by: scope.user_id(),
        };
        db::meetings::add_action_item(&mut tx, &scope, &item).await?;
    }
    let ja = Tr::new(Lang::Ja);
    let agencies: Vec<Uuid> = invitees.iter().map(|i| i.agency_id).collect();
    let body = format!(
        "{}（{}）\n{}：{}\n/meetings/{id}",
        ja.t("meeting-event-held"),
        ja.t(meeting.purpose_key()),
        ja.t("meeting-role-count"),
        items.len()
    );
    meeting_event(&mut tx, &scope, &agencies, &body).await?;
    scope
        .record(&mut tx, &auth.who(&state.refusals), "meeting.minutes")
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/meetings/{id}")).into_response())
}

async fn finish_action(
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
    let back = super::extract::safe_back(&f.get("back")).to_string();
    Ok(Redirect::to(&back).into_response())
}

/// A user's meetings for Google or Outlook calendars, at a secret URL; no session needed.
async fn feed(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    let token = token.strip_suffix(".ics").unwrap_or(&token);
    let mut conn = state.db.acquire().await?;
    let Some(user) = db::meetings::feed_user(&mut conn, &db::auth::hash_token(token)).await? else {
        return Err(AppError::NotFound);
    };
    let meetings = db::meetings::feed_meetings(&mut conn, user).await?;
    let events: Vec<ics::Event> = meetings.iter().map(ics_event).collect();
    let body = ics::calendar(&Tr::new(Lang::Ja).t("app-name"), "PUBLISH", &events);
    let event = db::audit::Event {
        user_id: Some(user),
        action: "calendar.feed",
        ..Default::default()
    };
    db::audit::record(&mut conn, &event, db::audit::Outcome::Ok).await?;
    Ok(calendar_response(body, "renkei.ics"))
}

/// Makes (or remakes, revoking the old one) the user's feed URL and shows it once.
async fn new_feed(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let token = db::auth::new_token();
    let mut tx = state.db.begin().await?;
    db::meetings::set_feed(&mut tx, auth.user.id, &db::auth::hash_token(&token)).await?;
    auth.ctx
        .audit(
            &mut tx,
            auth.ctx.event("calendar.feed.create"),
            db::audit::Outcome::Ok,
        )
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/account?feed={token}")).into_response())
}

async fn revoke_feed(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    db::meetings::revoke_feed(&mut tx, auth.user.id).await?;
    auth.ctx
        .audit(
            &mut tx,
            auth.ctx.event("calendar.feed.revoke"),
            db::audit::Outcome::Ok,
        )
        .await?;
    tx.commit().await?;
    Ok(Redirect::to("/account").into_response())
}
