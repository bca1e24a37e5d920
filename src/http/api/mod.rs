//! The JSON API (`/api/v1`): one more adapter over the same doors as the pages. A request is
//! authenticated by a personal access token (`auth`: the token's user acting as the token's
//! membership, its rate limit, read-only tokens kept to reads), then each handler opens the
//! same door with the same action code as the page that shows the same thing, calls the same
//! area function or scoped query, and answers with a view of `views::api`. Errors are RFC 9457
//! problems (`problem`). The OpenAPI document is generated from these handlers (`openapi`).

mod auth;
mod body;
mod cases;
mod consents;
mod done;
mod entries;
mod meetings;
mod openapi;
mod problem;
mod referrals;
mod responses;

use crate::http::extract::{Auth, Ctx};
use crate::http::state::AppState;
use crate::i18n::{Lang, Tr};
pub use auth::bare_problem;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::Router;
pub use problem::ApiError;
use uuid::Uuid;

pub type ApiResult<T> = Result<T, ApiError>;

pub fn routes(state: &AppState) -> Router<AppState> {
    let authenticated = Router::new()
        .route("/api/v1/me", get(cases::me))
        .route("/api/v1/cases", get(cases::list))
        .route("/api/v1/cases/{id}", get(cases::show))
        .route("/api/v1/cases/{id}/team", get(cases::team))
        .route(
            "/api/v1/cases/{id}/consents",
            get(cases::consents).post(consents::record),
        )
        .route(
            "/api/v1/cases/{id}/consents/{consent_id}/revoke",
            post(consents::revoke),
        )
        .route(
            "/api/v1/cases/{id}/entries",
            get(entries::list).post(entries::create),
        )
        .route(
            "/api/v1/cases/{id}/referrals",
            get(cases::referrals).post(referrals::create),
        )
        .route(
            "/api/v1/referrals/{id}/transition",
            post(referrals::transition),
        )
        .route("/api/v1/cases/{id}/meetings", get(meetings::for_case))
        .route("/api/v1/cases/{id}/tasks", get(cases::tasks))
        .route(
            "/api/v1/cases/{id}/action-items",
            get(meetings::action_items),
        )
        .route("/api/v1/cases/{id}/checks", get(cases::checks))
        .route("/api/v1/meetings/{id}", get(meetings::show))
        .route("/api/v1/meetings/{id}/answer", post(meetings::answer))
        .route("/api/v1/meetings/{id}/material", get(meetings::material))
        .route("/api/v1/tasks/{id}/done", post(done::task))
        .route("/api/v1/action-items/{id}/done", post(done::action_item))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ));
    Router::new()
        .route("/api/v1/openapi.json", get(openapi::document))
        .merge(authenticated)
}

/// What the token allows, put into the request by `auth::authenticate`.
#[derive(Debug, Clone, Copy)]
pub struct ApiToken {
    pub id: Uuid,
    pub can_write: bool,
    /// Accept-Language when it names Japanese or English, else the user's language.
    pub lang: Lang,
}

/// A request the token authenticated: the same `Auth` the pages' handlers have (so the doors
/// take it as they are), in the language the API answers in.
pub struct Api {
    pub auth: Auth,
    pub token: ApiToken,
}

impl Api {
    pub fn tr(&self) -> Tr {
        self.auth.ctx.tr
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Api {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Ok(mut ctx) = Ctx::from_request_parts(parts, state).await;
        let token = parts
            .extensions
            .get::<ApiToken>()
            .copied()
            .ok_or(ApiError::Unauthorized)?;
        let user = ctx.user.clone().ok_or(ApiError::Unauthorized)?;
        ctx.tr = Tr::new(token.lang);
        Ok(Api {
            auth: Auth { ctx, user },
            token,
        })
    }
}

/// A path id that is not a UUID names nothing: 404, as for an id that names nothing.
pub fn path_id(
    p: Result<axum::extract::Path<Uuid>, axum::extract::rejection::PathRejection>,
) -> ApiResult<Uuid> {
    p.map(|axum::extract::Path(id)| id)
        .map_err(|_| ApiError::NotFound)
}
