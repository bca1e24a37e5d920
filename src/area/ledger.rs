//! The provision ledger (第三者提供の記録) as the provisions and the pages need it. Each kind of
//! provision is recorded at the one place it happens, in that change's transaction:
//!
//! - an entry shared: `db::entries::insert` (every entry, reply and system entry passes there),
//!   counted per month for each receiver whose live consent covers the entry's category;
//! - a referral packet sent: the referral's send (`http::referrals`), through `referral_sent`;
//! - a meeting's material shown to an invited agency: the material page and its print, through
//!   `material_shown` (not the convener's preview);
//! - a support plan delivered to an agency: `area::plans::deliver`;
//! - a monthly support report delivered: `report_delivered`, for the report's issue.
//!
//! The pages read the rows of one agency (`db::ledger::for_agency`) or, for the lead, of one
//! case (`db::ledger::for_case`).

use crate::access::{MeetingScope, OnCase, Reader};
use crate::db;
use crate::db::meetings::MeetingRow;
use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

pub use crate::db::ledger::{Kind, LedgerRow, Side};

/// Records a referral packet sent to `receiver`: the categories it carries (the ones the
/// sending checked consent for), under the receiver's live consents that cover them.
pub async fn referral_sent(
    conn: &mut PgConnection,
    scope: &impl OnCase,
    referral_id: Uuid,
    receiver: Uuid,
    categories: &[String],
) -> sqlx::Result<bool> {
    db::ledger::referral_sent(conn, scope, referral_id, receiver, categories).await
}

/// Records that the material of `meeting` was shown to `reader` (an invited agency reading it
/// as itself). Nothing is recorded for the convener, for a preview, or when what the reader
/// saw carries no consented category. Call it in the request that shows the material.
pub async fn material_shown(
    conn: &mut PgConnection,
    scope: &MeetingScope,
    meeting: &MeetingRow,
    reader: Reader,
) -> sqlx::Result<bool> {
    let since = crate::area::material::history_since(conn, scope, meeting).await?;
    db::ledger::material_shown(conn, scope, reader, since).await
}

/// Records the delivery of a monthly support report (支援レポート) to another agency — for the
/// report side to call when a report is issued to the employer (or another receiver), in the
/// transaction that issues it:
///
/// - `scope`: the case scope (or any scope on the case) of the issuing agency, the provider;
/// - `report_id`: the report (one record per report and receiver; a second call is ignored);
/// - `receiver`: the agency the report is delivered to;
/// - `categories`: the consent categories of what the report carries (e.g. `["work"]`);
/// - `consent_id`: the receiver's live consent the delivery relies on (checked by the caller,
///   as `db::plans::recipients` does for plans);
/// - `on`: the day of the delivery (Tokyo).
///
/// Returns whether a row was written (false for a repeated call, or a receiver that is the
/// provider itself).
pub async fn report_delivered(
    conn: &mut PgConnection,
    scope: &impl OnCase,
    report_id: Uuid,
    receiver: Uuid,
    categories: &[String],
    consent_id: Uuid,
    on: NaiveDate,
) -> sqlx::Result<bool> {
    db::ledger::report_delivered(conn, scope, report_id, receiver, categories, consent_id, on).await
}
