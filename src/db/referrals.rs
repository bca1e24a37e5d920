//! The pre-referral information and referrals. Referral rows are read only through functions
//! that take the acting agency: the sender always, the receiver once it was sent.

use super::cases::{Actor, TODAY};
use crate::access::rules::NOTE_VISIBLE;
use crate::access::{OnCase, Reader, ReferralScope};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

pub async fn add_note(
    conn: &mut PgConnection,
    scope: &crate::access::CaseScope,
    item: &str,
    category: &str,
    body: &str,
) -> sqlx::Result<Uuid> {
    let (actor, case_id) = (scope.actor(), scope.case_id());
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO prereferral_note (id, case_id, item, category, body, author_user_id,
                                       author_agency_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(case_id)
    .bind(item)
    .bind(category)
    .bind(body)
    .bind(actor.user_id())
    .bind(actor.agency_id())
    .execute(conn)
    .await?;
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct NoteRow {
    pub item: String,
    pub category: String,
    pub body: String,
    pub author_name: String,
    pub author_agency_name: String,
    pub written_at: DateTime<Utc>,
}

impl NoteRow {
    /// 山本 恵（さくら通りクリニック） / 山本 恵 (さくら通りクリニック)
    pub fn by_line(&self, tr: &crate::i18n::Tr) -> String {
        tr.targs(
            "event-paren",
            &[
                ("text", &self.author_name),
                ("note", &self.author_agency_name),
            ],
        )
    }
}

/// The newest visible note of each item.
pub async fn latest_notes(conn: &mut PgConnection, reader: Reader) -> sqlx::Result<Vec<NoteRow>> {
    let (case_id, agency_id) = (reader.case_id(), reader.agency_id());
    sqlx::query_as(&format!(
        "SELECT DISTINCT ON (n.item) n.item, n.category, n.body, u.display_name AS author_name,
                a.name AS author_agency_name, n.written_at
         FROM prereferral_note n
         JOIN app_user u ON u.id = n.author_user_id
         JOIN agency a ON a.id = n.author_agency_id
         WHERE n.case_id = $2 AND {}
         ORDER BY n.item, n.written_at DESC",
        *NOTE_VISIBLE
    ))
    .bind(agency_id)
    .bind(case_id)
    .fetch_all(conn)
    .await
}

/// The categories of `required` that no live consent of the case covers for `agency_id`.
pub async fn missing_consent(
    conn: &mut PgConnection,
    scope: &impl OnCase,
    agency_id: Uuid,
    required: &[String],
) -> sqlx::Result<Vec<String>> {
    let case_id = scope.case_id();
    sqlx::query_scalar(&format!(
        "SELECT r FROM unnest($3::text[]) WITH ORDINALITY AS q(r, n)
         WHERE NOT EXISTS (SELECT 1 FROM consent k
                           WHERE k.case_id = $1 AND k.agency_id = $2 AND r = ANY (k.categories)
                             AND k.revoked_at IS NULL AND k.given_on <= {TODAY}
                             AND (k.valid_until IS NULL OR k.valid_until >= {TODAY}))
         ORDER BY n"
    ))
    .bind(case_id)
    .bind(agency_id)
    .bind(required)
    .fetch_all(conn)
    .await
}

/// A referral to draft from the scope's case.
pub struct NewReferral<'a> {
    pub to_agency_id: Uuid,
    pub hopes: &'a str,
    pub assessment_id: Option<Uuid>,
}

/// A draft. Fails with a unique violation on `referral_one_open_idx` when an open referral to
/// the same agency exists for the case.
pub async fn create(
    conn: &mut PgConnection,
    scope: &crate::access::CaseScope,
    r: &NewReferral<'_>,
) -> sqlx::Result<Uuid> {
    let actor = scope.actor();
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO referral (id, case_id, from_agency_id, to_agency_id, hopes, assessment_id,
                               created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(scope.case_id())
    .bind(actor.agency_id())
    .bind(r.to_agency_id)
    .bind(r.hopes)
    .bind(r.assessment_id)
    .bind(actor.user_id())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO referral_event (id, referral_id, to_state, user_id, agency_id)
         VALUES ($1, $2, 'draft', $3, $4)",
    )
    .bind(Uuid::now_v7())
    .bind(id)
    .bind(actor.user_id())
    .bind(actor.agency_id())
    .execute(conn)
    .await?;
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct ReferralRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub family_name: String,
    pub given_name: String,
    pub from_agency_id: Uuid,
    pub from_name: String,
    pub to_agency_id: Uuid,
    pub to_name: String,
    pub to_kind: String,
    pub state: String,
    pub hopes: String,
    pub assessment_id: Option<Uuid>,
    pub packet: Option<serde_json::Value>,
    pub visit_on: Option<NaiveDate>,
    pub service_start: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

const REFERRAL_SELECT: &str = "SELECT r.id, r.case_id, p.family_name, p.given_name,
        r.from_agency_id, fa.name AS from_name, r.to_agency_id, ta.name AS to_name,
        ta.kind AS to_kind, r.state, r.hopes, r.assessment_id, r.packet, r.visit_on,
        r.service_start, r.created_at, r.sent_at, r.updated_at
     FROM referral r
     JOIN case_file c ON c.id = r.case_id
     JOIN participant p ON p.id = c.participant_id
     JOIN agency fa ON fa.id = r.from_agency_id
     JOIN agency ta ON ta.id = r.to_agency_id";

/// The referral the scope opened.
pub async fn get(conn: &mut PgConnection, scope: &ReferralScope) -> sqlx::Result<ReferralRow> {
    sqlx::query_as(&format!("{REFERRAL_SELECT} WHERE r.id = $1"))
        .bind(scope.referral_id())
        .fetch_one(conn)
        .await
}

/// The referrals of a case, for an agency on its team (the referrals it can read).
pub async fn for_case(
    conn: &mut PgConnection,
    case: &crate::access::CaseScope,
) -> sqlx::Result<Vec<ReferralRow>> {
    sqlx::query_as(&format!(
        "{REFERRAL_SELECT} WHERE r.case_id = $2 AND {}
         ORDER BY r.updated_at DESC LIMIT 100",
        crate::access::rules::referral_reader("$1")
    ))
    .bind(case.agency_id())
    .bind(case.case_id())
    .fetch_all(conn)
    .await
}

/// Referrals sent to the agency, open ones first, newest first.
pub async fn incoming(
    conn: &mut PgConnection,
    actor: Actor,
    open_only: bool,
    limit: i64,
) -> sqlx::Result<Vec<ReferralRow>> {
    let agency_id = actor.agency_id();
    sqlx::query_as(&incoming_sql("$2", "$3"))
        .bind(agency_id)
        .bind(open_only)
        .bind(limit)
        .fetch_all(conn)
        .await
}

/// The SQL of `incoming` (`$1` the agency, `open_only` and `limit` SQL expressions; also part
/// of the dashboard's statement).
pub(crate) fn incoming_sql(open_only: &str, limit: &str) -> String {
    format!(
        "{REFERRAL_SELECT} WHERE r.to_agency_id = $1 AND r.state <> 'draft'
           AND (NOT {open_only} OR r.state NOT IN ('accepted', 'declined', 'withdrawn'))
         ORDER BY r.state IN ('accepted', 'declined', 'withdrawn'), r.updated_at DESC
         LIMIT {limit}"
    )
}

pub async fn outgoing(
    conn: &mut PgConnection,
    actor: Actor,
    limit: i64,
) -> sqlx::Result<Vec<ReferralRow>> {
    let agency_id = actor.agency_id();
    sqlx::query_as(&format!(
        "{REFERRAL_SELECT} WHERE r.from_agency_id = $1
         ORDER BY r.state IN ('accepted', 'declined', 'withdrawn'), r.updated_at DESC LIMIT $2"
    ))
    .bind(agency_id)
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub struct Transition<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub note: &'a str,
    pub decline_reason: Option<&'a str>,
    pub visit_on: Option<NaiveDate>,
    pub service_start: Option<NaiveDate>,
    pub packet: Option<serde_json::Value>,
}

/// Moves the referral if it is still in `t.from` (a concurrent change makes this a no-op that
/// returns false), and records who did it, when, and why.
pub async fn transition(
    conn: &mut PgConnection,
    scope: &ReferralScope,
    t: &Transition<'_>,
) -> sqlx::Result<bool> {
    let (actor, id) = (scope.actor(), scope.referral_id());
    let moved = sqlx::query(
        "UPDATE referral SET state = $3, updated_at = now(),
                visit_on = coalesce($4, visit_on),
                service_start = coalesce($5, service_start),
                packet = coalesce($6, packet),
                sent_at = CASE WHEN $3 = 'sent' THEN now() ELSE sent_at END
         WHERE id = $1 AND state = $2",
    )
    .bind(id)
    .bind(t.from)
    .bind(t.to)
    .bind(t.visit_on)
    .bind(t.service_start)
    .bind(&t.packet)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if moved {
        sqlx::query(
            "INSERT INTO referral_event (id, referral_id, from_state, to_state, user_id, agency_id,
                                         note, decline_reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(Uuid::now_v7())
        .bind(id)
        .bind(t.from)
        .bind(t.to)
        .bind(actor.user_id())
        .bind(actor.agency_id())
        .bind(t.note)
        .bind(t.decline_reason)
        .execute(conn)
        .await?;
    }
    Ok(moved)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub from_state: Option<String>,
    pub to_state: String,
    pub user_name: String,
    pub agency_name: String,
    pub at: DateTime<Utc>,
    pub note: String,
    pub decline_reason: Option<String>,
}

/// The history of a referral the agency may read.
pub async fn events(conn: &mut PgConnection, scope: &ReferralScope) -> sqlx::Result<Vec<EventRow>> {
    sqlx::query_as(
        "SELECT ev.from_state, ev.to_state, u.display_name AS user_name, a.name AS agency_name,
                ev.at, ev.note, ev.decline_reason
         FROM referral_event ev
         JOIN app_user u ON u.id = ev.user_id
         JOIN agency a ON a.id = ev.agency_id
         WHERE ev.referral_id = $1
         ORDER BY ev.at, ev.id",
    )
    .bind(scope.referral_id())
    .fetch_all(conn)
    .await
}

/// What a referral carries, frozen when it is sent.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Packet {
    pub person_name: String,
    pub person_kana: String,
    pub birth_date: Option<NaiveDate>,
    pub disabilities: Vec<String>,
    pub municipality: String,
    pub from_agency: String,
    pub to_agency: String,
    pub hopes: String,
    /// (criterion text, value, note)
    pub readiness: Vec<(String, String, String)>,
    pub readiness_on: Option<NaiveDate>,
    pub readiness_met: Option<(usize, usize)>,
    pub notes: Vec<NoteRow>,
    pub sent_by: String,
    /// the catalog keys of `disabilities` (packets sent before they were kept have none)
    #[serde(default)]
    pub disability_keys: Vec<String>,
    /// the criteria of `readiness` in English, in the same order
    #[serde(default)]
    pub readiness_en: Vec<String>,
    /// the sending agency's contact details, for the letter
    #[serde(default)]
    pub from_address: String,
    #[serde(default)]
    pub from_phone: String,
    /// the day the person's consent covering the referral was given
    #[serde(default)]
    pub consent_on: Option<NaiveDate>,
}

impl Packet {
    /// The disabilities in the reader's words (as frozen, for packets without their keys).
    pub fn disabilities_for(&self, tr: &crate::i18n::Tr) -> String {
        if self.disability_keys.is_empty() {
            return self.disabilities.join("・");
        }
        let names: Vec<String> = self.disability_keys.iter().map(|k| tr.t(k)).collect();
        names.join(&tr.t("list-separator"))
    }

    /// 佐藤 花子（サトウ ハナコ） / 佐藤 花子 (サトウ ハナコ)
    pub fn name_line(&self, tr: &crate::i18n::Tr) -> String {
        tr.targs(
            "event-paren",
            &[("text", &self.person_name), ("note", &self.person_kana)],
        )
    }

    /// The readiness heading: 紹介準備チェック（2026/04/01・5/6）.
    pub fn readiness_heading(&self, tr: &crate::i18n::Tr) -> String {
        let mut note = self.readiness_on.map(|d| tr.date(&d)).unwrap_or_default();
        if let Some((met, total)) = self.readiness_met {
            note = tr.targs(
                "referral-readiness-note",
                &[("on", &note), ("met", &met), ("total", &total)],
            );
        }
        tr.targs(
            "event-paren",
            &[("text", &tr.t("readiness-title-short")), ("note", &note)],
        )
    }

    /// The pre-referral notes in the order SPEC §5 lists the items.
    pub fn notes_in_order(&self) -> Vec<&NoteRow> {
        let mut notes: Vec<&NoteRow> = self.notes.iter().collect();
        notes.sort_by_key(|n| crate::domain::referral::PrereferralItem::letter_position(&n.item));
        notes
    }

    /// (criterion, value, note) with the criterion in the reader's language.
    pub fn readiness_for(&self, tr: &crate::i18n::Tr) -> Vec<(String, String, String)> {
        self.readiness
            .iter()
            .enumerate()
            .map(|(i, (ja, v, n))| {
                let text = match (tr.lang, self.readiness_en.get(i)) {
                    (crate::i18n::Lang::En, Some(en)) => en.clone(),
                    _ => ja.clone(),
                };
                (text, v.clone(), n.clone())
            })
            .collect()
    }
}

/// The day of the latest consent (valid today, not revoked) by which the person agreed to
/// share `required` with `agency_id`: what the referral letter states.
pub async fn consent_given_on(
    conn: &mut PgConnection,
    scope: &impl OnCase,
    agency_id: Uuid,
    required: &[String],
) -> sqlx::Result<Option<NaiveDate>> {
    sqlx::query_scalar(&format!(
        "SELECT max(k.given_on) FROM consent k
         WHERE k.case_id = $1 AND k.agency_id = $2 AND k.categories && $3::text[]
           AND k.revoked_at IS NULL AND k.given_on <= {TODAY}
           AND (k.valid_until IS NULL OR k.valid_until >= {TODAY})"
    ))
    .bind(scope.case_id())
    .bind(agency_id)
    .bind(required)
    .fetch_one(conn)
    .await
}

/// A sent referral moves a case still at intake to `referred`.
pub async fn mark_referred(conn: &mut PgConnection, scope: &impl OnCase) -> sqlx::Result<()> {
    sqlx::query("UPDATE case_file SET phase = 'referred' WHERE id = $1 AND phase = 'intake'")
        .bind(scope.case_id())
        .execute(conn)
        .await?;
    Ok(())
}

/// An accepted referral: the training starts on `start` and the receiver leads the case.
pub async fn start_training(
    conn: &mut PgConnection,
    scope: &ReferralScope,
    start: NaiveDate,
    new_lead: Uuid,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE case_file SET phase = 'training', training_started_on = $2, lead_agency_id = $3
         WHERE id = $1",
    )
    .bind(scope.case_id())
    .bind(start)
    .bind(new_lead)
    .execute(conn)
    .await?;
    Ok(())
}
