//! A meeting's material (ケース会議用資料) as one agency reads it: the sections Renkei computes
//! for that reader at the moment it reads them, and the convener's own text when the rule lets
//! the reader see it.

use crate::access::{MeetingScope, Reader};
use crate::db::{self, meetings::MeetingRow};
use crate::domain::case::Category;
use crate::domain::checklist::{Answers, READINESS, RETENTION};
use crate::domain::entry::EntryFields;
use crate::domain::meeting::AGENDA_JA;
use crate::domain::{dates, text};
use crate::i18n::{Lang, Tr};
use crate::views::Choice;
use chrono_tz::Asia::Tokyo;
use sqlx::PgConnection;
use uuid::Uuid;

/// What the page asks for: `as` (an invited agency the convener previews as).
pub trait PreviewQuery {
    fn preview_as(&self) -> String;
}

/// Seed 002's agenda as headings, in the reader's words: what the convener's own text starts
/// from. Each heading has a line under it, so none prints alone.
pub fn agenda_text(tr: Tr) -> String {
    let mut md = format!("## {}\n", tr.t("material-agenda"));
    for n in 1..=AGENDA_JA.len() {
        md.push_str(&format!(
            "\n### {}\n\n- \n",
            tr.t(format!("material-agenda-{n}"))
        ));
    }
    md
}

/// The convener's text as the reader reads it: the agenda Renkei wrote, while nobody has
/// changed it, in the reader's words; anything a person wrote, as written.
pub fn own_text_for(tr: Tr, stored: &str) -> Option<String> {
    let untouched = [Lang::Ja, Lang::En]
        .into_iter()
        .any(|l| agenda_text(Tr::new(l)).trim() == stored.trim());
    untouched.then(|| agenda_text(tr))
}

/// The sections Renkei writes into the material (ケース会議用資料), computed for the agency
/// `reader` at the moment it reads them: the person and phase, the support history since the
/// last held meeting, open action items and the latest checklist results — each under the same
/// rule as the timeline, so a revocation applies at once. Markdown, rendered and sanitised.
pub async fn generated_material(
    conn: &mut PgConnection,
    tr: Tr,
    scope: &MeetingScope,
    meeting: &MeetingRow,
    reader: Reader,
) -> sqlx::Result<String> {
    let case = db::meetings::material_case(conn, scope).await?;
    let since = history_since(conn, scope, meeting).await?;
    let history = db::entries::summaries_since(conn, reader, since, 200).await?;
    let actions = db::meetings::actions_for(conn, reader, None).await?;
    let readiness = db::checks::history(conn, reader, READINESS, 1).await?;
    let retention = db::checks::history(conn, reader, RETENTION, 1).await?;
    // labels and brackets the reader's way: 氏名：… （…） in Japanese, Name: … (…) in English
    let labelled = |label: &str, value: &str| {
        tr.targs(
            "event-labelled",
            &[("label", &tr.t(label)), ("text", &value)],
        )
    };
    let paren =
        |text: &str, note: &str| tr.targs("event-paren", &[("text", &text), ("note", &note)]);
    let esc = text::markdown_escape;
    let mut md = String::new();
    md.push_str(&format!("## {}\n\n", tr.t("material-person")));
    md.push_str(&format!(
        "- {}\n",
        labelled(
            "case-name",
            &paren(
                &esc(&format!("{} {}", meeting.family_name, meeting.given_name)),
                &esc(&format!("{} {}", case.family_kana, case.given_kana)),
            ),
        )
    ));
    md.push_str(&format!(
        "- {}\n",
        labelled("case-phase", &tr.t(format!("phase-{}", case.phase)))
    ));
    md.push_str(&format!(
        "- {}\n",
        labelled("case-lead", &esc(&case.lead_name))
    ));
    md.push_str(&format!(
        "- {}\n",
        labelled(
            "meeting-purpose",
            &tr.t(format!("meeting-purpose-{}", meeting.purpose))
        )
    ));
    let opened = match tr.lang {
        Lang::Ja => dates::wareki(case.opened_on),
        Lang::En => tr.long_date(&case.opened_on),
    };
    md.push_str(&format!("- {}\n\n", labelled("case-opened", &opened)));
    md.push_str(&format!(
        "## {}\n\n",
        tr.t1(
            "material-history",
            "since",
            tr.date(&since.with_timezone(&Tokyo).date_naive())
        )
    ));
    if history.is_empty() {
        md.push_str(&format!("{}\n\n", tr.t("material-history-none")));
    }
    for (at, kind, agency, line, fields) in &history {
        // what Renkei wrote itself reads in the reader's words
        let line = match EntryFields::from_json(fields).said {
            Some(said) => said.to_plain(tr, 120),
            None => line.clone(),
        };
        md.push_str(&format!(
            "- {}\n",
            tr.targs(
                "material-history-line",
                &[
                    ("at", &tr.datetime(at)),
                    ("kind", &tr.t(format!("entry-kind-{kind}"))),
                    ("agency", &esc(agency)),
                    ("text", &esc(&line)),
                ]
            )
        ));
    }
    md.push_str(&format!("\n## {}\n\n", tr.t("material-actions")));
    let open: Vec<_> = actions.iter().filter(|a| a.status == "open").collect();
    if open.is_empty() {
        md.push_str(&format!("{}\n", tr.t("material-actions-none")));
    }
    for a in open {
        md.push_str(&format!(
            "- {} {}\n",
            tr.date(&a.due_on),
            tr.targs(
                "event-labelled",
                &[
                    ("label", &esc(&a.owner_agency_name)),
                    ("text", &paren(&esc(&a.what), &esc(&a.how))),
                ]
            )
        ));
    }
    md.push_str(&format!("\n## {}\n\n", tr.t("material-checks")));
    match readiness.first() {
        Some(r) => {
            let instrument = db::checks::instrument(conn, READINESS).await?;
            let answers: Answers = r.answers();
            let result = instrument.all_met(&answers);
            md.push_str(&format!(
                "- {}\n",
                labelled(
                    "readiness-title-short",
                    &paren(
                        &format!("{}/{}", result.met, result.total),
                        &tr.date(&r.assessed_on)
                    )
                )
            ));
        }
        None if retention.is_empty() => md.push_str(&format!("{}\n", tr.t("material-checks-none"))),
        None => {}
    }
    if let Some(r) = retention.first() {
        let instrument = db::checks::instrument(conn, RETENTION).await?;
        let means = instrument.domain_means(&r.answers());
        let parts: Vec<String> = instrument
            .domains
            .iter()
            .zip(&means)
            .map(|(d, (_, m))| {
                let name = match tr.lang {
                    Lang::Ja => &d.name_ja,
                    Lang::En => &d.name_en,
                };
                format!(
                    "{name} {m:.1}{}",
                    if *m < 3.0 {
                        tr.t("material-check-low")
                    } else {
                        String::new()
                    }
                )
            })
            .collect();
        md.push_str(&format!(
            "- {}\n",
            tr.targs(
                "event-labelled",
                &[
                    (
                        "label",
                        &paren(&tr.t("retention-title"), &tr.date(&r.assessed_on))
                    ),
                    ("text", &parts.join(&tr.t("list-separator"))),
                ]
            )
        ));
    }
    Ok(crate::domain::markdown::to_safe_html(&md))
}

/// Where the material's support history starts: the last meeting held before this one, or
/// 90 days before it.
pub async fn history_since(
    conn: &mut PgConnection,
    scope: &MeetingScope,
    meeting: &MeetingRow,
) -> sqlx::Result<chrono::DateTime<chrono::Utc>> {
    Ok(
        db::meetings::last_held_before(conn, scope, meeting.starts_at)
            .await?
            .unwrap_or_else(|| meeting.starts_at - chrono::Duration::days(90)),
    )
}

/// The material as the agency `reader` reads it: the generated sections and, when the rule lets
/// it, the convener's own text.
pub async fn material_for(
    conn: &mut PgConnection,
    tr: Tr,
    scope: &MeetingScope,
    meeting: &MeetingRow,
    reader: Reader,
) -> sqlx::Result<(String, Option<String>)> {
    let generated = generated_material(conn, tr, scope, meeting, reader).await?;
    let text =
        db::meetings::material_text(conn, scope, reader)
            .await?
            .map(|html| match own_text_for(tr, &meeting.material) {
                Some(agenda) => crate::domain::markdown::to_safe_html(&agenda),
                None => html,
            });
    let keep = crate::domain::markdown::keep_headings_with_content;
    Ok((keep(&generated), text.map(|t| keep(&t))))
}

/// Whom the material is shown as: the reader's own agency, or — for the convener's
/// coordinators, before the meeting — one of the invited agencies (`?as=`), to preview what
/// each will read.
pub async fn material_reader(
    conn: &mut PgConnection,
    scope: &MeetingScope,
    q: &impl PreviewQuery,
) -> sqlx::Result<(Reader, Option<String>, Vec<Choice>)> {
    if !scope.may_run() {
        return Ok((scope.reader(), None, vec![]));
    }
    let invitees = db::meetings::invitees(conn, scope).await?;
    let invited: Vec<Uuid> = invitees.iter().map(|i| i.agency_id).collect();
    let wanted = Uuid::parse_str(&q.preview_as()).ok();
    let preview = wanted.and_then(|w| scope.preview_as(w, &invited));
    let chosen = preview.and_then(|r| invitees.iter().find(|i| i.agency_id == r.agency_id()));
    let choices = invitees
        .iter()
        .map(|i| {
            Choice::new(
                &i.agency_id.to_string(),
                i.agency_name.clone(),
                &wanted.map(|w| w.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    Ok(match (preview, chosen) {
        (Some(r), Some(i)) => (r, Some(i.agency_name.clone()), choices),
        _ => (scope.reader(), None, choices),
    })
}

pub fn category_choices(tr: Tr, selected: &str) -> Vec<Choice> {
    std::iter::once(Choice::new("own", tr.t("material-category-own"), selected))
        .chain(
            Category::ALL
                .iter()
                .map(|c| Choice::new(c.as_str(), tr.t(c.label_key()), selected)),
        )
        .chain(std::iter::once(Choice::new(
            "case_admin",
            tr.t("material-category-none"),
            selected,
        )))
        .collect()
}
