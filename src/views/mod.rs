//! Askama view structs, one file per area, and the page frame they share.

pub mod account;
pub mod admin;
pub mod api;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod checks;
pub mod daily;
pub mod dashboard;
pub mod directory;
pub mod done;
pub mod employment;
pub mod errors;
pub mod ledger;
pub mod meetings;
pub mod notifications;
pub mod plans;
pub mod referrals;
pub mod reports;
pub mod retention;
pub mod second_factor;
pub mod timeline;
pub mod tokens;

use crate::db::auth::SessionUser;
use crate::domain::kinds::Role;
use crate::i18n::Tr;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// What the frame (`templates/base.html`) shows on every page.
#[derive(Debug, Clone)]
pub struct Layout {
    pub tr: Tr,
    pub title: String,
    pub path: String,
    pub user: Option<SessionUser>,
    /// The confirmation of the change just made ("保存しました"), shown once.
    pub flash: Option<String>,
}

impl Layout {
    /// The frame of a page at `path` for `user` (None: signed out).
    pub fn new(tr: Tr, title: String, path: &str, user: Option<&SessionUser>) -> Self {
        Layout {
            tr,
            title,
            path: path.to_string(),
            user: user.cloned(),
            flash: None,
        }
    }

    /// A bare frame for pages rendered outside a handler (error pages).
    pub fn bare(tr: Tr, title: String) -> Self {
        Layout {
            tr,
            title,
            path: "/".into(),
            user: None,
            flash: None,
        }
    }

    pub fn acting_name(&self) -> String {
        self.user
            .as_ref()
            .and_then(|u| u.acting.as_ref())
            .map(|m| m.agency_name.clone())
            .unwrap_or_default()
    }

    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.is_admin)
    }

    pub fn is_agency_admin(&self) -> bool {
        self.user
            .as_ref()
            .and_then(|u| u.acting.as_ref())
            .is_some_and(|m| m.role == Role::AgencyAdmin)
    }

    /// The unread count for the header: "", "3", "99+".
    pub fn unread_label(&self) -> String {
        match self.user.as_ref().and_then(|u| u.unread) {
            Some(n) if n >= crate::db::entries::UNREAD_CAP => {
                format!("{}+", crate::db::entries::UNREAD_CAP - 1)
            }
            Some(n) if n > 0 => n.to_string(),
            _ => String::new(),
        }
    }

    pub fn has_agency(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.acting.is_some())
    }

    pub fn switchable(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.memberships.len() > 1)
    }

    pub fn is_acting(&self, agency_id: &uuid::Uuid) -> bool {
        self.user
            .as_ref()
            .and_then(|u| u.acting.as_ref())
            .is_some_and(|m| &m.agency_id == agency_id)
    }

    pub fn other_lang(&self) -> &'static str {
        match self.tr.lang {
            crate::i18n::Lang::Ja => "en",
            crate::i18n::Lang::En => "ja",
        }
    }
}

/// Messages shown beside form fields, already translated, keyed by field name.
#[derive(Debug, Clone, Default)]
pub struct Errors(BTreeMap<Cow<'static, str>, String>);

impl Errors {
    /// The first message for a field wins. Field names are literals or built per item
    /// ("v_stamina").
    pub fn add(&mut self, field: impl Into<Cow<'static, str>>, message: String) {
        self.0.entry(field.into()).or_insert(message);
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each field with its message, by field name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v.as_str()))
    }

    /// A required text field: not blank, at most `max` characters.
    pub fn required(&mut self, tr: Tr, field: &'static str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.add(field, tr.t("error-required"));
        } else {
            self.max_chars(tr, field, value, max);
        }
    }

    /// An optional text field: at most `max` characters.
    pub fn max_chars(&mut self, tr: Tr, field: &'static str, value: &str, max: usize) {
        if crate::domain::text::char_len(value) > max {
            self.add(field, tr.t1("error-max-chars", "max", max));
        }
    }
}

/// One option of a select, with whether it is the chosen one.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub text: String,
    pub selected: bool,
}

impl Choice {
    pub fn new(value: &str, text: String, selected: &str) -> Self {
        Choice {
            value: value.to_string(),
            text,
            selected: value == selected,
        }
    }
}

/// A value for a query string, percent-encoded (the download links carry a page's filters).
pub fn url_part(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}
