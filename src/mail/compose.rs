//! A claimed notice (or a user's digest of them) as a mail, in the recipient's language, with
//! no personal or clinical text: what happened, who did it, when, and a link.

use crate::db::notices::Outgoing;
use crate::domain::notice::Kind;
use crate::i18n::{Lang, Tr};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;
use serde_json::Value;

/// One mail to send: the rows it carries (marked sent or failed together) and the message.
pub struct Mail {
    pub ids: Vec<uuid::Uuid>,
    pub attempts: i32,
    pub message: Message,
}

/// The recipient's language (saved with their settings; Japanese until they save).
pub fn tr_for(row: &Outgoing) -> Tr {
    Tr::new(
        row.lang
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or(Lang::Ja),
    )
}

/// The line that says what happened, in `tr`'s language. Arguments named `*_on` are dates and
/// `*_at` moments, written the reader's way; the rest are names, as they are.
pub fn line(tr: Tr, row: &Outgoing) -> String {
    let key = Kind::parse(&row.kind)
        .map(Kind::line_key)
        .unwrap_or_else(|| "notice-unknown-line".to_string());
    let words = words(tr, &row.args);
    let pairs: Vec<(&str, &dyn std::fmt::Display)> = words
        .iter()
        .map(|(k, v)| (k.as_str(), v as &dyn std::fmt::Display))
        .collect();
    tr.targs(&key, &pairs)
}

fn words(tr: Tr, args: &Value) -> Vec<(String, String)> {
    let Some(map) = args.as_object() else {
        return vec![];
    };
    map.iter()
        .map(|(k, v)| {
            let raw = v
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string());
            let shown = if k.ends_with("_on") {
                raw.parse::<chrono::NaiveDate>()
                    .map(|d| tr.date(&d))
                    .unwrap_or(raw)
            } else if k.ends_with("_at") {
                raw.parse::<chrono::DateTime<chrono::Utc>>()
                    .map(|t| tr.datetime(&t))
                    .unwrap_or(raw)
            } else {
                raw
            };
            (k.clone(), shown)
        })
        .collect()
}

fn absolute(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

fn footer(tr: Tr, base: &str) -> String {
    format!(
        "\n--\n{}\n{}: {}\n",
        tr.t("notice-footer"),
        tr.t("notice-settings"),
        absolute(base, "/account/notifications")
    )
}

/// One notice in a mail of its own, with its calendar file when it has one.
pub fn single(from: &Mailbox, base: &str, row: &Outgoing) -> Result<Mail, String> {
    let tr = tr_for(row);
    let kind = Kind::parse(&row.kind);
    let subject = kind
        .map(|k| tr.t(k.subject_key()))
        .unwrap_or_else(|| tr.t("notice-unknown-subject"));
    let text = format!(
        "{}\n\n{}\n{}",
        line(tr, row),
        absolute(base, &row.link),
        footer(tr, base)
    );
    let builder = Message::builder()
        .from(from.clone())
        .to(to(row)?)
        .subject(format!("[{}] {subject}", tr.t("app-name")));
    let message = match &row.ics {
        Some(ics) => builder.multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(text))
                .singlepart(
                    Attachment::new("meeting.ics".to_string()).body(
                        ics.clone(),
                        ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
                            .map_err(|e| e.to_string())?,
                    ),
                ),
        ),
        None => builder.singlepart(SinglePart::plain(text)),
    }
    .map_err(|e| e.to_string())?;
    Ok(Mail {
        ids: vec![row.id],
        attempts: row.attempts,
        message,
    })
}

/// A user's due digest notices in one mail, oldest first.
pub fn digest(from: &Mailbox, base: &str, rows: &[&Outgoing]) -> Result<Mail, String> {
    let first = rows.first().ok_or("an empty digest")?;
    let tr = tr_for(first);
    let mut text = format!("{}\n\n", tr.t1("notice-digest-intro", "count", rows.len()));
    for row in rows {
        text.push_str(&format!(
            "・{}\n  {}\n",
            line(tr, row),
            absolute(base, &row.link)
        ));
    }
    text.push_str(&footer(tr, base));
    let message = Message::builder()
        .from(from.clone())
        .to(to(first)?)
        .subject(format!(
            "[{}] {}",
            tr.t("app-name"),
            tr.t1("notice-digest-subject", "count", rows.len())
        ))
        .singlepart(SinglePart::plain(text))
        .map_err(|e| e.to_string())?;
    Ok(Mail {
        ids: rows.iter().map(|r| r.id).collect(),
        attempts: rows.iter().map(|r| r.attempts).max().unwrap_or(0),
        message,
    })
}

fn to(row: &Outgoing) -> Result<Mailbox, String> {
    row.email
        .parse::<Mailbox>()
        .map_err(|e| format!("{}: {e}", row.email))
}
