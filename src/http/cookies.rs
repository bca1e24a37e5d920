//! Reading a cookie from a request's headers: the one place it is parsed, for the session,
//! the language, the pending second-factor login and the confirmation after a save.

use axum::http::HeaderMap;

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .flatten()
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}
