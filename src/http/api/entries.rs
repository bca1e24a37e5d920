//! The timeline through the API: a page of entries exactly as the timeline page shows it to
//! the same user (the same door, area function, filters and keyset), and writing an entry with
//! the same checks as the entry form.

use super::responses::{Problems, WriteProblems};
use super::{path_id, Api, ApiError, ApiResult};
use crate::access::{self, Need};
use crate::area::timeline::{check_entry, load_timeline, TimelineQuery};
use crate::db::{self, entries::TimeCursor};
use crate::http::render::json;
use crate::http::state::AppState;
use crate::views::api::{Created, Entry, FieldError, Paged};
use crate::views::timeline::{EntryForm, FilterForm};
use crate::views::Errors;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use chrono_tz::Asia::Tokyo;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct EntriesQuery {
    /// Only entries of this kind (progress, observation, contact, note, …).
    kind: String,
    /// Only entries written as this agency (its id).
    agency: String,
    /// From this Tokyo date (YYYY-MM-DD).
    from: String,
    /// To this Tokyo date, inclusive.
    to: String,
    /// Text to find in the body and fields.
    q: String,
    /// Where the page starts: the `next` of the previous page.
    after: Option<String>,
}

fn cursor_text(e: &Entry) -> String {
    format!("{}_{}", e.occurred_at.timestamp_micros(), e.id)
}

fn parse_cursor(s: &str) -> Option<TimeCursor> {
    let (at, id) = s.split_once('_')?;
    let occurred_at = DateTime::from_timestamp_micros(at.parse().ok()?)
        .filter(|t| crate::domain::dates::in_range(t.date_naive()))?;
    Some(TimeCursor {
        occurred_at,
        id: Uuid::parse_str(id).ok()?,
    })
}

/// A page of the case's timeline, newest first, 50 entries with their replies: the entries
/// the timeline page shows this user, filtered as the page filters. What is listed is marked
/// read, as on the page.
#[utoipa::path(get, path = "/api/v1/cases/{id}/entries", tag = "timeline",
    params(("id" = Uuid, Path, description = "The case"), EntriesQuery),
    responses((status = 200, body = Paged<Entry>), Problems),
    security(("token" = [])))]
pub(super) async fn list(
    State(state): State<AppState>,
    api: Api,
    id: Result<Path<Uuid>, PathRejection>,
    Query(q): Query<EntriesQuery>,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    let tr = api.tr();
    let before = match q.after.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => {
            Some(parse_cursor(s).ok_or_else(|| ApiError::field("after", tr.t("api-bad-cursor")))?)
        }
        None => None,
    };
    let query = TimelineQuery::new(
        FilterForm {
            kind: q.kind,
            agency: q.agency,
            from: q.from,
            to: q.to,
            q: q.q,
        },
        before,
    );
    let mut conn = state.db.acquire().await?;
    let who = api.auth.who(&state.refusals);
    let case = access::case::open(&mut conn, &who, id, Need::Read, "case.timeline.view").await?;
    // the page's own read: header, team, entries and replies in one statement
    let read = load_timeline(&mut conn, tr, &case, &query)
        .await?
        .ok_or(ApiError::NotFound)?;
    let (timeline, unread) = (read.timeline, read.unread);
    // the view's audit row and the read marks of what it listed, as on the page
    who.viewed(&mut conn, "case.timeline.view", Some(id), None, &unread)
        .await?;
    let more = timeline.older.is_some();
    let items: Vec<Entry> = timeline
        .entries
        .into_iter()
        .map(|v| Entry::of_view(&tr, v))
        .collect();
    let next = if more {
        items.last().map(cursor_text)
    } else {
        None
    };
    Ok(json(StatusCode::OK, &Paged { items, next }))
}

/// A new entry, as the entry form takes it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[allow(dead_code)] // read member by member (`read_new_entry`), so that each error names its field
pub(super) struct NewEntry {
    /// progress, observation, contact or note
    kind: String,
    /// The information category: health, assessment, training, work, life, contact
    category: String,
    /// The text (Markdown), at most 20,000 characters.
    body: String,
    /// When it happened (RFC 3339); now when left out.
    occurred_at: Option<DateTime<Utc>>,
    /// The team agencies it is shared with (the author's own agency always sees it).
    #[serde(default)]
    shared_with: Vec<Uuid>,
    /// observation: the situation
    situation: Option<String>,
    /// observation: how it was handled
    handling: Option<String>,
    /// observation: resolved
    resolved: Option<bool>,
    /// contact: phone, visit, mail, …
    channel: Option<String>,
    /// contact: person, family, employer, …
    with_whom: Option<String>,
    /// contact: the next visit (YYYY-MM-DD)
    #[schema(format = Date)]
    next_visit: Option<String>,
    /// progress or contact: goes into the monthly report
    report: Option<bool>,
}

/// Reads the body into the entry form, member by member, so that a member of the wrong type is
/// named; the form's own checks come after.
fn read_new_entry(api: &Api, body: &[u8]) -> Result<EntryForm, Vec<FieldError>> {
    let tr = api.tr();
    let mut errors = vec![];
    let mut bad = |field: &str, key: &str| {
        errors.push(FieldError {
            field: field.to_string(),
            message: tr.t(key),
        })
    };
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) => {
            bad("body", "api-bad-json");
            return Err(errors);
        }
    };
    let Some(map) = value.as_object() else {
        bad("body", "api-not-object");
        return Err(errors);
    };
    let text = |field: &'static str, required: bool, bad: &mut dyn FnMut(&str, &str)| match map
        .get(field)
    {
        None | Some(Value::Null) if required => {
            bad(field, "error-required");
            String::new()
        }
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.replace('\0', ""),
        Some(_) => {
            bad(field, "api-not-string");
            String::new()
        }
    };
    let mut form = EntryForm {
        kind: text("kind", true, &mut bad),
        category: text("category", true, &mut bad),
        body: text("body", true, &mut bad),
        situation: text("situation", false, &mut bad),
        handling: text("handling", false, &mut bad),
        channel: text("channel", false, &mut bad),
        with_whom: text("with_whom", false, &mut bad),
        next_visit: text("next_visit", false, &mut bad),
        occurred_at: String::new(),
        ..EntryForm::default()
    };
    let flag = |field: &str, bad: &mut dyn FnMut(&str, &str)| match map.get(field) {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            bad(field, "api-not-boolean");
            false
        }
    };
    form.resolved = flag("resolved", &mut bad);
    form.report = flag("report", &mut bad);
    match map.get("occurred_at") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => match DateTime::parse_from_rfc3339(s) {
            Ok(t) => {
                form.occurred_at = t.with_timezone(&Tokyo).format("%Y-%m-%dT%H:%M").to_string()
            }
            Err(_) => bad("occurred_at", "api-not-datetime"),
        },
        Some(_) => bad("occurred_at", "api-not-datetime"),
    }
    match map.get("shared_with") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                match item.as_str().and_then(|s| Uuid::parse_str(s).ok()) {
                    Some(id) => form.shared_with.push(id.to_string()),
                    None => {
                        bad("shared_with", "api-not-ids");
                        break;
                    }
                }
            }
        }
        Some(_) => bad("shared_with", "api-not-ids"),
    }
    if errors.is_empty() {
        Ok(form)
    } else {
        Err(errors)
    }
}

/// The form's messages under the API's member names.
fn field_errors(errors: &Errors) -> Vec<FieldError> {
    errors
        .iter()
        .map(|(field, message)| FieldError {
            field: match field {
                "share" => "shared_with".to_string(),
                f => f.to_string(),
            },
            message: message.to_string(),
        })
        .collect()
}

/// Writes an entry on the case's timeline (progress, observation, contact or note), as the
/// entry form does: the same checks, the same audit row (`entry.create`). Needs a read-write
/// token of an agency on the team.
#[utoipa::path(post, path = "/api/v1/cases/{id}/entries", tag = "timeline",
    params(("id" = Uuid, Path, description = "The case")),
    request_body(content = NewEntry, content_type = "application/json"),
    responses((status = 201, body = Created), WriteProblems),
    security(("token" = [])))]
pub(super) async fn create(
    State(state): State<AppState>,
    api: Api,
    id: Result<Path<Uuid>, PathRejection>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    let mut tx = state.db.begin().await?;
    let who = api.auth.who(&state.refusals);
    let case = access::case::open(&mut tx, &who, id, Need::Write, "entry.create").await?;
    let form = read_new_entry(&api, &body).map_err(ApiError::Invalid)?;
    let team = db::cases::team(&mut tx, &case).await?;
    let mut errors = Errors::default();
    let Some(entry) = check_entry(
        api.tr(),
        &form,
        &team,
        case.actor().agency_id(),
        &mut errors,
    ) else {
        return Err(ApiError::Invalid(field_errors(&errors)));
    };
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
    who.ok(&mut tx, "entry.create", Some(id), Some(entry_id))
        .await?;
    tx.commit().await?;
    Ok(json(StatusCode::CREATED, &Created { id: entry_id }))
}
