//! A query's life: the registry of query executions, idempotency tokens, the limit of
//! active queries, and the background task that runs a query into its result file.
//!
//! Every state change happens under the registry's lock, and only from an active state
//! (QUEUED or RUNNING), so a query stopped while its task finishes stays CANCELLED and
//! the count of active queries is decremented exactly once.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use futures::StreamExt;
use serde_json::Value;
use tokio::time::Instant;

use super::data_dir::DataDir;
use super::execution::{Query, StartRequest, State};
use super::ids::IdGenerator;
use super::protocol::ApiError;
use super::result_metadata;
use super::results::{
    self, ColumnMeta, ResultFile, ResultKind, ResultWriter, column_info_json, names_row_json,
};
use crate::engine::{
    Engine, ExecutionContext, Prepared, QueryError, StatementType, SubstatementType,
};

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
    data_dir: Arc<DataDir>,
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
    pub(crate) fn new(
        engine: Engine,
        data_dir: Arc<DataDir>,
        max_active: usize,
        query_delay: Duration,
    ) -> Arc<Self> {
        Arc::new(Self {
            inner: Mutex::new(Inner::default()),
            engine,
            data_dir,
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
        let kind = ResultKind::of(statement_type, substatement_type);
        let result_file_name = kind.file_name(&id);
        let path = request
            .output_location
            .path(self.data_dir.root(), &result_file_name);
        let context = ExecutionContext {
            database: request.database.clone(),
            catalog: request.catalog.clone(),
            execution_parameters: request.execution_parameters.clone().unwrap_or_default(),
            // The files an UNLOAD writes and the `.metadata` of the query carry the same
            // engine query id, as Athena's do.
            engine_query_id: Some(self.ids.next_engine_query_id()),
        };
        inner.order.push(id.clone());
        inner
            .tokens
            .insert(request.client_request_token.clone(), id.clone());
        inner.active += 1;
        let output = (
            path,
            format!("{}{result_file_name}", request.output_location.prefix),
        );
        let task = tokio::spawn(Arc::clone(self).run(id.clone(), prepared, context, output));
        inner.queries.insert(
            id.clone(),
            Query {
                id: id.clone(),
                result_file_name,
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
        output: (PathBuf, String),
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
            Ok(prepared) => self.execute(&id, &prepared, &context, output).await,
            Err(error) => Err(error),
        };

        if !self.query_delay.is_zero() {
            tokio::time::sleep_until(submitted_at + self.query_delay).await;
        }
        // A message may quote a local path (a file DataFusion could not read): the
        // answer names its s3:// URI instead.
        let hide = |message: String| self.data_dir.hide_paths(&message);
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
                    message: hide(message),
                },
                Err(QueryError::Malformed { message }) => State::Failed {
                    error_category: 2,
                    error_type: 1000,
                    message: hide(message),
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
        (path, output_uri): (PathBuf, String),
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
        // A symlink on the way may lead out of the data dir: Athena cannot write where
        // its caller may not, so the query fails as it does on a bucket it may not
        // write to.
        if !self.data_dir.contains(&path) {
            return Err(QueryError::Failed {
                error_category: 2,
                error_type: 1000,
                message: format!("Access denied when writing output to url: {output_uri}"),
            });
        }
        let kind = ResultKind::of(prepared.statement_type, prepared.substatement_type);
        let engine_query_id = context
            .engine_query_id
            .clone()
            .unwrap_or_else(|| self.ids.next_engine_query_id());
        let metadata = result_metadata::encode(&engine_query_id, &columns);
        if kind == ResultKind::Manifest {
            return self
                .publish_manifest(path, &output_uri, metadata, output, &columns)
                .await;
        }
        let io_error = |e| write_error(&output_uri, e);
        let temp = self.data_dir.temp_path(&kind.file_name(id));
        let mut writer = ResultWriter::create(temp, path.clone(), kind, &columns)
            .await
            .map_err(io_error)?;
        let mut rows = output.rows;
        while let Some(batch) = rows.next().await {
            writer.write_rows(&batch?).await.map_err(io_error)?;
        }
        let (path, len, _rows) = writer
            .finish(&self.data_dir, metadata)
            .await
            .map_err(io_error)?;
        Ok(ResultFile {
            path,
            uri: output_uri,
            kind,
            len,
            columns: columns.len(),
            column_info: column_info_json(&columns).into(),
            update_count: output.update_count,
            // DML results start with a header row; of the UTILITY statements SHOW
            // FUNCTIONS has one, and so does EXPLAIN, which the team measured with a
            // header when it counted it as DML, while the Smithy model lists it as
            // UTILITY (docs/athena.md, "Pages of results"). A `.txt` file has no header
            // line, so that row comes from the names in its `.metadata`.
            header_row: prepared.statement_type == StatementType::Dml
                || matches!(
                    prepared.substatement_type,
                    SubstatementType::ShowFunctions | SubstatementType::Explain
                ),
            names_row: names_row_json(&columns).into(),
            data_manifest_location: None,
        })
    }

    /// The result of a statement whose rows went to files (UNLOAD): its `.metadata` and
    /// its data manifest, no rows (docs/athena.md, "UNLOAD and data manifests").
    async fn publish_manifest(
        &self,
        path: PathBuf,
        output_uri: &str,
        metadata: Vec<u8>,
        output: crate::engine::QueryOutput,
        columns: &[ColumnMeta],
    ) -> Result<ResultFile, QueryError> {
        let manifest = output.data_manifest.unwrap_or_default();
        results::publish_manifest_result(&self.data_dir, &path, metadata, &manifest)
            .await
            .map_err(|e| write_error(output_uri, e))?;
        Ok(ResultFile {
            path,
            uri: output_uri.to_owned(),
            kind: ResultKind::Manifest,
            len: 0,
            columns: columns.len(),
            column_info: column_info_json(columns).into(),
            update_count: output.update_count,
            header_row: false,
            names_row: names_row_json(columns).into(),
            data_manifest_location: Some(format!("{output_uri}-manifest.csv")),
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

    /// What GetQueryResults may serve for `id` (checks 2 and 4 of the table in
    /// docs/athena.md, "Errors"; check 3 is done by the caller in between, hence the two
    /// steps).
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
    /// The most queries that may be QUEUED or RUNNING at once.
    pub(crate) fn max_active(&self) -> usize {
        self.max_active
    }

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

/// A failure to write the result at `path`, as the query's error.
fn write_error(output_uri: &str, e: std::io::Error) -> QueryError {
    let message = if e.kind() == std::io::ErrorKind::InvalidData {
        // A value the .txt format cannot hold.
        e.to_string()
    } else {
        format!("cannot write the result file {output_uri}: {e}")
    };
    QueryError::Failed {
        error_category: 1,
        error_type: 200,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::super::output_location::{DEFAULT_OUTPUT_LOCATION, OutputLocation};
    use super::*;

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
        let data_dir = Arc::new(DataDir::open(engine.data_dir()).unwrap());
        let registry = Registry::new(engine, data_dir, 5, Duration::from_secs(10));
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
