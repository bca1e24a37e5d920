//! Which change tells whom, by e-mail: the notices written in the transaction of the change
//! (the outbox, `db::notices`), only when a mail server is configured. A notice holds the kind,
//! the name of the agency that acted, a date and a link — never a participant's name or any
//! text of the case: the reader opens the link and the page decides, for them, what they see.

use crate::access::health::DailyCase;
use crate::access::{Actor, MeetingScope, ReportScope};
use crate::config::MailSettings;
use crate::db::{self, meetings::MeetingRow, notices::Notice, referrals::ReferralRow};
use crate::domain::notice::Kind;
use crate::domain::referral::RefState;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

/// A referral moved: the receiving office hears that one arrived; the sender hears that it was
/// acknowledged, accepted or declined. Each side's members, except whoever acted.
pub async fn referral_moved(
    conn: &mut PgConnection,
    mail: &MailSettings,
    actor: Actor,
    referral: &ReferralRow,
    to: RefState,
) -> sqlx::Result<()> {
    if !mail.enabled() {
        return Ok(());
    }
    let (kind, tell, acting) = match to {
        RefState::Sent => (
            Kind::ReferralReceived,
            referral.to_agency_id,
            &referral.from_name,
        ),
        RefState::Acknowledged => (
            Kind::ReferralAcknowledged,
            referral.from_agency_id,
            &referral.to_name,
        ),
        RefState::Accepted => (
            Kind::ReferralAccepted,
            referral.from_agency_id,
            &referral.to_name,
        ),
        RefState::Declined => (
            Kind::ReferralDeclined,
            referral.from_agency_id,
            &referral.to_name,
        ),
        _ => return Ok(()),
    };
    let recipients = db::notices::agency_members(conn, &[tell], actor.user_id()).await?;
    db::notices::enqueue(
        conn,
        &Notice {
            kind,
            recipients: &recipients,
            args: json!({ "agency": acting }),
            link: format!("/referrals/{}", referral.id),
            ics: None,
            dedupe: None,
        },
    )
    .await
    .map(|_| ())
}

/// A meeting was scheduled, moved or cancelled: the invited agencies' members hear it, with
/// the calendar file (`ics`: the event as the meeting's own `.ics` gives it) attached.
pub async fn meeting_changed(
    conn: &mut PgConnection,
    mail: &MailSettings,
    scope: &MeetingScope,
    meeting: &MeetingRow,
    kind: Kind,
    ics: String,
) -> sqlx::Result<()> {
    if !mail.enabled() {
        return Ok(());
    }
    let agencies: Vec<Uuid> = db::meetings::invitees(conn, scope)
        .await?
        .into_iter()
        .map(|i| i.agency_id)
        .filter(|a| *a != meeting.convener_agency_id)
        .collect();
    let recipients = db::notices::agency_members(conn, &agencies, scope.user_id()).await?;
    db::notices::enqueue(
        conn,
        &Notice {
            kind,
            recipients: &recipients,
            args: json!({
                "agency": meeting.convener_agency_name,
                "starts_at": meeting.starts_at.to_rfc3339(),
            }),
            link: format!("/meetings/{}", meeting.id),
            ics: Some(ics),
            dedupe: None,
        },
    )
    .await
    .map(|_| ())
}

/// A monthly report was issued: the employer's users hear that a report waits for their
/// acknowledgement (the office's name and a link; nothing of the report).
pub async fn report_issued(
    conn: &mut PgConnection,
    mail: &MailSettings,
    scope: &ReportScope,
) -> sqlx::Result<()> {
    if !mail.enabled() {
        return Ok(());
    }
    let (office, employer): (String, Uuid) = sqlx::query_as(
        "SELECT a.name, r.employer_agency_id FROM support_report r
           JOIN agency a ON a.id = r.agency_id WHERE r.id = $1",
    )
    .bind(scope.report_id())
    .fetch_one(&mut *conn)
    .await?;
    let recipients = db::notices::agency_members(conn, &[employer], scope.case().user_id()).await?;
    db::notices::enqueue(
        conn,
        &Notice {
            kind: Kind::ReportAwaiting,
            recipients: &recipients,
            args: json!({ "agency": office }),
            link: format!("/cases/{}/reports/{}", scope.case_id(), scope.report_id()),
            ics: None,
            dedupe: Some(format!("report:{}", scope.report_id())),
        },
    )
    .await
    .map(|_| ())
}

/// A daily report made three bad days in a row (starting on `from`): the lead agency's
/// coordinators hear it once per run of bad days — a link to the case's daily reports, no
/// word of what was reported.
pub async fn bad_days(
    conn: &mut PgConnection,
    mail: &MailSettings,
    case: &impl DailyCase,
    from: chrono::NaiveDate,
) -> sqlx::Result<()> {
    if !mail.enabled() {
        return Ok(());
    }
    let case_id = case.daily_case_id();
    let recipients = db::notices::lead_coordinators(conn, case_id).await?;
    db::notices::enqueue(
        conn,
        &Notice {
            kind: Kind::BadDays,
            recipients: &recipients,
            args: json!({ "from_on": from.to_string() }),
            link: format!("/cases/{case_id}/daily"),
            ics: None,
            dedupe: Some(format!("bad-days:{case_id}:{from}")),
        },
    )
    .await
    .map(|_| ())
}
