//! The provision ledger (第三者提供の記録, 個人情報保護法 第29条; the receiver's record, 第30条,
//! is the same row read from the other side). Rows are written only in the transaction of the
//! provision, by the functions here, each called from the one place its provision happens;
//! reads take the `Actor` (an agency's own rows) or the lead's `CaseScope`. Rows are never
//! updated but for a month's counter of shared entries, and never deleted (migration 0022).

use crate::access::rules::{consent_is_live, material_text_visible, ENTRY_VISIBLE, TODAY};
use crate::access::{Actor, CaseScope, MeetingScope, OnCase, PlanScope, Reader};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use std::sync::LazyLock;
use uuid::Uuid;

/// What was provided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Timeline entries shared under one consent, counted per month.
    Entries,
    /// A referral packet sent.
    Referral,
    /// A meeting's material shown to an invited agency.
    Material,
    /// A support plan delivered (交付).
    Plan,
    /// A monthly support report delivered.
    Report,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Entries,
        Kind::Referral,
        Kind::Material,
        Kind::Plan,
        Kind::Report,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Entries => "entries",
            Kind::Referral => "referral",
            Kind::Material => "material",
            Kind::Plan => "plan",
            Kind::Report => "report",
        }
    }
}

/// The month's entry counts, one statement: `$1` the case, `$2` the agencies the entry is shared
/// with, `$3` the author's agency, `$4` the category, `$5` the user. The receivers are the agencies
/// on the team (not the author's) whose live consent covers the category, each under its
/// latest such consent; their row of this month goes up by one.
static ENTRY_SHARED_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO provision AS p (id, kind, case_id, provider_agency_id, receiver_agency_id,
                                     provided_on, last_on, month, categories, consent_ids,
                                     recorded_by)
         SELECT gen_random_uuid(), 'entries', $1, $3, r.agency_id, {TODAY}, {TODAY},
                date_trunc('month', {TODAY}::timestamp)::date, ARRAY[$4::text],
                ARRAY[r.id], $5
         FROM (SELECT DISTINCT ON (k.agency_id) k.agency_id, k.id
               FROM consent k
               JOIN case_agency ca ON ca.case_id = k.case_id AND ca.agency_id = k.agency_id
               WHERE k.case_id = $1 AND k.agency_id = ANY ($2) AND k.agency_id <> $3
                 AND $4 = ANY (k.categories) AND {live}
                 AND (ca.left_on IS NULL OR ca.left_on >= {TODAY})
               ORDER BY k.agency_id, k.given_on DESC, k.id DESC) r
         ON CONFLICT (case_id, provider_agency_id, receiver_agency_id, month, categories,
                      consent_ids) WHERE kind = 'entries'
         DO UPDATE SET count = p.count + 1, last_on = greatest(p.last_on, EXCLUDED.last_on)",
        live = consent_is_live("k")
    )
});

/// An entry was written (called by `db::entries::insert`, in its transaction): the month's
/// count of entries of its category shared under each receiver's consent goes up by one, in
/// one statement (`ENTRY_SHARED_SQL`). `case_admin` entries need no consent and carry no
/// record of the person, and an entry shared with no one reaches no one: they provide nothing.
pub async fn entry_shared(
    conn: &mut PgConnection,
    scope: &impl OnCase,
    category: &str,
    shared_with: &[Uuid],
) -> sqlx::Result<()> {
    if category == "case_admin" || shared_with.is_empty() {
        return Ok(());
    }
    let actor = scope.actor();
    sqlx::query(&ENTRY_SHARED_SQL)
        .bind(scope.case_id())
        .bind(shared_with)
        .bind(actor.agency_id())
        .bind(category)
        .bind(actor.user_id())
        .execute(conn)
        .await?;
    Ok(())
}

/// Who provides: the agency (and the user whose action it was).
struct Provider {
    agency: Uuid,
    user: Uuid,
}

impl Provider {
    /// The scope's acting agency (its user provides).
    fn acting(scope: &impl OnCase) -> Provider {
        let actor = scope.actor();
        Provider {
            agency: actor.agency_id(),
            user: actor.user_id(),
        }
    }
}

/// A consent was recorded (called by the consent's handler, in its transaction): entries
/// shared earlier with its agency, that no other live consent let it read, become readable now
/// — a provision today, counted in this month's rows under this consent, per provider and
/// category. A consent that starts later records nothing now.
pub async fn consent_opened(
    conn: &mut PgConnection,
    scope: &impl OnCase,
    consent_id: Uuid,
) -> sqlx::Result<()> {
    let groups: Vec<(Uuid, Uuid, String, i64)> = sqlx::query_as(&format!(
        "SELECT e.author_agency_id, k.agency_id, e.category, count(*)
         FROM consent k
         JOIN case_agency ca ON ca.case_id = k.case_id AND ca.agency_id = k.agency_id
         JOIN entry e ON e.case_id = k.case_id AND k.agency_id = ANY (e.shared_with)
                     AND e.category = ANY (k.categories)
         WHERE k.id = $1 AND k.case_id = $2 AND {live}
           AND (ca.left_on IS NULL OR ca.left_on >= {TODAY})
           AND e.category <> 'case_admin' AND e.author_agency_id <> k.agency_id
           AND NOT EXISTS (SELECT 1 FROM consent k2
                           WHERE k2.case_id = k.case_id AND k2.agency_id = k.agency_id
                             AND k2.id <> k.id AND e.category = ANY (k2.categories)
                             AND {live2})
         GROUP BY e.author_agency_id, k.agency_id, e.category
         ORDER BY 1, 3",
        live = consent_is_live("k"),
        live2 = consent_is_live("k2")
    ))
    .bind(consent_id)
    .bind(scope.case_id())
    .fetch_all(&mut *conn)
    .await?;
    let user = scope.actor().user_id();
    for (provider, receiver, category, n) in groups {
        sqlx::query(&format!(
            "INSERT INTO provision AS p (id, kind, case_id, provider_agency_id,
                                         receiver_agency_id, provided_on, last_on, month,
                                         categories, consent_ids, count, recorded_by)
             VALUES ($1, 'entries', $2, $3, $4, {TODAY}, {TODAY},
                     date_trunc('month', {TODAY}::timestamp)::date, ARRAY[$5::text],
                     ARRAY[$6::uuid], $7, $8)
             ON CONFLICT (case_id, provider_agency_id, receiver_agency_id, month, categories,
                          consent_ids) WHERE kind = 'entries'
             DO UPDATE SET count = p.count + EXCLUDED.count,
                           last_on = greatest(p.last_on, EXCLUDED.last_on)"
        ))
        .bind(Uuid::now_v7())
        .bind(scope.case_id())
        .bind(provider)
        .bind(receiver)
        .bind(category)
        .bind(consent_id)
        .bind(n as i32)
        .bind(user)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// One provision that is a row of its own (a referral, a meeting's material, a plan, a
/// report): `categories` provided under `consents`, on the Tokyo day `on`. A second record of
/// the same subject to the same receiver is ignored (the material is recorded when first shown).
#[allow(clippy::too_many_arguments)]
async fn insert_one(
    conn: &mut PgConnection,
    case_id: Uuid,
    provider: Provider,
    kind: Kind,
    subject_id: Uuid,
    receiver: Uuid,
    categories: &[String],
    consents: &[Uuid],
    on: NaiveDate,
) -> sqlx::Result<bool> {
    if categories.is_empty() || consents.is_empty() || receiver == provider.agency {
        return Ok(false);
    }
    let done = sqlx::query(
        "INSERT INTO provision (id, kind, case_id, provider_agency_id, receiver_agency_id,
                                provided_on, last_on, month, categories, consent_ids,
                                subject_id, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $6, date_trunc('month', $6::timestamp)::date, $7, $8,
                 $9, $10)
         ON CONFLICT (kind, subject_id, receiver_agency_id) WHERE subject_id IS NOT NULL
         DO NOTHING",
    )
    .bind(Uuid::now_v7())
    .bind(kind.as_str())
    .bind(case_id)
    .bind(provider.agency)
    .bind(receiver)
    .bind(on)
    .bind(categories)
    .bind(consents)
    .bind(subject_id)
    .bind(provider.user)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// The live consents of the case's `agency` that cover any of `categories`, newest first.
async fn covering_consents(
    conn: &mut PgConnection,
    case_id: Uuid,
    agency: Uuid,
    categories: &[String],
) -> sqlx::Result<Vec<(Uuid, Vec<String>)>> {
    sqlx::query_as(&format!(
        "SELECT k.id, k.categories FROM consent k
         WHERE k.case_id = $1 AND k.agency_id = $2 AND k.categories && $3::text[] AND {}
         ORDER BY k.given_on DESC, k.id DESC",
        consent_is_live("k")
    ))
    .bind(case_id)
    .bind(agency)
    .bind(categories)
    .fetch_all(conn)
    .await
}

/// The categories of `wanted` that `consents` cover, in `wanted`'s order, and the consents
/// that cover them (the newest for each category).
fn covered(wanted: &[String], consents: &[(Uuid, Vec<String>)]) -> (Vec<String>, Vec<Uuid>) {
    let mut categories = vec![];
    let mut ids = vec![];
    for c in wanted {
        if let Some((id, _)) = consents.iter().find(|(_, cats)| cats.contains(c)) {
            if !categories.contains(c) {
                categories.push(c.clone());
            }
            if !ids.contains(id) {
                ids.push(*id);
            }
        }
    }
    (categories, ids)
}

/// A referral packet was sent (called from the referral's send, in its transaction): the
/// categories the packet carries, under the receiver's consents that cover them.
pub async fn referral_sent(
    conn: &mut PgConnection,
    scope: &impl OnCase,
    referral_id: Uuid,
    receiver: Uuid,
    categories: &[String],
) -> sqlx::Result<bool> {
    let consents = covering_consents(conn, scope.case_id(), receiver, categories).await?;
    let (cats, ids) = covered(categories, &consents);
    let today = crate::domain::dates::today_tokyo();
    insert_one(
        conn,
        scope.case_id(),
        Provider::acting(scope),
        Kind::Referral,
        referral_id,
        receiver,
        &cats,
        &ids,
        today,
    )
    .await
}

/// A meeting's material was shown to an invited agency (`reader`, not the convener): the
/// categories of what it read that others wrote — the entries of the history since `since`
/// and the convener's own text — under its consents. Recorded when first shown; material
/// that carries no consented category (an invitee without consent sees only the person's
/// name and phase) records nothing.
pub async fn material_shown(
    conn: &mut PgConnection,
    scope: &MeetingScope,
    reader: Reader,
    since: DateTime<Utc>,
) -> sqlx::Result<bool> {
    if reader.agency_id() == scope.convener_agency_id() {
        return Ok(false);
    }
    let shown: Vec<String> = sqlx::query_scalar(&format!(
        "SELECT DISTINCT c FROM (
            SELECT e.category AS c FROM entry e
            WHERE e.case_id = $2 AND e.occurred_at >= $4 AND e.reply_to IS NULL
              AND e.author_agency_id <> $1 AND e.category <> 'case_admin' AND {entry}
            UNION ALL
            SELECT m.material_category FROM meeting m
            WHERE m.id = $3 AND m.material_category IS NOT NULL
              AND m.material_category <> 'case_admin' AND {text}) x
         ORDER BY c",
        entry = *ENTRY_VISIBLE,
        text = material_text_visible("$1")
    ))
    .bind(reader.agency_id())
    .bind(reader.case_id())
    .bind(scope.meeting_id())
    .bind(since)
    .fetch_all(&mut *conn)
    .await?;
    if shown.is_empty() {
        return Ok(false);
    }
    let consents = covering_consents(conn, reader.case_id(), reader.agency_id(), &shown).await?;
    let (cats, ids) = covered(&shown, &consents);
    let today = crate::domain::dates::today_tokyo();
    // the convener provides its material; the reading is the invitee's user's
    let provider = Provider {
        agency: scope.convener_agency_id(),
        user: scope.user_id(),
    };
    insert_one(
        conn,
        scope.case_id(),
        provider,
        Kind::Material,
        scope.meeting_id(),
        reader.agency_id(),
        &cats,
        &ids,
        today,
    )
    .await
}

/// A support plan was delivered to an agency (called by `area::plans::deliver`): the plan's
/// category under the consent the delivery relied on.
pub async fn plan_delivered(
    conn: &mut PgConnection,
    plan: &PlanScope,
    delivery_id: Uuid,
    receiver: Uuid,
    consent_id: Uuid,
    on: NaiveDate,
) -> sqlx::Result<bool> {
    let category: String = sqlx::query_scalar("SELECT category FROM support_plan WHERE id = $1")
        .bind(plan.plan_id())
        .fetch_one(&mut *conn)
        .await?;
    insert_one(
        conn,
        plan.case_id(),
        Provider::acting(plan),
        Kind::Plan,
        delivery_id,
        receiver,
        &[category],
        &[consent_id],
        on,
    )
    .await
}

/// A monthly support report was delivered (see `area::ledger::report_delivered`).
pub async fn report_delivered(
    conn: &mut PgConnection,
    scope: &impl OnCase,
    report_id: Uuid,
    receiver: Uuid,
    categories: &[String],
    consent_id: Uuid,
    on: NaiveDate,
) -> sqlx::Result<bool> {
    insert_one(
        conn,
        scope.case_id(),
        Provider::acting(scope),
        Kind::Report,
        report_id,
        receiver,
        categories,
        &[consent_id],
        on,
    )
    .await
}

/// A row of the ledger as the pages show it, from either side.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LedgerRow {
    pub id: Uuid,
    pub kind: String,
    pub case_id: Uuid,
    pub person: String,
    pub provided_on: NaiveDate,
    pub last_on: NaiveDate,
    pub month: NaiveDate,
    pub count: i32,
    pub provider_id: Uuid,
    pub provider_name: String,
    pub provider_address: String,
    pub receiver_id: Uuid,
    pub receiver_name: String,
    pub receiver_address: String,
    pub categories: Vec<String>,
    /// The consents relied on: the day each was given, by whom and how.
    pub consent_on: Vec<NaiveDate>,
    pub consent_by: Vec<String>,
    pub consent_method: Vec<String>,
}

const SELECT: &str =
    "SELECT p.id, p.kind, p.case_id, pt.family_name || ' ' || pt.given_name AS person,
        p.provided_on, p.last_on, p.month, p.count,
        pa.id AS provider_id, pa.name AS provider_name, pa.address AS provider_address,
        ra.id AS receiver_id, ra.name AS receiver_name, ra.address AS receiver_address,
        p.categories, ks.consent_on, ks.consent_by, ks.consent_method
     FROM provision p
     JOIN case_file c ON c.id = p.case_id
     JOIN participant pt ON pt.id = c.participant_id
     JOIN agency pa ON pa.id = p.provider_agency_id
     JOIN agency ra ON ra.id = p.receiver_agency_id
     CROSS JOIN LATERAL (
         SELECT coalesce(array_agg(k.given_on ORDER BY u.n), '{}') AS consent_on,
                coalesce(array_agg(k.given_by ORDER BY u.n), '{}') AS consent_by,
                coalesce(array_agg(k.method ORDER BY u.n), '{}') AS consent_method
         FROM unnest(p.consent_ids) WITH ORDINALITY u(id, n)
         JOIN consent k ON k.id = u.id) ks";

/// Newest first; the key of a page's last row is where the next page starts (`LedgerKey`),
/// on the provider's, receiver's and case's indexes (each ends with the same three columns).
const ORDER: &str = "ORDER BY p.month DESC, p.provided_on DESC, p.id DESC";

/// Where a page of the ledger ends: the month, day and id of its last row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerKey {
    pub month: NaiveDate,
    pub provided_on: NaiveDate,
    pub id: Uuid,
}

impl LedgerKey {
    pub fn of(row: &LedgerRow) -> Self {
        LedgerKey {
            month: row.month,
            provided_on: row.provided_on,
            id: row.id,
        }
    }

    /// As a link carries it: `2026-11-01_2026-11-14_<id>`.
    pub fn to_param(self) -> String {
        format!("{}_{}_{}", self.month, self.provided_on, self.id)
    }

    /// None for anything that is not a key as `to_param` writes it.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.splitn(3, '_');
        let month = crate::domain::dates::parse_date(parts.next()?)?;
        let provided_on = crate::domain::dates::parse_date(parts.next()?)?;
        let id = Uuid::parse_str(parts.next()?).ok()?;
        Some(LedgerKey {
            month,
            provided_on,
            id,
        })
    }
}

/// A page of rows under `filter` (`$1` bound by the caller), of one month or all, after `key`.
async fn page(
    conn: &mut PgConnection,
    filter: &str,
    subject: Uuid,
    month: Option<NaiveDate>,
    after: Option<LedgerKey>,
    limit: i64,
) -> sqlx::Result<Vec<LedgerRow>> {
    let month_filter = if month.is_some() {
        "AND p.month = $2"
    } else {
        "AND $2::date IS NULL"
    };
    let key_filter = if after.is_some() {
        "AND (p.month, p.provided_on, p.id) < ($3, $4, $5)"
    } else {
        "AND $3::date IS NULL AND $4::date IS NULL AND $5::uuid IS NULL"
    };
    let sql = format!("{SELECT} WHERE {filter} = $1 {month_filter} {key_filter} {ORDER} LIMIT $6");
    sqlx::query_as(&sql)
        .bind(subject)
        .bind(month)
        .bind(after.map(|k| k.month))
        .bind(after.map(|k| k.provided_on))
        .bind(after.map(|k| k.id))
        .bind(limit)
        .fetch_all(conn)
        .await
}

/// Which side of the agency's ledger: what it provided (第29条), or what it received (第30条).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Provided,
    Received,
}

/// The acting agency's rows on one side, of one month (its first day) or all, newest first,
/// up to `limit` after `after`.
pub async fn for_agency(
    conn: &mut PgConnection,
    actor: Actor,
    side: Side,
    month: Option<NaiveDate>,
    after: Option<LedgerKey>,
    limit: i64,
) -> sqlx::Result<Vec<LedgerRow>> {
    let column = match side {
        Side::Provided => "p.provider_agency_id",
        Side::Received => "p.receiver_agency_id",
    };
    page(conn, column, actor.agency_id(), month, after, limit).await
}

/// The case's rows (for its lead agency), of one month or all, newest first, up to `limit`
/// after `after`.
pub async fn for_case(
    conn: &mut PgConnection,
    case: &CaseScope,
    month: Option<NaiveDate>,
    after: Option<LedgerKey>,
    limit: i64,
) -> sqlx::Result<Vec<LedgerRow>> {
    page(conn, "p.case_id", case.case_id(), month, after, limit).await
}
