//! The audit review (the case's access log, the agency's log): the filter form, the rows in
//! words with refusals marked, and the same rows as CSV for Excel (UTF-8 with BOM, CRLF).

use super::{Choice, Errors};
use crate::db::audit::Row;
use crate::domain::audit::{action_key, outcome_key, FilterInput, ACTIONS};
use crate::domain::dates;
use crate::i18n::Tr;

/// One row as the reviewer reads it.
#[derive(Debug, Clone)]
pub struct ReviewRow {
    pub at: String,
    pub user: String,
    pub agency: String,
    pub action: String,
    pub code: String,
    pub outcome: String,
    pub refused: bool,
    pub ip: String,
}

impl ReviewRow {
    pub fn new(tr: Tr, row: &Row) -> Self {
        ReviewRow {
            at: dates::tokyo_minutes(row.at),
            user: row.user_email.clone().unwrap_or_default(),
            agency: row.agency_name.clone().unwrap_or_default(),
            action: tr.t(action_key(&row.action)),
            code: row.action.clone(),
            outcome: tr.t(outcome_key(&row.outcome)),
            refused: row.outcome == "denied",
            ip: row.ip.clone(),
        }
    }
}

/// The filter form, the rows and the links of a review page.
#[derive(Debug, Clone)]
pub struct Review {
    /// the page's path (the form's action)
    pub path: String,
    pub input: FilterInput,
    pub errors: Errors,
    pub actions: Vec<Choice>,
    /// the case filter is offered (the agency's page; the case page names its case)
    pub by_case: bool,
    pub rows: Vec<ReviewRow>,
    pub next: Option<String>,
    pub csv: String,
}

impl Review {
    pub fn new(
        tr: Tr,
        path: &str,
        by_case: bool,
        input: FilterInput,
        errors: Errors,
        rows: &[Row],
        next_before: Option<i64>,
    ) -> Self {
        let query = input.query();
        let join = |extra: String| {
            [query.clone(), extra]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("&")
        };
        let actions = ACTIONS
            .iter()
            .map(|a| Choice::new(a, tr.t(action_key(a)), &input.action))
            .collect();
        Review {
            path: path.to_string(),
            next: next_before.map(|b| format!("{path}?{}", join(format!("before={b}")))),
            csv: format!("{path}.csv?{query}"),
            input,
            errors,
            actions,
            by_case,
            rows: rows.iter().map(|r| ReviewRow::new(tr, r)).collect(),
        }
    }
}

/// The export's column headings (catalog keys), in the order of `export_row`.
pub const EXPORT_COLUMNS: &[&str] = &[
    "audit-at",
    "audit-user",
    "audit-acting",
    "audit-action",
    "audit-code",
    "audit-outcome",
    "audit-ip",
];

/// A row of the export (CSV for Excel), in the words the review page shows it.
pub fn export_row(tr: Tr, row: &Row) -> [String; 7] {
    let r = ReviewRow::new(tr, row);
    [r.at, r.user, r.agency, r.action, r.code, r.outcome, r.ip]
}
