//! The demo's provision ledger: the provisions the seeded data stands for, recorded as they
//! would have been when they happened — entries shared under a consent (counted per month),
//! the referral packets sent, the material of held meetings shown to invited agencies and the
//! plans delivered to an agency — and who presented the plan at the held meetings on the
//! support plan (地域連携会議実施加算). Runs after everything else; running it again adds
//! nothing.

use super::id;
use anyhow::Result;
use chrono::NaiveDate;
use uuid::Uuid;

/// A consent row `k` live on the Tokyo day `d` (an SQL date expression).
fn live_on(d: &str) -> String {
    format!(
        "(k.given_on <= {d} AND (k.valid_until IS NULL OR k.valid_until >= {d})
          AND (k.revoked_at IS NULL OR (k.revoked_at AT TIME ZONE 'Asia/Tokyo')::date > {d}))"
    )
}

type Row = (
    String,
    Uuid,
    Uuid,
    Uuid,
    NaiveDate,
    NaiveDate,
    Vec<String>,
    Vec<Uuid>,
    Option<Uuid>,
    i32,
);

pub(super) async fn load_ledger(tx: &mut sqlx::PgConnection) -> Result<()> {
    // entries shared: per month, receiver, category and the consent relied on
    let entries = format!(
        "WITH shares AS (
            SELECT DISTINCT ON (e.id, r.agency) e.case_id, e.author_agency_id AS provider,
                   r.agency AS receiver, e.category, k.id AS consent,
                   (e.created_at AT TIME ZONE 'Asia/Tokyo')::date AS day
            FROM entry e
            CROSS JOIN LATERAL unnest(e.shared_with) AS r(agency)
            JOIN case_agency ca ON ca.case_id = e.case_id AND ca.agency_id = r.agency
            JOIN consent k ON k.case_id = e.case_id AND k.agency_id = r.agency
                          AND e.category = ANY (k.categories)
            WHERE e.category <> 'case_admin' AND r.agency <> e.author_agency_id
              AND (ca.left_on IS NULL
                   OR (e.created_at AT TIME ZONE 'Asia/Tokyo')::date <= ca.left_on)
              AND {live}
            ORDER BY e.id, r.agency, k.given_on DESC, k.id DESC)
         SELECT 'entries', case_id, provider, receiver, min(day), max(day), ARRAY[category],
                ARRAY[consent], NULL::uuid, count(*)::int
         FROM shares
         GROUP BY case_id, provider, receiver, date_trunc('month', day::timestamp), category,
                  consent",
        live = live_on("(e.created_at AT TIME ZONE 'Asia/Tokyo')::date")
    );
    // referral packets sent: training, the readiness check when attached, the notes' kinds
    let referrals = format!(
        "WITH sent AS (
            SELECT r.id, r.case_id, r.from_agency_id, r.to_agency_id,
                   (r.sent_at AT TIME ZONE 'Asia/Tokyo')::date AS day,
                   ARRAY(SELECT DISTINCT c FROM (
                       SELECT 'training' AS c
                       UNION ALL SELECT 'assessment'
                                 WHERE r.packet ->> 'readiness_on' IS NOT NULL
                       UNION ALL SELECT n ->> 'category'
                                 FROM jsonb_array_elements(coalesce(r.packet -> 'notes',
                                                                    '[]'::jsonb)) n) x
                       ORDER BY c) AS wanted
            FROM referral r WHERE r.sent_at IS NOT NULL AND r.state <> 'draft')
         SELECT 'referral', s.case_id, s.from_agency_id, s.to_agency_id, s.day, s.day,
                ARRAY(SELECT DISTINCT c FROM consent k, unnest(k.categories) c
                      WHERE k.case_id = s.case_id AND k.agency_id = s.to_agency_id
                        AND c = ANY (s.wanted) AND {live} ORDER BY c),
                ARRAY(SELECT k.id FROM consent k
                      WHERE k.case_id = s.case_id AND k.agency_id = s.to_agency_id
                        AND k.categories && s.wanted AND {live} ORDER BY k.given_on DESC),
                s.id, 1
         FROM sent s",
        live = live_on("s.day")
    );
    // the material of a held meeting, shown to each invited agency on the day: the kinds of
    // what others wrote in the 90 days before that the agency's consent covers
    let material = format!(
        "WITH shown AS (
            SELECT m.id, m.case_id, m.convener_agency_id, i.agency_id AS receiver,
                   (m.starts_at AT TIME ZONE 'Asia/Tokyo')::date AS day,
                   ARRAY(SELECT DISTINCT e.category FROM entry e
                         WHERE e.case_id = m.case_id AND e.category <> 'case_admin'
                           AND e.author_agency_id <> i.agency_id
                           AND (e.author_agency_id = m.convener_agency_id
                                OR i.agency_id = ANY (e.shared_with))
                           AND e.occurred_at BETWEEN m.starts_at - interval '90 days'
                                                 AND m.starts_at
                         ORDER BY 1) AS wanted
            FROM meeting m
            JOIN meeting_invitee i ON i.meeting_id = m.id AND i.agency_id <> m.convener_agency_id
            WHERE m.status = 'held')
         SELECT 'material', s.case_id, s.convener_agency_id, s.receiver, s.day, s.day,
                ARRAY(SELECT DISTINCT c FROM consent k, unnest(k.categories) c
                      WHERE k.case_id = s.case_id AND k.agency_id = s.receiver
                        AND c = ANY (s.wanted) AND {live} ORDER BY c),
                ARRAY(SELECT k.id FROM consent k
                      WHERE k.case_id = s.case_id AND k.agency_id = s.receiver
                        AND k.categories && s.wanted AND {live} ORDER BY k.given_on DESC),
                s.id, 1
         FROM shown s",
        live = live_on("s.day")
    );
    // plans delivered to an agency under its consent
    let plans = "SELECT 'plan', p.case_id, p.agency_id, d.agency_id, d.delivered_on,
                d.delivered_on, ARRAY[p.category], ARRAY[d.consent_id], d.id, 1
         FROM support_plan_delivery d JOIN support_plan p ON p.id = d.plan_id
         WHERE d.agency_id IS NOT NULL"
        .to_string();
    for sql in [entries, referrals, material, plans] {
        let rows: Vec<Row> = sqlx::query_as(&sql).fetch_all(&mut *tx).await?;
        for (kind, case_id, provider, receiver, first, last, cats, consents, subject, count) in rows
        {
            if cats.is_empty() || consents.is_empty() {
                continue;
            }
            sqlx::query(
                "INSERT INTO provision (id, kind, case_id, provider_agency_id, receiver_agency_id,
                                        provided_on, last_on, month, categories, consent_ids,
                                        subject_id, count)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, date_trunc('month', $6::timestamp)::date,
                         $8, $9, $10, $11)
                 ON CONFLICT DO NOTHING",
            )
            .bind(Uuid::now_v7())
            .bind(kind)
            .bind(case_id)
            .bind(provider)
            .bind(receiver)
            .bind(first)
            .bind(last)
            .bind(cats)
            .bind(consents)
            .bind(subject)
            .bind(count)
            .execute(&mut *tx)
            .await?;
        }
    }
    // who presented the plan at the held meetings on the support plan of the welfare offices:
    // ひかり's サービス管理責任者 for 鈴木 一郎 and 高橋 美咲, あおば's staff for 田中 健
    for (n, presenter) in [(1u128, "manager"), (8, "manager"), (9, "staff")] {
        sqlx::query(
            "UPDATE meeting SET plan_presenter = $2
             WHERE id = $1 AND purpose = 'support_plan' AND plan_presenter IS NULL",
        )
        .bind(id(0x6000 + n))
        .bind(presenter)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}
