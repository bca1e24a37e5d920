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
            // the server shut down or terminated this backend, cancelled a statement that ran
            // past `statement_timeout`, is starting, or has no connection, memory or disk
            // left: the database is unavailable, like a stopped one
            sqlx::Error::Database(ref d)
                if d.code().is_some_and(|c| {
                    c.starts_with("57") || c.starts_with("08") || c.starts_with("53")
                }) =>
            {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pool_that_cannot_answer_is_unavailable() {
        assert!(matches!(
            AppError::from(sqlx::Error::PoolTimedOut),
            AppError::Unavailable
        ));
        assert!(matches!(
            AppError::from(sqlx::Error::PoolClosed),
            AppError::Unavailable
        ));
    }

    /// A server error with an SQLSTATE, as PostgreSQL sends it.
    #[derive(Debug)]
    struct Sqlstate(&'static str);

    impl std::fmt::Display for Sqlstate {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "sqlstate {}", self.0)
        }
    }

    impl std::error::Error for Sqlstate {}

    impl sqlx::error::DatabaseError for Sqlstate {
        fn message(&self) -> &str {
            "terminating connection due to administrator command"
        }
        fn code(&self) -> Option<std::borrow::Cow<'_, str>> {
            Some(self.0.into())
        }
        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> sqlx::error::ErrorKind {
            sqlx::error::ErrorKind::Other
        }
    }

    #[test]
    fn a_terminated_backend_is_unavailable_not_internal() {
        for code in [
            "57P01", "57P02", "57P03", "57014", "08006", "53300", "53100",
        ] {
            let e = sqlx::Error::Database(Box::new(Sqlstate(code)));
            assert!(matches!(AppError::from(e), AppError::Unavailable), "{code}");
        }
        let e = sqlx::Error::Database(Box::new(Sqlstate("23505")));
        assert!(matches!(AppError::from(e), AppError::Internal(_)));
    }
}
