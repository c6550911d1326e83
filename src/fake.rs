//! The fakes, together: a scripted Athena behind the private seam (this module), and a
//! scripted S3 behind the S3 seam ([`s3`]), for tests under paused tokio time.
//!
//! Each started query follows a [`Plan`]: the states successive polls see, the
//! statement type, the columns and rows, how long a page takes. Faults can be queued
//! per operation. Every call is logged with its virtual time, so tests can check the
//! polling schedule, the tokens sent, and that a stop was sent.

// Without the feature `s3` the behaviour suite, which scripts most of the fakes, is not
// built: what only it uses is then unused.
#![cfg_attr(not(feature = "s3"), allow(dead_code))]
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::time::Instant;

use crate::api::{AthenaApi, RawPage};
use crate::athena::{Athena, AthenaBuilder};
use crate::aws::{ApiCallError, CallError, CallResult};
use crate::error::{ApiErrorKind, AthenaError, Operation};
use crate::execution::{QueryExecution, QueryState, QueryStatistics, StatementType};
use crate::fake::s3::{ACCOUNT_ID, FakeS3};
use crate::progress::{QueryRuntimeStatistics, QueryStage};
use crate::query::StartQueryExecution;
use crate::result_configuration::ResultConfiguration;
use crate::row::ColumnInfo;
use crate::settings::{Backoff, JitterStrategy};
use crate::stats::Stats;

mod credentials;
mod result_files;
pub(crate) mod s3;

pub(crate) use credentials::{NoCredentials, no_credentials};
use result_files::{result_uri, write_result_file};

/// How a started query behaves.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// States seen by successive `GetQueryExecution` calls; the last one stays.
    pub(crate) states: Vec<QueryState>,
    /// The `AthenaError` reported with `FAILED`.
    pub(crate) athena_error: Option<AthenaError>,
    pub(crate) statement_type: &'static str,
    pub(crate) substatement_type: &'static str,
    pub(crate) columns: Vec<(&'static str, &'static str)>,
    pub(crate) rows: Vec<Vec<Option<String>>>,
    /// Virtual time one `GetQueryResults` call takes.
    pub(crate) page_latency: Duration,
    /// Answer the i-th page call with the i-th of these tokens (the last one for every
    /// later call) instead of the real one, to test loops; a token names the position
    /// where it first appears.
    pub(crate) next_tokens: Option<Vec<&'static str>>,
    /// Answer `NextToken: ""` instead of none on the last page.
    pub(crate) empty_last_token: bool,
    /// `DataScannedInBytes` grows by this much at each poll.
    pub(crate) scanned_per_poll: u64,
}

impl Plan {
    /// A DML query with one varchar column `x` holding `"0".."n-1"`, succeeding at the first poll.
    pub(crate) fn rows(n: usize) -> Self {
        Plan {
            states: vec![QueryState::Succeeded],
            athena_error: None,
            statement_type: "DML",
            substatement_type: "SELECT",
            columns: vec![("x", "varchar")],
            rows: (0..n).map(|i| vec![Some(i.to_string())]).collect(),
            page_latency: Duration::ZERO,
            next_tokens: None,
            empty_last_token: false,
            scanned_per_poll: 0,
        }
    }
}

/// One logged call.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) op: Operation,
    /// Virtual time since the fake was made.
    pub(crate) at: Duration,
    /// The `NextToken` of a `GetQueryResults`, or the `ClientRequestToken` of a start.
    pub(crate) token: Option<String>,
    /// The `MaxResults` of a `GetQueryResults`.
    pub(crate) max_results: Option<i32>,
}

#[derive(Debug)]
struct Query {
    plan: Plan,
    /// The `ResultConfiguration` it was started with.
    result: ResultConfiguration,
    polls: usize,
    /// `GetQueryResults` calls answered so far (for `Plan::next_tokens`).
    pages: usize,
    stopped: bool,
}

#[derive(Debug)]
struct State {
    epoch: Instant,
    plans: VecDeque<Plan>,
    default_plan: Plan,
    queries: HashMap<String, Query>,
    tokens: HashMap<String, String>,
    faults: HashMap<Operation, VecDeque<Fault>>,
    latency: HashMap<Operation, Duration>,
    log: Vec<Call>,
    /// Where started queries write their result files, when set.
    result_files: Option<FakeS3>,
    /// Whether they write the `.csv.metadata` beside their result files.
    without_metadata: bool,
    /// Whether their result files are encrypted on the client side.
    encrypted: bool,
    /// The workgroup's enforced `ResultConfiguration`, replacing the query's.
    enforced: Option<ResultConfiguration>,
    /// Whether results are in Athena's managed storage (no output location).
    managed: bool,
}

/// The fake. Cheap to clone; clones share the state.
#[derive(Debug, Clone)]
pub(crate) struct Fake {
    state: Arc<Mutex<State>>,
}

impl Fake {
    /// A fake whose queries all follow `plan` (unless [`push_plan`](Self::push_plan) queued others).
    pub(crate) fn new(plan: Plan) -> Self {
        Fake {
            state: Arc::new(Mutex::new(State {
                epoch: Instant::now(),
                plans: VecDeque::new(),
                default_plan: plan,
                queries: HashMap::new(),
                tokens: HashMap::new(),
                faults: HashMap::new(),
                latency: HashMap::new(),
                log: Vec::new(),
                result_files: None,
                without_metadata: false,
                encrypted: false,
                enforced: None,
                managed: false,
            })),
        }
    }

    /// The next started query follows this plan.
    pub(crate) fn push_plan(&self, plan: Plan) {
        self.lock().plans.push_back(plan);
    }

    /// The next `times` calls of `op` fail with `kind`, before they run.
    pub(crate) fn fail_next(&self, op: Operation, kind: ApiErrorKind, times: usize) {
        let mut s = self.lock();
        let q = s.faults.entry(op).or_default();
        q.extend(std::iter::repeat_n(Fault::Refuse(kind), times));
    }

    /// The next `times` calls of `op` run, then their answers are lost on the way
    /// back (the caller sees a dropped connection).
    pub(crate) fn lose_next_answers(&self, op: Operation, times: usize) {
        let mut s = self.lock();
        let q = s.faults.entry(op).or_default();
        q.extend(std::iter::repeat_n(Fault::LoseAnswer, times));
    }

    /// How many faults of `op` are still queued (0 once they all fired).
    pub(crate) fn faults_left(&self, op: Operation) -> usize {
        self.lock().faults.get(&op).map_or(0, VecDeque::len)
    }

    /// The ids of the queries started so far, in order.
    pub(crate) fn started(&self) -> Vec<String> {
        let s = self.lock();
        let mut ids: Vec<String> = s.tokens.values().cloned().collect();
        ids.sort_by_key(|id| {
            id.trim_start_matches('q')
                .parse::<u64>()
                .unwrap_or(u64::MAX)
        });
        ids
    }

    /// The state the query is in now (the last one a poll saw, `CANCELLED` once
    /// stopped), without counting as a poll.
    pub(crate) fn state_of(&self, id: &str) -> Option<QueryState> {
        let s = self.lock();
        let q = s.queries.get(id)?;
        if q.stopped {
            return Some(QueryState::Cancelled);
        }
        let i = q
            .polls
            .saturating_sub(1)
            .min(q.plan.states.len().saturating_sub(1));
        Some(
            q.plan
                .states
                .get(i)
                .copied()
                .unwrap_or(QueryState::Succeeded),
        )
    }

    /// From now on every started query writes its result file to `s3`, as Athena does:
    /// `s3://results/<id>.csv` with its `.csv.metadata` for DML, `<id>.txt` otherwise.
    pub(crate) fn write_result_files(&self, s3: &FakeS3) {
        self.lock().result_files = Some(s3.clone());
    }

    /// Whether queries started from now on write the `.csv.metadata` beside their files.
    pub(crate) fn set_result_files_metadata(&self, write: bool) {
        self.lock().without_metadata = !write;
    }

    /// Whether queries started from now on have client-side encrypted result files.
    pub(crate) fn set_result_files_encrypted(&self, encrypted: bool) {
        self.lock().encrypted = encrypted;
    }

    /// From now on queries run with this `ResultConfiguration` whatever they ask, as in
    /// a workgroup that enforces its configuration.
    pub(crate) fn enforce(&self, result: ResultConfiguration) {
        self.lock().enforced = Some(result);
    }

    /// From now on query results are in Athena's managed storage.
    pub(crate) fn set_managed(&self, managed: bool) {
        self.lock().managed = managed;
    }

    /// Every call of `op` takes this much virtual time between its arrival (when it is
    /// logged) and its running.
    pub(crate) fn set_latency(&self, op: Operation, latency: Duration) {
        self.lock().latency.insert(op, latency);
    }

    /// A query that exists already (for attach and resume).
    pub(crate) fn add_query(&self, id: &str, plan: Plan) {
        self.lock().queries.insert(
            id.to_owned(),
            Query {
                plan,
                result: ResultConfiguration::default(),
                polls: 0,
                pages: 0,
                stopped: false,
            },
        );
    }

    pub(crate) fn calls(&self) -> Vec<Call> {
        self.lock().log.clone()
    }

    pub(crate) fn calls_of(&self, op: Operation) -> Vec<Call> {
        self.calls().into_iter().filter(|c| c.op == op).collect()
    }

    /// An `Athena` handle on this fake, with jitter off so schedules are exact.
    pub(crate) fn athena(&self) -> Athena {
        self.builder().build().expect("these settings are valid")
    }

    /// A builder on this fake with the default settings but jitter off.
    pub(crate) fn builder(&self) -> AthenaBuilder {
        self.builder_with_default_settings()
            .with_polling_backoff(Backoff::DEFAULT_POLLING.with_jitter(JitterStrategy::None))
            .with_retry_policy(Backoff::DEFAULT_RETRY.with_jitter(JitterStrategy::None))
    }

    /// A builder on this fake with exactly the library's default settings, jitter included.
    pub(crate) fn builder_with_default_settings(&self) -> AthenaBuilder {
        AthenaBuilder::with_api(Arc::new(self.clone()))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Logs the call and takes the fault queued for it: `Err` refuses the call before
    /// it runs; `Ok(true)` lets it run and loses its answer.
    fn enter(
        &self,
        op: Operation,
        token: Option<&str>,
        max_results: Option<i32>,
    ) -> CallResult<bool> {
        let mut s = self.lock();
        let at = s.epoch.elapsed();
        s.log.push(Call {
            op,
            at,
            token: token.map(str::to_owned),
            max_results,
        });
        match s.faults.get_mut(&op).and_then(VecDeque::pop_front) {
            Some(Fault::Refuse(kind)) => Err(fault(kind).into()),
            Some(Fault::LoseAnswer) => Ok(true),
            None => Ok(false),
        }
    }
}

/// A fault queued for one call.
#[derive(Debug, Clone, Copy)]
enum Fault {
    /// Refused before it runs, with an error of this kind.
    Refuse(ApiErrorKind),
    /// Runs, but the answer never arrives.
    LoseAnswer,
}

fn fault(kind: ApiErrorKind) -> ApiCallError {
    let (code, message) = match kind {
        ApiErrorKind::Credentials => {
            return match crate::aws::classify(no_credentials(), |_| false) {
                CallError::Failed(e) => e,
                CallError::InvalidResponse(m) => unreachable!("classify refused: {m}"),
            };
        }
        ApiErrorKind::Throttling => ("ThrottlingException", "Rate exceeded"),
        ApiErrorKind::ConcurrentQueryLimit => (
            "TooManyRequestsException",
            "You have exceeded the limit for the number of queries you can run concurrently",
        ),
        ApiErrorKind::Transient => ("InternalServerException", "injected server error"),
        ApiErrorKind::Permanent => ("InvalidRequestException", "injected invalid request"),
    };
    invalid(kind, code, message)
}

fn invalid(kind: ApiErrorKind, code: &str, message: &str) -> ApiCallError {
    ApiCallError {
        kind,
        code: Some(code.to_owned()),
        message: message.to_owned(),
        source: message.to_owned().into(),
    }
}

/// `StartQueryExecution` of a query whose output bucket another account owns, as
/// Athena refuses it (docs/athena.md, "Encrypted results and the result bucket's owner").
fn not_owner(bucket: &str) -> CallError {
    invalid(
        ApiErrorKind::Permanent,
        "InvalidRequestException",
        &format!("Unable to verify/create output bucket {bucket}"),
    )
    .into()
}

/// What the caller sees of a call whose answer was lost: a dropped connection.
fn lost_answer<T>(result: CallResult<T>) -> CallResult<T> {
    drop(result);
    Err(CallError::Failed(ApiCallError {
        kind: ApiErrorKind::Transient,
        code: None,
        message: "connection reset before the answer arrived (injected)".to_owned(),
        source: "connection reset".into(),
    }))
}

fn not_found(id: &str) -> CallError {
    invalid(
        ApiErrorKind::Permanent,
        "InvalidRequestException",
        &format!("QueryExecution {id} was not found"),
    )
    .into()
}

impl Fake {
    fn start(&self, query: &StartQueryExecution, client_request_token: &str) -> CallResult<String> {
        let mut s = self.lock();
        if let Some(id) = s.tokens.get(client_request_token) {
            return Ok(id.clone());
        }
        let mut result = match &s.enforced {
            Some(enforced) => enforced.clone(),
            None => query.result_configuration.as_ref().clone(),
        };
        if let Some(owner) = &result.expected_bucket_owner
            && owner != ACCOUNT_ID
        {
            return Err(not_owner("results"));
        }
        if s.managed {
            result = ResultConfiguration::default();
        }
        let id = format!("q{}", s.queries.len() + 1);
        let plan = s
            .plans
            .pop_front()
            .unwrap_or_else(|| s.default_plan.clone());
        s.queries.insert(
            id.clone(),
            Query {
                plan,
                result,
                polls: 0,
                pages: 0,
                stopped: false,
            },
        );
        s.tokens.insert(client_request_token.to_owned(), id.clone());
        if let Some(s3) = &s.result_files {
            let uri = write_result_file(s3, &id, &s.queries[&id].plan);
            if s.without_metadata {
                s3.delete(&format!("{uri}.metadata"));
            }
            if s.encrypted {
                s3.encrypt_client_side(&uri);
            }
        }
        Ok(id)
    }

    fn describe(&self, id: &str) -> CallResult<QueryExecution> {
        let mut s = self.lock();
        let writes_files = s.result_files.is_some() && !s.managed;
        let managed = s.managed;
        let q = s.queries.get_mut(id).ok_or_else(|| not_found(id))?;
        let (state, reason, error) = if q.stopped {
            (
                QueryState::Cancelled,
                Some("Query cancelled by user".to_owned()),
                None,
            )
        } else {
            let i = q.polls.min(q.plan.states.len().saturating_sub(1));
            q.polls += 1;
            let state = q
                .plan
                .states
                .get(i)
                .copied()
                .unwrap_or(QueryState::Succeeded);
            let error = (state == QueryState::Failed)
                .then(|| q.plan.athena_error.clone())
                .flatten();
            let reason = error.as_ref().and_then(|e| e.error_message.clone());
            (state, reason, error)
        };
        Ok(QueryExecution {
            query_execution_id: id.to_owned(),
            state,
            state_change_reason: reason,
            athena_error: error,
            statement_type: Some(StatementType::from_athena(q.plan.statement_type)),
            substatement_type: Some(q.plan.substatement_type.to_owned()),
            result_configuration: ResultConfiguration {
                output_location: writes_files.then(|| result_uri(id, &q.plan)),
                ..q.result.clone()
            },
            managed_query_results: managed,
            workgroup: None,
            submission_date_time: None,
            completion_date_time: None,
            statistics: QueryStatistics {
                data_scanned_in_bytes: Some(q.plan.scanned_per_poll * q.polls as u64),
                ..QueryStatistics::default()
            },
        })
    }

    fn page(&self, id: &str, next_token: Option<&str>, max_results: i32) -> CallResult<RawPage> {
        let mut s = self.lock();
        let q = s.queries.get_mut(id).ok_or_else(|| not_found(id))?;
        let call = q.pages;
        q.pages += 1;
        let plan = &q.plan;
        let header = plan.statement_type == "DML" || (plan.substatement_type == "SHOW_FUNCTIONS");
        // The position is counted in rows of the virtual result, header included.
        let page = max_results.max(1) as usize;
        let start: usize = match next_token {
            None => 0,
            Some(t) => plan
                .next_tokens
                .as_ref()
                .and_then(|tokens| tokens.iter().position(|n| *n == t))
                .map(|i| (i + 1) * page)
                .or_else(|| t.strip_prefix("tok-").and_then(|n| n.parse().ok()))
                .ok_or_else(|| {
                    CallError::from(invalid(
                        ApiErrorKind::Permanent,
                        "InvalidRequestException",
                        &format!("Malformed nextPageToken {t}"),
                    ))
                })?,
        };
        let total = plan.rows.len() + usize::from(header);
        let end = (start + page).min(total);
        let names: Vec<Option<String>> = plan
            .columns
            .iter()
            .map(|(n, _)| Some((*n).to_owned()))
            .collect();
        let rows = (start..end)
            .map(|i| {
                if header && i == 0 {
                    names.clone()
                } else {
                    plan.rows[i - usize::from(header)].clone()
                }
            })
            .collect();
        let next_token = if end < total {
            Some(match &plan.next_tokens {
                Some(tokens) => tokens
                    .get(call)
                    .or(tokens.last())
                    .map_or_else(String::new, |t| (*t).to_owned()),
                None => format!("tok-{end}"),
            })
        } else if plan.empty_last_token {
            Some(String::new())
        } else {
            None
        };
        Ok(RawPage {
            columns: Some(
                plan.columns
                    .iter()
                    .map(|(n, t)| ColumnInfo::new(*n, *t))
                    .collect(),
            ),
            rows,
            next_token,
        })
    }

    /// Runtime statistics that grow with the polls: 10 rows and the poll's scanned
    /// bytes read per poll, in one stage.
    fn runtime(&self, id: &str) -> CallResult<QueryRuntimeStatistics> {
        let s = self.lock();
        let q = s.queries.get(id).ok_or_else(|| not_found(id))?;
        let polls = q.polls as u64;
        let stage = QueryStage {
            stage_id: Some(0),
            input_rows: Some(10 * polls),
            ..QueryStage::default()
        };
        Ok(QueryRuntimeStatistics {
            input_rows: Some(10 * polls),
            input_bytes: Some(q.plan.scanned_per_poll * polls),
            stages: vec![stage],
            ..QueryRuntimeStatistics::default()
        })
    }

    fn stop(&self, id: &str) -> CallResult<()> {
        let mut s = self.lock();
        let q = s.queries.get_mut(id).ok_or_else(|| not_found(id))?;
        let finished = q
            .plan
            .states
            .get(q.polls.saturating_sub(1))
            .is_some_and(|st| st.is_final());
        if !finished {
            q.stopped = true;
        }
        Ok(())
    }
}

impl Fake {
    /// Waits the virtual latency set for `op`, as a call on the wire would.
    async fn travel(&self, op: Operation) {
        let latency = self.lock().latency.get(&op).copied().unwrap_or_default();
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
    }
}

impl AthenaApi for Fake {
    fn start_query_execution<'a>(
        &'a self,
        query: &'a StartQueryExecution,
        client_request_token: &'a str,
        sent: &'a Stats,
    ) -> BoxFuture<'a, CallResult<String>> {
        Box::pin(async move {
            sent.count_sent(Operation::StartQueryExecution, 1);
            let lose = self.enter(
                Operation::StartQueryExecution,
                Some(client_request_token),
                None,
            )?;
            // Arrived (and counted); it takes this long before it runs.
            self.travel(Operation::StartQueryExecution).await;
            let id = self.start(query, client_request_token);
            if lose { lost_answer(id) } else { id }
        })
    }

    fn get_query_execution<'a>(
        &'a self,
        query_execution_id: &'a str,
        sent: &'a Stats,
    ) -> BoxFuture<'a, CallResult<QueryExecution>> {
        Box::pin(async move {
            sent.count_sent(Operation::GetQueryExecution, 1);
            let lose = self.enter(Operation::GetQueryExecution, None, None)?;
            // Arrived (and counted); it takes this long before it runs.
            self.travel(Operation::GetQueryExecution).await;
            let execution = self.describe(query_execution_id);
            if lose {
                lost_answer(execution)
            } else {
                execution
            }
        })
    }

    fn get_query_results<'a>(
        &'a self,
        query_execution_id: &'a str,
        next_token: Option<&'a str>,
        max_results: i32,
        sent: &'a Stats,
    ) -> BoxFuture<'a, CallResult<RawPage>> {
        Box::pin(async move {
            let latency = {
                let s = self.lock();
                s.queries
                    .get(query_execution_id)
                    .map(|q| q.plan.page_latency)
                    .unwrap_or_default()
            };
            if !latency.is_zero() {
                tokio::time::sleep(latency).await;
            }
            sent.count_sent(Operation::GetQueryResults, 1);
            let lose = self.enter(Operation::GetQueryResults, next_token, Some(max_results))?;
            // Arrived (and counted); it takes this long before it runs.
            self.travel(Operation::GetQueryResults).await;
            let page = self.page(query_execution_id, next_token, max_results);
            if lose { lost_answer(page) } else { page }
        })
    }

    fn get_query_runtime_statistics<'a>(
        &'a self,
        query_execution_id: &'a str,
        sent: &'a Stats,
    ) -> BoxFuture<'a, CallResult<QueryRuntimeStatistics>> {
        Box::pin(async move {
            sent.count_sent(Operation::GetQueryRuntimeStatistics, 1);
            let lose = self.enter(Operation::GetQueryRuntimeStatistics, None, None)?;
            self.travel(Operation::GetQueryRuntimeStatistics).await;
            let runtime = self.runtime(query_execution_id);
            if lose { lost_answer(runtime) } else { runtime }
        })
    }

    fn stop_query_execution<'a>(
        &'a self,
        query_execution_id: &'a str,
        sent: &'a Stats,
    ) -> BoxFuture<'a, CallResult<()>> {
        Box::pin(async move {
            sent.count_sent(Operation::StopQueryExecution, 1);
            let lose = self.enter(Operation::StopQueryExecution, None, None)?;
            // Arrived (and counted); it takes this long before it runs.
            self.travel(Operation::StopQueryExecution).await;
            let stopped = self.stop(query_execution_id);
            if lose { lost_answer(stopped) } else { stopped }
        })
    }
}

/// `set_default(subscriber)`, for a test that captures the events of its own thread,
/// made safe from the other tests running beside it.
///
/// tracing caches each callsite's interest for the whole process when the callsite is
/// first reached. Reached first on another test's thread, which has no subscriber, while
/// the capturing test's is the only one registered, the interest is taken from that
/// thread and cached as "never": the capturing test then loses the callsite's events (a
/// map test saw 26 of its 27 once, in CI). A global subscriber that wants every event
/// and does nothing with it (a bare registry) keeps every callsite's interest at
/// "sometimes" or better, so each event asks the subscriber of the thread it is on. It
/// is set once, on the first capture; setting it rebuilds the cached interests.
pub(crate) fn capture_on_this_thread(
    subscriber: impl tracing::Subscriber + Send + Sync + 'static,
) -> tracing::subscriber::DefaultGuard {
    static GLOBAL: std::sync::Once = std::sync::Once::new();
    GLOBAL.call_once(|| {
        // Fails only if a global subscriber is already set, which serves as well.
        let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry());
    });
    tracing::subscriber::set_default(subscriber)
}
