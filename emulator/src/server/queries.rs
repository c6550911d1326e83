//! A query's life: the registry of query executions, idempotency tokens, the limit of
//! active queries, and the background task that runs a query into its result file.
//!
//! Every state change happens under the registry's lock, and only from an active state
//! (QUEUED or RUNNING), so a query stopped while its task finishes stays CANCELLED and
//! the count of active queries is decremented exactly once.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use futures::StreamExt;
use serde_json::{Map, Value, json};
use tokio::task::AbortHandle;
use tokio::time::Instant;

use super::protocol::ApiError;
use super::results::{ColumnMeta, ResultFile, ResultWriter, column_info_json};
use crate::engine::{
    Engine, ExecutionContext, Prepared, QueryError, StatementType, SubstatementType,
};

/// Where results go when a request names no OutputLocation.
pub(crate) const DEFAULT_OUTPUT_LOCATION: &str = "s3://athena-emulator-results/";

/// The reason a stopped query reads.
const CANCELLED_REASON: &str = "Query cancelled by user";

/// Makes query and request ids: random-looking UUIDs (version 4 layout), never repeated
/// within a process.
#[derive(Debug)]
pub(crate) struct IdGenerator {
    key: std::hash::RandomState,
    counter: AtomicU64,
}

impl IdGenerator {
    pub(crate) fn new() -> Self {
        Self {
            key: std::hash::RandomState::new(),
            counter: AtomicU64::new(0),
        }
    }

    pub(crate) fn next(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let word = |salt: u64| {
            let mut h = self.key.build_hasher();
            h.write_u64(n);
            h.write_u64(salt);
            h.finish()
        };
        let (hi, lo) = (word(1), word(2));
        let hi = (hi & !0xf000) | 0x4000; // version 4
        let lo = (lo & !(0xc << 60)) | (0x8 << 60); // RFC 4122 variant
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            hi >> 32,
            (hi >> 16) & 0xffff,
            hi & 0xffff,
            lo >> 48,
            lo & 0xffff_ffff_ffff
        )
    }
}

/// Where a query's result goes: the reported `s3://` location and the file it maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutputLocation {
    /// `s3://bucket/prefix/`, always ending with `/`.
    pub(crate) prefix: String,
}

impl OutputLocation {
    /// Checks an `s3://bucket/prefix` location; a trailing `/` is added when missing.
    pub(crate) fn parse(location: &str) -> Result<Self, ApiError> {
        let invalid = || {
            ApiError::invalid_input(format!("outputLocation is not a valid S3 path: {location}"))
        };
        let rest = location.strip_prefix("s3://").ok_or_else(invalid)?;
        let mut segments = rest.split('/');
        let bucket = segments.next().unwrap_or_default();
        if bucket.is_empty()
            || rest
                .split('/')
                .any(|s| s == "." || s == ".." || s.contains('\\') || s.contains('\0'))
        {
            return Err(invalid());
        }
        let mut prefix = location.to_owned();
        if !prefix.ends_with('/') {
            prefix.push('/');
        }
        Ok(Self { prefix })
    }

    /// The file `<prefix><file_name>` maps to under `data_dir`.
    pub(crate) fn path(&self, data_dir: &std::path::Path, file_name: &str) -> PathBuf {
        let mut path = data_dir.to_path_buf();
        for segment in self.prefix["s3://".len()..].split('/') {
            if !segment.is_empty() {
                path.push(segment);
            }
        }
        path.push(file_name);
        path
    }
}

/// Where a query is in its life.
#[derive(Debug)]
enum State {
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
    fn name(&self) -> &'static str {
        match self {
            State::Queued => "QUEUED",
            State::Running => "RUNNING",
            State::Succeeded(_) => "SUCCEEDED",
            State::Failed { .. } => "FAILED",
            State::Cancelled => "CANCELLED",
        }
    }

    fn is_active(&self) -> bool {
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
    fn same_idempotent_parameters(&self, other: &StartRequest) -> bool {
        self.query_string == other.query_string
            && self.database == other.database
            && self.catalog == other.catalog
            && self.output_location == other.output_location
    }
}

/// One query execution.
#[derive(Debug)]
struct Query {
    id: String,
    request: StartRequest,
    statement_type: StatementType,
    substatement_type: SubstatementType,
    submitted: SystemTime,
    submitted_at: Instant,
    running_at: Option<Instant>,
    completed: Option<SystemTime>,
    completed_at: Option<Instant>,
    planning: Duration,
    data_scanned: Option<Arc<AtomicU64>>,
    state: State,
    abort: Option<AbortHandle>,
}

impl Query {
    fn output_location(&self) -> String {
        format!("{}{}.csv", self.request.output_location.prefix, self.id)
    }

    /// `QueryExecution` as GetQueryExecution answers it.
    fn to_json(&self) -> Value {
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
        let statistics = json!({
            "EngineExecutionTimeInMillis": engine,
            "DataScannedInBytes": scanned,
            "TotalExecutionTimeInMillis": total,
            "QueryQueueTimeInMillis": queue,
            "ServicePreProcessingTimeInMillis": 0,
            "QueryPlanningTimeInMillis": planning,
            "ServiceProcessingTimeInMillis": total.saturating_sub(queue + engine),
            "ResultReuseInformation": {"ReusedPreviousResult": false},
        });

        let mut context = Map::new();
        if let Some(database) = &self.request.database {
            context.insert("Database".into(), json!(database));
        }
        if let Some(catalog) = &self.request.catalog {
            context.insert("Catalog".into(), json!(catalog));
        }
        let (reuse_enabled, reuse_age) = self.request.result_reuse.unwrap_or((false, None));
        let mut reuse = Map::new();
        reuse.insert("Enabled".into(), json!(reuse_enabled));
        if let Some(age) = reuse_age {
            reuse.insert("MaxAgeInMinutes".into(), json!(age));
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
        execution.insert("Status".into(), Value::Object(status));
        execution.insert("Statistics".into(), statistics);
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
}

/// Everything the registry's lock guards.
#[derive(Debug, Default)]
struct Inner {
    queries: HashMap<String, Query>,
    /// Query ids in the order they were started (a query's `sequence` is its index).
    order: Vec<String>,
    /// ClientRequestToken -> QueryExecutionId.
    tokens: HashMap<String, String>,
    /// Queries QUEUED or RUNNING.
    active: usize,
}

/// The query executions of one emulator.
#[derive(Debug)]
pub(crate) struct Registry {
    inner: Mutex<Inner>,
    engine: Engine,
    ids: IdGenerator,
    max_active: usize,
    query_delay: Duration,
}

/// What GetQueryResults may page, or why not.
#[derive(Debug)]
pub(crate) enum ResultsState {
    /// The result file.
    Ready(Arc<ResultFile>),
    /// The query is QUEUED, RUNNING, FAILED or CANCELLED: the error to answer.
    NotReady(ApiError),
}

impl Registry {
    pub(crate) fn new(engine: Engine, max_active: usize, query_delay: Duration) -> Arc<Self> {
        Arc::new(Self {
            inner: Mutex::new(Inner::default()),
            engine,
            ids: IdGenerator::new(),
            max_active,
            query_delay,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere must not stop the emulator from serving.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.engine
    }

    /// A fresh request id.
    pub(crate) fn request_id(&self) -> String {
        self.ids.next()
    }

    /// The id an earlier start with the same token got; an error when its parameters differ.
    fn idempotent_id(inner: &Inner, request: &StartRequest) -> Result<Option<String>, ApiError> {
        let Some(id) = inner.tokens.get(&request.client_request_token) else {
            return Ok(None);
        };
        let earlier = &inner.queries[id].request;
        if earlier.same_idempotent_parameters(request) {
            Ok(Some(id.clone()))
        } else {
            Err(ApiError::invalid_request(
                "IDEMPOTENT_PARAMETER_MISMATCH",
                "Idempotent parameters do not match",
            ))
        }
    }

    /// StartQueryExecution: registers the query and starts its task; answers its id.
    pub(crate) fn start(self: &Arc<Self>, request: StartRequest) -> Result<String, ApiError> {
        if let Some(id) = Self::idempotent_id(&self.lock(), &request)? {
            return Ok(id);
        }
        // Parse outside the lock: a syntax error answers at once; a statement the engine
        // cannot run is accepted and ends FAILED, as Athena's analysis errors do.
        let prepared = match self.engine.prepare(&request.query_string) {
            Ok(prepared) => Ok(prepared),
            Err(QueryError::Malformed { message }) => {
                return Err(ApiError::invalid_request("MALFORMED_QUERY", message));
            }
            Err(failed) => Err(failed),
        };
        let (statement_type, substatement_type) = match &prepared {
            Ok(p) => (p.statement_type, p.substatement_type),
            // It failed to prepare (the error ends it FAILED), so its type is not known
            // here: it reads as a SELECT.
            Err(_) => (StatementType::Dml, SubstatementType::Select),
        };

        let mut inner = self.lock();
        // Another start with the same token may have won the race while we parsed.
        if let Some(id) = Self::idempotent_id(&inner, &request)? {
            return Ok(id);
        }
        if inner.active >= self.max_active {
            return Err(ApiError::too_many_queries(self.max_active));
        }
        let id = self.ids.next();
        let path = request
            .output_location
            .path(self.engine.data_dir(), &format!("{id}.csv"));
        let context = ExecutionContext {
            database: request.database.clone(),
            catalog: request.catalog.clone(),
            execution_parameters: request.execution_parameters.clone().unwrap_or_default(),
        };
        inner.order.push(id.clone());
        inner
            .tokens
            .insert(request.client_request_token.clone(), id.clone());
        inner.active += 1;
        let task = tokio::spawn(Arc::clone(self).run(id.clone(), prepared, context, path));
        inner.queries.insert(
            id.clone(),
            Query {
                id: id.clone(),
                request,
                statement_type,
                substatement_type,
                submitted: SystemTime::now(),
                submitted_at: Instant::now(),
                running_at: None,
                completed: None,
                completed_at: None,
                planning: Duration::ZERO,
                data_scanned: None,
                state: State::Queued,
                abort: Some(task.abort_handle()),
            },
        );
        Ok(id)
    }

    /// The background task of one query.
    async fn run(
        self: Arc<Self>,
        id: String,
        prepared: Result<Prepared, QueryError>,
        context: ExecutionContext,
        path: PathBuf,
    ) {
        // `start` inserts the query before it releases the lock this waits for.
        let Some(submitted_at) = self.lock().queries.get(&id).map(|q| q.submitted_at) else {
            return;
        };
        if !self.query_delay.is_zero() {
            tokio::time::sleep_until(submitted_at + self.query_delay / 2).await;
        }
        if !self.transition(&id, |q| {
            q.state = State::Running;
            q.running_at = Some(Instant::now());
        }) {
            return;
        }

        let outcome = match prepared {
            Ok(prepared) => self.execute(&id, &prepared, &context, path).await,
            Err(error) => Err(error),
        };

        if !self.query_delay.is_zero() {
            tokio::time::sleep_until(submitted_at + self.query_delay).await;
        }
        self.finish(&id, |q| {
            q.state = match outcome {
                Ok(result) => State::Succeeded(Arc::new(result)),
                Err(QueryError::Failed {
                    error_category,
                    error_type,
                    message,
                }) => State::Failed {
                    error_category,
                    error_type,
                    message,
                },
                Err(QueryError::Malformed { message }) => State::Failed {
                    error_category: 2,
                    error_type: 1000,
                    message,
                },
            };
        });
    }

    /// Runs the statement and writes its rows to the result file.
    async fn execute(
        &self,
        id: &str,
        prepared: &Prepared,
        context: &ExecutionContext,
        path: PathBuf,
    ) -> Result<ResultFile, QueryError> {
        let planning_started = Instant::now();
        let output = self.engine.execute(prepared, context).await?;
        let planning = planning_started.elapsed();
        let scanned = Arc::clone(&output.data_scanned_in_bytes);
        self.transition(id, |q| {
            q.planning = planning;
            q.data_scanned = Some(scanned);
        });

        let columns: Vec<ColumnMeta> = output.columns.iter().map(ColumnMeta::from).collect();
        let io_error = |e: std::io::Error| QueryError::Failed {
            error_category: 1,
            error_type: 200,
            message: format!("cannot write the result file {}: {e}", path.display()),
        };
        let mut writer = ResultWriter::create(path.clone(), &columns)
            .await
            .map_err(io_error)?;
        let mut rows = output.rows;
        while let Some(batch) = rows.next().await {
            writer.write_rows(&batch?).await.map_err(io_error)?;
        }
        let (path, len, _rows) = writer.finish().await.map_err(io_error)?;
        Ok(ResultFile {
            path,
            len,
            columns: columns.len(),
            column_info: column_info_json(&columns).into(),
            update_count: output.update_count,
            // DML results start with a header row; of the UTILITY statements only
            // SHOW FUNCTIONS has one (ATHENA.md §2).
            header_row: prepared.statement_type == StatementType::Dml
                || prepared.substatement_type == SubstatementType::ShowFunctions,
        })
    }

    /// Applies `change` to an active query; false when it is gone or no longer active.
    fn transition(&self, id: &str, change: impl FnOnce(&mut Query)) -> bool {
        let mut inner = self.lock();
        match inner.queries.get_mut(id) {
            Some(query) if query.state.is_active() => {
                change(query);
                true
            }
            _ => false,
        }
    }

    /// Moves an active query to the final state `change` sets.
    fn finish(&self, id: &str, change: impl FnOnce(&mut Query)) {
        let mut inner = self.lock();
        let Some(query) = inner.queries.get_mut(id) else {
            return;
        };
        if !query.state.is_active() {
            return;
        }
        change(query);
        query.completed = Some(SystemTime::now());
        query.completed_at = Some(Instant::now());
        query.abort = None;
        inner.active -= 1;
    }

    /// GetQueryExecution.
    pub(crate) fn describe(&self, id: &str) -> Result<Value, ApiError> {
        let inner = self.lock();
        let query = inner
            .queries
            .get(id)
            .ok_or_else(|| ApiError::not_found(id))?;
        Ok(query.to_json())
    }

    /// BatchGetQueryExecution: the queries found, and the ids not found.
    pub(crate) fn describe_many<'a>(&self, ids: &'a [String]) -> (Vec<Value>, Vec<&'a str>) {
        let inner = self.lock();
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for id in ids {
            match inner.queries.get(id) {
                Some(query) => found.push(query.to_json()),
                None => missing.push(id.as_str()),
            }
        }
        (found, missing)
    }

    /// ListQueryExecutions: ids of `work_group`, newest first, started before `before`
    /// (a sequence number; None: from the newest), at most `max`; and the sequence to
    /// continue from when more remain.
    pub(crate) fn list(
        &self,
        work_group: &str,
        before: Option<u64>,
        max: usize,
    ) -> (Vec<String>, Option<u64>) {
        let inner = self.lock();
        let end = before.map_or(inner.order.len(), |b| (b as usize).min(inner.order.len()));
        let mut ids = Vec::new();
        for (sequence, id) in inner.order[..end].iter().enumerate().rev() {
            if inner.queries[id].request.work_group != work_group {
                continue;
            }
            if ids.len() == max {
                return (ids, Some(sequence as u64 + 1));
            }
            ids.push(id.clone());
        }
        (ids, None)
    }

    /// StopQueryExecution: cancels an active query and its engine work; a no-op otherwise.
    pub(crate) fn stop(&self, id: &str) -> Result<(), ApiError> {
        let mut inner = self.lock();
        let query = inner
            .queries
            .get_mut(id)
            .ok_or_else(|| ApiError::not_found(id))?;
        if query.state.is_active() {
            if let Some(abort) = query.abort.take() {
                // Aborting drops the engine's future and row stream, which stops its work.
                abort.abort();
            }
            query.state = State::Cancelled;
            query.completed = Some(SystemTime::now());
            query.completed_at = Some(Instant::now());
            inner.active -= 1;
        }
        Ok(())
    }

    /// What GetQueryResults may serve for `id` (checks 2 and 4 of ATHENA.md §3; check 3
    /// is done by the caller in between, hence the two steps).
    pub(crate) fn exists(&self, id: &str) -> Result<(), ApiError> {
        if self.lock().queries.contains_key(id) {
            Ok(())
        } else {
            Err(ApiError::not_found(id))
        }
    }

    /// The result file of a SUCCEEDED query, or the error its state answers.
    pub(crate) fn results(&self, id: &str) -> Result<ResultsState, ApiError> {
        let inner = self.lock();
        let query = inner
            .queries
            .get(id)
            .ok_or_else(|| ApiError::not_found(id))?;
        Ok(match &query.state {
            State::Succeeded(result) => ResultsState::Ready(Arc::clone(result)),
            State::Queued | State::Running => ResultsState::NotReady(ApiError::invalid_request(
                "INVALID_QUERY_EXECUTION_STATE",
                format!(
                    "Query has not yet finished. Current state: {}",
                    query.state.name()
                ),
            )),
            State::Failed { .. } => ResultsState::NotReady(ApiError::invalid_request(
                "INVALID_QUERY_EXECUTION_STATE",
                "Query did not finish successfully. Final query state: FAILED",
            )),
            State::Cancelled => ResultsState::NotReady(ApiError::invalid_request(
                "RESULT_NOT_FOUND",
                "Could not find results",
            )),
        })
    }

    /// Queries QUEUED or RUNNING.
    pub(crate) fn active(&self) -> usize {
        self.lock().active
    }

    /// Cancels every active query (at shutdown).
    pub(crate) fn abort_all(&self) {
        let mut inner = self.lock();
        let mut cancelled = 0;
        for query in inner.queries.values_mut() {
            if query.state.is_active() {
                if let Some(abort) = query.abort.take() {
                    abort.abort();
                }
                query.state = State::Cancelled;
                query.completed = Some(SystemTime::now());
                query.completed_at = Some(Instant::now());
                cancelled += 1;
            }
        }
        inner.active -= cancelled;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_uuids_and_do_not_repeat() {
        let ids = IdGenerator::new();
        let a = ids.next();
        let b = ids.next();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(a.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
    }

    #[test]
    fn output_locations_map_into_the_data_dir() {
        let loc = OutputLocation::parse("s3://bucket/some/prefix").unwrap();
        assert_eq!(loc.prefix, "s3://bucket/some/prefix/");
        assert_eq!(
            loc.path(std::path::Path::new("/data"), "x.csv"),
            PathBuf::from("/data/bucket/some/prefix/x.csv")
        );
        let loc = OutputLocation::parse(DEFAULT_OUTPUT_LOCATION).unwrap();
        assert_eq!(
            loc.path(std::path::Path::new("/d"), "x.csv"),
            PathBuf::from("/d/athena-emulator-results/x.csv")
        );
        for bad in [
            "bucket/x",
            "s3://",
            "s3:///x",
            "s3://b/../../etc",
            "s3://b/./x",
            "http://b/",
        ] {
            assert!(OutputLocation::parse(bad).is_err(), "{bad}");
        }
    }

    fn state(registry: &Registry, id: &str) -> String {
        let execution = registry.describe(id).unwrap();
        execution["Status"]["State"].as_str().unwrap().to_owned()
    }

    /// With a query delay of 10 s a query is QUEUED for its first half, RUNNING for its
    /// second, then SUCCEEDED: observed on paused time, so at exact instants.
    #[tokio::test(start_paused = true)]
    async fn a_delayed_query_is_queued_then_running_then_succeeded() {
        let engine = Engine::new(crate::engine::EngineConfig {
            cloudfront_rows: 0,
            ..crate::engine::EngineConfig::default()
        })
        .await
        .unwrap();
        let registry = Registry::new(engine, 5, Duration::from_secs(10));
        let started = Instant::now();
        let id = registry
            .start(StartRequest {
                query_string: "SELECT 1".into(),
                client_request_token: "a-token-of-at-least-thirty-two-characters".into(),
                database: None,
                catalog: None,
                output_location: OutputLocation::parse(DEFAULT_OUTPUT_LOCATION).unwrap(),
                work_group: "primary".into(),
                execution_parameters: None,
                result_reuse: None,
            })
            .unwrap();
        assert_eq!(state(&registry, &id), "QUEUED");
        tokio::time::sleep_until(started + Duration::from_millis(4_900)).await;
        assert_eq!(state(&registry, &id), "QUEUED");
        assert_eq!(registry.active(), 1);
        tokio::time::sleep_until(started + Duration::from_millis(5_100)).await;
        assert_eq!(state(&registry, &id), "RUNNING");
        tokio::time::sleep_until(started + Duration::from_millis(9_900)).await;
        assert_eq!(state(&registry, &id), "RUNNING");
        assert!(matches!(
            registry.results(&id).unwrap(),
            ResultsState::NotReady(_)
        ));
        // Past the delay the query ends as soon as its result file is written: wait as
        // a client does, by asking for its state (in virtual time).
        tokio::time::sleep_until(started + Duration::from_secs(10)).await;
        let mut polls = 0;
        while state(&registry, &id) == "RUNNING" {
            polls += 1;
            assert!(polls < 1_000, "still RUNNING 100 s after its delay");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(state(&registry, &id), "SUCCEEDED");
        assert_eq!(registry.active(), 0);
    }
}
