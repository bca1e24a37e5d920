//! `OwnCase`: a participant's own account, limited to her own daily reports.

use super::SessionUser;
use uuid::Uuid;

#[derive(Debug, Clone, Copy)]
pub struct OwnCase {
    case_id: Uuid,
    user_id: Uuid,
}

impl OwnCase {
    /// The case of a participant's own account; None for everyone else.
    pub fn of(user: &SessionUser) -> Option<OwnCase> {
        user.participant_case_id.map(|case_id| OwnCase {
            case_id,
            user_id: user.id,
        })
    }
    pub fn case_id(&self) -> Uuid {
        self.case_id
    }
    pub fn user_id(&self) -> Uuid {
        self.user_id
    }
}
