//! 支援レポート: what a draft is prefilled from (the month's entries the employer may see, under
//! the employer's own entry rule), the issue — the one place a report is handed to the
//! employer, and the notice it sends — and where the hand-over (支援体制構築) stands.

use crate::access::{CaseScope, Reader, ReportScope};
use crate::config::MailSettings;
use crate::db::{self, reports::MonthEntry};
use crate::domain::dates;
use crate::domain::report::{self, Handover};
use crate::i18n::Tr;
use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

/// The draft's 当月の支援記録: one line per contact or progress entry of the month that the
/// employer may see — the employer's timeline rule, computed for the employer — and a count of
/// the interviews with the person.
pub async fn activity_draft(
    conn: &mut PgConnection,
    tr: Tr,
    writer: &CaseScope,
    employer: Reader,
    month: NaiveDate,
) -> sqlx::Result<String> {
    let entries = db::reports::month_entries(conn, writer, employer, month).await?;
    Ok(activity_text(tr, &entries))
}

/// An interview with the person: a contact in person, by visit or online.
fn is_interview(e: &MonthEntry) -> bool {
    e.kind == "contact"
        && e.with_whom.as_deref() == Some("person")
        && matches!(e.channel.as_deref(), Some("meeting" | "visit" | "online"))
}

/// The longest 当月の支援記録 a version keeps (the form's limit and the table's).
pub const ACTIVITY_MAX: usize = 20_000;

/// The draft's 当月の支援記録, never longer than `ACTIVITY_MAX`: a month with more entries than
/// fit ends with how many were left out, so that the first save is not refused for a text the
/// writer did not type.
pub fn activity_text(tr: Tr, entries: &[MonthEntry]) -> String {
    if entries.is_empty() {
        return tr.t("report-activity-none");
    }
    let interviews = entries.iter().filter(|e| is_interview(e)).count();
    let mut out = tr.t1("report-activity-interviews", "n", interviews);
    out.push('\n');
    // room for the closing line about the entries left out
    let budget = ACTIVITY_MAX - 100;
    let mut used = out.chars().count();
    for (i, e) in entries.iter().enumerate() {
        let day = e
            .occurred_at
            .with_timezone(&chrono_tz::Asia::Tokyo)
            .format("%m/%d");
        let mut how = vec![];
        if let Some(w) = &e.with_whom {
            how.push(tr.t(format!("contact-with-{w}")));
        }
        if let Some(c) = &e.channel {
            how.push(tr.t(format!("contact-channel-{c}")));
        }
        let how = if how.is_empty() {
            String::new()
        } else {
            format!("（{}）", how.join("・"))
        };
        let line = format!(
            "・{day} {}{how} {}：{}\n",
            tr.t(format!("entry-kind-{}", e.kind)),
            e.agency_name,
            e.line.trim()
        );
        let n = line.chars().count();
        if used + n > budget {
            out.push_str(&tr.t1("report-activity-more", "n", entries.len() - i));
            out.push('\n');
            break;
        }
        used += n;
        out.push_str(&line);
    }
    out
}

/// The consent category of what a report tells (the person's work): the issue relies on the
/// employer's consent for it, and the ledger records it.
pub const REPORT_CATEGORY: &str = "work";

/// Why a report was not issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotIssued {
    /// already issued (or without a version)
    OutOfTurn,
    /// the employer has left the team, or has no live consent covering `work`: it could not
    /// read the report
    NoConsent,
}

/// Issues the report's latest version to its employer on `on`, under the employer's live
/// consent for `work`, and tells the employer's users (a notice with the office's name and a
/// link, nothing of the report), and records the provision in the provision ledger.
pub async fn issue(
    conn: &mut PgConnection,
    mail: &MailSettings,
    scope: &ReportScope,
    on: NaiveDate,
) -> sqlx::Result<Result<Uuid, NotIssued>> {
    let Some((employer, consent)) = db::reports::employer_consent(conn, scope).await? else {
        return Ok(Err(NotIssued::NoConsent));
    };
    let Some(version) = db::reports::issue(conn, scope, on).await? else {
        return Ok(Err(NotIssued::OutOfTurn));
    };
    // the provision to the employer, in the provision ledger (第三者提供の記録), with the issue
    crate::area::ledger::report_delivered(
        conn,
        scope,
        scope.report_id(),
        employer,
        &[REPORT_CATEGORY.to_string()],
        consent,
        on,
    )
    .await?;
    crate::area::notify::report_issued(conn, mail, scope).await?;
    Ok(Ok(version))
}

/// Where the hand-over of the case stands, for a retention service ending on `end`.
pub async fn handover(
    conn: &mut PgConnection,
    case: &CaseScope,
    end: NaiveDate,
    today: NaiveDate,
) -> sqlx::Result<(Handover, Vec<db::reports::HandoverRow>)> {
    let rows = db::reports::handovers(conn, case).await?;
    let started = rows.first().map(|h| h.started_on);
    Ok((Handover::of(end, started, today), rows))
}

/// Where the hand-over stands, in words, and whether it is an alert (late, or the deadline
/// passed without it).
pub fn handover_status(tr: Tr, h: Handover, end: NaiveDate) -> (String, bool) {
    let deadline = dates::slash(report::handover_deadline(end));
    let end = dates::slash(end);
    match h {
        Handover::InTime(on) => (
            tr.targs(
                "handover-in-time",
                &[
                    ("date", &dates::slash(on)),
                    ("deadline", &deadline),
                    ("end", &end),
                ],
            ),
            false,
        ),
        Handover::Late(on) => (
            tr.targs(
                "handover-late",
                &[
                    ("date", &dates::slash(on)),
                    ("deadline", &deadline),
                    ("end", &end),
                ],
            ),
            true,
        ),
        Handover::Pending(_) => (
            tr.targs(
                "handover-pending",
                &[("deadline", &deadline), ("end", &end)],
            ),
            false,
        ),
        Handover::Missed(_) => (
            tr.targs("handover-missed", &[("deadline", &deadline), ("end", &end)]),
            true,
        ),
    }
}

/// Where the hand-over stands, in words, for the legal page's countdown and the case page:
/// None when the case has no end date of its retention service.
pub async fn handover_words(
    conn: &mut PgConnection,
    tr: Tr,
    case: &CaseScope,
    dates: Option<&db::tasks::PhaseDates>,
) -> sqlx::Result<Option<(String, bool)>> {
    let Some(end) = dates
        .filter(|d| d.phase == "retention")
        .and_then(|d| d.retention_end_on)
    else {
        return Ok(None);
    };
    let (h, _) = handover(conn, case, end, dates::today_tokyo()).await?;
    Ok(Some(handover_status(tr, h, end)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn entry(body: &str) -> MonthEntry {
        MonthEntry {
            occurred_at: chrono::Utc::now(),
            kind: "progress".into(),
            agency_name: "あおば就労定着支援事業所".into(),
            channel: None,
            with_whom: None,
            line: body.into(),
        }
    }

    #[test]
    fn a_crowded_month_drafts_a_text_that_fits_and_says_what_was_left_out() {
        let tr = Tr::new(Lang::Ja);
        // 200 entries of 200 characters each: far over the limit
        let entries: Vec<MonthEntry> = (0..200).map(|_| entry(&"あ".repeat(200))).collect();
        let text = activity_text(tr, &entries);
        assert!(
            text.chars().count() <= ACTIVITY_MAX,
            "{}",
            text.chars().count()
        );
        let shown = text.lines().filter(|l| l.starts_with('・')).count();
        assert!(shown > 50 && shown < 200, "{shown}");
        assert!(
            text.contains(&format!("ほか{}件", 200 - shown)),
            "{}",
            text.lines().last().unwrap()
        );
        // a quiet month is written whole
        let text = activity_text(tr, &entries[..3]);
        assert_eq!(text.lines().filter(|l| l.starts_with('・')).count(), 3);
        assert!(!text.contains("ほか"));
    }
}
