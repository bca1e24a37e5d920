//! Request-wide steps: loading the session, rendering error pages, request logs.

use super::cookies::cookie_value;
use super::extract::{request_id, request_lang, session_cookie_name};
use super::form_limit;
use crate::db;
use crate::error::{AppError, ErrorPage};
use crate::http::state::AppState;
use crate::i18n::Tr;
use crate::views::{errors, Layout};
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::csrf::ProtectionError;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;

use crate::access::trail::RefusalMark;
use crate::db::entries::UNREAD_CAP;
use uuid::Uuid;

/// Looks up the session cookie and, when it names a live session, puts the `SessionUser` in
/// the request for the extractors. A database that cannot be reached gives 503.
pub async fn load_session(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    // the JSON API is authenticated by its tokens only (`http::api`), never by a cookie
    if req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let name = session_cookie_name(state.settings.secure_cookies);
    // pages show the unread count in the header; assets, health checks and form posts do not
    let is_page = req.method() == axum::http::Method::GET
        && !req.uri().path().starts_with("/static/")
        && !matches!(req.uri().path(), "/healthz" | "/readyz");
    // a GET on a case's pages: the case door's facts are read with the session (a change
    // reads them afresh at its door, in its own transaction)
    let case_in_path = (req.method() == axum::http::Method::GET)
        .then(|| case_in_path(req.uri().path()))
        .flatten();
    if let Some(token) = cookie_value(req.headers(), name) {
        let found: sqlx::Result<Option<db::auth::SessionUser>> = async {
            let mut conn = state.db.acquire().await?;
            // the unread count is counted afresh on every page, in the session's own
            // statement, on the inbox index, under the entry rule: a revocation or a change
            // made by another process shows at once
            db::auth::lookup(
                &mut conn,
                &token,
                state.settings.idle_timeout,
                state.settings.absolute_timeout,
                is_page.then_some(UNREAD_CAP),
                case_in_path,
            )
            .await
        }
        .await;
        match found {
            // a participant's limited account reaches its own daily report and nothing else
            Ok(Some(user))
                if user.participant_case_id.is_some()
                    && !super::daily::participant_may(req.uri().path()) =>
            {
                return if req.method() == axum::http::Method::GET {
                    axum::response::Redirect::to("/me/daily").into_response()
                } else {
                    let head = RequestHead::of(&req);
                    drop(req);
                    let who = (user.id, user.acting.as_ref().map(|m| m.agency_id));
                    head.record(&state, who, "participant.outside_own_pages")
                        .await;
                    AppError::Forbidden.into_response()
                };
            }
            // a session limited to enrolment reaches the enrolment pages and nothing else
            Ok(Some(user))
                if user.must_enrol && !super::second_factor::enrolling_may(req.uri().path()) =>
            {
                return if req.method() == axum::http::Method::GET {
                    axum::response::Redirect::to(super::session::ENROL_PATH).into_response()
                } else {
                    let head = RequestHead::of(&req);
                    drop(req);
                    let who = (user.id, user.acting.as_ref().map(|m| m.agency_id));
                    head.record(&state, who, "second_factor.enrol_first").await;
                    AppError::Forbidden.into_response()
                };
            }
            Ok(Some(user)) => {
                let mark = RefusalMark::default();
                req.extensions_mut().insert(mark.clone());
                let who = (user.id, user.acting.as_ref().map(|m| m.agency_id));
                let head = RequestHead::of(&req);
                req.extensions_mut().insert(user);
                let res = next.run(req).await;
                if matches!(res.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND)
                    && !mark.recorded()
                {
                    head.record(&state, who, "request.refused").await;
                }
                return res;
            }
            Ok(None) => {}
            Err(e) => return AppError::from(e).into_response(),
        }
    }
    next.run(req).await
}

/// The case a path under `/cases/{id}` names.
fn case_in_path(path: &str) -> Option<uuid::Uuid> {
    let rest = path.strip_prefix("/cases/")?;
    let id = rest.split('/').next()?;
    uuid::Uuid::parse_str(id).ok()
}

/// PostgreSQL cannot store a NUL character and nobody types one: it is dropped from the query
/// string and from form bodies before anything reads them, so a form with one in it is checked
/// and answered like any other (never a 500 from the database).
///
/// Form bodies are read here, at most `BODY_LIMIT` bytes of them (see `form_limit`): a body
/// over it keeps what was received, so the form comes back with the text and a message by the
/// field that was too long, instead of an error page that loses the text.
pub async fn form_body(req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    if let Some(query) = parts.uri.query().filter(|q| q.contains("%00")) {
        // again until none is left: removing one can join a `%` before it with the `00` after
        // it (`%%0000` → `%00`)
        let mut query = query.replace("%00", "");
        while query.contains("%00") {
            query = query.replace("%00", "");
        }
        let path = parts.uri.path();
        let rebuilt = if query.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{query}")
        };
        if let Ok(uri) = rebuilt.parse() {
            parts.uri = uri;
        }
    }
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        // other bodies meet the body limit layer inside
        return next.run(Request::from_parts(parts, body)).await;
    }
    let received = match form_limit::read(body).await {
        Ok(r) => r,
        Err(form_limit::Unreadable) => return StatusCode::BAD_REQUEST.into_response(),
    };
    let bytes = match received {
        form_limit::Received::Whole(bytes) => bytes,
        form_limit::Received::Cut(bytes) => match form_limit::keep_text(&bytes) {
            Some(kept) => kept,
            // no one field was long: many fields, or repeated ones, are no one's text
            None => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
        },
    };
    let mut cleaned = without_nul(&bytes);
    // again until none is left: removing one can make another (`%%0000` → `%00`)
    while cleaned.windows(3).any(|w| w == b"%00") {
        cleaned = without_nul(&cleaned);
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    next.run(Request::from_parts(parts, Body::from(cleaned)))
        .await
}

/// An url-encoded body without NUL characters, encoded (`%00`) or raw. A `%` in such a body
/// always starts an escape (a typed `%` is `%25`), so `%00` is only ever a NUL.
fn without_nul(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i..].starts_with(b"%00") {
            i += 3;
        } else {
            if body[i] != 0 {
                out.push(body[i]);
            }
            i += 1;
        }
    }
    out
}

/// What the refusal row of a request says about it.
struct RequestHead {
    request_id: String,
    ip: String,
    detail: String,
}

impl RequestHead {
    fn of(req: &Request) -> RequestHead {
        RequestHead {
            request_id: request_id(req.headers()),
            ip: super::client_addr::audit_text(req.extensions()),
            detail: format!("{} {}", req.method(), req.uri().path()),
        }
    }

    /// A refusal row on the refusals' own pool; a failure to write it is logged, the answer
    /// stands.
    /// `who`: the user and the agency they act as.
    async fn record(&self, state: &AppState, who: (Uuid, Option<Uuid>), action: &'static str) {
        let event = db::audit::Event {
            user_id: Some(who.0),
            acting_agency_id: who.1,
            action,
            request_id: self.request_id.clone(),
            ip: self.ip.clone(),
            detail: self.detail.clone(),
            ..Default::default()
        };
        let written = async {
            let mut conn = state.refusals.acquire().await?;
            db::audit::record(&mut conn, &event, db::audit::Outcome::Denied).await
        }
        .await;
        if let Err(e) = written {
            tracing::error!(error = %e, "refusal not audited");
        }
    }
}

/// Turns bare error responses (ours, the router's, the CSRF check's, the body limit's) into a
/// page in the frame, in the request's language, with the request id. A form that comes back
/// with its errors (the login form's 429 too) is HTML already and passes through untouched.
pub async fn error_pages(req: Request, next: Next) -> Response {
    let tr = Tr::new(request_lang(req.headers()));
    let rid = request_id(req.headers());
    // the JSON API answers problems (RFC 9457), written by its own layer or, for the bare
    // errors no handler of it saw, here
    let api = req
        .uri()
        .path()
        .starts_with("/api/")
        .then(|| (req.headers().clone(), req.uri().path().to_string()));
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    if let Some((headers, path)) = api {
        let is_json = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/problem+json"));
        return if is_json {
            res
        } else {
            let retry_after = res.headers().get(header::RETRY_AFTER).cloned();
            let mut out = super::api::bare_problem(&headers, &path, status);
            if let Some(v) = retry_after {
                out.headers_mut().insert(header::RETRY_AFTER, v);
            }
            out
        };
    }
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let marked = res.extensions().get::<ErrorPage>().is_some();
    if is_html && !marked {
        return res;
    }
    let key = if res.extensions().get::<ProtectionError>().is_some() {
        "error-csrf"
    } else {
        match status {
            StatusCode::NOT_FOUND => "error-not-found",
            StatusCode::FORBIDDEN => "error-forbidden",
            StatusCode::METHOD_NOT_ALLOWED => "error-method",
            StatusCode::PAYLOAD_TOO_LARGE => "error-too-large",
            StatusCode::TOO_MANY_REQUESTS => "error-too-many",
            StatusCode::SERVICE_UNAVAILABLE => "error-unavailable",
            s if s.is_server_error() => "error-internal",
            _ => "error-bad-request",
        }
    };
    let retry_after = res.headers().get(header::RETRY_AFTER).cloned();
    let page = errors::ErrorPage {
        layout: Layout::bare(tr, tr.t("error-title")),
        status: status.as_u16(),
        message: tr.t(key),
        request_id: rid,
    };
    let mut out = match crate::http::render::render(&page) {
        Ok(html) => (status, html).into_response(),
        Err(_) => (status, Body::from(status.to_string())).into_response(),
    };
    if let Some(v) = retry_after {
        out.headers_mut().insert(header::RETRY_AFTER, v);
    }
    out
}

/// One span per request with its method, matched route and request id.
/// One line per request, written when the response starts: the span's method, matched route
/// (never the path itself, which may carry ids and query text) and request id, then the status
/// and the time taken. Nothing at the start, nothing again on failure.
pub fn trace_layer() -> TraceLayer<
    SharedClassifier<ServerErrorsAsFailures>,
    impl Fn(&Request) -> tracing::Span + Clone,
    (),
    DefaultOnResponse,
    (),
    (),
    (),
> {
    TraceLayer::new_for_http()
        .on_request(())
        .on_response(
            DefaultOnResponse::new()
                .level(tracing::Level::INFO)
                .latency_unit(LatencyUnit::Micros),
        )
        .on_body_chunk(())
        .on_eos(())
        .on_failure(())
        .make_span_with(|req: &Request| {
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default();
            tracing::info_span!(
                "request",
                method = %req.method(),
                route = %route,
                request_id = %request_id(req.headers()),
            )
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn nul_characters_leave_form_bodies() {
        assert_eq!(
            super::without_nul(b"a=x%00y&b=%2500&c=\0z"),
            b"a=xy&b=%2500&c=z".to_vec()
        );
    }
}
