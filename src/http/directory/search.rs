//! Searching the directory: agencies by name, kind, area and the disabilities they support.

use crate::db::audit::Outcome;
use crate::db::directory::{self as dir, Filter};
use crate::domain::case::Disability;
use crate::domain::kinds::AgencyKind;
use crate::domain::text;
use crate::error::AppResult;
use crate::http::extract::Auth;
use crate::http::form::Pairs;
use crate::http::render::render;
use crate::http::state::AppState;
use crate::views::directory::DirectoryPage;
use crate::views::Choice;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

pub(super) async fn index(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let filter = Filter {
        q: text::nfkc(&q.get("q")),
        kind: AgencyKind::parse(&q.get("kind"))
            .map(|k| k.as_str().to_string())
            .unwrap_or_default(),
        area: text::nfkc(&q.get("area")),
        disability: Disability::parse(&q.get("disability"))
            .map(|d| d.as_str().to_string())
            .unwrap_or_default(),
    };
    let mut conn = state.db.acquire().await?;
    let cards = dir::search(&mut conn, &filter).await?;
    let areas = dir::areas(&mut conn).await?;
    let mut event = auth.ctx.event("directory.search");
    event.detail = format!(
        "q={} kind={} area={} disability={}",
        filter.q, filter.kind, filter.area, filter.disability
    );
    auth.ctx.audit(&mut conn, event, Outcome::Ok).await?;
    let page = DirectoryPage {
        layout: auth.ctx.layout("directory-title"),
        kinds: AgencyKind::ALL
            .iter()
            .map(|k| Choice::new(k.as_str(), tr.t(k.label_key()), &filter.kind))
            .collect(),
        areas: areas
            .iter()
            .map(|a| Choice::new(a, a.clone(), &filter.area))
            .collect(),
        disabilities: Disability::ALL
            .iter()
            .map(|d| {
                let text = tr.t(format!("disability-{}", d.as_str()));
                Choice::new(d.as_str(), text, &filter.disability)
            })
            .collect(),
        limit_reached: cards.len() as i64 >= dir::DIRECTORY_LIMIT,
        cards,
        for_case: Uuid::parse_str(&q.get("case")).ok(),
        filter,
    };
    Ok(render(&page)?.into_response())
}
