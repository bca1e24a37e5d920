//! 個別支援計画 and its cycle (SPEC §13): the case's plans, one plan with the form of each step
//! (原案 → 担当者会議 → 本人の同意 → 交付 → モニタリング), the next plan started from the last one,
//! and the A4 print. The plan's own agency records the steps; an agency it was delivered to
//! under consent reads the delivered version; to anyone else a plan URL is not found.

use super::extract::Auth;
use super::form::Pairs;
use crate::access::{self, CaseScope, Need, PlanScope};
use crate::area;
use crate::db::{self, plans::SupportRow};
use crate::domain::dates::{self, parse_date, period_end};
use crate::domain::plan::{self, ConsentHow, Service, State, Step};
use crate::error::{AppError, AppResult};
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::i18n::Tr;
use crate::views::plans::*;
use crate::views::{Choice, Errors};
use axum::extract::{Path, Query, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/plans", get(index).post(start))
        .route("/cases/{id}/plans/{plan}", get(show))
        .route("/cases/{id}/plans/{plan}/print", get(print))
        .route("/cases/{id}/plans/{plan}/versions", post(save_version))
        .route("/cases/{id}/plans/{plan}/meeting", post(record_meeting))
        .route("/cases/{id}/plans/{plan}/consent", post(record_consent))
        .route("/cases/{id}/plans/{plan}/delivery", post(deliver))
        .route(
            "/cases/{id}/plans/{plan}/monitoring",
            post(record_monitoring),
        )
}

/// Goal slots of the form: the first is the long-term goal, the others short-term ones.
const GOAL_SLOTS: usize = 4;
const MIN_ROW_SLOTS: usize = 4;
const MAX_ROWS: usize = 30;

async fn person_name(conn: &mut PgConnection, case: &CaseScope) -> AppResult<(String, String)> {
    let h = db::cases::header(conn, case.reader())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        format!("{} {}", h.family_name, h.given_name),
        format!("{} {}", h.family_kana, h.given_kana),
    ))
}

fn acting_kind(auth: &Auth) -> crate::domain::kinds::AgencyKind {
    auth.user
        .acting
        .as_ref()
        .map(|m| m.agency_kind)
        .unwrap_or(crate::domain::kinds::AgencyKind::Other)
}

fn service_choices(tr: Tr, selected: &str) -> Vec<Choice> {
    Service::ALL
        .iter()
        .map(|s| Choice::new(s.as_str(), tr.t(s.label_key()), selected))
        .collect()
}

// ---- the case's plans ---------------------------------------------------------------------

async fn index_page(
    conn: &mut PgConnection,
    auth: &Auth,
    case: &CaseScope,
    form: Option<StartForm>,
    errors: Errors,
) -> AppResult<PlansPage> {
    let tr = auth.ctx.tr;
    let today = dates::today_tokyo();
    let (name, _) = person_name(conn, case).await?;
    let rows = db::plans::list(conn, case).await?;
    let notices = area::plans::notices(conn, tr, case, acting_kind(auth), &rows).await?;
    let latest_own = rows.iter().find(|p| p.agency_id == case.agency_id());
    let in_progress = !plan::may_start_next(latest_own.map(|p| p.state()));
    let form = match form {
        Some(f) => f,
        None => StartForm {
            services: service_choices(
                tr,
                latest_own
                    .map(|p| p.service().as_str())
                    .unwrap_or(Service::for_kind(acting_kind(auth)).as_str()),
            ),
            service_start_on: latest_own
                .and_then(|p| p.service_start_on)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            assessed_on: today.to_string(),
            assessment: area::plans::assessment_draft(conn, case).await?,
        },
    };
    let regional = {
        use crate::domain::regional::{fiscal_year_start, Counts};
        use crate::views::ledger::{RegionalLine, RegionalSummary};
        let meetings = db::additions::for_case(conn, case, fiscal_year_start(today)).await?;
        let days: Vec<_> = meetings
            .iter()
            .map(|m| {
                m.starts_at
                    .with_timezone(&chrono_tz::Asia::Tokyo)
                    .date_naive()
            })
            .collect();
        let provides = matches!(
            acting_kind(auth),
            crate::domain::kinds::AgencyKind::TransitionOffice
                | crate::domain::kinds::AgencyKind::RetentionOffice
        );
        (provides || !meetings.is_empty()).then(|| {
            RegionalSummary::new(
                tr,
                Counts::of(&days, today),
                meetings.iter().map(|m| RegionalLine::new(tr, m)).collect(),
            )
        })
    };
    Ok(PlansPage {
        regional,
        layout: auth.ctx.layout("plan-title"),
        case_id: case.case_id(),
        name,
        plans: rows
            .iter()
            .map(|p| PlanItem {
                id: p.id,
                seq: p.seq,
                agency_name: p.agency_name.clone(),
                service_key: p.service().label_key(),
                state_key: if p.agency_id == case.agency_id() {
                    p.state().label_key()
                } else {
                    State::Delivered.label_key()
                },
                plan_date: p.latest_plan_date,
                delivered_on: p.delivered_on,
                review_due: p.review_due().filter(|_| p.agency_id == case.agency_id()),
                overdue: p.agency_id == case.agency_id()
                    && p.review_due().is_some_and(|d| d < today),
            })
            .collect(),
        notices,
        can_start: case.access().can_write() && !in_progress,
        in_progress,
        next_from: latest_own
            .filter(|p| p.delivered_on.is_some())
            .map(|p| p.seq),
        form,
        errors,
    })
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
        "case.plans.view",
        None,
    )
    .await?;
    let page = index_page(&mut conn, &auth, &case, None, Errors::default()).await?;
    Ok(render(&page)?.into_response())
}

async fn start(
    AxState(state): AxState<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let today = dates::today_tokyo();
    let mut tx = state.db.begin().await?;
    let who = auth.who(&state.refusals);
    let case = access::case::open(&mut tx, &who, id, Need::Write, "plan.create").await?;
    let mut errors = Errors::default();
    let service_text = f.get("service");
    let service = Service::parse(&service_text);
    if service.is_none() {
        errors.add("service", tr.t("error-choose"));
    }
    let start_text = f.get("service_start_on");
    let service_start_on = if start_text.trim().is_empty() {
        None
    } else {
        let d = parse_date(&start_text);
        if d.is_none() {
            errors.add("service_start_on", tr.t("error-date"));
        }
        d
    };
    let assessed_text = f.get("assessed_on");
    let assessed_on = parse_date(&assessed_text);
    match assessed_on {
        None => errors.add("assessed_on", tr.t("error-date")),
        Some(d) if d > today => errors.add("assessed_on", tr.t("error-date-future")),
        Some(_) => {}
    }
    let assessment = f.get("assessment");
    errors.required(tr, "assessment", &assessment, 20000);
    let rows = db::plans::list(&mut tx, &case).await?;
    let latest_own = rows.iter().find(|p| p.agency_id == case.agency_id());
    if !plan::may_start_next(latest_own.map(|p| p.state())) {
        errors.add("service", tr.t("plan-in-progress"));
    }
    if !errors.is_empty() {
        let form = StartForm {
            services: service_choices(tr, &service_text),
            service_start_on: start_text,
            assessed_on: assessed_text,
            assessment,
        };
        let page = index_page(&mut tx, &auth, &case, Some(form), errors).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let previous = latest_own
        .filter(|p| p.delivered_on.is_some())
        .map(|p| p.id);
    let plan_id = db::plans::create(
        &mut tx,
        &case,
        &db::plans::NewPlan {
            service: service.expect("checked"),
            service_start_on,
            assessed_on: assessed_on.expect("checked"),
            assessment: &assessment,
            previous_id: previous,
        },
    )
    .await?;
    let scope = access::plan::edit(&mut tx, &who, case.clone(), plan_id, "plan.create").await?;
    if let Some(previous) = previous {
        db::plans::copy_delivered(&mut tx, previous, &scope, today).await?;
    }
    case.record(&mut tx, &who, "plan.create", Some(plan_id))
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/cases/{id}/plans/{plan_id}")).into_response())
}

// ---- one plan -----------------------------------------------------------------------------

fn steps(plan: &PlanScope, state: State) -> Steps {
    let may = |s: Step| plan.may_edit() && plan::allows(state, s);
    Steps {
        draft: may(Step::SaveDraft),
        meeting: may(Step::Meeting),
        consent: may(Step::Consent),
        deliver: may(Step::Deliver),
        deliver_to_agency: may(Step::DeliverToAgency),
        monitoring: may(Step::Monitoring),
    }
}

/// The forms of the page, filled from what is recorded (a form sent back replaces its own).
struct Forms {
    version: Option<VersionForm>,
    meeting: Option<MeetingForm>,
    consent: Option<ConsentForm>,
    delivery: Option<DeliveryForm>,
    monitoring: Option<MonitoringForm>,
}

impl Forms {
    fn none() -> Forms {
        Forms {
            version: None,
            meeting: None,
            consent: None,
            delivery: None,
            monitoring: None,
        }
    }
}

fn manager_choices(managers: &[(Uuid, String)], selected: &str) -> Vec<Choice> {
    managers
        .iter()
        .map(|(id, name)| Choice::new(&id.to_string(), name.clone(), selected))
        .collect()
}

fn goal_fields(goals: &[(bool, String, String)]) -> Vec<GoalField> {
    let longs: Vec<&(bool, String, String)> = goals.iter().filter(|g| g.0).collect();
    let shorts: Vec<&(bool, String, String)> = goals.iter().filter(|g| !g.0).collect();
    (1..=GOAL_SLOTS.max(shorts.len() + 1))
        .map(|n| {
            let g = if n == 1 {
                longs.first().copied()
            } else {
                shorts.get(n - 2).copied()
            };
            GoalField {
                n,
                long: n == 1,
                text: g.map(|g| g.1.clone()).unwrap_or_default(),
                on: g.map(|g| g.2.clone()).unwrap_or_default(),
            }
        })
        .collect()
}

fn row_fields(rows: Vec<SupportRow>) -> Vec<RowField> {
    let slots = (rows.len() + 2).max(MIN_ROW_SLOTS);
    let mut rows = rows.into_iter();
    (1..=slots)
        .map(|n| match rows.next() {
            Some(r) => RowField {
                n,
                what: r.what,
                who: r.who,
                frequency: r.frequency,
                place: r.place,
                period: r.period,
                addition: r.addition,
            },
            None => RowField {
                n,
                ..Default::default()
            },
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn plan_page(
    conn: &mut PgConnection,
    auth: &Auth,
    scope: &PlanScope,
    forms: Forms,
    errors: Errors,
) -> AppResult<PlanPage> {
    let tr = auth.ctx.tr;
    let today = dates::today_tokyo();
    let (name, _) = person_name(conn, scope.case()).await?;
    let p = db::plans::get(conn, scope).await?;
    let state = p.state();
    let own = scope.is_own();
    let version = db::plans::current_version(conn, scope).await?;
    let versions = db::plans::versions(conn, scope).await?;
    let (meeting, consent, monitorings, recipients) = if own {
        (
            db::plans::meeting(conn, scope).await?,
            db::plans::consent(conn, scope).await?,
            db::plans::monitorings(conn, scope).await?,
            db::plans::recipients(conn, scope).await?,
        )
    } else {
        (None, None, vec![], vec![])
    };
    let deliveries = db::plans::deliveries(conn, scope).await?;
    let managers = if scope.may_edit() {
        db::plans::managers(conn, scope.case()).await?
    } else {
        vec![]
    };
    let version_form = match forms.version {
        Some(f) => f,
        None => {
            let months = p.service().review_months();
            match &version {
                Some(v) => VersionForm {
                    plan_date: v.head.plan_date.to_string(),
                    managers: manager_choices(&managers, &v.head.manager_id.to_string()),
                    wishes: v.head.wishes.clone(),
                    policy: v.head.policy.clone(),
                    period_from: v.head.period_from.to_string(),
                    period_to: v.head.period_to.to_string(),
                    goals: goal_fields(
                        &v.goals
                            .iter()
                            .map(|g| (g.term == "long", g.text.clone(), g.target_on.to_string()))
                            .collect::<Vec<_>>(),
                    ),
                    rows: row_fields(v.rows.clone()),
                },
                None => VersionForm {
                    plan_date: today.to_string(),
                    managers: manager_choices(&managers, &scope.case().user_id().to_string()),
                    wishes: String::new(),
                    policy: String::new(),
                    period_from: today.to_string(),
                    period_to: period_end(today, months).to_string(),
                    goals: goal_fields(&[]),
                    rows: row_fields(vec![]),
                },
            }
        }
    };
    let plan_meetings = if steps(scope, state).meeting {
        db::plans::plan_meetings(conn, scope).await?
    } else {
        vec![]
    };
    let meeting_form = match forms.meeting {
        Some(f) => f,
        None => {
            let chosen = meeting
                .as_ref()
                .and_then(|m| m.meeting_id)
                .map(|m| m.to_string())
                .unwrap_or_default();
            MeetingForm {
                meetings: meeting_options(tr, &plan_meetings, &chosen),
                held_on: meeting
                    .as_ref()
                    .map(|m| m.held_on.to_string())
                    .unwrap_or_else(|| today.to_string()),
                attendees: meeting
                    .as_ref()
                    .map(|m| m.attendees.clone())
                    .unwrap_or_default(),
                minutes: meeting
                    .as_ref()
                    .map(|m| m.minutes.clone())
                    .unwrap_or_default(),
            }
        }
    };
    let consent_form = forms.consent.unwrap_or_else(|| ConsentForm {
        consented_on: today.to_string(),
        methods: how_choices(tr, ""),
        consenter: String::new(),
    });
    let delivery_form = forms.delivery.unwrap_or_else(|| DeliveryForm {
        delivered_on: today.to_string(),
        chosen: vec![],
    });
    let monitoring_form = forms.monitoring.unwrap_or_else(|| MonitoringForm {
        held_on: today.to_string(),
        findings: String::new(),
        change_needed: false,
    });
    let review_due = if own { p.review_due() } else { None };
    Ok(PlanPage {
        layout: auth
            .ctx
            .layout_titled(format!("{} — {}", tr.t("plan-title"), name)),
        case_id: scope.case_id(),
        plan_id: scope.plan_id(),
        name,
        seq: p.seq,
        agency_name: p.agency_name.clone(),
        service_key: p.service().label_key(),
        state_key: if own {
            state.label_key()
        } else {
            State::Delivered.label_key()
        },
        own,
        may_edit: scope.may_edit(),
        assessed_on: p.assessed_on,
        assessment: if own {
            p.assessment.clone()
        } else {
            String::new()
        },
        review_due,
        overdue: review_due.is_some_and(|d| d < today),
        consent_how_key: consent
            .as_ref()
            .and_then(|c| ConsentHow::parse(&c.method))
            .map(|h| h.label_key())
            .unwrap_or_else(|| "plan-how-oral".into()),
        version,
        versions,
        meeting,
        consent,
        deliveries,
        recipients,
        monitorings,
        steps: steps(scope, state),
        version_form,
        meeting_form,
        consent_form,
        delivery_form,
        monitoring_form,
        errors,
    })
}

fn meeting_options(
    tr: Tr,
    meetings: &[(Uuid, chrono::DateTime<chrono::Utc>, String)],
    chosen: &str,
) -> Vec<Choice> {
    meetings
        .iter()
        .map(|(id, at, status)| {
            Choice::new(
                &id.to_string(),
                format!(
                    "{}（{}）",
                    tr.datetime(at),
                    tr.t(format!("meeting-status-{status}"))
                ),
                chosen,
            )
        })
        .collect()
}

fn how_choices(tr: Tr, selected: &str) -> Vec<Choice> {
    ConsentHow::ALL
        .iter()
        .map(|h| Choice::new(h.as_str(), tr.t(h.label_key()), selected))
        .collect()
}

/// Opens the case and the plan for reading, recording the view.
async fn open_for_view(
    conn: &mut PgConnection,
    state: &AppState,
    auth: &Auth,
    id: Uuid,
    plan_id: Uuid,
    action: &'static str,
) -> AppResult<PlanScope> {
    let who = auth.who(&state.refusals);
    let case = access::case::open(conn, &who, id, Need::Read, action).await?;
    let scope = access::plan::open(conn, &who, case, plan_id, action).await?;
    who.ok(conn, action, Some(id), Some(plan_id)).await?;
    Ok(scope)
}

/// Opens the case and the plan for recording a step.
async fn open_for_step(
    conn: &mut PgConnection,
    state: &AppState,
    auth: &Auth,
    id: Uuid,
    plan_id: Uuid,
    action: &'static str,
) -> AppResult<PlanScope> {
    let who = auth.who(&state.refusals);
    let case = access::case::open(conn, &who, id, Need::Write, action).await?;
    Ok(access::plan::edit(conn, &who, case, plan_id, action).await?)
}

async fn show(
    AxState(state): AxState<AppState>,
    auth: Auth,
    Path((id, plan_id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let scope = open_for_view(&mut conn, &state, &auth, id, plan_id, "plan.view").await?;
    let page = plan_page(&mut conn, &auth, &scope, Forms::none(), Errors::default()).await?;
    Ok(render(&page)?.into_response())
}

/// A step taken in a state that does not allow it: the page with a message by the form.
async fn out_of_turn(
    conn: &mut PgConnection,
    auth: &Auth,
    scope: &PlanScope,
    field: &'static str,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    errors.add(field, auth.ctx.tr.t("plan-step-not-now"));
    let page = plan_page(conn, auth, scope, Forms::none(), errors).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

fn date_field(
    tr: Tr,
    errors: &mut Errors,
    field: &'static str,
    text: &str,
    today: NaiveDate,
) -> Option<NaiveDate> {
    match parse_date(text) {
        None => {
            errors.add(field, tr.t("error-date"));
            None
        }
        Some(d) if d > today => {
            errors.add(field, tr.t("error-date-future"));
            None
        }
        Some(d) => Some(d),
    }
}

async fn save_version(
    AxState(state): AxState<AppState>,
    auth: Auth,
    Path((id, plan_id)): Path<(Uuid, Uuid)>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut tx = state.db.begin().await?;
    let action = "plan.version.save";
    let scope = open_for_step(&mut tx, &state, &auth, id, plan_id, action).await?;
    let p = db::plans::get(&mut tx, &scope).await?;
    if !plan::allows(p.state(), Step::SaveDraft) {
        return out_of_turn(&mut tx, &auth, &scope, "plan_date").await;
    }
    let managers = db::plans::managers(&mut tx, scope.case()).await?;
    let mut errors = Errors::default();
    let plan_date_text = f.get("plan_date");
    let plan_date = parse_date(&plan_date_text);
    if plan_date.is_none() {
        errors.add("plan_date", tr.t("error-date"));
    }
    let manager_text = f.get("manager_id");
    let manager = managers
        .iter()
        .find(|(m, _)| m.to_string() == manager_text)
        .map(|(m, _)| *m);
    if manager.is_none() {
        errors.add("manager_id", tr.t("plan-manager-required"));
    }
    let (wishes, policy) = (f.get("wishes"), f.get("policy"));
    errors.required(tr, "wishes", &wishes, 5000);
    errors.required(tr, "policy", &policy, 5000);
    let (from_text, to_text) = (f.get("period_from"), f.get("period_to"));
    let (from, to) = (parse_date(&from_text), parse_date(&to_text));
    if from.is_none() {
        errors.add("period_from", tr.t("error-date"));
    }
    match (from, to) {
        (_, None) => errors.add("period_to", tr.t("error-date")),
        (Some(a), Some(b)) if b < a => errors.add("period_to", tr.t("plan-period-order")),
        _ => {}
    }
    // goals: the first slot is the long-term goal
    let mut goals: Vec<(&'static str, String, NaiveDate)> = vec![];
    let mut goal_input: Vec<(bool, String, String)> = vec![];
    let goal_slots = (1..=GOAL_SLOTS + 8)
        .take_while(|n| *n <= GOAL_SLOTS || !f.get(&format!("goal_text_{n}")).is_empty())
        .collect::<Vec<_>>();
    for n in goal_slots {
        let (text, on_text) = (
            f.get(&format!("goal_text_{n}")),
            f.get(&format!("goal_on_{n}")),
        );
        goal_input.push((n == 1, text.clone(), on_text.clone()));
        if text.trim().is_empty() && on_text.trim().is_empty() {
            continue;
        }
        let (tf, df): (&'static str, &'static str) = goal_names(n);
        if text.trim().is_empty() {
            errors.add(tf, tr.t("error-required"));
        } else if crate::domain::text::char_len(&text) > 1000 {
            errors.add(tf, tr.t1("error-max-chars", "max", 1000));
        }
        match parse_date(&on_text) {
            None => errors.add(df, tr.t("error-date")),
            Some(d) if plan_date.is_some_and(|p| d < p) => {
                errors.add(df, tr.t("plan-goal-before-plan"))
            }
            Some(d) => goals.push((
                if n == 1 { "long" } else { "short" },
                text.trim().to_string(),
                d,
            )),
        }
    }
    if !goal_input.iter().any(|g| g.0 && !g.1.trim().is_empty()) {
        errors.add("goal_text_1", tr.t("plan-goal-long-required"));
    }
    if !goal_input.iter().any(|g| !g.0 && !g.1.trim().is_empty()) {
        errors.add("goal_text_2", tr.t("plan-goal-short-required"));
    }
    // support rows: a blank row is skipped
    let mut rows = vec![];
    let mut row_input = vec![];
    for n in 1..=MAX_ROWS {
        let r = SupportRow {
            what: f.get(&format!("row_what_{n}")),
            who: f.get(&format!("row_who_{n}")),
            frequency: f.get(&format!("row_frequency_{n}")),
            place: f.get(&format!("row_place_{n}")),
            period: f.get(&format!("row_period_{n}")),
            addition: !f.get(&format!("row_addition_{n}")).is_empty(),
        };
        let blank = [&r.what, &r.who, &r.frequency, &r.place, &r.period]
            .iter()
            .all(|s| s.trim().is_empty());
        if n > MIN_ROW_SLOTS && blank && f.get(&format!("row_what_{}", n + 1)).is_empty() {
            break;
        }
        row_input.push(r.clone());
        if blank {
            continue;
        }
        let names = row_names(n);
        if r.what.trim().is_empty() {
            errors.add(names[0].clone(), tr.t("error-required"));
        } else if crate::domain::text::char_len(&r.what) > 1000 {
            errors.add(names[0].clone(), tr.t1("error-max-chars", "max", 1000));
        }
        for (i, v) in [&r.who, &r.frequency, &r.place, &r.period]
            .iter()
            .enumerate()
        {
            if crate::domain::text::char_len(v) > 200 {
                errors.add(names[i + 1].clone(), tr.t1("error-max-chars", "max", 200));
            }
        }
        rows.push(r);
    }
    if rows.is_empty() {
        errors.add("row_what_1", tr.t("plan-rows-required"));
    }
    if !errors.is_empty() {
        let form = VersionForm {
            plan_date: plan_date_text,
            managers: manager_choices(&managers, &manager_text),
            wishes,
            policy,
            period_from: from_text,
            period_to: to_text,
            goals: goal_fields(&goal_input),
            rows: row_fields(row_input),
        };
        let forms = Forms {
            version: Some(form),
            ..Forms::none()
        };
        let page = plan_page(&mut tx, &auth, &scope, forms, errors).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let version = db::plans::save_version(
        &mut tx,
        &scope,
        &db::plans::NewVersion {
            plan_date: plan_date.expect("checked"),
            manager_id: manager.expect("checked"),
            wishes: wishes.trim(),
            policy: policy.trim(),
            period_from: from.expect("checked"),
            period_to: to.expect("checked"),
            goals,
            rows,
        },
    )
    .await?;
    auth.who(&state.refusals)
        .ok(&mut tx, action, Some(id), Some(version))
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/cases/{id}/plans/{plan_id}#version")).into_response())
}

/// The field names of goal slot `n` (static, for the error map).
fn goal_names(n: usize) -> (&'static str, &'static str) {
    const T: [&str; 12] = [
        "goal_text_1",
        "goal_text_2",
        "goal_text_3",
        "goal_text_4",
        "goal_text_5",
        "goal_text_6",
        "goal_text_7",
        "goal_text_8",
        "goal_text_9",
        "goal_text_10",
        "goal_text_11",
        "goal_text_12",
    ];
    const D: [&str; 12] = [
        "goal_on_1",
        "goal_on_2",
        "goal_on_3",
        "goal_on_4",
        "goal_on_5",
        "goal_on_6",
        "goal_on_7",
        "goal_on_8",
        "goal_on_9",
        "goal_on_10",
        "goal_on_11",
        "goal_on_12",
    ];
    (T[(n - 1).min(11)], D[(n - 1).min(11)])
}

/// The field names of support row `n`: what, who, frequency, place, period.
fn row_names(n: usize) -> [String; 5] {
    ["what", "who", "frequency", "place", "period"].map(|f| format!("row_{f}_{n}"))
}

async fn record_meeting(
    AxState(state): AxState<AppState>,
    auth: Auth,
    Path((id, plan_id)): Path<(Uuid, Uuid)>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let today = dates::today_tokyo();
    let mut tx = state.db.begin().await?;
    let action = "plan.meeting.record";
    let scope = open_for_step(&mut tx, &state, &auth, id, plan_id, action).await?;
    let p = db::plans::get(&mut tx, &scope).await?;
    if !plan::allows(p.state(), Step::Meeting) {
        return out_of_turn(&mut tx, &auth, &scope, "held_on").await;
    }
    let meetings = db::plans::plan_meetings(&mut tx, &scope).await?;
    let mut errors = Errors::default();
    let meeting_text = f.get("meeting_id");
    let meeting = if meeting_text.is_empty() {
        None
    } else {
        let m = meetings.iter().find(|m| m.0.to_string() == meeting_text);
        if m.is_none() {
            errors.add("meeting_id", tr.t("error-choose"));
        }
        m
    };
    let mut held_text = f.get("held_on");
    if held_text.trim().is_empty() {
        if let Some(m) = meeting {
            held_text =
                m.1.with_timezone(&chrono_tz::Asia::Tokyo)
                    .date_naive()
                    .to_string();
        }
    }
    let held_on = date_field(tr, &mut errors, "held_on", &held_text, today);
    if let (Some(h), Some(d)) = (held_on, p.latest_plan_date) {
        if h < d {
            errors.add("held_on", tr.t("plan-meeting-before-draft"));
        }
    }
    let (attendees, minutes) = (f.get("attendees"), f.get("minutes"));
    errors.required(tr, "attendees", &attendees, 1000);
    errors.max_chars(tr, "minutes", &minutes, 10000);
    if !errors.is_empty() {
        let forms = Forms {
            meeting: Some(MeetingForm {
                meetings: meeting_options(tr, &meetings, &meeting_text),
                held_on: held_text,
                attendees,
                minutes,
            }),
            ..Forms::none()
        };
        let page = plan_page(&mut tx, &auth, &scope, forms, errors).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    db::plans::set_meeting(
        &mut tx,
        &scope,
        &db::plans::MeetingRecord {
            meeting_id: meeting.map(|m| m.0),
            held_on: held_on.expect("checked"),
            attendees: attendees.trim().to_string(),
            minutes: minutes.trim().to_string(),
        },
    )
    .await?;
    auth.who(&state.refusals)
        .ok(&mut tx, action, Some(id), Some(plan_id))
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/cases/{id}/plans/{plan_id}#meeting")).into_response())
}

async fn record_consent(
    AxState(state): AxState<AppState>,
    auth: Auth,
    Path((id, plan_id)): Path<(Uuid, Uuid)>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let today = dates::today_tokyo();
    let mut tx = state.db.begin().await?;
    let action = "plan.consent.record";
    let scope = open_for_step(&mut tx, &state, &auth, id, plan_id, action).await?;
    let p = db::plans::get(&mut tx, &scope).await?;
    if !plan::allows(p.state(), Step::Consent) {
        return out_of_turn(&mut tx, &auth, &scope, "consented_on").await;
    }
    let latest = db::plans::versions(&mut tx, &scope)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    let mut errors = Errors::default();
    let on_text = f.get("consented_on");
    let on = date_field(tr, &mut errors, "consented_on", &on_text, today);
    if on.is_some_and(|d| d < latest.plan_date) {
        errors.add("consented_on", tr.t("plan-consent-before-draft"));
    }
    let method_text = f.get("method");
    let method = ConsentHow::parse(&method_text);
    if method.is_none() {
        errors.add("method", tr.t("error-choose"));
    }
    let consenter = f.get("consenter");
    errors.required(tr, "consenter", &consenter, 200);
    if !errors.is_empty() {
        let forms = Forms {
            consent: Some(ConsentForm {
                consented_on: on_text,
                methods: how_choices(tr, &method_text),
                consenter,
            }),
            ..Forms::none()
        };
        let page = plan_page(&mut tx, &auth, &scope, forms, errors).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    db::plans::record_consent(
        &mut tx,
        &scope,
        latest.id,
        on.expect("checked"),
        method.expect("checked").as_str(),
        consenter.trim(),
    )
    .await?;
    auth.who(&state.refusals)
        .ok(&mut tx, action, Some(id), Some(plan_id))
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/cases/{id}/plans/{plan_id}#consent")).into_response())
}

async fn deliver(
    AxState(state): AxState<AppState>,
    auth: Auth,
    Path((id, plan_id)): Path<(Uuid, Uuid)>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let today = dates::today_tokyo();
    let mut tx = state.db.begin().await?;
    let action = "plan.deliver";
    let scope = open_for_step(&mut tx, &state, &auth, id, plan_id, action).await?;
    let p = db::plans::get(&mut tx, &scope).await?;
    let first = plan::allows(p.state(), Step::Deliver);
    if !first && !plan::allows(p.state(), Step::DeliverToAgency) {
        return out_of_turn(&mut tx, &auth, &scope, "delivered_on").await;
    }
    let consent = db::plans::consent(&mut tx, &scope)
        .await?
        .ok_or(AppError::NotFound)?;
    let recipients = db::plans::recipients(&mut tx, &scope).await?;
    let mut errors = Errors::default();
    let on_text = f.get("delivered_on");
    let on = date_field(tr, &mut errors, "delivered_on", &on_text, today);
    if on.is_some_and(|d| d < consent.consented_on) {
        errors.add("delivered_on", tr.t("plan-delivery-before-consent"));
    }
    let chosen_text = f.all("agency_id");
    let mut to = vec![];
    let mut chosen = vec![];
    for text in &chosen_text {
        let Some(r) = recipients.iter().find(|r| r.agency_id.to_string() == *text) else {
            errors.add("agency_id", tr.t("plan-delivery-not-on-team"));
            continue;
        };
        chosen.push(r.agency_id);
        match r.consent_id {
            None => errors.add(
                "agency_id",
                tr.t1("plan-delivery-no-consent", "agency", &r.name),
            ),
            Some(_) if r.delivered => errors.add(
                "agency_id",
                tr.t1("plan-delivery-already", "agency", &r.name),
            ),
            Some(k) => to.push((r.agency_id, k)),
        }
    }
    if !first && chosen_text.is_empty() {
        errors.add("agency_id", tr.t("plan-delivery-choose-agency"));
    }
    if !errors.is_empty() {
        let forms = Forms {
            delivery: Some(DeliveryForm {
                delivered_on: on_text,
                chosen,
            }),
            ..Forms::none()
        };
        let page = plan_page(&mut tx, &auth, &scope, forms, errors).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let ids = area::plans::deliver(
        &mut tx,
        &scope,
        consent.version_id,
        on.expect("checked"),
        first,
        &to,
    )
    .await?;
    let who = auth.who(&state.refusals);
    for d in ids {
        who.ok(&mut tx, action, Some(id), Some(d)).await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/cases/{id}/plans/{plan_id}#delivery")).into_response())
}

async fn record_monitoring(
    AxState(state): AxState<AppState>,
    auth: Auth,
    Path((id, plan_id)): Path<(Uuid, Uuid)>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let today = dates::today_tokyo();
    let mut tx = state.db.begin().await?;
    let action = "plan.monitoring.record";
    let scope = open_for_step(&mut tx, &state, &auth, id, plan_id, action).await?;
    let p = db::plans::get(&mut tx, &scope).await?;
    if !plan::allows(p.state(), Step::Monitoring) {
        return out_of_turn(&mut tx, &auth, &scope, "monitoring_held_on").await;
    }
    let mut errors = Errors::default();
    let held_text = f.get("monitoring_held_on");
    let held_on = date_field(tr, &mut errors, "monitoring_held_on", &held_text, today);
    if let (Some(h), Some(d)) = (held_on, p.delivered_on) {
        if h < d {
            errors.add(
                "monitoring_held_on",
                tr.t("plan-monitoring-before-delivery"),
            );
        }
    }
    let findings = f.get("findings");
    errors.required(tr, "findings", &findings, 10000);
    let change_needed = !f.get("change_needed").is_empty();
    if !errors.is_empty() {
        let forms = Forms {
            monitoring: Some(MonitoringForm {
                held_on: held_text,
                findings,
                change_needed,
            }),
            ..Forms::none()
        };
        let page = plan_page(&mut tx, &auth, &scope, forms, errors).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let m = db::plans::add_monitoring(
        &mut tx,
        &scope,
        held_on.expect("checked"),
        findings.trim(),
        change_needed,
    )
    .await?;
    db::plans::sync_review_tasks(&mut tx, &scope).await?;
    auth.who(&state.refusals)
        .ok(&mut tx, action, Some(id), Some(m))
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/cases/{id}/plans/{plan_id}#monitoring")).into_response())
}

#[derive(serde::Deserialize)]
struct PrintQuery {
    version: Option<String>,
}

async fn print(
    AxState(state): AxState<AppState>,
    auth: Auth,
    Path((id, plan_id)): Path<(Uuid, Uuid)>,
    Query(q): Query<PrintQuery>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut conn = state.db.acquire().await?;
    let scope = open_for_view(&mut conn, &state, &auth, id, plan_id, "plan.print").await?;
    let version = match q.version.as_deref().map(Uuid::parse_str) {
        Some(Ok(v)) => db::plans::version(&mut conn, &scope, v).await?,
        Some(Err(_)) => None,
        None => db::plans::current_version(&mut conn, &scope).await?,
    }
    .ok_or(AppError::NotFound)?;
    let p = db::plans::get(&mut conn, &scope).await?;
    let (name, kana) = person_name(&mut conn, scope.case()).await?;
    let consent = if scope.is_own() {
        db::plans::consent(&mut conn, &scope)
            .await?
            .filter(|c| c.version_id == version.head.id)
            .map(|c| {
                (
                    dates::wareki(c.consented_on),
                    tr.t(ConsentHow::parse(&c.method)
                        .map(|h| h.label_key())
                        .unwrap_or_default()),
                    c.consenter,
                )
            })
    } else {
        None
    };
    let goal = |long: bool| {
        version
            .goals
            .iter()
            .filter(|g| (g.term == "long") == long)
            .map(|g| (g.text.clone(), dates::wareki(g.target_on)))
            .collect()
    };
    let page = PlanPrint {
        layout: auth
            .ctx
            .layout_titled(format!("{} — {}", tr.t("plan-title"), name)),
        case_id: id,
        plan_id,
        kana,
        name,
        office: p.agency_name.clone(),
        seq: p.seq,
        service_key: p.service().label_key(),
        plan_date: dates::wareki(version.head.plan_date),
        period: format!(
            "{} 〜 {}",
            dates::wareki(version.head.period_from),
            dates::wareki(version.head.period_to)
        ),
        long_goals: goal(true),
        short_goals: goal(false),
        version,
        consent_line: tr.t("plan-consent-line"),
        consent,
    };
    Ok(render(&page)?.into_response())
}
