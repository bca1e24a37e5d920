//! Instruments (seeded by migrations) and the assessments scored on them. An assessment is
//! seen by whoever may see the timeline entry that announced it.

use crate::access::rules::ENTRY_VISIBLE;
use crate::access::Reader;
use crate::domain::checklist::{Answers, Domain, Instrument, Item, Scale};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

pub async fn instrument(conn: &mut PgConnection, id: &str) -> sqlx::Result<Instrument> {
    let (name_ja, name_en, scale): (String, String, String) =
        sqlx::query_as("SELECT name_ja, name_en, scale FROM instrument WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    let domains: Vec<(i32, String, String)> = sqlx::query_as(
        "SELECT position, name_ja, name_en FROM instrument_domain
         WHERE instrument_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let items: Vec<(String, i32, i32, String, String)> = sqlx::query_as(
        "SELECT code, domain_position, position, text_ja, text_en FROM instrument_item
         WHERE instrument_id = $1 ORDER BY domain_position, position",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(Instrument {
        id: id.to_string(),
        name_ja,
        name_en,
        scale: Scale::parse(&scale).unwrap_or(Scale::Met3),
        domains: domains
            .into_iter()
            .map(|(position, name_ja, name_en)| Domain {
                position,
                name_ja,
                name_en,
            })
            .collect(),
        items: items
            .into_iter()
            .map(|(code, domain_position, position, text_ja, text_en)| Item {
                code,
                domain_position,
                position,
                text_ja,
                text_en,
            })
            .collect(),
    })
}

pub async fn insert(
    conn: &mut PgConnection,
    scope: &impl crate::access::OnCase,
    instrument_id: &str,
    assessed_on: NaiveDate,
    answers: &Answers,
    entry_id: Uuid,
) -> sqlx::Result<Uuid> {
    let (actor, case_id) = (scope.actor(), scope.case_id());
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO assessment (id, case_id, instrument_id, author_user_id, author_agency_id,
                                 assessed_on, entry_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(case_id)
    .bind(instrument_id)
    .bind(actor.user_id())
    .bind(actor.agency_id())
    .bind(assessed_on)
    .bind(entry_id)
    .execute(&mut *conn)
    .await?;
    let (codes, rest): (Vec<&String>, Vec<&(String, String)>) = answers.iter().unzip();
    let (values, notes): (Vec<&String>, Vec<&String>) =
        rest.into_iter().map(|(v, n)| (v, n)).unzip();
    sqlx::query(
        "INSERT INTO assessment_item (assessment_id, code, value, note)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])",
    )
    .bind(id)
    .bind(codes)
    .bind(values)
    .bind(notes)
    .execute(conn)
    .await?;
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AssessmentRow {
    pub id: Uuid,
    pub assessed_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub author_name: String,
    pub author_agency_name: String,
    pub codes: Vec<String>,
    pub item_values: Vec<String>,
    pub notes: Vec<String>,
}

impl AssessmentRow {
    pub fn answers(&self) -> Answers {
        self.codes
            .iter()
            .zip(self.item_values.iter().zip(&self.notes))
            .map(|(c, (v, n))| (c.clone(), (v.clone(), n.clone())))
            .collect()
    }
}

/// The case's assessments on one instrument that the agency may see, newest first.
pub async fn history(
    conn: &mut PgConnection,
    reader: Reader,
    instrument_id: &str,
    limit: i64,
) -> sqlx::Result<Vec<AssessmentRow>> {
    sqlx::query_as(&format!(
        "SELECT a.id, a.assessed_on, a.created_at, u.display_name AS author_name,
                ag.name AS author_agency_name,
                array_agg(i.code ORDER BY i.code) AS codes,
                array_agg(i.value ORDER BY i.code) AS item_values,
                array_agg(i.note ORDER BY i.code) AS notes
         FROM assessment a
         JOIN entry e ON e.id = a.entry_id
         JOIN app_user u ON u.id = a.author_user_id
         JOIN agency ag ON ag.id = a.author_agency_id
         JOIN assessment_item i ON i.assessment_id = a.id
         WHERE a.case_id = $2 AND a.instrument_id = $3 AND {}
         GROUP BY a.id, u.display_name, ag.name
         ORDER BY a.assessed_on DESC, a.created_at DESC
         LIMIT $4",
        *ENTRY_VISIBLE
    ))
    .bind(reader.agency_id())
    .bind(reader.case_id())
    .bind(instrument_id)
    .bind(limit)
    .fetch_all(conn)
    .await
}
