//! Who is asking: the request context (language, request id, client address, the signed-in user
//! if any) and the `Auth` extractor that requires a signed-in user.

use super::cookies::cookie_value;
use crate::db::audit::{self, Outcome};
use crate::db::auth::SessionUser;
use crate::i18n::{Lang, Tr};
use crate::views::Layout;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::PgConnection;
use std::net::IpAddr;

pub const LANG_COOKIE: &str = "lang";

pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-renkei_session"
    } else {
        "renkei_session"
    }
}

pub fn request_lang(headers: &HeaderMap) -> Lang {
    Lang::negotiate(
        cookie_value(headers, LANG_COOKIE).as_deref(),
        headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

pub fn request_id(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// Everything a handler needs to know about the request besides its body.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub tr: Tr,
    pub request_id: String,
    /// The client's address (`http::client_addr`), as the audit log writes it.
    pub ip: String,
    /// The same address, for the login limits; none when the request came without a peer.
    pub addr: Option<IpAddr>,
    pub path: String,
    pub user: Option<SessionUser>,
    /// The confirmation of the change that redirected here (`http::flash`), shown once.
    pub flash: Option<super::flash::Flash>,
    /// Set when the door recorded this request's refusal.
    pub refusal_mark: Option<crate::access::trail::RefusalMark>,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Ctx {
            tr: Tr::new(request_lang(&parts.headers)),
            request_id: request_id(&parts.headers),
            ip: super::client_addr::audit_text(&parts.extensions),
            addr: parts
                .extensions
                .get::<super::client_addr::ClientAddr>()
                .map(|c| c.0),
            path: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into()),
            user: parts.extensions.get::<SessionUser>().cloned(),
            flash: parts.extensions.get::<super::flash::Flash>().copied(),
            refusal_mark: parts
                .extensions
                .get::<crate::access::trail::RefusalMark>()
                .cloned(),
        })
    }
}

impl Ctx {
    pub fn layout(&self, title_key: &str) -> Layout {
        self.with_flash(Layout::new(
            self.tr,
            self.tr.t(title_key),
            &self.path,
            self.user.as_ref(),
        ))
    }

    /// A page whose title is data (a person's name), not a catalog key.
    pub fn layout_titled(&self, title: String) -> Layout {
        self.with_flash(Layout::new(self.tr, title, &self.path, self.user.as_ref()))
    }

    fn with_flash(&self, mut layout: Layout) -> Layout {
        layout.flash = self.flash.map(|f| self.tr.t(f.key()));
        layout
    }

    /// An audit event stamped with who is asking, from where, in which request.
    pub fn event(&self, action: &'static str) -> audit::Event {
        audit::Event {
            user_id: self.user.as_ref().map(|u| u.id),
            acting_agency_id: self
                .user
                .as_ref()
                .and_then(|u| u.acting.as_ref().map(|m| m.agency_id)),
            action,
            request_id: self.request_id.clone(),
            ip: self.ip.clone(),
            ..Default::default()
        }
    }

    pub async fn audit(
        &self,
        conn: &mut PgConnection,
        event: audit::Event,
        outcome: Outcome,
    ) -> sqlx::Result<()> {
        audit::record(conn, &event, outcome).await
    }
}

/// A signed-in user; without one, the browser is sent to the login page.
#[derive(Debug, Clone)]
pub struct Auth {
    pub ctx: Ctx,
    pub user: SessionUser,
}

impl Auth {
    /// Who asks, for the door: the audit stamp and the pool refusals are recorded through.
    pub fn who<'a>(&'a self, pool: &'a sqlx::PgPool) -> crate::access::Who<'a> {
        crate::access::Who {
            user: &self.user,
            request_id: &self.ctx.request_id,
            ip: &self.ctx.ip,
            pool,
            mark: self.ctx.refusal_mark.as_ref().map(|m| &*m.0),
        }
    }
}

pub struct LoginRequired;

impl IntoResponse for LoginRequired {
    fn into_response(self) -> Response {
        Redirect::to("/login").into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = LoginRequired;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Ok(ctx) = Ctx::from_request_parts(parts, state).await;
        match ctx.user.clone() {
            Some(user) => Ok(Auth { ctx, user }),
            None => Err(LoginRequired),
        }
    }
}

/// Only local paths may be redirected to ("/x", never "//host" or "http://…").
/// No control character or space may appear (a browser drops a tab or a line break, so
/// "/\t/host" would become "//host"), nor a backslash.
pub fn safe_back(back: &str) -> &str {
    let plain = !back
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    if plain && back.starts_with('/') && !back.starts_with("//") {
        back
    } else {
        "/"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_links_stay_local() {
        assert_eq!(safe_back("/cases?q=1"), "/cases?q=1");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "/\t/evil.example",
            "/\r\nSet-Cookie: x=1",
            "/ /evil.example",
            "/a\\b",
            "",
            "javascript:x",
        ] {
            assert_eq!(safe_back(bad), "/", "{bad}");
        }
    }
}
