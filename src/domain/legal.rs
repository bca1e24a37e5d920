//! The legal timeline (SPEC §2), computed — never typed by hand. Every period counts its first
//! day as day 1 and ends by 民法143条 (`dates::period_end`); "n months before X" falls on X's day
//! n months earlier or that month's last day (`dates::add_months_clamped`).

use super::dates::{add_months_clamped, period_end};
use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

/// How the job started (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartKind {
    Ordinary,
    /// 労働時間延長支援型: the 6 months count from the day after the transition service ended
    HoursExtension,
    /// 復職支援型: the return-to-work date is day 1
    ReturnToWork,
}

impl StartKind {
    pub fn parse(s: &str) -> Option<StartKind> {
        match s {
            "ordinary" => Some(StartKind::Ordinary),
            "hours_extension" => Some(StartKind::HoursExtension),
            "return_to_work" => Some(StartKind::ReturnToWork),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            StartKind::Ordinary => "ordinary",
            StartKind::HoursExtension => "hours_extension",
            StartKind::ReturnToWork => "return_to_work",
        }
    }
}

/// 就労移行支援: 24 months from the service start (基準期間), a warning 4 months before the end
/// while there is time to apply for an extension of up to 12 months.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub start: NaiveDate,
    pub standard_end: NaiveDate,
    pub extended_end: NaiveDate,
    pub warn_from: NaiveDate,
}

pub fn transition(start: NaiveDate) -> Transition {
    let standard_end = period_end(start, 24);
    Transition {
        start,
        standard_end,
        extended_end: period_end(start, 36),
        warn_from: add_months_clamped(standard_end, -4),
    }
}

/// Months left of the standard period, counting the current month while any day of it is
/// still inside the period (so every day of a month, the 1st and the last included, gives the
/// same answer): 1 in the last month, 0 once the period has ended.
pub fn months_left(t: &Transition, today: NaiveDate) -> i32 {
    if today > t.standard_end {
        return 0;
    }
    (t.standard_end.year() - today.year()) * 12 + t.standard_end.month() as i32
        - today.month() as i32
        + 1
}

/// After hiring: the sending office's support, the hand-over window (months 4–5), and the
/// retention service's window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Employment {
    /// day 1 of the 6 months (the hire date, the day after the transition service ended, or
    /// the return date)
    pub day_one: NaiveDate,
    pub sending_support_end: NaiveDate,
    pub handover_from: NaiveDate,
    pub handover_to: NaiveDate,
    pub retention_earliest: NaiveDate,
    pub retention_latest_end: NaiveDate,
}

pub fn employment(kind: StartKind, hired: NaiveDate, anchor: Option<NaiveDate>) -> Employment {
    let day_one = match kind {
        StartKind::Ordinary => hired,
        StartKind::HoursExtension => anchor.and_then(|d| d.succ_opt()).unwrap_or(hired),
        StartKind::ReturnToWork => anchor.unwrap_or(hired),
    };
    let sending_support_end = period_end(day_one, 6);
    let retention_earliest = sending_support_end
        .succ_opt()
        .unwrap_or(sending_support_end);
    Employment {
        day_one,
        sending_support_end,
        // 就職後4〜5月目: the 4th month begins 3 months after day one
        handover_from: period_end(day_one, 3).succ_opt().unwrap_or(NaiveDate::MAX),
        handover_to: period_end(day_one, 5),
        retention_earliest,
        // at most 3 years of service, so at most 3 years 6 months after day one
        retention_latest_end: period_end(retention_earliest, 36),
    }
}

/// The hand-over schedule before the retention service ends at E (seed 004 section 10):
/// (months before E, key of the milestone).
pub const SERVICE_END_SCHEDULE: [(i32, &str); 7] = [
    (6, "end-6"),
    (5, "end-5"),
    (4, "end-4"),
    (3, "end-3"),
    (2, "end-2"),
    (1, "end-1"),
    (0, "end-0"),
];

/// The due date of each milestone of the service-end schedule.
pub fn service_end_schedule(end: NaiveDate) -> Vec<(&'static str, NaiveDate)> {
    SERVICE_END_SCHEDULE
        .iter()
        .map(|(months, key)| (*key, add_months_clamped(end, -months)))
        .collect()
}

/// 職場適応援助者: intensive and transition phases up to 8 months from the start, then follow-up.
pub fn job_coach_phase_end(start: NaiveDate) -> NaiveDate {
    period_end(start, 8)
}

/// A task the legal timeline calls for: the key of the rule it comes from (its title is the
/// catalog message `task-title-<source>`), the dates the title names, who owns it, when it is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub source: &'static str,
    pub args: Vec<(&'static str, NaiveDate)>,
    pub owner: Uuid,
    pub due: NaiveDate,
}

/// The dates the legal timeline is computed from.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct PhaseDates {
    pub phase: String,
    pub lead_agency_id: Uuid,
    pub training_started_on: Option<NaiveDate>,
    pub hired_on: Option<NaiveDate>,
    pub start_kind: Option<String>,
    pub transition_ended_on: Option<NaiveDate>,
    pub returned_on: Option<NaiveDate>,
    pub retention_start_on: Option<NaiveDate>,
    pub retention_end_on: Option<NaiveDate>,
    pub follow_up_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
}

impl PhaseDates {
    /// The employment dates, once a hire date and the kind of start are known.
    pub fn employment(&self) -> Option<Employment> {
        let hired = self.hired_on?;
        let kind = self.start_kind.as_deref().and_then(StartKind::parse)?;
        let anchor = match kind {
            StartKind::HoursExtension => self.transition_ended_on,
            StartKind::ReturnToWork => self.returned_on,
            StartKind::Ordinary => None,
        };
        Some(employment(kind, hired, anchor))
    }
}

/// The hand-over schedule of seed 004 section 10, month by month before the service ends: the
/// sources of its tasks, in the order of `SERVICE_END_SCHEDULE`.
pub const END_TASKS: [&str; 7] = [
    "end-6", "end-5", "end-4", "end-3", "end-2", "end-1", "end-0",
];

/// The arguments the title of a generated task names, or None for a source no rule generates.
pub fn title_args(source: &str) -> Option<&'static [&'static str]> {
    match source {
        "transition-extension" => Some(&["end"]),
        "handover-4-5" => Some(&["from", "to"]),
        s if END_TASKS.contains(&s) => Some(&[]),
        _ => None,
    }
}

/// The tasks the timeline calls for, and who owns each; none whose moment has passed
/// (`closed_reason`).
pub fn wanted_tasks(d: &PhaseDates, retention_office: Uuid) -> Vec<Wanted> {
    let mut wanted = vec![];
    if let Some(start) = d.training_started_on {
        let t = transition(start);
        wanted.push(Wanted {
            source: "transition-extension",
            args: vec![("end", t.standard_end)],
            owner: d.lead_agency_id,
            due: t.warn_from,
        });
    }
    if let Some(e) = d.employment() {
        wanted.push(Wanted {
            source: "handover-4-5",
            args: vec![("from", e.handover_from), ("to", e.handover_to)],
            owner: d.lead_agency_id,
            due: e.handover_to,
        });
    }
    if let Some(end) = d.retention_end_on {
        for ((_, due), source) in service_end_schedule(end).into_iter().zip(END_TASKS) {
            wanted.push(Wanted {
                source,
                args: vec![],
                owner: retention_office,
                due,
            });
        }
    }
    wanted.retain(|w| closed_reason(d, w.source).is_none());
    wanted
}

/// Why a generated task's moment has passed because the case moved on (the catalog key of the
/// reason), or None while it still needs doing: everything once the case is closed; the
/// extension of the transition period once the person is hired; the hand-over to the retention
/// office once the retention service (or follow-up) has begun; the service-end schedule once
/// the case is in follow-up.
pub fn closed_reason(d: &PhaseDates, source: &str) -> Option<&'static str> {
    let phase = d.phase.as_str();
    if phase == "closed" {
        return Some("task-closed-case-closed");
    }
    let after = |p: &str| {
        phase_rank(phase)
            .zip(phase_rank(p))
            .is_some_and(|(a, b)| a >= b)
    };
    match source {
        "transition-extension" if d.hired_on.is_some() || after("employed") => {
            Some("task-closed-hired")
        }
        "handover-4-5" if after("retention") => Some("task-closed-retention-started"),
        s if s.starts_with("end-") && after("follow_up") => Some("task-closed-retention-ended"),
        _ => None,
    }
}

/// The phases in the order a case goes through them.
pub const PHASE_ORDER: [&str; 7] = [
    "intake",
    "referred",
    "training",
    "employed",
    "retention",
    "follow_up",
    "closed",
];

pub fn phase_rank(phase: &str) -> Option<usize> {
    PHASE_ORDER.iter().position(|p| *p == phase)
}

/// Moving from `from` to `to` goes back to an earlier phase (which needs a reason).
pub fn is_backwards(from: &str, to: &str) -> bool {
    matches!((phase_rank(from), phase_rank(to)), (Some(a), Some(b)) if b < a)
}

/// The age from which a person may be hired (労働基準法56条: not before the end of the school
/// year in which they turn 15; the app checks the 15th birthday).
pub const MIN_HIRE_AGE: i32 = 15;

/// A date the law or common sense rules out: the field, the catalog key of the reason and the
/// date the reason names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: &'static str,
    pub key: &'static str,
    pub date: Option<NaiveDate>,
}

fn refuse(field: &'static str, key: &'static str, date: Option<NaiveDate>) -> Refusal {
    Refusal { field, key, date }
}

/// The rules of SPEC §2 and seed 004 on the dates of a phase change to `d.phase`, for a person
/// born on `birth`, checked on `today`: each broken rule by the field it concerns.
pub fn refused_dates(d: &PhaseDates, birth: NaiveDate, today: NaiveDate) -> Vec<Refusal> {
    let mut out = vec![];
    let phase = d.phase.as_str();
    if let Some(start) = d.training_started_on.filter(|_| phase == "training") {
        out.extend(training_start_refusal("training_started_on", start, today));
    }
    if let Some(hired) = d.hired_on.filter(|_| phase == "employed") {
        let fifteen = add_months_clamped(birth, MIN_HIRE_AGE * 12);
        if hired < fifteen {
            out.push(refuse("hired_on", "legal-hired-too-young", Some(fifteen)));
        }
        if let Some(start) = d.training_started_on.filter(|s| hired < *s) {
            out.push(refuse(
                "hired_on",
                "legal-hired-before-training",
                Some(start),
            ));
        }
        if d.start_kind.as_deref() == Some("hours_extension")
            && d.transition_ended_on.is_some_and(|t| t < hired)
        {
            out.push(refuse(
                "transition_ended_on",
                "legal-transition-end-before-hire",
                None,
            ));
        }
        if d.start_kind.as_deref() == Some("return_to_work")
            && d.returned_on.is_some_and(|r| r < hired)
        {
            out.push(refuse(
                "returned_on",
                "legal-returned-before-hire",
                Some(hired),
            ));
        }
    }
    if phase == "retention" {
        match d.employment() {
            None => out.push(refuse(
                "retention_start_on",
                "legal-retention-no-hire",
                None,
            )),
            Some(e) => {
                if let Some(start) = d.retention_start_on {
                    if start < e.retention_earliest {
                        out.push(refuse(
                            "retention_start_on",
                            "legal-retention-too-early",
                            Some(e.retention_earliest),
                        ));
                    } else if start > e.retention_latest_end {
                        out.push(refuse(
                            "retention_start_on",
                            "legal-retention-too-late",
                            Some(e.retention_latest_end),
                        ));
                    }
                }
                if let Some(end) = d.retention_end_on {
                    if end > e.retention_latest_end {
                        out.push(refuse(
                            "retention_end_on",
                            "legal-retention-too-late",
                            Some(e.retention_latest_end),
                        ));
                    }
                }
            }
        }
        if let (Some(s), Some(e)) = (d.retention_start_on, d.retention_end_on) {
            if e < s {
                out.push(refuse("retention_end_on", "legal-end-before-start", None));
            }
        }
    }
    if let Some(f) = d.follow_up_on.filter(|_| phase == "follow_up") {
        match d.hired_on {
            None => out.push(refuse("follow_up_on", "legal-follow-up-no-hire", None)),
            Some(h) if f < h => out.push(refuse(
                "follow_up_on",
                "legal-follow-up-before-hire",
                Some(h),
            )),
            _ => {}
        }
    }
    out
}

/// A start of 就労移行支援 on `start`, typed on `today`: refused if its longest possible period
/// (24 months and an extension of up to 12, seed 004) has already ended, or if it lies more
/// than a year ahead.
pub fn training_start_refusal(
    field: &'static str,
    start: NaiveDate,
    today: NaiveDate,
) -> Option<Refusal> {
    let t = transition(start);
    if t.extended_end < today {
        Some(refuse(
            field,
            "legal-training-past-maximum",
            Some(t.extended_end),
        ))
    } else if start > add_months_clamped(today, 12) {
        Some(refuse(field, "legal-date-far-future", None))
    } else {
        None
    }
}

/// How far back a task's due date may be moved: a year before today.
pub fn due_date_refusal(due: NaiveDate, today: NaiveDate) -> Option<Refusal> {
    let earliest = add_months_clamped(today, -12);
    (due < earliest).then(|| refuse("due_on", "task-due-too-old", Some(earliest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// (kind, hire, anchor, sending support end, retention earliest, retention latest end,
    ///  hand-over from, hand-over to)
    #[test]
    #[rustfmt::skip]
    fn employment_table() {
        use StartKind::*;
        #[allow(clippy::type_complexity)]
        let cases: &[(StartKind, NaiveDate, Option<NaiveDate>, NaiveDate, NaiveDate, NaiveDate, NaiveDate, NaiveDate)] = &[
            // SPEC §2's two examples
            (Ordinary, d(2025, 4, 1), None, d(2025, 9, 30), d(2025, 10, 1), d(2028, 9, 30), d(2025, 7, 1), d(2025, 8, 31)),
            (Ordinary, d(2025, 8, 31), None, d(2026, 2, 28), d(2026, 3, 1), d(2029, 2, 28), d(2025, 12, 1), d(2026, 1, 30)),
            // month ends and leap years
            (Ordinary, d(2023, 8, 31), None, d(2024, 2, 29), d(2024, 3, 1), d(2027, 2, 28), d(2023, 12, 1), d(2024, 1, 30)),
            (Ordinary, d(2024, 2, 29), None, d(2024, 8, 28), d(2024, 8, 29), d(2027, 8, 28), d(2024, 5, 29), d(2024, 7, 28)),
            (Ordinary, d(2024, 1, 31), None, d(2024, 7, 30), d(2024, 7, 31), d(2027, 7, 30), d(2024, 5, 1), d(2024, 6, 30)),
            (Ordinary, d(2025, 3, 31), None, d(2025, 9, 30), d(2025, 10, 1), d(2028, 9, 30), d(2025, 7, 1), d(2025, 8, 30)),
            (Ordinary, d(2025, 12, 1), None, d(2026, 5, 31), d(2026, 6, 1), d(2029, 5, 31), d(2026, 3, 1), d(2026, 4, 30)),
            (Ordinary, d(2025, 1, 1), None, d(2025, 6, 30), d(2025, 7, 1), d(2028, 6, 30), d(2025, 4, 1), d(2025, 5, 31)),
            (Ordinary, d(2025, 6, 15), None, d(2025, 12, 14), d(2025, 12, 15), d(2028, 12, 14), d(2025, 9, 15), d(2025, 11, 14)),
            (Ordinary, d(2026, 8, 31), None, d(2027, 2, 28), d(2027, 3, 1), d(2030, 2, 28), d(2026, 12, 1), d(2027, 1, 30)),
            (Ordinary, d(2027, 8, 31), None, d(2028, 2, 29), d(2028, 3, 1), d(2031, 2, 28), d(2027, 12, 1), d(2028, 1, 30)),
            // 労働時間延長支援型: counted from the day after the transition service ended
            (HoursExtension, d(2025, 4, 1), Some(d(2025, 6, 30)), d(2025, 12, 31), d(2026, 1, 1), d(2028, 12, 31), d(2025, 10, 1), d(2025, 11, 30)),
            (HoursExtension, d(2025, 4, 1), Some(d(2025, 8, 30)), d(2026, 2, 28), d(2026, 3, 1), d(2029, 2, 28), d(2025, 12, 1), d(2026, 1, 30)),
            (HoursExtension, d(2024, 1, 10), Some(d(2024, 2, 28)), d(2024, 8, 28), d(2024, 8, 29), d(2027, 8, 28), d(2024, 5, 29), d(2024, 7, 28)),
            // 復職支援型: the return date is day 1
            (ReturnToWork, d(2020, 4, 1), Some(d(2025, 10, 1)), d(2026, 3, 31), d(2026, 4, 1), d(2029, 3, 31), d(2026, 1, 1), d(2026, 2, 28)),
            (ReturnToWork, d(2020, 4, 1), Some(d(2025, 8, 31)), d(2026, 2, 28), d(2026, 3, 1), d(2029, 2, 28), d(2025, 12, 1), d(2026, 1, 30)),
            (ReturnToWork, d(2019, 4, 1), Some(d(2023, 12, 31)), d(2024, 6, 30), d(2024, 7, 1), d(2027, 6, 30), d(2024, 3, 31), d(2024, 5, 30)),
        ];
        for (kind, hired, anchor, support, earliest, latest, from, to) in cases {
            let e = employment(*kind, *hired, *anchor);
            assert_eq!(e.sending_support_end, *support, "{kind:?} {hired} {anchor:?} support");
            assert_eq!(e.retention_earliest, *earliest, "{kind:?} {hired} earliest");
            assert_eq!(e.retention_latest_end, *latest, "{kind:?} {hired} latest");
            assert_eq!(e.handover_from, *from, "{kind:?} {hired} hand-over from");
            assert_eq!(e.handover_to, *to, "{kind:?} {hired} hand-over to");
        }
    }

    #[test]
    #[rustfmt::skip]
    fn transition_table() {
        // (start, standard end, extended end, warn from)
        let cases = [
            (d(2025, 4, 1), d(2027, 3, 31), d(2028, 3, 31), d(2026, 11, 30)),
            (d(2024, 2, 29), d(2026, 2, 28), d(2027, 2, 28), d(2025, 10, 28)),
            (d(2025, 8, 31), d(2027, 8, 30), d(2028, 8, 30), d(2027, 4, 30)),
            (d(2025, 1, 1), d(2026, 12, 31), d(2027, 12, 31), d(2026, 8, 31)),
            (d(2023, 6, 30), d(2025, 6, 29), d(2026, 6, 29), d(2025, 2, 28)),
        ];
        for (start, end, extended, warn) in cases {
            let t = transition(start);
            assert_eq!((t.standard_end, t.extended_end, t.warn_from), (end, extended, warn), "{start}");
        }
        let t = transition(d(2025, 4, 1));
        // June 2026 to March 2027, the current month included, on every day of June
        for day in 1..=30 {
            assert_eq!(months_left(&t, d(2026, 6, day)), 10, "June {day}");
        }
        assert_eq!(months_left(&t, d(2025, 4, 1)), 24, "the first day of service");
        assert_eq!(months_left(&t, d(2027, 3, 1)), 1);
        assert_eq!(months_left(&t, d(2027, 3, 31)), 1, "the last day");
        assert_eq!(months_left(&t, d(2027, 4, 1)), 0, "ended");
        // a start in the middle of a month: its period ends in the middle of one too
        let t = transition(d(2025, 4, 15));
        assert_eq!(months_left(&t, d(2027, 4, 1)), 1);
        assert_eq!(months_left(&t, d(2027, 4, 14)), 1);
        assert_eq!(months_left(&t, d(2027, 4, 15)), 0);
    }

    #[test]
    #[rustfmt::skip]
    fn service_end_schedule_table() {
        // (end, [E-6 .. E])
        let cases = [
            (d(2028, 9, 30), [d(2028, 3, 30), d(2028, 4, 30), d(2028, 5, 30), d(2028, 6, 30), d(2028, 7, 30), d(2028, 8, 30), d(2028, 9, 30)]),
            (d(2029, 2, 28), [d(2028, 8, 28), d(2028, 9, 28), d(2028, 10, 28), d(2028, 11, 28), d(2028, 12, 28), d(2029, 1, 28), d(2029, 2, 28)]),
            (d(2028, 8, 31), [d(2028, 2, 29), d(2028, 3, 31), d(2028, 4, 30), d(2028, 5, 31), d(2028, 6, 30), d(2028, 7, 31), d(2028, 8, 31)]),
        ];
        for (end, want) in cases {
            let got: Vec<NaiveDate> = service_end_schedule(end).into_iter().map(|(_, d)| d).collect();
            assert_eq!(got, want, "{end}");
        }
        assert_eq!(job_coach_phase_end(d(2025, 4, 1)), d(2025, 11, 30));
    }
    fn dates(phase: &str) -> PhaseDates {
        PhaseDates {
            phase: phase.to_string(),
            ..PhaseDates::default()
        }
    }

    fn fields(r: Vec<Refusal>) -> Vec<(&'static str, &'static str)> {
        r.into_iter().map(|r| (r.field, r.key)).collect()
    }

    #[test]
    fn tasks_whose_moment_passed_close_with_the_reason() {
        let mut p = dates("training");
        p.training_started_on = Some(d(2025, 4, 1));
        assert_eq!(closed_reason(&p, "transition-extension"), None);
        p.phase = "employed".into();
        p.hired_on = Some(d(2026, 1, 5));
        p.start_kind = Some("ordinary".into());
        assert_eq!(
            closed_reason(&p, "transition-extension"),
            Some("task-closed-hired")
        );
        assert_eq!(
            closed_reason(&p, "handover-4-5"),
            None,
            "the hand-over is due now"
        );
        p.phase = "retention".into();
        assert_eq!(
            closed_reason(&p, "handover-4-5"),
            Some("task-closed-retention-started")
        );
        assert_eq!(closed_reason(&p, "end-6"), None);
        p.phase = "follow_up".into();
        assert_eq!(
            closed_reason(&p, "handover-4-5"),
            Some("task-closed-retention-started")
        );
        assert_eq!(
            closed_reason(&p, "end-3"),
            Some("task-closed-retention-ended")
        );
        p.phase = "closed".into();
        for s in ["transition-extension", "handover-4-5", "end-0", "anything"] {
            assert_eq!(closed_reason(&p, s), Some("task-closed-case-closed"), "{s}");
        }
        // what the timeline wants never includes a task that would close at once
        p.phase = "retention".into();
        p.retention_start_on = Some(d(2026, 7, 5));
        p.retention_end_on = Some(d(2029, 7, 4));
        let w: Vec<&str> = wanted_tasks(&p, Uuid::nil())
            .iter()
            .map(|w| w.source)
            .collect();
        assert_eq!(w, END_TASKS.to_vec());
        p.phase = "employed".into();
        p.retention_end_on = None;
        let w = wanted_tasks(&p, Uuid::nil());
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].source, "handover-4-5");
        assert_eq!(
            w[0].args,
            vec![("from", d(2026, 4, 5)), ("to", d(2026, 6, 4))]
        );
        assert_eq!(title_args("handover-4-5"), Some(&["from", "to"][..]));
        assert_eq!(title_args("end-0"), Some(&[][..]));
        assert_eq!(title_args("typed-by-hand"), None);
    }

    #[test]
    fn backwards_phases() {
        assert!(is_backwards("retention", "training"));
        assert!(is_backwards("closed", "follow_up"));
        assert!(is_backwards("employed", "referred"));
        assert!(!is_backwards("training", "employed"));
        assert!(!is_backwards("retention", "retention"));
        assert!(!is_backwards("intake", "closed"));
        assert!(!is_backwards("unknown", "training"));
    }

    #[test]
    fn training_beyond_the_maximum_is_refused() {
        let today = d(2026, 12, 1);
        let mut p = dates("training");
        // 36 months from 2023-12-02 end on 2026-12-01: still (just) possible
        p.training_started_on = Some(d(2023, 12, 2));
        assert_eq!(refused_dates(&p, d(1990, 1, 1), today), vec![]);
        p.training_started_on = Some(d(2023, 12, 1));
        assert_eq!(
            refused_dates(&p, d(1990, 1, 1), today),
            vec![Refusal {
                field: "training_started_on",
                key: "legal-training-past-maximum",
                date: Some(d(2026, 11, 30)),
            }]
        );
        p.training_started_on = Some(d(2028, 1, 1));
        assert_eq!(
            fields(refused_dates(&p, d(1990, 1, 1), today)),
            vec![("training_started_on", "legal-date-far-future")]
        );
        // the same start is fine on a case that is no longer in training
        p.training_started_on = Some(d(2020, 1, 1));
        p.phase = "employed".into();
        p.hired_on = Some(d(2021, 6, 1));
        p.start_kind = Some("ordinary".into());
        assert_eq!(refused_dates(&p, d(1990, 1, 1), today), vec![]);
    }

    #[test]
    fn hire_before_fifteen_is_refused() {
        let today = d(2026, 12, 1);
        let mut p = dates("employed");
        p.start_kind = Some("ordinary".into());
        p.hired_on = Some(d(2026, 4, 1));
        // born 2011-04-02: 15 on 2026-04-02
        assert_eq!(
            refused_dates(&p, d(2011, 4, 2), today),
            vec![Refusal {
                field: "hired_on",
                key: "legal-hired-too-young",
                date: Some(d(2026, 4, 2)),
            }]
        );
        assert_eq!(refused_dates(&p, d(2011, 4, 1), today), vec![]);
        // born on 29 February: 15 on 28 February
        p.hired_on = Some(d(2023, 2, 28));
        assert_eq!(refused_dates(&p, d(2008, 2, 29), today), vec![]);
        p.hired_on = Some(d(2023, 2, 27));
        assert_eq!(refused_dates(&p, d(2008, 2, 29), today).len(), 1);
        // before the training started; a return before the hire
        p.hired_on = Some(d(2025, 3, 1));
        p.training_started_on = Some(d(2025, 4, 1));
        p.start_kind = Some("return_to_work".into());
        p.returned_on = Some(d(2025, 2, 1));
        assert_eq!(
            fields(refused_dates(&p, d(1990, 1, 1), today)),
            vec![
                ("hired_on", "legal-hired-before-training"),
                ("returned_on", "legal-returned-before-hire")
            ]
        );
    }

    #[test]
    fn retention_outside_its_window_is_refused() {
        let today = d(2026, 12, 1);
        let mut p = dates("retention");
        p.retention_start_on = Some(d(2025, 10, 1));
        assert_eq!(
            fields(refused_dates(&p, d(1990, 1, 1), today)),
            vec![("retention_start_on", "legal-retention-no-hire")]
        );
        p.hired_on = Some(d(2025, 4, 1));
        p.start_kind = Some("ordinary".into());
        assert_eq!(refused_dates(&p, d(1990, 1, 1), today), vec![]);
        p.retention_end_on = Some(d(2028, 9, 30));
        assert_eq!(refused_dates(&p, d(1990, 1, 1), today), vec![]);
        p.retention_end_on = Some(d(2028, 10, 1));
        assert_eq!(
            refused_dates(&p, d(1990, 1, 1), today),
            vec![Refusal {
                field: "retention_end_on",
                key: "legal-retention-too-late",
                date: Some(d(2028, 9, 30)),
            }]
        );
        p.retention_end_on = None;
        p.retention_start_on = Some(d(2025, 9, 30));
        assert_eq!(
            refused_dates(&p, d(1990, 1, 1), today),
            vec![Refusal {
                field: "retention_start_on",
                key: "legal-retention-too-early",
                date: Some(d(2025, 10, 1)),
            }]
        );
        p.retention_start_on = Some(d(2028, 10, 1));
        assert_eq!(
            fields(refused_dates(&p, d(1990, 1, 1), today)),
            vec![("retention_start_on", "legal-retention-too-late")]
        );
        // 復職支援型: counted from the return date
        p.hired_on = Some(d(2020, 4, 1));
        p.start_kind = Some("return_to_work".into());
        p.returned_on = Some(d(2025, 10, 1));
        p.retention_start_on = Some(d(2026, 3, 31));
        assert_eq!(
            fields(refused_dates(&p, d(1990, 1, 1), today)),
            vec![("retention_start_on", "legal-retention-too-early")]
        );
        p.retention_start_on = Some(d(2026, 4, 1));
        p.retention_end_on = Some(d(2029, 3, 31));
        assert_eq!(refused_dates(&p, d(1990, 1, 1), today), vec![]);
        p.retention_end_on = Some(d(2026, 3, 1));
        assert_eq!(
            fields(refused_dates(&p, d(1990, 1, 1), today)),
            vec![("retention_end_on", "legal-end-before-start")]
        );
    }

    #[test]
    fn follow_up_before_hire_and_old_due_dates_are_refused() {
        let today = d(2026, 12, 1);
        let mut p = dates("follow_up");
        p.follow_up_on = Some(d(2025, 1, 1));
        assert_eq!(
            fields(refused_dates(&p, d(1990, 1, 1), today)),
            vec![("follow_up_on", "legal-follow-up-no-hire")]
        );
        p.hired_on = Some(d(2025, 1, 2));
        assert_eq!(
            refused_dates(&p, d(1990, 1, 1), today),
            vec![Refusal {
                field: "follow_up_on",
                key: "legal-follow-up-before-hire",
                date: Some(d(2025, 1, 2)),
            }]
        );
        p.hired_on = Some(d(2025, 1, 1));
        assert_eq!(refused_dates(&p, d(1990, 1, 1), today), vec![]);

        assert_eq!(due_date_refusal(d(2025, 12, 1), today), None);
        assert_eq!(
            due_date_refusal(d(2025, 11, 30), today),
            Some(Refusal {
                field: "due_on",
                key: "task-due-too-old",
                date: Some(d(2025, 12, 1)),
            })
        );
        assert_eq!(due_date_refusal(d(2024, 2, 28), d(2025, 2, 28)), None);
        assert!(due_date_refusal(d(2024, 2, 28), d(2025, 3, 1)).is_some());
    }
}
