//! 支援レポート (the monthly support report of the retention service): the case's reports, a
//! draft started for a month that has ended (prefilled from that month's entries the employer
//! may see), its versions, the issue to the employer, the employer's 「確認しました」, the A4
//! print; and the hand-over before the service ends (支援体制構築). The retention office writes;
//! the employer reads issued reports; to anyone else a report URL is not found.

use super::extract::Auth;
use super::form::Pairs;
use crate::access::{self, policy, CaseScope, Need, Refusal, ReportScope};
use crate::area;
use crate::db::{self, reports::Content};
use crate::domain::dates::{self, parse_date};
use crate::domain::kinds::AgencyKind;
use crate::domain::report::{self, State, Step};
use crate::error::{AppError, AppResult};
use crate::http::flash::{self, Flash};
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::i18n::Tr;
use crate::views::reports::*;
use crate::views::{Choice, Errors};
use axum::extract::{Path, Query, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{Datelike, NaiveDate};
use sqlx::PgConnection;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/reports", get(index).post(create))
        .route("/cases/{id}/reports/new", get(new_form))
        .route("/cases/{id}/reports/handover", post(record_handover))
        .route("/cases/{id}/reports/{report}", get(show))
        .route("/cases/{id}/reports/{report}/print", get(print))
        .route("/cases/{id}/reports/{report}/versions", post(save_version))
        .route("/cases/{id}/reports/{report}/issue", post(issue))
        .route(
            "/cases/{id}/reports/{report}/acknowledge",
            post(acknowledge),
        )
}

const SUMMARY_MAX: usize = 5000;

async fn person_name(conn: &mut PgConnection, case: &CaseScope) -> AppResult<(String, String)> {
    let h = db::cases::header(conn, case.reader())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        format!("{} {}", h.family_name, h.given_name),
        format!("{} {}", h.family_kana, h.given_kana),
    ))
}

fn acting_kind(auth: &Auth) -> AgencyKind {
    auth.user
        .acting
        .as_ref()
        .map(|m| m.agency_kind)
        .unwrap_or(AgencyKind::Other)
}

fn may_write(auth: &Auth, case: &CaseScope) -> bool {
    policy::may_write_reports(acting_kind(auth), case.access())
}

fn month_label(tr: Tr, month: NaiveDate) -> String {
    tr.targs(
        "report-month-label",
        &[("year", &month.year()), ("month", &month.month())],
    )
}

fn month_value(month: NaiveDate) -> String {
    format!("{}-{:02}", month.year(), month.month())
}

/// The retention service's dates of the case: (start, end).
async fn service_dates(
    conn: &mut PgConnection,
    case: &CaseScope,
) -> AppResult<(Option<NaiveDate>, Option<NaiveDate>)> {
    Ok(db::tasks::phase_dates(conn, case)
        .await?
        .map(|d| (d.retention_start_on, d.retention_end_on))
        .unwrap_or((None, None)))
}

// ---- the case's reports and the hand-over -----------------------------------------------------

async fn index_page(
    conn: &mut PgConnection,
    auth: &Auth,
    case: &CaseScope,
    chosen_month: &str,
    handover_form: Option<HandoverForm>,
    errors: Errors,
) -> AppResult<ReportsPage> {
    let tr = auth.ctx.tr;
    let today = dates::today_tokyo();
    let (name, _) = person_name(conn, case).await?;
    let rows = db::reports::list(conn, case).await?;
    let (start, end) = service_dates(conn, case).await?;
    let may_write = may_write(auth, case);
    let employer = access::report::employer_reader(conn, case).await?;
    let own: Vec<NaiveDate> = rows
        .iter()
        .filter(|r| r.agency_id == case.agency_id())
        .map(|r| r.month)
        .collect();
    let months = report::ended_months(today, start, end)
        .into_iter()
        .filter(|m| !own.contains(m))
        .map(|m| Choice::new(&month_value(m), month_label(tr, m), chosen_month))
        .collect();
    let handover = match end {
        Some(end) if may_write || case.access().can_manage() => {
            let (h, rows) = area::reports::handover(conn, case, end, today).await?;
            let (status, alert) = area::reports::handover_status(tr, h, end);
            let form = match handover_form {
                Some(f) => f,
                None => HandoverForm {
                    to: handover_choices(conn, case, "").await?,
                    started_on: today.to_string(),
                    shared: String::new(),
                },
            };
            Some(HandoverView {
                status,
                alert,
                rows,
                may_record: may_write,
                form,
            })
        }
        _ => None,
    };
    Ok(ReportsPage {
        layout: auth.ctx.layout("report-title"),
        case_id: case.case_id(),
        name,
        reports: rows
            .iter()
            .map(|r| ReportItem {
                id: r.id,
                month: month_label(tr, r.month),
                agency_name: r.agency_name.clone(),
                employer_name: r.employer_name.clone(),
                state_key: r.state().label_key(),
                issued_on: r.issued_on,
                acknowledged_at: r.acknowledged_at,
                awaiting: r.state() == State::Issued && r.agency_id != case.agency_id(),
            })
            .collect(),
        may_write,
        no_employer: employer.is_none(),
        months,
        handover,
        errors,
    })
}

async fn handover_choices(
    conn: &mut PgConnection,
    case: &CaseScope,
    selected: &str,
) -> AppResult<Vec<Choice>> {
    Ok(db::reports::handover_targets(conn, case)
        .await?
        .into_iter()
        .map(|t| Choice::new(&t.agency_id.to_string(), t.name, selected))
        .collect())
}

async fn index(
    AxState(state): AxState<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let case = access::case::view(
        &mut conn,
        &auth.who(&state.refusals),
        id,
        Need::Read,
        "case.reports.view",
        None,
    )
    .await?;
    let page = index_page(&mut conn, &auth, &case, "", None, Errors::default()).await?;
    Ok(render(&page)?.into_response())
}

// ---- a new report -------------------------------------------------------------------------------

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct MonthQuery {
    month: String,
}

/// The month asked for, checked: it has ended, it lies in the retention service, the acting
/// agency has no report of it yet, and the case has an employer to write for. The reader for
/// whom the draft is prefilled (the employer) comes with it.
async fn check_month(
    conn: &mut PgConnection,
    tr: Tr,
    case: &CaseScope,
    text: &str,
    errors: &mut Errors,
) -> AppResult<Option<(NaiveDate, access::Reader)>> {
    let Some(month) = report::parse_month(text) else {
        errors.add("month", tr.t("report-month-choose"));
        return Ok(None);
    };
    let (start, end) = service_dates(conn, case).await?;
    if let Err(r) = report::check_month(month, dates::today_tokyo(), start, end) {
        errors.add("month", tr.t(r.message_key()));
        return Ok(None);
    }
    let taken = db::reports::list(conn, case)
        .await?
        .iter()
        .any(|r| r.agency_id == case.agency_id() && r.month == month);
    if taken {
        errors.add("month", tr.t("report-month-taken"));
        return Ok(None);
    }
    let Some(employer) = access::report::employer_reader(conn, case).await? else {
        errors.add("month", tr.t("report-no-employer"));
        return Ok(None);
    };
    Ok(Some((month, employer)))
}

async fn employer_name(conn: &mut PgConnection, employer: access::Reader) -> AppResult<String> {
    Ok(db::agencies::get(conn, employer.agency_id())
        .await?
        .map(|a| a.name)
        .unwrap_or_default())
}

async fn new_form(
    AxState(state): AxState<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<MonthQuery>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut conn = state.db.acquire().await?;
    let who = auth.who(&state.refusals);
    let case = access::case::open(&mut conn, &who, id, Need::Write, "report.create").await?;
    if !may_write(&auth, &case) {
        return Err(case.refuse(&who, "report.create").await.into());
    }
    let mut errors = Errors::default();
    let Some((month, employer)) = check_month(&mut conn, tr, &case, &q.month, &mut errors).await?
    else {
        let page = index_page(&mut conn, &auth, &case, &q.month, None, errors).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let activity = area::reports::activity_draft(&mut conn, tr, &case, employer, month).await?;
    let (name, _) = person_name(&mut conn, &case).await?;
    let page = NewReportPage {
        layout: auth.ctx.layout("report-title"),
        case_id: id,
        name,
        month_label: month_label(tr, month),
        employer_name: employer_name(&mut conn, employer).await?,
        form: ReportForm {
            month: month_value(month),
            activity,
            ..ReportForm::default()
        },
        errors,
    };
    case.record(&mut conn, &who, "case.reports.view", None)
        .await?;
    Ok(render(&page)?.into_response())
}

fn read_form(f: &Pairs) -> ReportForm {
    ReportForm {
        month: f.get("month"),
        activity: f.get("activity"),
        situation: f.get("situation"),
        support: f.get("support"),
        requests: f.get("requests"),
        next_steps: f.get("next_steps"),
    }
}

/// The summary fields are required; every field has its maximum.
fn check_content(tr: Tr, form: &ReportForm, errors: &mut Errors) -> Content {
    errors.max_chars(tr, "activity", &form.activity, area::reports::ACTIVITY_MAX);
    errors.required(tr, "situation", &form.situation, SUMMARY_MAX);
    errors.required(tr, "support", &form.support, SUMMARY_MAX);
    errors.required(tr, "requests", &form.requests, SUMMARY_MAX);
    errors.required(tr, "next_steps", &form.next_steps, SUMMARY_MAX);
    Content {
        activity: form.activity.trim_end().to_string(),
        situation: form.situation.trim().to_string(),
        support: form.support.trim().to_string(),
        requests: form.requests.trim().to_string(),
        next_steps: form.next_steps.trim().to_string(),
    }
}

async fn create(
    AxState(state): AxState<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let action = "report.create";
    let mut tx = state.db.begin().await?;
    let who = auth.who(&state.refusals);
    let case = access::case::open(&mut tx, &who, id, Need::Write, action).await?;
    if !may_write(&auth, &case) {
        return Err(case.refuse(&who, action).await.into());
    }
    let form = read_form(&f);
    let mut errors = Errors::default();
    let checked = check_month(&mut tx, tr, &case, &form.month, &mut errors).await?;
    let content = check_content(tr, &form, &mut errors);
    let created = match checked.filter(|_| errors.is_empty()) {
        Some((month, employer)) => db::reports::create(&mut tx, &case, employer, month).await?,
        None => None,
    };
    let Some(report_id) = created else {
        if errors.is_empty() {
            errors.add("month", tr.t("report-month-taken"));
        }
        let month = report::parse_month(&form.month);
        let employer = access::report::employer_reader(&mut tx, &case).await?;
        let (name, _) = person_name(&mut tx, &case).await?;
        let page = NewReportPage {
            layout: auth.ctx.layout("report-title"),
            case_id: id,
            name,
            month_label: month
                .map(|m| month_label(tr, m))
                .unwrap_or_else(|| form.month.clone()),
            employer_name: match employer {
                Some(e) => employer_name(&mut tx, e).await?,
                None => String::new(),
            },
            form,
            errors,
        };
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let scope = access::report::open(&mut tx, &who, case.clone(), report_id, action).await?;
    db::reports::save_version(&mut tx, &scope, &content)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a new report without its version")))?;
    case.record(&mut tx, &who, action, Some(report_id)).await?;
    tx.commit().await?;
    Ok(flash::redirect(
        &format!("/cases/{id}/reports/{report_id}"),
        Flash::Saved,
    ))
}

// ---- one report -----------------------------------------------------------------------------

async fn report_page(
    conn: &mut PgConnection,
    auth: &Auth,
    scope: &ReportScope,
    form: Option<ReportForm>,
    errors: Errors,
) -> AppResult<ReportPage> {
    let tr = auth.ctx.tr;
    let (name, _) = person_name(conn, scope.case()).await?;
    let r = db::reports::get(conn, scope).await?;
    let state = r.state();
    let version = db::reports::current(conn, scope).await?;
    let versions = db::reports::versions(conn, scope).await?;
    let form = form.unwrap_or_else(|| match &version {
        Some(v) => ReportForm {
            month: month_value(r.month),
            activity: v.activity.clone(),
            situation: v.situation.clone(),
            support: v.support.clone(),
            requests: v.requests.clone(),
            next_steps: v.next_steps.clone(),
        },
        None => ReportForm::default(),
    });
    let label = month_label(tr, r.month);
    Ok(ReportPage {
        layout: auth.ctx.layout_titled(format!(
            "{} — {}",
            tr.t1("report-of-month", "month", &label),
            name
        )),
        case_id: scope.case_id(),
        report_id: scope.report_id(),
        name,
        month_label: label,
        agency_name: r.agency_name.clone(),
        employer_name: r.employer_name.clone(),
        state_key: state.label_key(),
        own: scope.is_own(),
        issued_on: r.issued_on,
        issued_by_name: r.issued_by_name.clone(),
        acknowledged_at: r.acknowledged_at,
        acknowledged_by_name: r.acknowledged_by_name.clone(),
        version,
        versions,
        may_edit: scope.may_edit() && report::allows(state, Step::SaveDraft),
        may_acknowledge: scope.may_acknowledge() && report::allows(state, Step::Acknowledge),
        awaiting: state == State::Issued,
        form,
        errors,
    })
}

/// Opens the case and the report for reading, recording the view.
async fn open_for_view(
    conn: &mut PgConnection,
    state: &AppState,
    auth: &Auth,
    id: Uuid,
    report_id: Uuid,
    action: &'static str,
) -> AppResult<ReportScope> {
    let who = auth.who(&state.refusals);
    let case = access::case::open(conn, &who, id, Need::Read, action).await?;
    let scope = access::report::open(conn, &who, case, report_id, action).await?;
    who.ok(conn, action, Some(id), Some(report_id)).await?;
    Ok(scope)
}

/// Opens the case and the report for a step: an agency on the team that reads the report.
async fn open_for_step(
    conn: &mut PgConnection,
    state: &AppState,
    auth: &Auth,
    id: Uuid,
    report_id: Uuid,
    action: &'static str,
) -> AppResult<ReportScope> {
    let who = auth.who(&state.refusals);
    let case = access::case::open(conn, &who, id, Need::Write, action).await?;
    Ok(access::report::open(conn, &who, case, report_id, action).await?)
}

/// The writing office's steps: anyone else (the employer) is refused.
async fn office_only(
    state: &AppState,
    auth: &Auth,
    scope: &ReportScope,
    action: &'static str,
) -> AppResult<()> {
    if scope.may_edit() {
        return Ok(());
    }
    Err(auth
        .who(&state.refusals)
        .refuse(
            action,
            Some(scope.case_id()),
            Some(scope.report_id()),
            Refusal::Forbidden,
        )
        .await
        .into())
}

async fn show(
    AxState(state): AxState<AppState>,
    auth: Auth,
    Path((id, report_id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let scope = open_for_view(&mut conn, &state, &auth, id, report_id, "report.view").await?;
    let page = report_page(&mut conn, &auth, &scope, None, Errors::default()).await?;
    Ok(render(&page)?.into_response())
}

/// A step taken in a state that does not allow it: the page with a message by the form.
async fn out_of_turn(
    conn: &mut PgConnection,
    auth: &Auth,
    scope: &ReportScope,
    field: &'static str,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    errors.add(field, auth.ctx.tr.t("report-step-not-now"));
    let page = report_page(conn, auth, scope, None, errors).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

async fn save_version(
    AxState(state): AxState<AppState>,
    auth: Auth,
    Path((id, report_id)): Path<(Uuid, Uuid)>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let action = "report.version.save";
    let mut tx = state.db.begin().await?;
    let scope = open_for_step(&mut tx, &state, &auth, id, report_id, action).await?;
    office_only(&state, &auth, &scope, action).await?;
    let r = db::reports::get(&mut tx, &scope).await?;
    if !report::allows(r.state(), Step::SaveDraft) {
        return out_of_turn(&mut tx, &auth, &scope, "step").await;
    }
    let mut form = read_form(&f);
    form.month = month_value(r.month);
    let mut errors = Errors::default();
    let content = check_content(tr, &form, &mut errors);
    if !errors.is_empty() {
        let page = report_page(&mut tx, &auth, &scope, Some(form), errors).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let Some(version) = db::reports::save_version(&mut tx, &scope, &content).await? else {
        return out_of_turn(&mut tx, &auth, &scope, "step").await;
    };
    auth.who(&state.refusals)
        .ok(&mut tx, action, Some(id), Some(version))
        .await?;
    tx.commit().await?;
    Ok(flash::redirect(
        &format!("/cases/{id}/reports/{report_id}"),
        Flash::Saved,
    ))
}

async fn issue(
    AxState(state): AxState<AppState>,
    auth: Auth,
    Path((id, report_id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let action = "report.issue";
    let mut tx = state.db.begin().await?;
    let scope = open_for_step(&mut tx, &state, &auth, id, report_id, action).await?;
    office_only(&state, &auth, &scope, action).await?;
    let r = db::reports::get(&mut tx, &scope).await?;
    if !report::allows(r.state(), Step::Issue) {
        return out_of_turn(&mut tx, &auth, &scope, "step").await;
    }
    let today = dates::today_tokyo();
    match area::reports::issue(&mut tx, &state.settings.mail, &scope, today).await? {
        Ok(_) => {}
        Err(area::reports::NotIssued::OutOfTurn) => {
            return out_of_turn(&mut tx, &auth, &scope, "step").await;
        }
        Err(area::reports::NotIssued::NoConsent) => {
            // nothing is written and the transaction rolls back: the refusal keeps its own row
            let _ = auth
                .who(&state.refusals)
                .refuse(action, Some(id), Some(report_id), Refusal::Forbidden)
                .await;
            let mut errors = Errors::default();
            errors.add("issue", auth.ctx.tr.t("report-issue-no-consent"));
            let page = report_page(&mut tx, &auth, &scope, None, errors).await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    }
    auth.who(&state.refusals)
        .ok(&mut tx, action, Some(id), Some(report_id))
        .await?;
    tx.commit().await?;
    Ok(flash::redirect(
        &format!("/cases/{id}/reports/{report_id}"),
        Flash::Sent,
    ))
}

async fn acknowledge(
    AxState(state): AxState<AppState>,
    auth: Auth,
    Path((id, report_id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let action = "report.acknowledge";
    let mut tx = state.db.begin().await?;
    let scope = open_for_step(&mut tx, &state, &auth, id, report_id, action).await?;
    if !scope.is_employer() {
        // the writing office reads the report but is not the one to acknowledge it: the
        // refusal is audited, the page says why, nothing is written
        let _ = auth
            .who(&state.refusals)
            .refuse(action, Some(id), Some(report_id), Refusal::Forbidden)
            .await;
        let mut errors = Errors::default();
        errors.add("acknowledge", tr.t("report-ack-not-employer"));
        let page = report_page(&mut tx, &auth, &scope, None, errors).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let r = db::reports::get(&mut tx, &scope).await?;
    if !report::allows(r.state(), Step::Acknowledge)
        || !db::reports::acknowledge(&mut tx, &scope).await?
    {
        return out_of_turn(&mut tx, &auth, &scope, "acknowledge").await;
    }
    auth.who(&state.refusals)
        .ok(&mut tx, action, Some(id), Some(report_id))
        .await?;
    tx.commit().await?;
    Ok(flash::redirect(
        &format!("/cases/{id}/reports/{report_id}"),
        Flash::Recorded,
    ))
}

#[derive(serde::Deserialize)]
struct PrintQuery {
    version: Option<String>,
}

async fn print(
    AxState(state): AxState<AppState>,
    auth: Auth,
    Path((id, report_id)): Path<(Uuid, Uuid)>,
    Query(q): Query<PrintQuery>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut conn = state.db.acquire().await?;
    let scope = open_for_view(&mut conn, &state, &auth, id, report_id, "report.print").await?;
    let version = match q.version.as_deref().map(Uuid::parse_str) {
        Some(Ok(v)) => db::reports::version(&mut conn, &scope, v).await?,
        Some(Err(_)) => None,
        None => db::reports::current(&mut conn, &scope).await?,
    }
    .ok_or(AppError::NotFound)?;
    let r = db::reports::get(&mut conn, &scope).await?;
    let (name, kana) = person_name(&mut conn, scope.case()).await?;
    let issued = r.issued_version_id == Some(version.id);
    let label = month_label(tr, r.month);
    let page = ReportPrint {
        layout: auth.ctx.layout_titled(format!(
            "{} — {}",
            tr.t1("report-of-month", "month", &label),
            name
        )),
        case_id: id,
        report_id,
        name,
        kana,
        office: r.agency_name.clone(),
        employer: r.employer_name.clone(),
        month_label: label,
        issued_on: r.issued_on.filter(|_| issued).map(dates::wareki),
        acknowledged: match (issued, r.acknowledged_at, r.acknowledged_by_name.clone()) {
            (true, Some(at), Some(who)) => Some((tr.datetime(&at), who)),
            _ => None,
        },
        v: version,
    };
    Ok(render(&page)?.into_response())
}

// ---- 支援体制構築 --------------------------------------------------------------------------------

async fn record_handover(
    AxState(state): AxState<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let action = "handover.record";
    let today = dates::today_tokyo();
    let mut tx = state.db.begin().await?;
    let who = auth.who(&state.refusals);
    let case = access::case::open(&mut tx, &who, id, Need::Write, action).await?;
    if !may_write(&auth, &case) {
        return Err(case.refuse(&who, action).await.into());
    }
    let mut errors = Errors::default();
    let to_text = f.get("to_agency_id");
    let targets = db::reports::handover_targets(&mut tx, &case).await?;
    let target = targets.iter().find(|t| t.agency_id.to_string() == to_text);
    let consent = match target {
        None => {
            errors.add("to_agency_id", tr.t("error-choose"));
            None
        }
        Some(t) if t.consent_id.is_none() => {
            errors.add(
                "to_agency_id",
                tr.t1("handover-no-consent", "agency", &t.name),
            );
            None
        }
        Some(t) => t.consent_id.map(|k| (t.agency_id, k)),
    };
    let started_text = f.get("started_on");
    let started_on = match parse_date(&started_text) {
        None => {
            errors.add("started_on", tr.t("error-date"));
            None
        }
        Some(d) if d > today => {
            errors.add("started_on", tr.t("error-date-future"));
            None
        }
        Some(d) => Some(d),
    };
    let shared = f.get("shared");
    errors.required(tr, "shared", &shared, SUMMARY_MAX);
    if service_dates(&mut tx, &case).await?.1.is_none() {
        errors.add("started_on", tr.t("handover-no-end"));
    }
    if !errors.is_empty() {
        let form = HandoverForm {
            to: handover_choices(&mut tx, &case, &to_text).await?,
            started_on: started_text,
            shared,
        };
        let page = index_page(&mut tx, &auth, &case, "", Some(form), errors).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let (to, consent) = consent.expect("checked");
    let h = db::reports::record_handover(
        &mut tx,
        &case,
        to,
        consent,
        started_on.expect("checked"),
        shared.trim(),
    )
    .await?;
    case.record(&mut tx, &who, action, Some(h)).await?;
    tx.commit().await?;
    Ok(flash::redirect(
        &format!("/cases/{id}/reports#handover"),
        Flash::Recorded,
    ))
}
