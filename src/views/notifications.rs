use super::{Errors, Layout};
use askama::Template;

/// One kind of notice and the mode chosen (as typed, when the form comes back).
pub struct KindRow {
    pub code: &'static str,
    pub label_key: String,
    pub mode: String,
}

#[derive(Template)]
#[template(path = "account/notifications.html")]
pub struct NotificationsPage {
    pub layout: Layout,
    pub errors: Errors,
    pub rows: Vec<KindRow>,
    pub digest_at: String,
    /// A mail server is configured (otherwise nothing is sent, and the page says so).
    pub mail_on: bool,
    pub saved: bool,
}

impl NotificationsPage {
    pub fn modes(&self) -> [(&'static str, &'static str); 3] {
        [
            ("immediate", "notice-mode-immediate"),
            ("digest", "notice-mode-digest"),
            ("off", "notice-mode-off"),
        ]
    }
}
