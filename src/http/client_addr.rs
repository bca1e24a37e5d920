//! The client's address: the one source of it for the audit log and the login limits.
//!
//! Behind a reverse proxy every TCP peer is the proxy, so the client is named in
//! X-Forwarded-For — but anyone can send that header. It is believed only when the peer is one
//! of `RENKEI_TRUSTED_PROXIES`, and then only from the right: each trusted proxy appends the
//! address it saw, so the right-most entry that is not itself a trusted proxy is the first
//! address no trusted party vouches beyond. Entries further left were written by the client
//! and are ignored.

use crate::config::TrustedProxies;
use crate::http::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};

/// The client's address, put in every request's extensions by `stamp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The client of a request whose TCP peer is `peer`.
pub fn client_addr(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let peer = peer.to_canonical();
    if !trusted.contains(peer) {
        return peer;
    }
    // several X-Forwarded-For headers are one list, in order
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    // the nearest hop known so far: the peer, then each trusted proxy in turn
    let mut nearest = peer;
    for entry in entries.iter().rev() {
        let Some(ip) = parse_entry(entry) else {
            // a trusted hop passed on something that is not an address: it is the last one
            // we can name
            return nearest;
        };
        if !trusted.contains(ip) {
            return ip;
        }
        nearest = ip;
    }
    // every hop is a trusted proxy: the left-most is the client
    nearest
}

/// "203.0.113.7", "2001:db8::1", and the forms some proxies write with a port
/// ("203.0.113.7:5123", "[2001:db8::1]:5123").
fn parse_entry(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

/// Stamps the request with its `ClientAddr` (none when it came without a TCP peer, as in a
/// router driven directly).
pub async fn stamp(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if let Some(peer) = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
    {
        let ip = client_addr(peer, req.headers(), &state.settings.trusted_proxies);
        req.extensions_mut().insert(ClientAddr(ip));
    }
    next.run(req).await
}

/// The request's client address as the audit log writes it ("" when there is none).
pub fn audit_text(extensions: &axum::http::Extensions) -> String {
    extensions
        .get::<ClientAddr>()
        .map(|c| c.0.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_xff(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_peers() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 192.0.2.1").unwrap();
        let none = TrustedProxies::default();
        let xff = with_xff(&["203.0.113.7"]);
        let table = [
            // (peer, header, trusted, client)
            ("198.51.100.9", &xff, &trusted, "198.51.100.9"),
            ("10.0.0.5", &xff, &none, "10.0.0.5"),
            ("10.0.0.5", &xff, &trusted, "203.0.113.7"),
            ("192.0.2.1", &xff, &trusted, "203.0.113.7"),
            ("::ffff:10.0.0.5", &xff, &trusted, "203.0.113.7"),
        ];
        for (peer, headers, t, want) in table {
            assert_eq!(client_addr(ip(peer), headers, t), ip(want), "{peer}");
        }
    }

    #[test]
    fn spoofed_chains_give_the_right_most_untrusted_address() {
        let trusted = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let peer = ip("10.0.0.1");
        let table: [(&[&str], &str); 9] = [
            // the client wrote "1.1.1.1"; the proxy appended the address it saw
            (&["1.1.1.1, 203.0.113.7"], "203.0.113.7"),
            // two trusted hops: the inner one appended the outer one
            (&["1.1.1.1, 203.0.113.7, 10.0.0.9"], "203.0.113.7"),
            // the same chain over two headers
            (&["1.1.1.1", "203.0.113.7, 10.0.0.9"], "203.0.113.7"),
            // a client claiming to be a trusted proxy gains nothing
            (&["10.9.9.9, 203.0.113.7"], "203.0.113.7"),
            // only trusted hops: the left-most of them
            (&["10.0.0.8, 10.0.0.9"], "10.0.0.8"),
            // no header behind a trusted peer: the peer
            (&[], "10.0.0.1"),
            // garbage next to us: the nearest trusted hop we know
            (&["203.0.113.7, not-an-ip"], "10.0.0.1"),
            (&["garbage, 203.0.113.7"], "203.0.113.7"),
            // ports and IPv6
            (&["[2001:db8::1]:4711, 10.0.0.9:80"], "2001:db8::1"),
        ];
        for (headers, want) in table {
            assert_eq!(
                client_addr(peer, &with_xff(headers), &trusted),
                ip(want),
                "{headers:?}"
            );
        }
    }
}
