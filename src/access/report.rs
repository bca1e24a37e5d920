//! `ReportScope`: a monthly support report opened through its case. The retention office that
//! writes it reads every version and changes the draft while on the team; the employer it was
//! written for reads the issued version under `rules::report_visible` and acknowledges it; to
//! anyone else it does not exist.

use super::{CaseScope, Reader, Refusal, Who};
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct ReportScope {
    case: CaseScope,
    report_id: Uuid,
    owner_agency_id: Uuid,
    employer_agency_id: Uuid,
}

impl ReportScope {
    pub fn case(&self) -> &CaseScope {
        &self.case
    }
    pub fn report_id(&self) -> Uuid {
        self.report_id
    }
    pub fn case_id(&self) -> Uuid {
        self.case.case_id()
    }
    /// The reader is the retention office that writes the report.
    pub fn is_own(&self) -> bool {
        self.owner_agency_id == self.case.agency_id()
    }
    /// The reader is the employer the report was written for.
    pub fn is_employer(&self) -> bool {
        self.employer_agency_id == self.case.agency_id()
    }
    /// The reader may change the draft and issue it: its own office, on the team now.
    pub fn may_edit(&self) -> bool {
        self.is_own() && self.case.access().can_write()
    }
    /// The reader may acknowledge it: the employer, on the team now.
    pub fn may_acknowledge(&self) -> bool {
        self.is_employer() && self.case.access().can_write()
    }
    /// The employer as a reader of the case: what the draft is prefilled from is computed for
    /// it, under the same entry rule as its timeline. Only the writing office gets it.
    pub fn employer_reader(&self) -> Option<Reader> {
        self.may_edit()
            .then(|| Reader::new(self.case.case_id(), self.employer_agency_id))
    }
}

impl super::OnCase for ReportScope {
    fn case_id(&self) -> Uuid {
        self.case.case_id()
    }
    fn actor(&self) -> super::Actor {
        self.case.actor()
    }
}

/// The employer of the case as a reader, for drafting a report before it exists: only for an
/// agency that may write to the case, and only for an employer agency on its team.
pub async fn employer_reader(
    conn: &mut PgConnection,
    case: &CaseScope,
) -> sqlx::Result<Option<Reader>> {
    if !case.access().can_write() {
        return Ok(None);
    }
    let employer: Option<Uuid> = sqlx::query_scalar(
        "SELECT ca.agency_id FROM case_agency ca JOIN agency a ON a.id = ca.agency_id
          WHERE ca.case_id = $1 AND ca.left_on IS NULL AND a.kind = 'employer'
          ORDER BY ca.joined_on, ca.agency_id LIMIT 1",
    )
    .bind(case.case_id())
    .fetch_optional(conn)
    .await?;
    Ok(employer.map(|e| Reader::new(case.case_id(), e)))
}

/// Opens report `report_id` of the opened case for reading. A report of another case, or one
/// the agency may not read, is not found (and the refusal audited).
pub async fn open(
    conn: &mut PgConnection,
    who: &Who<'_>,
    case: CaseScope,
    report_id: Uuid,
    action: &'static str,
) -> Result<ReportScope, Refusal> {
    let found: Option<(Uuid, Uuid)> = sqlx::query_as(&format!(
        "SELECT r.agency_id, r.employer_agency_id FROM support_report r
         WHERE r.id = $2 AND r.case_id = $3 AND {}",
        super::rules::report_visible("$1")
    ))
    .bind(case.agency_id())
    .bind(report_id)
    .bind(case.case_id())
    .fetch_optional(conn)
    .await?;
    let Some((owner_agency_id, employer_agency_id)) = found else {
        return Err(who
            .refuse(
                action,
                Some(case.case_id()),
                Some(report_id),
                Refusal::NotFound,
            )
            .await);
    };
    Ok(ReportScope {
        case,
        report_id,
        owner_agency_id,
        employer_agency_id,
    })
}
