//! The referral's states (SPEC §5) and who may move it where: the sender drafts, sends and
//! withdraws; the receiver acknowledges, schedules the visit, starts the trial, accepts or
//! declines. A pure table, tested exhaustively.

string_enum!(
    /// draft → sent → acknowledged → visit_scheduled → trial → accepted | declined | withdrawn
    RefState {
        Draft = "draft",
        Sent = "sent",
        Acknowledged = "acknowledged",
        VisitScheduled = "visit_scheduled",
        Trial = "trial",
        Accepted = "accepted",
        Declined = "declined",
        Withdrawn = "withdrawn",
    }
);

/// Which side of the referral the acting agency is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Sender,
    Receiver,
}

string_enum!(
    /// Why a receiving agency declines.
    DeclineReason {
        NoCapacity = "no_capacity",
        OutOfArea = "out_of_area",
        NotSuited = "not_suited",
        PersonDeclined = "person_declined",
        OtherService = "other_service",
        Other = "other",
    }
);

string_enum!(
    /// The information to gather before referring (seed 000): 受傷後の経過, 受傷前の働き方,
    /// 前職の情報, 仕事への考え方, 働きたい理由, 希望の働き方, 収入を得たい理由, 見学で知りたいこと.
    PrereferralItem {
        Course = "course",
        WorkBefore = "work_before",
        PreviousJob = "previous_job",
        WorkAttitude = "work_attitude",
        WhyWork = "why_work",
        DesiredWork = "desired_work",
        WhyEarn = "why_earn",
        VisitQuestions = "visit_questions",
    }
);

impl PrereferralItem {
    /// The order of SPEC §5, in which the letter lists the items: the six the therapists
    /// gather, then 前職の情報 and 仕事への考え方.
    pub const LETTER_ORDER: [PrereferralItem; 8] = [
        PrereferralItem::Course,
        PrereferralItem::WorkBefore,
        PrereferralItem::WhyWork,
        PrereferralItem::DesiredWork,
        PrereferralItem::WhyEarn,
        PrereferralItem::VisitQuestions,
        PrereferralItem::PreviousJob,
        PrereferralItem::WorkAttitude,
    ];

    /// Where an item (by code) comes in the letter; unknown codes last.
    pub fn letter_position(code: &str) -> usize {
        Self::LETTER_ORDER
            .iter()
            .position(|i| i.as_str() == code)
            .unwrap_or(Self::LETTER_ORDER.len())
    }

    /// The kind of information each item is, for consent.
    pub fn category(self) -> &'static str {
        match self {
            PrereferralItem::Course => "health",
            PrereferralItem::WorkBefore | PrereferralItem::PreviousJob => "work",
            PrereferralItem::VisitQuestions => "training",
            _ => "life",
        }
    }

    pub fn label_key(self) -> String {
        format!("prereferral-{}", self.as_str())
    }
}

impl RefState {
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            RefState::Accepted | RefState::Declined | RefState::Withdrawn
        )
    }

    pub fn label_key(self) -> String {
        format!("referral-state-{}", self.as_str())
    }

    /// The states `side` may move a referral to from `self`.
    pub fn next(self, side: Side) -> &'static [RefState] {
        use RefState::*;
        match (self, side) {
            (Draft, Side::Sender) => &[Sent, Withdrawn],
            (Sent | Acknowledged | VisitScheduled | Trial, Side::Sender) => &[Withdrawn],
            (Sent, Side::Receiver) => &[Acknowledged, Declined],
            (Acknowledged, Side::Receiver) => &[VisitScheduled, Trial, Accepted, Declined],
            (VisitScheduled, Side::Receiver) => &[VisitScheduled, Trial, Accepted, Declined],
            (Trial, Side::Receiver) => &[Accepted, Declined],
            _ => &[],
        }
    }

    pub fn may(self, side: Side, to: RefState) -> bool {
        self.next(side).contains(&to)
    }
}

impl DeclineReason {
    pub fn label_key(self) -> String {
        format!("decline-{}", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RefState::*;

    /// Every (from, side, to) triple: allowed exactly when listed here.
    #[test]
    fn every_transition_allowed_or_refused() {
        let allowed: &[(RefState, Side, RefState)] = &[
            (Draft, Side::Sender, Sent),
            (Draft, Side::Sender, Withdrawn),
            (Sent, Side::Sender, Withdrawn),
            (Acknowledged, Side::Sender, Withdrawn),
            (VisitScheduled, Side::Sender, Withdrawn),
            (Trial, Side::Sender, Withdrawn),
            (Sent, Side::Receiver, Acknowledged),
            (Sent, Side::Receiver, Declined),
            (Acknowledged, Side::Receiver, VisitScheduled),
            (Acknowledged, Side::Receiver, Trial),
            (Acknowledged, Side::Receiver, Accepted),
            (Acknowledged, Side::Receiver, Declined),
            (VisitScheduled, Side::Receiver, VisitScheduled),
            (VisitScheduled, Side::Receiver, Trial),
            (VisitScheduled, Side::Receiver, Accepted),
            (VisitScheduled, Side::Receiver, Declined),
            (Trial, Side::Receiver, Accepted),
            (Trial, Side::Receiver, Declined),
        ];
        let mut checked = 0;
        for from in RefState::ALL {
            for side in [Side::Sender, Side::Receiver] {
                for to in RefState::ALL {
                    let want = allowed.contains(&(*from, side, *to));
                    assert_eq!(from.may(side, *to), want, "{from:?} --{side:?}--> {to:?}");
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 8 * 2 * 8);
        // nothing leaves a closed referral; the receiver cannot accept a withdrawn one
        for closed in [Accepted, Declined, Withdrawn] {
            assert!(!closed.is_open());
            assert!(closed.next(Side::Sender).is_empty() && closed.next(Side::Receiver).is_empty());
        }
    }
}
