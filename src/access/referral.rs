//! `ReferralScope`: a referral opened by its sender, or by its receiver once it was sent. A
//! draft exists only for the sender.

use super::{Actor, Refusal, Who};
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralSide {
    Sender,
    Receiver,
}

#[derive(Debug, Clone)]
pub struct ReferralScope {
    referral_id: Uuid,
    case_id: Uuid,
    actor: Actor,
    side: ReferralSide,
}

impl ReferralScope {
    pub fn referral_id(&self) -> Uuid {
        self.referral_id
    }
    pub fn case_id(&self) -> Uuid {
        self.case_id
    }
    pub fn actor(&self) -> Actor {
        self.actor
    }
    pub fn agency_id(&self) -> Uuid {
        self.actor.agency_id()
    }
    pub fn side(&self) -> ReferralSide {
        self.side
    }
    /// The agency asking, as a reader of the case's records (the sender builds the packet from
    /// what it may see).
    pub fn reader(&self) -> super::Reader {
        super::Reader::new(self.case_id, self.agency_id())
    }

    pub async fn refuse(&self, who: &Who<'_>, action: &'static str) -> Refusal {
        who.refuse(
            action,
            Some(self.case_id),
            Some(self.referral_id),
            Refusal::Forbidden,
        )
        .await
    }

    /// Records a successful view or change of the referral in the caller's connection.
    pub async fn record(
        &self,
        conn: &mut PgConnection,
        who: &Who<'_>,
        action: &'static str,
    ) -> sqlx::Result<()> {
        who.ok(conn, action, Some(self.case_id), Some(self.referral_id))
            .await
    }
}

impl super::OnCase for ReferralScope {
    fn case_id(&self) -> Uuid {
        self.case_id
    }
    fn actor(&self) -> Actor {
        self.actor
    }
}

/// Opens a referral for the acting agency; anyone else finds nothing (audited on its own
/// connection).
pub async fn open(
    conn: &mut PgConnection,
    who: &Who<'_>,
    referral_id: Uuid,
    action: &'static str,
) -> Result<ReferralScope, Refusal> {
    let Some(actor) = who.user.actor() else {
        return Err(who
            .refuse(action, None, Some(referral_id), Refusal::NotFound)
            .await);
    };
    let row: Option<(Uuid, Uuid, Uuid, String)> = sqlx::query_as(
        "SELECT case_id, from_agency_id, to_agency_id, state FROM referral WHERE id = $1",
    )
    .bind(referral_id)
    .fetch_optional(&mut *conn)
    .await?;
    let side = match &row {
        Some((_, from, _, _)) if *from == actor.agency_id() => Some(ReferralSide::Sender),
        Some((_, _, to, state)) if *to == actor.agency_id() && state != "draft" => {
            Some(ReferralSide::Receiver)
        }
        _ => None,
    };
    match (row, side) {
        (Some((case_id, ..)), Some(side)) => Ok(ReferralScope {
            referral_id,
            case_id,
            actor,
            side,
        }),
        (row, _) => Err(who
            .refuse(
                action,
                row.map(|r| r.0),
                Some(referral_id),
                Refusal::NotFound,
            )
            .await),
    }
}
