use super::{Errors, Layout};
use askama::Template;

/// The login's second step.
#[derive(Template)]
#[template(path = "auth/code.html")]
pub struct CodePage {
    pub layout: Layout,
    pub errors: Errors,
    /// The general message above the form (locked).
    pub message: Option<String>,
}

/// Where the user's second factor stands.
pub enum Enrolment {
    Off,
    /// Begun: the QR code (an SVG `data:` URL) and the secret for typing in by hand.
    Pending {
        qr: String,
        secret: String,
    },
    On {
        codes_left: i64,
    },
}

#[derive(Template)]
#[template(path = "account/second_factor.html")]
pub struct SecondFactorPage {
    pub layout: Layout,
    pub enrolment: Enrolment,
    /// An agency of the user requires a second factor.
    pub required: bool,
    /// This session reaches nothing else until the user enrols.
    pub must_enrol: bool,
    pub errors: Errors,
    /// The confirmation code as typed (kept when refused).
    pub code: String,
    pub notice: Option<String>,
    /// Recovery codes just made, shown once.
    pub new_codes: Vec<String>,
}
