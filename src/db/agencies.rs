//! Agencies (SPEC §1).

use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgencyRow {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub municipality: String,
    pub address: String,
    pub phone: String,
    pub active: bool,
    pub members: i64,
}

pub struct NewAgency<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub municipality: &'a str,
    pub address: &'a str,
    pub phone: &'a str,
}

/// Fails with a unique violation on `agency_name_address_key` for a duplicate.
pub async fn create(conn: &mut PgConnection, a: &NewAgency<'_>) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO agency (id, name, kind, municipality, address, phone)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(a.name)
    .bind(a.kind)
    .bind(a.municipality)
    .bind(a.address)
    .bind(a.phone)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Every agency, by kind then name (a region has tens to a few hundred).
pub async fn list(conn: &mut PgConnection, limit: i64) -> sqlx::Result<Vec<AgencyRow>> {
    sqlx::query_as(
        "SELECT a.id, a.name, a.kind, a.municipality, a.address, a.phone, a.active,
                (SELECT count(*) FROM membership m WHERE m.agency_id = a.id) AS members
         FROM agency a
         ORDER BY a.kind, a.name
         LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn get(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<AgencyRow>> {
    sqlx::query_as(
        "SELECT a.id, a.name, a.kind, a.municipality, a.address, a.phone, a.active,
                (SELECT count(*) FROM membership m WHERE m.agency_id = a.id) AS members
         FROM agency a WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

impl AgencyRow {
    pub fn kind_key(&self) -> String {
        format!("kind-{}", self.kind)
    }
}
