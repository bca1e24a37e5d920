//! The agency directory's pages: search, profile, and the forms that keep a profile.

use super::{Choice, Errors, Layout};
use crate::db::directory::{Card, Event, Filter, Profile, Program, Staff};
use crate::domain::case::Disability;
use crate::domain::kinds::AgeBand;
use crate::domain::text;
use crate::i18n::Tr;
use askama::Template;
use uuid::Uuid;

/// A checkbox of a code list.
#[derive(Debug, Clone)]
pub struct Check {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
}

pub fn disability_checks(tr: Tr, chosen: &[String]) -> Vec<Check> {
    Disability::ALL
        .iter()
        .map(|d| Check {
            value: d.as_str(),
            label: tr.t(format!("disability-{}", d.as_str())),
            checked: chosen.iter().any(|c| c == d.as_str()),
        })
        .collect()
}

pub fn age_checks(tr: Tr, chosen: &[String]) -> Vec<Check> {
    AgeBand::ALL
        .iter()
        .map(|a| Check {
            value: a.as_str(),
            label: tr.t(format!("age-{}", a.as_str())),
            checked: chosen.iter().any(|c| c == a.as_str()),
        })
        .collect()
}

/// The labels of stored codes, in the code list's order (unknown codes are skipped).
pub fn disability_labels(tr: Tr, codes: &[String]) -> Vec<String> {
    disability_checks(tr, codes)
        .into_iter()
        .filter(|c| c.checked)
        .map(|c| c.label)
        .collect()
}

pub fn age_labels(tr: Tr, codes: &[String]) -> Vec<String> {
    age_checks(tr, codes)
        .into_iter()
        .filter(|c| c.checked)
        .map(|c| c.label)
        .collect()
}

#[derive(Template)]
#[template(path = "directory/index.html")]
pub struct DirectoryPage {
    pub layout: Layout,
    pub filter: Filter,
    pub kinds: Vec<Choice>,
    pub areas: Vec<Choice>,
    pub disabilities: Vec<Choice>,
    pub cards: Vec<Card>,
    pub limit_reached: bool,
    /// A case the user came from (referral or meeting form): cards offer to refer or invite.
    pub for_case: Option<Uuid>,
}

impl DirectoryPage {
    pub fn area_text(&self, c: &Card) -> String {
        let mut areas = vec![c.municipality.clone()];
        for a in &c.area_served {
            if !areas.contains(a) {
                areas.push(a.clone());
            }
        }
        areas.join("・")
    }

    pub fn disabilities_of(&self, c: &Card) -> String {
        disability_labels(self.layout.tr, &c.disability_types).join("・")
    }
}

#[derive(Template)]
#[template(path = "directory/show.html")]
pub struct ProfilePage {
    pub layout: Layout,
    pub p: Profile,
    pub programs: Vec<Program>,
    /// Each card with whether the viewer may edit it.
    pub staff: Vec<(Staff, bool)>,
    pub events: Vec<Event>,
    pub can_edit: bool,
    /// The viewer's open cases, when they may start work with this agency from here.
    pub cases: Vec<Choice>,
    pub is_coordinator: bool,
    pub errors: Errors,
}

impl ProfilePage {
    pub fn map_url(&self) -> String {
        format!(
            "https://www.google.com/maps/search/?api=1&query={}",
            text::query_escape(&self.p.address)
        )
    }
    pub fn areas(&self) -> String {
        let mut areas = vec![self.p.municipality.clone()];
        for a in &self.p.area_served {
            if !areas.contains(a) {
                areas.push(a.clone());
            }
        }
        areas.join("・")
    }
    pub fn disabilities(&self) -> String {
        disability_labels(self.layout.tr, &self.p.disability_types).join("・")
    }
    pub fn ages(&self) -> String {
        age_labels(self.layout.tr, &self.p.age_bands).join("・")
    }
    pub fn kind_key(&self) -> String {
        format!("kind-{}", self.p.kind)
    }
}

#[derive(Template)]
#[template(path = "directory/edit.html")]
pub struct ProfileEditPage {
    pub layout: Layout,
    pub p: Profile,
    pub area_text: String,
    pub languages_text: String,
    pub ages: Vec<Check>,
    pub disabilities: Vec<Check>,
    pub errors: Errors,
    pub programs: Vec<Program>,
    pub staff: Vec<Staff>,
    pub events: Vec<Event>,
}

#[derive(Template)]
#[template(path = "directory/program.html")]
pub struct ProgramPage {
    pub layout: Layout,
    pub agency_id: Uuid,
    pub program: Program,
    pub is_new: bool,
    pub errors: Errors,
}

#[derive(Template)]
#[template(path = "directory/staff.html")]
pub struct StaffPage {
    pub layout: Layout,
    pub agency_id: Uuid,
    pub staff: Staff,
    pub is_new: bool,
    /// The viewer keeps the directory entry: links the card to a member, deletes it.
    pub can_manage: bool,
    pub members: Vec<Choice>,
    pub errors: Errors,
    /// "remove the photo" as ticked, when the form comes back
    pub remove_photo: bool,
}

#[derive(Debug, Clone, Default)]
pub struct EventForm {
    pub kind: String,
    pub title: String,
    pub date: String,
    pub start: String,
    pub end: String,
    pub place: String,
    pub how_to_apply: String,
    pub description: String,
}

#[derive(Template)]
#[template(path = "directory/event.html")]
pub struct EventPage {
    pub layout: Layout,
    pub agency_id: Uuid,
    pub event_id: Option<Uuid>,
    pub form: EventForm,
    pub kinds: Vec<Choice>,
    pub errors: Errors,
}
