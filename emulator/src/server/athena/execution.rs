//! One query execution: what its StartQueryExecution asked for, what its workgroup made
//! of that, where it is in its life, and how GetQueryExecution and
//! GetQueryRuntimeStatistics describe it.

use std::num::NonZeroU64;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value, json};
use tokio::task::AbortHandle;
use tokio::time::Instant;

use super::output_location::OutputLocation;
use super::result_config::ResultConfig;
use super::results::ResultFile;
use super::work_groups::Managed;
use crate::engine::{PlanHandle, PlanNode, PlanStats, Stage, StatementType, SubstatementType};

/// Why a query was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CancelReason {
    /// StopQueryExecution (or the emulator shutting down).
    ByUser,
    /// It scanned more than its workgroup's `BytesScannedCutoffPerQuery`.
    BytesScannedLimit,
}

impl CancelReason {
    /// `StateChangeReason` (docs/athena.md, "Query states" and "Workgroups").
    fn message(self) -> &'static str {
        match self {
            CancelReason::ByUser => "Query cancelled by user",
            CancelReason::BytesScannedLimit => "Bytes scanned limit was exceeded",
        }
    }
}

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
    Cancelled(CancelReason),
}

impl State {
    /// The state as Athena names it.
    pub(super) fn name(&self) -> &'static str {
        match self {
            State::Queued => "QUEUED",
            State::Running => "RUNNING",
            State::Succeeded(_) => "SUCCEEDED",
            State::Failed { .. } => "FAILED",
            State::Cancelled(_) => "CANCELLED",
        }
    }

    /// QUEUED or RUNNING.
    pub(super) fn is_active(&self) -> bool {
        matches!(self, State::Queued | State::Running)
    }

    /// The state of the query's stages, in Trino's words (a stage of a cancelled query
    /// is `CANCELED`).
    fn stage_state(&self) -> &'static str {
        match self {
            State::Queued => "PLANNED",
            State::Running => "RUNNING",
            State::Succeeded(_) => "FINISHED",
            State::Failed { .. } => "FAILED",
            State::Cancelled(_) => "CANCELED",
        }
    }
}

/// What a StartQueryExecution request asked for, as it asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StartRequest {
    pub(crate) query_string: String,
    pub(crate) client_request_token: String,
    pub(crate) database: Option<String>,
    pub(crate) catalog: Option<String>,
    /// The client's `ResultConfiguration` (its workgroup may override it).
    pub(crate) result: ResultConfig,
    pub(crate) work_group: String,
    pub(crate) execution_parameters: Option<Vec<String>>,
    pub(crate) result_reuse: Option<(bool, Option<i64>)>,
}

impl StartRequest {
    /// The parameters that must match for a repeated ClientRequestToken (the output
    /// location compared with its trailing `/`, as it is used).
    pub(super) fn same_idempotent_parameters(&self, other: &StartRequest) -> bool {
        let location = |r: &StartRequest| {
            r.result.output_location.as_ref().map(|l| {
                if l.ends_with('/') {
                    l.clone()
                } else {
                    format!("{l}/")
                }
            })
        };
        self.query_string == other.query_string
            && self.database == other.database
            && self.catalog == other.catalog
            && location(self) == location(other)
    }
}

/// Where a query's result goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Destination {
    /// An S3 location of the caller's.
    S3(OutputLocation),
    /// Athena's own storage (managed query results): no S3 object the caller can read.
    Managed,
}

/// What a query runs with once its workgroup's configuration is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Effective {
    /// The `ResultConfiguration` it reports (the workgroup's when it enforces its own,
    /// else the client's over the workgroup's).
    pub(crate) result: ResultConfig,
    pub(crate) destination: Destination,
    /// The workgroup's managed query results, when they are enabled.
    pub(crate) managed: Option<Managed>,
    /// The workgroup's `BytesScannedCutoffPerQuery`.
    pub(crate) bytes_scanned_cutoff: Option<u64>,
}

/// One query execution.
#[derive(Debug)]
pub(super) struct Query {
    pub(super) id: String,
    /// `<id>.csv` or `<id>.txt`, the name of its result file under the OutputLocation.
    pub(super) result_file_name: String,
    pub(super) request: StartRequest,
    pub(super) effective: Effective,
    pub(super) statement_type: StatementType,
    pub(super) substatement_type: SubstatementType,
    pub(super) submitted: SystemTime,
    pub(super) submitted_at: Instant,
    pub(super) running_at: Option<Instant>,
    pub(super) completed: Option<SystemTime>,
    pub(super) completed_at: Option<Instant>,
    pub(super) planning: Duration,
    pub(super) data_scanned: Option<Arc<AtomicU64>>,
    /// The emulator's slow-scan setting: bytes a second the scan is shown at.
    pub(super) scan_rate: Option<NonZeroU64>,
    /// The plan while the query runs, read for GetQueryRuntimeStatistics.
    pub(super) plan: Option<PlanHandle>,
    /// The plan's figures once the query has ended (the plan itself is let go).
    pub(super) final_stats: Option<PlanStats>,
    pub(super) state: State,
    pub(super) abort: Option<AbortHandle>,
}

/// The bytes a query shows as scanned: what it has read (`read`), no faster than `rate`
/// bytes a second since it started running (`running_for`; None: not running yet),
/// never past its `cutoff` (docs/emulator.md, "Statistics while a query runs").
pub(super) fn shown_scanned(
    read: u64,
    rate: Option<NonZeroU64>,
    running_for: Option<Duration>,
    cutoff: Option<u64>,
) -> u64 {
    let mut shown = read;
    if let Some(rate) = rate {
        let allowed = running_for.map_or(0, |d| {
            let bytes = d.as_nanos() * u128::from(rate.get()) / 1_000_000_000;
            u64::try_from(bytes).unwrap_or(u64::MAX)
        });
        shown = shown.min(allowed);
    }
    cutoff.map_or(shown, |cutoff| shown.min(cutoff))
}

/// How long a scan at `rate` bytes a second takes to show `bytes`: the first instant
/// from which [`shown_scanned`] reaches them.
pub(super) fn time_to_show(bytes: u64, rate: NonZeroU64) -> Duration {
    let nanos = (u128::from(bytes) * 1_000_000_000).div_ceil(u128::from(rate.get()));
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

/// The times of a query's phases, in milliseconds.
#[derive(Debug, Clone, Copy)]
struct Times {
    queue: u64,
    engine: u64,
    total: u64,
    planning: u64,
    service: u64,
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Query {
    /// The full `s3://` URI of the result file, as Athena gives it (docs/athena.md,
    /// "Result files": a client takes the file from here and never builds the key);
    /// None for managed query results, which have no S3 location.
    fn output_location(&self) -> Option<String> {
        match &self.effective.destination {
            Destination::S3(location) => {
                Some(format!("{}{}", location.prefix, self.result_file_name))
            }
            Destination::Managed => None,
        }
    }

    /// The phases' times so far (or until it ended).
    fn times(&self) -> Times {
        let end = self.completed_at.unwrap_or_else(Instant::now);
        let queue = millis(
            self.running_at
                .unwrap_or(end)
                .saturating_duration_since(self.submitted_at),
        );
        let engine = self
            .running_at
            .map_or(0, |r| millis(end.saturating_duration_since(r)));
        let total = millis(end.saturating_duration_since(self.submitted_at));
        Times {
            queue,
            engine,
            total,
            planning: millis(self.planning).min(engine),
            service: total.saturating_sub(queue + engine),
        }
    }

    /// `DataScannedInBytes` now (see [`shown_scanned`]).
    pub(super) fn scanned(&self) -> u64 {
        let read = self
            .data_scanned
            .as_ref()
            .map_or(0, |s| s.load(Ordering::Relaxed));
        let end = self.completed_at.unwrap_or_else(Instant::now);
        let running_for = self.running_at.map(|r| end.saturating_duration_since(r));
        shown_scanned(
            read,
            self.scan_rate,
            running_for,
            self.effective.bytes_scanned_cutoff,
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
        // Managed results report no S3 location and none of the S3 settings, which do
        // not apply to Athena's own storage; their configuration is reported instead.
        let result_configuration = match &self.effective.destination {
            Destination::S3(_) => self
                .effective
                .result
                .to_json(self.output_location().as_deref()),
            Destination::Managed => json!({}),
        };
        execution.insert("ResultConfiguration".into(), result_configuration);
        if let Some(managed) = &self.effective.managed {
            execution.insert("ManagedQueryResultsConfiguration".into(), managed.to_json());
        }
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
            State::Cancelled(reason) => {
                status.insert("StateChangeReason".into(), json!(reason.message()));
            }
            _ => {}
        }
        status
    }

    /// `Statistics`: the times of the query's phases so far, and the bytes it read.
    fn statistics_json(&self) -> Value {
        let t = self.times();
        let mut statistics = json!({
            "EngineExecutionTimeInMillis": t.engine,
            "DataScannedInBytes": self.scanned(),
            "TotalExecutionTimeInMillis": t.total,
            "QueryQueueTimeInMillis": t.queue,
            "ServicePreProcessingTimeInMillis": 0,
            "QueryPlanningTimeInMillis": t.planning,
            "ServiceProcessingTimeInMillis": t.service,
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

    /// The plan's figures: final once the query has ended, else read from the running
    /// plan; None before it has one (QUEUED, or a statement without a plan).
    fn plan_stats(&self) -> Option<PlanStats> {
        self.final_stats
            .clone()
            .or_else(|| self.plan.as_ref().map(PlanHandle::stats))
    }

    /// Keeps the plan's figures as they are at the end, and lets the plan go.
    pub(super) fn freeze_plan(&mut self) {
        if let Some(plan) = self.plan.take() {
            self.final_stats = Some(plan.stats());
        }
    }

    /// `QueryRuntimeStatistics` as GetQueryRuntimeStatistics answers it: the timeline,
    /// the rows and bytes in and out, and the stages, from the engine's plan metrics
    /// (docs/emulator.md, "Runtime statistics").
    pub(super) fn runtime_statistics_json(&self) -> Value {
        let t = self.times();
        let stats = self.plan_stats();
        let mut out = Map::new();
        out.insert(
            "Timeline".into(),
            json!({
                "QueryQueueTimeInMillis": t.queue,
                "ServicePreProcessingTimeInMillis": 0,
                "QueryPlanningTimeInMillis": t.planning,
                "EngineExecutionTimeInMillis": t.engine,
                "ServiceProcessingTimeInMillis": t.service,
                "TotalExecutionTimeInMillis": t.total,
            }),
        );
        let (input_rows, output_rows, output_bytes) = stats
            .as_ref()
            .map_or((0, 0, 0), |s| (s.input_rows, s.output_rows, s.output_bytes));
        out.insert(
            "Rows".into(),
            json!({
                "InputRows": input_rows,
                "InputBytes": self.scanned(),
                "OutputBytes": output_bytes,
                "OutputRows": output_rows,
            }),
        );
        if let Some(stats) = &stats {
            out.insert(
                "OutputStage".into(),
                stage_json(&stats.output_stage, self.state.stage_state()),
            );
        }
        Value::Object(out)
    }
}

/// A `QueryStage`.
fn stage_json(stage: &Stage, state: &str) -> Value {
    json!({
        "StageId": stage.id,
        "State": state,
        "OutputBytes": stage.output_bytes,
        "OutputRows": stage.output_rows,
        "InputBytes": stage.input_bytes,
        "InputRows": stage.input_rows,
        "ExecutionTime": stage.execution_millis,
        "QueryStagePlan": node_json(&stage.plan),
        "SubStages": stage.sub_stages.iter().map(|s| stage_json(s, state)).collect::<Vec<_>>(),
    })
}

/// A `QueryStagePlanNode`.
fn node_json(node: &PlanNode) -> Value {
    json!({
        "Name": node.name,
        "Identifier": node.identifier,
        "Children": node.children.iter().map(node_json).collect::<Vec<_>>(),
        "RemoteSources": node.remote_sources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scan_shows_no_faster_than_its_rate_and_never_past_the_cutoff() {
        let rate = NonZeroU64::new(1000);
        let at = |ms| Some(Duration::from_millis(ms));
        // Without a rate, what was read.
        assert_eq!(shown_scanned(5000, None, at(1), None), 5000);
        // Not running yet: nothing.
        assert_eq!(shown_scanned(5000, rate, None, None), 0);
        // 1000 bytes a second: 250 after 250 ms, then all of it once the time is up.
        assert_eq!(shown_scanned(5000, rate, at(250), None), 250);
        assert_eq!(shown_scanned(5000, rate, at(4999), None), 4999);
        assert_eq!(shown_scanned(5000, rate, at(5000), None), 5000);
        assert_eq!(shown_scanned(5000, rate, at(60_000), None), 5000);
        // What was not read yet is not shown, whatever the time.
        assert_eq!(shown_scanned(10, rate, at(60_000), None), 10);
        // The cutoff caps it.
        assert_eq!(shown_scanned(5000, rate, at(60_000), Some(3000)), 3000);
        assert_eq!(shown_scanned(5000, None, None, Some(3000)), 3000);
        // The time to show a figure is the first instant the rate reaches it.
        let rate = rate.unwrap();
        assert_eq!(time_to_show(5000, rate), Duration::from_secs(5));
        assert_eq!(
            time_to_show(1, NonZeroU64::new(3).unwrap()),
            Duration::from_nanos(333_333_334)
        );
        for bytes in [0, 1, 7, 999, 1001, 123_456_789] {
            let t = time_to_show(bytes, rate);
            assert_eq!(shown_scanned(bytes, Some(rate), Some(t), None), bytes);
        }
    }
}
