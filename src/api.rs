//! The private seam between the library and the Athena API.
//!
//! Everything the library asks of Athena goes through [`AthenaApi`], in the crate's own
//! types: the real implementation ([`sdk::SdkApi`]) wraps an `aws_sdk_athena::Client`
//! and is the only place that sees SDK types; tests put a scripted fake behind it.
//! Failures come back classified (`crate::aws`, shared with the S3 seam), so that the
//! retry logic above never looks at SDK error types.

pub(crate) mod sdk;

use futures::future::BoxFuture;

use crate::aws::CallResult;
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
