//! 支援レポート (the monthly support report of the retention service) and 支援体制構築 (the
//! hand-over before the service ends), as rules: the report's states and the one place that
//! says which step may follow which, which months may be reported on, and when the hand-over
//! had to start. No I/O.

use super::dates::{add_months_clamped, month_has_ended};
use chrono::NaiveDate;

/// Where a report stands. Derived from what was recorded (a version saved, the issue, the
/// acknowledgement), never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    /// saved, not yet issued: only the retention office reads it
    Draft,
    /// issued to the employer: frozen, waiting for 「確認しました」
    Issued,
    /// the employer's user marked it read
    Acknowledged,
}

impl State {
    pub const ALL: [State; 3] = [State::Draft, State::Issued, State::Acknowledged];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Issued => "issued",
            State::Acknowledged => "acknowledged",
        }
    }

    pub fn label_key(self) -> String {
        format!("report-state-{}", self.as_str())
    }

    pub fn of(issued: bool, acknowledged: bool) -> State {
        if acknowledged {
            State::Acknowledged
        } else if issued {
            State::Issued
        } else {
            State::Draft
        }
    }
}

/// A step a user takes on a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// a new version of the draft (the retention office)
    SaveDraft,
    /// issue the latest version to the employer (the retention office)
    Issue,
    /// 「確認しました」 (the employer's users)
    Acknowledge,
}

impl Step {
    pub const ALL: [Step; 3] = [Step::SaveDraft, Step::Issue, Step::Acknowledge];
}

/// Draft → issued → acknowledged, one way: an issued report is not edited, a draft is not
/// acknowledged, nothing is issued or acknowledged twice.
pub fn allows(state: State, step: Step) -> bool {
    match step {
        Step::SaveDraft | Step::Issue => state == State::Draft,
        Step::Acknowledge => state == State::Issued,
    }
}

use super::dates::month_of;

/// A month typed as `2026-11` (or a date in it), within the years a date may have
/// (`dates::parse_month`, `dates::parse_date`).
pub fn parse_month(s: &str) -> Option<NaiveDate> {
    super::dates::parse_month(s).or_else(|| super::dates::parse_date(s).map(month_of))
}

/// Why a month may not be reported on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthRefusal {
    /// the month has not ended yet (Tokyo calendar)
    NotEnded,
    /// the case has no retention service, or the month is before it started
    BeforeService,
    /// the month begins after the retention service ended
    AfterService,
}

impl MonthRefusal {
    pub fn message_key(self) -> &'static str {
        match self {
            MonthRefusal::NotEnded => "report-month-not-ended",
            MonthRefusal::BeforeService => "report-month-before-service",
            MonthRefusal::AfterService => "report-month-after-service",
        }
    }
}

/// A report is written for a month of the retention service that has ended: November may be
/// reported on from 1 December (Tokyo), not on 30 November.
pub fn check_month(
    month: NaiveDate,
    today: NaiveDate,
    service_start: Option<NaiveDate>,
    service_end: Option<NaiveDate>,
) -> Result<(), MonthRefusal> {
    let month = month_of(month);
    let Some(start) = service_start else {
        return Err(MonthRefusal::BeforeService);
    };
    if month < month_of(start) {
        return Err(MonthRefusal::BeforeService);
    }
    if service_end.is_some_and(|e| month > e) {
        return Err(MonthRefusal::AfterService);
    }
    if !month_has_ended(month, today) {
        return Err(MonthRefusal::NotEnded);
    }
    Ok(())
}

/// The months of the retention service that have ended by `today`, latest first.
pub fn ended_months(
    today: NaiveDate,
    service_start: Option<NaiveDate>,
    service_end: Option<NaiveDate>,
) -> Vec<NaiveDate> {
    let Some(start) = service_start else {
        return vec![];
    };
    let mut out = vec![];
    let mut m = month_of(start);
    while check_month(m, today, service_start, service_end).is_ok() {
        out.push(m);
        m = add_months_clamped(m, 1);
    }
    out.reverse();
    out
}

/// 支援体制構築: the hand-over must start at least three months before the service ends.
pub fn handover_deadline(service_end: NaiveDate) -> NaiveDate {
    add_months_clamped(service_end, -3)
}

/// Where the hand-over stands for a service ending on `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handover {
    /// started on this day, on or before the deadline
    InTime(NaiveDate),
    /// started on this day, after the deadline
    Late(NaiveDate),
    /// not started; the deadline is still ahead (or today)
    Pending(NaiveDate),
    /// not started and the deadline has passed: the case and the lead's dashboard say so
    Missed(NaiveDate),
}

impl Handover {
    pub fn of(end: NaiveDate, started: Option<NaiveDate>, today: NaiveDate) -> Handover {
        let deadline = handover_deadline(end);
        match started {
            Some(s) if s <= deadline => Handover::InTime(s),
            Some(s) => Handover::Late(s),
            None if today > deadline => Handover::Missed(deadline),
            None => Handover::Pending(deadline),
        }
    }

    pub fn is_missed(self) -> bool {
        matches!(self, Handover::Missed(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_state_machine_goes_one_way() {
        use State::*;
        use Step::*;
        assert!(allows(Draft, SaveDraft));
        assert!(allows(Draft, Issue));
        assert!(!allows(Draft, Acknowledge), "a draft is not acknowledged");
        assert!(allows(Issued, Acknowledge));
        assert!(!allows(Issued, SaveDraft), "an issued report is frozen");
        assert!(!allows(Issued, Issue), "not issued twice");
        for step in Step::ALL {
            assert!(
                !allows(Acknowledged, step),
                "{step:?} after the acknowledgement"
            );
        }
        assert_eq!(State::of(false, false), Draft);
        assert_eq!(State::of(true, false), Issued);
        assert_eq!(State::of(true, true), Acknowledged);
    }

    #[test]
    fn a_month_is_reported_on_once_it_has_ended() {
        let start = Some(d(2026, 4, 10));
        // November: allowed on 1 December, not on 30 November
        assert_eq!(
            check_month(d(2026, 11, 1), d(2026, 12, 1), start, None),
            Ok(())
        );
        assert_eq!(
            check_month(d(2026, 11, 1), d(2026, 11, 30), start, None),
            Err(MonthRefusal::NotEnded)
        );
        // February of a leap year and the turn of the year
        assert_eq!(
            check_month(d(2028, 2, 1), d(2028, 2, 29), start, None),
            Err(MonthRefusal::NotEnded)
        );
        assert_eq!(
            check_month(d(2028, 2, 1), d(2028, 3, 1), start, None),
            Ok(())
        );
        assert_eq!(
            check_month(d(2026, 12, 1), d(2027, 1, 1), start, None),
            Ok(())
        );
        // the month the service started in counts, the one before does not
        assert_eq!(
            check_month(d(2026, 4, 1), d(2026, 5, 1), start, None),
            Ok(())
        );
        assert_eq!(
            check_month(d(2026, 3, 1), d(2026, 12, 1), start, None),
            Err(MonthRefusal::BeforeService)
        );
        assert_eq!(
            check_month(d(2026, 11, 1), d(2026, 12, 1), None, None),
            Err(MonthRefusal::BeforeService)
        );
        // the month the service ended in counts, the one after does not
        let end = Some(d(2026, 9, 30));
        assert_eq!(
            check_month(d(2026, 9, 1), d(2026, 12, 1), start, end),
            Ok(())
        );
        assert_eq!(
            check_month(d(2026, 10, 1), d(2026, 12, 1), start, end),
            Err(MonthRefusal::AfterService)
        );
    }

    #[test]
    fn ended_months_run_from_the_start_to_last_month() {
        let m = ended_months(d(2026, 12, 1), Some(d(2026, 9, 15)), None);
        assert_eq!(m, vec![d(2026, 11, 1), d(2026, 10, 1), d(2026, 9, 1)]);
        assert!(ended_months(d(2026, 9, 30), Some(d(2026, 9, 15)), None).is_empty());
        assert!(ended_months(d(2026, 12, 1), None, None).is_empty());
    }

    #[test]
    fn months_are_read_as_typed() {
        assert_eq!(parse_month("2026-11"), Some(d(2026, 11, 1)));
        assert_eq!(parse_month(" 2026-11-20 "), Some(d(2026, 11, 1)));
        assert_eq!(parse_month("2026-13"), None);
        assert_eq!(parse_month("11月"), None);
    }

    #[test]
    fn the_handover_starts_three_months_before_the_end() {
        let end = d(2027, 5, 31);
        assert_eq!(handover_deadline(end), d(2027, 2, 28));
        assert_eq!(
            Handover::of(end, Some(d(2027, 2, 1)), d(2027, 4, 1)),
            Handover::InTime(d(2027, 2, 1))
        );
        assert_eq!(
            Handover::of(end, Some(d(2027, 3, 1)), d(2027, 4, 1)),
            Handover::Late(d(2027, 3, 1))
        );
        assert_eq!(
            Handover::of(end, None, d(2027, 2, 28)),
            Handover::Pending(d(2027, 2, 28))
        );
        assert!(Handover::of(end, None, d(2027, 3, 1)).is_missed());
    }
}
