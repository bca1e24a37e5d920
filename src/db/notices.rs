//! Notification settings and the outbox. A notice is written in the transaction of the change
//! it announces; the mail worker claims due rows with `FOR UPDATE SKIP LOCKED`, so any number
//! of processes share the outbox and each message goes out once.

use crate::domain::notice::{self, Kind, Mode};
use crate::i18n::Lang;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

/// A user's notification settings, defaults filled in.
#[derive(Debug, Clone)]
pub struct Settings {
    pub lang: Lang,
    pub digest_at: NaiveTime,
    pub modes: Vec<(Kind, Mode)>,
}

pub async fn settings(conn: &mut PgConnection, user: Uuid) -> sqlx::Result<Settings> {
    let row: Option<(String, NaiveTime)> =
        sqlx::query_as("SELECT lang, digest_at FROM notify_setting WHERE user_id = $1")
            .bind(user)
            .fetch_optional(&mut *conn)
            .await?;
    let chosen: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, mode FROM notify_pref WHERE user_id = $1")
            .bind(user)
            .fetch_all(&mut *conn)
            .await?;
    let (lang, digest_at) = row
        .map(|(l, d)| (Lang::parse(&l).unwrap_or(Lang::Ja), d))
        .unwrap_or((Lang::Ja, notice::default_digest_at()));
    let modes = Kind::ALL
        .into_iter()
        .map(|k| {
            let mode = chosen
                .iter()
                .find(|(c, _)| c == k.code())
                .and_then(|(_, m)| Mode::parse(m))
                .unwrap_or(k.default_mode());
            (k, mode)
        })
        .collect();
    Ok(Settings {
        lang,
        digest_at,
        modes,
    })
}

/// Saves every kind's mode, the digest time and the language; unsent digest notices move to
/// the new digest time.
pub async fn save(conn: &mut PgConnection, user: Uuid, s: &Settings) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO notify_setting (user_id, lang, digest_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE
            SET lang = EXCLUDED.lang, digest_at = EXCLUDED.digest_at, updated_at = now()",
    )
    .bind(user)
    .bind(s.lang.code())
    .bind(s.digest_at)
    .execute(&mut *conn)
    .await?;
    let kinds: Vec<&str> = s.modes.iter().map(|(k, _)| k.code()).collect();
    let modes: Vec<&str> = s.modes.iter().map(|(_, m)| m.code()).collect();
    sqlx::query(
        "INSERT INTO notify_pref (user_id, kind, mode)
         SELECT $1, k, m FROM unnest($2::text[], $3::text[]) AS t (k, m)
         ON CONFLICT (user_id, kind) DO UPDATE SET mode = EXCLUDED.mode",
    )
    .bind(user)
    .bind(&kinds)
    .bind(&modes)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE outbox SET due_at = $2
          WHERE user_id = $1 AND sent_at IS NULL AND mode = 'digest' AND attempts = 0",
    )
    .bind(user)
    .bind(notice::next_digest(Utc::now(), s.digest_at))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A notice to write: its kind, who gets it, the words' arguments (names and ISO dates, never
/// personal or clinical text), the page it links to, and what to attach.
#[derive(Debug, Clone)]
pub struct Notice<'a> {
    pub kind: Kind,
    pub recipients: &'a [Uuid],
    pub args: Value,
    pub link: String,
    pub ics: Option<String>,
    /// A notice that must exist once per recipient (a due date announced once a day).
    pub dedupe: Option<String>,
}

/// Writes the notice for each recipient who has not turned its kind off: due now, or at the
/// recipient's next digest time. Two statements whatever the number of recipients.
pub async fn enqueue(conn: &mut PgConnection, n: &Notice<'_>) -> sqlx::Result<u64> {
    if n.recipients.is_empty() {
        return Ok(0);
    }
    let chosen: Vec<(Uuid, Option<String>, Option<NaiveTime>)> = sqlx::query_as(
        "SELECT r.id, p.mode, s.digest_at
           FROM unnest($1::uuid[]) AS r (id)
           LEFT JOIN notify_pref p ON p.user_id = r.id AND p.kind = $2
           LEFT JOIN notify_setting s ON s.user_id = r.id",
    )
    .bind(n.recipients)
    .bind(n.kind.code())
    .fetch_all(&mut *conn)
    .await?;
    let now = Utc::now();
    let (mut users, mut modes, mut dues, mut dedupes) = (vec![], vec![], vec![], vec![]);
    for (user, mode, digest_at) in chosen {
        let mode = mode
            .as_deref()
            .and_then(Mode::parse)
            .unwrap_or(n.kind.default_mode());
        let due: DateTime<Utc> = match mode {
            Mode::Off => continue,
            Mode::Immediate => now,
            Mode::Digest => {
                notice::next_digest(now, digest_at.unwrap_or(notice::default_digest_at()))
            }
        };
        users.push(user);
        modes.push(mode.code());
        dues.push(due);
        dedupes.push(n.dedupe.as_ref().map(|d| format!("{d}:{user}")));
    }
    let ids: Vec<Uuid> = users.iter().map(|_| Uuid::now_v7()).collect();
    let written = sqlx::query(
        "INSERT INTO outbox (id, user_id, kind, mode, args, link, ics, dedupe, due_at)
         SELECT t.id, t.user_id, $5, t.mode, $6, $7, $8, t.dedupe, t.due_at
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $9::text[])
                AS t (id, user_id, mode, due_at, dedupe)
         ON CONFLICT (dedupe) DO NOTHING",
    )
    .bind(&ids)
    .bind(&users)
    .bind(&modes)
    .bind(&dues)
    .bind(n.kind.code())
    .bind(&n.args)
    .bind(&n.link)
    .bind(&n.ics)
    .bind(&dedupes)
    .execute(&mut *conn)
    .await?;
    Ok(written.rows_affected())
}

/// The active staff of these agencies (no participant accounts), but not `except` (whoever
/// caused the notice).
pub async fn agency_members(
    conn: &mut PgConnection,
    agencies: &[Uuid],
    except: Uuid,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT DISTINCT m.user_id FROM membership m JOIN app_user u ON u.id = m.user_id
          WHERE m.agency_id = ANY ($1) AND u.active AND u.participant_case_id IS NULL
            AND m.user_id <> $2",
    )
    .bind(agencies)
    .bind(except)
    .fetch_all(conn)
    .await
}

/// The coordinators of an agency (the lead's coordinators get the consent reminders).
pub async fn agency_coordinators(conn: &mut PgConnection, agency: Uuid) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT m.user_id FROM membership m JOIN app_user u ON u.id = m.user_id
          WHERE m.agency_id = $1 AND m.role = 'coordinator' AND u.active",
    )
    .bind(agency)
    .fetch_all(conn)
    .await
}

/// The coordinators of the case's lead agency (the bad-days alert goes only to them).
pub async fn lead_coordinators(conn: &mut PgConnection, case_id: Uuid) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT m.user_id FROM case_file c
           JOIN membership m ON m.agency_id = c.lead_agency_id AND m.role = 'coordinator'
           JOIN app_user u ON u.id = m.user_id AND u.active AND u.participant_case_id IS NULL
          WHERE c.id = $1",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await
}

/// A reminder the daily sweep found: whom, of what kind, where it links, with what words.
#[derive(Debug, sqlx::FromRow)]
pub struct Due {
    pub user_id: Uuid,
    pub kind: String,
    pub link: String,
    pub due_on: NaiveDate,
    pub agency: String,
    pub dedupe: String,
}

/// What is due tomorrow or overdue today (open tasks to the owner agency's members — a support
/// plan's review as its own kind, linking to the plans — open
/// action items to their owner or the owner agency's members) and the consents that expire
/// within 30 days (to the lead agency's coordinators). Only dates, names of agencies and
/// links: never a task's or an item's text. `today` is Tokyo's.
pub async fn due_reminders(conn: &mut PgConnection, today: NaiveDate) -> sqlx::Result<Vec<Due>> {
    sqlx::query_as(
        "SELECT m.user_id,
                CASE WHEN t.source LIKE 'plan-review:%' THEN 'plan_review_due' ELSE 'item_due' END
                    AS kind,
                '/cases/' || t.case_id
                    || CASE WHEN t.source LIKE 'plan-review:%' OR t.source LIKE 'plan-first:%'
                            THEN '/plans' ELSE '/legal' END
                    AS link,
                t.due_on, a.name AS agency,
                'task:' || t.id || ':' || $1::date AS dedupe
           FROM task t
           JOIN agency a ON a.id = t.owner_agency_id
           JOIN membership m ON m.agency_id = t.owner_agency_id
           JOIN app_user u ON u.id = m.user_id AND u.active
           JOIN case_agency ca ON ca.case_id = t.case_id AND ca.agency_id = t.owner_agency_id
                AND ca.left_on IS NULL
          WHERE t.status = 'open' AND t.due_on <= $1::date + 1
         UNION ALL
         SELECT u.id, 'item_due', '/meetings/' || i.meeting_id, i.due_on, a.name,
                'action:' || i.id || ':' || $1::date
           FROM action_item i
           JOIN agency a ON a.id = i.owner_agency_id
           JOIN app_user u ON u.active AND (u.id = i.owner_user_id OR (i.owner_user_id IS NULL
                AND u.id IN (SELECT user_id FROM membership WHERE agency_id = i.owner_agency_id)))
          WHERE i.status = 'open' AND i.due_on IS NOT NULL AND i.due_on <= $1::date + 1
         UNION ALL
         SELECT m.user_id, 'consent_expiring', '/cases/' || c.case_id || '/consents',
                c.valid_until, a.name, 'consent:' || c.id || ':' || c.valid_until
           FROM consent c
           JOIN case_file f ON f.id = c.case_id AND f.closed_on IS NULL
           JOIN agency a ON a.id = c.agency_id
           JOIN membership m ON m.agency_id = f.lead_agency_id AND m.role = 'coordinator'
           JOIN app_user u ON u.id = m.user_id AND u.active
          WHERE c.revoked_at IS NULL AND c.valid_until IS NOT NULL
            AND c.valid_until BETWEEN $1::date AND $1::date + 30",
    )
    .bind(today)
    .fetch_all(conn)
    .await
}

/// A claimed outbox row, with what the mail needs of its recipient.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Outgoing {
    pub id: Uuid,
    pub user_id: Uuid,
    pub email: String,
    pub lang: Option<String>,
    pub kind: String,
    pub mode: String,
    pub args: Value,
    pub link: String,
    pub ics: Option<String>,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
}

/// Claims up to `limit` due rows for the caller's transaction: rows another process holds are
/// skipped, so two workers never send the same row. A digest row is claimed with every other
/// due digest row of its user (they go out in one mail).
pub async fn claim(conn: &mut PgConnection, limit: i64) -> sqlx::Result<Vec<Outgoing>> {
    sqlx::query_as(
        "SELECT o.id, o.user_id, u.email, s.lang, o.kind, o.mode, o.args, o.link, o.ics,
                o.attempts, o.created_at
           FROM outbox o
           JOIN app_user u ON u.id = o.user_id
           LEFT JOIN notify_setting s ON s.user_id = o.user_id
          WHERE o.sent_at IS NULL AND o.due_at <= now()
          ORDER BY o.due_at, o.id
          LIMIT $1
          FOR UPDATE OF o SKIP LOCKED",
    )
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn mark_sent(conn: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<()> {
    sqlx::query("UPDATE outbox SET sent_at = now(), last_error = NULL WHERE id = ANY ($1)")
        .bind(ids)
        .execute(conn)
        .await
        .map(|_| ())
}

/// A send that failed: the rows wait `notice::retry_after` their new attempt count.
pub async fn mark_failed(
    conn: &mut PgConnection,
    ids: &[Uuid],
    attempts: i32,
    error: &str,
) -> sqlx::Result<()> {
    let next = Utc::now() + notice::retry_after(attempts + 1);
    sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, due_at = $2, last_error = left($3, 500)
          WHERE id = ANY ($1)",
    )
    .bind(ids)
    .bind(next)
    .bind(error)
    .execute(conn)
    .await
    .map(|_| ())
}

/// For the admin page: notices waiting, of which some after a failure, and sent in 24 hours.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Status {
    pub waiting: i64,
    pub retrying: i64,
    pub sent_today: i64,
    pub last_error: Option<String>,
}

pub async fn status(conn: &mut PgConnection) -> sqlx::Result<Status> {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE sent_at IS NULL) AS waiting,
                count(*) FILTER (WHERE sent_at IS NULL AND attempts > 0) AS retrying,
                count(*) FILTER (WHERE sent_at > now() - interval '1 day') AS sent_today,
                (SELECT last_error FROM outbox WHERE sent_at IS NULL AND last_error IS NOT NULL
                  ORDER BY due_at DESC LIMIT 1) AS last_error
           FROM outbox WHERE sent_at IS NULL OR sent_at > now() - interval '1 day'",
    )
    .fetch_one(conn)
    .await
}
