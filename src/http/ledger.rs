//! The provision ledger (第三者提供の記録): the agency's page — what it provided (第29条) and
//! what it received (第30条) — and the case's page for its lead, each filterable by month and
//! downloadable as CSV; and the agency's monthly list for 地域連携会議実施加算. Every view and
//! export is audited.

use super::export::{self, Cell, Format, Sheet};
use super::extract::Auth;
use super::form::Pairs;
use super::render::{render, render_status};
use super::state::AppState;
use crate::access::{self, policy, Need, Refusal};
use crate::db;
use crate::db::audit::Outcome;
use crate::db::ledger::Side;
use crate::domain::dates::{self, parse_month};
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::views::ledger::{
    month_query, AgencyLedgerPage, CaseLedgerPage, LedgerLine, RegionalLine, RegionalPage,
};
use crate::views::Errors;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agency/ledger", get(agency_ledger))
        .route("/agency/ledger.csv", get(agency_ledger_csv))
        .route("/agency/ledger.xlsx", get(agency_ledger_xlsx))
        .route("/agency/regional-meetings", get(regional))
        .route("/cases/{id}/ledger", get(case_ledger))
        .route("/cases/{id}/ledger.csv", get(case_ledger_csv))
        .route("/cases/{id}/ledger.xlsx", get(case_ledger_xlsx))
}

/// The month filter: empty for all months, else a month (2026-04); anything else comes back
/// with a message by the field.
fn read_month(tr: Tr, q: &Pairs) -> Result<Option<NaiveDate>, Errors> {
    let typed = q.get("month");
    if typed.trim().is_empty() {
        return Ok(None);
    }
    match parse_month(&typed) {
        Some(m) => Ok(Some(m)),
        None => {
            let mut errors = Errors::default();
            errors.add("month", tr.t("ledger-month-invalid"));
            Err(errors)
        }
    }
}

/// The ledger's columns, and one row as cells (through the shared export writer).
const LEDGER_COLUMNS: &[&str] = &[
    "ledger-provided-on",
    "ledger-last-on",
    "ledger-kind",
    "ledger-count",
    "ledger-provider",
    "ledger-provider-address",
    "ledger-receiver",
    "ledger-receiver-address",
    "ledger-person",
    "ledger-categories",
    "ledger-consent",
    "ledger-obtained",
];

fn ledger_rows(tr: Tr, rows: &[db::ledger::LedgerRow]) -> Vec<Vec<Cell>> {
    rows.iter()
        .map(|r| {
            let l = LedgerLine::new(tr, r);
            vec![
                Cell::Date(Some(r.provided_on)),
                Cell::Date(Some(r.last_on)),
                Cell::Text(l.kind),
                Cell::Number(r.count.into()),
                Cell::Text(l.provider),
                Cell::Text(l.provider_address),
                Cell::Text(l.receiver),
                Cell::Text(l.receiver_address),
                Cell::Text(l.person),
                Cell::Text(l.categories),
                Cell::Text(l.consent),
                Cell::Text(l.obtained),
            ]
        })
        .collect()
}

/// The acting agency (a user acting as no agency has no ledger: refused and audited).
async fn acting(
    state: &AppState,
    auth: &Auth,
    action: &'static str,
) -> AppResult<(access::Actor, String)> {
    match (auth.user.actor(), auth.user.acting.as_ref()) {
        (Some(actor), Some(m)) => Ok((actor, m.agency_name.clone())),
        _ => Err(auth
            .who(&state.refusals)
            .refuse(action, None, None, Refusal::Forbidden)
            .await
            .into()),
    }
}

async fn agency_ledger(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<Pairs>,
) -> AppResult<Response> {
    agency_page(state, auth, q, None).await
}

async fn agency_ledger_csv(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<Pairs>,
) -> AppResult<Response> {
    agency_page(state, auth, q, Some(Format::Csv)).await
}

async fn agency_ledger_xlsx(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<Pairs>,
) -> AppResult<Response> {
    agency_page(state, auth, q, Some(Format::Xlsx)).await
}

async fn agency_page(
    state: AppState,
    auth: Auth,
    q: Pairs,
    export: Option<Format>,
) -> AppResult<Response> {
    let action = if export.is_some() {
        "agency.ledger.export"
    } else {
        "agency.ledger.view"
    };
    let (actor, agency_name) = acting(&state, &auth, action).await?;
    let tr = auth.ctx.tr;
    let month = read_month(tr, &q);
    let mut conn = state.db.acquire().await?;
    let page = |month_text: String, errors, provided, received, query: String| AgencyLedgerPage {
        layout: auth.ctx.layout("ledger-title"),
        agency_name: agency_name.clone(),
        month: month_text,
        errors,
        provided,
        received,
        csv_provided: format!("/agency/ledger.csv{}", join(&query, "side=provided")),
        csv_received: format!("/agency/ledger.csv{}", join(&query, "side=received")),
        xlsx_provided: format!("/agency/ledger.xlsx{}", join(&query, "side=provided")),
        xlsx_received: format!("/agency/ledger.xlsx{}", join(&query, "side=received")),
    };
    let month = match month {
        Ok(m) => m,
        Err(errors) => {
            let p = page(q.get("month"), errors, vec![], vec![], String::new());
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &p);
        }
    };
    if let Some(format) = export {
        let side = match q.get("side").as_str() {
            "received" => Side::Received,
            _ => Side::Provided,
        };
        let rows = db::ledger::for_agency(&mut conn, actor, side, month).await?;
        auth.ctx
            .audit(&mut conn, auth.ctx.event(action), Outcome::Ok)
            .await?;
        drop(conn);
        let name = match side {
            Side::Provided => "provided",
            Side::Received => "received",
        };
        let month_words = month.map(|m| m.format("%Y-%m").to_string());
        let suffix = month_words
            .as_ref()
            .map(|m| format!("-{m}"))
            .unwrap_or_default();
        let sheet = Sheet::new(
            tr,
            &format!("ledger-{name}"),
            format!("ledger-{name}{suffix}"),
            month_words.as_deref(),
        )
        .columns(tr, LEDGER_COLUMNS);
        let rows = export::Once(Some(ledger_rows(tr, &rows)));
        return export::respond(&state.db, format, sheet, rows).await;
    }
    let provided = db::ledger::for_agency(&mut conn, actor, Side::Provided, month).await?;
    let received = db::ledger::for_agency(&mut conn, actor, Side::Received, month).await?;
    auth.ctx
        .audit(&mut conn, auth.ctx.event(action), Outcome::Ok)
        .await?;
    let lines = |rows: &[db::ledger::LedgerRow]| {
        rows.iter()
            .map(|r| LedgerLine::new(tr, r))
            .collect::<Vec<_>>()
    };
    let p = page(
        month
            .map(|m| m.format("%Y-%m").to_string())
            .unwrap_or_default(),
        Errors::default(),
        lines(&provided),
        lines(&received),
        month_query(month),
    );
    Ok(render(&p)?.into_response())
}

/// `?month=…` and one more parameter.
fn join(query: &str, extra: &str) -> String {
    if query.is_empty() {
        format!("?{extra}")
    } else {
        format!("{query}&{extra}")
    }
}

async fn case_ledger(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<Pairs>,
) -> AppResult<Response> {
    case_page(state, auth, id, q, None).await
}

async fn case_ledger_csv(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<Pairs>,
) -> AppResult<Response> {
    case_page(state, auth, id, q, Some(Format::Csv)).await
}

async fn case_ledger_xlsx(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<Pairs>,
) -> AppResult<Response> {
    case_page(state, auth, id, q, Some(Format::Xlsx)).await
}

async fn case_page(
    state: AppState,
    auth: Auth,
    id: Uuid,
    q: Pairs,
    export: Option<Format>,
) -> AppResult<Response> {
    let action = if export.is_some() {
        "case.ledger.export"
    } else {
        "case.ledger.view"
    };
    let mut conn = state.db.acquire().await?;
    let who = auth.who(&state.refusals);
    let case = access::case::open(&mut conn, &who, id, Need::Read, action).await?;
    if !policy::may_view_case_ledger(&auth.user, case.facts()) {
        return Err(AppError::from(case.refuse(&who, action).await));
    }
    let header = db::cases::header(&mut conn, case.reader())
        .await?
        .ok_or(AppError::NotFound)?;
    let tr = auth.ctx.tr;
    let name = format!("{} {}", header.family_name, header.given_name);
    let page = |month, errors, rows, query: String| CaseLedgerPage {
        layout: auth.ctx.layout("ledger-case-title"),
        case_id: id,
        name: name.clone(),
        month,
        errors,
        rows,
        csv: format!("/cases/{id}/ledger.csv{query}"),
        xlsx: format!("/cases/{id}/ledger.xlsx{query}"),
    };
    let month = match read_month(tr, &q) {
        Ok(m) => m,
        Err(errors) => {
            // the page names the person: its view is recorded like the page's
            who.ok(&mut conn, action, Some(id), None).await?;
            let p = page(q.get("month"), errors, vec![], String::new());
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &p);
        }
    };
    let rows = db::ledger::for_case(&mut conn, &case, month).await?;
    who.ok(&mut conn, action, Some(id), None).await?;
    if let Some(format) = export {
        drop(conn);
        let month_words = month.map(|m| m.format("%Y-%m").to_string());
        let suffix = month_words
            .as_ref()
            .map(|m| format!("-{m}"))
            .unwrap_or_default();
        let subject = match &month_words {
            Some(m) => format!("{}{}_{m}", header.family_name, header.given_name),
            None => format!("{}{}", header.family_name, header.given_name),
        };
        let sheet = Sheet::new(tr, "ledger-case", format!("ledger{suffix}"), Some(&subject))
            .columns(tr, LEDGER_COLUMNS);
        let rows = export::Once(Some(ledger_rows(tr, &rows)));
        return export::respond(&state.db, format, sheet, rows).await;
    }
    let p = page(
        month
            .map(|m| m.format("%Y-%m").to_string())
            .unwrap_or_default(),
        Errors::default(),
        rows.iter().map(|r| LedgerLine::new(tr, r)).collect(),
        month_query(month),
    );
    Ok(render(&p)?.into_response())
}

/// The acting agency's meetings that count for 地域連携会議実施加算 in a month (this month
/// unless one is chosen).
async fn regional(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<Pairs>,
) -> AppResult<Response> {
    let action = "agency.regional.view";
    let (actor, agency_name) = acting(&state, &auth, action).await?;
    let tr = auth.ctx.tr;
    let page = |month: String, month_label: String, errors, lines| RegionalPage {
        layout: auth.ctx.layout("regional-title"),
        agency_name: agency_name.clone(),
        month,
        month_label,
        errors,
        lines,
    };
    let month = match read_month(tr, &q) {
        Ok(m) => m.unwrap_or_else(|| dates::month_of(dates::today_tokyo())),
        Err(errors) => {
            let p = page(q.get("month"), String::new(), errors, vec![]);
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &p);
        }
    };
    let mut conn = state.db.acquire().await?;
    let meetings = db::additions::for_agency(&mut conn, actor, month).await?;
    auth.ctx
        .audit(&mut conn, auth.ctx.event(action), Outcome::Ok)
        .await?;
    let p = page(
        month.format("%Y-%m").to_string(),
        tr.targs(
            "regional-month",
            &[
                ("year", &month.format("%Y").to_string()),
                ("month", &month.format("%-m").to_string()),
            ],
        ),
        Errors::default(),
        meetings.iter().map(|m| RegionalLine::new(tr, m)).collect(),
    );
    Ok(render(&p)?.into_response())
}
