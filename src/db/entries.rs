//! Timeline entries. `VISIBLE` is SPEC §3's entry rule in SQL (written once, in
//! `access::rules`); every read of entries — pages, searches, counts, derived pages — includes
//! it. Its Rust twin is `policy::entry_visible`. Reads and writes of one case take its scope.

use crate::access::rules::{ENTRY_LEFT_ON, ENTRY_VISIBLE};
use crate::access::{Actor, CaseScope, OnCase, Reader};
use crate::domain::entry::EntryFields;
use crate::domain::markdown::to_safe_html;
use crate::domain::message::Said;
use crate::i18n::{Lang, Tr};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// An entry to write on the scope's case (the case comes from the scope).
pub struct NewEntry<'a> {
    pub kind: &'a str,
    pub category: &'a str,
    pub occurred_at: DateTime<Utc>,
    pub body: &'a str,
    pub fields: serde_json::Value,
    pub shared_with: &'a [Uuid],
    /// An answer to an observation.
    pub reply_to: Option<Uuid>,
}

impl<'a> NewEntry<'a> {
    /// A plain entry (no structured fields, not a reply).
    pub fn plain(kind: &'a str, category: &'a str, body: &'a str, shared_with: &'a [Uuid]) -> Self {
        NewEntry {
            kind,
            category,
            occurred_at: Utc::now(),
            body,
            fields: serde_json::json!({}),
            shared_with,
            reply_to: None,
        }
    }
}

/// Writes an entry; the Markdown body is rendered and sanitised once, here.
pub async fn insert(
    conn: &mut PgConnection,
    scope: &impl OnCase,
    e: &NewEntry<'_>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    let actor = scope.actor();
    sqlx::query(
        "INSERT INTO entry (id, case_id, author_user_id, author_agency_id, kind, category,
                            occurred_at, body, body_html, fields, shared_with, reply_to)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(id)
    .bind(scope.case_id())
    .bind(actor.user_id())
    .bind(actor.agency_id())
    .bind(e.kind)
    .bind(e.category)
    .bind(e.occurred_at)
    .bind(e.body)
    .bind(to_safe_html(e.body))
    .bind(&e.fields)
    .bind(e.shared_with)
    .bind(e.reply_to)
    .execute(&mut *conn)
    .await?;
    // sharing is a provision: recorded in the same transaction (第三者提供の記録)
    super::ledger::entry_shared(conn, scope, e.category, e.shared_with).await?;
    Ok(id)
}

/// Writes an entry Renkei words itself: the message keys and arguments go in the fields (each
/// reader reads them in their language), the Japanese words in the body (search, and rows read
/// without their fields).
pub async fn insert_said(
    conn: &mut PgConnection,
    scope: &impl OnCase,
    kind: &str,
    category: &str,
    said: &Said,
    shared_with: &[Uuid],
    occurred_at: DateTime<Utc>,
) -> sqlx::Result<Uuid> {
    let body = said.to_markdown(Tr::new(Lang::Ja));
    let fields = EntryFields {
        said: Some(said.clone()),
        ..Default::default()
    };
    let mut entry = NewEntry::plain(kind, category, &body, shared_with);
    entry.fields = fields.to_json();
    entry.occurred_at = occurred_at;
    insert(conn, scope, &entry).await
}

/// A team or lead change, shared with every agency on the team (current and former).
pub async fn record_team_event(
    conn: &mut PgConnection,
    scope: &impl OnCase,
    kind: &str,
    said: &Said,
) -> sqlx::Result<Uuid> {
    let case_id = scope.case_id();
    let team: Vec<Uuid> =
        sqlx::query_scalar("SELECT agency_id FROM case_agency WHERE case_id = $1")
            .bind(case_id)
            .fetch_all(&mut *conn)
            .await?;
    insert_said(conn, scope, kind, "case_admin", said, &team, Utc::now()).await
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct EntryRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub kind: String,
    pub category: String,
    pub occurred_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub body_html: String,
    pub fields: serde_json::Value,
    pub reply_to: Option<Uuid>,
    pub version: i32,
    pub edited_at: Option<DateTime<Utc>>,
    pub author_user_id: Uuid,
    pub author_agency_id: Uuid,
    pub author_name: String,
    pub author_agency_name: String,
    /// The agencies the entry is shared with.
    pub shared_with: Vec<Uuid>,
    /// Their names, filled from the case's team by the page that shows the entry (names by
    /// id in Rust cost nothing; a lookup per row in SQL was a third of a page's time).
    #[sqlx(skip)]
    #[serde(default)]
    pub shared_names: Vec<String>,
    /// Read by the user asking (their own entries count as read).
    pub read: bool,
}

/// The entry columns an inner selection (`e`) passes out to `with_names`.
const ENTRY_INNER: &str = "e.id, e.case_id, e.kind, e.category, e.occurred_at, e.created_at,
        e.body_html, e.fields, e.reply_to, e.version, e.edited_at, e.author_user_id,
        e.author_agency_id, e.shared_with";

/// Wraps a selection of entries (`inner`, selecting `ENTRY_INNER` from `entry e`, already
/// filtered by `VISIBLE` and limited) into `EntryRow`s: names and the read mark are looked up
/// only for the rows that are shown, by primary key, so the cost of a page does not grow with
/// the case, the number of agencies or how much the user has read. `$2` must be the user asking.
///
/// An agency that left the team reads each entry as it stood on the day it left: an entry
/// edited later shows the version that was current then (`entry_version`).
fn with_names(inner: &str, order: &str) -> String {
    format!(
        "SELECT e.id, e.case_id, e.kind, e.category, e.occurred_at, e.created_at,
                coalesce(old.body_html, e.body_html) AS body_html,
                coalesce(old.fields, e.fields) AS fields, e.reply_to,
                coalesce(old.version, e.version) AS version,
                CASE WHEN old.version IS NULL THEN e.edited_at
                     WHEN old.version > 1 THEN old.written_at END AS edited_at,
                e.author_user_id, e.author_agency_id, u.display_name AS author_name,
                a.name AS author_agency_name, e.shared_with,
                (e.author_user_id = $2
                 OR EXISTS (SELECT 1 FROM entry_read r
                            WHERE r.user_id = $2 AND r.entry_id = e.id)) AS read
         FROM ({inner}) e
         JOIN app_user u ON u.id = e.author_user_id
         JOIN agency a ON a.id = e.author_agency_id
         {lateral}
         ORDER BY {order}",
        lateral = as_left("e", "v.body_html, v.fields, v.version, v.written_at")
    )
}

/// `old`: for an agency (`$1`) that left the team, the version of the entry `alias` that was
/// current on the day it left, when the entry was edited after that (else no row). Its columns
/// are `columns` of `entry_version v`.
fn as_left(alias: &str, columns: &str) -> String {
    let left_on = ENTRY_LEFT_ON.replace("e.case_id", &format!("{alias}.case_id"));
    format!(
        "LEFT JOIN LATERAL (
             SELECT {columns}
             FROM entry_version v
             WHERE {alias}.edited_at IS NOT NULL
               AND ({alias}.edited_at AT TIME ZONE 'Asia/Tokyo')::date > {left_on}
               AND v.entry_id = {alias}.id
               AND (v.written_at AT TIME ZONE 'Asia/Tokyo')::date <= {left_on}
             ORDER BY v.version DESC LIMIT 1) old ON true"
    )
}

const ENTRY_JOINS: &str = "JOIN app_user u ON u.id = e.author_user_id
         JOIN agency a ON a.id = e.author_agency_id";

/// Filters of the timeline; all optional.
#[derive(Debug, Clone, Default)]
pub struct TimelineFilter {
    pub kind: Option<String>,
    pub agency: Option<Uuid>,
    /// instants bounding occurred_at: [from, to)
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// text to find in the body and fields
    pub text: String,
}

/// Where a timeline page ends: the next (older) page starts strictly before it.
#[derive(Debug, Clone, Copy)]
pub struct TimeCursor {
    pub occurred_at: DateTime<Utc>,
    pub id: Uuid,
}

/// LIKE pattern for a literal piece of text.
fn contains_pattern(text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The SQL of a timeline page for the filters in use — the case's header and team, the page's
/// entries and the replies to them — in one statement (`$1` agency, `$2` user, `$3` case, `$4`
/// limit, then one parameter per filter in use, in the order `page` binds them). One row, or
/// none for an agency that was never on the team. The page (`p`) is limited first on
/// `entry_case_time_idx`; its replies are looked up by `reply_to` for those rows only; names and
/// read marks are then looked up for the rows shown (`with_names`); the team and the entries
/// come as JSON arrays beside the header's columns. Only the conditions in use are written, so
/// each shape gets a plan made for it (a plan kept for `$n IS NULL OR …` could not use the
/// cursor or a filter as an index condition); public so that a test can EXPLAIN it.
pub fn page_sql(filter: &TimelineFilter, before: bool) -> String {
    let mut n = 4;
    let mut next = || {
        n += 1;
        n
    };
    let mut conditions = String::new();
    if filter.kind.is_some() {
        conditions += &format!(" AND e.kind = ${}", next());
    }
    if filter.agency.is_some() {
        conditions += &format!(" AND e.author_agency_id = ${}", next());
    }
    if filter.from.is_some() {
        conditions += &format!(" AND e.occurred_at >= ${}", next());
    }
    if filter.to.is_some() {
        conditions += &format!(" AND e.occurred_at < ${}", next());
    }
    if !filter.text.is_empty() {
        let t = next();
        conditions += &format!(" AND (e.body ILIKE ${t} OR e.fields::text ILIKE ${t})");
    }
    if before {
        let (at, id) = (next(), next());
        conditions += &format!(" AND (e.occurred_at, e.id) < (${at}, ${id})");
    }
    let entries = with_names(
        &format!(
            "WITH p AS (
                 SELECT {ENTRY_INNER} FROM entry e
                 WHERE e.case_id = $3 AND e.reply_to IS NULL AND {visible}{conditions}
                 ORDER BY e.occurred_at DESC, e.id DESC
                 LIMIT $4)
             SELECT * FROM p
             UNION ALL
             SELECT {ENTRY_INNER} FROM entry e
             WHERE e.reply_to IN (SELECT p.id FROM p) AND e.case_id = $3 AND {visible}",
            visible = *ENTRY_VISIBLE
        ),
        "e.occurred_at DESC, e.id DESC",
    );
    format!(
        "SELECT {header}, {team} AS team,
                (SELECT coalesce(json_agg(x), '[]') FROM ({entries}) x) AS entries
         {from}",
        header = super::cases::header_columns("$1"),
        team = super::cases::TEAM_JSON,
        from = super::cases::header_from("$3", "$1"),
    )
}

/// A timeline page as read in one statement: the case's header and team, the page's entries
/// (newest first) and the replies to them (oldest first).
pub struct PageRead {
    pub header: super::cases::CaseHeader,
    pub team: Vec<super::cases::TeamRow>,
    pub entries: Vec<EntryRow>,
    pub replies: Vec<EntryRow>,
}

#[derive(sqlx::FromRow)]
struct PageRow {
    #[sqlx(flatten)]
    header: super::cases::CaseHeader,
    team: sqlx::types::Json<Vec<super::cases::TeamRow>>,
    entries: sqlx::types::Json<Vec<EntryRow>>,
}

/// One page of a case's timeline, keyset on (occurred_at, id) over `entry_case_time_idx`, with
/// the replies the agency may see to those entries and the case's header and team — one
/// statement. None for an agency that was never on the team.
pub async fn page(
    conn: &mut PgConnection,
    scope: &CaseScope,
    filter: &TimelineFilter,
    before: Option<TimeCursor>,
    limit: i64,
) -> sqlx::Result<Option<PageRead>> {
    let sql = page_sql(filter, before.is_some());
    let mut q = sqlx::query_as(&sql)
        .bind(scope.agency_id())
        .bind(scope.user_id())
        .bind(scope.case_id())
        .bind(limit);
    if let Some(kind) = &filter.kind {
        q = q.bind(kind);
    }
    if let Some(agency) = filter.agency {
        q = q.bind(agency);
    }
    if let Some(from) = filter.from {
        q = q.bind(from);
    }
    if let Some(to) = filter.to {
        q = q.bind(to);
    }
    if !filter.text.is_empty() {
        q = q.bind(contains_pattern(&filter.text));
    }
    if let Some(c) = before {
        q = q.bind(c.occurred_at).bind(c.id);
    }
    let row: Option<PageRow> = q.fetch_optional(conn).await?;
    Ok(row.map(|row| {
        let (mut entries, mut replies): (Vec<EntryRow>, Vec<EntryRow>) = row
            .entries
            .0
            .into_iter()
            .partition(|r| r.reply_to.is_none());
        entries.sort_by_key(|a| std::cmp::Reverse((a.occurred_at, a.id)));
        replies.sort_by_key(|a| (a.created_at, a.id));
        PageRead {
            header: row.header,
            team: row.team.0,
            entries,
            replies,
        }
    }))
}

/// The replies the agency may see to the given entries, oldest first.
pub async fn replies(
    conn: &mut PgConnection,
    scope: &CaseScope,
    parents: &[Uuid],
) -> sqlx::Result<Vec<EntryRow>> {
    if parents.is_empty() {
        return Ok(vec![]);
    }
    sqlx::query_as(&with_names(
        &format!(
            "SELECT {ENTRY_INNER} FROM entry e
             WHERE e.reply_to = ANY ($3) AND e.case_id = $4 AND {visible}",
            visible = *ENTRY_VISIBLE
        ),
        "e.created_at, e.id",
    ))
    .bind(scope.agency_id())
    .bind(scope.user_id())
    .bind(parents)
    .bind(scope.case_id())
    .fetch_all(conn)
    .await
}

/// One entry of a case, if the agency may see it.
pub async fn get(
    conn: &mut PgConnection,
    scope: &CaseScope,
    entry_id: Uuid,
) -> sqlx::Result<Option<EntryRow>> {
    let (actor, case_id) = (scope.actor(), scope.case_id());
    sqlx::query_as(&with_names(
        &format!(
            "SELECT {ENTRY_INNER} FROM entry e
             WHERE e.id = $3 AND e.case_id = $4 AND {visible}",
            visible = *ENTRY_VISIBLE
        ),
        "e.id",
    ))
    .bind(actor.agency_id())
    .bind(actor.user_id())
    .bind(entry_id)
    .bind(case_id)
    .fetch_optional(conn)
    .await
}

/// The Markdown source and sharing of an entry the agency may see (for editing and replying).
pub async fn source(
    conn: &mut PgConnection,
    scope: &CaseScope,
    entry_id: Uuid,
) -> sqlx::Result<Option<(String, Vec<Uuid>)>> {
    let (actor, case_id) = (scope.actor(), scope.case_id());
    sqlx::query_as(&format!(
        "SELECT e.body, e.shared_with FROM entry e
         WHERE e.id = $2 AND e.case_id = $3 AND {visible}",
        visible = *ENTRY_VISIBLE
    ))
    .bind(actor.agency_id())
    .bind(entry_id)
    .bind(case_id)
    .fetch_optional(conn)
    .await
}

/// Marks entries as read by the user (those shown to them).
pub async fn mark_read(
    conn: &mut PgConnection,
    scope: &CaseScope,
    entries: &[Uuid],
) -> sqlx::Result<()> {
    let user_id = scope.user_id();
    if entries.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO entry_read (user_id, entry_id) SELECT $1, unnest($2::uuid[])
         ON CONFLICT DO NOTHING",
    )
    .bind(user_id)
    .bind(entries)
    .execute(conn)
    .await?;
    Ok(())
}

/// The header shows "99+" beyond this: counting further is work nobody reads.
pub const UNREAD_CAP: i64 = 100;

/// The inbox looks back this far: older unread entries are no longer news.
pub const INBOX_DAYS: i32 = 60;

/// The unread condition of the inbox, over `e` joined to the acting agency's current teams
/// (`$1` the agency, `$2` the user).
fn unread_where() -> String {
    unread_where_for("$1", "$2")
}

/// The unread condition for the agency `agency` and the user `user` (SQL expressions).
fn unread_where_for(agency: &str, user: &str) -> String {
    format!(
        "ca.agency_id = {agency} AND ca.left_on IS NULL
         AND e.created_at > now() - make_interval(days => {INBOX_DAYS})
         AND e.author_user_id <> {user}
         AND NOT EXISTS (SELECT 1 FROM entry_read r WHERE r.user_id = {user} AND r.entry_id = e.id)
         AND {visible}",
        visible = crate::access::rules::entry_visible_for(agency)
    )
}

/// The header's unread count as an SQL expression, for the agency `agency` and the user
/// `user`, counted up to `cap` (all SQL expressions): the session lookup computes it in the
/// same statement.
pub fn unread_count_sql(agency: &str, user: &str, cap: &str) -> String {
    format!(
        "(SELECT count(*) FROM (
            SELECT 1 FROM case_agency ca JOIN entry e ON e.case_id = ca.case_id
            WHERE {} LIMIT {cap}) unread)",
        unread_where_for(agency, user)
    )
}

/// How many unread entries the user has as this agency, counted up to `cap`.
pub async fn unread_count(conn: &mut PgConnection, actor: Actor, cap: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(&format!(
        "SELECT count(*) FROM (
            SELECT 1 FROM case_agency ca JOIN entry e ON e.case_id = ca.case_id
            WHERE {} LIMIT $3) unread",
        unread_where()
    ))
    .bind(actor.agency_id())
    .bind(actor.user_id())
    .bind(cap)
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InboxRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub family_name: String,
    pub given_name: String,
    pub kind: String,
    pub category: String,
    pub occurred_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub excerpt: String,
    /// for an entry Renkei wrote itself, its message (`EntryFields::said`)
    pub fields: serde_json::Value,
    pub author_name: String,
    pub author_agency_name: String,
    pub reply_to: Option<Uuid>,
}

/// Where an inbox page ends (newest first by writing time).
#[derive(Debug, Clone, Copy)]
pub struct CreatedCursor {
    pub created_at: DateTime<Utc>,
    pub id: Uuid,
}

pub async fn inbox(
    conn: &mut PgConnection,
    actor: Actor,
    before: Option<CreatedCursor>,
    limit: i64,
) -> sqlx::Result<Vec<InboxRow>> {
    sqlx::query_as(&format!(
        "SELECT e.id, e.case_id, p.family_name, p.given_name, e.kind, e.category, e.occurred_at,
                e.created_at, left(e.body, 600) AS excerpt, e.fields, u.display_name AS author_name,
                a.name AS author_agency_name, e.reply_to
         FROM case_agency ca
         JOIN entry e ON e.case_id = ca.case_id
         JOIN case_file c ON c.id = e.case_id
         JOIN participant p ON p.id = c.participant_id
         {ENTRY_JOINS}
         WHERE {}
           AND ($3::timestamptz IS NULL OR (e.created_at, e.id) < ($3, $4::uuid))
         ORDER BY e.created_at DESC, e.id DESC
         LIMIT $5",
        unread_where()
    ))
    .bind(actor.agency_id())
    .bind(actor.user_id())
    .bind(before.map(|c| c.created_at))
    .bind(before.map(|c| c.id))
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Marks every unread inbox entry read.
pub async fn mark_all_read(conn: &mut PgConnection, actor: Actor) -> sqlx::Result<u64> {
    Ok(sqlx::query(&format!(
        "INSERT INTO entry_read (user_id, entry_id)
         SELECT $2, e.id FROM case_agency ca JOIN entry e ON e.case_id = ca.case_id
         WHERE {}
         ON CONFLICT DO NOTHING",
        unread_where()
    ))
    .bind(actor.agency_id())
    .bind(actor.user_id())
    .execute(conn)
    .await?
    .rows_affected())
}

/// Saves a new version of an entry written by the actor (that user as that agency), keeping
/// the previous one. False when the entry is not theirs or not on the case.
pub async fn edit(
    conn: &mut PgConnection,
    scope: &CaseScope,
    entry_id: Uuid,
    body: &str,
    fields: &serde_json::Value,
    occurred_at: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let (actor, case_id) = (scope.actor(), scope.case_id());
    let kept = sqlx::query(
        "INSERT INTO entry_version (entry_id, version, body, body_html, fields, occurred_at,
                                    written_by, written_at)
         SELECT id, version, body, body_html, fields, occurred_at,
                coalesce(edited_by, author_user_id), coalesce(edited_at, created_at)
         FROM entry
         WHERE id = $1 AND case_id = $2 AND author_user_id = $3 AND author_agency_id = $4",
    )
    .bind(entry_id)
    .bind(case_id)
    .bind(actor.user_id())
    .bind(actor.agency_id())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if kept != 1 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE entry SET body = $2, body_html = $3, fields = $4, occurred_at = $5,
                          version = version + 1, edited_at = now(), edited_by = $6
         WHERE id = $1",
    )
    .bind(entry_id)
    .bind(body)
    .bind(to_safe_html(body))
    .bind(fields)
    .bind(occurred_at)
    .bind(actor.user_id())
    .execute(conn)
    .await?;
    Ok(true)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VersionRow {
    pub version: i32,
    pub body_html: String,
    pub fields: serde_json::Value,
    pub occurred_at: DateTime<Utc>,
    pub written_by_name: String,
    pub written_at: DateTime<Utc>,
}

/// The earlier versions of an entry the agency may see, newest first.
pub async fn versions(
    conn: &mut PgConnection,
    scope: &CaseScope,
    entry_id: Uuid,
) -> sqlx::Result<Vec<VersionRow>> {
    let (actor, case_id) = (scope.actor(), scope.case_id());
    sqlx::query_as(&format!(
        "SELECT v.version, v.body_html, v.fields, v.occurred_at, w.display_name AS written_by_name,
                v.written_at
         FROM entry e
         JOIN entry_version v ON v.entry_id = e.id
         JOIN app_user w ON w.id = v.written_by
         WHERE e.id = $2 AND e.case_id = $3 AND {visible}
           AND ({ENTRY_LEFT_ON} IS NULL
                OR (v.written_at AT TIME ZONE 'Asia/Tokyo')::date <= {ENTRY_LEFT_ON})
         ORDER BY v.version DESC",
        visible = *ENTRY_VISIBLE
    ))
    .bind(actor.agency_id())
    .bind(entry_id)
    .bind(case_id)
    .fetch_all(conn)
    .await
}

/// The ids of a case's entries the reader may see (for tests of the rule and for counts).
pub async fn visible_ids(conn: &mut PgConnection, reader: Reader) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(&format!(
        "SELECT e.id FROM entry e WHERE e.case_id = $2 AND {} ORDER BY e.id",
        *ENTRY_VISIBLE
    ))
    .bind(reader.agency_id())
    .bind(reader.case_id())
    .fetch_all(conn)
    .await
}

/// A one-line view of the case's entries since `since` that the reader may see, oldest first
/// (for a meeting's material, computed when read).
/// The last column is the entry's fields (a system-written entry's message is in them).
pub async fn summaries_since(
    conn: &mut PgConnection,
    reader: Reader,
    since: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<(DateTime<Utc>, String, String, String, serde_json::Value)>> {
    sqlx::query_as(&format!(
        "SELECT s.occurred_at, s.kind, a.name,
                left(replace(coalesce(old.body, s.body), E'\\n', ' '), 120) AS line,
                coalesce(old.fields, s.fields) AS fields
         FROM (SELECT e.occurred_at, e.id, e.kind, e.author_agency_id, e.body, e.edited_at,
                      e.case_id, e.fields
               FROM entry e
               WHERE e.case_id = $2 AND e.occurred_at >= $3 AND e.reply_to IS NULL AND {}
               ORDER BY e.occurred_at DESC, e.id DESC LIMIT $4) s
         JOIN agency a ON a.id = s.author_agency_id
         {}
         ORDER BY s.occurred_at, s.id",
        *ENTRY_VISIBLE,
        as_left("s", "v.body, v.fields")
    ))
    .bind(reader.agency_id())
    .bind(reader.case_id())
    .bind(since)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Per Tokyo month since `from`, among the entries the reader may see: whether there was an
/// interview with the person (a contact in person, visit or online). (The month's report is an
/// issued 支援レポート: `db::reports::issued_months`.)
pub async fn monthly_interviews(
    conn: &mut PgConnection,
    reader: Reader,
    from: DateTime<Utc>,
) -> sqlx::Result<Vec<(chrono::NaiveDate, bool)>> {
    sqlx::query_as(&format!(
        "SELECT date_trunc('month', e.occurred_at AT TIME ZONE 'Asia/Tokyo')::date AS month,
                bool_or(e.kind = 'contact' AND e.fields->>'with_whom' = 'person'
                        AND e.fields->>'channel' IN ('meeting', 'visit', 'online')) AS interview
         FROM entry e
         WHERE e.case_id = $2 AND e.occurred_at >= $3 AND {}
         GROUP BY 1",
        *ENTRY_VISIBLE
    ))
    .bind(reader.agency_id())
    .bind(reader.case_id())
    .bind(from)
    .fetch_all(conn)
    .await
}

/// Contacts and visits per Tokyo month per writing agency over the last two years, among the
/// entries the reader may see.
pub async fn contacts_per_month(
    conn: &mut PgConnection,
    reader: Reader,
) -> sqlx::Result<Vec<(String, String, i64)>> {
    sqlx::query_as(&format!(
        "SELECT to_char(e.occurred_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM') AS month, a.name,
                count(*) AS n
         FROM entry e JOIN agency a ON a.id = e.author_agency_id
         WHERE e.case_id = $2 AND e.kind = 'contact' AND e.reply_to IS NULL
           AND e.occurred_at > now() - interval '24 months' AND {}
         GROUP BY 1, 2 ORDER BY 1, 2",
        *ENTRY_VISIBLE
    ))
    .bind(reader.agency_id())
    .bind(reader.case_id())
    .fetch_all(conn)
    .await
}
