//! A case's meetings as a file: the list the case's meetings page shows this reader — for a
//! meeting it convenes or is invited to, the time, purpose, status and convener; for the
//! others only the day, purpose and status (SPEC §7), through the same query.

use crate::db;
use crate::error::{AppError, AppResult};
use crate::http::export::{self, Cell, Format, Sheet};
use crate::http::extract::Auth;
use crate::http::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use uuid::Uuid;

const COLUMNS: &[&str] = &[
    "export-col-when",
    "meeting-purpose",
    "meeting-status",
    "meeting-convener",
];

pub(super) async fn meetings_csv(
    state: State<AppState>,
    auth: Auth,
    id: Path<Uuid>,
) -> AppResult<Response> {
    meetings_export(state, auth, id, Format::Csv).await
}

pub(super) async fn meetings_xlsx(
    state: State<AppState>,
    auth: Auth,
    id: Path<Uuid>,
) -> AppResult<Response> {
    meetings_export(state, auth, id, Format::Xlsx).await
}

async fn meetings_export(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    format: Format,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut conn = state.db.acquire().await?;
    let case = crate::access::case::open(
        &mut conn,
        &auth.who(&state.refusals),
        id,
        crate::access::Need::Read,
        "case.meetings.export",
    )
    .await?;
    let header = db::cases::header(&mut conn, case.reader())
        .await?
        .ok_or(AppError::NotFound)?;
    let meetings = db::meetings::for_case(&mut conn, &case).await?;
    auth.who(&state.refusals)
        .ok(&mut conn, "case.meetings.export", Some(id), None)
        .await?;
    drop(conn);
    let rows = meetings
        .iter()
        .map(|m| {
            if m.readable {
                vec![
                    Cell::At(Some(m.starts_at)),
                    Cell::text(tr.t(m.purpose_key())),
                    Cell::text(tr.t(m.status_key())),
                    Cell::text(&m.convener_agency_name),
                ]
            } else {
                vec![
                    Cell::Date(Some(m.tokyo_day())),
                    Cell::text(tr.t(m.purpose_key())),
                    Cell::text(tr.t(m.status_key())),
                    Cell::text(tr.t("meeting-not-invited")),
                ]
            }
        })
        .collect();
    let person = format!("{}{}", header.family_name, header.given_name);
    let sheet = Sheet::new(tr, "meetings", "meetings", Some(&person)).columns(tr, COLUMNS);
    export::respond(&state.db, format, sheet, export::Once(Some(rows))).await
}
