//! 個別支援計画 as the pages need it: the assessment record drafted from what the agency may
//! see of the case, the one place a plan is delivered (交付), and the notices of the case's
//! service period (no current plan, a review due or past).

use crate::access::{CaseScope, PlanScope};
use crate::db;
use crate::domain::checklist::{READINESS, RETENTION};
use crate::domain::dates::{self, slash};
use crate::domain::kinds::AgencyKind;
use crate::domain::plan;
use crate::i18n::{Lang, Tr};
use chrono::{Duration, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// The assessment record a new plan starts from, in Japanese (the plan is the office's
/// document): the latest readiness and retention checks and the last three months of the
/// timeline, all as the agency may see them.
pub async fn assessment_draft(conn: &mut PgConnection, case: &CaseScope) -> sqlx::Result<String> {
    let ja = Tr::new(Lang::Ja);
    let reader = case.reader();
    let mut out = String::new();
    let readiness = db::checks::history(conn, reader, READINESS, 1).await?;
    if let Some(r) = readiness.first() {
        let instrument = db::checks::instrument(conn, READINESS).await?;
        let met = instrument.all_met(&r.answers());
        out.push_str(&format!(
            "【就労準備性のチェック（{}・{}）】紹介の目安 {}/{}\n",
            slash(r.assessed_on),
            r.author_agency_name,
            met.met,
            met.total
        ));
        for code in met.missing {
            out.push_str(&format!(
                "- 課題：{}\n",
                crate::area::checks::item_text(ja, &instrument, &code)
            ));
        }
    }
    let retention = db::checks::history(conn, reader, RETENTION, 1).await?;
    if let Some(r) = retention.first() {
        let instrument = db::checks::instrument(conn, RETENTION).await?;
        let means = instrument.domain_means(&r.answers());
        out.push_str(&format!(
            "【安定した就労と生活のためのチェック（{}）】",
            slash(r.assessed_on)
        ));
        let parts: Vec<String> = instrument
            .domains
            .iter()
            .zip(means)
            .map(|(d, (_, m))| format!("{} {m:.1}", d.name_ja))
            .collect();
        out.push_str(&parts.join("、"));
        out.push('\n');
    }
    let since = Utc::now() - Duration::days(92);
    let lines = db::entries::summaries_since(conn, reader, since, 12).await?;
    if !lines.is_empty() {
        out.push_str("【最近の記録（3か月）】\n");
        for (at, kind, agency, line, fields) in lines {
            // what Renkei wrote itself, in the plan's language
            let line = match crate::domain::entry::EntryFields::from_json(&fields).said {
                Some(said) => said.to_plain(ja, 120),
                None => line,
            };
            out.push_str(&format!(
                "- {} {}（{}）：{}\n",
                slash(at.with_timezone(&chrono_tz::Asia::Tokyo).date_naive()),
                ja.t(format!("entry-kind-{kind}")),
                agency,
                line
            ));
        }
    }
    if out.is_empty() {
        out.push_str("（記録なし：本人・家族との面談の内容を記入）\n");
    }
    Ok(out)
}

/// 交付: the one place a plan is delivered. The consented version goes to the person (when
/// `to_person` is set) and to each agency in `agencies` — (agency, the live consent relied on),
/// already checked by the caller against `db::plans::recipients` — and the review tasks follow.
/// Every provision of the plan to another agency passes here, so the record of the provision
/// (第三者提供の記録) is written here too, in the same transaction.
pub async fn deliver(
    conn: &mut PgConnection,
    plan: &PlanScope,
    version_id: Uuid,
    on: NaiveDate,
    to_person: bool,
    agencies: &[(Uuid, Uuid)],
) -> sqlx::Result<Vec<Uuid>> {
    let mut ids = vec![];
    if to_person {
        ids.push(db::plans::insert_delivery(conn, plan, version_id, None, on).await?);
    }
    for to in agencies {
        let delivery = db::plans::insert_delivery(conn, plan, version_id, Some(*to), on).await?;
        // the provision of the plan to another agency (第三者提供の記録)
        db::ledger::plan_delivered(conn, plan, delivery, to.0, to.1, on).await?;
        ids.push(delivery);
    }
    db::plans::sync_review_tasks(conn, plan).await?;
    Ok(ids)
}

pub use crate::domain::plan::Notice;

/// The service start the case's dates give for an agency of this kind: 就労移行支援 from the
/// training start while in training, 就労定着支援 from the retention start while in retention.
async fn service_start(
    conn: &mut PgConnection,
    case: &CaseScope,
    kind: AgencyKind,
) -> sqlx::Result<Option<NaiveDate>> {
    let Some(d) = db::tasks::phase_dates(conn, case).await? else {
        return Ok(None);
    };
    Ok(plan::service_start(
        kind,
        &d.phase,
        d.training_started_on,
        d.retention_start_on,
    ))
}

/// The notices of the acting agency's service period on the case: no delivered plan since
/// the service started (個別支援計画未作成減算 looms once a month has passed), and the review
/// of the current plan due within 14 days or past.
pub async fn notices(
    conn: &mut PgConnection,
    tr: Tr,
    case: &CaseScope,
    kind: AgencyKind,
    plans: &[db::plans::PlanRow],
) -> sqlx::Result<Vec<Notice>> {
    let today = dates::today_tokyo();
    let own: Vec<&db::plans::PlanRow> = plans
        .iter()
        .filter(|p| p.agency_id == case.agency_id())
        .collect();
    let mut out = vec![];
    let start = match service_start(conn, case, kind).await? {
        Some(s) => Some(s),
        None => own.iter().filter_map(|p| p.service_start_on).min(),
    };
    let delivered = own.iter().any(|p| p.delivered_on.is_some());
    if let (Some(start), false) = (start, delivered) {
        if start <= today && case.left_on().is_none() {
            let due = plan::first_plan_due(start);
            out.push(Notice {
                text: tr.targs(
                    "plan-notice-none",
                    &[("start", &slash(start)), ("due", &slash(due))],
                ),
                overdue: today > due,
            });
        }
    }
    for p in own {
        if let Some(due) = p.review_due() {
            if due < today {
                out.push(Notice {
                    text: tr.targs(
                        "plan-notice-overdue",
                        &[("seq", &p.seq), ("due", &slash(due))],
                    ),
                    overdue: true,
                });
            } else if due <= today + Duration::days(14) {
                out.push(Notice {
                    text: tr.targs("plan-notice-due", &[("seq", &p.seq), ("due", &slash(due))]),
                    overdue: false,
                });
            }
        }
    }
    Ok(out)
}

/// The notices for the case page: the acting agency's plans, read through the case scope.
pub async fn case_notices(
    conn: &mut PgConnection,
    tr: Tr,
    case: &CaseScope,
    kind: AgencyKind,
) -> sqlx::Result<Vec<Notice>> {
    let plans = db::plans::list(conn, case).await?;
    notices(conn, tr, case, kind, &plans).await
}
