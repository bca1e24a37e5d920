use super::{Errors, Layout};
use askama::Template;

#[derive(Template)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    pub layout: Layout,
    pub email: String,
    pub errors: Errors,
    /// The general message above the form (wrong credentials, locked).
    pub message: Option<String>,
}
