//! Referral moves (SPEC §5), for the referral pages and the API alike: drafting (and sending at
//! once), and each step of the state machine with what it checks and what follows from it —
//! the consent the packet needs, the receiver joining the team, the training start, the
//! timeline event both sides read, and the mail notice to the other side. A move that does not
//! pass comes back as `Stopped` (each field's message, and the consent categories missing);
//! the caller rolls its transaction back and shows the form again.

use crate::access::{self, CaseScope, Need, OnCase, Reader, ReferralScope, Who};
use crate::area::checks::item_text;
use crate::config::MailSettings;
use crate::db;
use crate::db::referrals::{NewReferral, Packet, ReferralRow, Transition};
use crate::domain::checklist::READINESS;
use crate::domain::dates::{self, parse_date};
use crate::domain::message::{Message, Said};
use crate::domain::referral::{DeclineReason, RefState, Side};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Tr};
use crate::views::referrals::{ReferralForm, StepForm};
use crate::views::Errors;
use sqlx::PgConnection;
use uuid::Uuid;

/// The longest "hopes" of a referral, and the longest note of a step.
pub const HOPES_MAX: usize = 5000;
pub const NOTE_MAX: usize = 2000;

/// A move that did not pass: nothing of it is to be kept (the caller rolls back).
#[derive(Debug, Default)]
pub struct Stopped {
    pub errors: Errors,
    /// The consent categories the receiver is not covered for (their labels), when that stopped it.
    pub missing_consent: Vec<String>,
}

impl Stopped {
    fn of(errors: Errors) -> Stopped {
        Stopped {
            errors,
            missing_consent: vec![],
        }
    }
}

/// The acting agency's side of a referral it can read.
pub fn side_of(referral: &ReferralRow, agency: Uuid) -> Side {
    if referral.from_agency_id == agency {
        Side::Sender
    } else {
        Side::Receiver
    }
}

async fn missing_consent(
    conn: &mut PgConnection,
    tr: Tr,
    scope: &impl OnCase,
    to_agency: Uuid,
    packet: &Packet,
) -> AppResult<Option<Stopped>> {
    let missing =
        db::referrals::missing_consent(conn, scope, to_agency, &required_categories(packet))
            .await?;
    if missing.is_empty() {
        return Ok(None);
    }
    let mut errors = Errors::default();
    errors.add("consent", tr.t("referral-consent-missing"));
    Ok(Some(Stopped {
        errors,
        missing_consent: missing
            .iter()
            .map(|c| tr.t(format!("category-{c}")))
            .collect(),
    }))
}

/// Drafts a referral from the case to another agency, and sends it at once when `send_now`
/// (the consent checked first). Returns the referral's id.
pub async fn create(
    conn: &mut PgConnection,
    tr: Tr,
    who: &Who<'_>,
    mail: &MailSettings,
    case: &CaseScope,
    form: &ReferralForm,
    send_now: bool,
) -> AppResult<Result<Uuid, Stopped>> {
    let mut errors = Errors::default();
    errors.max_chars(tr, "hopes", &form.hopes, HOPES_MAX);
    let to = Uuid::parse_str(&form.to_agency_id).ok();
    let to_agency = match to {
        Some(a) => db::agencies::get(conn, a).await?.filter(|a| a.active),
        None => None,
    };
    if to_agency.is_none() || to == Some(case.actor().agency_id()) {
        errors.add("to_agency_id", tr.t("referral-choose-agency"));
    }
    let assessment_id = if form.attach_assessment {
        db::checks::history(conn, case.reader(), READINESS, 1)
            .await?
            .first()
            .map(|a| a.id)
    } else {
        None
    };
    if !errors.is_empty() {
        return Ok(Err(Stopped::of(errors)));
    }
    let to = to.expect("checked");
    let new = NewReferral {
        to_agency_id: to,
        hopes: &form.hopes,
        assessment_id,
    };
    let referral_id = match db::referrals::create(conn, case, &new).await {
        Ok(rid) => rid,
        Err(e) if db::is_unique_violation(&e, "referral_one_open_idx") => {
            errors.add("to_agency_id", tr.t("referral-already-open"));
            return Ok(Err(Stopped::of(errors)));
        }
        Err(e) => return Err(e.into()),
    };
    if send_now {
        let rs = access::referral::open(conn, who, referral_id, "referral.create").await?;
        let referral = db::referrals::get(conn, &rs).await?;
        let packet = build_packet(conn, case.reader(), &referral).await?;
        // nothing is kept when the consent is missing: not even the draft
        if let Some(stopped) = missing_consent(conn, tr, case, to, &packet).await? {
            return Ok(Err(stopped));
        }
        send(conn, &rs, &referral, packet, "").await?;
        crate::area::notify::referral_moved(conn, mail, rs.actor(), &referral, RefState::Sent)
            .await?;
    }
    Ok(Ok(referral_id))
}

/// One step of a referral by the acting side (`step.to`: sent, acknowledged, visit_scheduled,
/// trial, accepted, declined with a reason and a note, withdrawn), with what follows from it.
/// Returns the state it moved to.
pub async fn transition(
    conn: &mut PgConnection,
    tr: Tr,
    who: &Who<'_>,
    mail: &MailSettings,
    rs: &ReferralScope,
    referral: &ReferralRow,
    step: &StepForm,
) -> AppResult<Result<RefState, Stopped>> {
    let actor = rs.actor();
    let side = side_of(referral, actor.agency_id());
    let from = RefState::parse(&referral.state).unwrap_or(RefState::Withdrawn);
    // the sender acts only while on the case's team, and so does the receiving office once
    // it has acknowledged (and so joined the team): an office the team removed cannot move
    // the referral on, rejoin the team or take the lead. Refused (and audited on its own
    // connection) before anything else is read from the request.
    if side == Side::Sender || !matches!(from, RefState::Sent | RefState::Draft) {
        access::case::open(
            conn,
            who,
            referral.case_id,
            Need::Write,
            "referral.transition",
        )
        .await?;
    }
    let note = step.note.trim().to_string();
    let mut errors = Errors::default();
    errors.max_chars(tr, "note", &note, NOTE_MAX);
    let Some(to) = RefState::parse(&step.to).filter(|to| from.may(side, *to)) else {
        // a move the state machine forbids (accepting a withdrawn referral…): nothing changes
        errors.add("to", tr.t("referral-not-allowed"));
        return Ok(Err(Stopped::of(errors)));
    };
    let mut visit_on = None;
    let mut service_start = None;
    let mut reason = None;
    match to {
        RefState::VisitScheduled => match parse_date(&step.visit_on) {
            Some(d) if d >= dates::today_tokyo() => visit_on = Some(d),
            Some(_) => errors.add("visit_on", tr.t("referral-visit-past")),
            None => errors.add("visit_on", tr.t("error-date")),
        },
        RefState::Accepted => match parse_date(&step.service_start) {
            Some(d) => {
                if let Some(r) = crate::domain::legal::training_start_refusal(
                    "service_start",
                    d,
                    dates::today_tokyo(),
                ) {
                    errors.add(r.field, crate::views::employment::refusal_text(tr, &r));
                }
                service_start = Some(d)
            }
            None => errors.add("service_start", tr.t("error-date")),
        },
        RefState::Declined => {
            reason = DeclineReason::parse(&step.reason);
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
        return Ok(Err(Stopped::of(errors)));
    }
    if to == RefState::Sent {
        let packet = build_packet(conn, rs.reader(), referral).await?;
        if let Some(stopped) = missing_consent(conn, tr, rs, referral.to_agency_id, &packet).await?
        {
            return Ok(Err(stopped));
        }
        if !send(conn, rs, referral, packet, &note).await? {
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
        if !db::referrals::transition(conn, rs, &t).await? {
            return Err(AppError::NotFound);
        }
        let ja = Tr::new(Lang::Ja);
        match to {
            RefState::Acknowledged => {
                // the receiving agency joins the team
                db::cases::add_member(conn, rs, referral.to_agency_id, &ja.t("referral-team-role"))
                    .await?;
            }
            RefState::Accepted => {
                let start = service_start.expect("checked");
                db::referrals::start_training(conn, rs, start, referral.to_agency_id).await?;
                db::cases::add_member(conn, rs, referral.to_agency_id, &ja.t("referral-team-role"))
                    .await?;
                let said = Said::new()
                    .line(Message::new("team-event-lead").text("agency", &referral.to_name));
                db::entries::record_team_event(conn, rs, "handover", &said).await?;
                // the training start is a date of the legal timeline: its tasks follow
                if let Some(dates) = db::tasks::phase_dates(conn, rs).await? {
                    let wanted = crate::area::legal::wanted_tasks(&dates, referral.to_agency_id);
                    db::tasks::regenerate(conn, rs, &dates, &wanted).await?;
                    db::plans::sync_review_tasks(conn, rs).await?;
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
        timeline_event(conn, rs, referral, to, detail.free(&note)).await?;
    }
    crate::area::notify::referral_moved(conn, mail, actor, referral, to).await?;
    Ok(Ok(to))
}

/// The packet as it would be sent now, from what the sender may see.
pub async fn build_packet(
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
pub fn required_categories(packet: &Packet) -> Vec<String> {
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
