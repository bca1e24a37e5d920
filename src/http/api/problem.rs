//! The API's errors. A handler returns an `ApiError`; its response carries only the status and
//! what went wrong (`Spec`), and `auth::authenticate` writes the RFC 9457 problem in the
//! request's language with its path and request id — as `error_pages` does for pages.

use crate::error::AppError;
use crate::views::api::{FieldError, ProblemKind};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

#[derive(Debug)]
pub enum ApiError {
    Unauthorized,
    NotFound,
    Forbidden,
    /// A field (or the body) that was not accepted, each with its message in the reader's
    /// language.
    Invalid(Vec<FieldError>),
    Unavailable,
    Internal,
}

impl ApiError {
    pub fn field(field: &str, message: String) -> ApiError {
        ApiError::Invalid(vec![FieldError {
            field: field.to_string(),
            message,
        }])
    }

    fn kind(&self) -> ProblemKind {
        match self {
            ApiError::Unauthorized => ProblemKind::Unauthorized,
            ApiError::NotFound => ProblemKind::NotFound,
            ApiError::Forbidden => ProblemKind::Forbidden,
            ApiError::Invalid(_) => ProblemKind::Invalid,
            ApiError::Unavailable => ProblemKind::Unavailable,
            ApiError::Internal => ProblemKind::Internal,
        }
    }
}

/// What a problem response is to say, for the layer that writes it.
#[derive(Debug, Clone)]
pub struct Spec {
    pub kind: ProblemKind,
    pub errors: Vec<FieldError>,
}

impl Spec {
    pub fn response(kind: ProblemKind, errors: Vec<FieldError>) -> Response {
        let status =
            StatusCode::from_u16(kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = status.into_response();
        if kind == ProblemKind::Unauthorized {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"renkei\""),
            );
        }
        res.extensions_mut().insert(Spec { kind, errors });
        res
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let kind = self.kind();
        let errors = match self {
            ApiError::Invalid(errors) => errors,
            _ => vec![],
        };
        Spec::response(kind, errors)
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound => ApiError::NotFound,
            AppError::Forbidden => ApiError::Forbidden,
            AppError::Unavailable => ApiError::Unavailable,
            AppError::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                ApiError::Internal
            }
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        AppError::from(e).into()
    }
}

impl From<crate::access::Refusal> for ApiError {
    fn from(r: crate::access::Refusal) -> Self {
        AppError::from(r).into()
    }
}
