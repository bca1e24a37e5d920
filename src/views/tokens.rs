//! The account's personal access tokens for the JSON API.

use super::{Choice, Errors, Layout};
use crate::db::api_tokens::TokenRow;
use askama::Template;

#[derive(Debug, Clone, Default)]
pub struct TokenForm {
    pub label: String,
    pub agency_id: String,
    pub access: String,
    pub days: String,
}

#[derive(Template)]
#[template(path = "account/tokens.html")]
pub struct TokensPage {
    pub layout: Layout,
    pub tokens: Vec<TokenRow>,
    pub form: TokenForm,
    pub errors: Errors,
    pub agencies: Vec<Choice>,
    pub accesses: Vec<Choice>,
    pub terms: Vec<Choice>,
    /// The token just made, shown this once.
    pub new_token: Option<String>,
}
