//! Consent at a glance: which agency may see which category today, from the live consents.

use crate::db;
use crate::domain::case::Category;
use crate::i18n::Tr;
use crate::views::cases::ConsentCell;

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
