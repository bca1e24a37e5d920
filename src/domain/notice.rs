//! E-mail notifications as rules: the kinds, what each user gets by default, when a digest
//! goes out, and how long a failed send waits before the next try. No I/O.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Tokyo;

/// What a notice is about. The code is stored (`notify_pref.kind`, `outbox.kind`); the
/// catalog holds `notice-<code>-subject`, `notice-<code>-line` and `notice-kind-<code>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    ReferralReceived,
    ReferralAcknowledged,
    ReferralAccepted,
    ReferralDeclined,
    MeetingInvited,
    MeetingChanged,
    MeetingCancelled,
    ItemDue,
    ConsentExpiring,
    PlanReviewDue,
    ReportAwaiting,
    BadDays,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::ReferralReceived,
        Kind::ReferralAcknowledged,
        Kind::ReferralAccepted,
        Kind::ReferralDeclined,
        Kind::MeetingInvited,
        Kind::MeetingChanged,
        Kind::MeetingCancelled,
        Kind::ItemDue,
        Kind::ConsentExpiring,
        Kind::PlanReviewDue,
        Kind::ReportAwaiting,
        Kind::BadDays,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Kind::ReferralReceived => "referral_received",
            Kind::ReferralAcknowledged => "referral_acknowledged",
            Kind::ReferralAccepted => "referral_accepted",
            Kind::ReferralDeclined => "referral_declined",
            Kind::MeetingInvited => "meeting_invited",
            Kind::MeetingChanged => "meeting_changed",
            Kind::MeetingCancelled => "meeting_cancelled",
            Kind::ItemDue => "item_due",
            Kind::ConsentExpiring => "consent_expiring",
            Kind::PlanReviewDue => "plan_review_due",
            Kind::ReportAwaiting => "report_awaiting",
            Kind::BadDays => "bad_days",
        }
    }

    pub fn parse(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// What a user gets without having chosen: what needs an answer soon comes at once;
    /// reminders of dates come once a day, together.
    pub fn default_mode(self) -> Mode {
        match self {
            Kind::ItemDue | Kind::ConsentExpiring | Kind::PlanReviewDue | Kind::ReportAwaiting => {
                Mode::Digest
            }
            _ => Mode::Immediate,
        }
    }

    /// The kind's name on the settings page.
    pub fn label_key(self) -> String {
        format!("notice-kind-{}", self.code().replace('_', "-"))
    }

    pub fn subject_key(self) -> String {
        format!("notice-{}-subject", self.code().replace('_', "-"))
    }

    /// The one line that says what happened (in a mail of its own, or as a digest's line).
    pub fn line_key(self) -> String {
        format!("notice-{}-line", self.code().replace('_', "-"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Immediate,
    Digest,
    Off,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Immediate, Mode::Digest, Mode::Off];

    pub fn code(self) -> &'static str {
        match self {
            Mode::Immediate => "immediate",
            Mode::Digest => "digest",
            Mode::Off => "off",
        }
    }

    pub fn parse(code: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.code() == code)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Mode::Immediate => "notice-mode-immediate",
            Mode::Digest => "notice-mode-digest",
            Mode::Off => "notice-mode-off",
        }
    }
}

/// The digest time when a user has not chosen one (Tokyo time).
pub fn default_digest_at() -> NaiveTime {
    NaiveTime::from_hms_opt(8, 0, 0).expect("a valid time")
}

/// The first moment at or after `now` when the daily digest at `at` (Tokyo time) goes out.
pub fn next_digest(now: DateTime<Utc>, at: NaiveTime) -> DateTime<Utc> {
    let today = now.with_timezone(&Tokyo).date_naive();
    // Tokyo has no daylight saving time: every local time exists exactly once
    let at_day = |d: chrono::NaiveDate| {
        Tokyo
            .from_local_datetime(&d.and_time(at))
            .single()
            .map(|t| t.with_timezone(&Utc))
    };
    match at_day(today) {
        Some(t) if t >= now => t,
        _ => today
            .succ_opt()
            .and_then(at_day)
            .unwrap_or(now + Duration::days(1)),
    }
}

/// How long after the `attempts`-th failure the next try waits: 30 s, 1, 2, 4 … minutes, at
/// most an hour. A notice is never dropped: it waits for the mail server to come back.
pub fn retry_after(attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 8) as u32 - 1;
    let seconds = 30i64 * 2i64.pow(exp);
    Duration::seconds(seconds.min(3600))
}

/// A digest time typed on the settings page ("08:00"); quarter hours are enough.
pub fn parse_digest_at(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn every_kind_round_trips_and_has_keys() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.code()), Some(k));
            assert!(k.subject_key().starts_with("notice-"));
            assert!(!k.line_key().contains('_'));
        }
        for m in Mode::ALL {
            assert_eq!(Mode::parse(m.code()), Some(m));
        }
        assert_eq!(Kind::parse("nothing"), None);
    }

    #[test]
    fn the_digest_goes_out_at_the_next_tokyo_time() {
        let eight = default_digest_at();
        // 07:59 Tokyo (22:59 UTC the day before): today at 08:00 Tokyo
        assert_eq!(
            next_digest(utc(2026, 11, 30, 22, 59), eight),
            utc(2026, 11, 30, 23, 0)
        );
        // 08:01 Tokyo: tomorrow at 08:00
        assert_eq!(
            next_digest(utc(2026, 11, 30, 23, 1), eight),
            utc(2026, 12, 1, 23, 0)
        );
        // exactly at the time: now
        assert_eq!(
            next_digest(utc(2026, 11, 30, 23, 0), eight),
            utc(2026, 11, 30, 23, 0)
        );
        // the last day of a year rolls into the next
        let late = NaiveTime::from_hms_opt(23, 30, 0).unwrap();
        assert_eq!(
            next_digest(utc(2026, 12, 31, 15, 0), late),
            utc(2027, 1, 1, 14, 30)
        );
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_after(1), Duration::seconds(30));
        assert_eq!(retry_after(2), Duration::seconds(60));
        assert_eq!(retry_after(3), Duration::seconds(120));
        assert_eq!(retry_after(8), Duration::seconds(3600));
        assert_eq!(retry_after(100), Duration::seconds(3600));
        assert_eq!(retry_after(0), Duration::seconds(30));
    }

    #[test]
    fn digest_times_are_read_or_refused() {
        assert_eq!(parse_digest_at("18:30"), NaiveTime::from_hms_opt(18, 30, 0));
        assert_eq!(parse_digest_at("25:00"), None);
        assert_eq!(parse_digest_at("8時"), None);
    }
}
