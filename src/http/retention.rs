//! The retention check (安定した就労と生活のためのチェックリスト, seed 004 section 8): 27 items in six
//! domains scored 1–5 on the generic instrument model; the result is the domain means, drawn
//! as a radar with the previous check overlaid and the domains under 3 highlighted.

use super::extract::Auth;
use super::form::Pairs;
use crate::access::CaseScope;
use crate::db;
use crate::domain::checklist::RETENTION;
use crate::domain::checklist::{Answers, Instrument};
use crate::domain::dates::parse_date;
use crate::domain::{dates, radar};
use crate::error::{AppError, AppResult};
use crate::http::flash::{self, Flash};
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::i18n::{Lang, Tr};
use crate::views::retention::{Axis, CheckRow, DomainField, ItemField, Radar, RetentionPage};
use crate::views::Errors;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use sqlx::PgConnection;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new().route("/cases/{id}/checks/retention", get(page).post(save))
}

fn domain_names(tr: Tr, i: &Instrument) -> Vec<String> {
    i.domains
        .iter()
        .map(|d| match tr.lang {
            Lang::Ja => d.name_ja.clone(),
            Lang::En => d.name_en.clone(),
        })
        .collect()
}

/// The radar for the latest means, with the previous ones overlaid.
pub fn radar_of(current: &[f64], previous: Option<&[f64]>) -> Radar {
    let n = current.len();
    let axes = (0..n)
        .map(|i| {
            let (x, y) = radar::point(i, n, radar::MAX);
            let (lx, ly) = radar::point(i, n, radar::MAX + 0.9);
            let anchor = if (lx - radar::CX).abs() < 1.0 {
                "middle"
            } else if lx > radar::CX {
                "start"
            } else {
                "end"
            };
            Axis {
                x: format!("{x:.1}"),
                y: format!("{y:.1}"),
                label_x: format!("{lx:.1}"),
                label_y: format!("{ly:.1}"),
                anchor,
                // the numeral and the mean: the full names are listed under the chart
                label: ["Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "Ⅵ", "Ⅶ", "Ⅷ"]
                    .get(i)
                    .unwrap_or(&"")
                    .to_string(),
                mean: current[i],
                low: current[i] < 3.0,
            }
        })
        .collect();
    Radar {
        axes,
        rings: (1..=5)
            .map(|r| radar::polygon(&vec![r as f64; n]))
            .collect(),
        current: radar::polygon(current),
        previous: previous.map(radar::polygon),
    }
}

async fn retention_page(
    conn: &mut PgConnection,
    auth: &Auth,
    case: &CaseScope,
    answers: Answers,
    assessed_on: String,
    errors: Errors,
) -> AppResult<RetentionPage> {
    let tr = auth.ctx.tr;
    let _agency = case.actor().agency_id();
    let header = db::cases::header(conn, case.reader())
        .await?
        .ok_or(AppError::NotFound)?;
    let instrument = db::checks::instrument(conn, RETENTION).await?;
    let rows = db::checks::history(conn, case.reader(), RETENTION, 24).await?;
    let history: Vec<CheckRow> = rows
        .iter()
        .map(|r| CheckRow {
            assessed_on: r.assessed_on,
            author: format!("{}（{}）", r.author_name, r.author_agency_name),
            means: instrument
                .domain_means(&r.answers())
                .into_iter()
                .map(|(_, m)| m)
                .collect(),
        })
        .collect();
    let names = domain_names(tr, &instrument);
    let radar = history
        .first()
        .map(|latest| radar_of(&latest.means, history.get(1).map(|p| p.means.as_slice())));
    let form = instrument
        .domains
        .iter()
        .zip(&names)
        .map(|(d, name)| DomainField {
            name: name.clone(),
            items: instrument
                .items
                .iter()
                .filter(|i| i.domain_position == d.position)
                .map(|i| ItemField {
                    code: i.code.clone(),
                    text: match tr.lang {
                        Lang::Ja => i.text_ja.clone(),
                        Lang::En => i.text_en.clone(),
                    },
                    value: answers
                        .get(&i.code)
                        .map(|(v, _)| v.clone())
                        .unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    Ok(RetentionPage {
        layout: auth.ctx.layout("retention-title"),
        case_id: case.case_id(),
        name: format!("{} {}", header.family_name, header.given_name),
        instrument_name: match tr.lang {
            Lang::Ja => instrument.name_ja.clone(),
            Lang::En => instrument.name_en.clone(),
        },
        domain_names: names,
        radar,
        history,
        can_write: case.access().can_write(),
        form,
        assessed_on,
        errors,
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
        "case.retention.view",
    )
    .await?;
    let page = retention_page(
        &mut conn,
        &auth,
        &case,
        Answers::new(),
        dates::today_tokyo().to_string(),
        Errors::default(),
    )
    .await?;
    auth.who(&state.refusals)
        .viewed(&mut conn, "case.retention.view", Some(id), None, &[])
        .await?;
    Ok(render(&page)?.into_response())
}

async fn save(
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
    let instrument = db::checks::instrument(&mut tx, RETENTION).await?;
    let answers: Answers = instrument
        .items
        .iter()
        .map(|i| {
            (
                i.code.clone(),
                (f.get(&format!("v_{}", i.code)), String::new()),
            )
        })
        .collect();
    let mut errors = Errors::default();
    for code in instrument.unanswered(&answers) {
        errors.add(format!("v_{code}"), tr.t("retention-choose"));
    }
    let text = f.get("assessed_on");
    let assessed_on = parse_date(&text);
    match assessed_on {
        None => errors.add("assessed_on", tr.t("error-date")),
        Some(d) if d > dates::today_tokyo() => errors.add("assessed_on", tr.t("error-date-future")),
        Some(_) => {}
    }
    if !errors.is_empty() {
        let page = retention_page(&mut tx, &auth, &case, answers, text, errors).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let assessed_on = assessed_on.expect("checked");
    let said = crate::area::checks::retention_summary(&instrument, &answers);
    let team: Vec<Uuid> = db::cases::team(&mut tx, &case)
        .await?
        .into_iter()
        .filter(|m| m.left_on.is_none() && m.agency_id != case.actor().agency_id())
        .map(|m| m.agency_id)
        .collect();
    let entry_id = db::entries::insert_said(
        &mut tx,
        &case,
        "assessment",
        "assessment",
        &said,
        &team,
        crate::domain::dates::tokyo_noon(assessed_on),
    )
    .await?;
    let assessment =
        db::checks::insert(&mut tx, &case, RETENTION, assessed_on, &answers, entry_id).await?;
    auth.who(&state.refusals)
        .ok(&mut tx, "assessment.create", Some(id), Some(assessment))
        .await?;
    tx.commit().await?;
    Ok(flash::redirect(
        &format!("/cases/{id}/checks/retention"),
        Flash::Recorded,
    ))
}
