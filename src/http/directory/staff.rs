//! Staff cards with their photos; a member keeps their own card.

use super::{audit, item_id, load, no_markup};
use crate::db::audit::Outcome;
use crate::db::directory::{self as dir, Profile, Staff};
use crate::domain::photo::{self, Photo, PhotoError};
use crate::domain::text;
use crate::error::{AppError, AppResult};
use crate::http::extract::Auth;
use crate::http::flash::{self, Flash};
use crate::http::form::Pairs;
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::policy;
use crate::views::directory::StaffPage;
use crate::views::{Choice, Errors};
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

/// The card, or a new one; refused unless the user may edit it.
async fn open_card(
    conn: &mut PgConnection,
    auth: &Auth,
    agency: Uuid,
    item: Option<Uuid>,
    action: &'static str,
) -> AppResult<Staff> {
    let card = match item {
        Some(s) => dir::staff(conn, agency, s)
            .await?
            .ok_or(AppError::NotFound)?,
        None => Staff {
            agency_id: agency,
            ..Staff::default()
        },
    };
    let allowed = match item {
        Some(_) => policy::may_edit_staff_card(&auth.user, agency, card.user_id),
        None => policy::may_edit_directory(&auth.user, agency),
    };
    if !allowed {
        audit(conn, auth, action, agency, Outcome::Denied).await?;
        return Err(AppError::Forbidden);
    }
    Ok(card)
}

async fn staff_page(
    conn: &mut PgConnection,
    auth: &Auth,
    p: &Profile,
    staff: Staff,
    is_new: bool,
    errors: Errors,
) -> AppResult<StaffPage> {
    let can_manage = policy::may_edit_directory(&auth.user, p.id);
    let members = if can_manage {
        let chosen = staff.user_id.map(|u| u.to_string()).unwrap_or_default();
        dir::members(conn, p.id)
            .await?
            .into_iter()
            .map(|(id, name)| Choice::new(&id.to_string(), name, &chosen))
            .collect()
    } else {
        vec![]
    };
    Ok(StaffPage {
        layout: auth.ctx.layout_titled(p.name.clone()),
        agency_id: p.id,
        staff,
        is_new,
        can_manage,
        members,
        errors,
        remove_photo: false,
    })
}

pub(super) async fn staff_form(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, item)): Path<(Uuid, String)>,
) -> AppResult<Response> {
    let item = item_id(&item)?;
    let mut conn = state.db.acquire().await?;
    let p = load(&mut conn, &auth, id).await?;
    let card = open_card(&mut conn, &auth, id, item, "directory.staff.edit").await?;
    let page = staff_page(
        &mut conn,
        &auth,
        &p,
        card,
        item.is_none(),
        Errors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

/// The card form's fields and its photo, if one was chosen. A body that is not a readable
/// multipart form reads as empty (the form then says what is missing). NUL characters leave
/// names and values, as they leave url-encoded forms (`middleware::form_body`): PostgreSQL
/// cannot store them.
async fn read_card_form(body: Result<Multipart, MultipartRejection>) -> (Pairs, Option<Vec<u8>>) {
    let mut pairs = Vec::new();
    let mut photo = None;
    let Ok(mut m) = body else {
        return (Pairs::default(), None);
    };
    while let Ok(Some(field)) = m.next_field().await {
        let name = field.name().unwrap_or_default().replace('\0', "");
        if name == "photo" {
            match field.bytes().await {
                Ok(b) if !b.is_empty() => photo = Some(b.to_vec()),
                _ => {}
            }
        } else if let Ok(value) = field.text().await {
            pairs.push((name, value.replace('\0', "")));
        }
    }
    (Pairs::from(pairs), photo)
}

/// The message key of an upload that found every decoder busy.
const PHOTO_BUSY: &str = "photo-busy";

/// Decodes an uploaded photo before the request takes a pool connection: off the async
/// threads, at most `settings.photo_decoders` at a time. An upload that finds every decoder
/// busy for `settings.photo_wait` is not decoded; its form asks to try again.
async fn decode_photo(state: &AppState, bytes: Vec<u8>) -> Result<Photo, &'static str> {
    let wait = state.settings.photo_wait;
    let permit =
        match tokio::time::timeout(wait, state.photo_decoders.clone().acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            _ => return Err(PHOTO_BUSY),
        };
    // the permit goes with the work: a browser that gives up does not free a decoder early
    let decoded = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        photo::process(&bytes)
    })
    .await;
    match decoded {
        Ok(result) => result.map_err(PhotoError::message_key),
        // a decoder that panics on a hostile file: the file is unreadable, nothing more
        Err(_) => Err(PhotoError::Broken.message_key()),
    }
}

pub(super) async fn save_staff(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, item)): Path<(Uuid, String)>,
    body: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let item = item_id(&item)?;
    // the body is read and the photo decoded first: a slow upload or a large picture holds
    // no pool connection
    let (f, upload) = read_card_form(body).await;
    let decoded = match upload {
        Some(bytes) => Some(decode_photo(&state, bytes).await),
        None => None,
    };
    let mut conn = state.db.acquire().await?;
    let p = load(&mut conn, &auth, id).await?;
    let stored = open_card(&mut conn, &auth, id, item, "directory.staff.save").await?;
    let mut errors = Errors::default();
    let mut card = Staff {
        id: item.unwrap_or_else(Uuid::now_v7),
        name: text::nfkc(&f.get("name")),
        job_title: text::nfkc(&f.get("job_title")),
        qualifications: text::nfkc(&f.get("qualifications")),
        introduction: f.get("introduction").trim().to_string(),
        ..stored.clone()
    };
    // only those who keep the directory entry link a card to a member
    if policy::may_edit_directory(&auth.user, id) {
        let chosen = f.get("user_id");
        card.user_id = None;
        if !chosen.is_empty() {
            let members = dir::members(&mut conn, id).await?;
            match Uuid::parse_str(&chosen) {
                Ok(u) if members.iter().any(|(m, _)| *m == u) => card.user_id = Some(u),
                _ => errors.add("user_id", tr.t("error-choose")),
            }
        }
    }
    errors.required(tr, "name", &card.name, 100);
    errors.max_chars(tr, "job_title", &card.job_title, 100);
    errors.max_chars(tr, "qualifications", &card.qualifications, 300);
    errors.max_chars(tr, "introduction", &card.introduction, 1000);
    no_markup(
        tr,
        &mut errors,
        &[
            ("name", &card.name),
            ("job_title", &card.job_title),
            ("qualifications", &card.qualifications),
            ("introduction", &card.introduction),
        ],
    );
    let mut busy = false;
    let processed = match decoded {
        Some(Ok(photo)) => Some(photo),
        Some(Err(key)) => {
            busy = key == PHOTO_BUSY;
            errors.add("photo", tr.t(key));
            None
        }
        None => None,
    };
    if !errors.is_empty() {
        if processed.is_some() {
            // a browser cannot put a chosen file back into the form
            errors.add("photo", tr.t("photo-choose-again"));
        }
        let mut page = staff_page(&mut conn, &auth, &p, card, item.is_none(), errors).await?;
        page.remove_photo = !f.get("remove_photo").is_empty();
        if busy {
            // every decoder is busy: the form comes back, with the text, to send again
            let mut res = render_status(StatusCode::SERVICE_UNAVAILABLE, &page)?;
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            return Ok(res);
        }
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let mut tx = conn.begin().await?;
    dir::save_staff(&mut tx, &card).await?;
    if let Some(photo) = &processed {
        dir::set_photo(&mut tx, card.id, photo.content_type, &photo.bytes).await?;
        audit(&mut tx, &auth, "directory.photo.save", card.id, Outcome::Ok).await?;
    } else if !f.get("remove_photo").is_empty() {
        dir::remove_photo(&mut tx, card.id).await?;
        audit(
            &mut tx,
            &auth,
            "directory.photo.remove",
            card.id,
            Outcome::Ok,
        )
        .await?;
    }
    audit(&mut tx, &auth, "directory.staff.save", card.id, Outcome::Ok).await?;
    tx.commit().await?;
    Ok(flash::redirect(
        &format!("/agencies/{id}#staff"),
        Flash::Saved,
    ))
}

/// A staff photo, for signed-in users only. Its URL carries the photo's hash, so a browser may
/// keep it for good; a stale URL still works but is revalidated.
pub(super) async fn photo(
    State(state): State<AppState>,
    _auth: Auth,
    Path((id, item)): Path<(Uuid, Uuid)>,
    Query(q): Query<Pairs>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let photo = dir::photo(&mut conn, id, item)
        .await?
        .ok_or(AppError::NotFound)?;
    let etag = format!("\"{}\"", photo.sha256);
    let cache = if q.get("v") == photo.sha256 {
        "private, max-age=31536000, immutable"
    } else {
        "private, no-cache"
    };
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag);
    if matches {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag),
                (header::CACHE_CONTROL, cache.to_string()),
            ],
        )
            .into_response());
    }
    Ok((
        [
            (header::CONTENT_TYPE, photo.content_type),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, cache.to_string()),
        ],
        photo.bytes,
    )
        .into_response())
}
