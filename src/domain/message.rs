//! Texts Renkei writes itself (a meeting scheduled, a referral step, a phase change, a checklist
//! summary…), stored as message keys and arguments and put into words when read, in the
//! reader's language: whoever wrote the entry, an English reader reads English and a Japanese
//! reader Japanese. Dates are kept as dates and enum values as catalog keys; only what a user
//! typed (a note, a reason) is kept as text, and it is never translated.

use crate::i18n::{Lang, Tr};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One argument of a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", content = "v", rename_all = "snake_case")]
pub enum Arg {
    /// Shown as it is: a name, a number, something a user typed.
    Text(String),
    /// A catalog key (a purpose, a phase, a state), put into the reader's words.
    Key(String),
    /// A calendar day (ISO in storage), written the reader's way.
    Date(NaiveDate),
    /// An instant, written in Tokyo time the reader's way.
    At(DateTime<Utc>),
    /// A text that exists in both languages but not in the catalog (a checklist criterion,
    /// kept with the entry so it reads as it did when written).
    Both { ja: String, en: String },
}

impl Arg {
    pub fn render(&self, tr: Tr) -> String {
        match self {
            Arg::Text(s) => s.clone(),
            Arg::Key(k) => tr.t(k),
            Arg::Date(d) => tr.long_date(d),
            Arg::At(t) => tr.long_datetime(t),
            Arg::Both { ja, en } => match tr.lang {
                Lang::Ja => ja.clone(),
                Lang::En => en.clone(),
            },
        }
    }
}

/// A catalog key with its named arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub key: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, Arg>,
}

impl Message {
    pub fn new(key: impl Into<String>) -> Message {
        Message {
            key: key.into(),
            args: BTreeMap::new(),
        }
    }

    pub fn arg(mut self, name: &str, value: Arg) -> Message {
        self.args.insert(name.to_string(), value);
        self
    }

    pub fn text(self, name: &str, value: impl Into<String>) -> Message {
        self.arg(name, Arg::Text(value.into()))
    }

    pub fn key(self, name: &str, key: impl Into<String>) -> Message {
        self.arg(name, Arg::Key(key.into()))
    }

    pub fn date(self, name: &str, d: NaiveDate) -> Message {
        self.arg(name, Arg::Date(d))
    }

    pub fn at(self, name: &str, t: DateTime<Utc>) -> Message {
        self.arg(name, Arg::At(t))
    }

    /// The message in the reader's words; `escape` is applied to each text argument (Markdown
    /// escaping, so a name with `*` stays a name).
    fn render_with(&self, tr: Tr, escape: fn(&str) -> String) -> String {
        let values: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(n, a)| {
                let words = a.render(tr);
                // what came from people or the database is escaped; the catalog's words and
                // dates are Renkei's own
                let words = match a {
                    Arg::Text(_) | Arg::Both { .. } => escape(&words),
                    _ => words,
                };
                (n.as_str(), words)
            })
            .collect();
        let pairs: Vec<(&str, &dyn std::fmt::Display)> = values
            .iter()
            .map(|(n, v)| (*n, v as &dyn std::fmt::Display))
            .collect();
        tr.targs(&self.key, &pairs)
    }

    /// The message as plain text in the reader's words.
    pub fn render(&self, tr: Tr) -> String {
        self.render_with(tr, |s| s.to_string())
    }
}

/// One line (or block) of a system-written text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "p", rename_all = "snake_case")]
pub enum Part {
    /// A line of its own.
    Line { m: Message },
    /// A bullet of a list.
    Item { m: Message },
    /// An empty line between paragraphs.
    Gap,
    /// What a user typed (Markdown, as every body): shown as it was typed.
    Free { text: String },
    /// A link inside Renkei with a label from the catalog.
    Link { key: String, href: String },
}

/// A system-written text: its parts in order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Said(pub Vec<Part>);

impl Said {
    pub fn new() -> Said {
        Said(vec![])
    }

    pub fn line(mut self, m: Message) -> Said {
        self.0.push(Part::Line { m });
        self
    }

    pub fn item(mut self, m: Message) -> Said {
        self.0.push(Part::Item { m });
        self
    }

    pub fn gap(mut self) -> Said {
        self.0.push(Part::Gap);
        self
    }

    /// What a user typed; nothing when it is empty.
    pub fn free(mut self, text: &str) -> Said {
        if !text.trim().is_empty() {
            self.0.push(Part::Free {
                text: text.trim().to_string(),
            });
        }
        self
    }

    pub fn link(mut self, key: &str, href: &str) -> Said {
        self.0.push(Part::Link {
            key: key.to_string(),
            href: href.to_string(),
        });
        self
    }

    /// The text as Markdown in the reader's words (arguments escaped, typed text as typed).
    pub fn to_markdown(&self, tr: Tr) -> String {
        let esc = crate::domain::text::markdown_escape;
        let mut out = String::new();
        for (i, part) in self.0.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            match part {
                Part::Line { m } => out.push_str(&m.render_with(tr, esc)),
                Part::Item { m } => {
                    out.push_str("- ");
                    out.push_str(&m.render_with(tr, esc));
                }
                Part::Gap => {}
                Part::Free { text } => out.push_str(text),
                Part::Link { key, href } => {
                    // only paths inside Renkei become links
                    if href.starts_with('/') && !href.starts_with("//") {
                        out.push_str(&format!("[{}]({href})", esc(&tr.t(key))));
                    }
                }
            }
        }
        out
    }

    /// The text as safe HTML in the reader's words.
    pub fn to_html(&self, tr: Tr) -> String {
        crate::domain::markdown::to_safe_html(&self.to_markdown(tr))
    }

    /// The text on one line of plain words (previews, the meeting material's history).
    pub fn to_plain(&self, tr: Tr, max_chars: usize) -> String {
        let without_links = Said(
            self.0
                .iter()
                .filter(|p| !matches!(p, Part::Link { .. }))
                .cloned()
                .collect(),
        );
        crate::domain::markdown::to_plain_text(&without_links.to_markdown(tr), max_chars)
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Said {
        Said::new()
            .line(
                Message::new("event-referral-step")
                    .key("state", "referral-state-accepted")
                    .text("from", "A*B")
                    .text("to", "C"),
            )
            .line(
                Message::new("event-referral-start")
                    .date("on", NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()),
            )
            .free("見学で**話した**")
    }

    #[test]
    fn each_reader_reads_their_language() {
        let s = sample();
        let ja = s.to_markdown(Tr::new(Lang::Ja));
        let en = s.to_markdown(Tr::new(Lang::En));
        assert!(ja.contains("利用決定：A\\*B → C"), "{ja}");
        assert!(ja.contains("2026年4月1日(水)"), "{ja}");
        assert!(en.contains("Accepted: A\\*B → C"), "{en}");
        assert!(en.contains("Wed 1 Apr 2026"), "{en}");
        assert!(!en.contains('（') && !en.contains('：'), "{en}");
        // typed text is never translated
        assert!(en.contains("見学で**話した**"));
    }

    #[test]
    fn stored_as_keys_and_iso_dates() {
        let json = sample().to_json();
        let text = json.to_string();
        assert!(text.contains("\"referral-state-accepted\""), "{text}");
        assert!(text.contains("\"2026-04-01\""), "{text}");
        let back: Said = serde_json::from_value(json).unwrap();
        assert_eq!(back, sample());
    }

    #[test]
    fn links_stay_inside_and_plain_text_drops_them() {
        let s = Said::new()
            .line(Message::new("meeting-event-held"))
            .link("event-meeting-open", "/meetings/x")
            .link("event-meeting-open", "https://evil.example/");
        let md = s.to_markdown(Tr::new(Lang::En));
        assert!(md.contains("](/meetings/x)"), "{md}");
        assert!(!md.contains("evil"), "{md}");
        assert_eq!(s.to_plain(Tr::new(Lang::En), 100), "Case meeting held");
    }
}
