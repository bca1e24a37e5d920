//! A case and what hangs off it, read through the same door as the case's pages, audited with
//! the same action codes: the acting agency's list, the header, the team, the consents, the
//! referrals, the tasks and the checklists.

use super::responses::{Problems, ReadProblems};
use super::{path_id, Api, ApiError, ApiResult};
use crate::access::{self, Need};
use crate::db::{self, audit::Outcome};
use crate::domain::checklist::{READINESS, RETENTION};
use crate::error::AppError;
use crate::http::render::json;
use crate::http::state::AppState;
use crate::views::api::{Case, CaseSummary, Check, Consent, Me, Paged, Referral, Task, TeamMember};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use serde::Deserialize;
use uuid::Uuid;

/// Who the token acts as.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = Me), ReadProblems),
    security(("token" = [])))]
pub(super) async fn me(State(state): State<AppState>, api: Api) -> ApiResult<Response> {
    let mut conn = state.db.acquire().await?;
    let acting = api.auth.user.acting.clone().ok_or(ApiError::Unauthorized)?;
    api.auth
        .ctx
        .audit(&mut conn, api.auth.ctx.event("api.me.view"), Outcome::Ok)
        .await?;
    Ok(json(
        StatusCode::OK,
        &Me {
            user_id: api.auth.user.id,
            display_name: api.auth.user.display_name.clone(),
            agency_id: acting.agency_id,
            agency_name: acting.agency_name,
            role: acting.role.as_str().to_string(),
            can_write: api.token.can_write,
        },
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct CasesQuery {
    /// Only cases whose person's name or kana matches, as the case list's search box matches
    /// (spaces ignored; hiragana, katakana and half-width kana alike).
    q: String,
    /// Where the page starts: the `next` of the previous page (of the same `q`).
    after: Option<String>,
}

pub(super) const CASES_PER_PAGE: i64 = 50;

fn case_cursor(sort_kana: &str, id: Uuid) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{id}{sort_kana}"))
}

fn parse_case_cursor(s: &str) -> Option<db::cases::KanaCursor> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (id, kana) = (text.get(..36)?, text.get(36..)?);
    // a cursor is ours only if it could have been: PostgreSQL stores no NUL, and no kana
    // key is longer than a name
    if kana.contains('\0') || kana.chars().count() > 400 {
        return None;
    }
    Some(db::cases::KanaCursor {
        sort_kana: kana.to_string(),
        id: Uuid::parse_str(id).ok()?,
    })
}

/// The cases the acting agency is or was on, by kana, 50 to a page, optionally searched by
/// name or kana (the `/cases` page and its search box).
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CasesQuery),
    responses((status = 200, body = Paged<CaseSummary>), Problems),
    security(("token" = [])))]
pub(super) async fn list(
    State(state): State<AppState>,
    api: Api,
    Query(q): Query<CasesQuery>,
) -> ApiResult<Response> {
    let tr = api.tr();
    let after = match q.after.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(
            parse_case_cursor(s).ok_or_else(|| ApiError::field("after", tr.t("api-bad-cursor")))?,
        ),
        None => None,
    };
    let actor = api.auth.user.actor().ok_or(ApiError::Unauthorized)?;
    let mut conn = state.db.acquire().await?;
    let (name_key, kana_key) = crate::domain::kana::case_search_keys(&q.q);
    let mut cases = db::cases::list(
        &mut conn,
        actor,
        &name_key,
        &kana_key,
        after.as_ref(),
        CASES_PER_PAGE + 1,
    )
    .await?;
    let next = if cases.len() as i64 > CASES_PER_PAGE {
        cases.truncate(CASES_PER_PAGE as usize);
        cases.last().map(|c| case_cursor(&c.sort_kana, c.id))
    } else {
        None
    };
    api.auth
        .ctx
        .audit(&mut conn, api.auth.ctx.event("cases.list"), Outcome::Ok)
        .await?;
    Ok(json(
        StatusCode::OK,
        &Paged {
            items: cases.into_iter().map(CaseSummary::from).collect::<Vec<_>>(),
            next,
        },
    ))
}

/// Opens the case for reading as its page does (`access::case::view`) and records the view with
/// the page's code.
async fn read_case(
    state: &AppState,
    api: &Api,
    conn: &mut sqlx::PgConnection,
    id: Uuid,
    action: &'static str,
) -> ApiResult<access::CaseScope> {
    let who = api.auth.who(&state.refusals);
    Ok(access::case::view(conn, &who, id, Need::Read, action, None).await?)
}

/// The case's header, as its page shows it to the acting agency.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = Uuid, Path, description = "The case")),
    responses((status = 200, body = Case), ReadProblems),
    security(("token" = [])))]
pub(super) async fn show(
    State(state): State<AppState>,
    api: Api,
    id: Result<Path<Uuid>, PathRejection>,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    let mut conn = state.db.acquire().await?;
    let case = read_case(&state, &api, &mut conn, id, "case.view").await?;
    let header = db::cases::header(&mut conn, case.reader())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(json(StatusCode::OK, &Case::from(header)))
}

/// The team, current members first (the case's team page).
#[utoipa::path(get, path = "/api/v1/cases/{id}/team", tag = "cases",
    params(("id" = Uuid, Path, description = "The case")),
    responses((status = 200, body = Vec<TeamMember>), ReadProblems),
    security(("token" = [])))]
pub(super) async fn team(
    State(state): State<AppState>,
    api: Api,
    id: Result<Path<Uuid>, PathRejection>,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    let mut conn = state.db.acquire().await?;
    let case = read_case(&state, &api, &mut conn, id, "case.team.view").await?;
    let team = db::cases::team(&mut conn, &case).await?;
    Ok(json(
        StatusCode::OK,
        &team.into_iter().map(TeamMember::from).collect::<Vec<_>>(),
    ))
}

/// The case's consents, newest first (the consents page).
#[utoipa::path(get, path = "/api/v1/cases/{id}/consents", tag = "cases",
    params(("id" = Uuid, Path, description = "The case")),
    responses((status = 200, body = Vec<Consent>), ReadProblems),
    security(("token" = [])))]
pub(super) async fn consents(
    State(state): State<AppState>,
    api: Api,
    id: Result<Path<Uuid>, PathRejection>,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    let mut conn = state.db.acquire().await?;
    let case = read_case(&state, &api, &mut conn, id, "case.consents.view").await?;
    let rows = db::consents::for_case(&mut conn, &case).await?;
    Ok(json(
        StatusCode::OK,
        &rows.into_iter().map(Consent::from).collect::<Vec<_>>(),
    ))
}

/// The case's referrals the acting agency is a side of (the case's referrals page).
#[utoipa::path(get, path = "/api/v1/cases/{id}/referrals", tag = "cases",
    params(("id" = Uuid, Path, description = "The case")),
    responses((status = 200, body = Vec<Referral>), ReadProblems),
    security(("token" = [])))]
pub(super) async fn referrals(
    State(state): State<AppState>,
    api: Api,
    id: Result<Path<Uuid>, PathRejection>,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    let mut conn = state.db.acquire().await?;
    let case = read_case(&state, &api, &mut conn, id, "case.referrals.view").await?;
    let rows = db::referrals::for_case(&mut conn, &case).await?;
    Ok(json(
        StatusCode::OK,
        &rows.into_iter().map(Referral::from).collect::<Vec<_>>(),
    ))
}

/// The case's tasks from its legal dates, open first (the case's legal page).
#[utoipa::path(get, path = "/api/v1/cases/{id}/tasks", tag = "cases",
    params(("id" = Uuid, Path, description = "The case")),
    responses((status = 200, body = Vec<Task>), ReadProblems),
    security(("token" = [])))]
pub(super) async fn tasks(
    State(state): State<AppState>,
    api: Api,
    id: Result<Path<Uuid>, PathRejection>,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    let tr = api.tr();
    let mut conn = state.db.acquire().await?;
    let case = read_case(&state, &api, &mut conn, id, "case.legal.view").await?;
    let rows = db::tasks::for_case(&mut conn, &case).await?;
    Ok(json(
        StatusCode::OK,
        &rows
            .into_iter()
            .map(|t| {
                let title = tr.task_title(&t);
                Task::of(t, title)
            })
            .collect::<Vec<_>>(),
    ))
}

/// The case's readiness and retention checklists the acting agency may see, newest first
/// (the checks pages).
#[utoipa::path(get, path = "/api/v1/cases/{id}/checks", tag = "cases",
    params(("id" = Uuid, Path, description = "The case")),
    responses((status = 200, body = Vec<Check>), ReadProblems),
    security(("token" = [])))]
pub(super) async fn checks(
    State(state): State<AppState>,
    api: Api,
    id: Result<Path<Uuid>, PathRejection>,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    let mut conn = state.db.acquire().await?;
    let case = read_case(&state, &api, &mut conn, id, "case.checks.view").await?;
    let mut out = vec![];
    for (instrument, limit) in [(READINESS, 50), (RETENTION, 24)] {
        for row in db::checks::history(&mut conn, case.reader(), instrument, limit).await? {
            out.push(Check::of(instrument, row));
        }
    }
    Ok(json(StatusCode::OK, &out))
}
