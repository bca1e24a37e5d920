//! The agency directory (SPEC §9, seed 000 5-③): search agencies, read a profile with its
//! programs, staff faces and open events, and start work with an agency from there. The
//! agency's admin keeps the profile; a member keeps their own staff card.
//!
//! The routes and the helpers the pages share are here; each part of the directory has its
//! own file below.

mod connect;
mod edit;
mod events;
mod profile;
mod programs;
mod search;
mod staff;

use super::extract::Auth;
use crate::db::audit::Outcome;
use crate::db::directory::{self as dir, Profile};
use crate::domain::text;
use crate::error::{AppError, AppResult};
use crate::http::flash::{self, Flash};
use crate::http::state::AppState;
use crate::i18n::Tr;
use crate::policy;
use crate::views::directory::ProfilePage;
use crate::views::{Choice, Errors};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agencies", get(search::index))
        .route("/agencies/{id}", get(profile::show))
        .route("/agencies/{id}/connect", get(connect::connect))
        .route("/agencies/{id}/edit", get(edit::edit).post(edit::save))
        .route(
            "/agencies/{id}/programs/{item}",
            get(programs::program_form).post(programs::save_program),
        )
        .route(
            "/agencies/{id}/programs/{item}/delete",
            post(|s, a, p| delete(s, a, p, dir::Part::Program)),
        )
        .route(
            "/agencies/{id}/events/{item}",
            get(events::event_form).post(events::save_event),
        )
        .route(
            "/agencies/{id}/events/{item}/delete",
            post(|s, a, p| delete(s, a, p, dir::Part::Event)),
        )
        .route(
            "/agencies/{id}/staff/{item}/delete",
            post(|s, a, p| delete(s, a, p, dir::Part::Staff)),
        )
        .route("/agencies/{id}/staff/{item}/photo", get(staff::photo))
}

/// The staff card form carries a photo: it gets its own, larger body limit (see `http::router`).
pub fn upload_routes() -> Router<AppState> {
    Router::new().route(
        "/agencies/{id}/staff/{item}",
        get(staff::staff_form).post(staff::save_staff),
    )
}

/// "new" or the id of an item.
fn item_id(item: &str) -> AppResult<Option<Uuid>> {
    match item {
        "new" => Ok(None),
        s => Uuid::parse_str(s).map(Some).map_err(|_| AppError::NotFound),
    }
}

async fn audit(
    conn: &mut PgConnection,
    auth: &Auth,
    action: &'static str,
    target: Uuid,
    outcome: Outcome,
) -> AppResult<()> {
    let mut event = auth.ctx.event(action);
    event.target_id = Some(target);
    auth.ctx.audit(conn, event, outcome).await?;
    Ok(())
}

/// The agency's profile; an inactive agency is gone from the directory (but for the admin).
async fn load(conn: &mut PgConnection, auth: &Auth, id: Uuid) -> AppResult<Profile> {
    dir::profile(conn, id)
        .await?
        .filter(|p| p.active || policy::is_system_admin(&auth.user))
        .ok_or(AppError::NotFound)
}

/// Refuses (and audits the refusal) unless the user keeps this agency's directory entry.
async fn require_editor(
    conn: &mut PgConnection,
    auth: &Auth,
    agency: Uuid,
    action: &'static str,
) -> AppResult<()> {
    if policy::may_edit_directory(&auth.user, agency) {
        return Ok(());
    }
    audit(conn, auth, action, agency, Outcome::Denied).await?;
    Err(AppError::Forbidden)
}

/// Plain text only: a message by each field that holds markup.
fn no_markup(tr: Tr, errors: &mut Errors, fields: &[(&'static str, &str)]) {
    for (name, value) in fields {
        if text::has_markup(value) {
            errors.add(*name, tr.t("directory-no-markup"));
        }
    }
}

/// Removes a program, staff card or event: the agency's editors only, audited.
async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, item)): Path<(Uuid, Uuid)>,
    part: dir::Part,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    load(&mut conn, &auth, id).await?;
    require_editor(&mut conn, &auth, id, part.delete_action()).await?;
    let mut tx = conn.begin().await?;
    if !dir::delete(&mut tx, part, id, item).await? {
        return Err(AppError::NotFound);
    }
    audit(&mut tx, &auth, part.delete_action(), item, Outcome::Ok).await?;
    tx.commit().await?;
    Ok(flash::redirect(
        &format!("/agencies/{id}/edit"),
        Flash::Removed,
    ))
}

pub(super) async fn profile_page(
    conn: &mut PgConnection,
    auth: &Auth,
    p: Profile,
    errors: Errors,
    chosen_case: &str,
) -> AppResult<ProfilePage> {
    let programs = dir::programs(conn, p.id).await?;
    let staff = dir::staff_list(conn, p.id)
        .await?
        .into_iter()
        .map(|s| {
            let editable = policy::may_edit_staff_card(&auth.user, p.id, s.user_id);
            (s, editable)
        })
        .collect();
    let events = dir::upcoming_events(conn, p.id).await?;
    let cases = match auth.user.actor() {
        Some(actor)
            if policy::may_connect_from_directory(&auth.user) && actor.agency_id() != p.id =>
        {
            dir::open_cases(conn, actor)
                .await?
                .into_iter()
                .map(|(id, name)| Choice::new(&id.to_string(), name, chosen_case))
                .collect()
        }
        _ => vec![],
    };
    Ok(ProfilePage {
        layout: auth.ctx.layout_titled(p.name.clone()),
        can_edit: policy::may_edit_directory(&auth.user, p.id),
        is_coordinator: policy::is_coordinator(&auth.user),
        p,
        programs,
        staff,
        events,
        cases,
        errors,
    })
}
