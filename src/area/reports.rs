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
    employer: Reader,
    month: NaiveDate,
) -> sqlx::Result<String> {
    let entries = db::reports::month_entries(conn, employer, month).await?;
    Ok(activity_text(tr, &entries))
}

/// An interview with the person: a contact in person, by visit or online.
fn is_interview(e: &MonthEntry) -> bool {
    e.kind == "contact"
        && e.with_whom.as_deref() == Some("person")
        && matches!(e.channel.as_deref(), Some("meeting" | "visit" | "online"))
}

pub fn activity_text(tr: Tr, entries: &[MonthEntry]) -> String {
    if entries.is_empty() {
        return tr.t("report-activity-none");
    }
    let interviews = entries.iter().filter(|e| is_interview(e)).count();
    let mut out = tr.t1("report-activity-interviews", "n", interviews);
    out.push('\n');
    for e in entries {
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
        out.push_str(&format!(
            "・{day} {}{how} {}：{}\n",
            tr.t(format!("entry-kind-{}", e.kind)),
            e.agency_name,
            e.line.trim()
        ));
    }
    out
}

/// Issues the report's latest version to its employer on `on`, and tells the employer's users
/// (a notice with the office's name and a link, nothing of the report). None when it was
/// already issued. The provision ledger's row belongs here too.
pub async fn issue(
    conn: &mut PgConnection,
    mail: &MailSettings,
    scope: &ReportScope,
    on: NaiveDate,
) -> sqlx::Result<Option<Uuid>> {
    let Some(version) = db::reports::issue(conn, scope, on).await? else {
        return Ok(None);
    };
    crate::area::notify::report_issued(conn, mail, scope).await?;
    Ok(Some(version))
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
) -> sqlx::Result<Option<(String, bool)>> {
    let Some(end) = db::tasks::phase_dates(conn, case)
        .await?
        .filter(|d| d.phase == "retention")
        .and_then(|d| d.retention_end_on)
    else {
        return Ok(None);
    };
    let (h, _) = handover(conn, case, end, dates::today_tokyo()).await?;
    Ok(Some(handover_status(tr, h, end)))
}
