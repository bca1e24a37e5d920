//! `/`: the dashboard of the acting agency — what this agency needs to look at now.

use super::extract::Auth;
use crate::db::{self, audit::Outcome};
use crate::domain::kinds::{AgencyKind, Role};
use crate::error::AppResult;
use crate::http::render::render;
use crate::http::state::AppState;
use crate::views::dashboard::{Dashboard, Panel};
use axum::extract::State;
use axum::response::Html;

const PANEL_SIZE: i64 = 50;

pub async fn index(State(state): State<AppState>, auth: Auth) -> AppResult<Html<String>> {
    let tr = auth.ctx.tr;
    let mut conn = state.db.acquire().await?;
    let mut panels = vec![];
    let mut expiring = None;
    let mut referrals = vec![];
    let mut meetings = vec![];
    let mut actions = vec![];
    let mut tasks = vec![];
    let mut daily_alerts = vec![];
    let mut reports_awaiting = vec![];
    let mut handovers_missed = vec![];
    if let (Some(m), Some(actor)) = (auth.user.acting.as_ref(), auth.user.actor()) {
        daily_alerts = db::daily::alerts_for_agency(&mut conn, actor).await?;
        reports_awaiting = db::reports::awaiting(&mut conn, actor).await?;
        handovers_missed = db::reports::missed_handovers(&mut conn, actor).await?;
        let today = crate::domain::dates::today_tokyo();
        let month_end = crate::domain::dates::period_end(
            chrono::NaiveDate::from_ymd_opt(
                chrono::Datelike::year(&today),
                chrono::Datelike::month(&today),
                1,
            )
            .expect("first of month"),
            1,
        );
        tasks = db::tasks::open_for_agency(&mut conn, actor, month_end, PANEL_SIZE).await?;
        meetings = db::meetings::upcoming_for_agency(&mut conn, actor, 20).await?;
        actions = db::meetings::open_actions_for_agency(&mut conn, actor, PANEL_SIZE).await?;
        referrals = db::referrals::incoming(&mut conn, actor, true, PANEL_SIZE).await?;
        // the phases each kind of agency works in (SPEC §2): clinics up to the referral,
        // transition offices from the referral through training, the others while the case is open
        let (key, phases): (&str, &[&str]) = match m.agency_kind {
            AgencyKind::Clinic => ("dashboard-panel-clinic", &["intake", "referred"]),
            AgencyKind::TransitionOffice => {
                ("dashboard-panel-transition", &["referred", "training"])
            }
            _ => (
                "dashboard-panel-open",
                &[
                    "intake",
                    "referred",
                    "training",
                    "employed",
                    "retention",
                    "follow_up",
                ],
            ),
        };
        panels.push(Panel {
            title: tr.t(key),
            cases: db::cases::in_phases(&mut conn, actor, phases, PANEL_SIZE).await?,
        });
        if m.role == Role::Coordinator {
            panels.push(Panel {
                title: tr.t("dashboard-panel-lead"),
                cases: db::cases::led_by(&mut conn, actor, PANEL_SIZE).await?,
            });
            expiring =
                Some(db::consents::expiring_for_lead(&mut conn, actor, 30, PANEL_SIZE).await?);
        }
    }
    let admin_counts = if auth.user.is_admin {
        Some(db::users::admin_counts(&mut conn).await?)
    } else {
        None
    };
    auth.ctx
        .audit(&mut conn, auth.ctx.event("dashboard.view"), Outcome::Ok)
        .await?;
    render(&Dashboard {
        layout: auth.ctx.layout("dashboard-title"),
        panels,
        expiring,
        referrals,
        meetings,
        daily_alerts,
        reports_awaiting,
        handovers_missed,
        tasks,
        actions,
        admin_counts,
    })
}
