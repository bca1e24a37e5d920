//! Who may do what: pure functions over facts, tested exhaustively. Handlers ask here and
//! nowhere else.

use crate::db::auth::SessionUser;
use crate::domain::kinds::Role;
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

/// A user may act only as an agency they are a member of.
pub fn may_act_as(user: &SessionUser, agency_id: Uuid) -> bool {
    user.memberships.iter().any(|m| m.agency_id == agency_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::auth::Membership;
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
}
