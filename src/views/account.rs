use super::{Errors, Layout};
use askama::Template;

#[derive(Template)]
#[template(path = "account/index.html")]
pub struct AccountPage {
    pub layout: Layout,
    pub errors: Errors,
    pub done: bool,
}
