//! Cases: the list, opening a new case, the case page and its access log.

use super::export;
use super::extract::Auth;
use super::form::Pairs;
use super::review;
use crate::area::consents::{category_labels, consent_matrix};
use crate::area::timeline::{load_timeline, TimelineQuery};
use crate::db::{self, audit::Outcome};
use crate::domain::case::Disability;
use crate::domain::dates::parse_date;
use crate::domain::{dates, kana, text};
use crate::error::{AppError, AppResult};
use crate::http::flash::{self, Flash};
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::i18n::Tr;
use crate::policy::{self};
use crate::views::audit::Review;
use crate::views::cases::{AccessLogPage, CasePage, CasesPage, NewCaseForm, NewCasePage};
use crate::views::Errors;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list))
        .route("/cases.csv", get(list_csv))
        .route("/cases.xlsx", get(list_xlsx))
        .route("/cases/new", get(new_form).post(create))
        .route("/cases/{id}", get(show))
        .route("/cases/{id}/access-log", get(access_log))
        .route("/cases/{id}/access-log.csv", get(access_log_csv))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    q: String,
    after_kana: Option<String>,
    after_id: Option<Uuid>,
}

const CASES_PER_PAGE: i64 = 50;

/// The acting agency's case list as the page lists it (the same search, the same query), a
/// batch at a time in kana order, with the person's phone number where the contact rule
/// shows it.
struct CaseRows {
    tr: Tr,
    actor: Option<crate::access::Actor>,
    name_key: String,
    kana_key: String,
    after: Option<db::cases::KanaCursor>,
}

const CASE_COLUMNS: &[&str] = &[
    "case-name",
    "case-kana",
    "case-phase",
    "case-lead",
    "field-municipality",
    "field-phone",
    "export-col-left-on",
];

impl export::Pages for CaseRows {
    async fn next(
        &mut self,
        conn: &mut sqlx::PgConnection,
    ) -> sqlx::Result<Option<Vec<Vec<export::Cell>>>> {
        let Some(actor) = self.actor else {
            return Ok(None);
        };
        let rows = db::cases::list(
            conn,
            actor,
            &self.name_key,
            &self.kana_key,
            self.after.as_ref(),
            export::BATCH,
        )
        .await?;
        if (rows.len() as i64) < export::BATCH {
            self.actor = None;
        }
        self.after = rows.last().map(|c| db::cases::KanaCursor {
            sort_kana: c.sort_kana.clone(),
            id: c.id,
        });
        let tr = self.tr;
        Ok(Some(
            rows.into_iter()
                .map(|c| {
                    vec![
                        export::Cell::text(format!("{} {}", c.family_name, c.given_name)),
                        export::Cell::text(c.sort_kana),
                        export::Cell::text(tr.t(format!("phase-{}", c.phase))),
                        export::Cell::text(c.lead_name),
                        export::Cell::text(c.municipality),
                        export::Cell::Phone(c.phone),
                        export::Cell::Date(c.left_on),
                    ]
                })
                .collect(),
        ))
    }
}

async fn list_csv(state: State<AppState>, auth: Auth, q: Query<ListQuery>) -> AppResult<Response> {
    list_export(state, auth, q, export::Format::Csv).await
}

async fn list_xlsx(state: State<AppState>, auth: Auth, q: Query<ListQuery>) -> AppResult<Response> {
    list_export(state, auth, q, export::Format::Xlsx).await
}

/// The case list as a file: audited like the page, then streamed.
async fn list_export(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
    format: export::Format,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let (name_key, kana_key) = kana::case_search_keys(&q.q);
    auth.ctx
        .audit(&mut conn, auth.ctx.event("cases.export"), Outcome::Ok)
        .await?;
    drop(conn);
    let tr = auth.ctx.tr;
    let sheet = export::Sheet::new(tr, "cases", "cases", None).columns(tr, CASE_COLUMNS);
    let rows = CaseRows {
        tr,
        actor: auth.user.actor(),
        name_key,
        kana_key,
        after: None,
    };
    export::respond(&state.db, format, sheet, rows).await
}

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let search = text::nfkc(&q.q);
    let mut cases = match auth.user.actor() {
        Some(actor) => {
            let (name_key, kana_key) = kana::case_search_keys(&q.q);
            let after = q
                .after_kana
                .zip(q.after_id)
                .map(|(sort_kana, id)| db::cases::KanaCursor { sort_kana, id });
            db::cases::list(
                &mut conn,
                actor,
                &name_key,
                &kana_key,
                after.as_ref(),
                CASES_PER_PAGE + 1,
            )
            .await?
        }
        None => vec![],
    };
    let next = if cases.len() as i64 > CASES_PER_PAGE {
        cases.truncate(CASES_PER_PAGE as usize);
        cases.last().map(|c| (c.sort_kana.clone(), c.id))
    } else {
        None
    };
    auth.ctx
        .audit(&mut conn, auth.ctx.event("cases.list"), Outcome::Ok)
        .await?;
    Ok(render(&CasesPage {
        layout: auth.ctx.layout("cases-title"),
        cases,
        search,
        next,
    })?
    .into_response())
}

fn disability_choices(tr: Tr, chosen: &[String]) -> Vec<(String, String, bool)> {
    Disability::ALL
        .iter()
        .map(|d| {
            (
                d.as_str().to_string(),
                tr.t(d.label_key()),
                chosen.iter().any(|c| c == d.as_str()),
            )
        })
        .collect()
}

fn new_case_page(auth: &Auth, form: NewCaseForm, errors: Errors) -> NewCasePage {
    NewCasePage {
        layout: auth.ctx.layout("case-new-title"),
        disabilities: disability_choices(auth.ctx.tr, &form.disability_categories),
        form,
        errors,
    }
}

async fn new_form(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    if auth.user.actor().is_none() {
        let mut conn = state.db.acquire().await?;
        auth.ctx
            .audit(&mut conn, auth.ctx.event("case.create"), Outcome::Denied)
            .await?;
        return Err(AppError::Forbidden);
    }
    Ok(render(&new_case_page(
        &auth,
        NewCaseForm::default(),
        Errors::default(),
    ))?
    .into_response())
}

/// Reads and checks the new-participant form; the form comes back normalised for re-display.
fn check_participant(tr: Tr, f: &Pairs) -> (NewCaseForm, Errors) {
    let mut errors = Errors::default();
    let mut form = NewCaseForm {
        family_name: text::nfkc(&f.get("family_name")),
        given_name: text::nfkc(&f.get("given_name")),
        family_kana: kana::to_katakana(&f.get("family_kana")),
        given_kana: kana::to_katakana(&f.get("given_kana")),
        birth_date: text::nfkc(&f.get("birth_date")),
        disability_categories: f.all("disability"),
        municipality: text::nfkc(&f.get("municipality")),
        postal_code: text::nfkc(&f.get("postal_code")),
        address: text::nfkc(&f.get("address")),
        phone: text::nfkc(&f.get("phone")),
        email: text::email_key(&f.get("email")),
        family_contacts: f.get("family_contacts").trim().to_string(),
        notes: f.get("notes").trim().to_string(),
        role_text: text::nfkc(&f.get("role_text")),
    };
    errors.required(tr, "family_name", &form.family_name, 50);
    errors.required(tr, "given_name", &form.given_name, 50);
    for (field, value) in [
        ("family_kana", &form.family_kana),
        ("given_kana", &form.given_kana),
    ] {
        if value.is_empty() {
            errors.add(field, tr.t("error-required"));
        } else if !kana::is_katakana(value) {
            errors.add(field, tr.t("error-kana"));
        } else {
            errors.max_chars(tr, field, value, 50);
        }
    }
    match parse_date(&form.birth_date) {
        None if form.birth_date.is_empty() => errors.add("birth_date", tr.t("error-required")),
        None => errors.add("birth_date", tr.t("error-date")),
        Some(d) if d > dates::today_tokyo() => errors.add("birth_date", tr.t("error-date-future")),
        Some(d) if d < NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid") => {
            errors.add("birth_date", tr.t("error-date"))
        }
        Some(d) => form.birth_date = d.to_string(),
    }
    if form
        .disability_categories
        .iter()
        .any(|d| Disability::parse(d).is_none())
    {
        errors.add("disability", tr.t("error-choose"));
    }
    errors.required(tr, "municipality", &form.municipality, 100);
    let digits: String = form
        .postal_code
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    if !form.postal_code.is_empty() {
        if digits.len() == 7
            && form
                .postal_code
                .chars()
                .all(|c| c.is_ascii_digit() || c == '-')
        {
            form.postal_code = format!("{}-{}", &digits[..3], &digits[3..]);
        } else {
            errors.add("postal_code", tr.t("error-postal-code"));
        }
    }
    errors.max_chars(tr, "address", &form.address, 300);
    if !form
        .phone
        .chars()
        .all(|c| c.is_ascii_digit() || "-+() ".contains(c))
    {
        errors.add("phone", tr.t("error-phone"));
    }
    errors.max_chars(tr, "phone", &form.phone, 30);
    if !form.email.is_empty() && !text::looks_like_email(&form.email) {
        errors.add("email", tr.t("error-email"));
    }
    errors.max_chars(tr, "family_contacts", &form.family_contacts, 2000);
    errors.max_chars(tr, "notes", &form.notes, 5000);
    errors.max_chars(tr, "role_text", &form.role_text, 100);
    (form, errors)
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let Some(actor) = auth.user.actor() else {
        let mut conn = state.db.acquire().await?;
        auth.ctx
            .audit(&mut conn, auth.ctx.event("case.create"), Outcome::Denied)
            .await?;
        return Err(AppError::Forbidden);
    };
    let (form, errors) = check_participant(auth.ctx.tr, &f);
    if !errors.is_empty() {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &new_case_page(&auth, form, errors),
        );
    }
    let birth_date = parse_date(&form.birth_date).expect("checked above");
    let mut tx = state.db.begin().await?;
    let new = db::cases::NewParticipant {
        family_name: &form.family_name,
        given_name: &form.given_name,
        family_kana: &form.family_kana,
        given_kana: &form.given_kana,
        birth_date,
        disability_categories: &form.disability_categories,
        municipality: &form.municipality,
        postal_code: &form.postal_code,
        address: &form.address,
        phone: &form.phone,
        email: &form.email,
        family_contacts: &form.family_contacts,
        notes: &form.notes,
    };
    let case_id = db::cases::create(&mut tx, actor, &new, &form.role_text).await?;
    auth.who(&state.refusals)
        .ok(&mut tx, "case.create", Some(case_id), None)
        .await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/cases/{case_id}"), Flash::Saved))
}

/// The case page: the person, the team, consent at a glance, and the newest page of the
/// timeline. A fixed number of queries, whatever the size of the case.
async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Query(query): Query<TimelineQuery>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let case = crate::access::case::open(
        &mut conn,
        &auth.who(&state.refusals),
        id,
        crate::access::Need::Read,
        "case.view",
    )
    .await?;
    // the header, the team and the timeline's first page: one statement
    let read = load_timeline(&mut conn, auth.ctx.tr, &case, &query)
        .await?
        .ok_or(AppError::NotFound)?;
    let (header, team, timeline, unread) = (read.header, read.team, read.timeline, read.unread);
    let consents = db::consents::for_case(&mut conn, &case).await?;
    // the phase dates, read once for the coming dates and the hand-over
    let dates = db::tasks::phase_dates(&mut conn, &case).await?;
    let upcoming = crate::area::legal::upcoming(auth.ctx.tr, dates.as_ref());
    let daily = db::daily::recent_on_case(&mut conn, &case).await?;
    let kind = auth
        .user
        .acting
        .as_ref()
        .map(|m| m.agency_kind)
        .unwrap_or(crate::domain::kinds::AgencyKind::Other);
    let plan_notices =
        crate::area::plans::case_notices(&mut conn, auth.ctx.tr, &case, kind).await?;
    // the deadline of the hand-over (支援体制構築) passed without it: the case says so
    let handover_alert =
        crate::area::reports::handover_words(&mut conn, auth.ctx.tr, &case, dates.as_ref())
            .await?
            .filter(|(_, alert)| *alert)
            .map(|(words, _)| words);
    // the view's audit row and the read marks of what it showed, in one statement
    auth.who(&state.refusals)
        .viewed(&mut conn, "case.view", Some(id), None, &unread)
        .await?;
    let matrix = consent_matrix(auth.ctx.tr, &team, &consents);
    Ok(render(&CasePage {
        layout: auth
            .ctx
            .layout_titled(format!("{} {}", header.family_name, header.given_name)),
        may_view_access_log: policy::may_view_access_log(&auth.user, case.facts()),
        bad_streak: db::daily::bad_streak(&daily),
        plan_notices,
        handover_alert,
        upcoming,
        access: case.access(),
        header,
        team,
        matrix,
        matrix_headers: category_labels(auth.ctx.tr),
        timeline,
    })?
    .into_response())
}

/// The case's access log for its lead: who did what to the case, filtered, in words.
async fn access_log(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<Pairs>,
) -> AppResult<Response> {
    review_case(state, auth, id, q, false).await
}

/// The same rows as CSV (the export is audited).
async fn access_log_csv(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<Pairs>,
) -> AppResult<Response> {
    review_case(state, auth, id, q, true).await
}

async fn review_case(
    state: AppState,
    auth: Auth,
    id: Uuid,
    q: Pairs,
    export: bool,
) -> AppResult<Response> {
    let action = if export {
        "case.access_log.export"
    } else {
        "case.access_log.view"
    };
    let mut conn = state.db.acquire().await?;
    let who = auth.who(&state.refusals);
    let case =
        crate::access::case::open(&mut conn, &who, id, crate::access::Need::Read, action).await?;
    if !policy::may_view_access_log(&auth.user, case.facts()) {
        return Err(AppError::from(case.refuse(&who, action).await));
    }
    let header = db::cases::header(&mut conn, case.reader())
        .await?
        .ok_or(AppError::NotFound)?;
    let query = review::ReviewQuery::read(&q);
    let tr = auth.ctx.tr;
    let path = format!("/cases/{id}/access-log");
    let page = |review| AccessLogPage {
        layout: auth.ctx.layout("access-log-title"),
        case_id: id,
        name: format!("{} {}", header.family_name, header.given_name),
        review,
    };
    let filter = match query.input.parse() {
        Ok(filter) => filter,
        Err(found) => {
            let errors = review::errors(tr, &found);
            let review = Review::new(tr, &path, false, query.input, errors, &[], None);
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(review));
        }
    };
    let source = review::Source::Case(case);
    if export {
        who.ok(&mut conn, action, Some(id), None).await?;
        drop(conn);
        return review::csv(&state.db, tr, source, filter, "access-log", "access-log").await;
    }
    let (rows, next) = review::first_page(&mut conn, &source, &filter, query.before).await?;
    who.ok(&mut conn, action, Some(id), None).await?;
    let review = Review::new(
        tr,
        &path,
        false,
        query.input,
        Errors::default(),
        &rows,
        next,
    );
    Ok(render(&page(review))?.into_response())
}
