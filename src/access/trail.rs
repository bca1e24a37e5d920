//! The audit writer. Rows say who, as which agency, did what to which case, with what
//! outcome — never clinical text. The table is append-only (a trigger refuses UPDATE, DELETE
//! and TRUNCATE).

use super::SessionUser;
use sqlx::{PgConnection, PgPool};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Denied,
    Failed,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Event {
    pub user_id: Option<Uuid>,
    pub acting_agency_id: Option<Uuid>,
    pub action: &'static str,
    pub case_id: Option<Uuid>,
    pub target_id: Option<Uuid>,
    pub request_id: String,
    pub ip: String,
    pub detail: String,
}

pub async fn record(conn: &mut PgConnection, event: &Event, outcome: Outcome) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (user_id, acting_agency_id, action, case_id, target_id, outcome,
                                request_id, ip, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(event.user_id)
    .bind(event.acting_agency_id)
    .bind(event.action)
    .bind(event.case_id)
    .bind(event.target_id)
    .bind(outcome.as_str())
    .bind(&event.request_id)
    .bind(&event.ip)
    .bind(&event.detail)
    .execute(conn)
    .await?;
    Ok(())
}

/// The statement of `Who::viewed`: the audit row (`$1`–`$9` as in `record`), the read marks
/// of `$10` for the user `$1` when `marks`, and — when `lazy` — `synchronous_commit` off for
/// the statement's own implicit transaction. PostgreSQL decides how to commit before it undoes
/// the transaction's settings, so the commit that ends this statement does not wait for the
/// WAL flush, and the next statement on the connection is durable again.
fn view_sql(lazy: bool, marks: bool) -> &'static str {
    match (lazy, marks) {
        (true, true) => {
            "WITH lazy AS (SELECT set_config('synchronous_commit', 'off', true)),
                  marks AS (INSERT INTO entry_read (user_id, entry_id)
                            SELECT $1, unnest($10::uuid[]) ON CONFLICT DO NOTHING)
             INSERT INTO audit_log (user_id, acting_agency_id, action, case_id, target_id,
                                    outcome, request_id, ip, detail)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 FROM lazy"
        }
        (true, false) => {
            "WITH lazy AS (SELECT set_config('synchronous_commit', 'off', true))
             INSERT INTO audit_log (user_id, acting_agency_id, action, case_id, target_id,
                                    outcome, request_id, ip, detail)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 FROM lazy WHERE $10::uuid[] IS NOT NULL"
        }
        (false, true) => {
            "WITH marks AS (INSERT INTO entry_read (user_id, entry_id)
                            SELECT $1, unnest($10::uuid[]) ON CONFLICT DO NOTHING)
             INSERT INTO audit_log (user_id, acting_agency_id, action, case_id, target_id,
                                    outcome, request_id, ip, detail)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        }
        (false, false) => {
            "INSERT INTO audit_log (user_id, acting_agency_id, action, case_id, target_id,
                                    outcome, request_id, ip, detail)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 WHERE $10::uuid[] IS NOT NULL"
        }
    }
}

/// Who asks, from where, in which request — what every audit row is stamped with — and the
/// pool a refusal is recorded through, on a connection of its own.
#[derive(Debug, Clone, Copy)]
pub struct Who<'a> {
    pub user: &'a SessionUser,
    pub request_id: &'a str,
    pub ip: &'a str,
    pub pool: &'a PgPool,
    /// The request's mark, set when a refusal was recorded (see `RefusalMark`).
    pub mark: Option<&'a AtomicBool>,
}

/// One per request: set when the door recorded the request's refusal. A signed-in request that
/// ends in 403 or 404 without it gets a refusal row from the session layer, so that every
/// refusal is audited even where a handler answers "not found" after the door (an entry the
/// reader may not see, another agency's task) — and none twice.
#[derive(Debug, Clone, Default)]
pub struct RefusalMark(pub Arc<AtomicBool>);

impl RefusalMark {
    pub fn recorded(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

impl Who<'_> {
    pub fn event(&self, action: &'static str) -> Event {
        Event {
            user_id: Some(self.user.id),
            acting_agency_id: self.user.acting.as_ref().map(|m| m.agency_id),
            action,
            request_id: self.request_id.to_string(),
            ip: self.ip.to_string(),
            ..Default::default()
        }
    }

    /// Records a refusal outside the caller's transaction: the row is committed even when the
    /// request's work rolls back.
    pub async fn refuse(
        &self,
        action: &'static str,
        case_id: Option<Uuid>,
        target_id: Option<Uuid>,
        refusal: super::Refusal,
    ) -> super::Refusal {
        if let Some(mark) = self.mark {
            mark.store(true, Ordering::Relaxed);
        }
        let mut event = self.event(action);
        event.case_id = case_id;
        event.target_id = target_id;
        let written = async {
            let mut conn = self.pool.acquire().await?;
            record(&mut conn, &event, Outcome::Denied).await
        }
        .await;
        match written {
            Ok(()) => refusal,
            Err(e) => super::Refusal::Db(e),
        }
    }

    /// Records a page view and the reader's read marks — the entries it showed that they had
    /// not read — in one statement, the last of the request. Outside a transaction (a page
    /// that changes nothing) the statement commits asynchronously: `synchronous_commit` is
    /// turned off for its own implicit transaction only (`set_config(…, true)`), so the
    /// answer does not wait for the WAL flush, and a crash can lose at most the last fraction
    /// of a second of view rows and read marks — never a change's row, which commits durably
    /// (see ARCHITECTURE, *What is durable when*). Inside a transaction it writes with it and
    /// commits as the transaction does.
    pub async fn viewed(
        &self,
        conn: &mut PgConnection,
        action: &'static str,
        case_id: Option<Uuid>,
        target_id: Option<Uuid>,
        read: &[Uuid],
    ) -> sqlx::Result<()> {
        let mut event = self.event(action);
        event.case_id = case_id;
        event.target_id = target_id;
        let lazy = !sqlx::Connection::is_in_transaction(&*conn);
        sqlx::query(view_sql(lazy, !read.is_empty()))
            .bind(event.user_id)
            .bind(event.acting_agency_id)
            .bind(event.action)
            .bind(event.case_id)
            .bind(event.target_id)
            .bind(Outcome::Ok.as_str())
            .bind(&event.request_id)
            .bind(&event.ip)
            .bind(&event.detail)
            .bind(read)
            .execute(conn)
            .await?;
        Ok(())
    }

    /// Records a change (or a view inside a change's transaction) in the caller's connection,
    /// with the change it records: it commits as the change does, durably.
    pub async fn ok(
        &self,
        conn: &mut PgConnection,
        action: &'static str,
        case_id: Option<Uuid>,
        target_id: Option<Uuid>,
    ) -> sqlx::Result<()> {
        let mut event = self.event(action);
        event.case_id = case_id;
        event.target_id = target_id;
        record(conn, &event, Outcome::Ok).await
    }
}
