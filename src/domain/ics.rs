//! iCalendar (RFC 5545) text for meetings: times in UTC, text escaped, lines folded at 75
//! octets, CRLF line ends. Small enough to write by hand and test exactly.

use chrono::{DateTime, Utc};

/// One meeting as an event.
pub struct Event<'a> {
    pub uid: String,
    pub sequence: i32,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub stamp: DateTime<Utc>,
    pub summary: String,
    pub location: &'a str,
    pub description: String,
    /// absolute (http…) or empty: a calendar has no page to be relative to
    pub url: String,
    pub cancelled: bool,
}

pub fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT escaping: backslash, semicolon, comma, newline.
pub fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets without splitting a UTF-8 character.
pub fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
    out
}

/// A calendar with the given events. `method`: PUBLISH for a feed or a single meeting, CANCEL
/// when the single meeting was cancelled.
pub fn calendar(name: &str, method: &str, events: &[Event<'_>]) -> String {
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//Renkei//Case meetings//JA".into(),
        "CALSCALE:GREGORIAN".into(),
        format!("METHOD:{method}"),
        format!("X-WR-CALNAME:{}", escape(name)),
    ] {
        out.push_str(&fold(&l));
    }
    for e in events {
        let mut lines = vec![
            "BEGIN:VEVENT".to_string(),
            format!("UID:{}", e.uid),
            format!("SEQUENCE:{}", e.sequence),
            format!("DTSTAMP:{}", utc(e.stamp)),
            format!("DTSTART:{}", utc(e.start)),
            format!("DTEND:{}", utc(e.end)),
            format!("SUMMARY:{}", escape(&e.summary)),
        ];
        if !e.location.is_empty() {
            lines.push(format!("LOCATION:{}", escape(e.location)));
        }
        if !e.description.is_empty() {
            lines.push(format!("DESCRIPTION:{}", escape(&e.description)));
        }
        if !e.url.is_empty() {
            lines.push(format!("URL:{}", e.url));
        }
        lines.push(format!(
            "STATUS:{}",
            if e.cancelled {
                "CANCELLED"
            } else {
                "CONFIRMED"
            }
        ));
        lines.push("END:VEVENT".into());
        for l in lines {
            out.push_str(&fold(&l));
        }
    }
    out.push_str(&fold("END:VCALENDAR"));
    out
}

/// Unfolds and splits a calendar back into (name, value) lines — for tests and for anyone
/// checking what a client will read.
pub fn parse_lines(ics: &str) -> Vec<(String, String)> {
    let unfolded = ics.replace("\r\n ", "");
    unfolded
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            l.split_once(':')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_folding() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        let long = format!("SUMMARY:{}", "あ".repeat(40));
        let folded = fold(&long);
        assert!(folded.split("\r\n").all(|l| l.len() <= 75), "{folded:?}");
        assert_eq!(folded.replace("\r\n ", "").trim_end(), long);
    }

    #[test]
    fn an_event_reads_back() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let ics = calendar(
            "連携",
            "PUBLISH",
            &[Event {
                uid: "m1@renkei".into(),
                sequence: 2,
                start: t("2026-12-01T01:00:00Z"),
                end: t("2026-12-01T02:00:00Z"),
                stamp: t("2026-11-23T00:00:00Z"),
                summary: "ケース会議：鈴木 一郎".into(),
                location: "ひかり, 会議室",
                description: "目的：支援計画\n/meetings/m1".into(),
                url: String::new(),
                cancelled: false,
            }],
        );
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        let lines = parse_lines(&ics);
        let get = |k: &str| lines.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("DTSTART"), Some("20261201T010000Z"));
        assert_eq!(get("SEQUENCE"), Some("2"));
        assert_eq!(get("LOCATION"), Some("ひかり\\, 会議室"));
        assert_eq!(get("METHOD"), Some("PUBLISH"));
        assert_eq!(get("DESCRIPTION"), Some("目的：支援計画\\n/meetings/m1"));
        assert_eq!(get("URL"), None);
    }
}
