//! A case's meetings page and scheduling a meeting: the invitees, the person's consent to
//! share with them and clashes with their other meetings are checked before it is saved.

use super::{check_place, meeting_event, notify, read_form, when};
use crate::access::meeting::MeetingNeed;
use crate::access::{self, CaseScope};
use crate::area::material::agenda_text;
use crate::db;
use crate::db::meetings::NewMeeting;
use crate::domain::meeting::Purpose;
use crate::domain::message::{Message, Said};
use crate::domain::notice::Kind;
use crate::error::{AppError, AppResult};
use crate::http::extract::Auth;
use crate::http::flash::{self, Flash};
use crate::http::form::Pairs;
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::i18n::Tr;
use crate::policy;
use crate::views::meetings::{CaseMeetingsPage, MeetingForm};
use crate::views::{Choice, Errors};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use sqlx::PgConnection;
use uuid::Uuid;

fn purpose_choices(tr: Tr, selected: &str) -> Vec<Choice> {
    Purpose::ALL
        .iter()
        .map(|p| Choice::new(p.as_str(), tr.t(p.label_key()), selected))
        .collect()
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

pub(super) async fn case_page(
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
        .viewed(&mut conn, "case.meetings.view", Some(id), None, &[])
        .await?;
    Ok(render(&page)?.into_response())
}

pub(super) async fn schedule(
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
    errors.max_chars(tr, "consent_reason", &form.consent_reason, 500);
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
            &case,
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
    let agenda = agenda_text(auth.ctx.tr);
    let html = crate::domain::markdown::to_safe_html(&agenda);
    db::meetings::set_material(&mut tx, &scope, &agenda, &html, None).await?;
    let agencies: Vec<Uuid> = invited.iter().map(|(a, _)| *a).collect();
    let said = Said::new()
        .line(
            Message::new("event-meeting-scheduled")
                .at("at", start)
                .key("purpose", purpose.label_key()),
        )
        .link("event-meeting-open", &format!("/meetings/{meeting_id}"));
    meeting_event(&mut tx, &case, &agencies, &said).await?;
    notify(&mut tx, &state, &scope, Kind::MeetingInvited).await?;
    auth.who(&state.refusals)
        .ok(&mut tx, "meeting.schedule", Some(id), Some(meeting_id))
        .await?;
    tx.commit().await?;
    Ok(flash::redirect(
        &format!("/meetings/{meeting_id}"),
        Flash::Scheduled,
    ))
}
