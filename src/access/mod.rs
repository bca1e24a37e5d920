//! The door to case data. Nothing here knows HTTP or HTML: the same door serves pages,
//! print views, calendar files and whatever reads the record next.
//!
//! - `actor`: who is asking (the signed-in user, the agency they act as).
//! - `policy`: who may do what, as pure functions over facts.
//! - `rules`: the visibility rules in SQL, each written once, used by every read, list and count.
//! - `case`, `meeting`, `referral`, `own`: the scopes. A scope is built only by its `open`
//!   function, which reads the facts, decides with the policy and records a refusal on a
//!   connection of its own (so the refusal survives the rollback of the caller's transaction).
//!   Every function in `db` that reads or writes case data takes the scope it needs, so a read
//!   that did not pass the door does not compile.
//! - `trail`: the audit writer every scope records through.

pub mod actor;
pub mod case;
pub mod health;
pub mod meeting;
pub mod own;
pub mod plan;
pub mod policy;
pub mod referral;
pub mod report;
pub mod rules;
pub mod trail;

pub use actor::{Actor, CaseFactsRead, Membership, SessionUser};
pub use case::{CaseScope, Need};
pub use health::HealthScope;
pub use meeting::{MeetingRole, MeetingScope};
pub use own::OwnCase;
pub use plan::PlanScope;
pub use referral::{ReferralScope, ReferralSide};
pub use report::ReportScope;
pub use trail::Who;

use uuid::Uuid;

/// Anything that passed a door onto one case: the db functions that write to a case take one.
pub trait OnCase {
    fn case_id(&self) -> Uuid;
    fn actor(&self) -> Actor;
}

/// An agency reading one case's records: the scope's own agency, or — for the convener's
/// preview of a meeting's material — an invited agency. Made only by the scopes; every read of
/// entries, checklists and action items for a derived page takes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reader {
    case_id: Uuid,
    agency_id: Uuid,
}

impl Reader {
    pub(in crate::access) fn new(case_id: Uuid, agency_id: Uuid) -> Reader {
        Reader { case_id, agency_id }
    }
    pub fn case_id(&self) -> Uuid {
        self.case_id
    }
    pub fn agency_id(&self) -> Uuid {
        self.agency_id
    }
}

/// Why the door stayed shut. Not found: the thing does not exist for the asker (its existence
/// is not revealed); forbidden: they may see it but not do this.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}
