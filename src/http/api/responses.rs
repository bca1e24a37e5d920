//! The problem responses each API operation documents (RFC 9457 problem+json), for the
//! handlers' `#[utoipa::path]` annotations; the document itself is `openapi`.

use std::collections::BTreeMap;
use utoipa::openapi::{Content, Ref, RefOr, ResponseBuilder};
use utoipa::IntoResponses;

fn problem_responses(
    statuses: &[(u16, &str)],
) -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
    statuses
        .iter()
        .map(|(status, description)| {
            let response = ResponseBuilder::new()
                .description(*description)
                .content(
                    "application/problem+json",
                    Content::new(Some(Ref::from_schema_name("Problem"))),
                )
                .build();
            (status.to_string(), RefOr::T(response))
        })
        .collect()
}

const UNAUTHORIZED: (u16, &str) = (401, "No token, or an unknown, revoked or expired one");
const NOT_FOUND: (u16, &str) = (404, "Nothing the token's agency may see has this id");
const INVALID: (u16, &str) = (
    422,
    "A parameter or field was not accepted; `errors` names it",
);
const TOO_MANY: (u16, &str) = (429, "Over the token's rate limit; see Retry-After");
const UNAVAILABLE: (u16, &str) = (503, "The database is unavailable");

/// The problems of a read that takes a query (`?after=`).
pub struct Problems;

impl IntoResponses for Problems {
    fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
        problem_responses(&[UNAUTHORIZED, NOT_FOUND, INVALID, TOO_MANY, UNAVAILABLE])
    }
}

/// The problems of a read by id.
pub struct ReadProblems;

impl IntoResponses for ReadProblems {
    fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
        problem_responses(&[UNAUTHORIZED, NOT_FOUND, TOO_MANY, UNAVAILABLE])
    }
}

/// The problems of a write.
pub struct WriteProblems;

impl IntoResponses for WriteProblems {
    fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
        problem_responses(&[
            UNAUTHORIZED,
            (
                403,
                "A read-only token, or a change the pages do not allow this user",
            ),
            NOT_FOUND,
            INVALID,
            TOO_MANY,
            UNAVAILABLE,
        ])
    }
}
