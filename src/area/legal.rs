//! The legal time line of a case (SPEC's legal dates): the dates computed from what users
//! recorded, the next few for the case page, and the tasks they generate.

use crate::db::tasks::PhaseDates;
use crate::domain::dates::{self, slash};
use crate::domain::legal::{self, StartKind};
use crate::i18n::Tr;
use crate::views::employment::Milestone;
use chrono::NaiveDate;

/// The next few dates of the time line, for the case page.
pub fn upcoming(tr: Tr, dates: Option<&PhaseDates>) -> Vec<Milestone> {
    let Some(d) = dates else {
        return vec![];
    };
    let (all, _) = milestones(tr, d, None, dates::today_tokyo());
    all.into_iter().filter(|m| !m.past).take(3).collect()
}

/// The time line of a case: every computed date, in order.
pub fn milestones(
    tr: Tr,
    d: &PhaseDates,
    job_coach_from: Option<NaiveDate>,
    today: NaiveDate,
) -> (Vec<Milestone>, Vec<String>) {
    let mut m: Vec<(NaiveDate, String)> = vec![];
    let mut notices = vec![];
    if let Some(start) = d.training_started_on {
        let t = legal::transition(start);
        m.push((start, tr.t("legal-training-start")));
        // once hired, the transition period's limits no longer matter
        if d.hired_on.is_none_or(|h| h > t.warn_from) {
            m.push((t.warn_from, tr.t("legal-extension-warn")));
        }
        if d.hired_on.is_none_or(|h| h > t.standard_end) {
            m.push((t.standard_end, tr.t("legal-training-end")));
        }
        if d.phase == "training" {
            let left = legal::months_left(&t, today);
            let end = slash(t.standard_end);
            notices.push(tr.targs("legal-months-left", &[("months", &left), ("end", &end)]));
            if today >= t.warn_from && today <= t.standard_end {
                notices.push(tr.t1("legal-extension-now", "date", slash(t.standard_end)));
            }
        }
    }
    if let (Some(hired), Some(kind)) = (
        d.hired_on,
        d.start_kind.as_deref().and_then(StartKind::parse),
    ) {
        let anchor = match kind {
            StartKind::HoursExtension => d.transition_ended_on,
            StartKind::ReturnToWork => d.returned_on,
            StartKind::Ordinary => None,
        };
        let e = legal::employment(kind, hired, anchor);
        m.push((hired, tr.t("legal-hired")));
        if e.day_one != hired {
            m.push((e.day_one, tr.t("legal-day-one")));
        }
        m.push((e.handover_from, tr.t("legal-handover-from")));
        m.push((e.handover_to, tr.t("legal-handover-to")));
        m.push((e.sending_support_end, tr.t("legal-support-end")));
        m.push((e.retention_earliest, tr.t("legal-retention-earliest")));
        m.push((e.retention_latest_end, tr.t("legal-retention-latest")));
        if d.phase == "employed" && today >= e.handover_from && today <= e.handover_to {
            notices.push(tr.t("legal-handover-now"));
        }
    }
    if let Some(start) = d.retention_start_on {
        m.push((start, tr.t("legal-retention-start")));
    }
    if let Some(end) = d.retention_end_on {
        for (key, due) in legal::service_end_schedule(end) {
            m.push((due, tr.t(format!("legal-{key}"))));
        }
        if d.phase == "retention" && today <= end {
            notices.push(tr.t1("legal-end-countdown", "days", (end - today).num_days()));
        }
    }
    if let Some(from) = job_coach_from {
        m.push((from, tr.t("legal-job-coach-start")));
        let end = legal::job_coach_phase_end(from);
        m.push((end, tr.t("legal-job-coach-end")));
        if today >= from && today <= end {
            notices.push(tr.t1("legal-job-coach-now", "date", slash(end)));
        }
    }
    if let Some(f) = d.follow_up_on {
        m.push((f, tr.t("legal-follow-up")));
    }
    if let Some(c) = d.closed_on {
        m.push((c, tr.t("legal-closed")));
    }
    m.sort_by_key(|(date, _)| *date);
    (
        m.into_iter()
            .map(|(date, label)| Milestone {
                past: date < today,
                date,
                label,
            })
            .collect(),
        notices,
    )
}

/// The tasks the case's dates call for, each with the Japanese title stored with it (the
/// reader sees it rendered in their own language from the task's source and dates).
pub fn wanted_tasks(d: &PhaseDates, retention_office: uuid::Uuid) -> Vec<(legal::Wanted, String)> {
    let ja = Tr::new(crate::i18n::Lang::Ja);
    legal::wanted_tasks(d, retention_office)
        .into_iter()
        .map(|w| {
            let title = crate::views::employment::task_title(ja, w.source, &w.args);
            (w, title)
        })
        .collect()
}
