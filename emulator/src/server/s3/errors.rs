//! S3's error answers that the service and the listing share: a leaf module, so that
//! neither imports the other.

use s3s::{S3Error, S3ErrorCode};

/// An S3 error with its code and message.
pub(super) fn error(code: S3ErrorCode, message: impl Into<String>) -> S3Error {
    S3Error::with_message(code, message.into())
}

/// An I/O failure the caller cannot fix: S3's 500, with the cause in the log.
pub(super) fn internal(e: impl std::fmt::Display) -> S3Error {
    tracing::warn!(error = %e, "S3 call failed");
    error(
        S3ErrorCode::InternalError,
        "We encountered an internal error. Please try again.",
    )
}
