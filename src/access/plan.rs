//! `PlanScope`: a support plan opened through its case. The plan's own agency reads all of it
//! and changes it while on the team; an agency it was delivered to under consent reads the
//! delivered version only (`rules::plan_visible`); to anyone else it does not exist.

use super::{CaseScope, Refusal, Who};
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct PlanScope {
    case: CaseScope,
    plan_id: Uuid,
    owner_agency_id: Uuid,
}

impl PlanScope {
    pub fn case(&self) -> &CaseScope {
        &self.case
    }
    pub fn plan_id(&self) -> Uuid {
        self.plan_id
    }
    pub fn case_id(&self) -> Uuid {
        self.case.case_id()
    }
    /// The reader is the plan's own agency (it sees every version and record of the cycle).
    pub fn is_own(&self) -> bool {
        self.owner_agency_id == self.case.agency_id()
    }
    /// The reader may record the steps of the cycle: its own agency, on the team now.
    pub fn may_edit(&self) -> bool {
        self.is_own() && self.case.access().can_write()
    }
    pub fn reader_agency_id(&self) -> Uuid {
        self.case.agency_id()
    }
}

impl super::OnCase for PlanScope {
    fn case_id(&self) -> Uuid {
        self.case.case_id()
    }
    fn actor(&self) -> super::Actor {
        self.case.actor()
    }
}

/// Opens plan `plan_id` of the opened case for reading. A plan of another case, or one the
/// agency may not read, is not found (and the refusal audited).
pub async fn open(
    conn: &mut PgConnection,
    who: &Who<'_>,
    case: CaseScope,
    plan_id: Uuid,
    action: &'static str,
) -> Result<PlanScope, Refusal> {
    let owner: Option<Uuid> = sqlx::query_scalar(&format!(
        "SELECT p.agency_id FROM support_plan p
         WHERE p.id = $2 AND p.case_id = $3 AND {}",
        super::rules::plan_visible("$1")
    ))
    .bind(case.agency_id())
    .bind(plan_id)
    .bind(case.case_id())
    .fetch_optional(conn)
    .await?;
    let Some(owner_agency_id) = owner else {
        return Err(who
            .refuse(
                action,
                Some(case.case_id()),
                Some(plan_id),
                Refusal::NotFound,
            )
            .await);
    };
    Ok(PlanScope {
        case,
        plan_id,
        owner_agency_id,
    })
}

/// Opens the plan for recording a step: the plan's own agency on the team. An agency that may
/// read the plan but not change it is refused (403).
pub async fn edit(
    conn: &mut PgConnection,
    who: &Who<'_>,
    case: CaseScope,
    plan_id: Uuid,
    action: &'static str,
) -> Result<PlanScope, Refusal> {
    let scope = open(conn, who, case, plan_id, action).await?;
    if !scope.may_edit() {
        return Err(who
            .refuse(
                action,
                Some(scope.case_id()),
                Some(plan_id),
                Refusal::Forbidden,
            )
            .await);
    }
    Ok(scope)
}
