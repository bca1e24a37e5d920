//! The one-shot confirmation after a save ("保存しました"): the handler that redirects after a
//! successful change marks its response with a `Flash`; this layer turns the mark into a
//! short-lived cookie holding only the flash's code (never text), reads it back on the next
//! request for the frame (`base.html` shows it once, `role="status"`), and removes it with the
//! page that showed it, so a reload shows nothing. The cookie is HttpOnly, SameSite=Lax, lives
//! 60 seconds at most and is removed at logout; an unknown value is ignored.

use super::cookies::cookie_value;
use crate::http::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

/// What was done, as a catalog key (`flash-<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flash {
    Saved,
    Recorded,
    Sent,
    Scheduled,
    Changed,
    Cancelled,
    Answered,
    Done,
    Added,
    Removed,
}

impl Flash {
    pub const ALL: [Flash; 10] = [
        Flash::Saved,
        Flash::Recorded,
        Flash::Sent,
        Flash::Scheduled,
        Flash::Changed,
        Flash::Cancelled,
        Flash::Answered,
        Flash::Done,
        Flash::Added,
        Flash::Removed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Flash::Saved => "saved",
            Flash::Recorded => "recorded",
            Flash::Sent => "sent",
            Flash::Scheduled => "scheduled",
            Flash::Changed => "changed",
            Flash::Cancelled => "cancelled",
            Flash::Answered => "answered",
            Flash::Done => "done",
            Flash::Added => "added",
            Flash::Removed => "removed",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Flash::Saved => "flash-saved",
            Flash::Recorded => "flash-recorded",
            Flash::Sent => "flash-sent",
            Flash::Scheduled => "flash-scheduled",
            Flash::Changed => "flash-changed",
            Flash::Cancelled => "flash-cancelled",
            Flash::Answered => "flash-answered",
            Flash::Done => "flash-done",
            Flash::Added => "flash-added",
            Flash::Removed => "flash-removed",
        }
    }

    pub fn parse(code: &str) -> Option<Flash> {
        Flash::ALL.into_iter().find(|f| f.code() == code)
    }
}

/// 303 to `to`, with the confirmation shown on the page there.
pub fn redirect(to: &str, flash: Flash) -> Response {
    let mut res = Redirect::to(to).into_response();
    res.extensions_mut().insert(flash);
    res
}

pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-renkei_flash"
    } else {
        "renkei_flash"
    }
}

/// The cookie that removes the flash (also sent at logout).
pub fn removal(secure: bool) -> String {
    let mut c = cookie::Cookie::build((cookie_name(secure), ""))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure)
        .build();
    c.make_removal();
    c.to_string()
}

fn setting(secure: bool, flash: Flash) -> String {
    cookie::Cookie::build((cookie_name(secure), flash.code()))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(60))
        .build()
        .to_string()
}

fn is_html_page(res: &Response) -> bool {
    !res.status().is_redirection()
        && res.status() != StatusCode::NOT_MODIFIED
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"))
}

/// The layer: the flash the request carries goes into its extensions (for `Ctx`); a response
/// marked with a new one sets it; an HTML page rendered while one was carried removes it.
pub async fn carry(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let secure = state.settings.secure_cookies;
    let carried = cookie_value(req.headers(), cookie_name(secure)).and_then(|v| Flash::parse(&v));
    if let Some(f) = carried {
        req.extensions_mut().insert(f);
    }
    let mut res = next.run(req).await;
    let cookie = match res.extensions_mut().remove::<Flash>() {
        Some(new) => Some(setting(secure, new)),
        None if carried.is_some() && is_html_page(&res) => Some(removal(secure)),
        None => None,
    };
    if let Some(v) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_and_nothing_else_does() {
        for f in Flash::ALL {
            assert_eq!(Flash::parse(f.code()), Some(f));
            assert_eq!(f.key(), format!("flash-{}", f.code()));
        }
        assert_eq!(Flash::parse("保存しました"), None);
        assert_eq!(Flash::parse(""), None);
    }

    #[test]
    fn every_flash_has_words_in_both_catalogs() {
        for lang in [crate::i18n::Lang::Ja, crate::i18n::Lang::En] {
            let tr = crate::i18n::Tr::new(lang);
            for f in Flash::ALL {
                assert_ne!(tr.t(f.key()), f.key(), "{lang:?} {}", f.key());
            }
        }
    }
}
