//! A meeting's material (ケース会議用資料) as one agency reads it: the sections Renkei computes
//! for that reader at the moment it reads them, and the convener's own text when the rule lets
//! the reader see it.

use crate::access::{MeetingScope, Reader};
use crate::db::{self, meetings::MeetingRow};
use crate::domain::case::Category;
use crate::domain::checklist::{Answers, READINESS, RETENTION};
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

/// Seed 002's agenda as headings: what the convener's own text starts from.
pub fn agenda_text() -> String {
    let ja = Tr::new(Lang::Ja);
    let mut md = format!("## {}\n", ja.t("material-agenda"));
    for item in AGENDA_JA {
        md.push_str(&format!("\n### {item}\n\n- \n"));
    }
    md
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
    let since = db::meetings::last_held_before(conn, scope, meeting.starts_at)
        .await?
        .unwrap_or_else(|| meeting.starts_at - chrono::Duration::days(90));
    let history = db::entries::summaries_since(conn, reader, since, 200).await?;
    let actions = db::meetings::actions_for(conn, reader, None).await?;
    let readiness = db::checks::history(conn, reader, READINESS, 1).await?;
    let retention = db::checks::history(conn, reader, RETENTION, 1).await?;
    let mut md = String::new();
    md.push_str(&format!("## {}\n\n", tr.t("material-person")));
    md.push_str(&format!(
        "- {}：{} {}（{} {}）\n",
        tr.t("case-name"),
        meeting.family_name,
        meeting.given_name,
        case.family_kana,
        case.given_kana
    ));
    md.push_str(&format!(
        "- {}：{}\n",
        tr.t("case-phase"),
        tr.t(format!("phase-{}", case.phase))
    ));
    md.push_str(&format!("- {}：{}\n", tr.t("case-lead"), case.lead_name));
    md.push_str(&format!(
        "- {}：{}\n",
        tr.t("meeting-purpose"),
        tr.t(format!("meeting-purpose-{}", meeting.purpose))
    ));
    md.push_str(&format!(
        "- {}：{}\n\n",
        tr.t("case-opened"),
        dates::wareki(case.opened_on)
    ));
    md.push_str(&format!(
        "## {}\n\n",
        tr.t1(
            "material-history",
            "since",
            dates::slash(since.with_timezone(&Tokyo).date_naive())
        )
    ));
    if history.is_empty() {
        md.push_str(&format!("{}\n\n", tr.t("material-history-none")));
    }
    for (at, kind, agency, line) in &history {
        md.push_str(&format!(
            "- {} {}（{}）：{}\n",
            dates::tokyo_minutes(*at),
            tr.t(format!("entry-kind-{kind}")),
            text::markdown_escape(agency),
            text::markdown_escape(line)
        ));
    }
    md.push_str(&format!("\n## {}\n\n", tr.t("material-actions")));
    let open: Vec<_> = actions.iter().filter(|a| a.status == "open").collect();
    if open.is_empty() {
        md.push_str(&format!("{}\n", tr.t("material-actions-none")));
    }
    for a in open {
        md.push_str(&format!(
            "- {} {}：{}（{}）\n",
            dates::slash(a.due_on),
            text::markdown_escape(&a.owner_agency_name),
            text::markdown_escape(&a.what),
            text::markdown_escape(&a.how)
        ));
    }
    md.push_str(&format!("\n## {}\n\n", tr.t("material-checks")));
    match readiness.first() {
        Some(r) => {
            let instrument = db::checks::instrument(conn, READINESS).await?;
            let answers: Answers = r.answers();
            let result = instrument.all_met(&answers);
            md.push_str(&format!(
                "- {}：{}/{}（{}）\n",
                tr.t("readiness-title-short"),
                result.met,
                result.total,
                dates::slash(r.assessed_on)
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
                format!(
                    "{} {m:.1}{}",
                    d.name_ja,
                    if *m < 3.0 {
                        tr.t("material-check-low")
                    } else {
                        String::new()
                    }
                )
            })
            .collect();
        md.push_str(&format!(
            "- {}（{}）：{}\n",
            tr.t("retention-title"),
            dates::slash(r.assessed_on),
            parts.join("、")
        ));
    }
    Ok(crate::domain::markdown::to_safe_html(&md))
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
    let text = db::meetings::material_text(conn, scope, reader).await?;
    Ok((generated, text))
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
