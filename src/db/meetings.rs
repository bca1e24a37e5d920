//! Case meetings, their invitations, action items and calendar feeds. A meeting is read by its
//! convening agency and the agencies invited to it (`MeetingScope`); the case's team sees that
//! it is planned or was held.

use super::cases::TODAY;
use crate::access::{rules, Actor, CaseScope, MeetingScope, Reader};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// A meeting to schedule; its case and convener are the scope's.
pub struct NewMeeting<'a> {
    pub purpose: &'a str,
    pub purpose_note: &'a str,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub place: &'a str,
    pub online_url: &'a str,
    pub phone: &'a str,
    pub person_attends: bool,
    pub family_attends: bool,
    /// (agency, named person, reason given for inviting without consent)
    pub invitees: &'a [(Uuid, Option<Uuid>, String)],
}

/// A meeting on the scope's case, convened by the scope's actor.
pub async fn create(
    conn: &mut PgConnection,
    scope: &CaseScope,
    m: &NewMeeting<'_>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO meeting (id, case_id, convener_user_id, convener_agency_id, purpose,
                              purpose_note, starts_at, duration_minutes, place, online_url, phone,
                              person_attends, family_attends)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(id)
    .bind(scope.case_id())
    .bind(scope.user_id())
    .bind(scope.agency_id())
    .bind(m.purpose)
    .bind(m.purpose_note)
    .bind(m.starts_at)
    .bind(m.duration_minutes)
    .bind(m.place)
    .bind(m.online_url)
    .bind(m.phone)
    .bind(m.person_attends)
    .bind(m.family_attends)
    .execute(&mut *conn)
    .await?;
    for (agency, user, reason) in m.invitees {
        sqlx::query(
            "INSERT INTO meeting_invitee (meeting_id, agency_id, user_id, consent_reason)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(agency)
        .bind(user)
        .bind(reason)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MeetingRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub family_name: String,
    pub given_name: String,
    pub convener_user_id: Uuid,
    pub convener_name: String,
    pub convener_agency_id: Uuid,
    pub convener_agency_name: String,
    pub purpose: String,
    pub purpose_note: String,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub place: String,
    pub online_url: String,
    pub phone: String,
    pub person_attends: bool,
    pub family_attends: bool,
    pub status: String,
    pub sequence: i32,
    pub material: String,
    pub material_html: String,
    pub material_category: Option<String>,
    pub material_by_name: Option<String>,
    pub material_at: Option<DateTime<Utc>>,
    pub attendees: String,
    pub discussion: String,
    pub decisions: String,
    pub held_at: Option<DateTime<Utc>>,
    pub cancel_reason: String,
    pub updated_at: DateTime<Utc>,
    /// who wrote the minutes as they stand, when, and how many versions there have been
    pub minutes_by_name: Option<String>,
    pub minutes_at: Option<DateTime<Utc>>,
    pub minutes_version: i32,
    /// who presented the plan at a meeting on the support plan (地域連携会議実施加算)
    pub plan_presenter: Option<String>,
}

impl MeetingRow {
    pub fn ends_at(&self) -> DateTime<Utc> {
        self.starts_at + chrono::Duration::minutes(self.duration_minutes as i64)
    }
}

const MEETING_SELECT: &str = "SELECT m.id, m.case_id, p.family_name, p.given_name,
        m.convener_user_id, cu.display_name AS convener_name, m.convener_agency_id,
        ca_.name AS convener_agency_name, m.purpose, m.purpose_note, m.starts_at,
        m.duration_minutes, m.place, m.online_url, m.phone, m.person_attends, m.family_attends,
        m.status, m.sequence, m.material, m.material_html, m.material_category,
        mu.display_name AS material_by_name,
        m.material_at, m.attendees, m.discussion, m.decisions, m.held_at, m.cancel_reason,
        m.updated_at, nu.display_name AS minutes_by_name, m.minutes_at, m.minutes_version,
        m.plan_presenter
     FROM meeting m
     JOIN case_file c ON c.id = m.case_id
     JOIN participant p ON p.id = c.participant_id
     JOIN app_user cu ON cu.id = m.convener_user_id
     JOIN agency ca_ ON ca_.id = m.convener_agency_id
     LEFT JOIN app_user mu ON mu.id = m.material_by
     LEFT JOIN app_user nu ON nu.id = m.minutes_by";

/// The meeting the scope opened (the convener's agency or an invited agency).
pub async fn get(conn: &mut PgConnection, scope: &MeetingScope) -> sqlx::Result<MeetingRow> {
    sqlx::query_as(&format!("{MEETING_SELECT} WHERE m.id = $1"))
        .bind(scope.meeting_id())
        .fetch_one(conn)
        .await
}

/// A case's meetings for its team: date, purpose and status of each; `readable` marks those the
/// agency convenes or is invited to (the others it cannot open).
pub async fn for_case(
    conn: &mut PgConnection,
    case: &CaseScope,
) -> sqlx::Result<Vec<MeetingListRow>> {
    sqlx::query_as(&format!(
        "SELECT m.id, m.starts_at, m.purpose, m.status, p.family_name, p.given_name,
                a.name AS convener_agency_name, {reader} AS readable
         FROM meeting m
         JOIN case_file c ON c.id = m.case_id
         JOIN participant p ON p.id = c.participant_id
         JOIN agency a ON a.id = m.convener_agency_id
         WHERE m.case_id = $2
         ORDER BY m.starts_at DESC LIMIT 100",
        reader = rules::meeting_reader("$1")
    ))
    .bind(case.agency_id())
    .bind(case.case_id())
    .fetch_all(conn)
    .await
}

/// The case facts the material's heading shows, for any reader of the meeting (an agency
/// invited from outside the team included).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MaterialCase {
    pub family_kana: String,
    pub given_kana: String,
    pub phase: String,
    pub lead_name: String,
    pub opened_on: NaiveDate,
}

pub async fn material_case(
    conn: &mut PgConnection,
    scope: &MeetingScope,
) -> sqlx::Result<MaterialCase> {
    sqlx::query_as(
        "SELECT p.family_kana, p.given_kana, c.phase, la.name AS lead_name, c.opened_on
         FROM case_file c
         JOIN participant p ON p.id = c.participant_id
         JOIN agency la ON la.id = c.lead_agency_id
         WHERE c.id = $1",
    )
    .bind(scope.case_id())
    .fetch_one(conn)
    .await
}

/// Scheduled meetings the agency is invited to, from an hour ago on.
pub async fn upcoming_for_agency(
    conn: &mut PgConnection,
    actor: Actor,
    limit: i64,
) -> sqlx::Result<Vec<MeetingListRow>> {
    let agency_id = actor.agency_id();
    // the agency's coming meetings are one range of meeting_invitee_coming_idx (migration
    // 0009); only the rows shown are joined, and only the columns the list shows are read
    sqlx::query_as(&upcoming_sql("$2"))
        .bind(agency_id)
        .bind(limit)
        .fetch_all(conn)
        .await
}

/// The SQL of `upcoming_for_agency` (`$1` the agency, `limit` an SQL expression; also part of
/// the dashboard's statement).
pub(crate) fn upcoming_sql(limit: &str) -> String {
    format!(
        "SELECT m.id, m.starts_at, m.purpose, m.status, p.family_name, p.given_name,
                a.name AS convener_agency_name, true AS readable
         FROM (SELECT i.meeting_id FROM meeting_invitee i
               WHERE i.agency_id = $1 AND i.status = 'scheduled'
                 AND i.starts_at > now() - interval '1 hour'
               ORDER BY i.starts_at LIMIT {limit}) coming
         JOIN meeting m ON m.id = coming.meeting_id
         JOIN case_file c ON c.id = m.case_id
         JOIN participant p ON p.id = c.participant_id
         JOIN agency a ON a.id = m.convener_agency_id
         ORDER BY m.starts_at, m.id"
    )
}

/// A meeting in a list (the dashboard's).
#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct MeetingListRow {
    pub id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub purpose: String,
    pub status: String,
    pub family_name: String,
    pub given_name: String,
    pub convener_agency_name: String,
    /// The agency convenes it or is invited (it may open it).
    pub readable: bool,
}

/// The last meeting held on the case before `before`, for "since the last meeting".
pub async fn last_held_before(
    conn: &mut PgConnection,
    scope: &MeetingScope,
    before: DateTime<Utc>,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar(
        "SELECT max(starts_at) FROM meeting
         WHERE case_id = $1 AND status = 'held' AND starts_at < $2",
    )
    .bind(scope.case_id())
    .bind(before)
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InviteeRow {
    pub agency_id: Uuid,
    pub agency_name: String,
    pub user_id: Option<Uuid>,
    pub user_name: Option<String>,
    pub response: String,
    pub responded_by_name: Option<String>,
    pub responded_at: Option<DateTime<Utc>>,
    pub consent_reason: String,
}

pub async fn invitees(
    conn: &mut PgConnection,
    scope: &MeetingScope,
) -> sqlx::Result<Vec<InviteeRow>> {
    sqlx::query_as(
        "SELECT i.agency_id, a.name AS agency_name, i.user_id, u.display_name AS user_name,
                i.response, r.display_name AS responded_by_name, i.responded_at, i.consent_reason
         FROM meeting_invitee i
         JOIN agency a ON a.id = i.agency_id
         LEFT JOIN app_user u ON u.id = i.user_id
         LEFT JOIN app_user r ON r.id = i.responded_by
         WHERE i.meeting_id = $1
         ORDER BY a.name",
    )
    .bind(scope.meeting_id())
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClashRow {
    pub agency_name: String,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i32,
}

/// Other scheduled meetings of the given agencies (as invitee or as convener) that overlap
/// [start, end), asked through the
/// scope of the meeting being scheduled (its case opened by the convener). Only the agency
/// and the time are returned: other cases' meetings are not the convener's business.
pub async fn clashes(
    conn: &mut PgConnection,
    _scope: &impl crate::access::OnCase,
    agencies: &[Uuid],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    except: Option<Uuid>,
) -> sqlx::Result<Vec<ClashRow>> {
    sqlx::query_as(
        "SELECT a.name AS agency_name, m.starts_at, m.duration_minutes
         FROM meeting m
         -- the agencies taking part: the invited ones and the convener's own
         CROSS JOIN LATERAL (
             SELECT i.agency_id FROM meeting_invitee i WHERE i.meeting_id = m.id
             UNION
             SELECT m.convener_agency_id
         ) p
         JOIN agency a ON a.id = p.agency_id
         WHERE m.status = 'scheduled' AND p.agency_id = ANY ($1)
           -- a meeting lasts at most 8 hours: the time index finds the candidates
           AND m.starts_at < $3 AND m.starts_at > $2 - interval '8 hours'
           AND m.starts_at + make_interval(mins => m.duration_minutes) > $2
           AND ($4::uuid IS NULL OR m.id <> $4)
         ORDER BY m.starts_at, a.name
         LIMIT 50",
    )
    .bind(agencies)
    .bind(start)
    .bind(end)
    .bind(except)
    .fetch_all(conn)
    .await
}

pub async fn rsvp(
    conn: &mut PgConnection,
    scope: &MeetingScope,
    response: &str,
) -> sqlx::Result<bool> {
    let (meeting_id, agency_id, user_id) = (scope.meeting_id(), scope.agency_id(), scope.user_id());
    Ok(sqlx::query(
        "UPDATE meeting_invitee SET response = $3, responded_by = $4, responded_at = now()
         WHERE meeting_id = $1 AND agency_id = $2",
    )
    .bind(meeting_id)
    .bind(agency_id)
    .bind(response)
    .bind(user_id)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// New time and place; answers go back to pending and the calendar SEQUENCE goes up.
#[allow(clippy::too_many_arguments)]
pub async fn reschedule(
    conn: &mut PgConnection,
    scope: &MeetingScope,
    starts_at: DateTime<Utc>,
    duration_minutes: i32,
    place: &str,
    online_url: &str,
    phone: &str,
) -> sqlx::Result<bool> {
    let moved = sqlx::query(
        "UPDATE meeting SET starts_at = $2, duration_minutes = $3, place = $4, online_url = $5,
                phone = $6, sequence = sequence + 1, updated_at = now()
         WHERE id = $1 AND status = 'scheduled'",
    )
    .bind(scope.meeting_id())
    .bind(starts_at)
    .bind(duration_minutes)
    .bind(place)
    .bind(online_url)
    .bind(phone)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if moved {
        sqlx::query(
            "UPDATE meeting_invitee SET response = 'pending', responded_by = NULL, responded_at = NULL
             WHERE meeting_id = $1",
        )
        .bind(scope.meeting_id())
        .execute(conn)
        .await?;
    }
    Ok(moved)
}

pub async fn cancel(
    conn: &mut PgConnection,
    scope: &MeetingScope,
    reason: &str,
) -> sqlx::Result<bool> {
    let id = scope.meeting_id();
    Ok(sqlx::query(
        "UPDATE meeting SET status = 'cancelled', cancel_reason = $2, sequence = sequence + 1,
                updated_at = now()
         WHERE id = $1 AND status = 'scheduled'",
    )
    .bind(id)
    .bind(reason)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// The convener's own text around the generated sections, with the information category that
/// decides who reads it (None: the convening agency only).
pub async fn set_material(
    conn: &mut PgConnection,
    scope: &MeetingScope,
    text: &str,
    html: &str,
    category: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE meeting SET material = $3, material_html = $4, material_by = $2, material_at = now(),
                material_category = $5, updated_at = now()
         WHERE id = $1",
    )
    .bind(scope.meeting_id())
    .bind(scope.user_id())
    .bind(text)
    .bind(html)
    .bind(category)
    .execute(conn)
    .await?;
    Ok(())
}

/// The convener's own text of the material, as HTML, when the reader may read it
/// (`rules::material_text_visible`).
pub async fn material_text(
    conn: &mut PgConnection,
    scope: &MeetingScope,
    reader: Reader,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(&format!(
        "SELECT m.material_html FROM meeting m WHERE m.id = $1 AND {}",
        rules::material_text_visible("$2")
    ))
    .bind(scope.meeting_id())
    .bind(reader.agency_id())
    .fetch_optional(conn)
    .await
}

/// Records the minutes; false when the meeting was cancelled or already held.
pub async fn hold(
    conn: &mut PgConnection,
    scope: &MeetingScope,
    attendees: &str,
    discussion: &str,
    decisions: &str,
) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "UPDATE meeting SET status = 'held', attendees = $2, discussion = $3, decisions = $4,
                held_at = now(), updated_at = now(), minutes_by = $5, minutes_at = now(),
                minutes_version = 1
         WHERE id = $1 AND status = 'scheduled' AND starts_at <= now()",
    )
    .bind(scope.meeting_id())
    .bind(attendees)
    .bind(discussion)
    .bind(decisions)
    .bind(scope.user_id())
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Corrects held minutes: the version they replace is kept in `minutes_version`. None when the
/// minutes are no longer at `expected` (someone else changed them first) or the meeting is not
/// held; else the new version's number.
pub async fn edit_minutes(
    conn: &mut PgConnection,
    scope: &MeetingScope,
    expected: i32,
    attendees: &str,
    discussion: &str,
    decisions: &str,
) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar(
        "WITH old AS (
             SELECT id, minutes_version, attendees, discussion, decisions, minutes_by, minutes_at
               FROM meeting
              WHERE id = $1 AND status = 'held' AND minutes_version = $2 AND starts_at <= now()
              FOR UPDATE),
         kept AS (
             INSERT INTO minutes_version (meeting_id, version, attendees, discussion, decisions,
                                          written_by, written_at, replaced_by)
             SELECT id, minutes_version, attendees, discussion, decisions, minutes_by,
                    minutes_at, $6
               FROM old)
         UPDATE meeting m
            SET attendees = $3, discussion = $4, decisions = $5, minutes_by = $6,
                minutes_at = now(), minutes_version = m.minutes_version + 1, updated_at = now()
           FROM old
          WHERE m.id = old.id
         RETURNING m.minutes_version",
    )
    .bind(scope.meeting_id())
    .bind(expected)
    .bind(attendees)
    .bind(discussion)
    .bind(decisions)
    .bind(scope.user_id())
    .fetch_optional(conn)
    .await
}

/// One earlier version of a meeting's minutes.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MinutesVersionRow {
    pub version: i32,
    pub attendees: String,
    pub discussion: String,
    pub decisions: String,
    pub written_by_name: Option<String>,
    pub written_at: Option<DateTime<Utc>>,
    pub replaced_by_name: String,
    pub replaced_at: DateTime<Utc>,
}

/// The earlier versions of the scope's meeting's minutes, newest first.
pub async fn minutes_history(
    conn: &mut PgConnection,
    scope: &MeetingScope,
) -> sqlx::Result<Vec<MinutesVersionRow>> {
    sqlx::query_as(
        "SELECT v.version, v.attendees, v.discussion, v.decisions,
                w.display_name AS written_by_name, v.written_at,
                r.display_name AS replaced_by_name, v.replaced_at
           FROM minutes_version v
           LEFT JOIN app_user w ON w.id = v.written_by
           JOIN app_user r ON r.id = v.replaced_by
          WHERE v.meeting_id = $1
          ORDER BY v.version DESC",
    )
    .bind(scope.meeting_id())
    .fetch_all(conn)
    .await
}

/// Someone an action item can be given to: an agency on the case's team, the convener or an
/// invited agency, and (when `user_id` is set) one of its active staff.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OwnerRow {
    pub agency_id: Uuid,
    pub agency_name: String,
    pub user_id: Option<Uuid>,
    pub user_name: Option<String>,
}

/// The agencies an action item of the scope's meeting can be given to, each with its staff:
/// the case's team as it stands, the convener and the invited agencies.
pub async fn owner_people(
    conn: &mut PgConnection,
    scope: &MeetingScope,
) -> sqlx::Result<Vec<OwnerRow>> {
    sqlx::query_as(
        "WITH agencies AS (
             SELECT agency_id FROM case_agency WHERE case_id = $1 AND left_on IS NULL
             UNION SELECT convener_agency_id FROM meeting WHERE id = $2
             UNION SELECT agency_id FROM meeting_invitee WHERE meeting_id = $2)
         SELECT a.id AS agency_id, a.name AS agency_name, p.user_id, p.user_name
           FROM agencies g
           JOIN agency a ON a.id = g.agency_id
           LEFT JOIN LATERAL (
               SELECT u.id AS user_id, u.display_name AS user_name
                 FROM membership mb JOIN app_user u ON u.id = mb.user_id
                WHERE mb.agency_id = a.id AND u.active AND u.participant_case_id IS NULL) p
             ON true
          ORDER BY a.name, a.id, p.user_name, p.user_id",
    )
    .bind(scope.case_id())
    .bind(scope.meeting_id())
    .fetch_all(conn)
    .await
}

/// An action item; its case and author are the scope's.
pub struct NewActionItem<'a> {
    pub meeting_id: Option<Uuid>,
    pub owner_agency_id: Uuid,
    pub owner_user_id: Option<Uuid>,
    pub what: &'a str,
    pub how: &'a str,
    pub due_on: NaiveDate,
}

/// An action item decided at the scope's meeting (or, with `meeting_id` None, on its case).
pub async fn add_action_item(
    conn: &mut PgConnection,
    scope: &impl crate::access::OnCase,
    a: &NewActionItem<'_>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO action_item (id, case_id, meeting_id, owner_agency_id, owner_user_id, what,
                                  how, due_on, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(scope.case_id())
    .bind(a.meeting_id)
    .bind(a.owner_agency_id)
    .bind(a.owner_user_id)
    .bind(a.what)
    .bind(a.how)
    .bind(a.due_on)
    .bind(scope.actor().user_id())
    .execute(conn)
    .await?;
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct ActionRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub family_name: String,
    pub given_name: String,
    pub meeting_id: Option<Uuid>,
    pub owner_agency_id: Uuid,
    pub owner_agency_name: String,
    pub owner_user_name: Option<String>,
    pub what: String,
    pub how: String,
    pub due_on: NaiveDate,
    pub status: String,
    pub done_note: String,
    pub overdue: bool,
}

fn action_select() -> String {
    format!(
        "SELECT x.id, x.case_id, p.family_name, p.given_name, x.meeting_id, x.owner_agency_id,
                a.name AS owner_agency_name, u.display_name AS owner_user_name, x.what, x.how,
                x.due_on, x.status, x.done_note,
                (x.status = 'open' AND x.due_on < {TODAY}) AS overdue
         FROM action_item x
         JOIN case_file c ON c.id = x.case_id
         JOIN participant p ON p.id = c.participant_id
         JOIN agency a ON a.id = x.owner_agency_id
         LEFT JOIN app_user u ON u.id = x.owner_user_id"
    )
}

/// The action items of a case the agency may read (open first): its own, and those of the
/// meetings it convened or was invited to.
pub async fn actions_for_case(
    conn: &mut PgConnection,
    case: &CaseScope,
) -> sqlx::Result<Vec<ActionRow>> {
    actions_where(conn, case.agency_id(), case.case_id(), None).await
}

/// The action items the reader may read; with a meeting, only those decided at it.
pub async fn actions_for(
    conn: &mut PgConnection,
    reader: Reader,
    meeting: Option<&MeetingScope>,
) -> sqlx::Result<Vec<ActionRow>> {
    let only = meeting.map(|m| m.meeting_id());
    actions_where(conn, reader.agency_id(), reader.case_id(), only).await
}

async fn actions_where(
    conn: &mut PgConnection,
    agency_id: Uuid,
    case_id: Uuid,
    meeting: Option<Uuid>,
) -> sqlx::Result<Vec<ActionRow>> {
    sqlx::query_as(&format!(
        "{} WHERE x.case_id = $2 AND ($3::uuid IS NULL OR x.meeting_id = $3) AND {}
         ORDER BY x.status = 'done', x.due_on, x.id LIMIT 200",
        action_select(),
        rules::action_visible("$1")
    ))
    .bind(agency_id)
    .bind(case_id)
    .bind(meeting)
    .fetch_all(conn)
    .await
}

/// The agency's own open action items, by due date (overdue first).
pub async fn open_actions_for_agency(
    conn: &mut PgConnection,
    actor: Actor,
    limit: i64,
) -> sqlx::Result<Vec<ActionRow>> {
    let agency_id = actor.agency_id();
    sqlx::query_as(&open_actions_sql("$2"))
        .bind(agency_id)
        .bind(limit)
        .fetch_all(conn)
        .await
}

/// The SQL of `open_actions_for_agency` (`$1` the agency, `limit` an SQL expression; also part
/// of the dashboard's statement).
pub(crate) fn open_actions_sql(limit: &str) -> String {
    format!(
        "{} WHERE x.owner_agency_id = $1 AND x.status = 'open'
         ORDER BY x.due_on, x.id LIMIT {limit}",
        action_select()
    )
}

/// Marks an action item of the agency done. False when it is not theirs or already done.
pub async fn finish_action(
    conn: &mut PgConnection,
    actor: Actor,
    id: Uuid,
    note: &str,
) -> sqlx::Result<Option<Uuid>> {
    let (agency_id, user_id) = (actor.agency_id(), actor.user_id());
    sqlx::query_scalar(
        "UPDATE action_item SET status = 'done', done_note = $4, done_by = $3, done_at = now()
         WHERE id = $1 AND owner_agency_id = $2 AND status = 'open'
         RETURNING case_id",
    )
    .bind(id)
    .bind(agency_id)
    .bind(user_id)
    .bind(note)
    .fetch_optional(conn)
    .await
}

// ---- calendar feeds ---------------------------------------------------------------------------

pub async fn set_feed(
    conn: &mut PgConnection,
    user_id: Uuid,
    token_hash: &[u8],
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO calendar_feed (user_id, token_hash) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = now()",
    )
    .bind(user_id)
    .bind(token_hash)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn revoke_feed(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM calendar_feed WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn has_feed(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM calendar_feed WHERE user_id = $1)")
        .bind(user_id)
        .fetch_one(conn)
        .await
}

/// The active user a feed token belongs to.
pub async fn feed_user(conn: &mut PgConnection, token_hash: &[u8]) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "SELECT f.user_id FROM calendar_feed f JOIN app_user u ON u.id = f.user_id AND u.active
         WHERE f.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await
}

/// The meetings a user's agencies are invited to (or the user by name), from 30 days ago on;
/// cancelled ones stay so that calendars remove them.
pub async fn feed_meetings(
    conn: &mut PgConnection,
    user_id: Uuid,
) -> sqlx::Result<Vec<MeetingRow>> {
    sqlx::query_as(&format!(
        "{MEETING_SELECT}
         WHERE m.starts_at > now() - interval '30 days' AND m.status <> 'held'
           AND EXISTS (SELECT 1 FROM meeting_invitee i
                       WHERE i.meeting_id = m.id
                         AND (i.user_id = $1 OR i.agency_id IN
                              (SELECT agency_id FROM membership WHERE user_id = $1)))
         ORDER BY m.starts_at LIMIT 500"
    ))
    .bind(user_id)
    .fetch_all(conn)
    .await
}
