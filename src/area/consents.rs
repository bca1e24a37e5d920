//! Consents: which agency may see which category today, from the live consents; and recording
//! and revoking one (for the consents page and the API alike), with the provision ledger's
//! bookkeeping of what a new consent lets an agency read.

use crate::access::CaseScope;
use crate::db;
use crate::domain::case::{Category, ConsentGiver, ConsentMethod, ConsentTerm};
use crate::domain::dates::{self, parse_date};
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::views::cases::{ConsentCell, ConsentForm};
use crate::views::Errors;
use sqlx::PgConnection;
use uuid::Uuid;

/// The longest evidence note of a consent, and the longest reason it is revoked for.
pub const EVIDENCE_MAX: usize = 1000;
pub const REASON_MAX: usize = 1000;

/// Records a consent as the form gives it (checked field by field); the entries shared with the
/// agency earlier that it lets the agency read now go into the provision ledger. Returns the
/// consent's id, or the form's errors (nothing written).
pub async fn record(
    conn: &mut PgConnection,
    tr: Tr,
    case: &CaseScope,
    form: &ConsentForm,
) -> AppResult<Result<Uuid, Errors>> {
    let mut errors = Errors::default();
    let agency = Uuid::parse_str(&form.agency_id).ok();
    match agency {
        Some(a) if db::agencies::get(conn, a).await?.is_some_and(|a| a.active) => {}
        _ => errors.add("agency_id", tr.t("error-choose")),
    }
    if form.categories.is_empty() || form.categories.iter().any(|c| Category::parse(c).is_none()) {
        errors.add("category", tr.t("consent-choose-category"));
    }
    if ConsentGiver::parse(&form.given_by).is_none() {
        errors.add("given_by", tr.t("error-choose"));
    }
    if ConsentMethod::parse(&form.method).is_none() {
        errors.add("method", tr.t("error-choose"));
    }
    let today = dates::today_tokyo();
    let given_on = parse_date(&form.given_on);
    match given_on {
        None if form.given_on.trim().is_empty() => errors.add("given_on", tr.t("error-required")),
        None => errors.add("given_on", tr.t("error-date")),
        Some(d) if d > today => errors.add("given_on", tr.t("error-date-future")),
        Some(_) => {}
    }
    let term = ConsentTerm::parse(&form.term);
    let until = parse_date(&form.until);
    match term {
        None => errors.add("term", tr.t("error-choose")),
        Some(ConsentTerm::Until) => match (until, given_on) {
            (None, _) => errors.add("until", tr.t("error-date")),
            (Some(u), Some(g)) if u < g => errors.add("until", tr.t("consent-until-before-start")),
            _ => {}
        },
        Some(_) => {}
    }
    errors.max_chars(tr, "evidence", &form.evidence, EVIDENCE_MAX);
    let (Some(agency), Some(given_on), Some(term), true) =
        (agency, given_on, term, errors.is_empty())
    else {
        return Ok(Err(errors));
    };
    let mut categories = form.categories.clone();
    categories.sort_by_key(|c| Category::ALL.iter().position(|k| k.as_str() == c));
    categories.dedup();
    let new = db::consents::NewConsent {
        agency_id: agency,
        categories: &categories,
        given_by: &form.given_by,
        method: &form.method,
        given_on,
        valid_until: term.valid_until(given_on, until),
        evidence: &form.evidence,
    };
    let consent_id = db::consents::record(conn, case, &new).await?;
    // entries shared with the agency earlier that this consent lets it read now
    db::ledger::consent_opened(conn, case, consent_id).await?;
    Ok(Ok(consent_id))
}

/// Revokes a live consent of the case, with the reason (required). The error names `reason`.
pub async fn revoke(
    conn: &mut PgConnection,
    tr: Tr,
    case: &CaseScope,
    consent_id: Uuid,
    reason: &str,
) -> AppResult<Result<(), Errors>> {
    let reason = reason.trim();
    let mut errors = Errors::default();
    errors.required(tr, "reason", reason, REASON_MAX);
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    if db::consents::revoke(conn, case, consent_id, reason).await? {
        return Ok(Ok(()));
    }
    errors.add("reason", tr.t("consent-already-revoked"));
    Ok(Err(errors))
}

pub fn category_labels(tr: Tr) -> Vec<String> {
    Category::ALL.iter().map(|c| tr.t(c.label_key())).collect()
}

/// Which agency may see which category today, from the live consents: the current team, then
/// agencies not (yet) on the team that already have a live consent (e.g. before a referral).
pub fn consent_matrix(
    tr: Tr,
    team: &[db::cases::TeamRow],
    consents: &[db::consents::ConsentRow],
) -> Vec<(String, Vec<ConsentCell>)> {
    let mut rows: Vec<(uuid::Uuid, String)> = team
        .iter()
        .filter(|m| m.left_on.is_none())
        .map(|m| (m.agency_id, m.name.clone()))
        .collect();
    for k in consents.iter().filter(|k| k.live) {
        if !team
            .iter()
            .any(|m| m.agency_id == k.agency_id && m.left_on.is_none())
            && !rows.iter().any(|(id, _)| *id == k.agency_id)
        {
            rows.push((
                k.agency_id,
                format!("{}（{}）", k.agency_name, tr.t("consents-off-team")),
            ));
        }
    }
    rows.into_iter()
        .map(|(agency_id, name)| {
            let cells = Category::ALL
                .iter()
                .map(|cat| {
                    let covering = consents.iter().filter(|k| {
                        k.live
                            && k.agency_id == agency_id
                            && k.categories.iter().any(|c| c == cat.as_str())
                    });
                    // the latest end date among the live consents covering it (None: indefinite)
                    let mut cell = ConsentCell {
                        covered: false,
                        until: None,
                    };
                    for k in covering {
                        cell.until = match (cell.covered, cell.until, k.valid_until) {
                            (false, _, u) => u,
                            (true, None, _) | (true, _, None) => None,
                            (true, Some(a), Some(b)) => Some(a.max(b)),
                        };
                        cell.covered = true;
                    }
                    cell
                })
                .collect();
            (name, cells)
        })
        .collect()
}
