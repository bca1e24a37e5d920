//! The case's timeline as a file: exactly the entries (and replies) the timeline page shows
//! this reader, with the page's filters, read a batch at a time through the same scoped query;
//! texts Renkei wrote itself in the reader's words, as the page puts them.

use crate::access::CaseScope;
use crate::area::timeline::{export_batch, TimelineQuery};
use crate::db::{self, entries::TimeCursor};
use crate::domain::entry::EntryFields;
use crate::error::{AppError, AppResult};
use crate::http::export::{self, Cell, Format, Sheet};
use crate::http::extract::Auth;
use crate::http::state::AppState;
use crate::i18n::Tr;
use crate::views::timeline::EntryView;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use sqlx::PgConnection;
use uuid::Uuid;

const COLUMNS: &[&str] = &[
    "export-col-occurred-at",
    "export-col-kind",
    "export-col-category",
    "export-col-author",
    "export-col-agency",
    "export-col-body",
    "entry-situation",
    "entry-handling",
    "export-col-details",
    "entry-shared-with",
    "export-col-written-at",
    "export-col-edited-at",
    "export-col-id",
    "export-col-reply-to",
];

struct EntryRows {
    tr: Tr,
    case: CaseScope,
    team: Vec<db::cases::TeamRow>,
    query: TimelineQuery,
    before: Option<TimeCursor>,
    done: bool,
}

impl export::Pages for EntryRows {
    async fn next(&mut self, conn: &mut PgConnection) -> sqlx::Result<Option<Vec<Vec<Cell>>>> {
        if self.done {
            return Ok(None);
        }
        let (entries, next) = export_batch(
            conn,
            &self.case,
            &self.team,
            &self.query,
            self.before,
            export::BATCH,
        )
        .await?;
        self.before = next;
        self.done = next.is_none();
        let mut rows = vec![];
        for e in &entries {
            rows.push(entry_cells(self.tr, e));
            for (r, f) in &e.replies {
                rows.push(reply_cells(self.tr, r, f));
            }
        }
        Ok(Some(rows))
    }
}

/// The labelled facts of an entry that have no column of their own, in the reader's words.
fn details(tr: Tr, f: &EntryFields) -> String {
    let mut parts = vec![];
    if let Some(r) = f.resolved {
        parts.push(format!(
            "{}: {}",
            tr.t("entry-resolved"),
            tr.t(if r {
                "entry-resolved-yes"
            } else {
                "entry-resolved-no"
            })
        ));
    }
    if let Some(k) = f.channel_key() {
        let with = f
            .with_whom_key()
            .map(|w| format!(" · {}", tr.t(w)))
            .unwrap_or_default();
        parts.push(format!("{}: {}{with}", tr.t("entry-channel"), tr.t(k)));
    }
    if f.report == Some(true) {
        parts.push(tr.t("entry-report"));
    }
    if let Some(d) = f.next_visit {
        parts.push(format!(
            "{}: {}",
            tr.t("entry-next-visit"),
            crate::domain::dates::slash(d)
        ));
    }
    if let Some(k) = f.answer_key() {
        parts.push(format!("{}: {}", tr.t("reply-answer"), tr.t(k)));
    }
    if let Some(d) = f.observed_on {
        parts.push(format!(
            "{}: {}",
            tr.t("reply-observed-on"),
            crate::domain::dates::slash(d)
        ));
    }
    parts.join("\n")
}

fn shared(row: &db::entries::EntryRow) -> String {
    std::iter::once(row.author_agency_name.as_str())
        .chain(
            row.shared_names
                .iter()
                .map(String::as_str)
                .filter(|n| *n != row.author_agency_name),
        )
        .collect::<Vec<_>>()
        .join("、")
}

fn entry_cells(tr: Tr, e: &EntryView) -> Vec<Cell> {
    let r = &e.row;
    vec![
        Cell::At(Some(r.occurred_at)),
        Cell::text(tr.t(r.kind_key())),
        Cell::text(tr.t(r.category_key())),
        Cell::text(&r.author_name),
        Cell::text(&r.author_agency_name),
        Cell::html(&e.body(&tr)),
        Cell::text(e.fields.situation.clone().unwrap_or_default()),
        Cell::text(e.fields.handling.clone().unwrap_or_default()),
        Cell::text(details(tr, &e.fields)),
        Cell::text(shared(r)),
        Cell::At(Some(r.created_at)),
        Cell::At(r.edited_at),
        Cell::text(r.id.to_string()),
        Cell::text(""),
    ]
}

fn reply_cells(tr: Tr, r: &db::entries::EntryRow, f: &EntryFields) -> Vec<Cell> {
    vec![
        Cell::At(Some(r.occurred_at)),
        Cell::text(tr.t("export-reply")),
        Cell::text(tr.t(r.category_key())),
        Cell::text(&r.author_name),
        Cell::text(&r.author_agency_name),
        Cell::html(&r.body_html),
        Cell::text(f.situation.clone().unwrap_or_default()),
        Cell::text(f.handling.clone().unwrap_or_default()),
        Cell::text(details(tr, f)),
        Cell::text(shared(r)),
        Cell::At(Some(r.created_at)),
        Cell::At(r.edited_at),
        Cell::text(r.id.to_string()),
        Cell::text(r.reply_to.map(|p| p.to_string()).unwrap_or_default()),
    ]
}

pub(super) async fn timeline_csv(
    state: State<AppState>,
    auth: Auth,
    id: Path<Uuid>,
    query: Query<TimelineQuery>,
) -> AppResult<Response> {
    timeline_export(state, auth, id, query, Format::Csv).await
}

pub(super) async fn timeline_xlsx(
    state: State<AppState>,
    auth: Auth,
    id: Path<Uuid>,
    query: Query<TimelineQuery>,
) -> AppResult<Response> {
    timeline_export(state, auth, id, query, Format::Xlsx).await
}

async fn timeline_export(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Query(query): Query<TimelineQuery>,
    format: Format,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let case = crate::access::case::open(
        &mut conn,
        &auth.who(&state.refusals),
        id,
        crate::access::Need::Read,
        "case.timeline.export",
    )
    .await?;
    let header = db::cases::header(&mut conn, case.reader())
        .await?
        .ok_or(AppError::NotFound)?;
    let team = db::cases::team(&mut conn, &case).await?;
    auth.who(&state.refusals)
        .ok(&mut conn, "case.timeline.export", Some(id), None)
        .await?;
    drop(conn);
    let tr = auth.ctx.tr;
    let name = format!("{}{}", header.family_name, header.given_name);
    let sheet = Sheet::new(tr, "timeline", "timeline", Some(&name)).columns(tr, COLUMNS);
    let rows = EntryRows {
        tr,
        case,
        team,
        query,
        before: None,
        done: false,
    };
    export::respond(&state.db, format, sheet, rows).await
}
