//! The private seam between the library and the Athena API.
//!
//! Everything the library asks of Athena goes through [`AthenaApi`]: the real
//! implementation wraps an `aws_sdk_athena::Client`; tests put a scripted fake
//! behind it so that the lifecycle can be checked under paused tokio time. Errors
//! are classified here, once, into [`ApiErrorKind`] so that the retry logic above
//! never looks at SDK error types.

use std::fmt;

use aws_sdk_athena::config::http::HttpResponse;
use aws_sdk_athena::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_athena::operation::get_query_results::GetQueryResultsOutput;
use aws_sdk_athena::types::{QueryExecution, ThrottleReason};
use futures::future::BoxFuture;

use crate::error::{ApiErrorKind, BoxError, Error};
use crate::query::StartQueryExecution;

/// The Athena operations the library calls, named as in the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Operation {
    StartQueryExecution,
    GetQueryExecution,
    GetQueryResults,
    StopQueryExecution,
}

impl Operation {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Operation::StartQueryExecution => "StartQueryExecution",
            Operation::GetQueryExecution => "GetQueryExecution",
            Operation::GetQueryResults => "GetQueryResults",
            Operation::StopQueryExecution => "StopQueryExecution",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// One failed call, classified.
pub(crate) struct ApiCallError {
    pub(crate) kind: ApiErrorKind,
    pub(crate) code: Option<String>,
    pub(crate) message: String,
    pub(crate) source: BoxError,
}

impl ApiCallError {
    pub(crate) fn into_error(self, operation: Operation, attempts: u32) -> Error {
        Error::Api {
            operation: operation.name(),
            kind: self.kind,
            code: self.code,
            message: self.message,
            attempts,
            source: self.source,
        }
    }
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

pub(crate) type ApiResult<T> = std::result::Result<T, ApiCallError>;

/// What the library needs from Athena. Implemented by the SDK client and by test fakes.
pub(crate) trait AthenaApi: Send + Sync + 'static {
    /// `StartQueryExecution` with this token; returns the `QueryExecutionId`.
    fn start_query_execution<'a>(
        &'a self,
        query: &'a StartQueryExecution,
        client_request_token: &'a str,
    ) -> BoxFuture<'a, ApiResult<Option<String>>>;

    /// `GetQueryExecution`.
    fn get_query_execution<'a>(
        &'a self,
        query_execution_id: &'a str,
    ) -> BoxFuture<'a, ApiResult<Option<QueryExecution>>>;

    /// `GetQueryResults` for one page.
    fn get_query_results<'a>(
        &'a self,
        query_execution_id: &'a str,
        next_token: Option<&'a str>,
        max_results: i32,
    ) -> BoxFuture<'a, ApiResult<GetQueryResultsOutput>>;

    /// `StopQueryExecution`.
    fn stop_query_execution<'a>(
        &'a self,
        query_execution_id: &'a str,
    ) -> BoxFuture<'a, ApiResult<()>>;
}

/// The real thing: calls through `aws_sdk_athena`.
pub(crate) struct SdkApi {
    pub(crate) client: aws_sdk_athena::Client,
}

impl AthenaApi for SdkApi {
    fn start_query_execution<'a>(
        &'a self,
        query: &'a StartQueryExecution,
        client_request_token: &'a str,
    ) -> BoxFuture<'a, ApiResult<Option<String>>> {
        use aws_sdk_athena::types::{
            QueryExecutionContext, ResultConfiguration, ResultReuseByAgeConfiguration,
            ResultReuseConfiguration,
        };
        Box::pin(async move {
            let mut request = self
                .client
                .start_query_execution()
                .query_string(&query.query_string)
                .client_request_token(client_request_token)
                .set_work_group(query.workgroup.clone());
            if query.database.is_some() || query.catalog.is_some() {
                request = request.query_execution_context(
                    QueryExecutionContext::builder()
                        .set_database(query.database.clone())
                        .set_catalog(query.catalog.clone())
                        .build(),
                );
            }
            if let Some(location) = &query.output_location {
                request = request.result_configuration(
                    ResultConfiguration::builder()
                        .output_location(location)
                        .build(),
                );
            }
            if !query.execution_parameters.is_empty() {
                request =
                    request.set_execution_parameters(Some(query.execution_parameters.clone()));
            }
            if let Some(minutes) = query.result_reuse_max_age_minutes {
                request = request.result_reuse_configuration(
                    ResultReuseConfiguration::builder()
                        .result_reuse_by_age_configuration(
                            ResultReuseByAgeConfiguration::builder()
                                .enabled(true)
                                .max_age_in_minutes(minutes)
                                .build(),
                        )
                        .build(),
                );
            }
            let concurrent_limit =
                |e: &aws_sdk_athena::operation::start_query_execution::StartQueryExecutionError| {
                    use aws_sdk_athena::operation::start_query_execution::StartQueryExecutionError as E;
                    matches!(
                        e,
                        E::TooManyRequestsException(t)
                            if t.reason() == Some(&ThrottleReason::ConcurrentQueryLimitExceeded)
                    )
                };
            request
                .send()
                .await
                .map(|out| out.query_execution_id)
                .map_err(|e| classify(e, concurrent_limit))
        })
    }

    fn get_query_execution<'a>(
        &'a self,
        query_execution_id: &'a str,
    ) -> BoxFuture<'a, ApiResult<Option<QueryExecution>>> {
        Box::pin(async move {
            self.client
                .get_query_execution()
                .query_execution_id(query_execution_id)
                .send()
                .await
                .map(|out| out.query_execution)
                .map_err(|e| classify(e, |_| false))
        })
    }

    fn get_query_results<'a>(
        &'a self,
        query_execution_id: &'a str,
        next_token: Option<&'a str>,
        max_results: i32,
    ) -> BoxFuture<'a, ApiResult<GetQueryResultsOutput>> {
        Box::pin(async move {
            self.client
                .get_query_results()
                .query_execution_id(query_execution_id)
                .set_next_token(next_token.map(str::to_owned))
                .max_results(max_results)
                .send()
                .await
                .map_err(|e| classify(e, |_| false))
        })
    }

    fn stop_query_execution<'a>(
        &'a self,
        query_execution_id: &'a str,
    ) -> BoxFuture<'a, ApiResult<()>> {
        Box::pin(async move {
            self.client
                .stop_query_execution()
                .query_execution_id(query_execution_id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| classify(e, |_| false))
        })
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
];

/// Sorts an SDK error into the kinds the retry logic knows.
fn classify<E>(
    err: SdkError<E, HttpResponse>,
    is_concurrent_limit: impl Fn(&E) -> bool,
) -> ApiCallError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let code = err.code().map(str::to_owned);
    let status = err.raw_response().map(|r| r.status().as_u16());
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
        // No complete answer arrived: the connection dropped, timed out, or the
        // body could not be read. The request may be sent again.
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            ApiErrorKind::Transient
        }
        // The request could not even be built: retrying cannot help.
        _ => ApiErrorKind::Permanent,
    };
    let message = err
        .message()
        .map(str::to_owned)
        .unwrap_or_else(|| error_chain(&err));
    ApiCallError {
        kind,
        code,
        message,
        source: Box::new(err),
    }
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
