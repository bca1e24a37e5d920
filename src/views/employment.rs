use super::{Choice, Errors, Layout};
use crate::db::meetings::ActionRow;
use crate::db::tasks::TaskRow;
use crate::i18n::{Lang, Tr};
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
    /// the month has not ended yet: judged once it has
    pub in_progress: bool,
}

impl MonthCheck {
    /// A month that has ended without an interview or a report.
    pub fn missing(&self) -> bool {
        !self.in_progress && (!self.interview || !self.report)
    }
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
    /// why the phase goes back to an earlier one (asked only then)
    pub reason: String,
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
    /// the phases earlier than the case's: choosing one asks for the reason
    pub earlier: Vec<String>,
    /// the chosen phase is earlier than the case's
    pub asks_reason: bool,
    /// the retention service's window for this case, in words, once the hire is recorded
    pub retention_window: Option<String>,
    pub kinds: Vec<Choice>,
    pub form: PhaseForm,
    pub errors: Errors,
}

impl LegalPage {
    pub fn is_earlier(&self, phase: &str) -> bool {
        self.earlier.iter().any(|p| p == phase)
    }

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

/// A date inside a sentence: 2026/04/01 in Japanese, 1 April 2026 in English.
pub fn date_words(tr: Tr, d: NaiveDate) -> String {
    match tr.lang {
        Lang::Ja => crate::domain::dates::slash(d),
        Lang::En => crate::domain::dates::western(d),
    }
}

/// The title of a generated task in `tr`'s language: the catalog message
/// `task-title-<source>` with its dates.
pub fn task_title(tr: Tr, source: &str, args: &[(&str, NaiveDate)]) -> String {
    let texts: Vec<(&str, String)> = args.iter().map(|(k, d)| (*k, date_words(tr, *d))).collect();
    let pairs: Vec<(&str, &dyn std::fmt::Display)> = texts
        .iter()
        .map(|(k, v)| (*k, v as &dyn std::fmt::Display))
        .collect();
    tr.targs(&format!("task-title-{source}"), &pairs)
}

impl Tr {
    /// What a task is called for this reader: what a user typed if one changed the title, else the
    /// generated title in the reader's language (the stored text if its dates are missing).
    pub fn task_title(&self, t: &TaskRow) -> String {
        let Some(names) = crate::domain::legal::title_args(&t.source).filter(|_| !t.title_edited)
        else {
            return t.title.clone();
        };
        let args: Option<Vec<(&str, NaiveDate)>> = names
            .iter()
            .map(|n| {
                t.args
                    .get(*n)
                    .and_then(|v| crate::domain::dates::parse_date(v))
                    .map(|d| (*n, d))
            })
            .collect();
        match args {
            Some(args) => task_title(*self, &t.source, &args),
            None => t.title.clone(),
        }
    }
}

/// Why a date was refused, in the reader's language.
pub fn refusal_text(tr: Tr, r: &crate::domain::legal::Refusal) -> String {
    match r.date {
        Some(d) => tr.t1(r.key, "date", date_words(tr, d)),
        None => tr.t(r.key),
    }
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
