//! What the two audit review pages (the case's access log, the agency's log) share: the query
//! read into a checked filter, and the filtered rows streamed as CSV a batch at a time through
//! the export module (`http::export`).

use super::form::Pairs;
use crate::access::CaseScope;
use crate::db::audit::{self, Filter, Row};
use crate::domain::audit::{FieldError, FilterInput};
use crate::error::AppResult;
use crate::http::export::{self, Cell, Format, Sheet};
use crate::i18n::Tr;
use crate::views::audit::{export_row, EXPORT_COLUMNS};
use crate::views::Errors;
use axum::response::Response;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Rows a page shows, and rows a CSV batch holds.
pub const PER_PAGE: i64 = 100;
const CSV_BATCH: i64 = 500;

/// The review query: the filter as typed and the keyset (`before`, an id).
pub struct ReviewQuery {
    pub input: FilterInput,
    pub before: Option<i64>,
}

impl ReviewQuery {
    pub fn read(q: &Pairs) -> Self {
        ReviewQuery {
            input: FilterInput {
                user: q.get("user"),
                case: q.get("case"),
                action: q.get("action"),
                from: q.get("from"),
                to: q.get("to"),
            },
            // a `before` that is not an id is no keyset: the first page
            before: q.get("before").parse().ok(),
        }
    }
}

/// The filter's field errors in the reader's language.
pub fn errors(tr: Tr, found: &[FieldError]) -> Errors {
    let mut errors = Errors::default();
    for (field, key) in found {
        errors.add(*field, tr.t(key));
    }
    errors
}

/// Whose rows: one case's (for its lead) or one agency's (for its admin).
#[derive(Clone)]
pub enum Source {
    Case(CaseScope),
    Agency(Uuid),
}

pub async fn page(
    conn: &mut sqlx::PgConnection,
    source: &Source,
    filter: &Filter,
    before: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<Row>> {
    match source {
        Source::Case(scope) => audit::for_case(conn, scope, filter, before, limit).await,
        Source::Agency(id) => audit::for_agency_members(conn, *id, filter, before, limit).await,
    }
}

/// One page and where the next starts.
pub async fn first_page(
    conn: &mut sqlx::PgConnection,
    source: &Source,
    filter: &Filter,
    before: Option<i64>,
) -> sqlx::Result<(Vec<Row>, Option<i64>)> {
    let mut rows = page(conn, source, filter, before, PER_PAGE + 1).await?;
    let next = if rows.len() as i64 > PER_PAGE {
        rows.truncate(PER_PAGE as usize);
        rows.last().map(|r| r.id)
    } else {
        None
    };
    Ok((rows, next))
}

/// The filtered rows, a batch at a time, newest first, for the export module.
struct Export {
    source: Source,
    filter: Filter,
    tr: Tr,
    before: Option<i64>,
    done: bool,
}

impl export::Pages for Export {
    async fn next(&mut self, conn: &mut PgConnection) -> sqlx::Result<Option<Vec<Vec<Cell>>>> {
        if self.done {
            return Ok(None);
        }
        let rows = page(conn, &self.source, &self.filter, self.before, CSV_BATCH).await?;
        self.done = (rows.len() as i64) < CSV_BATCH;
        self.before = rows.last().map(|r| r.id);
        if rows.is_empty() {
            return Ok(None);
        }
        Ok(Some(
            rows.iter()
                .map(|r| export_row(self.tr, r).into_iter().map(Cell::Text).collect())
                .collect(),
        ))
    }
}

/// The filtered rows as a CSV download (the export module's: BOM, CRLF, formula-like text
/// neutralised, `name_2026-04-01.csv`), newest first, read `CSV_BATCH` rows at a time on a
/// connection of its own while the response streams: never the whole log in memory. `kind`
/// names the file (`export-file-<kind>`), `ascii_name` its ASCII name.
pub async fn csv(
    pool: &PgPool,
    tr: Tr,
    source: Source,
    filter: Filter,
    kind: &str,
    ascii_name: &str,
) -> AppResult<Response> {
    let sheet = Sheet::new(tr, kind, ascii_name, None).columns(tr, EXPORT_COLUMNS);
    let pages = Export {
        source,
        filter,
        tr,
        before: None,
        done: false,
    };
    export::respond(pool, Format::Csv, sheet, pages).await
}
