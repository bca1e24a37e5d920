//! An agency's profile page: its programs, staff faces and open events.

use super::{audit, load};
use crate::db::audit::Outcome;
use crate::db::directory::{self as dir, Profile};
use crate::error::AppResult;
use crate::http::extract::Auth;
use crate::policy;
use crate::views::directory::ProfilePage;
use crate::views::{render, Choice, Errors};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use sqlx::PgConnection;
use uuid::Uuid;

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
    let cases = match auth.user.acting.as_ref() {
        Some(m) if policy::may_connect_from_directory(&auth.user) && m.agency_id != p.id => {
            dir::open_cases(conn, m.agency_id)
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

pub(super) async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let p = load(&mut conn, &auth, id).await?;
    let page = profile_page(&mut conn, &auth, p, Errors::default(), "").await?;
    audit(&mut conn, &auth, "directory.view", id, Outcome::Ok).await?;
    Ok(render(&page)?.into_response())
}
