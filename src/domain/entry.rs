//! Timeline entries: the kinds users write by hand, and the structured fields each kind carries.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

string_enum!(
    /// Every kind on the timeline (SPEC §4); the others are written by their own features.
    EntryKind {
    Readiness = "readiness",
    Referral = "referral",
    Progress = "progress",
    Observation = "observation",
    Contact = "contact",
    Meeting = "meeting",
    Assessment = "assessment",
    Daily = "daily",
    Handover = "handover",
    Note = "note",
});

impl EntryKind {
    /// The kinds written with the timeline's own form.
    pub const WRITABLE: &'static [EntryKind] = &[
        EntryKind::Progress,
        EntryKind::Observation,
        EntryKind::Contact,
        EntryKind::Note,
    ];

    pub fn label_key(self) -> String {
        format!("entry-kind-{}", self.as_str())
    }
}

string_enum!(ContactChannel {
    Phone = "phone",
    Email = "email",
    Visit = "visit",
    Meeting = "meeting",
    Online = "online",
});

string_enum!(ContactWith {
    Person = "person",
    Family = "family",
    Employer = "employer",
    Agency = "agency",
});

string_enum!(
    /// Another agency's answer to "did this also happen with you?" (seed 000 2-②).
    ReplyAnswer {
    SeenHere = "seen_here",
    NotSeen = "not_seen",
    SeenDifferently = "seen_differently",
});

/// The structured part of an entry, stored as JSON beside the body. Only the fields of the
/// entry's kind are set.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct EntryFields {
    /// observation, reply: the situation in which it happened
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub situation: Option<String>,
    /// observation, reply: how it was handled
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handling: Option<String>,
    /// observation: resolved or not
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<bool>,
    /// contact: phone, email, visit, meeting, online
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// contact: with the person, family, employer or an agency
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_whom: Option<String>,
    /// contact by visit: the next planned visit
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_visit: Option<NaiveDate>,
    /// reply: seen here too, not seen, seen differently
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// progress or contact: this is the monthly support report (支援レポート) shared with the employer
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<bool>,
    /// reply: when it was seen
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_on: Option<NaiveDate>,
    /// an entry Renkei wrote itself (a meeting scheduled, a referral step…): its text as
    /// message keys and arguments, put into the reader's words when read; the body keeps the
    /// Japanese words (for search, and for anything that reads the body alone)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub said: Option<crate::domain::message::Said>,
}

impl EntryFields {
    pub fn from_json(v: &serde_json::Value) -> EntryFields {
        serde_json::from_value(v.clone()).unwrap_or_default()
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        *self == EntryFields::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_and_skip_what_is_unset() {
        let f = EntryFields {
            channel: Some("visit".into()),
            next_visit: NaiveDate::from_ymd_opt(2026, 12, 1),
            ..Default::default()
        };
        let json = f.to_json();
        assert_eq!(
            json,
            serde_json::json!({"channel": "visit", "next_visit": "2026-12-01"})
        );
        assert_eq!(EntryFields::from_json(&json), f);
        assert!(EntryFields::from_json(&serde_json::json!({})).is_empty());
    }
}
