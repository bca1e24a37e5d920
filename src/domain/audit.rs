//! The audit log's vocabulary: every action code Renkei writes, each with a catalog entry in
//! words (`audit-action-…` in both languages), and the review pages' filter, read from the
//! query string and checked field by field.

use crate::domain::dates;
use crate::domain::text;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// Every action code written to `audit_log.action`, in the order the filter lists them. A code
/// used in src/ but missing here fails `every_action_in_the_code_is_listed`.
pub const ACTIONS: &[&str] = &[
    "login",
    "login.password",
    "login.code",
    "login.lock",
    "login.alert",
    "second_factor.begin",
    "second_factor.enable",
    "second_factor.disable",
    "second_factor.recovery.renew",
    "second_factor.enrol_first",
    "agency.second_factor.require",
    "admin.user.second_factor.reset",
    "logout",
    "acting_agency.switch",
    "action_item.done",
    "admin.agencies.view",
    "admin.mail.view",
    "admin.agency.create",
    "admin.user.activate",
    "admin.user.create",
    "admin.user.deactivate",
    "admin.user.reset_password",
    "admin.user.set_active",
    "admin.users.view",
    "api.me.view",
    "api.rate_limited",
    "api.token.create",
    "api.token.read_only",
    "api.token.refused",
    "api.token.revoke",
    "agency.audit.view",
    "agency.audit.export",
    "agency.member.add",
    "agency.member.remove",
    "agency.member.role",
    "agency.members.view",
    "assessment.create",
    "calendar.feed",
    "calendar.feed.create",
    "calendar.feed.revoke",
    "case.access_log.view",
    "case.access_log.export",
    "case.checks.export",
    "case.ledger.view",
    "case.ledger.export",
    "agency.ledger.view",
    "agency.ledger.export",
    "agency.regional.view",
    "meeting.presenter",
    "case.checks.view",
    "case.consent.record",
    "case.consent.revoke",
    "case.consents.view",
    "case.create",
    "case.daily.view",
    "case.lead.hand",
    "case.legal.view",
    "case.meetings.export",
    "case.meetings.view",
    "case.phase",
    "case.referrals.view",
    "case.retention.view",
    "case.plans.view",
    "plan.create",
    "plan.view",
    "plan.print",
    "plan.version.save",
    "plan.meeting.record",
    "plan.consent.record",
    "plan.deliver",
    "plan.monitoring.record",
    "case.reports.view",
    "report.create",
    "report.view",
    "report.print",
    "report.version.save",
    "report.issue",
    "report.acknowledge",
    "handover.record",
    "case.team.add",
    "case.team.remove",
    "case.team.role",
    "case.team.view",
    "case.timeline.export",
    "case.timeline.view",
    "case.view",
    "cases.export",
    "cases.list",
    "cli.user.create",
    "cli.user.reset_password",
    "daily.correct",
    "daily.create",
    "daily.own.view",
    "dashboard.view",
    "directory.event.delete",
    "directory.event.edit",
    "directory.event.save",
    "directory.photo.remove",
    "directory.photo.save",
    "directory.profile.edit",
    "directory.profile.save",
    "directory.program.delete",
    "directory.program.edit",
    "directory.program.save",
    "directory.search",
    "directory.staff.delete",
    "directory.staff.edit",
    "directory.staff.save",
    "directory.view",
    "entry.create",
    "entry.edit",
    "entry.edit.view",
    "entry.form.view",
    "entry.reply",
    "entry.view",
    "inbox.read_all",
    "inbox.view",
    "meeting.cancel",
    "meeting.ics",
    "meeting.material.edit",
    "meeting.material.preview",
    "meeting.material.print",
    "meeting.material.view",
    "meeting.minutes",
    "meeting.minutes.edit",
    "meeting.minutes.history",
    "meeting.reschedule",
    "meeting.rsvp",
    "meeting.schedule",
    "meeting.view",
    "participant.outside_own_pages",
    "participant_account.active",
    "participant_account.create",
    "participant_account.password",
    "password.change",
    "notify.settings",
    "prereferral.save",
    "referral.create",
    "referral.print",
    "referral.transition",
    "referral.view",
    "referrals.list",
    "request.refused",
    "task.done",
    "task.edit",
    "tasks.export",
    "tasks.view",
];

/// The catalog key of an action's words: `case.view` → `audit-action-case-view`.
pub fn action_key(code: &str) -> String {
    format!("audit-action-{}", code.replace('.', "-"))
}

/// The catalog key of an outcome's words.
pub fn outcome_key(outcome: &str) -> String {
    format!("audit-outcome-{outcome}")
}

/// The filter as typed (kept to show the form again).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterInput {
    pub user: String,
    pub case: String,
    pub action: String,
    pub from: String,
    pub to: String,
}

/// The filter as checked: who (by email), which case, which action, from the first instant of
/// `from` (Tokyo) to before the first instant of the day after `to`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub user_email: Option<String>,
    pub case_id: Option<Uuid>,
    pub action: Option<&'static str>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// Which field is wrong and the catalog key of what to say by it.
pub type FieldError = (&'static str, &'static str);

impl FilterInput {
    pub fn parse(&self) -> Result<Filter, Vec<FieldError>> {
        let mut errors = vec![];
        let user = text::email_key(&self.user);
        let user_email = if user.is_empty() {
            None
        } else if text::looks_like_email(&user) {
            Some(user)
        } else {
            errors.push(("user", "audit-error-email"));
            None
        };
        let case_id = match self.case.trim() {
            "" => None,
            s => match Uuid::parse_str(s) {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.push(("case", "audit-error-case"));
                    None
                }
            },
        };
        let action = match self.action.trim() {
            "" => None,
            s => match ACTIONS.iter().find(|a| **a == s) {
                Some(a) => Some(*a),
                None => {
                    errors.push(("action", "audit-error-action"));
                    None
                }
            },
        };
        let mut day = |field: &'static str, value: &str| -> Option<NaiveDate> {
            if value.trim().is_empty() {
                return None;
            }
            let parsed = dates::parse_date(value);
            if parsed.is_none() {
                errors.push((field, "error-date"));
            }
            parsed
        };
        let from = day("from", &self.from);
        let to = day("to", &self.to);
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                errors.push(("to", "audit-error-range"));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Filter {
            user_email,
            case_id,
            action,
            from: from.map(dates::tokyo_midnight),
            until: to.and_then(|t| t.succ_opt()).map(dates::tokyo_midnight),
        })
    }

    /// The filter as a query string (for the next page and the CSV link), without `before`.
    pub fn query(&self) -> String {
        let pairs = [
            ("user", &self.user),
            ("case", &self.case),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Percent-encoding for a query value (RFC 3986 unreserved characters kept).
fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Literals that look like action codes but are not (file names).
    const NOT_ACTIONS: &[&str] = &[
        "proxy.example",
        "renkei.ics",
        "app.css",
        "pico.classless.min.css",
        "favicon.svg",
        "common_passwords.txt",
        "postgresql.log",
        "postgresql.conf",
        // SQL aliases of the session lookup (db::auth)
        "act.id",
        "live.user_id",
    ];

    /// Every string literal in src/ shaped like an action code (`word.word…`, not an SQL
    /// alias such as `e.case_id`), and every literal passed to `event(`.
    fn codes_in_source() -> BTreeSet<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut found = BTreeSet::new();
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for (i, piece) in text.split('"').enumerate() {
                    let word = |c: char| c.is_ascii_lowercase() || c == '_';
                    let parts: Vec<&str> = piece.split('.').collect();
                    let shaped = i % 2 == 1
                        && parts.len() > 1
                        && parts.iter().all(|p| !p.is_empty() && p.chars().all(word))
                        && parts[0].len() > 1;
                    if shaped && !NOT_ACTIONS.contains(&piece) {
                        found.insert(piece.to_string());
                    }
                }
                for piece in text.split("event(\"").skip(1) {
                    found.insert(piece[..piece.find('"').unwrap()].to_string());
                }
            }
        }
        found
    }

    #[test]
    fn every_action_in_the_code_is_listed() {
        let listed: BTreeSet<String> = ACTIONS.iter().map(|a| a.to_string()).collect();
        let found = codes_in_source();
        assert!(
            found.len() > 90,
            "the scan finds the codes: {}",
            found.len()
        );
        let missing: Vec<_> = found.difference(&listed).collect();
        assert!(
            missing.is_empty(),
            "action codes used in src/ but not in ACTIONS (add them with words in both \
             catalogs, or to NOT_ACTIONS if they are not actions): {missing:?}"
        );
        assert_eq!(listed.len(), ACTIONS.len(), "listed once each");
    }

    #[test]
    fn every_action_has_words_in_both_languages() {
        for (lang, file) in [
            ("ja", include_str!("../../locales/ja/main.ftl")),
            ("en", include_str!("../../locales/en/main.ftl")),
        ] {
            let keys: BTreeSet<&str> = file
                .lines()
                .filter_map(|l| l.split_once(" = ").map(|(k, _)| k))
                .collect();
            for code in ACTIONS {
                assert!(keys.contains(action_key(code).as_str()), "{lang}: {code}");
            }
            for outcome in ["ok", "denied", "failed"] {
                assert!(keys.contains(outcome_key(outcome).as_str()), "{lang}");
            }
        }
    }

    #[test]
    fn the_filter_is_checked_field_by_field() {
        let bad = FilterInput {
            user: "not an email".into(),
            case: "123".into(),
            action: "drop_table".into(),
            from: "2026-13-40".into(),
            to: "99999-01-01".into(),
        };
        let fields: Vec<_> = bad.parse().unwrap_err().iter().map(|e| e.0).collect();
        assert_eq!(fields, ["user", "case", "action", "from", "to"]);
        let backwards = FilterInput {
            from: "2026-04-02".into(),
            to: "2026-04-01".into(),
            ..Default::default()
        };
        assert_eq!(
            backwards.parse().unwrap_err(),
            [("to", "audit-error-range")]
        );
        let good = FilterInput {
            user: " OT@Sakura.example ".into(),
            action: "case.view".into(),
            from: "2026/04/01".into(),
            to: "2026-04-01".into(),
            ..Default::default()
        };
        let f = good.parse().unwrap();
        assert_eq!(f.user_email.as_deref(), Some("ot@sakura.example"));
        assert_eq!(f.action, Some("case.view"));
        // one Tokyo day: 2026-03-31 15:00 UTC to 2026-04-01 15:00 UTC
        assert_eq!(f.from.unwrap().to_rfc3339(), "2026-03-31T15:00:00+00:00");
        assert_eq!(f.until.unwrap().to_rfc3339(), "2026-04-01T15:00:00+00:00");
        assert_eq!(
            good.query(),
            "user=%20OT%40Sakura.example%20&action=case.view&from=2026%2F04%2F01&to=2026-04-01"
        );
    }
}
