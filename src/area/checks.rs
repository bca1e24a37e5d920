//! Checklist results as pages show them: item texts in the reader's language, and each
//! assessment with its result and the changes from the one before.

use crate::db;
use crate::domain::checklist::{Answers, Instrument};
use crate::i18n::{Lang, Tr};
use crate::views::checks::AssessmentView;

pub fn item_text(tr: Tr, instrument: &Instrument, code: &str) -> String {
    instrument
        .items
        .iter()
        .find(|i| i.code == code)
        .map(|i| match tr.lang {
            Lang::Ja => i.text_ja.clone(),
            Lang::En => i.text_en.clone(),
        })
        .unwrap_or_else(|| code.to_string())
}

/// The history with results and the changes from each assessment to the next.
pub fn assessment_views(
    tr: Tr,
    instrument: &Instrument,
    rows: Vec<db::checks::AssessmentRow>,
) -> Vec<AssessmentView> {
    let answers: Vec<Answers> = rows.iter().map(|r| r.answers()).collect();
    rows.into_iter()
        .enumerate()
        .map(|(n, row)| {
            let now = &answers[n];
            let changes = match answers.get(n + 1) {
                Some(before) => instrument
                    .changes(before, now)
                    .into_iter()
                    .map(|(code, b, a)| (item_text(tr, instrument, &code), b, a))
                    .collect(),
                None => vec![],
            };
            let notes = instrument
                .items
                .iter()
                .filter_map(|i| {
                    let (value, note) = now.get(&i.code)?;
                    (!note.trim().is_empty()).then(|| {
                        (
                            item_text(tr, instrument, &i.code),
                            value.clone(),
                            note.clone(),
                        )
                    })
                })
                .collect();
            AssessmentView {
                result: instrument.all_met(now),
                changes,
                notes,
                row,
            }
        })
        .collect()
}
