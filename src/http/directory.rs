//! The agency directory (SPEC §9, seed 000 5-③): search agencies, read a profile with its
//! programs, staff faces and open events, and start work with an agency from there. The
//! agency's admin keeps the profile; a member keeps their own staff card.

use super::extract::Auth;
use super::form::Pairs;
use crate::db::directory::{self as dir, Event, Filter, Profile, Program, Staff};
use crate::db::{self, audit::Outcome};
use crate::domain::case::Disability;
use crate::domain::kinds::{AgeBand, AgencyKind, EventKind};
use crate::domain::{photo, text};
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::policy;
use crate::views::directory::{
    age_checks, disability_checks, DirectoryPage, EventForm, EventPage, ProfileEditPage,
    ProfilePage, ProgramPage, StaffPage,
};
use crate::views::{render, render_status, Choice, Errors};
use crate::AppState;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Tokyo;
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agencies", get(index))
        .route("/agencies/{id}", get(show))
        .route("/agencies/{id}/connect", get(connect))
        .route("/agencies/{id}/edit", get(edit).post(save))
        .route(
            "/agencies/{id}/programs/{item}",
            get(program_form).post(save_program),
        )
        .route(
            "/agencies/{id}/programs/{item}/delete",
            post(|s, a, p| delete(s, a, p, dir::Part::Program)),
        )
        .route(
            "/agencies/{id}/events/{item}",
            get(event_form).post(save_event),
        )
        .route(
            "/agencies/{id}/events/{item}/delete",
            post(|s, a, p| delete(s, a, p, dir::Part::Event)),
        )
        .route(
            "/agencies/{id}/staff/{item}/delete",
            post(|s, a, p| delete(s, a, p, dir::Part::Staff)),
        )
        .route("/agencies/{id}/staff/{item}/photo", get(photo))
}

/// The staff card form carries a photo: it gets its own, larger body limit (see `http::router`).
pub fn upload_routes() -> Router<AppState> {
    Router::new().route(
        "/agencies/{id}/staff/{item}",
        get(staff_form).post(save_staff),
    )
}

/// "new" or the id of an item.
fn item_id(item: &str) -> AppResult<Option<Uuid>> {
    match item {
        "new" => Ok(None),
        s => Uuid::parse_str(s).map(Some).map_err(|_| AppError::NotFound),
    }
}

async fn audit(
    conn: &mut PgConnection,
    auth: &Auth,
    action: &'static str,
    target: Uuid,
    outcome: Outcome,
) -> AppResult<()> {
    let mut event = auth.ctx.event(action);
    event.target_id = Some(target);
    auth.ctx.audit(conn, event, outcome).await?;
    Ok(())
}

/// The agency's profile; an inactive agency is gone from the directory (but for the admin).
async fn load(conn: &mut PgConnection, auth: &Auth, id: Uuid) -> AppResult<Profile> {
    dir::profile(conn, id)
        .await?
        .filter(|p| p.active || policy::is_system_admin(&auth.user))
        .ok_or(AppError::NotFound)
}

/// Refuses (and audits the refusal) unless the user keeps this agency's directory entry.
async fn require_editor(
    conn: &mut PgConnection,
    auth: &Auth,
    agency: Uuid,
    action: &'static str,
) -> AppResult<()> {
    if policy::may_edit_directory(&auth.user, agency) {
        return Ok(());
    }
    audit(conn, auth, action, agency, Outcome::Denied).await?;
    Err(AppError::Forbidden)
}

/// Plain text only: a message by each field that holds markup.
fn no_markup(tr: Tr, errors: &mut Errors, fields: &[(&'static str, &str)]) {
    for (name, value) in fields {
        if text::has_markup(value) {
            errors.add(*name, tr.t("directory-no-markup"));
        }
    }
}

// ---- search and profile

async fn index(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let filter = Filter {
        q: text::nfkc(&q.get("q")),
        kind: AgencyKind::parse(&q.get("kind"))
            .map(|k| k.as_str().to_string())
            .unwrap_or_default(),
        area: text::nfkc(&q.get("area")),
        disability: Disability::parse(&q.get("disability"))
            .map(|d| d.as_str().to_string())
            .unwrap_or_default(),
    };
    let mut conn = state.db.acquire().await?;
    let cards = dir::search(&mut conn, &filter).await?;
    let areas = dir::areas(&mut conn).await?;
    let mut event = auth.ctx.event("directory.search");
    event.detail = format!(
        "q={} kind={} area={} disability={}",
        filter.q, filter.kind, filter.area, filter.disability
    );
    auth.ctx.audit(&mut conn, event, Outcome::Ok).await?;
    let page = DirectoryPage {
        layout: auth.ctx.layout("directory-title"),
        kinds: AgencyKind::ALL
            .iter()
            .map(|k| Choice::new(k.as_str(), tr.t(k.label_key()), &filter.kind))
            .collect(),
        areas: areas
            .iter()
            .map(|a| Choice::new(a, a.clone(), &filter.area))
            .collect(),
        disabilities: Disability::ALL
            .iter()
            .map(|d| {
                let text = tr.t(format!("disability-{}", d.as_str()));
                Choice::new(d.as_str(), text, &filter.disability)
            })
            .collect(),
        limit_reached: cards.len() as i64 >= dir::DIRECTORY_LIMIT,
        cards,
        for_case: Uuid::parse_str(&q.get("case")).ok(),
        filter,
    };
    Ok(render(&page)?.into_response())
}

async fn profile_page(
    conn: &mut PgConnection,
    auth: &Auth,
    p: Profile,
    errors: Errors,
    chosen_case: &str,
) -> AppResult<ProfilePage> {
    let programs = dir::programs(conn, p.id).await?;
    let staff = dir::staff_list(conn, p.id)
        .await?
        .into_iter()
        .map(|s| {
            let editable = policy::may_edit_staff_card(&auth.user, p.id, s.user_id);
            (s, editable)
        })
        .collect();
    let events = dir::upcoming_events(conn, p.id).await?;
    let cases = match auth.user.acting.as_ref() {
        Some(m) if policy::may_connect_from_directory(&auth.user) && m.agency_id != p.id => {
            dir::open_cases(conn, m.agency_id)
                .await?
                .into_iter()
                .map(|(id, name)| Choice::new(&id.to_string(), name, chosen_case))
                .collect()
        }
        _ => vec![],
    };
    Ok(ProfilePage {
        layout: auth.ctx.layout_titled(p.name.clone()),
        can_edit: policy::may_edit_directory(&auth.user, p.id),
        is_coordinator: policy::is_coordinator(&auth.user),
        p,
        programs,
        staff,
        events,
        cases,
        errors,
    })
}

async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let p = load(&mut conn, &auth, id).await?;
    let page = profile_page(&mut conn, &auth, p, Errors::default(), "").await?;
    audit(&mut conn, &auth, "directory.view", id, Outcome::Ok).await?;
    Ok(render(&page)?.into_response())
}

/// From a profile to the case page where the step is taken (the case's own rules apply
/// there): the referral form with this agency chosen, the team form, the meeting form.
async fn connect(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<Pairs>,
) -> AppResult<Response> {
    if !policy::may_connect_from_directory(&auth.user) {
        return Err(AppError::Forbidden);
    }
    if let Ok(case) = Uuid::parse_str(&q.get("case")) {
        let to = match q.get("to").as_str() {
            "referral" => Some(format!("/cases/{case}/referrals?to={id}#referral-form")),
            "team" => Some(format!("/cases/{case}/team?agency={id}#team-add")),
            "meeting" => Some(format!("/cases/{case}/meetings?outside={id}#meeting-form")),
            _ => None,
        };
        if let Some(to) = to {
            return Ok(Redirect::to(&to).into_response());
        }
    }
    let mut conn = state.db.acquire().await?;
    let p = load(&mut conn, &auth, id).await?;
    let mut errors = Errors::default();
    errors.add("case", auth.ctx.tr.t("directory-choose-case"));
    let page = profile_page(&mut conn, &auth, p, errors, &q.get("case")).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

// ---- the profile form

async fn edit_page(
    conn: &mut PgConnection,
    auth: &Auth,
    p: Profile,
    area_text: String,
    languages_text: String,
    errors: Errors,
) -> AppResult<ProfileEditPage> {
    let tr = auth.ctx.tr;
    Ok(ProfileEditPage {
        layout: auth
            .ctx
            .layout_titled(tr.t1("directory-edit-title", "name", &p.name)),
        programs: dir::programs(conn, p.id).await?,
        staff: dir::staff_list(conn, p.id).await?,
        events: dir::upcoming_events(conn, p.id).await?,
        ages: age_checks(tr, &p.age_bands),
        disabilities: disability_checks(tr, &p.disability_types),
        p,
        area_text,
        languages_text,
        errors,
    })
}

async fn edit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let p = load(&mut conn, &auth, id).await?;
    require_editor(&mut conn, &auth, id, "directory.profile.edit").await?;
    let (areas, languages) = (p.area_served.join("、"), p.languages.join("、"));
    let page = edit_page(&mut conn, &auth, p, areas, languages, Errors::default()).await?;
    audit(&mut conn, &auth, "directory.profile.edit", id, Outcome::Ok).await?;
    Ok(render(&page)?.into_response())
}

/// Reads and checks the profile form over the stored profile; the form comes back as typed.
fn read_profile(tr: Tr, stored: &Profile, f: &Pairs) -> (Profile, String, String, Errors) {
    let mut errors = Errors::default();
    let free = |name: &str| f.get(name).trim().to_string();
    let area_text = f.get("area_served");
    let languages_text = f.get("languages");
    let p = Profile {
        name: text::nfkc(&f.get("name")),
        municipality: text::nfkc(&f.get("municipality")),
        address: text::nfkc(&f.get("address")),
        phone: text::nfkc(&f.get("phone")),
        tagline: free("tagline"),
        features: free("features"),
        area_served: text::split_list(&area_text),
        hours: free("hours"),
        email: text::email_key(&f.get("email")),
        website: text::nfkc(&f.get("website")),
        age_bands: AgeBand::ALL
            .iter()
            .map(|a| a.as_str().to_string())
            .filter(|a| f.all("age_bands").contains(a))
            .collect(),
        disability_types: Disability::ALL
            .iter()
            .map(|d| d.as_str().to_string())
            .filter(|d| f.all("disability_types").contains(d))
            .collect(),
        users_summary: free("users_summary"),
        eligibility: free("eligibility"),
        languages: text::split_list(&languages_text),
        higher_brain_support: free("higher_brain_support"),
        other_support: free("other_support"),
        limitations: free("limitations"),
        case_examples: free("case_examples"),
        ..stored.clone()
    };
    errors.required(tr, "name", &p.name, 200);
    errors.max_chars(tr, "municipality", &p.municipality, 100);
    errors.max_chars(tr, "address", &p.address, 300);
    errors.max_chars(tr, "phone", &p.phone, 30);
    errors.max_chars(tr, "tagline", &p.tagline, 80);
    errors.max_chars(tr, "features", &p.features, 2000);
    errors.max_chars(tr, "hours", &p.hours, 200);
    errors.max_chars(tr, "users_summary", &p.users_summary, 1000);
    errors.max_chars(tr, "eligibility", &p.eligibility, 1000);
    errors.max_chars(tr, "higher_brain_support", &p.higher_brain_support, 2000);
    errors.max_chars(tr, "other_support", &p.other_support, 2000);
    errors.max_chars(tr, "limitations", &p.limitations, 1000);
    errors.max_chars(tr, "case_examples", &p.case_examples, 3000);
    if !p.email.is_empty() && !text::looks_like_email(&p.email) {
        errors.add("email", tr.t("error-email"));
    }
    if !p.website.is_empty()
        && (!(p.website.starts_with("https://") || p.website.starts_with("http://"))
            || p.website.chars().any(char::is_whitespace)
            || p.website.len() > 300)
    {
        errors.add("website", tr.t("directory-website-format"));
    }
    if p.area_served.len() > 30 || p.area_served.iter().any(|a| text::char_len(a) > 100) {
        errors.add("area_served", tr.t("directory-list-too-long"));
    }
    if p.languages.len() > 20 || p.languages.iter().any(|a| text::char_len(a) > 50) {
        errors.add("languages", tr.t("directory-list-too-long"));
    }
    no_markup(
        tr,
        &mut errors,
        &[
            ("name", &p.name),
            ("tagline", &p.tagline),
            ("features", &p.features),
            ("area_served", &area_text),
            ("hours", &p.hours),
            ("languages", &languages_text),
            ("users_summary", &p.users_summary),
            ("eligibility", &p.eligibility),
            ("higher_brain_support", &p.higher_brain_support),
            ("other_support", &p.other_support),
            ("limitations", &p.limitations),
            ("case_examples", &p.case_examples),
            ("address", &p.address),
        ],
    );
    (p, area_text, languages_text, errors)
}

async fn save(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut conn = state.db.acquire().await?;
    let stored = load(&mut conn, &auth, id).await?;
    require_editor(&mut conn, &auth, id, "directory.profile.save").await?;
    let (p, area_text, languages_text, mut errors) = read_profile(tr, &stored, &f);
    if errors.is_empty() {
        // one transaction: a refused name leaves the profile as it was
        let mut tx = conn.begin().await?;
        match dir::save_profile(&mut tx, &p, auth.user.id).await {
            Ok(()) => {
                audit(&mut tx, &auth, "directory.profile.save", id, Outcome::Ok).await?;
                tx.commit().await?;
                return Ok(Redirect::to(&format!("/agencies/{id}")).into_response());
            }
            Err(e) if db::is_unique_violation(&e, "agency_name_address_key") => {
                tx.rollback().await?;
                errors.add("name", tr.t("agency-duplicate"));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let page = edit_page(&mut conn, &auth, p, area_text, languages_text, errors).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

// ---- programs

async fn program_form(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, item)): Path<(Uuid, String)>,
) -> AppResult<Response> {
    let item = item_id(&item)?;
    let mut conn = state.db.acquire().await?;
    let p = load(&mut conn, &auth, id).await?;
    require_editor(&mut conn, &auth, id, "directory.program.edit").await?;
    let program = match item {
        Some(g) => dir::program(&mut conn, id, g)
            .await?
            .ok_or(AppError::NotFound)?,
        None => Program::default(),
    };
    let page = ProgramPage {
        layout: auth.ctx.layout_titled(p.name),
        agency_id: id,
        is_new: item.is_none(),
        program,
        errors: Errors::default(),
    };
    Ok(render(&page)?.into_response())
}

async fn save_program(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, item)): Path<(Uuid, String)>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let item = item_id(&item)?;
    let mut conn = state.db.acquire().await?;
    let p = load(&mut conn, &auth, id).await?;
    require_editor(&mut conn, &auth, id, "directory.program.save").await?;
    if let Some(g) = item {
        dir::program(&mut conn, id, g)
            .await?
            .ok_or(AppError::NotFound)?;
    }
    let program = Program {
        id: item.unwrap_or_else(Uuid::now_v7),
        agency_id: id,
        name: f.get("name").trim().to_string(),
        description: f.get("description").trim().to_string(),
        schedule: f.get("schedule").trim().to_string(),
    };
    let mut errors = Errors::default();
    errors.required(tr, "name", &program.name, 100);
    errors.max_chars(tr, "schedule", &program.schedule, 200);
    errors.max_chars(tr, "description", &program.description, 2000);
    no_markup(
        tr,
        &mut errors,
        &[
            ("name", &program.name),
            ("schedule", &program.schedule),
            ("description", &program.description),
        ],
    );
    if errors.is_empty() {
        let mut tx = conn.begin().await?;
        dir::save_program(&mut tx, &program).await?;
        audit(
            &mut tx,
            &auth,
            "directory.program.save",
            program.id,
            Outcome::Ok,
        )
        .await?;
        tx.commit().await?;
        return Ok(Redirect::to(&format!("/agencies/{id}/edit")).into_response());
    }
    let page = ProgramPage {
        layout: auth.ctx.layout_titled(p.name),
        agency_id: id,
        is_new: item.is_none(),
        program,
        errors,
    };
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

// ---- events

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

async fn event_form(
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
    let date = super::cases::parse_date(&form.date);
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

async fn save_event(
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
        return Ok(Redirect::to(&format!("/agencies/{id}#events")).into_response());
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

/// Removes a program, staff card or event: the agency's editors only, audited.
async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, item)): Path<(Uuid, Uuid)>,
    part: dir::Part,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    load(&mut conn, &auth, id).await?;
    require_editor(&mut conn, &auth, id, part.delete_action()).await?;
    let mut tx = conn.begin().await?;
    if !dir::delete(&mut tx, part, id, item).await? {
        return Err(AppError::NotFound);
    }
    audit(&mut tx, &auth, part.delete_action(), item, Outcome::Ok).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/agencies/{id}/edit")).into_response())
}

// ---- staff cards and photos

/// The card, or a new one; refused unless the user may edit it.
async fn open_card(
    conn: &mut PgConnection,
    auth: &Auth,
    agency: Uuid,
    item: Option<Uuid>,
    action: &'static str,
) -> AppResult<Staff> {
    let card = match item {
        Some(s) => dir::staff(conn, agency, s)
            .await?
            .ok_or(AppError::NotFound)?,
        None => Staff {
            agency_id: agency,
            ..Staff::default()
        },
    };
    let allowed = match item {
        Some(_) => policy::may_edit_staff_card(&auth.user, agency, card.user_id),
        None => policy::may_edit_directory(&auth.user, agency),
    };
    if !allowed {
        audit(conn, auth, action, agency, Outcome::Denied).await?;
        return Err(AppError::Forbidden);
    }
    Ok(card)
}

async fn staff_page(
    conn: &mut PgConnection,
    auth: &Auth,
    p: &Profile,
    staff: Staff,
    is_new: bool,
    errors: Errors,
) -> AppResult<StaffPage> {
    let can_manage = policy::may_edit_directory(&auth.user, p.id);
    let members = if can_manage {
        let chosen = staff.user_id.map(|u| u.to_string()).unwrap_or_default();
        dir::members(conn, p.id)
            .await?
            .into_iter()
            .map(|(id, name)| Choice::new(&id.to_string(), name, &chosen))
            .collect()
    } else {
        vec![]
    };
    Ok(StaffPage {
        layout: auth.ctx.layout_titled(p.name.clone()),
        agency_id: p.id,
        staff,
        is_new,
        can_manage,
        members,
        errors,
    })
}

async fn staff_form(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, item)): Path<(Uuid, String)>,
) -> AppResult<Response> {
    let item = item_id(&item)?;
    let mut conn = state.db.acquire().await?;
    let p = load(&mut conn, &auth, id).await?;
    let card = open_card(&mut conn, &auth, id, item, "directory.staff.edit").await?;
    let page = staff_page(
        &mut conn,
        &auth,
        &p,
        card,
        item.is_none(),
        Errors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

/// The card form's fields and its photo, if one was chosen. A body that is not a readable
/// multipart form reads as empty (the form then says what is missing).
async fn read_card_form(body: Result<Multipart, MultipartRejection>) -> (Pairs, Option<Vec<u8>>) {
    let mut pairs = Vec::new();
    let mut photo = None;
    let Ok(mut m) = body else {
        return (Pairs::default(), None);
    };
    while let Ok(Some(field)) = m.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        if name == "photo" {
            match field.bytes().await {
                Ok(b) if !b.is_empty() => photo = Some(b.to_vec()),
                _ => {}
            }
        } else if let Ok(value) = field.text().await {
            pairs.push((name, value));
        }
    }
    (Pairs::from(pairs), photo)
}

async fn save_staff(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, item)): Path<(Uuid, String)>,
    body: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let item = item_id(&item)?;
    let mut conn = state.db.acquire().await?;
    let p = load(&mut conn, &auth, id).await?;
    let stored = open_card(&mut conn, &auth, id, item, "directory.staff.save").await?;
    let (f, upload) = read_card_form(body).await;
    let mut errors = Errors::default();
    let mut card = Staff {
        id: item.unwrap_or_else(Uuid::now_v7),
        name: text::nfkc(&f.get("name")),
        job_title: text::nfkc(&f.get("job_title")),
        qualifications: text::nfkc(&f.get("qualifications")),
        introduction: f.get("introduction").trim().to_string(),
        ..stored.clone()
    };
    // only those who keep the directory entry link a card to a member
    if policy::may_edit_directory(&auth.user, id) {
        let chosen = f.get("user_id");
        card.user_id = None;
        if !chosen.is_empty() {
            let members = dir::members(&mut conn, id).await?;
            match Uuid::parse_str(&chosen) {
                Ok(u) if members.iter().any(|(m, _)| *m == u) => card.user_id = Some(u),
                _ => errors.add("user_id", tr.t("error-choose")),
            }
        }
    }
    errors.required(tr, "name", &card.name, 100);
    errors.max_chars(tr, "job_title", &card.job_title, 100);
    errors.max_chars(tr, "qualifications", &card.qualifications, 300);
    errors.max_chars(tr, "introduction", &card.introduction, 1000);
    no_markup(
        tr,
        &mut errors,
        &[
            ("name", &card.name),
            ("job_title", &card.job_title),
            ("qualifications", &card.qualifications),
            ("introduction", &card.introduction),
        ],
    );
    let processed = match upload {
        Some(bytes) => {
            let result = tokio::task::spawn_blocking(move || photo::process(&bytes))
                .await
                .map_err(|e| AppError::Internal(e.into()))?;
            match result {
                Ok(photo) => Some(photo),
                Err(e) => {
                    errors.add("photo", tr.t(e.message_key()));
                    None
                }
            }
        }
        None => None,
    };
    if !errors.is_empty() {
        if processed.is_some() {
            // a browser cannot put a chosen file back into the form
            errors.add("photo", tr.t("photo-choose-again"));
        }
        let page = staff_page(&mut conn, &auth, &p, card, item.is_none(), errors).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let mut tx = conn.begin().await?;
    dir::save_staff(&mut tx, &card).await?;
    if let Some(photo) = &processed {
        dir::set_photo(&mut tx, card.id, photo.content_type, &photo.bytes).await?;
        audit(&mut tx, &auth, "directory.photo.save", card.id, Outcome::Ok).await?;
    } else if !f.get("remove_photo").is_empty() {
        dir::remove_photo(&mut tx, card.id).await?;
        audit(
            &mut tx,
            &auth,
            "directory.photo.remove",
            card.id,
            Outcome::Ok,
        )
        .await?;
    }
    audit(&mut tx, &auth, "directory.staff.save", card.id, Outcome::Ok).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/agencies/{id}#staff")).into_response())
}

/// A staff photo, for signed-in users only. Its URL carries the photo's hash, so a browser may
/// keep it for good; a stale URL still works but is revalidated.
async fn photo(
    State(state): State<AppState>,
    _auth: Auth,
    Path((id, item)): Path<(Uuid, Uuid)>,
    Query(q): Query<Pairs>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let photo = dir::photo(&mut conn, id, item)
        .await?
        .ok_or(AppError::NotFound)?;
    let etag = format!("\"{}\"", photo.sha256);
    let cache = if q.get("v") == photo.sha256 {
        "private, max-age=31536000, immutable"
    } else {
        "private, no-cache"
    };
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag);
    if matches {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag),
                (header::CACHE_CONTROL, cache.to_string()),
            ],
        )
            .into_response());
    }
    Ok((
        [
            (header::CONTENT_TYPE, photo.content_type),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, cache.to_string()),
        ],
        photo.bytes,
    )
        .into_response())
}
