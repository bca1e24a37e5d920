//! The router and the layers every request passes through.

pub mod account;
pub mod admin;
pub mod assets;
pub mod auth;
pub mod cases;
pub mod checks;
pub mod client_addr;
pub mod consents;
pub mod cookies;
pub mod daily;
pub mod dashboard;
pub mod directory;
pub mod employment;
pub mod extract;
pub mod flash;
pub mod form;
pub mod form_limit;
pub mod ledger;
pub mod meetings;
pub mod middleware;
pub mod notifications;
pub mod plans;
pub mod referrals;
pub mod render;
pub mod reports;
pub mod retention;
pub mod review;
pub mod second_factor;
pub mod session;
pub mod state;
pub mod team;
pub mod timeline;

use crate::http::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue};
use axum::routing::get;
use axum::Router;
use std::time::Duration;
use tower_http::csrf::CsrfLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::PropagateRequestIdLayer;
use tower_http::set_header::{SetRequestHeaderLayer, SetResponseHeaderLayer};
use tower_http::timeout::TimeoutLayer;

/// Form posts: the longest field (`form_limit::LONGEST_FIELD`, 50,000 characters) at 12 bytes
/// a character percent-encoded is 600 KB; twice that with the other fields. A longer body keeps
/// its text (`form_limit`).
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;
/// The staff card form with its photo: the photo may be 2 MB (`domain::photo::MAX_BYTES`);
/// up to this size a larger file still gets a message by the field instead of an error page.
pub const UPLOAD_LIMIT: usize = 8 * 1024 * 1024;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Every request gets Renkei's own id (stored in its audit rows, shown on error pages, sent
/// back in `x-request-id`): one a client sends is replaced, never trusted.
fn own_request_id<B>(_: &axum::http::Request<B>) -> Option<HeaderValue> {
    HeaderValue::from_str(&uuid::Uuid::now_v7().to_string()).ok()
}

pub fn router(state: AppState) -> Router {
    let x_request_id = HeaderName::from_static("x-request-id");
    let secure = state.settings.secure_cookies;

    let forms = Router::new()
        .route("/", get(dashboard::index))
        .merge(auth::routes(&state))
        .merge(account::routes())
        .merge(notifications::routes())
        .merge(second_factor::routes())
        .merge(admin::routes())
        .merge(cases::routes())
        .merge(team::routes())
        .merge(consents::routes())
        .merge(timeline::routes())
        .merge(checks::routes())
        .merge(referrals::routes())
        .merge(meetings::routes())
        .merge(plans::routes())
        .merge(reports::routes())
        .merge(ledger::routes())
        .merge(employment::routes())
        .merge(retention::routes())
        .merge(daily::routes())
        .merge(directory::routes())
        .route("/static/{file}", get(assets::static_file))
        .route("/healthz", get(assets::healthz))
        .route("/readyz", get(assets::readyz))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(axum::middleware::from_fn(middleware::form_body));
    let uploads = directory::upload_routes()
        .layer(RequestBodyLimitLayer::new(UPLOAD_LIMIT))
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT));

    let routes = forms
        .merge(uploads)
        .fallback(assets::not_found)
        // inner → outer: the session is loaded before handlers run
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::load_session,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            flash::carry,
        ))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(CsrfLayer::new())
        .layer(axum::middleware::from_fn(middleware::error_pages))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            secure.then(|| HeaderValue::from_static("max-age=63072000; includeSubDomains")),
        ))
        // outside every step that audits: the client address is known to all of them
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            client_addr::stamp,
        ))
        .layer(middleware::trace_layer())
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(SetRequestHeaderLayer::overriding(
            x_request_id,
            own_request_id::<axum::body::Body>,
        ));

    routes.with_state(state)
}
