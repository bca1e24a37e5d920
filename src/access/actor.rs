//! Who is asking: the signed-in user with their memberships, and the actor (that user working
//! as one agency). Built by the session lookup; nothing else makes an `Actor`.

use crate::domain::kinds::{AgencyKind, Role};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Membership {
    pub agency_id: Uuid,
    pub agency_name: String,
    pub agency_kind: AgencyKind,
    pub role: Role,
}

/// The signed-in user of a request, with their memberships and the agency they act as.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub is_admin: bool,
    pub memberships: Vec<Membership>,
    pub acting: Option<Membership>,
    pub token_hash: Vec<u8>,
    /// Unread timeline entries for the header, counted up to a cap (pages only).
    pub unread: Option<i64>,
    /// A participant's limited account: only their own daily reports.
    pub participant_case_id: Option<Uuid>,
    /// Their agency requires a second factor they have not set up: until they enrol, the
    /// session reaches only the enrolment pages.
    pub must_enrol: bool,
    /// The facts of the case the request's path names, read for the acting agency in the
    /// session's own statement (GET requests on `/cases/{id}…`): the door decides on them
    /// instead of reading them again (`case::open`).
    pub case_facts: Option<CaseFactsRead>,
}

/// The door's facts about one case for one agency, read with the session.
#[derive(Debug, Clone)]
pub struct CaseFactsRead {
    pub case_id: Uuid,
    pub agency_id: Uuid,
    /// None when the agency was never on the case's team (or there is no such case).
    pub facts: Option<CaseFacts>,
}

/// A user working as one of their agencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    user_id: Uuid,
    agency_id: Uuid,
    role: Role,
}

impl Actor {
    pub fn user_id(&self) -> Uuid {
        self.user_id
    }
    pub fn agency_id(&self) -> Uuid {
        self.agency_id
    }
    pub fn role(&self) -> Role {
        self.role
    }
}

impl SessionUser {
    /// The user working as their acting agency; None for a user with no agency (the system
    /// admin) and for a participant's own account.
    pub fn actor(&self) -> Option<Actor> {
        if self.participant_case_id.is_some() {
            return None;
        }
        self.acting.as_ref().map(|m| Actor {
            user_id: self.id,
            agency_id: m.agency_id,
            role: m.role,
        })
    }
}

/// The facts about one case as seen from the acting agency, read in SQL by `case::open` or
/// with the session (`db::auth::lookup`); nothing for an agency that was never on the team.
#[derive(Debug, Clone)]
pub struct CaseFacts {
    pub lead_agency_id: uuid::Uuid,
    /// When the acting agency left the team, if it did.
    pub left_on: Option<chrono::NaiveDate>,
}
