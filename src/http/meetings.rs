//! Case meetings (SPEC §6): scheduling with clash checks, invitations and answers, calendar
//! files and feeds, the material Renkei drafts for the convener, minutes with role assignments
//! that become action items, and `/tasks`.

use super::cases::{audit_ok, deny, open_case, parse_date, OpenCase};
use super::extract::Auth;
use super::form::Pairs;
use crate::db::meetings::{MeetingRow, NewActionItem, NewMeeting};
use crate::db::{self, audit::Outcome, cases::Actor};
use crate::domain::checklist::Answers;
use crate::domain::meeting::{Purpose, Rsvp, AGENDA_JA};
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
use std::collections::BTreeSet;
use uuid::Uuid;

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
    case: &OpenCase,
    form: MeetingForm,
    errors: Errors,
    clashes: Vec<db::meetings::ClashRow>,
    unconsented: Vec<String>,
) -> AppResult<CaseMeetingsPage> {
    let tr = auth.ctx.tr;
    let agency = case.actor.agency_id;
    let header = db::cases::header(conn, case.id, agency)
        .await?
        .ok_or(AppError::NotFound)?;
    let team = db::cases::team(conn, case.id, agency).await?;
    let consents = db::consents::for_case(conn, case.id, agency).await?;
    let meetings = db::meetings::for_case(conn, agency, case.id).await?;
    let actions = db::meetings::actions_for_case(conn, agency, case.id).await?;
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
        case_id: case.id,
        name: format!("{} {}", header.family_name, header.given_name),
        meetings,
        actions,
        may_convene: policy::may_convene(&auth.user, case.access),
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
    let case = open_case(&mut conn, &auth, id, "case.meetings.view").await?;
    let team = db::cases::team(&mut conn, id, case.actor.agency_id).await?;
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
    audit_ok(&mut conn, &auth, id, "case.meetings.view", None).await?;
    Ok(render(&page)?.into_response())
}

/// Shares a meeting event with the invited agencies (their inbox shows it).
async fn meeting_event(
    conn: &mut PgConnection,
    actor: Actor,
    case_id: Uuid,
    invited: &[Uuid],
    body: &str,
) -> AppResult<Uuid> {
    let shared: Vec<Uuid> = invited
        .iter()
        .copied()
        .filter(|a| *a != actor.agency_id)
        .collect();
    let entry = db::entries::NewEntry::plain(case_id, "meeting", "case_admin", body, &shared);
    Ok(db::entries::insert(conn, actor, &entry).await?)
}

fn tokyo(t: DateTime<Utc>) -> String {
    t.with_timezone(&Tokyo).format("%Y/%m/%d %H:%M").to_string()
}

async fn schedule(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut tx = state.db.begin().await?;
    let case = open_case(&mut tx, &auth, id, "meeting.schedule").await?;
    if !policy::may_convene(&auth.user, case.access) {
        return Err(deny(&mut tx, &auth, &case, "meeting.schedule").await);
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
    let team = db::cases::team(&mut tx, id, case.actor.agency_id).await?;
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
                    let user: Option<Uuid> = sqlx::query_scalar(
                        "SELECT u.id FROM app_user u JOIN membership m ON m.user_id = u.id
                         WHERE u.email = $1 AND m.agency_id = $2 AND u.active",
                    )
                    .bind(&form.outside_email)
                    .bind(a)
                    .fetch_optional(&mut *tx)
                    .await?;
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
    if invited.iter().all(|(a, _)| *a == case.actor.agency_id) {
        errors.add("invite", tr.t("meeting-no-invitees"));
    }
    // invitees the person has not consented to share with: warn, and ask why
    let consents = db::consents::for_case(&mut tx, id, case.actor.agency_id).await?;
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
            .chain([case.actor.agency_id])
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
        convener_user_id: case.actor.user_id,
        convener_agency_id: case.actor.agency_id,
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
    let meeting_id = db::meetings::create(&mut tx, &new).await?;
    let meeting = db::meetings::get(&mut tx, case.actor.agency_id, meeting_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let draft = draft_material(&mut tx, case.actor, &meeting).await?;
    let html = crate::domain::markdown::to_safe_html(&draft);
    db::meetings::set_material(&mut tx, meeting_id, case.actor.user_id, &draft, &html).await?;
    let ja = Tr::new(Lang::Ja);
    let agencies: Vec<Uuid> = invited.iter().map(|(a, _)| *a).collect();
    let body = format!(
        "{}：{}（{}）\n/meetings/{meeting_id}",
        ja.t("meeting-event-scheduled"),
        tokyo(start),
        ja.t(purpose.label_key())
    );
    meeting_event(&mut tx, case.actor, id, &agencies, &body).await?;
    audit_ok(&mut tx, &auth, id, "meeting.schedule", Some(meeting_id)).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/meetings/{meeting_id}")).into_response())
}

/// The material Renkei drafts (ケース会議用資料): the person and phase, the support history since
/// the last meeting from entries every invited agency may see, open action items, the latest
/// checklist result, and seed 002's agenda as headings. Markdown, for the convener to edit.
async fn draft_material(
    conn: &mut PgConnection,
    actor: Actor,
    meeting: &MeetingRow,
) -> AppResult<String> {
    let ja = Tr::new(Lang::Ja);
    let header = db::cases::header(conn, meeting.case_id, actor.agency_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let invitees = db::meetings::invitees(conn, meeting.id).await?;
    let since = db::meetings::last_held_before(conn, meeting.case_id, meeting.starts_at)
        .await?
        .unwrap_or_else(|| Utc::now() - chrono::Duration::days(90));
    // only what every invited agency (and the convener) may see
    let mut common: Option<BTreeSet<Uuid>> = None;
    for agency in invitees
        .iter()
        .map(|i| i.agency_id)
        .chain([actor.agency_id])
    {
        let ids: BTreeSet<Uuid> =
            db::entries::visible_since(conn, agency, meeting.case_id, since, 200)
                .await?
                .into_iter()
                .collect();
        common = Some(match common {
            None => ids,
            Some(c) => c.intersection(&ids).copied().collect(),
        });
    }
    let ids: Vec<Uuid> = common.unwrap_or_default().into_iter().collect();
    let history = db::entries::summaries(conn, &ids).await?;
    let actions = db::meetings::actions_for_case(conn, actor.agency_id, meeting.case_id).await?;
    let readiness = db::checks::history(
        conn,
        actor.agency_id,
        meeting.case_id,
        super::checks::READINESS,
        1,
    )
    .await?;
    let mut md = String::new();
    md.push_str(&format!("## {}\n\n", ja.t("material-person")));
    md.push_str(&format!(
        "- {}：{} {}（{} {}）\n",
        ja.t("case-name"),
        header.family_name,
        header.given_name,
        header.family_kana,
        header.given_kana
    ));
    md.push_str(&format!(
        "- {}：{}\n",
        ja.t("case-phase"),
        ja.t(header.phase_key())
    ));
    md.push_str(&format!("- {}：{}\n", ja.t("case-lead"), header.lead_name));
    md.push_str(&format!(
        "- {}：{}\n",
        ja.t("meeting-purpose"),
        ja.t(format!("meeting-purpose-{}", meeting.purpose))
    ));
    md.push_str(&format!(
        "- {}：{}\n\n",
        ja.t("case-opened"),
        dates::wareki(header.opened_on)
    ));
    md.push_str(&format!(
        "## {}\n\n",
        ja.t1(
            "material-history",
            "since",
            dates::slash(since.with_timezone(&Tokyo).date_naive())
        )
    ));
    if history.is_empty() {
        md.push_str(&format!("{}\n\n", ja.t("material-history-none")));
    }
    for (at, kind, agency, line) in &history {
        md.push_str(&format!(
            "- {} {}（{}）：{}\n",
            tokyo(*at),
            ja.t(format!("entry-kind-{kind}")),
            agency,
            line
        ));
    }
    md.push_str(&format!("\n## {}\n\n", ja.t("material-actions")));
    let open: Vec<_> = actions.iter().filter(|a| a.status == "open").collect();
    if open.is_empty() {
        md.push_str(&format!("{}\n", ja.t("material-actions-none")));
    }
    for a in open {
        md.push_str(&format!(
            "- {} {}：{}（{}）\n",
            dates::slash(a.due_on),
            a.owner_agency_name,
            a.what,
            a.how
        ));
    }
    md.push_str(&format!("\n## {}\n\n", ja.t("material-checks")));
    match readiness.first() {
        Some(r) => {
            let instrument = db::checks::instrument(conn, super::checks::READINESS).await?;
            let answers: Answers = r.answers();
            let result = instrument.all_met(&answers);
            md.push_str(&format!(
                "- {}：{}/{}（{}）\n",
                ja.t("readiness-title-short"),
                result.met,
                result.total,
                dates::slash(r.assessed_on)
            ));
        }
        None => md.push_str(&format!("{}\n", ja.t("material-checks-none"))),
    }
    let retention = db::checks::history(
        conn,
        actor.agency_id,
        meeting.case_id,
        super::retention::RETENTION,
        1,
    )
    .await?;
    if let Some(r) = retention.first() {
        let instrument = db::checks::instrument(conn, super::retention::RETENTION).await?;
        let means = instrument.domain_means(&r.answers());
        let parts: Vec<String> = instrument
            .domains
            .iter()
            .zip(&means)
            .map(|(d, (_, m))| {
                format!(
                    "{} {m:.1}{}",
                    d.name_ja,
                    if *m < 3.0 { "（要確認）" } else { "" }
                )
            })
            .collect();
        md.push_str(&format!(
            "- {}（{}）：{}\n",
            ja.t("retention-title"),
            dates::slash(r.assessed_on),
            parts.join("、")
        ));
    }
    md.push_str(&format!("\n## {}\n", ja.t("material-agenda")));
    for item in AGENDA_JA {
        md.push_str(&format!("\n### {item}\n\n- \n"));
    }
    Ok(md)
}

/// Opens a meeting the acting agency may read (its case's team, or invited).
async fn open_meeting(
    conn: &mut PgConnection,
    auth: &Auth,
    id: Uuid,
    action: &'static str,
) -> AppResult<(Actor, MeetingRow)> {
    let found = match auth.user.actor() {
        Some(actor) => db::meetings::get(conn, actor.agency_id, id)
            .await?
            .map(|m| (actor, m)),
        None => None,
    };
    match found {
        Some(f) => Ok(f),
        None => {
            let mut event = auth.ctx.event(action);
            event.target_id = Some(id);
            auth.ctx.audit(conn, event, Outcome::Denied).await?;
            Err(AppError::NotFound)
        }
    }
}

async fn audit_meeting(
    conn: &mut PgConnection,
    auth: &Auth,
    m: &MeetingRow,
    action: &'static str,
) -> AppResult<()> {
    let mut event = auth.ctx.event(action);
    event.case_id = Some(m.case_id);
    event.target_id = Some(m.id);
    auth.ctx.audit(conn, event, Outcome::Ok).await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn meeting_page(
    conn: &mut PgConnection,
    auth: &Auth,
    actor: Actor,
    meeting: MeetingRow,
    errors: Errors,
    form: Option<MeetingForm>,
    minutes: (String, String, String),
    roles: Vec<RoleRow>,
    clashes: Vec<db::meetings::ClashRow>,
) -> AppResult<MeetingPage> {
    let invitees = db::meetings::invitees(conn, meeting.id).await?;
    let actions: Vec<_> = db::meetings::actions_for_case(conn, actor.agency_id, meeting.case_id)
        .await?
        .into_iter()
        .filter(|a| a.meeting_id == Some(meeting.id))
        .collect();
    let may_run = policy::may_run_meeting(&auth.user, meeting.convener_agency_id);
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
            .find(|i| i.agency_id == actor.agency_id)
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
    let (actor, meeting) = open_meeting(&mut conn, &auth, id, "meeting.view").await?;
    if is_ics {
        audit_meeting(&mut conn, &auth, &meeting, "meeting.ics").await?;
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
        actor,
        meeting,
        Errors::default(),
        None,
        Default::default(),
        vec![],
        vec![],
    )
    .await?;
    audit_meeting(&mut conn, &auth, &page.meeting, "meeting.view").await?;
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
    let (actor, meeting) = open_meeting(&mut tx, &auth, id, "meeting.rsvp").await?;
    let response = Rsvp::parse(&f.get("response")).filter(|r| *r != Rsvp::Pending);
    let Some(response) = response else {
        let mut errors = Errors::default();
        errors.add("response", tr.t("error-choose"));
        let page = meeting_page(
            &mut tx,
            &auth,
            actor,
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
        || !db::meetings::rsvp(
            &mut tx,
            id,
            actor.agency_id,
            actor.user_id,
            response.as_str(),
        )
        .await?
    {
        return Err(AppError::Forbidden);
    }
    audit_meeting(&mut tx, &auth, &meeting, "meeting.rsvp").await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/meetings/{id}")).into_response())
}

/// The convening agency's coordinators only.
async fn open_to_run(
    conn: &mut PgConnection,
    auth: &Auth,
    id: Uuid,
    action: &'static str,
) -> AppResult<(Actor, MeetingRow)> {
    let (actor, meeting) = open_meeting(conn, auth, id, action).await?;
    if !policy::may_run_meeting(&auth.user, meeting.convener_agency_id) {
        let mut event = auth.ctx.event(action);
        event.case_id = Some(meeting.case_id);
        event.target_id = Some(id);
        auth.ctx.audit(conn, event, Outcome::Denied).await?;
        return Err(AppError::Forbidden);
    }
    Ok((actor, meeting))
}

async fn reschedule(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut tx = state.db.begin().await?;
    let (actor, meeting) = open_to_run(&mut tx, &auth, id, "meeting.reschedule").await?;
    let form = read_form(&f);
    let mut errors = Errors::default();
    let timing = when(tr, &form, &mut errors);
    check_place(tr, &form, &mut errors);
    if meeting.status != "scheduled" {
        errors.add("status", tr.t("meeting-not-scheduled"));
    }
    let invitees = db::meetings::invitees(&mut tx, id).await?;
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
            actor,
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
        id,
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
    meeting_event(&mut tx, actor, meeting.case_id, &agencies, &body).await?;
    audit_meeting(&mut tx, &auth, &meeting, "meeting.reschedule").await?;
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
    let (actor, meeting) = open_to_run(&mut tx, &auth, id, "meeting.cancel").await?;
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
            actor,
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
    db::meetings::cancel(&mut tx, id, &reason).await?;
    let invitees = db::meetings::invitees(&mut tx, id).await?;
    let agencies: Vec<Uuid> = invitees.iter().map(|i| i.agency_id).collect();
    let ja = Tr::new(Lang::Ja);
    let body = format!(
        "{}：{}\n{reason}\n/meetings/{id}",
        ja.t("meeting-event-cancelled"),
        tokyo(meeting.starts_at)
    );
    meeting_event(&mut tx, actor, meeting.case_id, &agencies, &body).await?;
    audit_meeting(&mut tx, &auth, &meeting, "meeting.cancel").await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/meetings/{id}")).into_response())
}

async fn material(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let (_, meeting) = open_meeting(&mut conn, &auth, id, "meeting.material.view").await?;
    audit_meeting(&mut conn, &auth, &meeting, "meeting.material.view").await?;
    Ok(render(&MaterialPage {
        layout: auth.ctx.layout("material-title"),
        may_run: policy::may_run_meeting(&auth.user, meeting.convener_agency_id),
        text: meeting.material.clone(),
        meeting,
        errors: Errors::default(),
    })?
    .into_response())
}

async fn save_material(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut tx = state.db.begin().await?;
    let (actor, meeting) = open_to_run(&mut tx, &auth, id, "meeting.material.edit").await?;
    let text = f.get("material");
    let mut errors = Errors::default();
    errors.required(tr, "material", &text, 50_000);
    if !errors.is_empty() {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &MaterialPage {
                layout: auth.ctx.layout("material-title"),
                may_run: true,
                meeting,
                text,
                errors,
            },
        );
    }
    let html = crate::domain::markdown::to_safe_html(&text);
    db::meetings::set_material(&mut tx, id, actor.user_id, &text, &html).await?;
    audit_meeting(&mut tx, &auth, &meeting, "meeting.material.edit").await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/meetings/{id}/material")).into_response())
}

async fn print_material(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let (_, meeting) = open_meeting(&mut conn, &auth, id, "meeting.material.print").await?;
    audit_meeting(&mut conn, &auth, &meeting, "meeting.material.print").await?;
    let made = meeting
        .material_at
        .unwrap_or(meeting.updated_at)
        .with_timezone(&Tokyo)
        .date_naive();
    Ok(render(&MaterialPrint {
        layout: auth.ctx.layout("material-title"),
        made_on: dates::wareki(made),
        made_by: meeting
            .material_by_name
            .clone()
            .unwrap_or_else(|| meeting.convener_name.clone()),
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
    let (actor, meeting) = open_to_run(&mut tx, &auth, id, "meeting.minutes").await?;
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
    let invitees = db::meetings::invitees(&mut tx, id).await?;
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
                Some(a) => {
                    sqlx::query_scalar::<_, Uuid>(
                        "SELECT u.id FROM app_user u JOIN membership m ON m.user_id = u.id
                     WHERE u.email = $1 AND m.agency_id = $2",
                    )
                    .bind(&r.who)
                    .bind(a)
                    .fetch_optional(&mut *tx)
                    .await?
                }
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
            actor,
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
    if !db::meetings::hold(&mut tx, id, &minutes.0, &minutes.1, &minutes.2).await? {
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
            created_by: actor.user_id,
        };
        db::meetings::add_action_item(&mut tx, &item).await?;
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
    meeting_event(&mut tx, actor, meeting.case_id, &agencies, &body).await?;
    audit_meeting(&mut tx, &auth, &meeting, "meeting.minutes").await?;
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
    let Some(case_id) =
        db::meetings::finish_action(&mut tx, actor.agency_id, actor.user_id, id, &note).await?
    else {
        let mut event = auth.ctx.event("action_item.done");
        event.target_id = Some(id);
        auth.ctx.audit(&mut tx, event, Outcome::Denied).await?;
        tx.commit().await?;
        return Err(AppError::NotFound);
    };
    let mut event = auth.ctx.event("action_item.done");
    event.case_id = Some(case_id);
    event.target_id = Some(id);
    auth.ctx.audit(&mut tx, event, Outcome::Ok).await?;
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
    db::audit::record(&mut conn, &event, Outcome::Ok).await?;
    Ok(calendar_response(body, "renkei.ics"))
}

/// Makes (or remakes, revoking the old one) the user's feed URL and shows it once.
async fn new_feed(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let token = db::auth::new_token();
    let mut tx = state.db.begin().await?;
    db::meetings::set_feed(&mut tx, auth.user.id, &db::auth::hash_token(&token)).await?;
    auth.ctx
        .audit(&mut tx, auth.ctx.event("calendar.feed.create"), Outcome::Ok)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/account?feed={token}")).into_response())
}

async fn revoke_feed(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    db::meetings::revoke_feed(&mut tx, auth.user.id).await?;
    auth.ctx
        .audit(&mut tx, auth.ctx.event("calendar.feed.revoke"), Outcome::Ok)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to("/account").into_response())
}
