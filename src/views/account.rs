use super::{Errors, Layout};
use askama::Template;

#[derive(Template)]
#[template(path = "account/index.html")]
pub struct AccountPage {
    pub layout: Layout,
    pub errors: Errors,
    pub done: bool,
    /// The feed URL, shown once right after it was made.
    pub new_feed: Option<String>,
    pub has_feed: bool,
    /// A second factor is on (the password minimum is lower).
    pub second_factor: bool,
}
