//! One error type for handlers. Its response carries only a status and an `ErrorPage` marker;
//! the `error_pages` middleware renders the page in the request's language, with the request id.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Also what a user gets for a case they may not see: its existence is not revealed.
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// The database is down or every connection is busy.
    #[error("service unavailable")]
    Unavailable,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Marks a response whose body the error-page middleware should render.
#[derive(Debug, Clone, Copy)]
pub struct ErrorPage;

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                tracing::error!(error = %e, "database unavailable");
                AppError::Unavailable
            }
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> Self {
        AppError::Internal(e.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match &self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(e) => {
                // the details go to the log only; the user sees the request id
                tracing::error!(error = ?e, "internal error");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let mut res = status.into_response();
        res.extensions_mut().insert(ErrorPage);
        res
    }
}

impl From<crate::access::Refusal> for AppError {
    fn from(r: crate::access::Refusal) -> Self {
        match r {
            crate::access::Refusal::NotFound => AppError::NotFound,
            crate::access::Refusal::Forbidden => AppError::Forbidden,
            crate::access::Refusal::Db(e) => e.into(),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
