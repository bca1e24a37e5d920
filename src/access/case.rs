//! `CaseScope`: a case opened by an actor, what they may do on it and what it is to them.
//! Built only by `open` here, so every `db` function that takes one has passed the door.

use super::policy::{self, CaseAccess, CaseFacts};
use super::{Actor, Refusal, Who};
use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

/// What the caller is about to do on the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Read it (an agency that left reads what it could see until it left).
    Read,
    /// Change it: an agency on the team now.
    Write,
    /// Team, consent and phases: a coordinator of the lead agency.
    Manage,
}

#[derive(Debug, Clone)]
pub struct CaseScope {
    case_id: Uuid,
    actor: Actor,
    access: CaseAccess,
    facts: CaseFacts,
}

impl CaseScope {
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
    pub fn access(&self) -> CaseAccess {
        self.access
    }
    pub fn facts(&self) -> &CaseFacts {
        &self.facts
    }
    pub fn lead_agency_id(&self) -> Uuid {
        self.facts.lead_agency_id
    }
    pub fn is_lead_agency(&self) -> bool {
        self.facts.left_on.is_none() && self.facts.lead_agency_id == self.agency_id()
    }
    pub fn left_on(&self) -> Option<NaiveDate> {
        self.facts.left_on
    }
    pub fn reader(&self) -> super::Reader {
        super::Reader::new(self.case_id, self.agency_id())
    }
}

impl super::OnCase for CaseScope {
    fn case_id(&self) -> Uuid {
        self.case_id
    }
    fn actor(&self) -> Actor {
        self.actor
    }
}

/// The facts the door decides on, as seen from the agency: the lead, and when the agency left
/// (None when it was never on the team).
async fn facts(
    conn: &mut PgConnection,
    case_id: Uuid,
    agency_id: Uuid,
) -> sqlx::Result<Option<CaseFacts>> {
    let row: Option<(Uuid, Option<NaiveDate>)> = sqlx::query_as(
        "SELECT c.lead_agency_id, ca.left_on
         FROM case_file c
         JOIN case_agency ca ON ca.case_id = c.id AND ca.agency_id = $2
         WHERE c.id = $1",
    )
    .bind(case_id)
    .bind(agency_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(lead_agency_id, left_on)| CaseFacts {
        lead_agency_id,
        left_on,
    }))
}

/// Opens the case for `need`. A case the agency was never on is not found (its existence is not
/// revealed); a change it may not make is forbidden. Refusals are audited on their own
/// connection; a view (`Need::Read` or a form shown before a change) is audited by `view`.
pub async fn open(
    conn: &mut PgConnection,
    who: &Who<'_>,
    case_id: Uuid,
    need: Need,
    action: &'static str,
) -> Result<CaseScope, Refusal> {
    let actor = who.user.actor();
    let found = match actor {
        // read with the session, for this case and this agency, in the same request
        Some(actor) => match who
            .user
            .case_facts
            .as_ref()
            .filter(|r| r.case_id == case_id && r.agency_id == actor.agency_id())
        {
            Some(read) => read.facts.clone(),
            None => facts(conn, case_id, actor.agency_id()).await?,
        },
        None => None,
    };
    let access = policy::case_access(who.user, found.as_ref());
    let (Some(actor), Some(facts)) = (actor, found) else {
        return Err(who
            .refuse(action, Some(case_id), None, Refusal::NotFound)
            .await);
    };
    let allowed = match need {
        Need::Read => access.can_read(),
        Need::Write => access.can_write(),
        Need::Manage => access.can_manage(),
    };
    if !access.can_read() {
        return Err(who
            .refuse(action, Some(case_id), None, Refusal::NotFound)
            .await);
    }
    if !allowed {
        return Err(who
            .refuse(action, Some(case_id), None, Refusal::Forbidden)
            .await);
    }
    Ok(CaseScope {
        case_id,
        actor,
        access,
        facts,
    })
}

/// Opens the case for a page that shows it (a read, or the form of a change) and records the
/// view in the caller's connection (`Who::viewed`: asynchronously committed outside a
/// transaction, with the transaction inside one).
pub async fn view(
    conn: &mut PgConnection,
    who: &Who<'_>,
    case_id: Uuid,
    need: Need,
    action: &'static str,
    target: Option<Uuid>,
) -> Result<CaseScope, Refusal> {
    let scope = open(conn, who, case_id, need, action).await?;
    who.viewed(conn, action, Some(case_id), target, &[]).await?;
    Ok(scope)
}

impl CaseScope {
    /// Refuses (403, audited on its own connection) something the user may see but not do.
    pub async fn refuse(&self, who: &Who<'_>, action: &'static str) -> Refusal {
        who.refuse(action, Some(self.case_id), None, Refusal::Forbidden)
            .await
    }

    /// Records a successful change of the case in the caller's connection (its transaction).
    pub async fn record(
        &self,
        conn: &mut PgConnection,
        who: &Who<'_>,
        action: &'static str,
        target: Option<Uuid>,
    ) -> sqlx::Result<()> {
        who.ok(conn, action, Some(self.case_id), target).await
    }
}
