//! Who may do what: pure functions over facts, tested exhaustively. Handlers ask here and
//! nowhere else.

pub use super::actor::CaseFacts;
use super::actor::{Actor, SessionUser};
use crate::domain::kinds::Role;
use chrono::NaiveDate;
use uuid::Uuid;

/// The system admin creates agencies and users and resets passwords; sees no case content.
pub fn is_system_admin(user: &SessionUser) -> bool {
    user.is_admin
}

/// An agency admin manages the members of their agency — only while acting as that agency.
pub fn may_manage_members(user: &SessionUser, agency_id: Uuid) -> bool {
    user.acting
        .as_ref()
        .is_some_and(|m| m.agency_id == agency_id && m.role == Role::AgencyAdmin)
}

/// An agency's directory profile, programs, staff cards and events are kept by its agency
/// admin (acting as it) and by the system admin.
pub fn may_edit_directory(user: &SessionUser, agency_id: Uuid) -> bool {
    is_system_admin(user) || may_manage_members(user, agency_id)
}

/// A staff card: by those who keep the profile, and by the member the card shows.
pub fn may_edit_staff_card(user: &SessionUser, agency_id: Uuid, card_user: Option<Uuid>) -> bool {
    may_edit_directory(user, agency_id) || card_user == Some(user.id)
}

/// From a profile, anyone acting for an agency starts work with another agency on one of their
/// cases: a therapist starts a referral; adding to the team and inviting to a meeting are
/// offered to coordinators. The case's own rules decide on the case page.
pub fn may_connect_from_directory(user: &SessionUser) -> bool {
    user.acting.is_some()
}

pub fn is_coordinator(user: &SessionUser) -> bool {
    user.acting
        .as_ref()
        .is_some_and(|m| m.role == Role::Coordinator)
}

/// A user may act only as an agency they are a member of.
pub fn may_act_as(user: &SessionUser, agency_id: Uuid) -> bool {
    user.memberships.iter().any(|m| m.agency_id == agency_id)
}

/// What the acting agency may do on one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseAccess {
    /// Not on the team (or no acting agency): the case does not exist for them (404).
    None,
    /// The agency left the team: it reads what it could see until `left_on` and sees the case
    /// as handed over.
    HandedOver { left_on: NaiveDate },
    /// On the team: reads and writes.
    Contribute,
    /// A coordinator of the lead agency: also manages the team and consent.
    Lead,
}

/// The one rule for case access. `facts` is None when the acting agency was never on the team.
pub fn case_access(user: &SessionUser, facts: Option<&CaseFacts>) -> CaseAccess {
    let (Some(acting), Some(facts)) = (user.acting.as_ref(), facts) else {
        return CaseAccess::None;
    };
    match facts.left_on {
        Some(left_on) => CaseAccess::HandedOver { left_on },
        None if facts.lead_agency_id == acting.agency_id && acting.role == Role::Coordinator => {
            CaseAccess::Lead
        }
        None => CaseAccess::Contribute,
    }
}

impl CaseAccess {
    pub fn can_read(self) -> bool {
        self != CaseAccess::None
    }
    pub fn can_write(self) -> bool {
        matches!(self, CaseAccess::Contribute | CaseAccess::Lead)
    }
    pub fn can_manage(self) -> bool {
        self == CaseAccess::Lead
    }
}

/// Who accessed a case is shown to the users acting as its lead agency.
pub fn may_view_access_log(user: &SessionUser, facts: &CaseFacts) -> bool {
    facts.left_on.is_none()
        && user
            .acting
            .as_ref()
            .is_some_and(|m| m.agency_id == facts.lead_agency_id)
}

/// The case's provision ledger is shown to the users acting as its lead agency, like the
/// access log: the lead answers for the case's records.
pub fn may_view_case_ledger(user: &SessionUser, facts: &CaseFacts) -> bool {
    may_view_access_log(user, facts)
}

/// Coordinators of an agency on the team convene case meetings.
pub fn may_convene(user: &SessionUser, access: CaseAccess) -> bool {
    access.can_write()
        && user
            .acting
            .as_ref()
            .is_some_and(|m| m.role == Role::Coordinator)
}

/// The convening agency's coordinators reschedule, cancel, edit the material and write the
/// minutes.
pub fn may_run_meeting(actor: Actor, convener_agency_id: Uuid) -> bool {
    actor.agency_id() == convener_agency_id && actor.role() == Role::Coordinator
}

/// A consent as far as visibility is concerned.
#[derive(Debug, Clone)]
pub struct ConsentFacts {
    pub agency_id: Uuid,
    pub categories: Vec<String>,
    pub given_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub revoked: bool,
}

impl ConsentFacts {
    /// Given, not revoked, not expired, on `today`.
    pub fn live_on(&self, today: NaiveDate) -> bool {
        !self.revoked && self.given_on <= today && self.valid_until.is_none_or(|u| u >= today)
    }
}

/// An entry as far as visibility is concerned.
#[derive(Debug, Clone)]
pub struct EntryFacts {
    pub author_agency_id: Uuid,
    pub category: String,
    pub shared_with: Vec<Uuid>,
    /// The Tokyo calendar day it was written.
    pub written_on: NaiveDate,
}

/// SPEC §3, the entry rule: an agency on the team sees an entry if its own agency wrote it, or
/// it is shared with it and a live consent covers the entry's category for it (team and lead
/// changes, `case_admin`, need no consent). An agency that left sees only what was written up to
/// the day it left. The SQL twin of this function is `db::entries::VISIBLE`; the property test
/// holds both against a reference model.
pub fn entry_visible(
    agency_id: Uuid,
    team_left_on: Option<Option<NaiveDate>>,
    entry: &EntryFacts,
    consents: &[ConsentFacts],
    today: NaiveDate,
) -> bool {
    let Some(left_on) = team_left_on else {
        return false; // never on the team
    };
    if left_on.is_some_and(|left| entry.written_on > left) {
        return false;
    }
    if entry.author_agency_id == agency_id {
        return true;
    }
    entry.shared_with.contains(&agency_id)
        && (entry.category == "case_admin"
            || consents.iter().any(|c| {
                c.agency_id == agency_id
                    && c.categories.contains(&entry.category)
                    && c.live_on(today)
            }))
}

/// Who writes a case's monthly support reports (支援レポート) and records its hand-over
/// (支援体制構築): a retention office on the team.
pub fn may_write_reports(kind: crate::domain::kinds::AgencyKind, access: CaseAccess) -> bool {
    kind == crate::domain::kinds::AgencyKind::RetentionOffice && access.can_write()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::actor::Membership;
    use crate::domain::kinds::AgencyKind;

    fn user(is_admin: bool, memberships: &[(Uuid, Role)], acting: Option<usize>) -> SessionUser {
        let ms: Vec<Membership> = memberships
            .iter()
            .map(|(id, role)| Membership {
                agency_id: *id,
                agency_name: "x".into(),
                agency_kind: AgencyKind::Clinic,
                role: *role,
            })
            .collect();
        SessionUser {
            id: Uuid::nil(),
            email: "u@x.jp".into(),
            display_name: "u".into(),
            is_admin,
            acting: acting.map(|i| ms[i].clone()),
            memberships: ms,
            token_hash: vec![],
            unread: None,
            participant_case_id: None,
            must_enrol: false,
            case_facts: None,
        }
    }

    #[test]
    fn member_management_needs_agency_admin_acting_as_that_agency() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        for role in Role::ALL {
            for (acting, target, is_admin) in
                [(0, a, false), (0, b, false), (1, b, false), (0, a, true)]
            {
                let u = user(is_admin, &[(a, *role), (b, Role::Staff)], Some(acting));
                let want = *role == Role::AgencyAdmin && acting == 0 && target == a;
                assert_eq!(
                    may_manage_members(&u, target),
                    want,
                    "{role:?} acting {acting} on {target}"
                );
            }
        }
        // the system admin flag alone gives no agency rights
        assert!(!may_manage_members(&user(true, &[], None), a));
        assert!(is_system_admin(&user(true, &[], None)));
        assert!(!is_system_admin(&user(
            false,
            &[(a, Role::AgencyAdmin)],
            Some(0)
        )));
    }

    #[test]
    fn acting_only_as_own_agencies() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let u = user(false, &[(a, Role::Staff)], Some(0));
        assert!(may_act_as(&u, a));
        assert!(!may_act_as(&u, b));
    }

    #[test]
    fn case_access_table() {
        let (lead, other) = (Uuid::now_v7(), Uuid::now_v7());
        let left = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        let on_team = |lead_agency_id| CaseFacts {
            lead_agency_id,
            left_on: None,
        };
        let cases = [
            (
                Role::Coordinator,
                lead,
                Some(on_team(lead)),
                CaseAccess::Lead,
            ),
            (
                Role::Staff,
                lead,
                Some(on_team(lead)),
                CaseAccess::Contribute,
            ),
            (
                Role::AgencyAdmin,
                lead,
                Some(on_team(lead)),
                CaseAccess::Contribute,
            ),
            (
                Role::Coordinator,
                other,
                Some(on_team(lead)),
                CaseAccess::Contribute,
            ),
            (Role::Coordinator, other, None, CaseAccess::None),
            (
                Role::Coordinator,
                other,
                Some(CaseFacts {
                    lead_agency_id: lead,
                    left_on: Some(left),
                }),
                CaseAccess::HandedOver { left_on: left },
            ),
        ];
        for (role, acting, facts, want) in cases {
            let u = user(false, &[(acting, role)], Some(0));
            assert_eq!(case_access(&u, facts.as_ref()), want, "{role:?}");
        }
        // no acting agency (the system admin): nothing
        let admin = user(true, &[], None);
        assert_eq!(case_access(&admin, Some(&on_team(lead))), CaseAccess::None);
        assert!(!CaseAccess::HandedOver { left_on: left }.can_write());
        assert!(CaseAccess::Contribute.can_write() && !CaseAccess::Contribute.can_manage());
    }
}
