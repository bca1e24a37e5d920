//! Turning a view into a response: askama renders, the handler answers.

use crate::error::{AppError, AppResult};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

pub fn render<T: Template>(t: &T) -> AppResult<Html<String>> {
    t.render()
        .map(Html)
        .map_err(|e| AppError::Internal(e.into()))
}

/// A page with a status other than 200: a form with errors (422), a refused login (401)…
pub fn render_status<T: Template>(status: StatusCode, t: &T) -> AppResult<Response> {
    Ok((status, render(t)?).into_response())
}

/// A JSON answer of the API (`views::api`).
pub fn json<T: serde::Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => (
            status,
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            bytes,
        )
            .into_response(),
        Err(e) => AppError::Internal(e.into()).into_response(),
    }
}

/// An RFC 9457 problem of the API, as `application/problem+json`.
pub fn problem(p: &crate::views::api::Problem) -> Response {
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let bytes = serde_json::to_vec(p).unwrap_or_default();
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/problem+json")],
        bytes,
    )
        .into_response()
}
