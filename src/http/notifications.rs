//! The user's e-mail notifications (`/account/notifications`): per kind immediately, in the
//! daily digest or off, and the digest's time (Tokyo). The language of the mails is the
//! language of the page the settings were saved on.

use super::extract::Auth;
use super::form::Pairs;
use crate::db::{self, audit::Outcome, notices::Settings};
use crate::domain::notice::{self, Kind, Mode};
use crate::error::AppResult;
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::views::notifications::{KindRow, NotificationsPage};
use crate::views::Errors;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};

pub fn routes() -> Router<AppState> {
    Router::new().route("/account/notifications", get(page).post(save))
}

fn rows(s: &Settings) -> Vec<KindRow> {
    s.modes
        .iter()
        .map(|(kind, mode)| KindRow {
            code: kind.code(),
            label_key: kind.label_key(),
            mode: mode.code().to_string(),
        })
        .collect()
}

async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<Pairs>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let settings = db::notices::settings(&mut conn, auth.user.id).await?;
    Ok(render(&NotificationsPage {
        layout: auth.ctx.layout("notify-title"),
        errors: Errors::default(),
        rows: rows(&settings),
        digest_at: settings.digest_at.format("%H:%M").to_string(),
        mail_on: state.settings.mail.enabled(),
        saved: q.get("saved") == "1",
    })?
    .into_response())
}

async fn save(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut errors = Errors::default();
    let mut modes = vec![];
    let mut typed = vec![];
    for kind in Kind::ALL {
        let raw = f.get(&format!("mode_{}", kind.code()));
        match Mode::parse(&raw) {
            Some(m) => modes.push((kind, m)),
            None => errors.add(format!("mode_{}", kind.code()), tr.t("notify-mode-invalid")),
        }
        typed.push(KindRow {
            code: kind.code(),
            label_key: kind.label_key(),
            mode: raw,
        });
    }
    let digest_raw = f.get("digest_at");
    let digest_at = notice::parse_digest_at(&digest_raw);
    if digest_at.is_none() {
        errors.add("digest_at", tr.t("notify-digest-invalid"));
    }
    let mut tx = state.db.begin().await?;
    if !errors.is_empty() {
        auth.ctx
            .audit(&mut tx, auth.ctx.event("notify.settings"), Outcome::Failed)
            .await?;
        tx.commit().await?;
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &NotificationsPage {
                layout: auth.ctx.layout("notify-title"),
                errors,
                rows: typed,
                digest_at: digest_raw,
                mail_on: state.settings.mail.enabled(),
                saved: false,
            },
        );
    }
    let settings = Settings {
        lang: tr.lang,
        digest_at: digest_at.expect("checked"),
        modes,
    };
    db::notices::save(&mut tx, auth.user.id, &settings).await?;
    auth.ctx
        .audit(&mut tx, auth.ctx.event("notify.settings"), Outcome::Ok)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to("/account/notifications?saved=1").into_response())
}
