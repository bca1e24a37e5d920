//! Referrals (SPEC §5): the sender drafts with the readiness assessment and the pre-referral
//! information attached and sends once consent covers the receiving agency; the receiver
//! acknowledges (and joins the team), schedules the visit, starts the trial, accepts (the case
//! moves to training and the receiver leads it) or declines with a reason. Every move is a
//! `referral` entry on the timeline: the sender always sees what became of the referral.

use super::extract::Auth;
use super::form::Pairs;
use crate::access::{self, CaseScope, Need, ReferralScope, Who};
use crate::area;
use crate::db::referrals::{Packet, ReferralRow};
use crate::db::{self, audit::Outcome};
use crate::domain::checklist::READINESS;
use crate::domain::dates;
use crate::domain::kinds::AgencyKind;
use crate::domain::referral::{DeclineReason, RefState, Side};
use crate::error::{AppError, AppResult};
use crate::http::flash::{self, Flash};
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::i18n::{Lang, Tr};
use crate::views::referrals::{
    Action, CaseReferralsPage, ConsentGate, ReferralForm, ReferralPage, ReferralPrint,
    ReferralsPage, StepForm,
};
use crate::views::{Choice, Errors};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use sqlx::PgConnection;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/referrals", get(case_page).post(create))
        .route("/referrals", get(index))
        .route("/referrals/{id}", get(show))
        .route("/referrals/{id}/print", get(print))
        .route("/referrals/{id}/transition", post(transition))
}

/// The receiving agencies, transition offices first, then by kind and name.
async fn agency_choices(
    conn: &mut PgConnection,
    tr: Tr,
    own: Uuid,
    selected: &str,
) -> AppResult<Vec<Choice>> {
    let mut agencies = db::agencies::list(conn, 1000).await?;
    agencies.retain(|a| a.active && a.id != own);
    agencies.sort_by_key(|a| {
        (
            a.kind != AgencyKind::TransitionOffice.as_str(),
            a.kind.clone(),
            a.name.clone(),
        )
    });
    Ok(agencies
        .into_iter()
        .map(|a| {
            let text = format!("{}（{}・{}）", a.name, tr.t(a.kind_key()), a.municipality);
            Choice::new(&a.id.to_string(), text, selected)
        })
        .collect())
}

#[allow(clippy::too_many_arguments)]
async fn case_page_view(
    conn: &mut PgConnection,
    auth: &Auth,
    case: &CaseScope,
    form: ReferralForm,
    errors: Errors,
    missing_consent: Vec<String>,
) -> AppResult<CaseReferralsPage> {
    let agency = case.actor().agency_id();
    let header = db::cases::header(conn, case.reader())
        .await?
        .ok_or(AppError::NotFound)?;
    let referrals = db::referrals::for_case(conn, case).await?;
    let has_assessment = !db::checks::history(conn, case.reader(), READINESS, 1)
        .await?
        .is_empty();
    let gate = consent_gate(conn, case, &missing_consent).await?;
    Ok(CaseReferralsPage {
        layout: auth.ctx.layout("referrals-title"),
        case_id: case.case_id(),
        name: format!("{} {}", header.family_name, header.given_name),
        can_write: case.access().can_write(),
        referrals,
        agencies: agency_choices(conn, auth.ctx.tr, agency, &form.to_agency_id).await?,
        form,
        errors,
        missing_consent,
        gate,
        has_assessment,
    })
}

/// Read only when a gate stopped the step.
async fn consent_gate(
    conn: &mut PgConnection,
    scope: &impl crate::access::OnCase,
    missing: &[String],
) -> AppResult<ConsentGate> {
    if missing.is_empty() {
        return Ok(ConsentGate::default());
    }
    let (may_record, recorders) = db::consents::recorders(conn, scope).await?;
    Ok(ConsentGate {
        may_record,
        recorders,
    })
}

async fn case_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<Pairs>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let case = crate::access::case::open(
        &mut conn,
        &auth.who(&state.refusals),
        id,
        crate::access::Need::Read,
        "case.referrals.view",
    )
    .await?;
    let form = ReferralForm {
        attach_assessment: true,
        // from the directory: the agency chosen there
        to_agency_id: Uuid::parse_str(&q.get("to"))
            .map(|a| a.to_string())
            .unwrap_or_default(),
        ..ReferralForm::default()
    };
    let page = case_page_view(&mut conn, &auth, &case, form, Errors::default(), vec![]).await?;
    auth.who(&state.refusals)
        .viewed(&mut conn, "case.referrals.view", Some(id), None, &[])
        .await?;
    Ok(render(&page)?.into_response())
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let who = auth.who(&state.refusals);
    let mut tx = state.db.begin().await?;
    let case = access::case::open(&mut tx, &who, id, Need::Write, "referral.create").await?;
    let form = ReferralForm {
        to_agency_id: f.get("to_agency_id"),
        hopes: f.get("hopes").trim().to_string(),
        attach_assessment: !f.get("attach_assessment").is_empty(),
    };
    let send_now = f.get("action") == "send";
    let mail = &state.settings.mail;
    let referral_id =
        match area::referrals::create(&mut tx, tr, &who, mail, &case, &form, send_now).await? {
            Ok(rid) => rid,
            Err(stopped) => {
                // nothing is kept: not even the draft
                tx.rollback().await?;
                let mut conn = state.db.acquire().await?;
                let page = case_page_view(
                    &mut conn,
                    &auth,
                    &case,
                    form,
                    stopped.errors,
                    stopped.missing_consent,
                )
                .await?;
                return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
            }
        };
    who.ok(&mut tx, "referral.create", Some(id), Some(referral_id))
        .await?;
    tx.commit().await?;
    let done = if send_now { Flash::Sent } else { Flash::Saved };
    Ok(flash::redirect(&format!("/referrals/{referral_id}"), done))
}

async fn open_referral(
    conn: &mut PgConnection,
    who: &Who<'_>,
    id: Uuid,
    action: &'static str,
) -> AppResult<(ReferralScope, ReferralRow)> {
    let scope = access::referral::open(conn, who, id, action).await?;
    let row = db::referrals::get(conn, &scope).await?;
    Ok((scope, row))
}

fn packet_of(referral: &ReferralRow) -> Option<Packet> {
    referral
        .packet
        .as_ref()
        .and_then(|p| serde_json::from_value(p.clone()).ok())
}

async fn referral_page(
    conn: &mut PgConnection,
    auth: &Auth,
    rs: &ReferralScope,
    referral: ReferralRow,
    errors: Errors,
    missing_consent: Vec<String>,
) -> AppResult<ReferralPage> {
    let tr = auth.ctx.tr;
    let actor = rs.actor();
    let side = area::referrals::side_of(&referral, actor.agency_id());
    let packet = match packet_of(&referral) {
        Some(p) => p,
        None => area::referrals::build_packet(conn, rs.reader(), &referral).await?,
    };
    let events = db::referrals::events(conn, rs).await?;
    let gate = consent_gate(conn, rs, &missing_consent).await?;
    let state = RefState::parse(&referral.state).unwrap_or(RefState::Withdrawn);
    let actions = state
        .next(side)
        .iter()
        .map(|to| Action {
            to: to.as_str(),
            label: tr.t(format!("referral-do-{}", to.as_str())),
        })
        .collect();
    Ok(ReferralPage {
        layout: auth.ctx.layout("referral-title"),
        is_sender: side == Side::Sender,
        referral,
        packet,
        events,
        actions,
        reasons: DeclineReason::ALL
            .iter()
            .map(|r| Choice::new(r.as_str(), tr.t(r.label_key()), ""))
            .collect(),
        errors,
        missing_consent,
        gate,
        typed: Default::default(),
    })
}

async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let (rs, referral) =
        open_referral(&mut conn, &auth.who(&state.refusals), id, "referral.view").await?;
    let _actor = rs.actor();
    let case_id = referral.case_id;
    let page = referral_page(&mut conn, &auth, &rs, referral, Errors::default(), vec![]).await?;
    let mut event = auth.ctx.event("referral.view");
    event.case_id = Some(case_id);
    event.target_id = Some(id);
    auth.ctx.audit(&mut conn, event, Outcome::Ok).await?;
    Ok(render(&page)?.into_response())
}

async fn print(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let (rs, referral) =
        open_referral(&mut conn, &auth.who(&state.refusals), id, "referral.print").await?;
    let _actor = rs.actor();
    let packet = match packet_of(&referral) {
        Some(p) => p,
        None => {
            // a draft: the consent as it stands now
            let mut p = area::referrals::build_packet(&mut conn, rs.reader(), &referral).await?;
            p.consent_on = db::referrals::consent_given_on(
                &mut conn,
                &rs,
                referral.to_agency_id,
                &area::referrals::required_categories(&p),
            )
            .await?;
            p
        }
    };
    let made_on = referral
        .sent_at
        .map(|t| t.with_timezone(&chrono_tz::Asia::Tokyo).date_naive())
        .unwrap_or_else(dates::today_tokyo);
    let mut event = auth.ctx.event("referral.print");
    event.case_id = Some(referral.case_id);
    event.target_id = Some(id);
    auth.ctx.audit(&mut conn, event, Outcome::Ok).await?;
    Ok(render(&ReferralPrint {
        layout: auth.ctx.layout("referral-print-title"),
        referral,
        packet,
        made_on: match auth.ctx.tr.lang {
            Lang::Ja => dates::wareki(made_on),
            Lang::En => auth.ctx.tr.long_date(&made_on),
        },
    })?
    .into_response())
}

async fn transition(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let who = auth.who(&state.refusals);
    let mut tx = state.db.begin().await?;
    let (rs, referral) = open_referral(&mut tx, &who, id, "referral.transition").await?;
    let typed = StepForm {
        to: f.get("to"),
        visit_on: f.get("visit_on"),
        service_start: f.get("service_start"),
        reason: f.get("reason"),
        note: f.get("note").trim().to_string(),
    };
    let mail = &state.settings.mail;
    let to =
        match area::referrals::transition(&mut tx, tr, &who, mail, &rs, &referral, &typed).await? {
            Ok(to) => to,
            Err(stopped) => {
                tx.rollback().await?;
                let mut conn = state.db.acquire().await?;
                let mut page = referral_page(
                    &mut conn,
                    &auth,
                    &rs,
                    referral,
                    stopped.errors,
                    stopped.missing_consent,
                )
                .await?;
                page.typed = typed;
                return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
            }
        };
    let mut event = auth.ctx.event("referral.transition");
    event.case_id = Some(referral.case_id);
    event.target_id = Some(id);
    event.detail = to.as_str().to_string();
    auth.ctx.audit(&mut tx, event, Outcome::Ok).await?;
    tx.commit().await?;
    let done = if to == RefState::Sent {
        Flash::Sent
    } else {
        Flash::Recorded
    };
    Ok(flash::redirect(&format!("/referrals/{id}"), done))
}

async fn index(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let (incoming, outgoing) = match auth.user.actor() {
        Some(actor) => (
            db::referrals::incoming(&mut conn, actor, false, 100).await?,
            db::referrals::outgoing(&mut conn, actor, 100).await?,
        ),
        None => (vec![], vec![]),
    };
    auth.ctx
        .audit(&mut conn, auth.ctx.event("referrals.list"), Outcome::Ok)
        .await?;
    Ok(render(&ReferralsPage {
        layout: auth.ctx.layout("referrals-title"),
        incoming,
        outgoing,
    })?
    .into_response())
}
