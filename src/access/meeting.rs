//! `MeetingScope`: a meeting opened by its convening agency or by an invited agency. A team
//! agency that was not invited sees, on the case's page, only that a meeting is planned or was
//! held (date and purpose); it cannot open the meeting, its material or its calendar file.

use super::{policy, Actor, Refusal, Who};
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingRole {
    Convener,
    Invitee,
}

#[derive(Debug, Clone)]
pub struct MeetingScope {
    meeting_id: Uuid,
    case_id: Uuid,
    convener_agency_id: Uuid,
    actor: Actor,
    role: MeetingRole,
}

impl MeetingScope {
    pub fn meeting_id(&self) -> Uuid {
        self.meeting_id
    }
    pub fn case_id(&self) -> Uuid {
        self.case_id
    }
    pub fn actor(&self) -> Actor {
        self.actor
    }
    pub fn agency_id(&self) -> Uuid {
        self.actor.agency_id()
    }
    pub fn user_id(&self) -> Uuid {
        self.actor.user_id()
    }
    pub fn role(&self) -> MeetingRole {
        self.role
    }
    pub fn convener_agency_id(&self) -> Uuid {
        self.convener_agency_id
    }
    /// The convening agency's coordinators reschedule, cancel, edit the material and write the
    /// minutes.
    pub fn may_run(&self) -> bool {
        self.role == MeetingRole::Convener
            && policy::may_run_meeting(self.actor, self.convener_agency_id)
    }
}

impl super::OnCase for MeetingScope {
    fn case_id(&self) -> Uuid {
        self.case_id
    }
    fn actor(&self) -> Actor {
        self.actor
    }
}

impl MeetingScope {
    /// The agency asking, as the reader of the case's records.
    pub fn reader(&self) -> super::Reader {
        super::Reader::new(self.case_id, self.agency_id())
    }

    /// The convener's coordinators preview the material as one of the invited agencies.
    pub fn preview_as(&self, agency_id: Uuid, invited: &[Uuid]) -> Option<super::Reader> {
        (self.may_run() && invited.contains(&agency_id))
            .then(|| super::Reader::new(self.case_id, agency_id))
    }
}

/// What the meeting is to the agency asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingNeed {
    /// Its page, material, print and calendar file; an answer to the invitation.
    Read,
    /// Rescheduling, cancelling, the material's text, the minutes: the convener's coordinators.
    Run,
}

/// Opens a meeting for the acting agency. A meeting it neither convenes nor is invited to is
/// not found; running it needs the convener's coordinator. Refusals are audited on their own
/// connection.
pub async fn open(
    conn: &mut PgConnection,
    who: &Who<'_>,
    meeting_id: Uuid,
    need: MeetingNeed,
    action: &'static str,
) -> Result<MeetingScope, Refusal> {
    let Some(actor) = who.user.actor() else {
        return Err(who
            .refuse(action, None, Some(meeting_id), Refusal::NotFound)
            .await);
    };
    let row: Option<(Uuid, Uuid, bool)> = sqlx::query_as(
        "SELECT m.case_id, m.convener_agency_id,
                EXISTS (SELECT 1 FROM meeting_invitee i
                        WHERE i.meeting_id = m.id AND i.agency_id = $2)
         FROM meeting m WHERE m.id = $1",
    )
    .bind(meeting_id)
    .bind(actor.agency_id())
    .fetch_optional(&mut *conn)
    .await?;
    let role = match row {
        Some((_, convener, _)) if convener == actor.agency_id() => Some(MeetingRole::Convener),
        Some((_, _, true)) => Some(MeetingRole::Invitee),
        _ => None,
    };
    let (Some((case_id, convener_agency_id, _)), Some(role)) = (row, role) else {
        let case_id = row.map(|r| r.0);
        return Err(who
            .refuse(action, case_id, Some(meeting_id), Refusal::NotFound)
            .await);
    };
    let scope = MeetingScope {
        meeting_id,
        case_id,
        convener_agency_id,
        actor,
        role,
    };
    if need == MeetingNeed::Run && !scope.may_run() {
        return Err(who
            .refuse(action, Some(case_id), Some(meeting_id), Refusal::Forbidden)
            .await);
    }
    Ok(scope)
}

/// Opens a meeting for a page that shows it and records the view in the caller's connection.
pub async fn view(
    conn: &mut PgConnection,
    who: &Who<'_>,
    meeting_id: Uuid,
    action: &'static str,
) -> Result<MeetingScope, Refusal> {
    let scope = open(conn, who, meeting_id, MeetingNeed::Read, action).await?;
    who.viewed(conn, action, Some(scope.case_id), Some(meeting_id), &[])
        .await?;
    Ok(scope)
}

impl MeetingScope {
    pub async fn refuse(&self, who: &Who<'_>, action: &'static str) -> Refusal {
        who.refuse(
            action,
            Some(self.case_id),
            Some(self.meeting_id),
            Refusal::Forbidden,
        )
        .await
    }

    /// Records a successful change of the meeting in the caller's transaction.
    pub async fn record(
        &self,
        conn: &mut PgConnection,
        who: &Who<'_>,
        action: &'static str,
    ) -> sqlx::Result<()> {
        who.ok(conn, action, Some(self.case_id), Some(self.meeting_id))
            .await
    }
}
