//! Employment and retention (SPEC §2): phase changes with their dates, the legal timeline
//! computed from them and shown as a time line with today marked, the tasks it generates, the
//! monthly interview-and-report rule, and `/tasks`.

use super::export;
use super::extract::Auth;
use super::form::Pairs;
use crate::access::{CaseScope, Reader};
use crate::area::legal::milestones;
use crate::db;
use crate::db::tasks::PhaseDates;
use crate::domain::dates;
use crate::domain::dates::parse_date;
use crate::domain::kinds::AgencyKind;
use crate::domain::legal::{self, StartKind};
use crate::domain::message::{Message, Said};
use crate::error::{AppError, AppResult};
use crate::http::flash::{self, Flash};
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::i18n::Tr;
use crate::views::employment::{
    date_words, refusal_text, Intensity, LegalPage, MonthCheck, PhaseForm, TaskEditPage, TasksPage,
};
use crate::views::{Choice, Errors};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{Datelike, NaiveDate};
use sqlx::PgConnection;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/legal", get(page))
        .route("/cases/{id}/phase", post(change_phase))
        .route("/tasks", get(tasks))
        .route("/tasks.csv", get(tasks_csv))
        .route("/tasks.xlsx", get(tasks_xlsx))
        .route("/tasks/{id}", post(edit_task))
        .route("/tasks/{id}/done", post(finish_task))
}

/// The agency that provides the retention service: the lead if it is a retention office, else
/// the first retention office on the team, else the lead.
async fn retention_office(
    conn: &mut PgConnection,
    case: &CaseScope,
    lead: Uuid,
) -> AppResult<Uuid> {
    let team = db::cases::team(conn, case).await?;
    let kind = AgencyKind::RetentionOffice.as_str();
    Ok(team
        .iter()
        .find(|m| m.agency_id == lead && m.kind == kind)
        .or_else(|| team.iter().find(|m| m.left_on.is_none() && m.kind == kind))
        .map(|m| m.agency_id)
        .unwrap_or(lead))
}

/// Months of the retention service (up to today) with or without an interview with the person
/// and an issued support report; the months lacking either are flagged on the page.
async fn monthly_checks(
    conn: &mut PgConnection,
    case: &CaseScope,
    d: &PhaseDates,
    today: NaiveDate,
) -> AppResult<Vec<MonthCheck>> {
    let reader = case.reader();
    let Some(start) = d.retention_start_on else {
        return Ok(vec![]);
    };
    let until = d.retention_end_on.map(|e| e.min(today)).unwrap_or(today);
    let rows = db::entries::monthly_interviews(
        conn,
        reader,
        crate::domain::dates::tokyo_noon(start) - chrono::Duration::hours(12),
    )
    .await?;
    // the report of a month is an issued 支援レポート (not a flag on an entry)
    let issued = db::reports::issued_months(conn, case).await?;
    let mut months = vec![];
    let mut month =
        NaiveDate::from_ymd_opt(start.year(), start.month(), 1).expect("first of month");
    while month <= until {
        let found = rows.iter().find(|(m, _)| *m == month);
        months.push(MonthCheck {
            month: format!("{}/{:02}", month.year(), month.month()),
            interview: found.is_some_and(|r| r.1),
            report: issued.contains(&month),
            in_progress: !dates::month_has_ended(month, today),
        });
        month = dates::add_months_clamped(month, 1);
    }
    months.reverse();
    Ok(months)
}

/// Contacts and visits per month per writing agency over the last two years, among the entries
/// the acting agency may see.
async fn intensity(conn: &mut PgConnection, reader: Reader) -> AppResult<Option<Intensity>> {
    let rows = db::entries::contacts_per_month(conn, reader).await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut months: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    months.dedup();
    let mut agencies: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
    agencies.sort();
    agencies.dedup();
    let max = rows.iter().map(|r| r.2).max().unwrap_or(1).max(1);
    let slot = 520.0 / months.len() as f64;
    let bar = (slot * 0.8 / agencies.len() as f64).max(1.0);
    let bars = rows
        .iter()
        .map(|(month, name, n)| {
            let m = months.iter().position(|x| x == month).unwrap_or(0);
            let a = agencies.iter().position(|x| x == name).unwrap_or(0);
            let h = 120.0 * *n as f64 / max as f64;
            let x = 30.0 + m as f64 * slot + slot * 0.1 + a as f64 * bar;
            (
                format!("{x:.1}"),
                format!("{:.1}", 130.0 - h),
                format!("{bar:.1}"),
                format!("{h:.1}"),
                format!("c{}", a % 6),
                format!("{month} {name}: {n}"),
            )
        })
        .collect();
    let every = months.len().div_ceil(8).max(1);
    Ok(Some(Intensity {
        bars,
        months: months
            .iter()
            .enumerate()
            .filter(|(i, _)| i % every == 0)
            .map(|(i, m)| {
                (
                    format!("{:.1}", 30.0 + i as f64 * slot),
                    m.replace('-', "/"),
                )
            })
            .collect(),
        legend: agencies
            .into_iter()
            .enumerate()
            .map(|(i, a)| (format!("c{}", i % 6), a))
            .collect(),
        max,
    }))
}

fn phase_choices(tr: Tr, selected: &str) -> Vec<Choice> {
    ["training", "employed", "retention", "follow_up", "closed"]
        .iter()
        .map(|p| Choice::new(p, tr.t(format!("phase-{p}")), selected))
        .collect()
}

fn kind_choices(tr: Tr, selected: &str) -> Vec<Choice> {
    ["ordinary", "hours_extension", "return_to_work"]
        .iter()
        .map(|k| Choice::new(k, tr.t(format!("start-kind-{k}")), selected))
        .collect()
}

fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

async fn legal_page(
    conn: &mut PgConnection,
    auth: &Auth,
    case: &CaseScope,
    form: Option<PhaseForm>,
    errors: Errors,
) -> AppResult<LegalPage> {
    let tr = auth.ctx.tr;
    let _agency = case.actor().agency_id();
    let header = db::cases::header(conn, case.reader())
        .await?
        .ok_or(AppError::NotFound)?;
    let d = db::tasks::phase_dates(conn, case)
        .await?
        .ok_or(AppError::NotFound)?;
    let team = db::cases::team(conn, case).await?;
    let job_coach_from = team
        .iter()
        .find(|m| m.kind == AgencyKind::VocationalCenter.as_str() && m.left_on.is_none())
        .map(|m| m.joined_on);
    let today = dates::today_tokyo();
    let (milestones, notices) = milestones(tr, &d, job_coach_from, today);
    let months = monthly_checks(conn, case, &d, today).await?;
    let mut notices = notices;
    // the service-end countdown says where the hand-over (支援体制構築) stands
    if let Some((words, _)) = crate::area::reports::handover_words(conn, tr, case, Some(&d)).await?
    {
        notices.push(words);
    }
    let intensity = intensity(conn, case.reader()).await?;
    let tasks = db::tasks::for_case(conn, case).await?;
    let form = form.unwrap_or_else(|| PhaseForm {
        phase: d.phase.clone(),
        training_started_on: date_text(d.training_started_on),
        hired_on: date_text(d.hired_on),
        start_kind: d.start_kind.clone().unwrap_or_else(|| "ordinary".into()),
        transition_ended_on: date_text(d.transition_ended_on),
        returned_on: date_text(d.returned_on),
        retention_start_on: date_text(d.retention_start_on),
        retention_end_on: date_text(d.retention_end_on),
        follow_up_on: date_text(d.follow_up_on),
        closed_on: date_text(d.closed_on),
        reason: String::new(),
    });
    let earlier = legal::PHASE_ORDER
        .iter()
        .filter(|p| legal::is_backwards(&d.phase, p))
        .map(|p| p.to_string())
        .collect();
    Ok(LegalPage {
        layout: auth.ctx.layout("legal-title"),
        case_id: case.case_id(),
        name: format!("{} {}", header.family_name, header.given_name),
        phase_key: header.phase_key(),
        milestones,
        today,
        notices,
        months,
        intensity,
        tasks,
        may_change: case.access().can_manage(),
        phases: phase_choices(tr, &form.phase),
        earlier,
        asks_reason: legal::is_backwards(&d.phase, &form.phase),
        retention_window: d.employment().map(|e| {
            tr.targs(
                "legal-retention-window-dates",
                &[
                    ("from", &date_words(tr, e.retention_earliest)),
                    ("to", &date_words(tr, e.retention_latest_end)),
                ],
            )
        }),
        kinds: kind_choices(tr, &form.start_kind),
        form,
        errors,
    })
}

async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let case = crate::access::case::open(
        &mut conn,
        &auth.who(&state.refusals),
        id,
        crate::access::Need::Read,
        "case.legal.view",
    )
    .await?;
    let page = legal_page(&mut conn, &auth, &case, None, Errors::default()).await?;
    auth.who(&state.refusals)
        .viewed(&mut conn, "case.legal.view", Some(id), None, &[])
        .await?;
    Ok(render(&page)?.into_response())
}

/// Reads the phase form into dates, with messages by the fields for what the rules refuse
/// (`legal::refused_dates`), and the reason a move back to an earlier phase needs.
fn check_phase(
    tr: Tr,
    f: &PhaseForm,
    current: &PhaseDates,
    birth: NaiveDate,
    errors: &mut Errors,
) -> PhaseDates {
    let mut d = current.clone();
    let mut date = |field: &'static str, text: &str, required: bool| -> Option<NaiveDate> {
        if text.trim().is_empty() {
            if required {
                errors.add(field, tr.t("error-required"));
            }
            return None;
        }
        let parsed = parse_date(text);
        if parsed.is_none() {
            errors.add(field, tr.t("error-date"));
        }
        parsed
    };
    d.phase = f.phase.clone();
    match f.phase.as_str() {
        "training" => {
            d.training_started_on = date("training_started_on", &f.training_started_on, true)
        }
        "employed" => {
            d.hired_on = date("hired_on", &f.hired_on, true);
            d.start_kind = StartKind::parse(&f.start_kind).map(|k| k.as_str().to_string());
            match d.start_kind.as_deref() {
                None => errors.add("start_kind", tr.t("error-choose")),
                Some("hours_extension") => {
                    d.transition_ended_on =
                        date("transition_ended_on", &f.transition_ended_on, true)
                }
                Some("return_to_work") => d.returned_on = date("returned_on", &f.returned_on, true),
                _ => {}
            }
        }
        "retention" => {
            d.retention_start_on = date("retention_start_on", &f.retention_start_on, true);
            d.retention_end_on = date("retention_end_on", &f.retention_end_on, false);
        }
        "follow_up" => d.follow_up_on = date("follow_up_on", &f.follow_up_on, true),
        "closed" => d.closed_on = date("closed_on", &f.closed_on, true),
        _ => errors.add("phase", tr.t("error-choose")),
    }
    for r in legal::refused_dates(&d, birth, dates::today_tokyo()) {
        if !errors.has(r.field) {
            errors.add(r.field, refusal_text(tr, &r));
        }
    }
    if legal::is_backwards(&current.phase, &d.phase) {
        if f.reason.trim().is_empty() {
            errors.add("reason", tr.t("legal-back-reason-required"));
        } else if crate::domain::text::char_len(f.reason.trim()) > 1000 {
            errors.add("reason", tr.t("error-too-long"));
        }
    }
    d
}

async fn change_phase(
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
        crate::access::Need::Manage,
        "case.phase",
    )
    .await?;
    let form = PhaseForm {
        phase: f.get("phase"),
        training_started_on: f.get("training_started_on"),
        hired_on: f.get("hired_on"),
        start_kind: f.get("start_kind"),
        transition_ended_on: f.get("transition_ended_on"),
        returned_on: f.get("returned_on"),
        retention_start_on: f.get("retention_start_on"),
        retention_end_on: f.get("retention_end_on"),
        follow_up_on: f.get("follow_up_on"),
        closed_on: f.get("closed_on"),
        reason: crate::domain::text::nfkc(&f.get("reason")),
    };
    let current = db::tasks::phase_dates(&mut tx, &case)
        .await?
        .ok_or(AppError::NotFound)?;
    let birth = db::cases::header(&mut tx, case.reader())
        .await?
        .ok_or(AppError::NotFound)?
        .birth_date;
    let mut errors = Errors::default();
    let dates = check_phase(tr, &form, &current, birth, &mut errors);
    if !errors.is_empty() {
        let page = legal_page(&mut tx, &auth, &case, Some(form), errors).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    db::tasks::save_phase(&mut tx, &case, &dates).await?;
    let reason = if legal::is_backwards(&current.phase, &dates.phase) {
        form.reason.trim()
    } else {
        ""
    };
    db::tasks::record_phase_change(&mut tx, &case, &current.phase, &dates.phase, reason).await?;
    let office = retention_office(&mut tx, &case, dates.lead_agency_id).await?;
    let wanted = crate::area::legal::wanted_tasks(&dates, office);
    db::tasks::regenerate(&mut tx, &case, &dates, &wanted).await?;
    // a service period that starts asks for its first support plan
    db::plans::sync_review_tasks(&mut tx, &case).await?;
    let when = match dates.phase.as_str() {
        "training" => dates.training_started_on,
        "employed" => dates.hired_on,
        "retention" => dates.retention_start_on,
        "follow_up" => dates.follow_up_on,
        _ => dates.closed_on,
    };
    let kind = dates
        .start_kind
        .as_ref()
        .filter(|_| dates.phase == "employed")
        .map(|k| format!("start-kind-{k}"));
    let key = match (when, &kind) {
        (Some(_), Some(_)) => "event-phase-kind",
        (Some(_), None) => "event-phase-on",
        (None, Some(_)) => "event-phase-kind-only",
        (None, None) => "legal-phase-event",
    };
    let mut message = Message::new(key).key("phase", format!("phase-{}", dates.phase));
    if let Some(w) = when {
        message = message.date("on", w);
    }
    if let Some(k) = kind {
        message = message.key("kind", k);
    }
    let mut said = Said::new().line(message);
    if !reason.is_empty() {
        said = said.line(Message::new("legal-back-reason-event").text("reason", reason));
    }
    db::entries::record_team_event(&mut tx, &case, "note", &said).await?;
    auth.who(&state.refusals)
        .ok(&mut tx, "case.phase", Some(id), None)
        .await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/cases/{id}/legal"), Flash::Saved))
}

async fn tasks_page(
    conn: &mut PgConnection,
    auth: &Auth,
    error: Option<String>,
) -> AppResult<TasksPage> {
    let (tasks, actions) = match auth.user.actor() {
        Some(actor) => {
            // everything open, however far off: the legal dates reach years ahead
            let horizon = dates::today_tokyo() + chrono::Duration::days(365 * 4);
            (
                db::tasks::open_for_agency(conn, actor, horizon, 200).await?,
                db::meetings::open_actions_for_agency(conn, actor, 200).await?,
            )
        }
        None => (vec![], vec![]),
    };
    Ok(TasksPage {
        layout: auth.ctx.layout("tasks-title"),
        error,
        tasks,
        actions,
    })
}

async fn tasks(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let page = tasks_page(&mut conn, &auth, None).await?;
    auth.who(&state.refusals)
        .viewed(&mut conn, "tasks.view", None, None, &[])
        .await?;
    Ok(render(&page)?.into_response())
}

const TASK_COLUMNS: &[&str] = &[
    "export-col-type",
    "action-due",
    "case-name",
    "action-owner",
    "action-what",
    "export-col-how",
    "action-state",
];

async fn tasks_csv(state: State<AppState>, auth: Auth) -> AppResult<Response> {
    tasks_export(state, auth, export::Format::Csv).await
}

async fn tasks_xlsx(state: State<AppState>, auth: Auth) -> AppResult<Response> {
    tasks_export(state, auth, export::Format::Xlsx).await
}

/// The tasks page as a file: the acting agency's open tasks and action items, as the page
/// lists them (the same queries), titles in the reader's words.
async fn tasks_export(
    State(state): State<AppState>,
    auth: Auth,
    format: export::Format,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut conn = state.db.acquire().await?;
    let page = tasks_page(&mut conn, &auth, None).await?;
    auth.who(&state.refusals)
        .viewed(&mut conn, "tasks.export", None, None, &[])
        .await?;
    drop(conn);
    let state_words = |status: &str, overdue: bool| {
        if status == "done" {
            tr.t("action-done")
        } else if overdue {
            tr.t("action-overdue")
        } else {
            tr.t("export-open")
        }
    };
    let mut rows: Vec<Vec<export::Cell>> = page
        .tasks
        .iter()
        .map(|t| {
            vec![
                export::Cell::text(tr.t("export-type-task")),
                export::Cell::Date(Some(t.due_on)),
                export::Cell::text(format!("{} {}", t.family_name, t.given_name)),
                export::Cell::text(&t.owner_agency_name),
                export::Cell::text(tr.task_title(t)),
                export::Cell::text(""),
                export::Cell::text(state_words(&t.status, t.overdue)),
            ]
        })
        .collect();
    rows.extend(page.actions.iter().map(|a| {
        let owner = match &a.owner_user_name {
            Some(u) => format!("{}（{u}）", a.owner_agency_name),
            None => a.owner_agency_name.clone(),
        };
        vec![
            export::Cell::text(tr.t("export-type-action")),
            export::Cell::Date(Some(a.due_on)),
            export::Cell::text(format!("{} {}", a.family_name, a.given_name)),
            export::Cell::text(owner),
            export::Cell::text(&a.what),
            export::Cell::text(&a.how),
            export::Cell::text(state_words(&a.status, a.overdue)),
        ]
    }));
    let sheet = export::Sheet::new(tr, "tasks", "tasks", None).columns(tr, TASK_COLUMNS);
    export::respond(&state.db, format, sheet, export::Once(Some(rows))).await
}

async fn edit_task(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let actor = auth.user.actor().ok_or(AppError::NotFound)?;
    let tr = auth.ctx.tr;
    let title = crate::domain::text::nfkc(&f.get("title"))
        .trim()
        .to_string();
    let due_text = f.get("due_on");
    let due = parse_date(&due_text);
    let back = super::extract::safe_back(&f.get("back")).to_string();
    let mut errors = Errors::default();
    errors.required(tr, "title", &title, 300);
    match due {
        None => errors.add("due_on", tr.t("error-date")),
        Some(d) => {
            if let Some(r) = legal::due_date_refusal(d, dates::today_tokyo()) {
                errors.add("due_on", refusal_text(tr, &r));
            }
        }
    }
    let mut tx = state.db.begin().await?;
    let (Some(due), true) = (due, errors.is_empty()) else {
        // the task's own form comes back, as typed, with the messages by the fields
        let Some(task) = db::tasks::open_for_owner(&mut tx, actor, id).await? else {
            return Err(AppError::NotFound);
        };
        let page = TaskEditPage {
            layout: auth.ctx.layout("task-edit-title"),
            task,
            title,
            due_on: due_text,
            back,
            errors,
        };
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let Some(task) = db::tasks::open_for_owner(&mut tx, actor, id).await? else {
        return Err(AppError::NotFound);
    };
    // the title as the form showed it (in this reader's language) is not a title of one's own
    let shown = crate::domain::text::nfkc(&auth.ctx.tr.task_title(&task));
    let typed = (title != shown).then_some(title.as_str());
    let Some(case_id) = db::tasks::edit(&mut tx, actor, id, typed, due).await? else {
        return Err(AppError::NotFound);
    };
    auth.who(&state.refusals)
        .ok(&mut tx, "task.edit", Some(case_id), Some(id))
        .await?;
    tx.commit().await?;
    Ok(flash::redirect(&back, Flash::Saved))
}

async fn finish_task(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let actor = auth.user.actor().ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let note = f.get("note");
    let case_id = match crate::area::done::task(&mut tx, actor, id, &note).await? {
        crate::area::done::Done::On(case_id) => case_id,
        crate::area::done::Done::NoteTooLong => {
            let page = crate::views::done::DoneNotePage::too_long(
                auth.ctx.layout("done-note-title"),
                auth.ctx.tr,
                format!("/tasks/{id}/done"),
                super::extract::safe_back(&f.get("back")),
                &note,
                crate::area::done::NOTE_MAX,
            );
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
        crate::area::done::Done::Nothing => return Err(AppError::NotFound),
    };
    auth.who(&state.refusals)
        .ok(&mut tx, "task.done", Some(case_id), Some(id))
        .await?;
    tx.commit().await?;
    Ok(flash::redirect(
        super::extract::safe_back(&f.get("back")),
        Flash::Done,
    ))
}
