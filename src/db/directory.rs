//! The agency directory (SPEC §9): profiles, programs, staff cards, photos and events. Public to
//! every signed-in user; the rights to change it are decided in `policy` before these run.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// A region has tens to a few hundred agencies; the directory shows at most this many at once
/// (filters narrow it).
pub const DIRECTORY_LIMIT: i64 = 200;

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub q: String,
    pub kind: String,
    pub area: String,
    pub disability: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Card {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub municipality: String,
    pub tagline: String,
    pub area_served: Vec<String>,
    pub disability_types: Vec<String>,
    pub next_event_title: Option<String>,
    pub next_event_at: Option<DateTime<Utc>>,
}

/// `%`, `_` and `\` typed by the user match themselves.
fn like_pattern(q: &str) -> String {
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Active agencies matching every given filter, by kind then name. One query; the next open
/// event comes from a lateral lookup on `agency_event_agency_idx`.
pub async fn search(conn: &mut PgConnection, f: &Filter) -> sqlx::Result<Vec<Card>> {
    sqlx::query_as(
        r#"SELECT a.id, a.name, a.kind, a.municipality,
                  coalesce(p.tagline, '') AS tagline,
                  coalesce(p.area_served, '{}') AS area_served,
                  coalesce(p.disability_types, '{}') AS disability_types,
                  e.title AS next_event_title, e.starts_at AS next_event_at
           FROM agency a
           LEFT JOIN agency_profile p ON p.agency_id = a.id
           LEFT JOIN LATERAL (
               SELECT title, starts_at FROM agency_event ev
               WHERE ev.agency_id = a.id AND ev.starts_at >= now()
               ORDER BY ev.starts_at LIMIT 1) e ON true
           WHERE a.active
             AND ($1 = '' OR a.kind = $1)
             AND ($2 = '' OR a.municipality = $2 OR $2 = ANY (p.area_served))
             AND ($3 = '' OR $3 = ANY (p.disability_types))
             AND ($4 = '' OR a.name ILIKE $5 OR p.tagline ILIKE $5 OR p.features ILIKE $5
                  OR p.higher_brain_support ILIKE $5 OR p.other_support ILIKE $5
                  OR EXISTS (SELECT 1 FROM agency_program g
                             WHERE g.agency_id = a.id AND (g.name ILIKE $5 OR g.description ILIKE $5)))
           ORDER BY a.kind, a.name COLLATE "ja-x-icu"
           LIMIT $6"#,
    )
    .bind(&f.kind)
    .bind(&f.area)
    .bind(&f.disability)
    .bind(&f.q)
    .bind(like_pattern(&f.q))
    .bind(DIRECTORY_LIMIT)
    .fetch_all(conn)
    .await
}

/// Every municipality an active agency is in or serves, for the area filter.
pub async fn areas(conn: &mut PgConnection) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        r#"SELECT m FROM (
               SELECT a.municipality AS m FROM agency a WHERE a.active AND a.municipality <> ''
               UNION
               SELECT unnest(p.area_served) FROM agency_profile p JOIN agency a ON a.id = p.agency_id
               WHERE a.active) s
           ORDER BY m COLLATE "ja-x-icu""#,
    )
    .fetch_all(conn)
    .await
}

/// The whole profile: the agency row and its profile (empty fields if none was written yet).
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Profile {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub municipality: String,
    pub address: String,
    pub phone: String,
    pub active: bool,
    pub tagline: String,
    pub features: String,
    pub area_served: Vec<String>,
    pub hours: String,
    pub email: String,
    pub website: String,
    pub age_bands: Vec<String>,
    pub disability_types: Vec<String>,
    pub users_summary: String,
    pub eligibility: String,
    pub languages: Vec<String>,
    pub higher_brain_support: String,
    pub other_support: String,
    pub limitations: String,
    pub case_examples: String,
    pub updated_at: Option<DateTime<Utc>>,
}

pub async fn profile(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Profile>> {
    sqlx::query_as(
        r#"SELECT a.id, a.name, a.kind, a.municipality, a.address, a.phone, a.active,
                  coalesce(p.tagline, '') AS tagline, coalesce(p.features, '') AS features,
                  coalesce(p.area_served, '{}') AS area_served, coalesce(p.hours, '') AS hours,
                  coalesce(p.email, '') AS email, coalesce(p.website, '') AS website,
                  coalesce(p.age_bands, '{}') AS age_bands,
                  coalesce(p.disability_types, '{}') AS disability_types,
                  coalesce(p.users_summary, '') AS users_summary,
                  coalesce(p.eligibility, '') AS eligibility,
                  coalesce(p.languages, '{}') AS languages,
                  coalesce(p.higher_brain_support, '') AS higher_brain_support,
                  coalesce(p.other_support, '') AS other_support,
                  coalesce(p.limitations, '') AS limitations,
                  coalesce(p.case_examples, '') AS case_examples,
                  p.updated_at
           FROM agency a LEFT JOIN agency_profile p ON p.agency_id = a.id
           WHERE a.id = $1"#,
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Writes the agency's own row and its profile. Fails with a unique violation on
/// `agency_name_address_key` when another agency has the same name and address.
pub async fn save_profile(conn: &mut PgConnection, p: &Profile, by: Uuid) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE agency SET name = $2, municipality = $3, address = $4, phone = $5 WHERE id = $1",
    )
    .bind(p.id)
    .bind(&p.name)
    .bind(&p.municipality)
    .bind(&p.address)
    .bind(&p.phone)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO agency_profile (agency_id, tagline, features, area_served, hours, email,
             website, age_bands, disability_types, users_summary, eligibility, languages,
             higher_brain_support, other_support, limitations, case_examples, updated_at,
             updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, now(), $17)
         ON CONFLICT (agency_id) DO UPDATE SET
             tagline = EXCLUDED.tagline, features = EXCLUDED.features,
             area_served = EXCLUDED.area_served, hours = EXCLUDED.hours,
             email = EXCLUDED.email, website = EXCLUDED.website,
             age_bands = EXCLUDED.age_bands, disability_types = EXCLUDED.disability_types,
             users_summary = EXCLUDED.users_summary, eligibility = EXCLUDED.eligibility,
             languages = EXCLUDED.languages,
             higher_brain_support = EXCLUDED.higher_brain_support,
             other_support = EXCLUDED.other_support, limitations = EXCLUDED.limitations,
             case_examples = EXCLUDED.case_examples, updated_at = now(),
             updated_by = EXCLUDED.updated_by",
    )
    .bind(p.id)
    .bind(&p.tagline)
    .bind(&p.features)
    .bind(&p.area_served)
    .bind(&p.hours)
    .bind(&p.email)
    .bind(&p.website)
    .bind(&p.age_bands)
    .bind(&p.disability_types)
    .bind(&p.users_summary)
    .bind(&p.eligibility)
    .bind(&p.languages)
    .bind(&p.higher_brain_support)
    .bind(&p.other_support)
    .bind(&p.limitations)
    .bind(&p.case_examples)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

// ---- programs (HSDS service)

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Program {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub name: String,
    pub description: String,
    pub schedule: String,
}

/// An agency lists a handful of programs, staff cards and events; each list is bounded anyway.
const ITEMS_LIMIT: i64 = 50;

pub async fn programs(conn: &mut PgConnection, agency: Uuid) -> sqlx::Result<Vec<Program>> {
    sqlx::query_as(
        "SELECT id, agency_id, name, description, schedule FROM agency_program
         WHERE agency_id = $1 ORDER BY created_at, id LIMIT $2",
    )
    .bind(agency)
    .bind(ITEMS_LIMIT)
    .fetch_all(conn)
    .await
}

pub async fn program(
    conn: &mut PgConnection,
    agency: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Program>> {
    sqlx::query_as(
        "SELECT id, agency_id, name, description, schedule FROM agency_program
         WHERE agency_id = $1 AND id = $2",
    )
    .bind(agency)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Inserts (id not yet stored) or updates the program.
pub async fn save_program(conn: &mut PgConnection, p: &Program) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO agency_program (id, agency_id, name, description, schedule)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name,
             description = EXCLUDED.description, schedule = EXCLUDED.schedule
         WHERE agency_program.agency_id = EXCLUDED.agency_id",
    )
    .bind(p.id)
    .bind(p.agency_id)
    .bind(&p.name)
    .bind(&p.description)
    .bind(&p.schedule)
    .execute(conn)
    .await?;
    Ok(())
}

// ---- staff cards and photos

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Staff {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub user_id: Option<Uuid>,
    pub name: String,
    pub job_title: String,
    pub qualifications: String,
    pub introduction: String,
    /// The photo's SHA-256 (hex), if it has one: part of its URL, so a new photo is a new URL.
    pub photo_sha256: Option<String>,
}

const STAFF_COLUMNS: &str = "s.id, s.agency_id, s.user_id, s.name, s.job_title, \
     s.qualifications, s.introduction, ph.sha256 AS photo_sha256 \
     FROM agency_staff s LEFT JOIN agency_staff_photo ph ON ph.staff_id = s.id";

pub async fn staff_list(conn: &mut PgConnection, agency: Uuid) -> sqlx::Result<Vec<Staff>> {
    sqlx::query_as(&format!(
        "SELECT {STAFF_COLUMNS} WHERE s.agency_id = $1 ORDER BY s.created_at, s.id LIMIT $2"
    ))
    .bind(agency)
    .bind(ITEMS_LIMIT)
    .fetch_all(conn)
    .await
}

pub async fn staff(conn: &mut PgConnection, agency: Uuid, id: Uuid) -> sqlx::Result<Option<Staff>> {
    sqlx::query_as(&format!(
        "SELECT {STAFF_COLUMNS} WHERE s.agency_id = $1 AND s.id = $2"
    ))
    .bind(agency)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Inserts or updates the card (the handler decides who may change the linked member).
pub async fn save_staff(conn: &mut PgConnection, s: &Staff) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO agency_staff (id, agency_id, user_id, name, job_title, qualifications,
             introduction)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET user_id = EXCLUDED.user_id, name = EXCLUDED.name,
             job_title = EXCLUDED.job_title, qualifications = EXCLUDED.qualifications,
             introduction = EXCLUDED.introduction, updated_at = now()
         WHERE agency_staff.agency_id = EXCLUDED.agency_id",
    )
    .bind(s.id)
    .bind(s.agency_id)
    .bind(s.user_id)
    .bind(&s.name)
    .bind(&s.job_title)
    .bind(&s.qualifications)
    .bind(&s.introduction)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_photo(
    conn: &mut PgConnection,
    staff: Uuid,
    content_type: &str,
    bytes: &[u8],
) -> sqlx::Result<()> {
    use sha2::Digest;
    let sha = hex::encode(sha2::Sha256::digest(bytes));
    sqlx::query(
        "INSERT INTO agency_staff_photo (staff_id, content_type, bytes, sha256)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (staff_id) DO UPDATE SET content_type = EXCLUDED.content_type,
             bytes = EXCLUDED.bytes, sha256 = EXCLUDED.sha256, created_at = now()",
    )
    .bind(staff)
    .bind(content_type)
    .bind(bytes)
    .bind(sha)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn remove_photo(conn: &mut PgConnection, staff: Uuid) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM agency_staff_photo WHERE staff_id = $1")
        .bind(staff)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PhotoRow {
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub sha256: String,
}

pub async fn photo(
    conn: &mut PgConnection,
    agency: Uuid,
    staff: Uuid,
) -> sqlx::Result<Option<PhotoRow>> {
    sqlx::query_as(
        "SELECT ph.content_type, ph.bytes, ph.sha256
         FROM agency_staff_photo ph JOIN agency_staff s ON s.id = ph.staff_id
         WHERE s.agency_id = $1 AND s.id = $2",
    )
    .bind(agency)
    .bind(staff)
    .fetch_optional(conn)
    .await
}

/// The agency's members, for linking a card to the person it shows.
pub async fn members(conn: &mut PgConnection, agency: Uuid) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT u.id, u.display_name FROM membership m JOIN app_user u ON u.id = m.user_id
         WHERE m.agency_id = $1 AND u.active ORDER BY u.display_name LIMIT 500",
    )
    .bind(agency)
    .fetch_all(conn)
    .await
}

// ---- events

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Event {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub kind: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub place: String,
    pub how_to_apply: String,
    pub description: String,
}

/// Events not yet over, soonest first.
pub async fn upcoming_events(conn: &mut PgConnection, agency: Uuid) -> sqlx::Result<Vec<Event>> {
    sqlx::query_as(
        "SELECT id, agency_id, kind, title, starts_at, ends_at, place, how_to_apply, description
         FROM agency_event
         WHERE agency_id = $1 AND coalesce(ends_at, starts_at) >= now()
         ORDER BY starts_at LIMIT $2",
    )
    .bind(agency)
    .bind(ITEMS_LIMIT)
    .fetch_all(conn)
    .await
}

pub async fn event(conn: &mut PgConnection, agency: Uuid, id: Uuid) -> sqlx::Result<Option<Event>> {
    sqlx::query_as(
        "SELECT id, agency_id, kind, title, starts_at, ends_at, place, how_to_apply, description
         FROM agency_event WHERE agency_id = $1 AND id = $2",
    )
    .bind(agency)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn save_event(conn: &mut PgConnection, e: &Event) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO agency_event (id, agency_id, kind, title, starts_at, ends_at, place,
             how_to_apply, description)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, title = EXCLUDED.title,
             starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, place = EXCLUDED.place,
             how_to_apply = EXCLUDED.how_to_apply, description = EXCLUDED.description
         WHERE agency_event.agency_id = EXCLUDED.agency_id",
    )
    .bind(e.id)
    .bind(e.agency_id)
    .bind(&e.kind)
    .bind(&e.title)
    .bind(e.starts_at)
    .bind(e.ends_at)
    .bind(&e.place)
    .bind(&e.how_to_apply)
    .bind(&e.description)
    .execute(conn)
    .await?;
    Ok(())
}

/// The cases the acting agency works on now (not left), for "refer / add to a team / invite"
/// from a profile. Bounded: a coordinator's open caseload is tens.
pub async fn open_cases(
    conn: &mut PgConnection,
    actor: crate::access::Actor,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    let agency = actor.agency_id();
    sqlx::query_as(
        r#"SELECT c.id, p.family_name || ' ' || p.given_name
           FROM case_agency ca
           JOIN case_file c ON c.id = ca.case_id
           JOIN participant p ON p.id = c.participant_id
           WHERE ca.agency_id = $1 AND ca.left_on IS NULL AND c.phase <> 'closed'
           ORDER BY p.sort_kana COLLATE "ja-x-icu", c.id
           LIMIT 200"#,
    )
    .bind(agency)
    .fetch_all(conn)
    .await
}

/// The parts of a profile kept as lists of their own, which its editors remove one by one.
#[derive(Debug, Clone, Copy)]
pub enum Part {
    Program,
    Staff,
    Event,
}

impl Part {
    fn table(self) -> &'static str {
        match self {
            Part::Program => "agency_program",
            Part::Staff => "agency_staff",
            Part::Event => "agency_event",
        }
    }

    /// The audit action of its removal.
    pub fn delete_action(self) -> &'static str {
        match self {
            Part::Program => "directory.program.delete",
            Part::Staff => "directory.staff.delete",
            Part::Event => "directory.event.delete",
        }
    }
}

/// Removes one program, staff card (with its photo) or event of the agency; false when the
/// agency has no such item.
pub async fn delete(
    conn: &mut PgConnection,
    part: Part,
    agency: Uuid,
    id: Uuid,
) -> sqlx::Result<bool> {
    let done = sqlx::query(&format!(
        "DELETE FROM {} WHERE agency_id = $1 AND id = $2",
        part.table()
    ))
    .bind(agency)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
