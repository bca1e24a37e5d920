use super::{Errors, Layout};
use askama::Template;
use chrono::NaiveDate;
use uuid::Uuid;

/// One axis of the radar: the line end, where its label goes, the label, the mean, and
/// whether the domain is under 3 (where to start the conversation).
pub struct Axis {
    pub x: String,
    pub y: String,
    pub label_x: String,
    pub label_y: String,
    pub anchor: &'static str,
    pub label: String,
    pub mean: f64,
    pub low: bool,
}

pub struct Radar {
    pub axes: Vec<Axis>,
    /// polygons of the rings at 1..5
    pub rings: Vec<String>,
    pub current: String,
    pub previous: Option<String>,
}

/// One past check: when, who, the domain means.
pub struct CheckRow {
    pub assessed_on: NaiveDate,
    pub author: String,
    pub means: Vec<f64>,
}

/// A question of the form: code, text, chosen value.
pub struct ItemField {
    pub code: String,
    pub text: String,
    pub value: String,
}

/// A domain of the form with its items.
pub struct DomainField {
    pub name: String,
    pub items: Vec<ItemField>,
}

#[derive(Template)]
#[template(path = "checks/retention.html")]
pub struct RetentionPage {
    pub layout: Layout,
    pub case_id: Uuid,
    pub name: String,
    pub instrument_name: String,
    pub domain_names: Vec<String>,
    pub radar: Option<Radar>,
    pub history: Vec<CheckRow>,
    pub can_write: bool,
    pub form: Vec<DomainField>,
    pub assessed_on: String,
    pub errors: Errors,
}
