//! `/`: the dashboard of the acting agency. Later features add their panels here.

use super::extract::Auth;
use crate::error::AppResult;
use crate::views::{dashboard::Dashboard, render};
use axum::response::Html;

pub async fn index(auth: Auth) -> AppResult<Html<String>> {
    render(&Dashboard {
        layout: auth.ctx.layout("dashboard-title"),
    })
}
