//! `/`: the dashboard of the acting agency — what this agency needs to look at now.

use super::extract::Auth;
use crate::db;
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
    let mut reports_due = vec![];
    let mut handovers_missed = vec![];
    if let (Some(m), Some(actor)) = (auth.user.acting.as_ref(), auth.user.actor()) {
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
        // every panel in one statement
        let read = db::dashboard::panels(
            &mut conn,
            actor,
            &db::dashboard::Ask {
                tasks_until: month_end,
                phases,
                coordinator: m.role == Role::Coordinator,
                limit: PANEL_SIZE,
                meetings: 20,
                expiring_days: 30,
            },
        )
        .await?;
        daily_alerts = read.daily_alerts;
        reports_awaiting = read.reports_awaiting;
        reports_due = read.reports_due;
        handovers_missed = read.handovers_missed;
        tasks = read.tasks;
        meetings = read.meetings;
        actions = read.actions;
        referrals = read.referrals;
        panels.push(Panel {
            title: tr.t(key),
            cases: read.cases,
        });
        if let Some(led) = read.led {
            panels.push(Panel {
                title: tr.t("dashboard-panel-lead"),
                cases: led,
            });
        }
        expiring = read.expiring;
    }
    let admin_counts = if auth.user.is_admin {
        Some(db::users::admin_counts(&mut conn).await?)
    } else {
        None
    };
    // a view: its audit row commits asynchronously (`Who::viewed`)
    auth.who(&state.refusals)
        .viewed(&mut conn, "dashboard.view", None, None, &[])
        .await?;
    render(&Dashboard {
        layout: auth.ctx.layout("dashboard-title"),
        panels,
        expiring,
        referrals,
        meetings,
        daily_alerts,
        reports_awaiting,
        reports_due,
        handovers_missed,
        tasks,
        actions,
        admin_counts,
    })
}
