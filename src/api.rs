//! The private seam between the library and the Athena API.
//!
//! Everything the library asks of Athena goes through [`AthenaApi`], in the crate's own
//! types: the real implementation ([`sdk::SdkApi`]) wraps an `aws_sdk_athena::Client`
//! and is the only place that sees SDK types; tests put a scripted fake behind it.
//! Failures are classified here, once, into [`ApiErrorKind`], so that the retry logic
//! above never looks at SDK error types.

pub(crate) mod sdk;

use std::fmt;
use std::time::Duration;

use futures::future::BoxFuture;

use crate::error::{ApiErrorKind, BoxError, Error, Operation};
use crate::execution::QueryExecution;
use crate::progress::QueryRuntimeStatistics;
use crate::query::StartQueryExecution;
use crate::row::ColumnInfo;
use crate::stats::Stats;

/// What the library needs from Athena. Implemented by the SDK client and by the fake.
///
/// Each method counts in `sent` every request it puts on the wire, so that a retry made
/// below the seam (the SDK's own) shows in the stats like the library's own.
pub(crate) trait AthenaApi: Send + Sync + 'static {
    /// `StartQueryExecution` with this `ClientRequestToken`; returns the `QueryExecutionId`.
    fn start_query_execution<'a>(
        &'a self,
        query: &'a StartQueryExecution,
        client_request_token: &'a str,
        sent: &'a Stats,
    ) -> BoxFuture<'a, CallResult<String>>;

    /// `GetQueryExecution`, checked to describe the query asked for.
    fn get_query_execution<'a>(
        &'a self,
        query_execution_id: &'a str,
        sent: &'a Stats,
    ) -> BoxFuture<'a, CallResult<QueryExecution>>;

    /// `GetQueryResults` for one page.
    fn get_query_results<'a>(
        &'a self,
        query_execution_id: &'a str,
        next_token: Option<&'a str>,
        max_results: i32,
        sent: &'a Stats,
    ) -> BoxFuture<'a, CallResult<RawPage>>;

    /// `GetQueryRuntimeStatistics`.
    fn get_query_runtime_statistics<'a>(
        &'a self,
        query_execution_id: &'a str,
        sent: &'a Stats,
    ) -> BoxFuture<'a, CallResult<QueryRuntimeStatistics>>;

    /// `StopQueryExecution`.
    fn stop_query_execution<'a>(
        &'a self,
        query_execution_id: &'a str,
        sent: &'a Stats,
    ) -> BoxFuture<'a, CallResult<()>>;
}

/// One `GetQueryResults` answer, as sent: the header row (if any) is still in `rows`,
/// and the rows have not been checked against the columns yet.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RawPage {
    /// `ResultSet.ResultSetMetadata.ColumnInfo`, when the answer carried it.
    pub(crate) columns: Option<Vec<ColumnInfo>>,
    /// `ResultSet.Rows`, each `Data` as values: `None` is a `Datum` without
    /// `VarCharValue` (NULL).
    pub(crate) rows: Vec<Vec<Option<String>>>,
    /// `NextToken`, as sent (possibly empty).
    pub(crate) next_token: Option<String>,
}

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
