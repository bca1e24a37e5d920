//! Daily self-reports (SPEC §8): the person enters their day on a phone with a limited account
//! (`/me/daily`), or staff enter it on their behalf (`/cases/{id}/daily`); the team sees a
//! 4-week trend, and three bad days in a row raise an alert on the case and the dashboard.

use super::extract::Auth;
use super::form::Pairs;
use crate::access::health::DailyCase;
use crate::access::{self, HealthScope, Need};
use crate::db::{self, audit::Outcome};
use crate::domain::dates::parse_date;
use crate::domain::{dates, password, text};
use crate::error::{AppError, AppResult};
use crate::http::flash::{self, Flash};
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::i18n::Tr;
use crate::views::daily::{DailyForm, DailyPage, Trend};
use crate::views::Errors;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me/daily", get(own_page).post(own_save))
        .route("/cases/{id}/daily", get(case_page).post(case_save))
        .route("/cases/{id}/participant-account", post(make_account))
        .route(
            "/cases/{id}/participant-account/password",
            post(reset_account),
        )
        .route(
            "/cases/{id}/participant-account/active",
            post(account_active),
        )
}

/// The paths a participant's limited account may use; everything else is not for them.
pub fn participant_may(path: &str) -> bool {
    matches!(
        path,
        "/me/daily"
            | "/logout"
            | "/lang"
            | "/account"
            | "/account/password"
            | "/healthz"
            | "/readyz"
    ) || path.starts_with("/static/")
}

pub fn trend(reports: &[crate::db::daily::ReportRow], today: NaiveDate) -> Trend {
    let x = |day: NaiveDate| 20.0 + (27 - (today - day).num_days()) as f64 * 19.0;
    let y = |mood: i16| 140.0 - (mood as f64 - 1.0) * 30.0;
    let points: Vec<(String, String, bool, String)> = reports
        .iter()
        .map(|r| {
            (
                format!("{:.1}", x(r.day)),
                format!("{:.1}", y(r.mood)),
                r.bad,
                format!("{} mood {}", dates::slash(r.day), r.mood),
            )
        })
        .collect();
    let line = points
        .iter()
        .map(|(x, y, _, _)| format!("{x},{y}"))
        .collect::<Vec<_>>()
        .join(" ");
    let ticks = (0..4)
        .map(|w| {
            let day = today - chrono::Duration::days(27 - w * 7);
            (format!("{:.1}", x(day)), day.format("%m/%d").to_string())
        })
        .collect();
    Trend {
        line,
        points,
        ticks,
    }
}

fn read_form(f: &Pairs) -> DailyForm {
    DailyForm {
        day: f.get("day"),
        sleep_hours: text::nfkc(&f.get("sleep_hours")),
        sleep_quality: f.get("sleep_quality"),
        medication_taken: f.get("medication_taken"),
        appetite: f.get("appetite"),
        fatigue_recovered: f.get("fatigue_recovered"),
        mood: f.get("mood"),
        note: f.get("note").trim().to_string(),
    }
}

fn today_form() -> DailyForm {
    DailyForm {
        day: dates::today_tokyo().to_string(),
        ..DailyForm::default()
    }
}

/// Checks the form; the report to store, or messages by the fields.
fn check(
    tr: Tr,
    f: &DailyForm,
    errors: &mut Errors,
) -> Option<(NaiveDate, f64, i16, bool, i16, bool, i16)> {
    let day = parse_date(&f.day);
    match day {
        None => errors.add("day", tr.t("error-date")),
        Some(d) if d > dates::today_tokyo() => errors.add("day", tr.t("daily-future")),
        _ => {}
    }
    let hours = f
        .sleep_hours
        .parse::<f64>()
        .ok()
        .filter(|h| (0.0..=24.0).contains(h));
    if hours.is_none() {
        errors.add("sleep_hours", tr.t("daily-hours"));
    }
    let scale = |field: &'static str, v: &str, errors: &mut Errors| {
        let n = v.parse::<i16>().ok().filter(|n| (1..=5).contains(n));
        if n.is_none() {
            errors.add(field, tr.t("retention-choose"));
        }
        n
    };
    let quality = scale("sleep_quality", &f.sleep_quality, errors);
    let appetite = scale("appetite", &f.appetite, errors);
    let mood = scale("mood", &f.mood, errors);
    let yes_no = |field: &'static str, v: &str, errors: &mut Errors| match v {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.add(field, tr.t("error-choose"));
            None
        }
    };
    let medication = yes_no("medication_taken", &f.medication_taken, errors);
    let fatigue = yes_no("fatigue_recovered", &f.fatigue_recovered, errors);
    errors.max_chars(tr, "note", &f.note, 1000);
    Some((
        day?,
        hours?,
        quality?,
        medication?,
        appetite?,
        fatigue?,
        mood?,
    ))
}

#[allow(clippy::too_many_arguments)]
async fn save_report(
    conn: &mut PgConnection,
    mail: &crate::config::MailSettings,
    tr: Tr,
    target: &impl DailyCase,
    user: Uuid,
    form: &DailyForm,
    errors: &mut Errors,
) -> AppResult<bool> {
    let Some((day, hours, quality, medication, appetite, fatigue, mood)) = check(tr, form, errors)
    else {
        return Ok(false);
    };
    if !errors.is_empty() {
        return Ok(false);
    }
    let report = db::daily::NewReport {
        day,
        sleep_hours: hours,
        sleep_quality: quality,
        medication_taken: medication,
        appetite,
        fatigue_recovered: fatigue,
        mood,
        note: &form.note,
        entered_by: user,
    };
    match db::daily::insert(conn, target, &report).await? {
        Some(_) => {
            // three bad days in a row: the lead's coordinators hear it, once per run
            if let Some(from) = db::daily::bad_run_start(conn, target, day).await? {
                crate::area::notify::bad_days(conn, mail, target, from).await?;
            }
            Ok(true)
        }
        None => {
            errors.add("day", tr.t("daily-twice"));
            Ok(false)
        }
    }
}

// ---- the person's own page ----------------------------------------------------------------------

/// What the person's form shows: the form as typed, a blank form for another day, or (when
/// today is already recorded) today's report to correct.
enum OwnForm {
    Typed(DailyForm, bool),
    New,
    Today,
}

async fn own_view(
    conn: &mut PgConnection,
    auth: &Auth,
    case_id: Uuid,
    shown: OwnForm,
    errors: Errors,
) -> AppResult<DailyPage> {
    let own = crate::access::OwnCase::of(&auth.user).ok_or(AppError::NotFound)?;
    debug_assert_eq!(own.case_id(), case_id);
    let reports = db::daily::recent_own(conn, own).await?;
    let today = dates::today_tokyo();
    let (form, correcting) = match shown {
        OwnForm::Typed(form, correcting) => (form, correcting),
        OwnForm::New => (today_form(), false),
        OwnForm::Today => match reports.iter().find(|r| r.day == today) {
            Some(r) => (report_form(r), true),
            None => (today_form(), false),
        },
    };
    Ok(DailyPage {
        layout: auth.ctx.layout("daily-title"),
        case_id: None,
        name: auth.user.display_name.clone(),
        trend: trend(&reports, dates::today_tokyo()),
        streak: db::daily::bad_streak(&reports),
        reports,
        can_write: true,
        may_make_account: false,
        form,
        errors,
        account_errors: Errors::default(),
        account_email: String::new(),
        account_done: false,
        account: None,
        account_notice: String::new(),
        correcting,
    })
}

fn report_form(r: &db::daily::ReportRow) -> DailyForm {
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
    DailyForm {
        day: r.day.to_string(),
        sleep_hours: r.sleep_hours.to_string(),
        sleep_quality: r.sleep_quality.to_string(),
        medication_taken: yes_no(r.medication_taken),
        appetite: r.appetite.to_string(),
        fatigue_recovered: yes_no(r.fatigue_recovered),
        mood: r.mood.to_string(),
        note: r.note.clone(),
    }
}

#[derive(serde::Deserialize)]
struct OwnQuery {
    #[serde(default)]
    new: String,
}

async fn own_page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<OwnQuery>,
) -> AppResult<Response> {
    let case_id = auth.user.participant_case_id.ok_or(AppError::NotFound)?;
    let mut conn = state.db.acquire().await?;
    let shown = if q.new.is_empty() {
        OwnForm::Today
    } else {
        OwnForm::New
    };
    let page = own_view(&mut conn, &auth, case_id, shown, Errors::default()).await?;
    auth.who(&state.refusals)
        .viewed(&mut conn, "daily.own.view", Some(case_id), None, &[])
        .await?;
    Ok(render(&page)?.into_response())
}

async fn own_save(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let own = access::OwnCase::of(&auth.user).ok_or(AppError::NotFound)?;
    let case_id = own.case_id();
    let tr = auth.ctx.tr;
    let form = read_form(&f);
    let correcting = f.get("correct") == "1";
    let mut errors = Errors::default();
    let mut tx = state.db.begin().await?;
    if correcting {
        // only today's report can be corrected; earlier days stay as they were
        let checked = check(tr, &form, &mut errors);
        if let Some((day, ..)) = checked {
            if day != dates::today_tokyo() {
                errors.add("day", tr.t("daily-correct-today-only"));
            }
        }
        let corrected = match checked.filter(|_| errors.is_empty()) {
            Some((day, hours, quality, medication, appetite, fatigue, mood)) => {
                let report = db::daily::NewReport {
                    day,
                    sleep_hours: hours,
                    sleep_quality: quality,
                    medication_taken: medication,
                    appetite,
                    fatigue_recovered: fatigue,
                    mood,
                    note: &form.note,
                    entered_by: auth.user.id,
                };
                db::daily::correct_today(&mut tx, own, &report).await?
            }
            None => None,
        };
        let Some(report_id) = corrected else {
            if errors.is_empty() {
                errors.add("day", tr.t("daily-correct-none"));
            }
            let page =
                own_view(&mut tx, &auth, case_id, OwnForm::Typed(form, true), errors).await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        };
        let mut event = auth.ctx.event("daily.correct");
        event.case_id = Some(case_id);
        event.target_id = Some(report_id);
        auth.ctx.audit(&mut tx, event, Outcome::Ok).await?;
        tx.commit().await?;
        return Ok(flash::redirect("/me/daily", Flash::Saved));
    }
    if !save_report(
        &mut tx,
        &state.settings.mail,
        tr,
        &own,
        auth.user.id,
        &form,
        &mut errors,
    )
    .await?
    {
        let page = own_view(&mut tx, &auth, case_id, OwnForm::Typed(form, false), errors).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let mut event = auth.ctx.event("daily.create");
    event.case_id = Some(case_id);
    auth.ctx.audit(&mut tx, event, Outcome::Ok).await?;
    tx.commit().await?;
    Ok(flash::redirect("/me/daily", Flash::Recorded))
}

// ---- staff: the case's reports --------------------------------------------------------------------

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct AccountQuery {
    account: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn case_view(
    conn: &mut PgConnection,
    auth: &Auth,
    health: &HealthScope,
    form: DailyForm,
    errors: Errors,
    account_errors: Errors,
    account_email: String,
    account_done: Option<String>,
) -> AppResult<DailyPage> {
    let case = health.case();
    let header = db::cases::header(conn, case.reader())
        .await?
        .ok_or(AppError::NotFound)?;
    let reports = db::daily::recent_for_agency(conn, health).await?;
    let account = if case.access().can_manage() {
        db::daily::participant_account(conn, health).await?
    } else {
        None
    };
    Ok(DailyPage {
        layout: auth.ctx.layout("daily-title"),
        case_id: Some(case.case_id()),
        name: format!("{} {}", header.family_name, header.given_name),
        trend: trend(&reports, dates::today_tokyo()),
        streak: db::daily::bad_streak(&reports),
        reports,
        can_write: case.access().can_write(),
        may_make_account: case.access().can_manage(),
        form,
        errors,
        account_errors,
        account_email,
        account_done: account_done.is_some(),
        account_notice: account_done.unwrap_or_default(),
        account,
        correcting: false,
    })
}

async fn case_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<AccountQuery>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let who = auth.who(&state.refusals);
    let case = access::case::open(&mut conn, &who, id, Need::Read, "case.daily.view").await?;
    let health = access::health::open(&mut conn, &who, case, "case.daily.view").await?;
    let page = case_view(
        &mut conn,
        &auth,
        &health,
        today_form(),
        Errors::default(),
        Errors::default(),
        String::new(),
        q.account.clone(),
    )
    .await?;
    auth.who(&state.refusals)
        .viewed(&mut conn, "case.daily.view", Some(id), None, &[])
        .await?;
    Ok(render(&page)?.into_response())
}

async fn case_save(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    let who = auth.who(&state.refusals);
    let case = access::case::open(&mut tx, &who, id, Need::Write, "daily.create").await?;
    let health = access::health::open(&mut tx, &who, case, "daily.create").await?;
    let form = read_form(&f);
    let mut errors = Errors::default();
    if !save_report(
        &mut tx,
        &state.settings.mail,
        auth.ctx.tr,
        &health,
        auth.user.id,
        &form,
        &mut errors,
    )
    .await?
    {
        let page = case_view(
            &mut tx,
            &auth,
            &health,
            form,
            errors,
            Errors::default(),
            String::new(),
            None,
        )
        .await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    auth.who(&state.refusals)
        .ok(&mut tx, "daily.create", Some(id), None)
        .await?;
    tx.commit().await?;
    Ok(flash::redirect(
        &format!("/cases/{id}/daily"),
        Flash::Recorded,
    ))
}

/// The lead agency's coordinator makes the person's limited account.
async fn make_account(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut tx = state.db.begin().await?;
    let who = auth.who(&state.refusals);
    let case = access::case::open(
        &mut tx,
        &who,
        id,
        Need::Manage,
        "participant_account.create",
    )
    .await?;
    let health = access::health::open(&mut tx, &who, case, "participant_account.create").await?;
    let case = health.case();
    let header = db::cases::header(&mut tx, case.reader())
        .await?
        .ok_or(AppError::NotFound)?;
    let email = text::email_key(&f.get("email"));
    let pw = f.get("password");
    let name = format!("{} {}", header.family_name, header.given_name);
    let mut errors = Errors::default();
    if !text::looks_like_email(&email) {
        errors.add("email", tr.t("error-email"));
    }
    if let Err(p) = password::check_new(&pw, &email, &name) {
        errors.add("password", tr.t(p.message_key()));
    }
    if errors.is_empty() {
        let hash = tokio::task::spawn_blocking(move || password::hash(&pw)).await?;
        match db::daily::create_participant_account(&mut tx, &health, &email, &name, &hash).await? {
            Some(user) => {
                auth.who(&state.refusals)
                    .ok(&mut tx, "participant_account.create", Some(id), Some(user))
                    .await?;
                tx.commit().await?;
                return Ok(Redirect::to(&format!("/cases/{id}/daily?account=made")).into_response());
            }
            None => errors.add("email", tr.t("user-email-taken")),
        }
    }
    let page = case_view(
        &mut tx,
        &auth,
        &health,
        today_form(),
        Errors::default(),
        errors,
        email,
        None,
    )
    .await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// The lead agency's coordinator sets a new password on the person's account.
async fn reset_account(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut tx = state.db.begin().await?;
    let who = auth.who(&state.refusals);
    let action = "participant_account.password";
    let case = access::case::open(&mut tx, &who, id, Need::Manage, action).await?;
    let health = access::health::open(&mut tx, &who, case, action).await?;
    let Some(account) = db::daily::participant_account(&mut tx, &health).await? else {
        return Err(who
            .refuse(action, Some(id), None, access::Refusal::NotFound)
            .await
            .into());
    };
    let header = db::cases::header(&mut tx, health.case().reader())
        .await?
        .ok_or(AppError::NotFound)?;
    let name = format!("{} {}", header.family_name, header.given_name);
    let pw = f.get("password");
    let mut errors = Errors::default();
    if let Err(p) = password::check_new(&pw, &account.email, &name) {
        errors.add("new_password", tr.t(p.message_key()));
    }
    if !errors.is_empty() {
        let page = case_view(
            &mut tx,
            &auth,
            &health,
            today_form(),
            Errors::default(),
            errors,
            String::new(),
            None,
        )
        .await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let hash = tokio::task::spawn_blocking(move || password::hash(&pw)).await?;
    db::daily::reset_participant_password(&mut tx, &health, &hash).await?;
    who.ok(&mut tx, action, Some(id), Some(account.id)).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/cases/{id}/daily?account=reset")).into_response())
}

/// The lead agency's coordinator turns the person's account off (her sessions end) or on.
async fn account_active(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    let who = auth.who(&state.refusals);
    let action = "participant_account.active";
    let case = access::case::open(&mut tx, &who, id, Need::Manage, action).await?;
    let health = access::health::open(&mut tx, &who, case, action).await?;
    let active = f.get("active") == "true";
    let Some(user) = db::daily::set_participant_active(&mut tx, &health, active).await? else {
        return Err(who
            .refuse(action, Some(id), None, access::Refusal::NotFound)
            .await
            .into());
    };
    who.ok(&mut tx, action, Some(id), Some(user)).await?;
    tx.commit().await?;
    let notice = if active { "on" } else { "off" };
    Ok(Redirect::to(&format!("/cases/{id}/daily?account={notice}")).into_response())
}
