//! A query execution as `GetQueryExecution` describes it, checked and typed.

use std::time::{Duration, SystemTime};

use aws_sdk_athena::types as sdk;

use crate::error::{AthenaError, Error, Result};

const OPERATION: &str = "GetQueryExecution";

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
    /// `FAILED`: final unless Athena retries the query itself (it may go back to `QUEUED`).
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

    /// Whether polling may stop at this state. `FAILED` counts as final: Athena's own
    /// retry of a failed query shows up as a new `QUEUED` before the client sees `FAILED`.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            QueryState::Succeeded | QueryState::Failed | QueryState::Cancelled
        )
    }

    fn parse(state: &sdk::QueryExecutionState) -> Result<Self> {
        match state.as_str() {
            "QUEUED" => Ok(QueryState::Queued),
            "RUNNING" => Ok(QueryState::Running),
            "SUCCEEDED" => Ok(QueryState::Succeeded),
            "FAILED" => Ok(QueryState::Failed),
            "CANCELLED" => Ok(QueryState::Cancelled),
            other => Err(Error::invalid_response(
                OPERATION,
                format!("unknown query state {other:?}"),
            )),
        }
    }
}

/// `StatementType`: what kind of statement the query is. It decides whether the
/// first row of the first page is a header row (DML) or data (UTILITY, DDL).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatementType {
    /// `DML`: SELECT, EXPLAIN, CTAS, INSERT, ...
    Dml,
    /// `DDL`: CREATE, DROP, ALTER, ...
    Ddl,
    /// `UTILITY`: SHOW, DESCRIBE, ...
    Utility,
    /// A type this library does not know yet, as Athena named it.
    Other(String),
}

impl StatementType {
    fn parse(value: &sdk::StatementType) -> Self {
        match value.as_str() {
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
    /// `ResultConfiguration.OutputLocation`: where the result file was written.
    pub output_location: Option<String>,
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
    /// Checks and converts the SDK's description; `expected_id` is the id asked for.
    pub(crate) fn from_sdk(value: Option<sdk::QueryExecution>, expected_id: &str) -> Result<Self> {
        let value = value.ok_or_else(|| {
            Error::invalid_response(OPERATION, "the response has no QueryExecution")
        })?;
        let query_execution_id = match value.query_execution_id {
            Some(id) if id == expected_id => id,
            Some(id) => {
                return Err(Error::invalid_response(
                    OPERATION,
                    format!("asked for {expected_id}, got {id}"),
                ));
            }
            // Absent in the answer: it can only be the one asked for.
            None => expected_id.to_owned(),
        };
        let status = value.status.ok_or_else(|| {
            Error::invalid_response(
                OPERATION,
                format!("query {query_execution_id} has no Status"),
            )
        })?;
        let state = status.state.as_ref().ok_or_else(|| {
            Error::invalid_response(
                OPERATION,
                format!("query {query_execution_id} has no Status.State"),
            )
        })?;
        let state = QueryState::parse(state)?;
        let millis = |v: Option<i64>| {
            v.and_then(|m| u64::try_from(m).ok())
                .map(Duration::from_millis)
        };
        let statistics = value
            .statistics
            .map(|s| QueryStatistics {
                engine_execution_time: millis(s.engine_execution_time_in_millis),
                data_scanned_in_bytes: s.data_scanned_in_bytes.and_then(|b| u64::try_from(b).ok()),
                total_execution_time: millis(s.total_execution_time_in_millis),
                query_queue_time: millis(s.query_queue_time_in_millis),
                query_planning_time: millis(s.query_planning_time_in_millis),
                service_processing_time: millis(s.service_processing_time_in_millis),
                reused_previous_result: s
                    .result_reuse_information
                    .map(|r| r.reused_previous_result),
            })
            .unwrap_or_default();
        Ok(QueryExecution {
            query_execution_id,
            state,
            state_change_reason: status.state_change_reason,
            athena_error: status.athena_error.map(|e| AthenaError {
                error_category: e.error_category,
                error_type: e.error_type,
                retryable: e.retryable,
                error_message: e.error_message,
            }),
            statement_type: value.statement_type.as_ref().map(StatementType::parse),
            substatement_type: value.substatement_type,
            output_location: value.result_configuration.and_then(|r| r.output_location),
            workgroup: value.work_group,
            submission_date_time: status.submission_date_time.and_then(to_system_time),
            completion_date_time: status.completion_date_time.and_then(to_system_time),
            statistics,
        })
    }

    /// Whether the first row of the first page is a header row to drop (ATHENA.md §2):
    /// always for DML; for UTILITY only `SHOW FUNCTIONS`, the one measured with a header.
    pub(crate) fn first_row_is_header(&self) -> HeaderRule {
        match &self.statement_type {
            Some(StatementType::Dml) => HeaderRule::Always,
            Some(StatementType::Utility)
                if self
                    .substatement_type
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case("SHOW_FUNCTIONS")) =>
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

fn to_system_time(t: aws_sdk_athena::primitives::DateTime) -> Option<SystemTime> {
    SystemTime::try_from(t).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn execution(state: &str) -> sdk::QueryExecution {
        sdk::QueryExecution::builder()
            .query_execution_id("q1")
            .status(
                sdk::QueryExecutionStatus::builder()
                    .state(sdk::QueryExecutionState::from(state))
                    .build(),
            )
            .build()
    }

    #[test]
    fn unknown_state_is_a_clear_error() {
        let err = QueryExecution::from_sdk(Some(execution("PAUSED")), "q1").unwrap_err();
        assert!(
            err.to_string().contains("unknown query state \"PAUSED\""),
            "{err}"
        );
    }

    #[test]
    fn missing_status_is_a_clear_error() {
        let value = sdk::QueryExecution::builder()
            .query_execution_id("q1")
            .build();
        let err = QueryExecution::from_sdk(Some(value), "q1").unwrap_err();
        assert!(err.to_string().contains("has no Status"), "{err}");
        let err = QueryExecution::from_sdk(None, "q1").unwrap_err();
        assert!(err.to_string().contains("no QueryExecution"), "{err}");
    }

    #[test]
    fn another_query_in_the_answer_is_an_error() {
        let err = QueryExecution::from_sdk(Some(execution("RUNNING")), "q2").unwrap_err();
        assert!(err.to_string().contains("asked for q2, got q1"), "{err}");
    }

    #[test]
    fn states_parse() {
        for (text, state) in [
            ("QUEUED", QueryState::Queued),
            ("RUNNING", QueryState::Running),
            ("SUCCEEDED", QueryState::Succeeded),
            ("FAILED", QueryState::Failed),
            ("CANCELLED", QueryState::Cancelled),
        ] {
            let e = QueryExecution::from_sdk(Some(execution(text)), "q1").unwrap();
            assert_eq!(e.state, state);
            assert_eq!(e.state.as_str(), text);
        }
    }
}
