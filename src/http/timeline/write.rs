//! Writing on the timeline: the entry form, a new entry, and the author's edit of their own
//! entry (the earlier text is kept as a version).

use crate::access::CaseScope;
use crate::area::timeline::{check_entry, entry_view};
use crate::db;
use crate::domain::case::Category;
use crate::domain::entry::{ContactChannel, ContactWith, EntryFields, EntryKind};
use crate::error::{AppError, AppResult};
use crate::http::extract::Auth;
use crate::http::flash::{self, Flash};
use crate::http::form::Pairs;
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::i18n::Tr;
use crate::views::timeline::{EntryForm, NewEntryPage, ShareChoice};
use crate::views::{Choice, Errors};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::Utc;
use chrono_tz::Asia::Tokyo;
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

fn choices<T: Copy>(
    all: &[T],
    value: fn(T) -> &'static str,
    key: &str,
    tr: Tr,
    selected: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|k| Choice::new(value(*k), tr.t(format!("{key}-{}", value(*k))), selected))
        .collect()
}

/// The entry form page, for a new entry or an edit.
async fn entry_form_page(
    conn: &mut PgConnection,
    auth: &Auth,
    case: &CaseScope,
    form: EntryForm,
    errors: Errors,
    editing: Option<Uuid>,
) -> AppResult<NewEntryPage> {
    let tr = auth.ctx.tr;
    let agency = case.actor().agency_id();
    let header = db::cases::header(conn, case.reader())
        .await?
        .ok_or(AppError::NotFound)?;
    let team = db::cases::team(conn, case).await?;
    let consents = db::consents::for_case(conn, case).await?;
    let shares = team
        .iter()
        .filter(|m| m.left_on.is_none() && m.agency_id != agency)
        .map(|m| ShareChoice {
            agency_id: m.agency_id,
            name: m.name.clone(),
            checked: form
                .shared_with
                .iter()
                .any(|s| *s == m.agency_id.to_string()),
            not_covered: Category::ALL
                .iter()
                .filter(|c| {
                    !consents.iter().any(|k| {
                        k.live
                            && k.agency_id == m.agency_id
                            && k.categories.iter().any(|x| x == c.as_str())
                    })
                })
                .map(|c| tr.t(c.label_key()))
                .collect(),
        })
        .collect();
    let title = match (editing, EntryKind::parse(&form.kind)) {
        (Some(_), _) => tr.t("entry-edit-title"),
        (None, Some(kind)) => tr.t(format!("entry-write-{}", kind.as_str())),
        (None, None) => tr.t("entry-new-title"),
    };
    Ok(NewEntryPage {
        layout: auth.ctx.layout_titled(title),
        name: format!("{} {}", header.family_name, header.given_name),
        case_id: case.case_id(),
        categories: Category::ALL
            .iter()
            .map(|c| Choice::new(c.as_str(), tr.t(c.label_key()), &form.category))
            .collect(),
        channels: choices(
            ContactChannel::ALL,
            ContactChannel::as_str,
            "contact-channel",
            tr,
            &form.channel,
        ),
        with_whom: choices(
            ContactWith::ALL,
            ContactWith::as_str,
            "contact-with",
            tr,
            &form.with_whom,
        ),
        shares,
        form,
        errors,
        editing,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct NewQuery {
    kind: String,
}

fn now_tokyo_input() -> String {
    Utc::now()
        .with_timezone(&Tokyo)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

pub(super) async fn new_entry(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    // the form shows the person's name and the consent coverage: a view, audited as one
    let case = crate::access::case::view(
        &mut conn,
        &auth.who(&state.refusals),
        id,
        crate::access::Need::Write,
        "entry.form.view",
        None,
    )
    .await?;
    let kind = EntryKind::parse(&q.kind)
        .filter(|k| EntryKind::WRITABLE.contains(k))
        .unwrap_or(EntryKind::Progress);
    let team = db::cases::team(&mut conn, &case).await?;
    let form = EntryForm {
        kind: kind.as_str().into(),
        category: Category::Training.as_str().into(),
        occurred_at: now_tokyo_input(),
        // the whole team by default
        shared_with: team
            .iter()
            .filter(|m| m.left_on.is_none())
            .map(|m| m.agency_id.to_string())
            .collect(),
        ..EntryForm::default()
    };
    let page = entry_form_page(&mut conn, &auth, &case, form, Errors::default(), None).await?;
    Ok(render(&page)?.into_response())
}

fn read_entry_form(f: &Pairs) -> EntryForm {
    EntryForm {
        kind: f.get("kind"),
        category: f.get("category"),
        occurred_at: f.get("occurred_at"),
        body: f.get("body"),
        situation: f.get("situation"),
        handling: f.get("handling"),
        resolved: !f.get("resolved").is_empty(),
        channel: f.get("channel"),
        with_whom: f.get("with_whom"),
        next_visit: f.get("next_visit"),
        report: !f.get("report").is_empty(),
        shared_with: f.all("share"),
    }
}

pub(super) async fn create_entry(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    let case = crate::access::case::open(
        &mut tx,
        &auth.who(&state.refusals),
        id,
        crate::access::Need::Write,
        "entry.create",
    )
    .await?;
    let team = db::cases::team(&mut tx, &case).await?;
    let form = read_entry_form(&f);
    let mut errors = Errors::default();
    match check_entry(
        auth.ctx.tr,
        &form,
        &team,
        case.actor().agency_id(),
        &mut errors,
    ) {
        Some(entry) => {
            let new = db::entries::NewEntry {
                kind: entry.kind.as_str(),
                category: entry.category.as_str(),
                occurred_at: entry.occurred_at,
                body: form.body.trim(),
                fields: entry.fields.to_json(),
                shared_with: &entry.shared_with,
                reply_to: None,
            };
            let entry_id = db::entries::insert(&mut tx, &case, &new).await?;
            auth.who(&state.refusals)
                .ok(&mut tx, "entry.create", Some(id), Some(entry_id))
                .await?;
            tx.commit().await?;
            Ok(flash::redirect(
                &format!("/cases/{id}#entry-{entry_id}"),
                Flash::Recorded,
            ))
        }
        None => {
            let page = entry_form_page(&mut tx, &auth, &case, form, errors, None).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

/// The author may edit their own entry while their agency is on the team.
async fn open_own_entry(
    conn: &mut PgConnection,
    who: &crate::access::Who<'_>,
    id: Uuid,
    entry_id: Uuid,
) -> AppResult<(CaseScope, db::entries::EntryRow, String)> {
    let case =
        crate::access::case::open(conn, who, id, crate::access::Need::Write, "entry.edit").await?;
    let row = db::entries::get(conn, &case, entry_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (body, _) = db::entries::source(conn, &case, entry_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !entry_view(&case, row.clone()).can_edit {
        return Err(case.refuse(who, "entry.edit").await.into());
    }
    Ok((case, row, body))
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, entry_id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let who = auth.who(&state.refusals);
    let (case, row, body) = open_own_entry(&mut conn, &who, id, entry_id).await?;
    case.record(&mut conn, &who, "entry.edit.view", Some(entry_id))
        .await?;
    let fields = EntryFields::from_json(&row.fields);
    let form = EntryForm {
        kind: row.kind.clone(),
        category: row.category.clone(),
        occurred_at: row
            .occurred_at
            .with_timezone(&Tokyo)
            .format("%Y-%m-%dT%H:%M")
            .to_string(),
        body,
        situation: fields.situation.clone().unwrap_or_default(),
        handling: fields.handling.clone().unwrap_or_default(),
        resolved: fields.resolved.unwrap_or(false),
        channel: fields.channel.clone().unwrap_or_default(),
        with_whom: fields.with_whom.clone().unwrap_or_default(),
        next_visit: fields.next_visit.map(|d| d.to_string()).unwrap_or_default(),
        report: fields.report.unwrap_or(false),
        shared_with: vec![],
    };
    let page = entry_form_page(
        &mut conn,
        &auth,
        &case,
        form,
        Errors::default(),
        Some(entry_id),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

pub(super) async fn save_edit(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, entry_id)): Path<(Uuid, Uuid)>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    let (case, row, _) = open_own_entry(&mut tx, &auth.who(&state.refusals), id, entry_id).await?;
    // kind, category and sharing stay as written: an edit corrects the text
    let mut form = read_entry_form(&f);
    form.kind = row.kind.clone();
    form.category = row.category.clone();
    form.shared_with = vec![];
    let mut errors = Errors::default();
    match check_entry(
        auth.ctx.tr,
        &form,
        &[],
        case.actor().agency_id(),
        &mut errors,
    ) {
        Some(entry) => {
            let saved = db::entries::edit(
                &mut tx,
                &case,
                entry_id,
                form.body.trim(),
                &entry.fields.to_json(),
                entry.occurred_at,
            )
            .await?;
            if !saved {
                return Err(AppError::NotFound);
            }
            auth.who(&state.refusals)
                .ok(&mut tx, "entry.edit", Some(id), Some(entry_id))
                .await?;
            tx.commit().await?;
            Ok(flash::redirect(
                &format!("/cases/{id}/entries/{entry_id}"),
                Flash::Saved,
            ))
        }
        None => {
            let page = entry_form_page(&mut tx, &auth, &case, form, errors, Some(entry_id)).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}
