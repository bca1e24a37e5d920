//! Checklists on a case (`/cases/{id}/checks`): the referral readiness assessment, scored on the
//! generic instrument model, with its history; and the pre-referral information, written over
//! time. Each assessment is a `readiness` entry on the timeline.

use super::export;
use super::extract::Auth;
use super::form::Pairs;
use crate::access::CaseScope;
use crate::area::checks::{assessment_views, item_text};
use crate::db;
use crate::domain::checklist::Answers;
use crate::domain::checklist::{Scale, READINESS, RETENTION};
use crate::domain::dates;
use crate::domain::dates::parse_date;
use crate::domain::referral::PrereferralItem;
use crate::error::{AppError, AppResult};
use crate::http::flash::{self, Flash};
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::i18n::Lang;
use crate::views::checks::{ChecksPage, CriterionField, NoteField};
use crate::views::Errors;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use sqlx::PgConnection;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/checks", get(page).post(assess))
        .route("/cases/{id}/checks.csv", get(history_csv))
        .route("/cases/{id}/checks.xlsx", get(history_xlsx))
        .route("/cases/{id}/prereferral", post(save_notes))
}

#[allow(clippy::too_many_arguments)]
async fn checks_page(
    conn: &mut PgConnection,
    auth: &Auth,
    case: &CaseScope,
    criteria_input: Option<(Answers, String)>,
    errors: Errors,
    notes_input: Option<Vec<(String, String)>>,
    note_errors: Errors,
) -> AppResult<ChecksPage> {
    let tr = auth.ctx.tr;
    let _agency = case.actor().agency_id();
    let header = db::cases::header(conn, case.reader())
        .await?
        .ok_or(AppError::NotFound)?;
    let instrument = db::checks::instrument(conn, READINESS).await?;
    let rows = db::checks::history(conn, case.reader(), READINESS, 50).await?;
    let notes = db::referrals::latest_notes(conn, case.reader()).await?;
    // a new assessment starts from the last one (values and notes): only what changed is typed
    let (answers, assessed_on) = criteria_input.unwrap_or_else(|| {
        let last = rows.first().map(|r| r.answers()).unwrap_or_default();
        (last, dates::today_tokyo().to_string())
    });
    let criteria = instrument
        .items
        .iter()
        .map(|i| {
            let (value, note) = answers.get(&i.code).cloned().unwrap_or_default();
            CriterionField {
                code: i.code.clone(),
                text: item_text(tr, &instrument, &i.code),
                value,
                note,
            }
        })
        .collect();
    let typed = notes_input.unwrap_or_default();
    let notes = PrereferralItem::ALL
        .iter()
        .map(|item| {
            let latest = notes.iter().find(|n| n.item == item.as_str()).cloned();
            let value = typed
                .iter()
                .find(|(c, _)| c == item.as_str())
                .map(|(_, v)| v.clone())
                .or_else(|| latest.as_ref().map(|n| n.body.clone()))
                .unwrap_or_default();
            NoteField {
                code: item.as_str(),
                label: tr.t(item.label_key()),
                latest,
                value,
            }
        })
        .collect();
    Ok(ChecksPage {
        layout: auth.ctx.layout("checks-title"),
        case_id: case.case_id(),
        name: format!("{} {}", header.family_name, header.given_name),
        instrument_name: match tr.lang {
            Lang::Ja => instrument.name_ja.clone(),
            Lang::En => instrument.name_en.clone(),
        },
        can_write: case.access().can_write(),
        item_texts: instrument
            .items
            .iter()
            .map(|i| (i.code.clone(), item_text(tr, &instrument, &i.code)))
            .collect(),
        history: assessment_views(tr, &instrument, rows),
        criteria,
        assessed_on,
        errors,
        notes,
        note_errors,
    })
}

async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let case = crate::access::case::open(
        &mut conn,
        &auth.who(&state.refusals),
        id,
        crate::access::Need::Read,
        "case.checks.view",
    )
    .await?;
    let page = checks_page(
        &mut conn,
        &auth,
        &case,
        None,
        Errors::default(),
        None,
        Errors::default(),
    )
    .await?;
    auth.who(&state.refusals)
        .viewed(&mut conn, "case.checks.view", Some(id), None, &[])
        .await?;
    Ok(render(&page)?.into_response())
}

async fn assess(
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
        "assessment.create",
    )
    .await?;
    let instrument = db::checks::instrument(&mut tx, READINESS).await?;
    let answers: Answers = instrument
        .items
        .iter()
        .map(|i| {
            let value = f.get(&format!("v_{}", i.code));
            let note = f.get(&format!("n_{}", i.code)).trim().to_string();
            (i.code.clone(), (value, note))
        })
        .collect();
    let assessed_on_text = f.get("assessed_on");
    let mut errors = Errors::default();
    for code in instrument.unanswered(&answers) {
        errors.add(format!("v_{code}"), tr.t("readiness-choose"));
    }
    for (code, (_, note)) in &answers {
        if crate::domain::text::char_len(note) > 1000 {
            errors.add(format!("n_{code}"), tr.t1("error-max-chars", "max", 1000));
        }
    }
    let assessed_on = parse_date(&assessed_on_text);
    match assessed_on {
        None => errors.add("assessed_on", tr.t("error-date")),
        Some(d) if d > dates::today_tokyo() => errors.add("assessed_on", tr.t("error-date-future")),
        Some(_) => {}
    }
    if !errors.is_empty() {
        let page = checks_page(
            &mut tx,
            &auth,
            &case,
            Some((answers, assessed_on_text)),
            errors,
            None,
            Errors::default(),
        )
        .await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let assessed_on = assessed_on.expect("checked");
    let team: Vec<Uuid> = db::cases::team(&mut tx, &case)
        .await?
        .into_iter()
        .filter(|m| m.left_on.is_none() && m.agency_id != case.actor().agency_id())
        .map(|m| m.agency_id)
        .collect();
    let said = crate::area::checks::readiness_summary(&instrument, &answers);
    let entry_id = db::entries::insert_said(
        &mut tx,
        &case,
        "readiness",
        "assessment",
        &said,
        &team,
        crate::domain::dates::tokyo_noon(assessed_on),
    )
    .await?;
    let assessment =
        db::checks::insert(&mut tx, &case, READINESS, assessed_on, &answers, entry_id).await?;
    auth.who(&state.refusals)
        .ok(&mut tx, "assessment.create", Some(id), Some(assessment))
        .await?;
    tx.commit().await?;
    Ok(flash::redirect(
        &format!("/cases/{id}/checks"),
        Flash::Recorded,
    ))
}

async fn save_notes(
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
        "prereferral.save",
    )
    .await?;
    let latest = db::referrals::latest_notes(&mut tx, case.reader()).await?;
    let typed: Vec<(String, String)> = PrereferralItem::ALL
        .iter()
        .map(|i| {
            (
                i.as_str().to_string(),
                f.get(&format!("note_{}", i.as_str())).trim().to_string(),
            )
        })
        .collect();
    let mut errors = Errors::default();
    for (code, text) in &typed {
        if crate::domain::text::char_len(text) > 5000 {
            errors.add(
                format!("note_{code}"),
                tr.t1("error-max-chars", "max", 5000),
            );
        }
    }
    if !errors.is_empty() {
        let page = checks_page(
            &mut tx,
            &auth,
            &case,
            None,
            Errors::default(),
            Some(typed),
            errors,
        )
        .await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let mut saved = 0;
    for item in PrereferralItem::ALL {
        let (_, text) = typed
            .iter()
            .find(|(c, _)| c == item.as_str())
            .expect("every item");
        let unchanged = latest
            .iter()
            .any(|n| n.item == item.as_str() && n.body == *text);
        if !text.is_empty() && !unchanged {
            db::referrals::add_note(&mut tx, &case, item.as_str(), item.category(), text).await?;
            saved += 1;
        }
    }
    if saved > 0 {
        auth.who(&state.refusals)
            .ok(&mut tx, "prereferral.save", Some(id), None)
            .await?;
    }
    tx.commit().await?;
    Ok(flash::redirect(
        &format!("/cases/{id}/checks#prereferral"),
        Flash::Saved,
    ))
}

/// Assessments a checklist export reads per instrument: the whole history of a case.
const HISTORY_EXPORT_MAX: i64 = 10_000;

const HISTORY_COLUMNS: &[&str] = &[
    "export-col-instrument",
    "readiness-date",
    "export-col-author",
    "export-col-agency",
    "export-col-item",
    "export-col-value",
    "export-col-note",
    "readiness-result",
    "export-col-written-at",
];

async fn history_csv(state: State<AppState>, auth: Auth, id: Path<Uuid>) -> AppResult<Response> {
    history_export(state, auth, id, export::Format::Csv).await
}

async fn history_xlsx(state: State<AppState>, auth: Auth, id: Path<Uuid>) -> AppResult<Response> {
    history_export(state, auth, id, export::Format::Xlsx).await
}

/// The checklist history (referral readiness and the retention check) as a file: one row per
/// assessment and item, newest first, the assessments the checks pages show this reader (the
/// entry rule, through the same query).
async fn history_export(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    format: export::Format,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut conn = state.db.acquire().await?;
    let case = crate::access::case::open(
        &mut conn,
        &auth.who(&state.refusals),
        id,
        crate::access::Need::Read,
        "case.checks.export",
    )
    .await?;
    let header = db::cases::header(&mut conn, case.reader())
        .await?
        .ok_or(AppError::NotFound)?;
    let mut rows = vec![];
    for code in [READINESS, RETENTION] {
        let instrument = db::checks::instrument(&mut conn, code).await?;
        let name = match tr.lang {
            Lang::Ja => instrument.name_ja.clone(),
            Lang::En => instrument.name_en.clone(),
        };
        let history =
            db::checks::history(&mut conn, case.reader(), code, HISTORY_EXPORT_MAX).await?;
        for a in &history {
            let answers = a.answers();
            let result = match instrument.scale {
                Scale::Met3 => {
                    let r = instrument.all_met(&answers);
                    format!("{}/{}", r.met, r.total)
                }
                Scale::Likert5 => instrument
                    .domain_means(&answers)
                    .iter()
                    .zip(&instrument.domains)
                    .map(|((_, m), d)| {
                        let name = match tr.lang {
                            Lang::Ja => &d.name_ja,
                            Lang::En => &d.name_en,
                        };
                        format!("{name} {m:.1}")
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            };
            for item in &instrument.items {
                let Some((value, note)) = answers.get(&item.code) else {
                    continue;
                };
                let value = match instrument.scale {
                    Scale::Met3 => tr.t(format!("readiness-value-{value}")),
                    Scale::Likert5 => value.clone(),
                };
                rows.push(vec![
                    export::Cell::text(&name),
                    export::Cell::Date(Some(a.assessed_on)),
                    export::Cell::text(&a.author_name),
                    export::Cell::text(&a.author_agency_name),
                    export::Cell::text(item_text(tr, &instrument, &item.code)),
                    export::Cell::text(value),
                    export::Cell::text(note),
                    export::Cell::text(&result),
                    export::Cell::At(Some(a.created_at)),
                ]);
            }
        }
    }
    auth.who(&state.refusals)
        .ok(&mut conn, "case.checks.export", Some(id), None)
        .await?;
    drop(conn);
    let person = format!("{}{}", header.family_name, header.given_name);
    let sheet =
        export::Sheet::new(tr, "checks", "checklists", Some(&person)).columns(tr, HISTORY_COLUMNS);
    export::respond(&state.db, format, sheet, export::Once(Some(rows))).await
}
