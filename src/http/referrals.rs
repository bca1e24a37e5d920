//! Referrals (SPEC §5): the sender drafts with the readiness assessment and the pre-referral
//! information attached and sends once consent covers the receiving agency; the receiver
//! acknowledges (and joins the team), schedules the visit, starts the trial, accepts (the case
//! moves to training and the receiver leads it) or declines with a reason. Every move is a
//! `referral` entry on the timeline: the sender always sees what became of the referral.

use super::extract::Auth;
use super::form::Pairs;
use crate::access::{self, CaseScope, Need, OnCase, Reader, ReferralScope, Who};
use crate::area::checks::item_text;
use crate::db::referrals::{NewReferral, Packet, ReferralRow, Transition};
use crate::db::{self, audit::Outcome};
use crate::domain::checklist::READINESS;
use crate::domain::dates;
use crate::domain::dates::parse_date;
use crate::domain::kinds::AgencyKind;
use crate::domain::message::{Message, Said};
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

/// The packet as it would be sent now, from what the sender may see.
async fn build_packet(
    conn: &mut PgConnection,
    reader: Reader,
    referral: &ReferralRow,
) -> AppResult<Packet> {
    let ja = Tr::new(Lang::Ja);
    let en = Tr::new(Lang::En);
    let header = db::cases::header(conn, reader)
        .await?
        .ok_or(AppError::NotFound)?;
    let notes = db::referrals::latest_notes(conn, reader).await?;
    let mut packet = Packet {
        person_name: format!("{} {}", header.family_name, header.given_name),
        person_kana: format!("{} {}", header.family_kana, header.given_kana),
        birth_date: Some(header.birth_date),
        disabilities: header.disability_keys().iter().map(|k| ja.t(k)).collect(),
        // the keys too: each reader reads the letter in their language
        disability_keys: header
            .disability_keys()
            .iter()
            .map(|k| k.to_string())
            .collect(),
        municipality: header.municipality.clone(),
        from_agency: referral.from_name.clone(),
        to_agency: referral.to_name.clone(),
        hopes: referral.hopes.clone(),
        notes,
        ..Packet::default()
    };
    if let Some(from) = db::agencies::get(conn, referral.from_agency_id).await? {
        packet.from_address = from.address;
        packet.from_phone = from.phone;
    }
    if referral.assessment_id.is_some() {
        let instrument = db::checks::instrument(conn, READINESS).await?;
        let history = db::checks::history(conn, reader, READINESS, 1).await?;
        if let Some(latest) = history.first() {
            let answers = latest.answers();
            let result = instrument.all_met(&answers);
            packet.readiness_on = Some(latest.assessed_on);
            packet.readiness_met = Some((result.met, result.total));
            packet.readiness = instrument
                .items
                .iter()
                .map(|i| {
                    let (v, n) = answers.get(&i.code).cloned().unwrap_or_default();
                    (item_text(ja, &instrument, &i.code), v, n)
                })
                .collect();
            packet.readiness_en = instrument
                .items
                .iter()
                .map(|i| item_text(en, &instrument, &i.code))
                .collect();
        }
    }
    Ok(packet)
}

/// The consent categories a referral needs: the readiness assessment and the kinds of the
/// pre-referral notes it carries, and training (what the receiver will report back).
fn required_categories(packet: &Packet) -> Vec<String> {
    let mut required = vec!["training".to_string()];
    if packet.readiness_on.is_some() {
        required.push("assessment".into());
    }
    for n in &packet.notes {
        if !required.contains(&n.category) {
            required.push(n.category.clone());
        }
    }
    required
}

/// Writes a referral move on the timeline, shared with the two sides of the referral only (the
/// receiver reads it there once it is on the team). The steps are procedural — sent,
/// acknowledged, the visit date, accepted, declined and why — so, like team changes, they are
/// `case_admin` and need no further consent: the person agreed to the referral itself.
async fn timeline_event(
    conn: &mut PgConnection,
    scope: &impl OnCase,
    referral: &ReferralRow,
    to: RefState,
    detail: Said,
) -> AppResult<()> {
    let actor = scope.actor();
    let shared: Vec<Uuid> = [referral.from_agency_id, referral.to_agency_id]
        .into_iter()
        .filter(|a| *a != actor.agency_id())
        .collect();
    let mut said = Said::new().line(
        Message::new("event-referral-step")
            .key("state", to.label_key())
            .text("from", &referral.from_name)
            .text("to", &referral.to_name),
    );
    said.0.extend(detail.0);
    // procedural, like team changes: the two sides see each step whatever else is consented
    db::entries::insert_said(
        conn,
        scope,
        "referral",
        "case_admin",
        &said,
        &shared,
        chrono::Utc::now(),
    )
    .await?;
    Ok(())
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut tx = state.db.begin().await?;
    let case = crate::access::case::open(
        &mut tx,
        &auth.who(&state.refusals),
        id,
        crate::access::Need::Write,
        "referral.create",
    )
    .await?;
    let form = ReferralForm {
        to_agency_id: f.get("to_agency_id"),
        hopes: f.get("hopes").trim().to_string(),
        attach_assessment: !f.get("attach_assessment").is_empty(),
    };
    let send_now = f.get("action") == "send";
    let mut errors = Errors::default();
    errors.max_chars(tr, "hopes", &form.hopes, 5000);
    let to = Uuid::parse_str(&form.to_agency_id).ok();
    let to_agency = match to {
        Some(a) => db::agencies::get(&mut tx, a).await?.filter(|a| a.active),
        None => None,
    };
    if to_agency.is_none() || to == Some(case.actor().agency_id()) {
        errors.add("to_agency_id", tr.t("referral-choose-agency"));
    }
    let assessment_id = if form.attach_assessment {
        db::checks::history(&mut tx, case.reader(), READINESS, 1)
            .await?
            .first()
            .map(|a| a.id)
    } else {
        None
    };
    if !errors.is_empty() {
        let page = case_page_view(&mut tx, &auth, &case, form, errors, vec![]).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let to = to.expect("checked");
    let new = NewReferral {
        to_agency_id: to,
        hopes: &form.hopes,
        assessment_id,
    };
    let referral_id = match db::referrals::create(&mut tx, &case, &new).await {
        Ok(rid) => rid,
        Err(e) if db::is_unique_violation(&e, "referral_one_open_idx") => {
            errors.add("to_agency_id", tr.t("referral-already-open"));
            tx.rollback().await?;
            let mut conn = state.db.acquire().await?;
            let page = case_page_view(&mut conn, &auth, &case, form, errors, vec![]).await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
        Err(e) => return Err(e.into()),
    };
    if send_now {
        let (rs, referral) = open_referral(
            &mut tx,
            &auth.who(&state.refusals),
            referral_id,
            "referral.create",
        )
        .await?;
        let packet = build_packet(&mut tx, case.reader(), &referral).await?;
        let missing =
            db::referrals::missing_consent(&mut tx, &case, to, &required_categories(&packet))
                .await?;
        if !missing.is_empty() {
            // nothing is kept: not even the draft
            tx.rollback().await?;
            let mut conn = state.db.acquire().await?;
            errors.add("consent", tr.t("referral-consent-missing"));
            let labels = missing
                .iter()
                .map(|c| tr.t(format!("category-{c}")))
                .collect();
            let page = case_page_view(&mut conn, &auth, &case, form, errors, labels).await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
        send(&mut tx, &rs, &referral, packet, "").await?;
    }
    auth.who(&state.refusals)
        .ok(&mut tx, "referral.create", Some(id), Some(referral_id))
        .await?;
    tx.commit().await?;
    let done = if send_now { Flash::Sent } else { Flash::Saved };
    Ok(flash::redirect(&format!("/referrals/{referral_id}"), done))
}

/// Sends a draft whose consent was checked: freezes the packet, moves the case to `referred`.
async fn send(
    conn: &mut PgConnection,
    scope: &ReferralScope,
    referral: &ReferralRow,
    packet: Packet,
    note: &str,
) -> AppResult<bool> {
    let actor = scope.actor();
    let mut packet = packet;
    let categories = required_categories(&packet);
    packet.sent_by = db::users::display_name(conn, actor.user_id()).await?;
    // the consent the sending was checked against, for the letter's statement
    packet.consent_on = db::referrals::consent_given_on(
        conn,
        scope,
        referral.to_agency_id,
        &required_categories(&packet),
    )
    .await?;
    let t = Transition {
        from: "draft",
        to: "sent",
        note,
        decline_reason: None,
        visit_on: None,
        service_start: None,
        packet: Some(serde_json::to_value(&packet).map_err(|e| AppError::Internal(e.into()))?),
    };
    if !db::referrals::transition(conn, scope, &t).await? {
        return Ok(false);
    }
    db::referrals::mark_referred(conn, scope).await?;
    // the packet is a provision to the receiver (第三者提供の記録)
    crate::area::ledger::referral_sent(
        conn,
        scope,
        referral.id,
        referral.to_agency_id,
        &categories,
    )
    .await?;
    timeline_event(
        conn,
        scope,
        referral,
        RefState::Sent,
        Said::new().free(note),
    )
    .await?;
    Ok(true)
}

/// The acting agency's side of a referral it can read, and whether it may still act on the
/// case (the sender must be on the team; the receiver acts from outside until it joins).
fn side_of(referral: &ReferralRow, agency: Uuid) -> Side {
    if referral.from_agency_id == agency {
        Side::Sender
    } else {
        Side::Receiver
    }
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
    let side = side_of(&referral, actor.agency_id());
    let packet = match packet_of(&referral) {
        Some(p) => p,
        None => build_packet(conn, rs.reader(), &referral).await?,
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
            let mut p = build_packet(&mut conn, rs.reader(), &referral).await?;
            p.consent_on = db::referrals::consent_given_on(
                &mut conn,
                &rs,
                referral.to_agency_id,
                &required_categories(&p),
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
    let mut tx = state.db.begin().await?;
    let (rs, referral) = open_referral(
        &mut tx,
        &auth.who(&state.refusals),
        id,
        "referral.transition",
    )
    .await?;
    let actor = rs.actor();
    let side = side_of(&referral, actor.agency_id());
    let from = RefState::parse(&referral.state).unwrap_or(RefState::Withdrawn);
    let note = f.get("note").trim().to_string();
    let typed = StepForm {
        to: f.get("to"),
        visit_on: f.get("visit_on"),
        service_start: f.get("service_start"),
        reason: f.get("reason"),
        note: note.clone(),
    };
    let mut errors = Errors::default();
    errors.max_chars(tr, "note", &note, 2000);
    let to = RefState::parse(&f.get("to"));
    let Some(to) = to.filter(|to| from.may(side, *to)) else {
        // a move the state machine forbids (accepting a withdrawn referral…): nothing changes
        errors.add("to", tr.t("referral-not-allowed"));
        let mut page = referral_page(&mut tx, &auth, &rs, referral, errors, vec![]).await?;
        page.typed = typed;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    // the sender acts only while on the case's team
    if side == Side::Sender {
        // refused (and audited on its own connection) when the sender left the team
        access::case::open(
            &mut tx,
            &auth.who(&state.refusals),
            referral.case_id,
            Need::Write,
            "referral.transition",
        )
        .await?;
    }
    let mut visit_on = None;
    let mut service_start = None;
    let mut reason = None;
    match to {
        RefState::VisitScheduled => match parse_date(&f.get("visit_on")) {
            Some(d) if d >= dates::today_tokyo() => visit_on = Some(d),
            Some(_) => errors.add("visit_on", tr.t("referral-visit-past")),
            None => errors.add("visit_on", tr.t("error-date")),
        },
        RefState::Accepted => match parse_date(&f.get("service_start")) {
            Some(d) => {
                if let Some(r) = crate::domain::legal::training_start_refusal(
                    "service_start",
                    d,
                    crate::domain::dates::today_tokyo(),
                ) {
                    errors.add(r.field, crate::views::employment::refusal_text(tr, &r));
                }
                service_start = Some(d)
            }
            None => errors.add("service_start", tr.t("error-date")),
        },
        RefState::Declined => {
            reason = DeclineReason::parse(&f.get("reason"));
            if reason.is_none() {
                errors.add("reason", tr.t("referral-decline-reason"));
            }
            if note.is_empty() {
                errors.add("note", tr.t("referral-decline-note"));
            }
        }
        _ => {}
    }
    if !errors.is_empty() {
        let mut page = referral_page(&mut tx, &auth, &rs, referral, errors, vec![]).await?;
        page.typed = typed;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    if to == RefState::Sent {
        let packet = build_packet(&mut tx, rs.reader(), &referral).await?;
        let missing = db::referrals::missing_consent(
            &mut tx,
            &rs,
            referral.to_agency_id,
            &required_categories(&packet),
        )
        .await?;
        if !missing.is_empty() {
            errors.add("consent", tr.t("referral-consent-missing"));
            let labels = missing
                .iter()
                .map(|c| tr.t(format!("category-{c}")))
                .collect();
            let mut page = referral_page(&mut tx, &auth, &rs, referral, errors, labels).await?;
            page.typed = typed;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
        if !send(&mut tx, &rs, &referral, packet, &note).await? {
            return Err(AppError::NotFound);
        }
    } else {
        let t = Transition {
            from: from.as_str(),
            to: to.as_str(),
            note: &note,
            decline_reason: reason.map(|r| r.as_str()),
            visit_on,
            service_start,
            packet: None,
        };
        if !db::referrals::transition(&mut tx, &rs, &t).await? {
            return Err(AppError::NotFound);
        }
        let ja = Tr::new(Lang::Ja);
        match to {
            RefState::Acknowledged => {
                // the receiving agency joins the team
                db::cases::add_member(
                    &mut tx,
                    &rs,
                    referral.to_agency_id,
                    &ja.t("referral-team-role"),
                )
                .await?;
            }
            RefState::Accepted => {
                let start = service_start.expect("checked");
                db::referrals::start_training(&mut tx, &rs, start, referral.to_agency_id).await?;
                db::cases::add_member(
                    &mut tx,
                    &rs,
                    referral.to_agency_id,
                    &ja.t("referral-team-role"),
                )
                .await?;
                let said = Said::new()
                    .line(Message::new("team-event-lead").text("agency", &referral.to_name));
                db::entries::record_team_event(&mut tx, &rs, "handover", &said).await?;
                // the training start is a date of the legal timeline: its tasks follow
                if let Some(dates) = db::tasks::phase_dates(&mut tx, &rs).await? {
                    let wanted = crate::area::legal::wanted_tasks(&dates, referral.to_agency_id);
                    db::tasks::regenerate(&mut tx, &rs, &dates, &wanted).await?;
                    db::plans::sync_review_tasks(&mut tx, &rs).await?;
                }
            }
            _ => {}
        }
        let mut detail = Said::new();
        if let Some(r) = reason {
            detail =
                detail.line(Message::new("event-referral-reason").key("reason", r.label_key()));
        }
        if let Some(d) = service_start {
            detail = detail.line(Message::new("event-referral-start").date("on", d));
        }
        if let Some(d) = visit_on {
            detail = detail.line(Message::new("event-referral-visit").date("on", d));
        }
        timeline_event(&mut tx, &rs, &referral, to, detail.free(&note)).await?;
    }
    crate::area::notify::referral_moved(&mut tx, &state.settings.mail, actor, &referral, to)
        .await?;
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
