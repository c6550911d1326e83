//! A query execution as `GetQueryExecution` describes it, checked and typed: its
//! [`QueryExecution`] and [`QueryState`] (also at the crate root), its statistics, the
//! result configuration it used (and that a query may ask for). Its progress while it
//! runs is [`progress`](crate::progress).

use std::time::{Duration, SystemTime};

use crate::error::{AthenaError, Error};

pub use crate::result_configuration::{
    EncryptionConfiguration, EncryptionOption, ResultConfiguration, S3AclOption,
};

/// `Status.State` of a query execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QueryState {
    /// `QUEUED`: accepted, waiting to run.
    Queued,
    /// `RUNNING`.
    Running,
    /// `SUCCEEDED`: final; results can be read.
    Succeeded,
    /// `FAILED`: final. A failure that Athena marks `Retryable` may succeed if the query
    /// is run again, which is the caller's choice
    /// ([`AthenaBuilder::with_failed_query_retries`](crate::AthenaBuilder::with_failed_query_retries)).
    Failed,
    /// `CANCELLED`: final.
    Cancelled,
}

impl QueryState {
    /// Athena's name for the state.
    pub fn as_str(self) -> &'static str {
        match self {
            QueryState::Queued => "QUEUED",
            QueryState::Running => "RUNNING",
            QueryState::Succeeded => "SUCCEEDED",
            QueryState::Failed => "FAILED",
            QueryState::Cancelled => "CANCELLED",
        }
    }

    /// Whether the query's life has ended in this state: `SUCCEEDED`, `FAILED` or
    /// `CANCELLED`. The other two are not final even in order: a `RUNNING` query goes
    /// back to `QUEUED` when Athena retries it after a transient error
    /// (docs/athena.md, "Query states").
    pub fn is_final(self) -> bool {
        matches!(
            self,
            QueryState::Succeeded | QueryState::Failed | QueryState::Cancelled
        )
    }

    /// The state Athena names `name`, if it is one this library knows.
    pub(crate) fn from_athena(name: &str) -> Option<Self> {
        match name {
            "QUEUED" => Some(QueryState::Queued),
            "RUNNING" => Some(QueryState::Running),
            "SUCCEEDED" => Some(QueryState::Succeeded),
            "FAILED" => Some(QueryState::Failed),
            "CANCELLED" => Some(QueryState::Cancelled),
            _ => None,
        }
    }
}

/// `StatementType`: what kind of statement the query is. It decides whether the
/// first row of the first page is a header row (DML) or data (UTILITY, DDL).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatementType {
    /// `DML`: SELECT, CTAS, INSERT, UNLOAD, ...
    Dml,
    /// `DDL`: CREATE, DROP, ALTER, ...
    Ddl,
    /// `UTILITY`: SHOW, DESCRIBE, EXPLAIN, ...
    Utility,
    /// A type this library does not know yet, as Athena named it.
    Other(String),
}

impl StatementType {
    /// The statement type Athena names `name`.
    pub(crate) fn from_athena(name: &str) -> Self {
        match name {
            "DML" => StatementType::Dml,
            "DDL" => StatementType::Ddl,
            "UTILITY" => StatementType::Utility,
            other => StatementType::Other(other.to_owned()),
        }
    }
}

/// `Statistics` of a query execution. Fields Athena did not send are `None`.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct QueryStatistics {
    /// `EngineExecutionTimeInMillis`.
    pub engine_execution_time: Option<Duration>,
    /// `DataScannedInBytes`.
    pub data_scanned_in_bytes: Option<u64>,
    /// `DataManifestLocation`: the `s3://` URI of the data manifest that CTAS, `INSERT
    /// INTO` and `UNLOAD` write beside their result, listing the files they wrote
    /// (docs/athena.md, "UNLOAD and data manifests"). `None` for other statements.
    pub data_manifest_location: Option<String>,
    /// `TotalExecutionTimeInMillis`.
    pub total_execution_time: Option<Duration>,
    /// `QueryQueueTimeInMillis`.
    pub query_queue_time: Option<Duration>,
    /// `QueryPlanningTimeInMillis`.
    pub query_planning_time: Option<Duration>,
    /// `ServiceProcessingTimeInMillis`.
    pub service_processing_time: Option<Duration>,
    /// `ResultReuseInformation.ReusedPreviousResult`.
    pub reused_previous_result: Option<bool>,
}

/// A query execution, as the last `GetQueryExecution` described it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct QueryExecution {
    /// `QueryExecutionId`.
    pub query_execution_id: String,
    /// `Status.State`.
    pub state: QueryState,
    /// `Status.StateChangeReason`.
    pub state_change_reason: Option<String>,
    /// `Status.AthenaError` (on failed queries).
    pub athena_error: Option<AthenaError>,
    /// `StatementType` (`None` if Athena has not said yet).
    pub statement_type: Option<StatementType>,
    /// `SubstatementType` (`SELECT`, `SHOW_TABLES`, ...).
    pub substatement_type: Option<String>,
    /// `ResultConfiguration`, as Athena used it: the output location is the result file
    /// itself (`s3://bucket/prefix/<QueryExecutionId>.csv`). When the workgroup
    /// enforces its configuration these are the workgroup's settings, whatever the
    /// query asked for (docs/athena.md, "Workgroups").
    pub result_configuration: ResultConfiguration,
    /// `ManagedQueryResultsConfiguration.Enabled`: the results are in Athena's own
    /// storage, which only `GetQueryResults` reads (no output location in S3).
    pub managed_query_results: bool,
    /// `WorkGroup`.
    pub workgroup: Option<String>,
    /// `Status.SubmissionDateTime`.
    pub submission_date_time: Option<SystemTime>,
    /// `Status.CompletionDateTime`.
    pub completion_date_time: Option<SystemTime>,
    /// `Statistics`.
    pub statistics: QueryStatistics,
}

impl QueryExecution {
    /// Whether the first row of the first page is a header row to drop (docs/athena.md,
    /// "Pages of results"): always for DML; for the UTILITY statements measured with a
    /// header row, only when it equals the column names.
    pub(crate) fn first_row_is_header(&self) -> HeaderRule {
        match &self.statement_type {
            Some(StatementType::Dml) => HeaderRule::Always,
            // SHOW FUNCTIONS was measured with a header row; EXPLAIN was too, when it was
            // counted as DML, and the Smithy model now lists it as UTILITY: for both the
            // first row goes only when it is the column names.
            Some(StatementType::Utility)
                if self.substatement_type.as_deref().is_some_and(|s| {
                    s.eq_ignore_ascii_case("SHOW_FUNCTIONS") || s.eq_ignore_ascii_case("EXPLAIN")
                }) =>
            {
                HeaderRule::IfColumnNames
            }
            _ => HeaderRule::Never,
        }
    }

    /// The error for a query that ended `FAILED`.
    pub(crate) fn failed_error(&self, attempts: u32) -> Error {
        Error::QueryFailed {
            query_execution_id: self.query_execution_id.clone(),
            state_change_reason: self
                .state_change_reason
                .clone()
                .or_else(|| {
                    self.athena_error
                        .as_ref()
                        .and_then(|e| e.error_message.clone())
                })
                .unwrap_or_else(|| "no reason given".to_owned()),
            athena_error: self.athena_error.clone(),
            attempts,
        }
    }

    /// The error for a query that ended `CANCELLED`.
    pub(crate) fn cancelled_error(&self) -> Error {
        Error::QueryCancelled {
            query_execution_id: self.query_execution_id.clone(),
            state_change_reason: self
                .state_change_reason
                .clone()
                .unwrap_or_else(|| "no reason given".to_owned()),
        }
    }
}

/// When the first row of the first page is a header row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderRule {
    /// DML: the first row is always the header.
    Always,
    /// The first row is the header if it equals the column names.
    IfColumnNames,
    /// No header row.
    Never,
}
