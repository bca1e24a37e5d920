//! The provision ledger (第三者提供の記録): the agency's page — what it provided (第29条) and
//! what it received (第30条) — and the case's page for its lead, each filterable by month and
//! downloadable as CSV; and the agency's monthly list for 地域連携会議実施加算. Every view and
//! export is audited.

use super::export::{self, Cell, Format, Sheet};
use super::extract::Auth;
use super::form::Pairs;
use super::render::{render, render_status};
use super::state::AppState;
use crate::access::{self, policy, Actor, CaseScope, Need, Refusal};
use crate::db;
use crate::db::audit::Outcome;
use crate::db::ledger::{LedgerKey, LedgerRow, Side};
use crate::domain::dates::{self, parse_month};
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::views::ledger::{
    month_query, AgencyLedgerPage, CaseLedgerPage, LedgerLine, LedgerSection, RegionalLine,
    RegionalPage,
};
use crate::views::Errors;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;
use sqlx::PgConnection;
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

/// Rows a page shows (on each side of the agency's page); a link leads to the next ones.
const PER_PAGE: i64 = 100;

/// Whose ledger a page or an export reads.
#[derive(Clone)]
enum Source {
    Agency(Actor, Side),
    Case(CaseScope),
}

impl Source {
    async fn rows(
        &self,
        conn: &mut PgConnection,
        month: Option<NaiveDate>,
        after: Option<LedgerKey>,
        limit: i64,
    ) -> sqlx::Result<Vec<LedgerRow>> {
        match self {
            Source::Agency(actor, side) => {
                db::ledger::for_agency(conn, *actor, *side, month, after, limit).await
            }
            Source::Case(case) => db::ledger::for_case(conn, case, month, after, limit).await,
        }
    }

    /// A page of rows and, when there are more, the key the next page starts after.
    async fn page(
        &self,
        conn: &mut PgConnection,
        month: Option<NaiveDate>,
        after: Option<LedgerKey>,
        limit: i64,
    ) -> sqlx::Result<(Vec<LedgerRow>, Option<LedgerKey>)> {
        let mut rows = self.rows(conn, month, after, limit + 1).await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next = if more {
            rows.last().map(LedgerKey::of)
        } else {
            None
        };
        Ok((rows, next))
    }
}

/// The whole ledger of a source for an export, read in keyset batches on the export's own
/// connection, so that a long ledger does not sit in memory.
struct LedgerPages {
    tr: Tr,
    source: Source,
    month: Option<NaiveDate>,
    after: Option<LedgerKey>,
    done: bool,
}

impl export::Pages for LedgerPages {
    async fn next(&mut self, conn: &mut PgConnection) -> sqlx::Result<Option<Vec<Vec<Cell>>>> {
        if self.done {
            return Ok(None);
        }
        let (rows, next) = self
            .source
            .page(conn, self.month, self.after, export::BATCH)
            .await?;
        self.after = next;
        self.done = next.is_none();
        Ok(Some(ledger_rows(self.tr, &rows)))
    }
}

/// What the agency's page was asked to show.
struct Shown<'a> {
    actor: Actor,
    /// one side alone, when following a link to its next rows
    only: Option<Side>,
    month: Option<NaiveDate>,
    after: Option<LedgerKey>,
    query: &'a str,
}

impl Shown<'_> {
    /// One side's section (None when the page shows the other side alone), with a link to the
    /// next rows, which shows that side alone from where this page ended.
    async fn section(
        &self,
        tr: Tr,
        conn: &mut PgConnection,
        side: Side,
    ) -> sqlx::Result<Option<LedgerSection>> {
        if self.only.is_some_and(|o| o != side) {
            return Ok(None);
        }
        let from = if self.only == Some(side) {
            self.after
        } else {
            None
        };
        let source = Source::Agency(self.actor, side);
        let (rows, next) = source.page(conn, self.month, from, PER_PAGE).await?;
        let name = match side {
            Side::Provided => "provided",
            Side::Received => "received",
        };
        let more = next.map(|k| {
            let with_side = join(self.query, &format!("side={name}"));
            format!(
                "/agency/ledger{}#{name}",
                join(&with_side, &format!("before={}", k.to_param()))
            )
        });
        Ok(Some(LedgerSection {
            lines: rows.iter().map(|r| LedgerLine::new(tr, r)).collect(),
            more,
            continued: from.is_some(),
        }))
    }
}

/// The page's `before`: None when absent, an error by the month field when it is not a key.
fn read_key(tr: Tr, q: &Pairs) -> Result<Option<LedgerKey>, Errors> {
    let typed = q.get("before");
    if typed.is_empty() {
        return Ok(None);
    }
    LedgerKey::parse(&typed).map(Some).ok_or_else(|| {
        let mut errors = Errors::default();
        errors.add("month", tr.t("ledger-cursor-invalid"));
        errors
    })
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
    let read = read_month(tr, &q).and_then(|m| Ok((m, read_key(tr, &q)?)));
    let only = match q.get("side").as_str() {
        "received" => Some(Side::Received),
        "provided" => Some(Side::Provided),
        _ => None,
    };
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
    let (month, after) = match read {
        Ok(read) => read,
        Err(errors) => {
            let p = page(q.get("month"), errors, None, None, String::new());
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &p);
        }
    };
    if let Some(format) = export {
        let side = only.unwrap_or(Side::Provided);
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
        let rows = LedgerPages {
            tr,
            source: Source::Agency(actor, side),
            month,
            after: None,
            done: false,
        };
        return export::respond(&state.db, format, sheet, rows).await;
    }
    let query = month_query(month);
    let at = Shown {
        actor,
        only,
        month,
        after,
        query: &query,
    };
    let provided = at.section(tr, &mut conn, Side::Provided).await?;
    let received = at.section(tr, &mut conn, Side::Received).await?;
    auth.ctx
        .audit(&mut conn, auth.ctx.event(action), Outcome::Ok)
        .await?;
    let p = page(
        month
            .map(|m| m.format("%Y-%m").to_string())
            .unwrap_or_default(),
        Errors::default(),
        provided,
        received,
        query,
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
    let page = |month, errors, section, query: String| CaseLedgerPage {
        layout: auth.ctx.layout("ledger-case-title"),
        case_id: id,
        name: name.clone(),
        month,
        errors,
        section,
        csv: format!("/cases/{id}/ledger.csv{query}"),
        xlsx: format!("/cases/{id}/ledger.xlsx{query}"),
    };
    let (month, after) = match read_month(tr, &q).and_then(|m| Ok((m, read_key(tr, &q)?))) {
        Ok(read) => read,
        Err(errors) => {
            // the page names the person: its view is recorded like the page's
            who.ok(&mut conn, action, Some(id), None).await?;
            let p = page(
                q.get("month"),
                errors,
                LedgerSection::default(),
                String::new(),
            );
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &p);
        }
    };
    let source = Source::Case(case);
    if let Some(format) = export {
        who.ok(&mut conn, action, Some(id), None).await?;
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
        let rows = LedgerPages {
            tr,
            source,
            month,
            after: None,
            done: false,
        };
        return export::respond(&state.db, format, sheet, rows).await;
    }
    let (rows, next) = source.page(&mut conn, month, after, PER_PAGE).await?;
    who.ok(&mut conn, action, Some(id), None).await?;
    let query = month_query(month);
    let more = next.map(|k| {
        format!(
            "/cases/{id}/ledger{}",
            join(&query, &format!("before={}", k.to_param()))
        )
    });
    let section = LedgerSection {
        lines: rows.iter().map(|r| LedgerLine::new(tr, r)).collect(),
        more,
        continued: after.is_some(),
    };
    let p = page(
        month
            .map(|m| m.format("%Y-%m").to_string())
            .unwrap_or_default(),
        Errors::default(),
        section,
        query,
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
