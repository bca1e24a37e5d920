//! The shared timeline of a case: reading it (filters, older pages), writing progress,
//! observations, contacts and notes, replying to another agency's observation, editing with
//! history, and the inbox of unread entries.
//!
//! The routes and the limits the forms share are here; each part of the timeline has its own
//! file below.

mod entry;
mod export;
mod inbox;
mod page;
mod write;

use crate::http::state::AppState;
use axum::routing::{get, post};
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/timeline", get(page::timeline_page))
        .route("/cases/{id}/timeline.csv", get(export::timeline_csv))
        .route("/cases/{id}/timeline.xlsx", get(export::timeline_xlsx))
        .route("/cases/{id}/entries/new", get(write::new_entry))
        .route("/cases/{id}/entries", post(write::create_entry))
        .route("/cases/{id}/entries/{entry_id}", get(entry::entry_page))
        .route("/cases/{id}/entries/{entry_id}/replies", post(entry::reply))
        .route(
            "/cases/{id}/entries/{entry_id}/edit",
            get(write::edit_form).post(write::save_edit),
        )
        .route("/inbox", get(inbox::inbox))
        .route("/inbox/read-all", post(inbox::read_all))
}

use crate::area::timeline::FIELD_MAX;
