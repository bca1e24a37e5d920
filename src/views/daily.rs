use super::{Errors, Layout};
use crate::db::daily::ReportRow;
use askama::Template;
use uuid::Uuid;

/// The 4-week trend: a point per reported day (mood), bad days marked.
pub struct Trend {
    pub line: String,
    /// (x, y, bad, title)
    pub points: Vec<(String, String, bool, String)>,
    /// (x, label) every week
    pub ticks: Vec<(String, String)>,
}

/// What was typed into the daily form.
#[derive(Debug, Clone, Default)]
pub struct DailyForm {
    pub day: String,
    pub sleep_hours: String,
    pub sleep_quality: String,
    pub medication_taken: String,
    pub appetite: String,
    pub fatigue_recovered: String,
    pub mood: String,
    pub note: String,
}

impl DailyPage {
    /// The typed value of a field of the form, by name.
    pub fn form_value(&self, name: &str) -> &str {
        match name {
            "sleep_quality" => &self.form.sleep_quality,
            "appetite" => &self.form.appetite,
            "mood" => &self.form.mood,
            "medication_taken" => &self.form.medication_taken,
            "fatigue_recovered" => &self.form.fatigue_recovered,
            _ => "",
        }
    }
}

#[derive(Template)]
#[template(path = "daily/index.html")]
pub struct DailyPage {
    pub layout: Layout,
    /// the staff view of a case; None for the person's own page
    pub case_id: Option<Uuid>,
    pub name: String,
    pub reports: Vec<ReportRow>,
    pub trend: Trend,
    pub streak: bool,
    pub can_write: bool,
    pub may_make_account: bool,
    pub form: DailyForm,
    pub errors: Errors,
    pub account_errors: Errors,
    pub account_email: String,
    pub account_done: bool,
    /// The person's account, once made (the lead agency resets or turns it off here).
    pub account: Option<crate::db::daily::ParticipantAccount>,
    /// What was just done to it ("reset", "off", "on"), for the confirmation.
    pub account_notice: String,
    /// The person's own form is today's report, to correct it.
    pub correcting: bool,
}

impl DailyPage {
    /// The confirmation after a change to the person's account.
    pub fn account_notice_key(&self) -> String {
        match self.account_notice.as_str() {
            "reset" => "daily-account-notice-reset",
            "off" => "daily-account-off",
            "on" => "daily-account-on",
            _ => "daily-account-made",
        }
        .to_string()
    }
}
