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

    /// Records a view or a change in the caller's connection (with the change it records).
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
