use super::{Choice, Errors, Layout};
use crate::db::meetings::ActionRow;
use crate::db::tasks::TaskRow;
use askama::Template;
use chrono::NaiveDate;
use uuid::Uuid;

/// One date on the case's time line.
pub struct Milestone {
    pub date: NaiveDate,
    pub label: String,
    pub past: bool,
}

/// A month of the retention service: was there an interview, a support report?
pub struct MonthCheck {
    pub month: String,
    pub interview: bool,
    pub report: bool,
}

/// Contacts per month per agency as grouped bars: support fading as natural support grows.
pub struct Intensity {
    /// (x, y, width, height, colour class, title)
    pub bars: Vec<(String, String, String, String, String, String)>,
    /// (x, label) for every month that has contacts
    pub months: Vec<(String, String)>,
    /// (colour class, agency name)
    pub legend: Vec<(String, String)>,
    pub max: i64,
}

/// What was typed into the phase form.
#[derive(Debug, Clone, Default)]
pub struct PhaseForm {
    pub phase: String,
    pub training_started_on: String,
    pub hired_on: String,
    pub start_kind: String,
    pub transition_ended_on: String,
    pub returned_on: String,
    pub retention_start_on: String,
    pub retention_end_on: String,
    pub follow_up_on: String,
    pub closed_on: String,
}

#[derive(Template)]
#[template(path = "employment/legal.html")]
pub struct LegalPage {
    pub layout: Layout,
    pub case_id: Uuid,
    pub name: String,
    pub phase_key: String,
    /// the time line, with today's position
    pub milestones: Vec<Milestone>,
    pub today: NaiveDate,
    pub notices: Vec<String>,
    pub months: Vec<MonthCheck>,
    pub intensity: Option<Intensity>,
    pub tasks: Vec<TaskRow>,
    pub may_change: bool,
    pub phases: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub form: PhaseForm,
    pub errors: Errors,
}

impl LegalPage {
    pub fn all_past(&self) -> bool {
        self.milestones.iter().all(|m| m.past)
    }

    /// Where "today" goes in the list: before the first milestone after today.
    pub fn today_before(&self, index: &usize) -> bool {
        let index = *index;
        let first_future = self.milestones.iter().position(|m| !m.past);
        first_future == Some(index)
    }
}

#[derive(Template)]
#[template(path = "meetings/tasks.html")]
pub struct TasksPage {
    pub layout: Layout,
    /// A change that could not be saved, and why.
    pub error: Option<String>,
    pub tasks: Vec<TaskRow>,
    pub actions: Vec<ActionRow>,
}

/// A task's edit form as typed, come back with the messages by its fields.
#[derive(Template)]
#[template(path = "employment/task_edit.html")]
pub struct TaskEditPage {
    pub layout: Layout,
    pub task: TaskRow,
    pub title: String,
    pub due_on: String,
    pub back: String,
    pub errors: Errors,
}
