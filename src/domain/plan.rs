//! 個別支援計画 (the individual support plan) and its cycle, as the ministry's standards lay it
//! out: アセスメント → 原案 → 担当者会議 → 本人の同意 → 交付 → モニタリング → the next plan. The
//! plan's state is derived from what was recorded; `allows` is the one place that says which
//! step may follow which.

use super::dates::{add_months_clamped, period_end};
use chrono::NaiveDate;

string_enum!(
    /// The disability welfare service the plan is for.
    Service {
        Transition = "transition",
        Training = "training",
        Retention = "retention",
        TypeA = "type_a",
        TypeB = "type_b",
        Other = "other",
    }
);

impl Service {
    pub fn label_key(self) -> String {
        format!("plan-service-{}", self.as_str())
    }

    /// Months between reviews: 3 for 就労移行支援 and 自立訓練, 6 for the others.
    pub fn review_months(self) -> i32 {
        match self {
            Service::Transition | Service::Training => 3,
            _ => 6,
        }
    }

    /// The consent category a delivery of the plan to another agency relies on: the plan is
    /// about the training, or — for retention — about the work.
    pub fn category(self) -> &'static str {
        match self {
            Service::Retention => "work",
            _ => "training",
        }
    }

    /// The service an agency of this kind usually provides.
    pub fn for_kind(kind: super::kinds::AgencyKind) -> Service {
        match kind {
            super::kinds::AgencyKind::TransitionOffice => Service::Transition,
            super::kinds::AgencyKind::RetentionOffice => Service::Retention,
            _ => Service::Other,
        }
    }
}

string_enum!(
    /// How the person consented: 署名・記名押印・口頭
    ConsentHow {
        Signature = "signature",
        NameSeal = "name_seal",
        Oral = "oral",
    }
);

impl ConsentHow {
    pub fn label_key(self) -> String {
        format!("plan-how-{}", self.as_str())
    }
}

/// Where a plan stands in its cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    /// the assessment is recorded, no draft yet
    Assessment,
    /// 原案: at least one version saved
    Draft,
    /// 担当者会議 held on the draft
    Reviewed,
    /// 本人の同意 given to a version
    Consented,
    /// 交付: delivered to the person; monitoring runs
    Delivered,
    /// a later plan of the same agency was delivered
    Superseded,
}

impl State {
    pub const ALL: [State; 6] = [
        State::Assessment,
        State::Draft,
        State::Reviewed,
        State::Consented,
        State::Delivered,
        State::Superseded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Assessment => "assessment",
            State::Draft => "draft",
            State::Reviewed => "reviewed",
            State::Consented => "consented",
            State::Delivered => "delivered",
            State::Superseded => "superseded",
        }
    }

    pub fn label_key(self) -> String {
        format!("plan-state-{}", self.as_str())
    }

    /// From what was recorded.
    pub fn of(
        versions: i64,
        meeting: bool,
        consent: bool,
        delivered: bool,
        superseded: bool,
    ) -> State {
        if superseded {
            State::Superseded
        } else if delivered {
            State::Delivered
        } else if consent {
            State::Consented
        } else if meeting {
            State::Reviewed
        } else if versions > 0 {
            State::Draft
        } else {
            State::Assessment
        }
    }
}

/// A step of the cycle a user records on a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    SaveDraft,
    Meeting,
    Consent,
    Deliver,
    /// delivering the delivered version to a further agency (the 相談支援事業所)
    DeliverToAgency,
    Monitoring,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Step::SaveDraft,
        Step::Meeting,
        Step::Consent,
        Step::Deliver,
        Step::DeliverToAgency,
        Step::Monitoring,
    ];
}

/// Which step may be taken in which state. Drafts may be saved until the person consents (a
/// change after the meeting is the meeting's outcome); consent needs the meeting; delivery
/// needs the consent; monitoring runs on the delivered plan. A superseded plan is closed.
pub fn allows(state: State, step: Step) -> bool {
    use State::*;
    match step {
        Step::SaveDraft => matches!(state, Assessment | Draft | Reviewed),
        Step::Meeting => matches!(state, Draft | Reviewed),
        Step::Consent => state == Reviewed,
        Step::Deliver => state == Consented,
        Step::DeliverToAgency | Step::Monitoring => state == Delivered,
    }
}

/// A new plan may be started when the agency has none in progress on the case.
pub fn may_start_next(latest: Option<State>) -> bool {
    latest.is_none_or(|s| matches!(s, State::Delivered | State::Superseded))
}

/// The first plan is due within one month of the service start.
pub fn first_plan_due(service_start: NaiveDate) -> NaiveDate {
    period_end(service_start, 1)
}

/// The next review of a delivered plan: its review period after the later of the delivery
/// and the last monitoring that found the plan holds (a monitoring that finds a change needed
/// leaves the clock: the next plan answers it). A month-end date stays at the end of the
/// shorter month.
pub fn review_due(
    service: Service,
    delivered_on: NaiveDate,
    last_monitoring: Option<NaiveDate>,
) -> NaiveDate {
    let anchor = last_monitoring.map_or(delivered_on, |m| m.max(delivered_on));
    add_months_clamped(anchor, service.review_months())
}

/// The service start a case's phase and dates give for an agency of `kind`: 就労移行支援 from
/// the training start while in training, 就労定着支援 from the retention start while in
/// retention; None for other kinds and phases.
pub fn service_start(
    kind: super::kinds::AgencyKind,
    phase: &str,
    training_started_on: Option<NaiveDate>,
    retention_start_on: Option<NaiveDate>,
) -> Option<NaiveDate> {
    use super::kinds::AgencyKind;
    match kind {
        AgencyKind::TransitionOffice if phase == "training" => training_started_on,
        AgencyKind::RetentionOffice if phase == "retention" => retention_start_on,
        _ => None,
    }
}

/// The task source key of the first plan of an agency's service period on the case.
pub fn first_plan_source(agency_id: uuid::Uuid) -> String {
    format!("plan-first:{agency_id}")
}

/// The reason the first plan's task carries (the dashboard shows it).
pub const FIRST_REASON: &str = "個別支援計画の作成期限";

/// The task source key of a plan's review (tasks of the legal timeline have keys without ':').
pub fn review_source(plan_id: uuid::Uuid) -> String {
    format!("plan-review:{plan_id}")
}

/// The reason the task carries (the dashboard shows it).
pub const REVIEW_REASON: &str = "個別支援計画の見直し期限";

/// A notice about the acting agency's plans on the case (a missing plan, a review near or
/// past), in the reader's words.
#[derive(Debug, Clone)]
pub struct Notice {
    pub text: String,
    pub overdue: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_cycle_over_every_state_and_step() {
        use State::*;
        use Step::*;
        // (state, steps allowed): the whole table, so that a change to `allows` shows here
        let table: [(State, &[Step]); 6] = [
            (Assessment, &[SaveDraft]),
            (Draft, &[SaveDraft, Meeting]),
            (Reviewed, &[SaveDraft, Meeting, Consent]),
            (Consented, &[Deliver]),
            (Delivered, &[DeliverToAgency, Monitoring]),
            (Superseded, &[]),
        ];
        for (state, allowed) in table {
            for step in Step::ALL {
                assert_eq!(
                    allows(state, step),
                    allowed.contains(&step),
                    "{state:?} × {step:?}"
                );
            }
        }
        assert!(may_start_next(None));
        assert!(may_start_next(Some(Delivered)));
        assert!(may_start_next(Some(Superseded)));
        for s in [Assessment, Draft, Reviewed, Consented] {
            assert!(!may_start_next(Some(s)), "{s:?}");
        }
    }

    #[test]
    fn state_from_records() {
        assert_eq!(State::of(0, false, false, false, false), State::Assessment);
        assert_eq!(State::of(2, false, false, false, false), State::Draft);
        assert_eq!(State::of(2, true, false, false, false), State::Reviewed);
        assert_eq!(State::of(2, true, true, false, false), State::Consented);
        assert_eq!(State::of(2, true, true, true, false), State::Delivered);
        assert_eq!(State::of(2, true, true, true, true), State::Superseded);
    }

    #[test]
    fn review_clocks_with_month_ends() {
        // 3 months for 就労移行支援 and 自立訓練, 6 for the others
        assert_eq!(
            review_due(Service::Transition, d("2026-01-15"), None),
            d("2026-04-15")
        );
        assert_eq!(
            review_due(Service::Training, d("2026-01-15"), None),
            d("2026-04-15")
        );
        assert_eq!(
            review_due(Service::Retention, d("2026-01-15"), None),
            d("2026-07-15")
        );
        assert_eq!(
            review_due(Service::TypeB, d("2026-01-15"), None),
            d("2026-07-15")
        );
        // a month end stays within the shorter month
        assert_eq!(
            review_due(Service::Transition, d("2025-11-30"), None),
            d("2026-02-28")
        );
        assert_eq!(
            review_due(Service::Transition, d("2027-11-30"), None),
            d("2028-02-29")
        );
        assert_eq!(
            review_due(Service::Retention, d("2026-08-31"), None),
            d("2027-02-28")
        );
        // a monitoring moves the clock; one before the delivery does not
        assert_eq!(
            review_due(Service::Transition, d("2026-01-15"), Some(d("2026-03-31"))),
            d("2026-06-30")
        );
        assert_eq!(
            review_due(Service::Transition, d("2026-01-15"), Some(d("2026-01-01"))),
            d("2026-04-15")
        );
        // the first plan within a month of the start (the start counts as day one)
        assert_eq!(first_plan_due(d("2026-04-01")), d("2026-04-30"));
        assert_eq!(first_plan_due(d("2026-01-31")), d("2026-02-28"));
    }
}
