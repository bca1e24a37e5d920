//! The OpenAPI document, generated from the handlers' annotations and the views' types
//! (utoipa), served at `/api/v1/openapi.json`. It describes the API, never data, so it needs
//! no token.

use crate::views::api;
use axum::http::StatusCode;
use axum::response::Response;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Renkei API",
        version = "1",
        description = "What a user may see and do on Renkei's pages, as JSON: the same rules \
                       decide. Authenticate with a personal access token made on /account/tokens \
                       (`Authorization: Bearer rk_…`). Errors are RFC 9457 problems in the \
                       language of Accept-Language (ja or en), else the user's."
    ),
    paths(
        super::cases::me,
        super::cases::list,
        super::cases::show,
        super::cases::team,
        super::cases::consents,
        super::cases::referrals,
        super::cases::tasks,
        super::cases::checks,
        super::entries::list,
        super::entries::create,
        super::meetings::for_case,
        super::meetings::action_items,
        super::meetings::show,
        super::meetings::answer,
        super::meetings::material,
        super::referrals::create,
        super::referrals::transition,
        super::consents::record,
        super::consents::revoke,
        super::done::task,
        super::done::action_item,
    ),
    components(schemas(api::Problem, api::FieldError)),
    modifiers(&BearerToken, &DomainValues),
    tags(
        (name = "account", description = "The token's user"),
        (name = "cases", description = "Cases and what the case pages show"),
        (name = "timeline", description = "The shared timeline"),
        (name = "meetings", description = "Case meetings, answers and action items"),
        (name = "referrals", description = "Referrals sent, acknowledged, accepted or declined"),
        (name = "consents", description = "The person's consents to share"),
        (name = "follow-up", description = "Tasks and action items marked done"),
    )
)]
pub struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The values a member takes, from the domain's own lists (so the document never lists them a
/// second time): the writable kinds, the categories, the contact channels and counterparts,
/// the answers to an invitation.
struct DomainValues;

impl Modify for DomainValues {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use crate::area::{consents, done, referrals, timeline};
        use crate::domain::case::{Category, ConsentGiver, ConsentMethod, ConsentTerm};
        use crate::domain::entry::{ContactChannel, ContactWith, EntryKind};
        use crate::domain::meeting::Rsvp;
        use crate::domain::referral::{DeclineReason, RefState};
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let mut set = |schema: &str, member: &str, values: Vec<&str>, nullable: bool| {
            let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(schema) else {
                return;
            };
            if let Some(RefOr::T(Schema::Object(p))) = object.properties.get_mut(member) {
                let mut values: Vec<serde_json::Value> =
                    values.into_iter().map(Into::into).collect();
                if nullable {
                    values.push(serde_json::Value::Null);
                }
                p.enum_values = Some(values);
            }
        };
        set(
            "NewEntry",
            "kind",
            EntryKind::WRITABLE.iter().map(|k| k.as_str()).collect(),
            false,
        );
        set(
            "NewEntry",
            "category",
            Category::ALL.iter().map(|c| c.as_str()).collect(),
            false,
        );
        set(
            "NewEntry",
            "channel",
            ContactChannel::ALL.iter().map(|c| c.as_str()).collect(),
            true,
        );
        set(
            "NewEntry",
            "with_whom",
            ContactWith::ALL.iter().map(|c| c.as_str()).collect(),
            true,
        );
        set(
            "Step",
            "to",
            RefState::ALL
                .iter()
                .filter(|s| **s != RefState::Draft)
                .map(|s| s.as_str())
                .collect(),
            false,
        );
        set(
            "Step",
            "reason",
            DeclineReason::ALL.iter().map(|r| r.as_str()).collect(),
            true,
        );
        set(
            "NewConsent",
            "given_by",
            ConsentGiver::ALL.iter().map(|c| c.as_str()).collect(),
            false,
        );
        set(
            "NewConsent",
            "method",
            ConsentMethod::ALL.iter().map(|c| c.as_str()).collect(),
            false,
        );
        set(
            "NewConsent",
            "term",
            ConsentTerm::ALL.iter().map(|c| c.as_str()).collect(),
            false,
        );
        set(
            "Answer",
            "response",
            Rsvp::ALL
                .iter()
                .filter(|r| **r != Rsvp::Pending)
                .map(|r| r.as_str())
                .collect(),
            false,
        );
        // the lengths the checks allow (a text that must not be blank has a non-space)
        for (schema, member, max, required) in [
            ("NewEntry", "body", timeline::TEXT_MAX, true),
            ("NewEntry", "situation", timeline::FIELD_MAX, false),
            ("NewEntry", "handling", timeline::FIELD_MAX, false),
            ("NewReferral", "hopes", referrals::HOPES_MAX, false),
            ("Step", "note", referrals::NOTE_MAX, false),
            ("NewConsent", "evidence", consents::EVIDENCE_MAX, false),
            ("Revocation", "reason", consents::REASON_MAX, true),
            ("Finish", "note", done::NOTE_MAX, false),
        ] {
            let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(schema) else {
                continue;
            };
            if let Some(RefOr::T(Schema::Object(p))) = object.properties.get_mut(member) {
                p.max_length = Some(max);
                if required {
                    p.min_length = Some(1);
                    p.pattern = Some(r"\S".to_string());
                }
            }
        }
        // an array's items: the consent's categories
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut("NewConsent") {
            if let Some(RefOr::T(Schema::Array(array))) = object.properties.get_mut("categories") {
                if let utoipa::openapi::schema::ArrayItems::RefOrSchema(items) = &mut array.items {
                    if let RefOr::T(Schema::Object(item)) = items.as_mut() {
                        item.enum_values =
                            Some(Category::ALL.iter().map(|c| c.as_str().into()).collect());
                    }
                }
                array.unique_items = true;
            }
        }
    }
}

/// The document, as JSON.
pub(super) async fn document() -> Response {
    crate::http::render::json(StatusCode::OK, &*DOCUMENT)
}

/// The document is made from the code once, at its first request.
static DOCUMENT: std::sync::LazyLock<utoipa::openapi::OpenApi> =
    std::sync::LazyLock::new(ApiDoc::openapi);
