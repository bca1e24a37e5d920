//! `HealthScope`: the person's daily reports (health information) on one case, opened by the
//! lead agency or an agency with a live `health` consent, while on the team. For anyone else
//! they do not exist: no form, no count, no "already recorded" answer.

use super::{rules, CaseScope, Refusal, Who};
use sqlx::PgConnection;

#[derive(Debug, Clone)]
pub struct HealthScope {
    case: CaseScope,
}

impl HealthScope {
    pub fn case(&self) -> &CaseScope {
        &self.case
    }
}

/// A case whose daily reports may be written through this scope: the person's own account or a
/// `HealthScope`.
pub trait DailyCase {
    fn daily_case_id(&self) -> uuid::Uuid;
}

impl DailyCase for HealthScope {
    fn daily_case_id(&self) -> uuid::Uuid {
        self.case.case_id()
    }
}

impl DailyCase for super::OwnCase {
    fn daily_case_id(&self) -> uuid::Uuid {
        self.case_id()
    }
}

/// The health rule for the scope's agency, read in SQL (`rules::daily_visible`).
async fn allowed(conn: &mut PgConnection, case: &CaseScope) -> sqlx::Result<bool> {
    sqlx::query_scalar(&format!(
        "SELECT {} FROM (SELECT $2::uuid AS id) c",
        rules::daily_visible("c.id")
    ))
    .bind(case.agency_id())
    .bind(case.case_id())
    .fetch_one(conn)
    .await
}

/// Opens the daily reports of a case already opened; refused as not found (audited on its own
/// connection) when the rule does not let the agency see them.
pub async fn open(
    conn: &mut PgConnection,
    who: &Who<'_>,
    case: CaseScope,
    action: &'static str,
) -> Result<HealthScope, Refusal> {
    if allowed(conn, &case).await? {
        Ok(HealthScope { case })
    } else {
        Err(who
            .refuse(action, Some(case.case_id()), None, Refusal::NotFound)
            .await)
    }
}
