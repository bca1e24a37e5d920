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
