//! The AWS call machinery shared by the Athena and S3 seams: how one call fails
//! ([`CallError`]), the sorting of any AWS SDK error into the kinds the retry logic
//! knows ([`classify`]), and the count of requests a call put on the wire
//! ([`CountSent`]). Both seams (`crate::api`, `crate::s3`) and the retry loop above them
//! (`crate::client`) speak these types, so neither seam depends on the other.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_athena::config::http::HttpResponse;
use aws_sdk_athena::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_athena::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_athena::error::{ProvideErrorMetadata, SdkError};

use crate::error::{ApiErrorKind, BoxError, Error, Operation};
use crate::stats::Stats;

pub(crate) type CallResult<T> = std::result::Result<T, CallError>;

/// Why one call did not give what was asked.
#[derive(Debug)]
pub(crate) enum CallError {
    /// The call failed: the service refused it, or no answer arrived.
    Failed(ApiCallError),
    /// The service answered, but not in the shape the API promises.
    InvalidResponse(String),
}

impl CallError {
    /// Whether trying the call again may help.
    pub(crate) fn is_retryable(&self) -> bool {
        matches!(self, CallError::Failed(e) if e.kind.is_retryable())
    }

    /// The crate's error for this failure of `operation` after `attempts` attempts made
    /// over `elapsed`.
    pub(crate) fn into_error(
        self,
        operation: Operation,
        attempts: u32,
        elapsed: Duration,
    ) -> Error {
        match self {
            CallError::Failed(e) => Error::Api {
                operation,
                kind: e.kind,
                code: e.code,
                message: e.message,
                attempts,
                elapsed,
                source: e.source,
            },
            CallError::InvalidResponse(message) => Error::invalid_response(operation, message),
        }
    }
}

impl From<ApiCallError> for CallError {
    fn from(e: ApiCallError) -> Self {
        CallError::Failed(e)
    }
}

/// One failed call, classified.
pub(crate) struct ApiCallError {
    pub(crate) kind: ApiErrorKind,
    pub(crate) code: Option<String>,
    pub(crate) message: String,
    pub(crate) source: BoxError,
}

impl fmt::Debug for ApiCallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiCallError")
            .field("kind", &self.kind)
            .field("code", &self.code)
            .field("message", &self.message)
            .finish()
    }
}

/// Counts the requests the SDK puts on the wire for one call, its own retries
/// included, so that the stats count what reached the service.
#[derive(Debug, Clone, Default)]
pub(crate) struct CountSent(Arc<AtomicU32>);

impl CountSent {
    pub(crate) fn into_stats(self, stats: &Stats, op: Operation) {
        stats.count_sent(op, self.0.load(Ordering::Relaxed));
    }
}

impl Intercept for CountSent {
    fn name(&self) -> &'static str {
        "athena_stream::CountSent"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// Error codes that mean "slow down", whatever the operation.
const THROTTLING_CODES: &[&str] = &[
    "ThrottlingException",
    "TooManyRequestsException",
    "Throttling",
    "ThrottledException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "SlowDown",
];

/// Error codes of the service's own transient faults.
const TRANSIENT_CODES: &[&str] = &[
    "InternalServerException",
    "InternalFailure",
    "ServiceUnavailable",
    "InternalError",
];

/// Sorts an SDK error (of any AWS SDK: Athena's, S3's) into the kinds the retry logic
/// knows, with a message on one line (the whole error stays the `source`).
///
/// What the SDK returns when nothing was answered (docs/athena.md, "Errors"): a missing
/// identity, a client without a region and a refused connection are all
/// `DispatchFailure`s; the connector error inside tells them apart. `Io` and `Timeout`
/// (and an `Other` the connector marks retryable) are transient; an `Other` without a
/// kind is the SDK failing before it sent anything (identity, endpoint, signing), which
/// the SDK's own retry classifier does not retry either.
pub(crate) fn classify<E>(
    err: SdkError<E, HttpResponse>,
    is_concurrent_limit: impl Fn(&E) -> bool,
) -> CallError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let status = err.raw_response().map(|r| r.status().as_u16());
    // An answer without a body (S3's to HeadObject) carries no code: name it by its
    // status, so that "access denied" is recognised whichever call it answered.
    let code = err.code().map(str::to_owned).or_else(|| {
        match status {
            Some(403) => Some("Forbidden"),
            Some(404) => Some("NotFound"),
            Some(412) => Some("PreconditionFailed"),
            _ => None,
        }
        .map(str::to_owned)
    });
    let identity = match &err {
        SdkError::ServiceError(_) => None,
        _ => identity_failure(&err),
    };
    let kind = match &err {
        SdkError::ServiceError(service) if is_concurrent_limit(service.err()) => {
            ApiErrorKind::ConcurrentQueryLimit
        }
        SdkError::ServiceError(_) => match code.as_deref() {
            Some(c) if THROTTLING_CODES.contains(&c) => ApiErrorKind::Throttling,
            Some(c) if TRANSIENT_CODES.contains(&c) => ApiErrorKind::Transient,
            _ if status.is_some_and(|s| (500..600).contains(&s)) => ApiErrorKind::Transient,
            _ if status == Some(429) => ApiErrorKind::Throttling,
            _ => ApiErrorKind::Permanent,
        },
        // No credentials: nothing was sent, and asking again gets the same answer.
        _ if identity.is_some() => ApiErrorKind::Credentials,
        // The connection was refused, dropped or timed out: the request may be sent
        // again.
        SdkError::DispatchFailure(d) if d.is_io() || d.is_timeout() || d.as_other().is_some() => {
            ApiErrorKind::Transient
        }
        // No complete answer arrived: it timed out, or the body could not be read.
        SdkError::TimeoutError(_) | SdkError::ResponseError(_) => ApiErrorKind::Transient,
        // The request could not be built or sent (no region, no auth scheme, a
        // request the HTTP client refused): retrying cannot help.
        _ => ApiErrorKind::Permanent,
    };
    let message = match identity {
        Some(identity) => identity.message(),
        None => err
            .message()
            .map(str::to_owned)
            .unwrap_or_else(|| error_chain(&err)),
    };
    CallError::Failed(ApiCallError {
        kind,
        code,
        message: one_line(&message),
        source: Box::new(err),
    })
}

/// How to give the SDK credentials, for the message of a missing identity.
pub(crate) const CONFIGURE_CREDENTIALS: &str = "configure them with AWS_ACCESS_KEY_ID and \
    AWS_SECRET_ACCESS_KEY, with AWS_PROFILE and ~/.aws/config (`aws configure`, or `aws sso \
    login` for an SSO profile), or with an instance, task or pod role";

/// Why the SDK had no identity to sign with.
enum IdentityFailure<'a> {
    /// A credentials provider (or the default chain) failed.
    Credentials(&'a CredentialsError),
    /// The identity cache or the auth orchestration failed without a credentials error
    /// (a resolver that timed out, a client with no credentials provider): its text.
    Other(String),
}

/// The identity failure in an SDK error's sources, if it is one.
fn identity_failure<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<IdentityFailure<'a>> {
    let mut source = Some(err);
    while let Some(s) = source {
        if let Some(e) = s.downcast_ref::<CredentialsError>() {
            return Some(IdentityFailure::Credentials(e));
        }
        // Types the SDK keeps private: their words are what there is to go by.
        let text = s.to_string();
        if text.starts_with("identity resolver timed out")
            || text.contains("there was no identity resolver")
        {
            return Some(IdentityFailure::Other(text));
        }
        source = s.source();
    }
    None
}

impl IdentityFailure<'_> {
    /// One line: what failed, the providers tried when the chain says, and how to
    /// configure credentials.
    fn message(&self) -> String {
        let what = match self {
            IdentityFailure::Credentials(e @ CredentialsError::CredentialsNotLoaded(_)) => {
                match providers_tried(*e).as_slice() {
                    [] => "no AWS credentials found".to_owned(),
                    tried => format!("no AWS credentials found (tried {})", tried.join(", ")),
                }
            }
            IdentityFailure::Credentials(e) => {
                format!("could not load AWS credentials: {}", error_chain(*e))
            }
            IdentityFailure::Other(text) if text.contains("there was no identity resolver") => {
                "the SDK client has no credentials provider".to_owned()
            }
            IdentityFailure::Other(text) => format!("could not load AWS credentials: {text}"),
        };
        format!("{what}; {CONFIGURE_CREDENTIALS}")
    }
}

/// The providers a credentials chain tried, from its error's text (`no credentials
/// found in chain. Attempted:` then one `  Name: why` line each; the type is private).
fn providers_tried(err: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut source = Some(err);
    while let Some(s) = source {
        let text = s.to_string();
        if let Some((_, attempted)) = text.split_once("Attempted:") {
            return attempted
                .lines()
                .filter_map(|line| line.trim().split_once(':'))
                .map(|(name, _)| name.trim())
                .filter(|name| !name.is_empty() && !name.contains(char::is_whitespace))
                .map(str::to_owned)
                .collect();
        }
        source = s.source();
    }
    Vec::new()
}

/// `a: b: c` from an error and its sources, for errors without a service message.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// `text` on one line: each run of whitespace that holds a line break becomes one space.
fn one_line(text: &str) -> String {
    if !text.contains(['\n', '\r']) {
        return text.trim().to_owned();
    }
    text.split(['\n', '\r'])
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod classify_tests;
