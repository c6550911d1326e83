//! One query execution: what its StartQueryExecution asked for, where it is in its life,
//! and how GetQueryExecution describes it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value, json};
use tokio::task::AbortHandle;
use tokio::time::Instant;

use super::output_location::OutputLocation;
use super::results::ResultFile;
use crate::engine::{StatementType, SubstatementType};

/// The reason a stopped query reads.
const CANCELLED_REASON: &str = "Query cancelled by user";

/// Where a query is in its life.
#[derive(Debug)]
pub(super) enum State {
    Queued,
    Running,
    Succeeded(Arc<ResultFile>),
    Failed {
        error_category: i32,
        error_type: i32,
        message: String,
    },
    Cancelled,
}

impl State {
    /// The state as Athena names it.
    pub(super) fn name(&self) -> &'static str {
        match self {
            State::Queued => "QUEUED",
            State::Running => "RUNNING",
            State::Succeeded(_) => "SUCCEEDED",
            State::Failed { .. } => "FAILED",
            State::Cancelled => "CANCELLED",
        }
    }

    /// QUEUED or RUNNING.
    pub(super) fn is_active(&self) -> bool {
        matches!(self, State::Queued | State::Running)
    }
}

/// What a StartQueryExecution request asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StartRequest {
    pub(crate) query_string: String,
    pub(crate) client_request_token: String,
    pub(crate) database: Option<String>,
    pub(crate) catalog: Option<String>,
    pub(crate) output_location: OutputLocation,
    pub(crate) work_group: String,
    pub(crate) execution_parameters: Option<Vec<String>>,
    pub(crate) result_reuse: Option<(bool, Option<i64>)>,
}

impl StartRequest {
    /// The parameters that must match for a repeated ClientRequestToken.
    pub(super) fn same_idempotent_parameters(&self, other: &StartRequest) -> bool {
        self.query_string == other.query_string
            && self.database == other.database
            && self.catalog == other.catalog
            && self.output_location == other.output_location
    }
}

/// One query execution.
#[derive(Debug)]
pub(super) struct Query {
    pub(super) id: String,
    /// `<id>.csv` or `<id>.txt`, the name of its result file under the OutputLocation.
    pub(super) result_file_name: String,
    pub(super) request: StartRequest,
    pub(super) statement_type: StatementType,
    pub(super) substatement_type: SubstatementType,
    pub(super) submitted: SystemTime,
    pub(super) submitted_at: Instant,
    pub(super) running_at: Option<Instant>,
    pub(super) completed: Option<SystemTime>,
    pub(super) completed_at: Option<Instant>,
    pub(super) planning: Duration,
    pub(super) data_scanned: Option<Arc<AtomicU64>>,
    pub(super) state: State,
    pub(super) abort: Option<AbortHandle>,
}

impl Query {
    /// The full `s3://` URI of the result file, as Athena gives it (docs/athena.md,
    /// "Result files": a client takes the file from here and never builds the key).
    fn output_location(&self) -> String {
        format!(
            "{}{}",
            self.request.output_location.prefix, self.result_file_name
        )
    }

    /// `QueryExecution` as GetQueryExecution answers it.
    pub(super) fn to_json(&self) -> Value {
        let (reuse_enabled, reuse_age) = self.request.result_reuse.unwrap_or((false, None));
        let mut reuse = Map::new();
        reuse.insert("Enabled".into(), json!(reuse_enabled));
        if let Some(age) = reuse_age {
            reuse.insert("MaxAgeInMinutes".into(), json!(age));
        }
        let mut context = Map::new();
        if let Some(database) = &self.request.database {
            context.insert("Database".into(), json!(database));
        }
        if let Some(catalog) = &self.request.catalog {
            context.insert("Catalog".into(), json!(catalog));
        }

        let mut execution = Map::new();
        execution.insert("QueryExecutionId".into(), json!(self.id));
        execution.insert("Query".into(), json!(self.request.query_string));
        execution.insert("StatementType".into(), json!(self.statement_type.as_str()));
        execution.insert(
            "SubstatementType".into(),
            json!(self.substatement_type.as_str()),
        );
        execution.insert(
            "ResultConfiguration".into(),
            json!({"OutputLocation": self.output_location()}),
        );
        execution.insert(
            "ResultReuseConfiguration".into(),
            json!({"ResultReuseByAgeConfiguration": reuse}),
        );
        execution.insert("QueryExecutionContext".into(), Value::Object(context));
        execution.insert("Status".into(), Value::Object(self.status_json()));
        execution.insert("Statistics".into(), self.statistics_json());
        execution.insert("WorkGroup".into(), json!(self.request.work_group));
        execution.insert(
            "EngineVersion".into(),
            json!({
                "SelectedEngineVersion": "AUTO",
                "EffectiveEngineVersion": "Athena engine version 3",
            }),
        );
        if let Some(parameters) = &self.request.execution_parameters {
            execution.insert("ExecutionParameters".into(), json!(parameters));
        }
        Value::Object(execution)
    }

    /// `Status`: the state, its times, and why it failed or was cancelled.
    fn status_json(&self) -> Map<String, Value> {
        let epoch = |t: SystemTime| {
            let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
            json!(d.as_millis() as f64 / 1000.0)
        };
        let mut status = Map::new();
        status.insert("State".into(), json!(self.state.name()));
        status.insert("SubmissionDateTime".into(), epoch(self.submitted));
        if let Some(completed) = self.completed {
            status.insert("CompletionDateTime".into(), epoch(completed));
        }
        match &self.state {
            State::Failed {
                error_category,
                error_type,
                message,
            } => {
                status.insert("StateChangeReason".into(), json!(message));
                status.insert(
                    "AthenaError".into(),
                    json!({
                        "ErrorCategory": error_category,
                        "ErrorType": error_type,
                        "Retryable": false,
                        "ErrorMessage": message,
                    }),
                );
            }
            State::Cancelled => {
                status.insert("StateChangeReason".into(), json!(CANCELLED_REASON));
            }
            _ => {}
        }
        status
    }

    /// `Statistics`: the times of the query's phases so far, and the bytes it read.
    fn statistics_json(&self) -> Value {
        let now = Instant::now();
        let end = self.completed_at.unwrap_or(now);
        let millis = |d: Duration| d.as_millis() as u64;
        let queue = millis(
            self.running_at
                .unwrap_or(end)
                .saturating_duration_since(self.submitted_at),
        );
        let engine = self
            .running_at
            .map_or(0, |r| millis(end.saturating_duration_since(r)));
        let total = millis(end.saturating_duration_since(self.submitted_at));
        let scanned = self
            .data_scanned
            .as_ref()
            .map_or(0, |s| s.load(Ordering::Relaxed));
        let planning = millis(self.planning).min(engine);
        let mut statistics = json!({
            "EngineExecutionTimeInMillis": engine,
            "DataScannedInBytes": scanned,
            "TotalExecutionTimeInMillis": total,
            "QueryQueueTimeInMillis": queue,
            "ServicePreProcessingTimeInMillis": 0,
            "QueryPlanningTimeInMillis": planning,
            "ServiceProcessingTimeInMillis": total.saturating_sub(queue + engine),
            "ResultReuseInformation": {"ReusedPreviousResult": false},
        });
        // The data manifest of an UNLOAD, once written (docs/athena.md, "UNLOAD and data
        // manifests": its address is `Statistics.DataManifestLocation`).
        if let State::Succeeded(result) = &self.state
            && let Some(manifest) = &result.data_manifest_location
        {
            statistics["DataManifestLocation"] = json!(manifest);
        }
        statistics
    }
}
