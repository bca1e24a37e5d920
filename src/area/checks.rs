//! Checklist results as pages show them: item texts in the reader's language, and each
//! assessment with its result and the changes from the one before.

use crate::db;
use crate::domain::checklist::{Answers, Instrument};
use crate::domain::message::{Message, Said};
use crate::i18n::{Lang, Tr};
use crate::views::checks::AssessmentView;

/// The timeline text of a readiness assessment, put into each reader's words when read: the criteria
/// are kept in both languages, the notes as typed.
pub fn readiness_summary(instrument: &Instrument, answers: &Answers) -> Said {
    let r = instrument.all_met(answers);
    let criterion = |code: &str| {
        let item = instrument.items.iter().find(|i| i.code == code);
        crate::domain::message::Arg::Both {
            ja: item
                .map(|i| i.text_ja.clone())
                .unwrap_or_else(|| code.to_string()),
            en: item
                .map(|i| i.text_en.clone())
                .unwrap_or_else(|| code.to_string()),
        }
    };
    let mut said = if r.ready() {
        Said::new().line(Message::new("readiness-summary-ready"))
    } else {
        let mut said = Said::new().line(
            Message::new("readiness-summary-count").text("met", format!("{}/{}", r.met, r.total)),
        );
        for c in &r.missing {
            said = said.item(Message::new("event-text").arg("text", criterion(c)));
        }
        said
    };
    let notes: Vec<Message> = instrument
        .items
        .iter()
        .filter_map(|i| {
            let (_, note) = answers.get(&i.code)?;
            (!note.trim().is_empty()).then(|| {
                Message::new("event-labelled")
                    .arg("label", criterion(&i.code))
                    .text("text", note.trim())
            })
        })
        .collect();
    if !notes.is_empty() {
        said = said.gap().line(Message::new("readiness-summary-notes"));
        for n in notes {
            said = said.item(n);
        }
    }
    said
}

/// The timeline text of a retention check: each domain's mean, the low ones marked as a
/// place to start talking; the domain names kept in both languages.
pub fn retention_summary(instrument: &Instrument, answers: &Answers) -> Said {
    let means = instrument.domain_means(answers);
    let mut said = Said::new().line(Message::new("retention-summary"));
    for ((_, m), d) in means.iter().zip(&instrument.domains) {
        let key = if *m < 3.0 {
            "event-domain-mean-low"
        } else {
            "event-domain-mean"
        };
        said = said.item(
            Message::new(key)
                .arg(
                    "domain",
                    crate::domain::message::Arg::Both {
                        ja: d.name_ja.clone(),
                        en: d.name_en.clone(),
                    },
                )
                .text("mean", format!("{m:.1}")),
        );
    }
    said
}

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
