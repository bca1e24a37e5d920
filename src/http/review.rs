//! What the two audit review pages (the case's access log, the agency's log) share: the query
//! read into a checked filter, and the filtered rows streamed as CSV a batch at a time.

use super::form::Pairs;
use crate::access::CaseScope;
use crate::db::audit::{self, Filter, Row};
use crate::domain::audit::{FieldError, FilterInput};
use crate::i18n::Tr;
use crate::views::audit::{csv_head, csv_rows};
use crate::views::Errors;
use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use sqlx::pool::PoolConnection;
use sqlx::{PgPool, Postgres};
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

struct Export {
    conn: PoolConnection<Postgres>,
    source: Source,
    filter: Filter,
    tr: Tr,
    before: Option<i64>,
    head: bool,
    done: bool,
}

/// The filtered rows as a CSV download, newest first, read `CSV_BATCH` rows at a time on a
/// connection of its own while the response streams: never the whole log in memory.
pub async fn csv(
    pool: &PgPool,
    tr: Tr,
    source: Source,
    filter: Filter,
    filename: &str,
) -> sqlx::Result<Response> {
    let conn = pool.acquire().await?;
    let export = Export {
        conn,
        source,
        filter,
        tr,
        before: None,
        head: true,
        done: false,
    };
    let stream = futures_util::stream::unfold(export, |mut e| async move {
        if e.head {
            e.head = false;
            return Some((Ok::<Bytes, sqlx::Error>(Bytes::from(csv_head(e.tr))), e));
        }
        if e.done {
            return None;
        }
        match page(&mut e.conn, &e.source, &e.filter, e.before, CSV_BATCH).await {
            Ok(rows) => {
                e.done = (rows.len() as i64) < CSV_BATCH;
                e.before = rows.last().map(|r| r.id);
                if rows.is_empty() {
                    return None;
                }
                Some((Ok(Bytes::from(csv_rows(e.tr, &rows))), e))
            }
            Err(err) => {
                e.done = true;
                Some((Err(err), e))
            }
        }
    });
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
