//! The one error type of the crate, and what its variants carry.
//!
//! [`Error`] and [`Result`] are also at the crate root, where most code names them;
//! the rest ([`ApiErrorKind`], [`AthenaError`], [`Operation`], [`BoxError`]) are here.
//! Every way a query, its pages or the fan-out can go wrong is a variant of
//! [`Error`]. Variants are struct-shaped so that new context can be added without
//! breaking callers, and the enum is `#[non_exhaustive]` for the same reason.

use std::fmt;
use std::time::Duration;

/// A boxed error from the caller's own code or from the AWS SDK.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A `Result` whose error defaults to this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The `AthenaError` that Athena attaches to a `FAILED` query.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AthenaError {
    /// `ErrorCategory`: 1 system, 2 user, 3 other (`None` when Athena sent none).
    pub error_category: Option<i32>,
    /// `ErrorType`: Athena's numeric error type.
    pub error_type: Option<i32>,
    /// `Retryable`: whether Athena says that running the query again may succeed.
    pub retryable: bool,
    /// `ErrorMessage`, equal to the `StateChangeReason` on a failed query.
    pub error_message: Option<String>,
}

/// An operation the library calls, named as in the API references (Athena's, and S3's
/// for reading result files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// `StartQueryExecution`.
    StartQueryExecution,
    /// `GetQueryExecution`.
    GetQueryExecution,
    /// `GetQueryResults`.
    GetQueryResults,
    /// `StopQueryExecution`.
    StopQueryExecution,
    /// `GetQueryRuntimeStatistics`, for [`QueryProgress`](crate::progress::QueryProgress).
    GetQueryRuntimeStatistics,
    /// S3 `HeadObject`, of a query's result file.
    HeadObject,
    /// S3 `GetObject`, of a range of a query's result file or of its `.csv.metadata`.
    GetObject,
}

impl Operation {
    /// The operation's name in the Athena API (`GetQueryResults`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::StartQueryExecution => "StartQueryExecution",
            Operation::GetQueryExecution => "GetQueryExecution",
            Operation::GetQueryResults => "GetQueryResults",
            Operation::StopQueryExecution => "StopQueryExecution",
            Operation::GetQueryRuntimeStatistics => "GetQueryRuntimeStatistics",
            Operation::HeadObject => "HeadObject",
            Operation::GetObject => "GetObject",
        }
    }
}

impl Operation {
    /// The service the operation belongs to, `Athena` or `S3`, as errors name it.
    pub fn service(self) -> &'static str {
        match self {
            Operation::HeadObject | Operation::GetObject => "S3",
            _ => "Athena",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a call to the Athena API failed, as far as retrying it is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// `ThrottlingException` (`Rate exceeded`) or `TooManyRequestsException`
    /// other than the concurrent query limit: retried with backoff.
    Throttling,
    /// `TooManyRequestsException` with `Reason: CONCURRENT_QUERY_LIMIT_EXCEEDED`
    /// on `StartQueryExecution`: too many queries queued or running; retried with backoff
    /// and the same `ClientRequestToken`.
    ConcurrentQueryLimit,
    /// An HTTP 5xx answer, a timeout, a refused or dropped connection: retried with
    /// backoff.
    Transient,
    /// The SDK client has no credentials: no provider of its chain gave any (no
    /// `AWS_ACCESS_KEY_ID`, no profile, no role), a provider failed (an expired SSO
    /// session, a profile that does not parse), or the client has no credentials
    /// provider at all. Nothing was sent; never retried. The message names the
    /// providers tried and how to configure one; the SDK's own error is the `source`.
    Credentials,
    /// Anything else (`InvalidRequestException`, access denied, a request the SDK
    /// could not build, such as one without a region): never retried.
    Permanent,
}

impl ApiErrorKind {
    /// Whether an error of this kind is worth another attempt.
    pub fn is_retryable(self) -> bool {
        !matches!(self, ApiErrorKind::Permanent | ApiErrorKind::Credentials)
    }
}

/// Everything that can go wrong, from starting the query to the last processed item.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting was refused when the [`Athena`](crate::Athena) handle or a
    /// [`StartQueryExecution`](crate::StartQueryExecution) was built.
    #[error("invalid configuration: {message}")]
    InvalidConfig {
        /// What was wrong and what is allowed.
        message: String,
    },

    /// A call to the Athena API, or to S3 for a result file, failed (after the retries
    /// that its kind allows). Named by its service: `Athena GetQueryResults failed`,
    /// `S3 GetObject failed`.
    ///
    /// Displayed on one line: the operation, the kind, how many attempts over how long
    /// when it was retried, and the last failure's message
    /// (`Athena GetQueryExecution failed (Transient): gave up after 9 attempts over
    /// 41.2s: dispatch failure: io error: ... Connection refused (os error 111)`). The
    /// SDK's whole error is the `source`.
    #[error(
        "{} {operation} failed ({kind:?}): {}{message}",
        .operation.service(),
        GaveUp::new(.attempts, .elapsed)
    )]
    Api {
        /// The operation that failed.
        operation: Operation,
        /// How the failure was classified.
        kind: ApiErrorKind,
        /// The error code Athena sent (`InvalidRequestException`, ...), when there was one.
        code: Option<String>,
        /// The last failure's message, from Athena or from the transport, on one line.
        message: String,
        /// Attempts made, the failed one included.
        attempts: u32,
        /// The time from the first attempt to the last failure, the waits between
        /// retries included.
        elapsed: Duration,
        /// The SDK error this came from.
        #[source]
        source: BoxError,
    },

    /// The service answered, but the answer is not what the API promises
    /// (a missing field, an unknown state, a row shorter than its columns, ...).
    #[error("unexpected response from {} {operation}: {message}", .operation.service())]
    InvalidResponse {
        /// The operation that answered.
        operation: Operation,
        /// What was wrong with the answer.
        message: String,
    },

    /// The query ended in state `FAILED`.
    #[error("query {query_execution_id} failed: {state_change_reason}")]
    QueryFailed {
        /// The `QueryExecutionId`.
        query_execution_id: String,
        /// `Status.StateChangeReason`.
        state_change_reason: String,
        /// `Status.AthenaError`, when Athena sent one.
        athena_error: Option<AthenaError>,
        /// How many times the query was run (1 unless failed queries are re-run).
        attempts: u32,
    },

    /// The query ended in state `CANCELLED` (stopped by someone, or by this library).
    #[error("query {query_execution_id} was cancelled: {state_change_reason}")]
    QueryCancelled {
        /// The `QueryExecutionId`.
        query_execution_id: String,
        /// `Status.StateChangeReason` (`Query cancelled by user` for a stop).
        state_change_reason: String,
    },

    /// The query did not reach a final state within the configured timeout.
    /// The query was stopped before this error was returned.
    #[error("query {query_execution_id} timed out after {timeout:?} (it was stopped)")]
    QueryTimedOut {
        /// The `QueryExecutionId`.
        query_execution_id: String,
        /// The timeout that passed.
        timeout: Duration,
    },

    /// `GetQueryResults` returned a `NextToken` that was already used: following it
    /// would loop forever.
    #[error(
        "query {query_execution_id}: GetQueryResults returned a NextToken that was already used"
    )]
    RepeatedNextToken {
        /// The `QueryExecutionId`.
        query_execution_id: String,
        /// The repeated token.
        next_token: String,
    },

    /// The result file changed while it was read (its ETag no longer matches): the
    /// rows read so far and the rest would come from two different files.
    #[error("the result file {location} changed while it was read (it had ETag {etag})")]
    ResultFileChanged {
        /// The file, `s3://bucket/key`.
        location: String,
        /// The ETag it had when the read began.
        etag: String,
    },

    /// The result file is not what Athena writes (docs/athena.md, "Result files"): a
    /// header that differs from the columns, a row with another number of values, text
    /// that is not UTF-8, a quote where none belongs, a file cut short.
    #[error("result file {location}, byte {offset}, row {row}: {message}")]
    ResultFile {
        /// The file, `s3://bucket/key`.
        location: String,
        /// Byte offset of the fault.
        offset: u64,
        /// 0-based row of the file at fault (the header is row 0).
        row: u64,
        /// What is wrong.
        message: String,
    },

    /// [`ReadPath::ResultFile`](crate::ReadPath::ResultFile) was asked for, but the
    /// query's result file cannot be read (the reason says why).
    #[error("query {query_execution_id}: the result file cannot be read: {reason}")]
    ResultFileUnreadable {
        /// The `QueryExecutionId`.
        query_execution_id: String,
        /// Why: no S3 client, no output location, not a CSV file, client-side
        /// encryption, access denied.
        reason: String,
    },

    /// S3 denied a request that named the account expected to own the bucket
    /// (`x-amz-expected-bucket-owner`): the bucket belongs to another account, or this
    /// identity may not read it (S3 answers both with `403 Access Denied`). Never worked
    /// around by reading another way: a bucket that changed hands must not be read.
    #[error(
        "S3 denied access to {location} with expected bucket owner {expected_bucket_owner}: \
         the bucket belongs to another account, or this identity may not read it ({message})"
    )]
    BucketOwnerMismatch {
        /// The object, `s3://bucket/key`.
        location: String,
        /// The account id that was expected to own the bucket.
        expected_bucket_owner: String,
        /// S3's code and message.
        message: String,
    },

    /// The cost guard ([`AthenaBuilder::with_max_bytes_scanned`](crate::AthenaBuilder::with_max_bytes_scanned))
    /// stopped a query that had scanned more than the limit.
    #[error(
        "query {query_execution_id} scanned {data_scanned_in_bytes} bytes, more than the limit \
         of {max_bytes_scanned}: it was stopped"
    )]
    BytesScannedLimitExceeded {
        /// The `QueryExecutionId`.
        query_execution_id: String,
        /// `Statistics.DataScannedInBytes` at the poll that saw it pass the limit.
        data_scanned_in_bytes: u64,
        /// The limit.
        max_bytes_scanned: u64,
    },

    /// A file of an UNLOAD could not be read: its data manifest, or one of the data
    /// files the manifest lists (missing, not Parquet, in a format this crate does not
    /// read, with other columns than the UNLOAD's other files, ...). Feature `unload`.
    #[cfg(feature = "unload")]
    #[error("UNLOAD file {location}: {message}")]
    Unload {
        /// The file, `s3://bucket/key`.
        location: String,
        /// What is wrong.
        message: String,
        /// The error underneath, when there is one (an S3 call's, the Parquet reader's).
        #[source]
        source: Option<BoxError>,
    },

    /// A row had a different number of values than the result has columns.
    #[error(
        "query {query_execution_id}: row {row_number} has {values} values but the result has {columns} columns"
    )]
    RowShape {
        /// The `QueryExecutionId`.
        query_execution_id: String,
        /// 0-based number of the data row in the whole result (header excluded).
        row_number: u64,
        /// Values in the row.
        values: usize,
        /// Columns in `ResultSetMetadata.ColumnInfo`.
        columns: usize,
    },

    /// The per-item function of the fan-out failed for an item, after its retries.
    #[error("item {index} failed after {attempts} attempt(s): {source}")]
    Item {
        /// 0-based index of the item in the input (of the batch, when batching).
        index: u64,
        /// Attempts made, the failed one included.
        attempts: u32,
        /// The error the function returned.
        #[source]
        source: BoxError,
    },

    /// The input stream of the fan-out failed with an error of its own type (not an
    /// [`Error`] of this crate, which the fan-out passes on unchanged). The fan-out
    /// ended there, like it does for any input error.
    #[error("the input stream failed: {source}")]
    Input {
        /// The input stream's error.
        #[source]
        source: BoxError,
    },

    /// More items failed than the fan-out tolerates, like Step Functions'
    /// `States.ExceedToleratedFailureThreshold`.
    #[error(
        "States.ExceedToleratedFailureThreshold: {failed} of {total} items failed (tolerated: count {tolerated_failure_count:?}, percentage {tolerated_failure_percentage:?})"
    )]
    ToleratedFailureThresholdExceeded {
        /// Items failed so far.
        failed: u64,
        /// Items started so far.
        total: u64,
        /// The tolerated failure count, if one was set.
        tolerated_failure_count: Option<u64>,
        /// The tolerated failure percentage, if one was set.
        tolerated_failure_percentage: Option<f64>,
        /// The last item error, which pushed the count past the threshold.
        #[source]
        last: Option<Box<Error>>,
    },

    /// A column was asked for that the result does not have: a name no column has
    /// (a typo, or a struct field without a column), or an index out of range.
    /// Never the same as NULL, which reads as `None`.
    #[error(
        "row {row_number}: the result has no column `{column}` (its columns: {})",
        .columns.join(", ")
    )]
    NoSuchColumn {
        /// 0-based number of the data row in the result.
        row_number: u64,
        /// The column as it was asked for (a name, or an index as text).
        column: String,
        /// The names of the result's columns, in order.
        columns: Vec<String>,
    },

    /// A value could not be read as the requested type.
    #[error("row {row_number}, column {column} ({athena_type}): cannot decode {text:?}: {message}")]
    Decode {
        /// 0-based number of the data row in the result.
        row_number: u64,
        /// The column name (or index, when there is no name).
        column: String,
        /// The column's Athena type (`ColumnInfo.Type`).
        athena_type: String,
        /// The text that failed (shortened when very long).
        text: String,
        /// Why it failed.
        message: String,
    },
}

/// `gave up after 9 attempts over 41.2s: ` for a call that was retried, nothing for one
/// that failed at its first attempt.
struct GaveUp {
    attempts: u32,
    elapsed: Duration,
}

impl GaveUp {
    fn new(attempts: &u32, elapsed: &Duration) -> Self {
        GaveUp {
            attempts: *attempts,
            elapsed: *elapsed,
        }
    }
}

impl fmt::Display for GaveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.attempts <= 1 {
            return Ok(());
        }
        write!(
            f,
            "gave up after {} attempts over {}: ",
            self.attempts,
            Elapsed(self.elapsed)
        )
    }
}

/// A duration as a person reads it: `850ms`, `41.2s`, `1m52s`, `1h02m`.
pub(crate) struct Elapsed(pub(crate) Duration);

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        let secs = d.as_secs();
        if secs == 0 {
            write!(f, "{}ms", d.as_millis())
        } else if secs < 60 {
            write!(f, "{:.1}s", d.as_secs_f64())
        } else if secs < 3600 {
            write!(f, "{}m{:02}s", secs / 60, secs % 60)
        } else {
            write!(f, "{}h{:02}m", secs / 3600, secs % 3600 / 60)
        }
    }
}

impl Error {
    /// The `QueryExecutionId` this error is about, when it names one.
    pub fn query_execution_id(&self) -> Option<&str> {
        match self {
            Error::QueryFailed {
                query_execution_id, ..
            }
            | Error::QueryCancelled {
                query_execution_id, ..
            }
            | Error::QueryTimedOut {
                query_execution_id, ..
            }
            | Error::RepeatedNextToken {
                query_execution_id, ..
            }
            | Error::RowShape {
                query_execution_id, ..
            }
            | Error::ResultFileUnreadable {
                query_execution_id, ..
            }
            | Error::BytesScannedLimitExceeded {
                query_execution_id, ..
            } => Some(query_execution_id),
            _ => None,
        }
    }

    pub(crate) fn invalid_response(operation: Operation, message: impl Into<String>) -> Self {
        Error::InvalidResponse {
            operation,
            message: message.into(),
        }
    }

    pub(crate) fn invalid_config(message: impl Into<String>) -> Self {
        Error::InvalidConfig {
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An S3 call's failure names S3, not Athena (a deleted result file once read
    /// "Athena HeadObject failed").
    #[test]
    fn failures_name_the_service_they_came_from() {
        let failed = |operation| Error::Api {
            operation,
            kind: ApiErrorKind::Permanent,
            code: Some("NotFound".to_owned()),
            message: "NotFound".to_owned(),
            attempts: 1,
            elapsed: Duration::ZERO,
            source: "NotFound".into(),
        };
        assert_eq!(
            failed(Operation::HeadObject).to_string(),
            "S3 HeadObject failed (Permanent): NotFound"
        );
        assert!(
            failed(Operation::GetQueryResults)
                .to_string()
                .starts_with("Athena GetQueryResults failed")
        );
        let invalid = Error::invalid_response(Operation::GetObject, "a short body");
        assert_eq!(
            invalid.to_string(),
            "unexpected response from S3 GetObject: a short body"
        );
    }
}
