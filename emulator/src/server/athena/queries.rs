//! A query's life: the registry of query executions and workgroups, idempotency tokens,
//! the limit of active queries, and the background task that runs a query into its
//! result file.
//!
//! Every state change happens under the registry's lock, and only from an active state
//! (QUEUED or RUNNING), so a query stopped while its task finishes stays CANCELLED and
//! the count of active queries is decremented exactly once.

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroU64;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use futures::StreamExt;
use serde_json::Value;
use tokio::time::Instant;

use super::execution::{
    CancelReason, Destination, Effective, Query, StartRequest, State, time_to_show,
};
use super::ids::IdGenerator;
use super::output_location::{DEFAULT_OUTPUT_LOCATION, OutputLocation};
use super::protocol::ApiError;
use super::result_config::{EncryptionOption, ResultConfig};
use super::result_metadata;
use super::results::{
    self, ColumnMeta, ResultFile, ResultKind, ResultWriter, Sealing, column_info_json,
    names_row_json,
};
use super::work_groups::{self, ConfigUpdates, PRIMARY, WorkGroup};
use crate::engine::{
    Engine, ExecutionContext, Prepared, QueryError, StatementType, SubstatementType,
};
use crate::server::account;
use crate::server::data_dir::{DataDir, ServerSideEncryption};

// The background task of a query: the registry's methods that run it.
mod run;

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
    /// Workgroups by name (ListWorkGroups lists them in this order).
    work_groups: BTreeMap<String, WorkGroup>,
}

/// How the registry runs queries (the emulator's settings).
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// The most queries QUEUED or RUNNING at once.
    pub(crate) max_active: usize,
    /// How long every query stays QUEUED then RUNNING at least.
    pub(crate) query_delay: Duration,
    /// The account that owns every bucket.
    pub(crate) account_id: String,
    /// Bytes a second a query's scan is shown at (None: as fast as it reads).
    pub(crate) scan_rate: Option<NonZeroU64>,
}

/// The query executions and workgroups of one emulator.
#[derive(Debug)]
pub(crate) struct Registry {
    inner: Mutex<Inner>,
    engine: Engine,
    data_dir: Arc<DataDir>,
    ids: IdGenerator,
    settings: Settings,
}

/// What GetQueryResults may page, or why not.
#[derive(Debug)]
pub(crate) enum ResultsState {
    /// The result file.
    Ready(Arc<ResultFile>),
    /// The query is QUEUED, RUNNING, FAILED or CANCELLED: the error to answer.
    NotReady(ApiError),
}

/// How a query's run ended, when it did not succeed.
#[derive(Debug)]
enum Ended {
    /// The engine's error, or the emulator's while writing the result.
    Failed(QueryError),
    /// It scanned more than its workgroup's cutoff.
    CutOff,
}

impl From<QueryError> for Ended {
    fn from(error: QueryError) -> Self {
        Ended::Failed(error)
    }
}

/// Where and how one query's result is written.
#[derive(Debug)]
struct Target {
    /// The result file.
    path: PathBuf,
    /// What messages call it: its `s3://` URI, or its name in managed storage.
    uri: String,
    /// Whether it is an S3 object of the caller's (not managed storage).
    in_s3: bool,
    sealing: Sealing,
    cutoff: Option<u64>,
}

impl Registry {
    pub(crate) fn new(engine: Engine, data_dir: Arc<DataDir>, settings: Settings) -> Arc<Self> {
        let mut inner = Inner::default();
        inner
            .work_groups
            .insert(PRIMARY.to_owned(), WorkGroup::primary(SystemTime::now()));
        Arc::new(Self {
            inner: Mutex::new(inner),
            engine,
            data_dir,
            ids: IdGenerator::new(),
            settings,
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

    /// What a query in `work_group` runs with (docs/athena.md, "Workgroups"): the
    /// workgroup's result configuration when it enforces it, else the client's over the
    /// workgroup's; managed storage when the workgroup has it; its cutoff. Refused: a
    /// workgroup that does not exist or is disabled, an output location beside managed
    /// results the workgroup does not override, and an `ExpectedBucketOwner` that is not
    /// the account that owns the output bucket.
    fn effective(&self, inner: &Inner, request: &StartRequest) -> Result<Effective, ApiError> {
        let work_group = inner
            .work_groups
            .get(&request.work_group)
            .ok_or_else(work_groups::not_found)?;
        if !work_group.enabled {
            return Err(ApiError::invalid_input("WorkGroup is disabled."));
        }
        let config = &work_group.config;
        let cutoff = config
            .bytes_scanned_cutoff
            .and_then(|c| u64::try_from(c).ok());
        if config.managed_enabled() {
            if !config.enforce && request.result.output_location.is_some() {
                return Err(ApiError::invalid_input(
                    "ResultConfiguration.OutputLocation cannot be set for a query in a \
                     workgroup with managed query results",
                ));
            }
            return Ok(Effective {
                result: ResultConfig::default(),
                destination: Destination::Managed,
                managed: config.managed.clone(),
                bytes_scanned_cutoff: cutoff,
            });
        }
        let result = if config.enforce {
            config.result.clone()
        } else {
            request.result.or(&config.result)
        };
        let location = OutputLocation::parse(
            result
                .output_location
                .as_deref()
                .unwrap_or(DEFAULT_OUTPUT_LOCATION),
        )?;
        if let Some(owner) = &result.expected_bucket_owner
            && *owner != self.settings.account_id
        {
            // Athena checks the output bucket when it starts a query, with the expected
            // owner, and S3 refuses a bucket owned by another account: Athena answers as
            // it does for an output bucket it cannot reach.
            return Err(ApiError::invalid_request(
                "INSUFFICIENT_PERMISSIONS",
                format!(
                    "Unable to verify/create output bucket {}",
                    location.bucket()
                ),
            ));
        }
        Ok(Effective {
            result,
            destination: Destination::S3(location),
            managed: None,
            bytes_scanned_cutoff: cutoff,
        })
    }

    /// How a query's result objects are stored, from its effective configuration.
    fn sealing(&self, effective: &Effective) -> Sealing {
        if effective.destination == Destination::Managed {
            // Athena's own storage: nothing of it is reachable through S3.
            return Sealing::Server(ServerSideEncryption::default());
        }
        match &effective.result.encryption {
            None => Sealing::Server(ServerSideEncryption::S3),
            Some(encryption) => match encryption.option {
                EncryptionOption::SseS3 => Sealing::Server(ServerSideEncryption::S3),
                EncryptionOption::SseKms => Sealing::Server(ServerSideEncryption::Kms {
                    key_arn: account::kms_key_arn(
                        &self.settings.account_id,
                        encryption.kms_key.as_deref(),
                    ),
                }),
                EncryptionOption::CseKms => Sealing::Client {
                    kms_key: encryption.kms_key.clone().unwrap_or_default(),
                },
            },
        }
    }

    // layout: long function, because StartQueryExecution's steps in the service's order, under one lock
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
        let effective = self.effective(&inner, &request)?;
        if inner.active >= self.settings.max_active {
            return Err(ApiError::too_many_queries(self.settings.max_active));
        }
        let id = self.ids.next();
        let kind = ResultKind::of(statement_type, substatement_type);
        let result_file_name = kind.file_name(&id);
        let target = match &effective.destination {
            Destination::S3(location) => Target {
                path: location.path(self.data_dir.root(), &result_file_name),
                uri: format!("{}{result_file_name}", location.prefix),
                in_s3: true,
                sealing: self.sealing(&effective),
                cutoff: effective.bytes_scanned_cutoff,
            },
            Destination::Managed => Target {
                path: self.data_dir.managed_path(&result_file_name),
                uri: format!("managed query results storage ({result_file_name})"),
                in_s3: false,
                sealing: self.sealing(&effective),
                cutoff: effective.bytes_scanned_cutoff,
            },
        };
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
        let task = tokio::spawn(Arc::clone(self).run(id.clone(), prepared, context, target));
        inner.queries.insert(
            id.clone(),
            Query {
                id: id.clone(),
                result_file_name,
                request,
                effective,
                statement_type,
                substatement_type,
                submitted: SystemTime::now(),
                submitted_at: Instant::now(),
                running_at: None,
                completed: None,
                completed_at: None,
                planning: Duration::ZERO,
                data_scanned: None,
                scan_rate: self.settings.scan_rate,
                plan: None,
                final_stats: None,
                state: State::Queued,
                abort: Some(task.abort_handle()),
            },
        );
        Ok(id)
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
        end(query);
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

    /// GetQueryRuntimeStatistics.
    pub(crate) fn runtime_statistics(&self, id: &str) -> Result<Value, ApiError> {
        let inner = self.lock();
        let query = inner
            .queries
            .get(id)
            .ok_or_else(|| ApiError::not_found(id))?;
        Ok(query.runtime_statistics_json())
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
    /// continue from when more remain. A workgroup that does not exist (or no longer
    /// does) lists what was run in it under that name: what Athena answers there was
    /// not measured.
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
            cancel(query);
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
            State::Cancelled(_) => ResultsState::NotReady(ApiError::invalid_request(
                "RESULT_NOT_FOUND",
                "Could not find results",
            )),
        })
    }

    /// The most queries that may be QUEUED or RUNNING at once.
    pub(crate) fn max_active(&self) -> usize {
        self.settings.max_active
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
                cancel(query);
                cancelled += 1;
            }
        }
        inner.active -= cancelled;
    }

    /// CreateWorkGroup.
    pub(crate) fn create_work_group(&self, work_group: WorkGroup) -> Result<(), ApiError> {
        let mut inner = self.lock();
        if inner.work_groups.contains_key(&work_group.name) {
            return Err(ApiError::invalid_input(format!(
                "WorkGroup {} already exists",
                work_group.name
            )));
        }
        inner
            .work_groups
            .insert(work_group.name.clone(), work_group);
        Ok(())
    }

    /// GetWorkGroup: the `WorkGroup` structure.
    pub(crate) fn work_group(&self, name: &str) -> Result<Value, ApiError> {
        let inner = self.lock();
        let work_group = inner
            .work_groups
            .get(name)
            .ok_or_else(work_groups::not_found)?;
        Ok(work_group.to_json())
    }

    /// ListWorkGroups: the summaries of the workgroups from position `from` in name
    /// order, at most `max`, and the position to continue from when more remain.
    pub(crate) fn list_work_groups(&self, from: usize, max: usize) -> (Vec<Value>, Option<usize>) {
        let inner = self.lock();
        let page: Vec<Value> = inner
            .work_groups
            .values()
            .skip(from)
            .take(max)
            .map(WorkGroup::summary_json)
            .collect();
        let next = from + page.len();
        (page, (next < inner.work_groups.len()).then_some(next))
    }

    /// DeleteWorkGroup: `primary` cannot go; a workgroup with query executions in it
    /// goes only with `recursive` (the model's `RecursiveDeleteOption`). Its queries
    /// stay readable by id.
    pub(crate) fn delete_work_group(&self, name: &str, recursive: bool) -> Result<(), ApiError> {
        let mut inner = self.lock();
        if !inner.work_groups.contains_key(name) {
            return Err(work_groups::not_found());
        }
        if name == PRIMARY {
            return Err(ApiError::invalid_input(
                "The primary workgroup cannot be deleted",
            ));
        }
        let has_queries = inner.queries.values().any(|q| q.request.work_group == name);
        if has_queries && !recursive {
            return Err(ApiError::invalid_input(format!(
                "WorkGroup {name} has query executions: delete it with RecursiveDeleteOption"
            )));
        }
        inner.work_groups.remove(name);
        Ok(())
    }

    /// UpdateWorkGroup: the configuration updated (and checked as a whole, as
    /// CreateWorkGroup checks one), the description and the state replaced when given.
    pub(crate) fn update_work_group(
        &self,
        name: &str,
        description: Option<String>,
        updates: Option<&ConfigUpdates>,
        enabled: Option<bool>,
    ) -> Result<(), ApiError> {
        let mut inner = self.lock();
        let work_group = inner
            .work_groups
            .get_mut(name)
            .ok_or_else(work_groups::not_found)?;
        let config = match updates {
            Some(updates) => updates.apply(&work_group.config),
            None => work_group.config.clone(),
        };
        work_groups::check_configuration(&config)?;
        work_group.config = config;
        if description.is_some() {
            work_group.description = description;
        }
        if let Some(enabled) = enabled {
            work_group.enabled = enabled;
        }
        Ok(())
    }
}

/// Ends a query now: its times, its plan's final figures, its task let go.
fn end(query: &mut Query) {
    query.completed = Some(SystemTime::now());
    query.completed_at = Some(Instant::now());
    query.abort = None;
    query.freeze_plan();
}

/// Cancels an active query on its caller's behalf: aborting its task drops the engine's
/// future and row stream (and any wait of a slow scan), which stops its work.
fn cancel(query: &mut Query) {
    if let Some(abort) = query.abort.take() {
        abort.abort();
    }
    query.state = State::Cancelled(CancelReason::ByUser);
    end(query);
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
mod tests;
