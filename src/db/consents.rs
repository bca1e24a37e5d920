//! Consent records (SPEC §3). Revoking keeps the row; revoked and expired consents simply stop
//! counting in the visibility rule.

use super::cases::TODAY;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// A consent to record; its case and who records it (as which agency) are the scope's.
pub struct NewConsent<'a> {
    pub agency_id: Uuid,
    pub categories: &'a [String],
    pub given_by: &'a str,
    pub method: &'a str,
    pub given_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub evidence: &'a str,
}

/// Records a consent on the scope's case (the lead agency's coordinators: `Need::Manage`).
pub async fn record(
    conn: &mut PgConnection,
    scope: &crate::access::CaseScope,
    c: &NewConsent<'_>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO consent (id, case_id, agency_id, categories, given_by, method, given_on,
                              valid_until, evidence, recorded_by, recorded_as)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(scope.case_id())
    .bind(c.agency_id)
    .bind(c.categories)
    .bind(c.given_by)
    .bind(c.method)
    .bind(c.given_on)
    .bind(c.valid_until)
    .bind(c.evidence)
    .bind(scope.user_id())
    .bind(scope.agency_id())
    .execute(conn)
    .await?;
    Ok(id)
}

/// False when there is no such live record on this case (already revoked, or another case's).
pub async fn revoke(
    conn: &mut PgConnection,
    scope: &crate::access::CaseScope,
    consent_id: Uuid,
    reason: &str,
) -> sqlx::Result<bool> {
    let (case_id, user_id) = (scope.case_id(), scope.user_id());
    Ok(sqlx::query(
        "UPDATE consent SET revoked_at = now(), revoked_by = $3, revoke_reason = $4
         WHERE id = $1 AND case_id = $2 AND revoked_at IS NULL",
    )
    .bind(consent_id)
    .bind(case_id)
    .bind(user_id)
    .bind(reason)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConsentRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub agency_name: String,
    pub categories: Vec<String>,
    pub given_by: String,
    pub method: String,
    pub given_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub evidence: String,
    pub recorded_by_name: String,
    pub recorded_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by_name: Option<String>,
    pub revoke_reason: String,
    /// Given, not revoked, not expired: it counts today.
    pub live: bool,
}

/// The case's consents, newest first, for an agency that is or was on the team.
pub async fn for_case(
    conn: &mut PgConnection,
    scope: &crate::access::CaseScope,
) -> sqlx::Result<Vec<ConsentRow>> {
    let (case_id, agency_id) = (scope.case_id(), scope.agency_id());
    sqlx::query_as(&format!(
        "SELECT k.id, k.agency_id, a.name AS agency_name, k.categories, k.given_by, k.method,
                k.given_on, k.valid_until, k.evidence, r.display_name AS recorded_by_name,
                k.recorded_at, k.revoked_at, v.display_name AS revoked_by_name, k.revoke_reason,
                (k.revoked_at IS NULL AND k.given_on <= {TODAY}
                 AND (k.valid_until IS NULL OR k.valid_until >= {TODAY})) AS live
         FROM consent k
         JOIN agency a ON a.id = k.agency_id
         JOIN app_user r ON r.id = k.recorded_by
         LEFT JOIN app_user v ON v.id = k.revoked_by
         WHERE k.case_id = $1
           AND EXISTS (SELECT 1 FROM case_agency me WHERE me.case_id = $1 AND me.agency_id = $2)
         ORDER BY k.recorded_at DESC, k.id DESC"
    ))
    .bind(case_id)
    .bind(agency_id)
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct ExpiringRow {
    pub case_id: Uuid,
    pub family_name: String,
    pub given_name: String,
    pub agency_name: String,
    pub valid_until: NaiveDate,
}

/// Live consents on the cases the agency leads that end within `days` days.
pub async fn expiring_for_lead(
    conn: &mut PgConnection,
    actor: crate::access::Actor,
    days: i32,
    limit: i64,
) -> sqlx::Result<Vec<ExpiringRow>> {
    let lead_agency_id = actor.agency_id();
    sqlx::query_as(&expiring_sql("$2", "$3"))
        .bind(lead_agency_id)
        .bind(days)
        .bind(limit)
        .fetch_all(conn)
        .await
}

/// The SQL of `expiring_for_lead` (`$1` the lead agency, `days` and `limit` SQL expressions;
/// also part of the dashboard's statement).
pub(crate) fn expiring_sql(days: &str, limit: &str) -> String {
    format!(
        "SELECT c.id AS case_id, p.family_name, p.given_name, a.name AS agency_name, k.valid_until
         FROM case_file c
         JOIN consent k ON k.case_id = c.id
         JOIN participant p ON p.id = c.participant_id
         JOIN agency a ON a.id = k.agency_id
         WHERE c.lead_agency_id = $1 AND c.phase <> 'closed'
           AND k.revoked_at IS NULL
           AND k.valid_until BETWEEN {TODAY} AND {TODAY} + {days}
         ORDER BY k.valid_until, p.sort_kana COLLATE \"ja-x-icu\"
         LIMIT {limit}"
    )
}

/// Who may record consent on the case: the lead agency's coordinators (active users), by name,
/// with whether the acting user is one of them. Shown where a missing consent stops a step, so
/// that those who cannot record it know whom to ask.
pub async fn recorders(
    conn: &mut PgConnection,
    scope: &impl crate::access::OnCase,
) -> sqlx::Result<(bool, Vec<String>)> {
    let rows: Vec<(Uuid, Uuid, String)> = sqlx::query_as(
        "SELECT c.lead_agency_id, u.id, u.display_name
         FROM case_file c
         JOIN membership m ON m.agency_id = c.lead_agency_id AND m.role = 'coordinator'
         JOIN app_user u ON u.id = m.user_id AND u.active
         WHERE c.id = $1
         ORDER BY u.display_name COLLATE \"ja-x-icu\", u.id",
    )
    .bind(scope.case_id())
    .fetch_all(conn)
    .await?;
    let me = scope.actor();
    let may = rows
        .iter()
        .any(|(lead, id, _)| *lead == me.agency_id() && *id == me.user_id());
    Ok((may, rows.into_iter().map(|(_, _, n)| n).collect()))
}
