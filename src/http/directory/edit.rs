//! The profile form, kept by the agency's admin.

use super::{audit, load, no_markup, require_editor};
use crate::db::directory::{self as dir, Profile};
use crate::db::{self, audit::Outcome};
use crate::domain::case::Disability;
use crate::domain::kinds::AgeBand;
use crate::domain::text;
use crate::error::AppResult;
use crate::http::extract::Auth;
use crate::http::flash::{self, Flash};
use crate::http::form::Pairs;
use crate::http::render::{render, render_status};
use crate::http::state::AppState;
use crate::i18n::Tr;
use crate::views::directory::{age_checks, disability_checks, ProfileEditPage};
use crate::views::Errors;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

async fn edit_page(
    conn: &mut PgConnection,
    auth: &Auth,
    p: Profile,
    area_text: String,
    languages_text: String,
    errors: Errors,
) -> AppResult<ProfileEditPage> {
    let tr = auth.ctx.tr;
    Ok(ProfileEditPage {
        layout: auth
            .ctx
            .layout_titled(tr.t1("directory-edit-title", "name", &p.name)),
        programs: dir::programs(conn, p.id).await?,
        staff: dir::staff_list(conn, p.id).await?,
        events: dir::upcoming_events(conn, p.id).await?,
        ages: age_checks(tr, &p.age_bands),
        disabilities: disability_checks(tr, &p.disability_types),
        p,
        area_text,
        languages_text,
        errors,
    })
}

pub(super) async fn edit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let p = load(&mut conn, &auth, id).await?;
    require_editor(&mut conn, &auth, id, "directory.profile.edit").await?;
    let (areas, languages) = (p.area_served.join("、"), p.languages.join("、"));
    let page = edit_page(&mut conn, &auth, p, areas, languages, Errors::default()).await?;
    audit(&mut conn, &auth, "directory.profile.edit", id, Outcome::Ok).await?;
    Ok(render(&page)?.into_response())
}

/// Reads and checks the profile form over the stored profile; the form comes back as typed.
fn read_profile(tr: Tr, stored: &Profile, f: &Pairs) -> (Profile, String, String, Errors) {
    let mut errors = Errors::default();
    let free = |name: &str| f.get(name).trim().to_string();
    let area_text = f.get("area_served");
    let languages_text = f.get("languages");
    let p = Profile {
        name: text::nfkc(&f.get("name")),
        municipality: text::nfkc(&f.get("municipality")),
        address: text::nfkc(&f.get("address")),
        phone: text::nfkc(&f.get("phone")),
        tagline: free("tagline"),
        features: free("features"),
        area_served: text::split_list(&area_text),
        hours: free("hours"),
        email: text::email_key(&f.get("email")),
        website: text::nfkc(&f.get("website")),
        age_bands: AgeBand::ALL
            .iter()
            .map(|a| a.as_str().to_string())
            .filter(|a| f.all("age_bands").contains(a))
            .collect(),
        disability_types: Disability::ALL
            .iter()
            .map(|d| d.as_str().to_string())
            .filter(|d| f.all("disability_types").contains(d))
            .collect(),
        users_summary: free("users_summary"),
        eligibility: free("eligibility"),
        languages: text::split_list(&languages_text),
        higher_brain_support: free("higher_brain_support"),
        other_support: free("other_support"),
        limitations: free("limitations"),
        case_examples: free("case_examples"),
        ..stored.clone()
    };
    errors.required(tr, "name", &p.name, 200);
    errors.max_chars(tr, "municipality", &p.municipality, 100);
    errors.max_chars(tr, "address", &p.address, 300);
    errors.max_chars(tr, "phone", &p.phone, 30);
    errors.max_chars(tr, "tagline", &p.tagline, 80);
    errors.max_chars(tr, "features", &p.features, 2000);
    errors.max_chars(tr, "hours", &p.hours, 200);
    errors.max_chars(tr, "users_summary", &p.users_summary, 1000);
    errors.max_chars(tr, "eligibility", &p.eligibility, 1000);
    errors.max_chars(tr, "higher_brain_support", &p.higher_brain_support, 2000);
    errors.max_chars(tr, "other_support", &p.other_support, 2000);
    errors.max_chars(tr, "limitations", &p.limitations, 1000);
    errors.max_chars(tr, "case_examples", &p.case_examples, 3000);
    if !p.email.is_empty() && !text::looks_like_email(&p.email) {
        errors.add("email", tr.t("error-email"));
    }
    if !p.website.is_empty()
        && (!(p.website.starts_with("https://") || p.website.starts_with("http://"))
            || p.website.chars().any(char::is_whitespace)
            || p.website.len() > 300)
    {
        errors.add("website", tr.t("directory-website-format"));
    }
    if p.area_served.len() > 30 || p.area_served.iter().any(|a| text::char_len(a) > 100) {
        errors.add("area_served", tr.t("directory-list-too-long"));
    }
    if p.languages.len() > 20 || p.languages.iter().any(|a| text::char_len(a) > 50) {
        errors.add("languages", tr.t("directory-list-too-long"));
    }
    no_markup(
        tr,
        &mut errors,
        &[
            ("name", &p.name),
            ("tagline", &p.tagline),
            ("features", &p.features),
            ("area_served", &area_text),
            ("hours", &p.hours),
            ("languages", &languages_text),
            ("users_summary", &p.users_summary),
            ("eligibility", &p.eligibility),
            ("higher_brain_support", &p.higher_brain_support),
            ("other_support", &p.other_support),
            ("limitations", &p.limitations),
            ("case_examples", &p.case_examples),
            ("address", &p.address),
        ],
    );
    (p, area_text, languages_text, errors)
}

pub(super) async fn save(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Form(f): Form<Pairs>,
) -> AppResult<Response> {
    let tr = auth.ctx.tr;
    let mut conn = state.db.acquire().await?;
    let stored = load(&mut conn, &auth, id).await?;
    require_editor(&mut conn, &auth, id, "directory.profile.save").await?;
    let (p, area_text, languages_text, mut errors) = read_profile(tr, &stored, &f);
    if errors.is_empty() {
        // one transaction: a refused name leaves the profile as it was
        let mut tx = conn.begin().await?;
        match dir::save_profile(&mut tx, &p, auth.user.id).await {
            Ok(()) => {
                audit(&mut tx, &auth, "directory.profile.save", id, Outcome::Ok).await?;
                tx.commit().await?;
                return Ok(flash::redirect(&format!("/agencies/{id}"), Flash::Saved));
            }
            Err(e) if db::is_unique_violation(&e, "agency_name_address_key") => {
                tx.rollback().await?;
                errors.add("name", tr.t("agency-duplicate"));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let page = edit_page(&mut conn, &auth, p, area_text, languages_text, errors).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}
