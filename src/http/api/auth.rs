//! Who is asking the API: the bearer token. Unknown, revoked and expired tokens get 401 (a
//! revoked or expired token's refusal is audited under its user); a token over its rate gets
//! 429 with Retry-After; a read-only token that writes gets 403. A live token's user goes into
//! the request acting as the token's membership and only it, so the doors decide as they do
//! for that user's pages; a request that ends in 403 or 404 without the door's refusal row gets
//! a `request.refused` row here, as the session layer does for pages. Every error response is
//! written here as a problem in the request's language.

use super::problem::Spec;
use super::ApiToken;
use crate::access::trail::RefusalMark;
use crate::db::{self, api_tokens::Found, audit::Outcome};
use crate::http::extract::request_id;
use crate::http::state::AppState;
use crate::i18n::{Lang, Tr};
use crate::views::api::{Problem, ProblemKind};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

/// The language the request asks for, when it names Japanese or English.
fn asked_lang(headers: &HeaderMap) -> Option<Lang> {
    let header = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())?;
    let names = header.split(',').any(|part| {
        let tag = part.trim().split(';').next().unwrap_or("").trim();
        let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
        primary == "ja" || primary == "en"
    });
    names.then(|| Lang::negotiate(None, Some(header)))
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// What the audit rows of this request say about it.
struct Head {
    request_id: String,
    ip: String,
    path: String,
    detail: String,
}

impl Head {
    async fn record(
        &self,
        state: &AppState,
        who: (Uuid, Uuid),
        action: &'static str,
        target: Option<Uuid>,
    ) {
        let event = db::audit::Event {
            user_id: Some(who.0),
            acting_agency_id: Some(who.1),
            action,
            target_id: target,
            request_id: self.request_id.clone(),
            ip: self.ip.clone(),
            detail: self.detail.clone(),
            ..Default::default()
        };
        let written = async {
            let mut conn = state.refusals.acquire().await?;
            db::audit::record(&mut conn, &event, Outcome::Denied).await
        }
        .await;
        if let Err(e) = written {
            tracing::error!(error = %e, "refusal not audited");
        }
    }

    fn problem(&self, lang: Lang, kind: ProblemKind) -> Response {
        self.dress(lang, Spec::response(kind, vec![]))
    }

    /// An error response becomes a problem in `lang`: from the handler's `Spec`, or from the
    /// bare status of an extractor's rejection.
    fn dress(&self, lang: Lang, res: Response) -> Response {
        let status = res.status();
        if !(status.is_client_error() || status.is_server_error()) {
            return res;
        }
        let (kind, errors) = match res.extensions().get::<Spec>() {
            Some(spec) => (spec.kind, spec.errors.clone()),
            None => (ProblemKind::of_status(status.as_u16()), vec![]),
        };
        let problem = Problem::new(Tr::new(lang), kind, &self.path, &self.request_id, errors);
        let mut out = crate::http::render::problem(&problem);
        for name in [header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
            if let Some(v) = res.headers().get(&name) {
                out.headers_mut().insert(name, v.clone());
            }
        }
        out
    }
}

pub(super) async fn authenticate(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let asked = asked_lang(req.headers());
    let head = Head {
        request_id: request_id(req.headers()),
        ip: crate::http::client_addr::audit_text(req.extensions()),
        path: req.uri().path().to_string(),
        detail: format!("api {} {}", req.method(), req.uri().path()),
    };
    let lang0 = asked.unwrap_or(Lang::Ja);
    let Some(token) = bearer(req.headers()) else {
        return head.problem(lang0, ProblemKind::Unauthorized);
    };
    let looked = async {
        let mut conn = state.db.acquire().await?;
        let found = db::api_tokens::lookup(&mut conn, &token).await?;
        let wait = match &found {
            Found::Live(t) => {
                db::api_tokens::take(
                    &mut conn,
                    t.token_id,
                    state.settings.api_burst,
                    state.settings.api_refill,
                )
                .await?
            }
            _ => None,
        };
        Ok::<_, sqlx::Error>((found, wait))
    }
    .await;
    let (found, wait) = match looked {
        Ok(f) => f,
        Err(e) => {
            let err = crate::error::AppError::from(e);
            let kind = match err {
                crate::error::AppError::Unavailable => ProblemKind::Unavailable,
                _ => ProblemKind::Internal,
            };
            return head.problem(lang0, kind);
        }
    };
    let t = match found {
        Found::Unknown => return head.problem(lang0, ProblemKind::Unauthorized),
        Found::Dead { user_id, agency_id } => {
            head.record(&state, (user_id, agency_id), "api.token.refused", None)
                .await;
            return head.problem(lang0, ProblemKind::Unauthorized);
        }
        Found::Live(t) => t,
    };
    let lang = asked.or(t.lang).unwrap_or(Lang::Ja);
    let who = (
        t.user.id,
        t.user.acting.as_ref().map_or(Uuid::nil(), |m| m.agency_id),
    );
    if let Some(seconds) = wait {
        head.record(&state, who, "api.rate_limited", Some(t.token_id))
            .await;
        let mut res = head.problem(lang, ProblemKind::TooMany);
        if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return res;
    }
    if !t.can_write && !matches!(*req.method(), Method::GET | Method::HEAD) {
        head.record(&state, who, "api.token.read_only", Some(t.token_id))
            .await;
        return head.problem(lang, ProblemKind::ReadOnly);
    }
    let mark = RefusalMark::default();
    req.extensions_mut().insert(mark.clone());
    req.extensions_mut().insert(ApiToken {
        id: t.token_id,
        can_write: t.can_write,
        lang,
    });
    req.extensions_mut().insert(t.user);
    let res = next.run(req).await;
    if matches!(res.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) && !mark.recorded() {
        head.record(&state, who, "request.refused", None).await;
    }
    head.dress(lang, res)
}

/// The bare error of a request under /api/v1 that no handler answered (an unknown path, a
/// method not allowed, a body over the limit, the timeout): a problem, never an HTML page.
pub fn bare_problem(headers: &HeaderMap, path: &str, status: StatusCode) -> Response {
    let lang = asked_lang(headers).unwrap_or(Lang::Ja);
    let problem = Problem::new(
        Tr::new(lang),
        ProblemKind::of_status(status.as_u16()),
        path,
        &request_id(headers),
        vec![],
    );
    let mut res = crate::http::render::problem(&problem);
    *res.status_mut() = status;
    res.into_response()
}
