//! Participants, cases and case teams. Every read takes the acting agency and finds nothing
//! for an agency that was never on the case's team: the SQL is the wall, not the handler.

use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

pub use crate::access::rules::TODAY;
pub use crate::access::Actor;
use crate::access::{rules, CaseScope, OnCase, Reader};

pub struct NewParticipant<'a> {
    pub family_name: &'a str,
    pub given_name: &'a str,
    pub family_kana: &'a str,
    pub given_kana: &'a str,
    pub birth_date: NaiveDate,
    pub disability_categories: &'a [String],
    pub municipality: &'a str,
    pub postal_code: &'a str,
    pub address: &'a str,
    pub phone: &'a str,
    pub email: &'a str,
    pub family_contacts: &'a str,
    pub notes: &'a str,
}

/// Creates the participant and opens their case; the acting agency leads it and joins the team.
pub async fn create(
    conn: &mut PgConnection,
    actor: Actor,
    p: &NewParticipant<'_>,
    role_text: &str,
) -> sqlx::Result<Uuid> {
    let participant_id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO participant (id, family_name, given_name, family_kana, given_kana, birth_date,
            disability_categories, municipality, postal_code, address, phone, email,
            family_contacts, notes, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(participant_id)
    .bind(p.family_name)
    .bind(p.given_name)
    .bind(p.family_kana)
    .bind(p.given_kana)
    .bind(p.birth_date)
    .bind(p.disability_categories)
    .bind(p.municipality)
    .bind(p.postal_code)
    .bind(p.address)
    .bind(p.phone)
    .bind(p.email)
    .bind(p.family_contacts)
    .bind(p.notes)
    .bind(actor.user_id())
    .execute(&mut *conn)
    .await?;
    let case_id = Uuid::now_v7();
    sqlx::query(&format!(
        "INSERT INTO case_file (id, participant_id, lead_agency_id, opened_on)
         VALUES ($1, $2, $3, {TODAY})"
    ))
    .bind(case_id)
    .bind(participant_id)
    .bind(actor.agency_id())
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "INSERT INTO case_agency (case_id, agency_id, role_text, joined_on)
         VALUES ($1, $2, $3, {TODAY})"
    ))
    .bind(case_id)
    .bind(actor.agency_id())
    .bind(role_text)
    .execute(conn)
    .await?;
    Ok(case_id)
}

/// The case page's header. Contact details and notes come back only to the lead agency and to
/// agencies with a live consent for `contact` (details) or `life` (notes) — decided in SQL.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseHeader {
    pub id: Uuid,
    pub phase: String,
    pub opened_on: NaiveDate,
    pub lead_agency_id: Uuid,
    pub lead_name: String,
    pub family_name: String,
    pub given_name: String,
    pub family_kana: String,
    pub given_kana: String,
    pub birth_date: NaiveDate,
    pub disability_categories: Vec<String>,
    pub municipality: String,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub family_contacts: Option<String>,
    pub notes: Option<String>,
    pub left_on: Option<NaiveDate>,
}

/// The header's columns over `case_file c`, `case_agency ca` (the reading agency on the case),
/// `participant p` and `agency la` (the lead), as `header_from` joins them; `agency` is the
/// reading agency (an SQL expression).
pub(crate) fn header_columns(agency: &str) -> String {
    let (contact, life) = (
        rules::lead_or_consented("c.id", agency, "'contact'"),
        rules::lead_or_consented("c.id", agency, "'life'"),
    );
    format!(
        "c.id, c.phase, c.opened_on, c.lead_agency_id, la.name AS lead_name,
         p.family_name, p.given_name, p.family_kana, p.given_kana, p.birth_date,
         p.disability_categories, p.municipality,
         CASE WHEN {contact} THEN p.postal_code END AS postal_code,
         CASE WHEN {contact} THEN p.address END AS address,
         CASE WHEN {contact} THEN p.phone END AS phone,
         CASE WHEN {contact} THEN p.email END AS email,
         CASE WHEN {contact} THEN p.family_contacts END AS family_contacts,
         CASE WHEN {life} THEN p.notes END AS notes,
         ca.left_on"
    )
}

/// The case `case` as the agency `agency` (SQL expressions) reads its header: no row for an
/// agency that was never on the team.
pub(crate) fn header_from(case: &str, agency: &str) -> String {
    format!(
        "FROM case_file c
         JOIN case_agency ca ON ca.case_id = c.id AND ca.agency_id = {agency}
         JOIN participant p ON p.id = c.participant_id
         JOIN agency la ON la.id = c.lead_agency_id
         WHERE c.id = {case}"
    )
}

/// The team of the header's case `c` as a JSON array of `TeamRow`s, current members first.
pub(crate) const TEAM_JSON: &str = "(SELECT coalesce(json_agg(json_build_object(
            'agency_id', t.agency_id, 'name', ta.name, 'kind', ta.kind,
            'role_text', t.role_text, 'joined_on', t.joined_on,
            'left_on', t.left_on, 'is_lead', c.lead_agency_id = t.agency_id)
          ORDER BY t.left_on IS NOT NULL, c.lead_agency_id <> t.agency_id,
                   t.joined_on, ta.name), '[]')
         FROM case_agency t JOIN agency ta ON ta.id = t.agency_id
         WHERE t.case_id = c.id)";

pub async fn header(conn: &mut PgConnection, reader: Reader) -> sqlx::Result<Option<CaseHeader>> {
    let (case_id, agency_id) = (reader.case_id(), reader.agency_id());
    sqlx::query_as(&format!(
        "SELECT {} {}",
        header_columns("$2"),
        header_from("$1", "$2")
    ))
    .bind(case_id)
    .bind(agency_id)
    .fetch_optional(conn)
    .await
}

#[derive(sqlx::FromRow)]
struct HeaderAndTeam {
    #[sqlx(flatten)]
    header: CaseHeader,
    team: sqlx::types::Json<Vec<TeamRow>>,
}

/// The header and the team (as `header` and `team` give them) in one statement, for the pages
/// that show both: the team is aggregated in SQL beside the header's row.
pub async fn header_and_team(
    conn: &mut PgConnection,
    scope: &CaseScope,
) -> sqlx::Result<Option<(CaseHeader, Vec<TeamRow>)>> {
    let row: Option<HeaderAndTeam> = sqlx::query_as(&format!(
        "SELECT {}, {TEAM_JSON} AS team {}",
        header_columns("$2"),
        header_from("$1", "$2")
    ))
    .bind(scope.case_id())
    .bind(scope.agency_id())
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.header, r.team.0)))
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct TeamRow {
    pub agency_id: Uuid,
    pub name: String,
    pub kind: String,
    pub role_text: String,
    pub joined_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub is_lead: bool,
}

/// The team, current members first, for an agency that is or was on it.
pub async fn team(conn: &mut PgConnection, scope: &CaseScope) -> sqlx::Result<Vec<TeamRow>> {
    let (case_id, agency_id) = (scope.case_id(), scope.agency_id());
    sqlx::query_as(
        "SELECT ca.agency_id, a.name, a.kind, ca.role_text, ca.joined_on, ca.left_on,
                c.lead_agency_id = ca.agency_id AS is_lead
         FROM case_agency ca
         JOIN agency a ON a.id = ca.agency_id
         JOIN case_file c ON c.id = ca.case_id
         WHERE ca.case_id = $1
           AND EXISTS (SELECT 1 FROM case_agency me WHERE me.case_id = $1 AND me.agency_id = $2)
         ORDER BY ca.left_on IS NOT NULL, c.lead_agency_id <> ca.agency_id, ca.joined_on, a.name",
    )
    .bind(case_id)
    .bind(agency_id)
    .fetch_all(conn)
    .await
}

/// Adds an agency to the team, or brings back one that had left. False when it is on the team.
pub async fn add_member(
    conn: &mut PgConnection,
    scope: &impl OnCase,
    agency_id: Uuid,
    role_text: &str,
) -> sqlx::Result<bool> {
    let case_id = scope.case_id();
    let added: Option<Uuid> = sqlx::query_scalar(&format!(
        "INSERT INTO case_agency AS ca (case_id, agency_id, role_text, joined_on)
         VALUES ($1, $2, $3, {TODAY})
         ON CONFLICT (case_id, agency_id) DO UPDATE
             SET left_on = NULL, role_text = EXCLUDED.role_text, joined_on = EXCLUDED.joined_on
             WHERE ca.left_on IS NOT NULL
         RETURNING agency_id"
    ))
    .bind(case_id)
    .bind(agency_id)
    .bind(role_text)
    .fetch_optional(conn)
    .await?;
    Ok(added.is_some())
}

pub async fn set_role_text(
    conn: &mut PgConnection,
    scope: &CaseScope,
    agency_id: Uuid,
    role_text: &str,
) -> sqlx::Result<bool> {
    let case_id = scope.case_id();
    Ok(sqlx::query(
        "UPDATE case_agency SET role_text = $3
         WHERE case_id = $1 AND agency_id = $2 AND left_on IS NULL",
    )
    .bind(case_id)
    .bind(agency_id)
    .bind(role_text)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// The agency leaves the team today (never the lead: hand the lead over first).
pub async fn remove_member(
    conn: &mut PgConnection,
    scope: &CaseScope,
    agency_id: Uuid,
) -> sqlx::Result<bool> {
    let case_id = scope.case_id();
    Ok(sqlx::query(&format!(
        "UPDATE case_agency SET left_on = {TODAY}
         WHERE case_id = $1 AND agency_id = $2 AND left_on IS NULL
           AND agency_id <> (SELECT lead_agency_id FROM case_file WHERE id = $1)"
    ))
    .bind(case_id)
    .bind(agency_id)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Hands the lead to another agency on the team.
pub async fn set_lead(
    conn: &mut PgConnection,
    scope: &CaseScope,
    agency_id: Uuid,
) -> sqlx::Result<bool> {
    let case_id = scope.case_id();
    Ok(sqlx::query(
        "UPDATE case_file SET lead_agency_id = $2
         WHERE id = $1 AND lead_agency_id <> $2
           AND EXISTS (SELECT 1 FROM case_agency
                       WHERE case_id = $1 AND agency_id = $2 AND left_on IS NULL)",
    )
    .bind(case_id)
    .bind(agency_id)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct CaseListRow {
    pub id: Uuid,
    pub family_name: String,
    pub given_name: String,
    pub sort_kana: String,
    pub phase: String,
    pub lead_name: String,
    pub municipality: String,
    pub left_on: Option<NaiveDate>,
    /// The person's phone number, only for the lead agency and an agency with a live consent
    /// for `contact` (as on the case page); the exports show it.
    pub phone: Option<String>,
}

/// Where a page of a list ends: the next page starts after this kana and id.
#[derive(Debug, Clone)]
pub struct KanaCursor {
    pub sort_kana: String,
    pub id: Uuid,
}

/// The case rows a list shows, for the team rows that `picked` chooses: it selects
/// `ca.case_id, ca.sort_kana, ca.left_on` from `case_agency ca` in kana order and limits them,
/// walking `case_agency_kana_idx`, so that only the rows shown are joined (migration 0009).
/// `$1` is the agency the list is for.
fn list_rows(picked: &str) -> String {
    format!(
        "SELECT c.id, p.family_name, p.given_name, l.sort_kana, c.phase,
                la.name AS lead_name, p.municipality, l.left_on,
                CASE WHEN {contact} THEN p.phone END AS phone
         FROM ({picked}) l
         JOIN case_file c ON c.id = l.case_id
         JOIN participant p ON p.id = c.participant_id
         JOIN agency la ON la.id = c.lead_agency_id
         ORDER BY l.sort_kana COLLATE \"ja-x-icu\", l.case_id",
        contact = rules::lead_or_consented("c.id", "$1", "'contact'")
    )
}

/// Every case the agency is or was on, by kana (ja-x-icu), keyset-paginated; `search` matches
/// the name or the kana (already normalised by the caller, spaces removed).
pub async fn list(
    conn: &mut PgConnection,
    actor: Actor,
    name_search: &str,
    kana_search: &str,
    after: Option<&KanaCursor>,
    limit: i64,
) -> sqlx::Result<Vec<CaseListRow>> {
    let agency_id = actor.agency_id();
    sqlx::query_as(&list_rows(
        "SELECT ca.case_id, ca.sort_kana, ca.left_on
         FROM case_agency ca
         WHERE ca.agency_id = $1
           AND ($2 = '' OR EXISTS (
                  SELECT 1 FROM case_file c JOIN participant p ON p.id = c.participant_id
                  WHERE c.id = ca.case_id
                    AND replace(p.family_name || p.given_name, ' ', '') LIKE '%' || $2 || '%')
                OR ($3 <> '' AND replace(ca.sort_kana, ' ', '') LIKE '%' || $3 || '%'))
           AND ($4::text IS NULL
                OR (ca.sort_kana COLLATE \"ja-x-icu\", ca.case_id)
                   > ($4::text COLLATE \"ja-x-icu\", $5::uuid))
         ORDER BY ca.sort_kana COLLATE \"ja-x-icu\", ca.case_id
         LIMIT $6",
    ))
    .bind(agency_id)
    .bind(name_search)
    .bind(kana_search)
    .bind(after.map(|a| a.sort_kana.as_str()))
    .bind(after.map(|a| a.id))
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// The agency's current cases in the given phases (a dashboard panel), by kana.
pub async fn in_phases(
    conn: &mut PgConnection,
    actor: Actor,
    phases: &[&str],
    limit: i64,
) -> sqlx::Result<Vec<CaseListRow>> {
    let agency_id = actor.agency_id();
    sqlx::query_as(&in_phases_sql("$2", "$3"))
        .bind(agency_id)
        .bind(phases)
        .bind(limit)
        .fetch_all(conn)
        .await
}

/// The SQL of `in_phases` (`$1` the agency, `phases` and `limit` SQL expressions; also part
/// of the dashboard's statement).
pub(crate) fn in_phases_sql(phases: &str, limit: &str) -> String {
    list_rows(&format!(
        "SELECT ca.case_id, ca.sort_kana, ca.left_on
         FROM case_agency ca
         WHERE ca.agency_id = $1 AND ca.left_on IS NULL AND ca.phase = ANY ({phases})
         ORDER BY ca.sort_kana COLLATE \"ja-x-icu\", ca.case_id
         LIMIT {limit}"
    ))
}

/// The SQL of `led_by` (`$1` the agency, `limit` an SQL expression; also part of the
/// dashboard's statement).
pub(crate) fn led_by_sql(limit: &str) -> String {
    list_rows(&format!(
        "SELECT ca.case_id, ca.sort_kana, ca.left_on
         FROM case_agency ca
         WHERE ca.agency_id = $1 AND ca.left_on IS NULL AND ca.is_lead AND ca.phase <> 'closed'
         ORDER BY ca.sort_kana COLLATE \"ja-x-icu\", ca.case_id
         LIMIT {limit}"
    ))
}

/// The open cases the agency leads (a coordinator's dashboard panel).
pub async fn led_by(
    conn: &mut PgConnection,
    actor: Actor,
    limit: i64,
) -> sqlx::Result<Vec<CaseListRow>> {
    let agency_id = actor.agency_id();
    sqlx::query_as(&led_by_sql("$2"))
        .bind(agency_id)
        .bind(limit)
        .fetch_all(conn)
        .await
}
