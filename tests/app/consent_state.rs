//! The consent states the leak hunt and the matrix run every check under.

/// The state of an agency's consent on a case during one round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentState {
    None,
    Live,
    ExpiresToday,
    Expired,
    Revoked,
    /// revoked, then given again
    Renewed,
}

impl ConsentState {
    pub const ALL: [ConsentState; 6] = [
        ConsentState::None,
        ConsentState::Live,
        ConsentState::ExpiresToday,
        ConsentState::Expired,
        ConsentState::Revoked,
        ConsentState::Renewed,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ConsentState::None => "no consent",
            ConsentState::Live => "live consent",
            ConsentState::ExpiresToday => "consent ending today",
            ConsentState::Expired => "consent ended yesterday",
            ConsentState::Revoked => "revoked consent",
            ConsentState::Renewed => "revoked then renewed consent",
        }
    }

    /// SPEC §3: not revoked, given_on <= today, valid_until null or >= today (Tokyo).
    pub fn live(self) -> bool {
        matches!(
            self,
            ConsentState::Live | ConsentState::ExpiresToday | ConsentState::Renewed
        )
    }

    /// The consent rows that make the state: (given days ago, valid until in days from today,
    /// revoked).
    pub fn rows(self) -> Vec<(i32, Option<i32>, bool)> {
        match self {
            ConsentState::None => vec![],
            ConsentState::Live => vec![(30, None, false)],
            ConsentState::ExpiresToday => vec![(30, Some(0), false)],
            ConsentState::Expired => vec![(30, Some(-1), false)],
            ConsentState::Revoked => vec![(30, None, true)],
            ConsentState::Renewed => vec![(60, None, true), (0, None, false)],
        }
    }
}
