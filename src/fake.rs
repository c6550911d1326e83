//! A scripted Athena behind the private seam, for tests under paused tokio time.
//!
//! Each started query follows a [`Plan`]: the states successive polls see, the
//! statement type, the columns and rows, how long a page takes. Faults can be queued
//! per operation. Every call is logged with its virtual time, so tests can check the
//! polling schedule, the tokens sent, and that a stop was sent.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_athena::operation::get_query_results::GetQueryResultsOutput;
use aws_sdk_athena::types as sdk;
use futures::future::BoxFuture;
use tokio::time::Instant;

use crate::api::{ApiCallError, ApiResult, AthenaApi, Operation};
use crate::athena::{Athena, AthenaBuilder};
use crate::error::ApiErrorKind;
use crate::query::StartQueryExecution;

/// How a started query behaves.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// States seen by successive `GetQueryExecution` calls; the last one stays.
    pub(crate) states: Vec<&'static str>,
    /// The `AthenaError` reported with `FAILED`.
    pub(crate) athena_error: Option<sdk::AthenaError>,
    pub(crate) statement_type: &'static str,
    pub(crate) substatement_type: &'static str,
    pub(crate) columns: Vec<(&'static str, &'static str)>,
    pub(crate) rows: Vec<Vec<Option<String>>>,
    /// Virtual time one `GetQueryResults` call takes.
    pub(crate) page_latency: Duration,
    /// Answer every page with this token instead of the real one (to test loops).
    pub(crate) fixed_next_token: Option<String>,
    /// Answer `NextToken: ""` instead of none on the last page.
    pub(crate) empty_last_token: bool,
}

impl Plan {
    /// A DML query with one varchar column `x` holding `"0".."n-1"`, succeeding at the first poll.
    pub(crate) fn rows(n: usize) -> Self {
        Plan {
            states: vec!["SUCCEEDED"],
            athena_error: None,
            statement_type: "DML",
            substatement_type: "SELECT",
            columns: vec![("x", "varchar")],
            rows: (0..n).map(|i| vec![Some(i.to_string())]).collect(),
            page_latency: Duration::ZERO,
            fixed_next_token: None,
            empty_last_token: false,
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
}

#[derive(Debug)]
struct Query {
    plan: Plan,
    polls: usize,
    stopped: bool,
}

#[derive(Debug)]
struct State {
    epoch: Instant,
    plans: VecDeque<Plan>,
    default_plan: Plan,
    queries: HashMap<String, Query>,
    tokens: HashMap<String, String>,
    faults: HashMap<Operation, VecDeque<ApiErrorKind>>,
    log: Vec<Call>,
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
                log: Vec::new(),
            })),
        }
    }

    /// The next started query follows this plan.
    pub(crate) fn push_plan(&self, plan: Plan) {
        self.lock().plans.push_back(plan);
    }

    /// The next `times` calls of `op` fail with `kind`.
    pub(crate) fn fail_next(&self, op: Operation, kind: ApiErrorKind, times: usize) {
        let mut s = self.lock();
        let q = s.faults.entry(op).or_default();
        q.extend(std::iter::repeat_n(kind, times));
    }

    /// A query that exists already (for attach and resume).
    pub(crate) fn add_query(&self, id: &str, plan: Plan) {
        self.lock().queries.insert(
            id.to_owned(),
            Query {
                plan,
                polls: 0,
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
        self.builder().build().expect("default settings are valid")
    }

    pub(crate) fn builder(&self) -> AthenaBuilder {
        use backon::ExponentialBuilder;
        AthenaBuilder::with_api(Arc::new(self.clone()))
            .polling_backoff(
                ExponentialBuilder::new()
                    .with_min_delay(Duration::from_millis(100))
                    .with_factor(2.0)
                    .with_max_delay(Duration::from_secs(5)),
            )
            .retry_policy(
                ExponentialBuilder::new()
                    .with_min_delay(Duration::from_millis(200))
                    .with_factor(2.0)
                    .with_max_delay(Duration::from_secs(10))
                    .with_max_times(8),
            )
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Logs the call and returns the queued fault for it, if any.
    fn enter(&self, op: Operation, token: Option<&str>) -> ApiResult<()> {
        let mut s = self.lock();
        let at = s.epoch.elapsed();
        s.log.push(Call {
            op,
            at,
            token: token.map(str::to_owned),
        });
        match s.faults.get_mut(&op).and_then(VecDeque::pop_front) {
            Some(kind) => Err(fault(kind)),
            None => Ok(()),
        }
    }
}

fn fault(kind: ApiErrorKind) -> ApiCallError {
    let (code, message) = match kind {
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

fn not_found(id: &str) -> ApiCallError {
    invalid(
        ApiErrorKind::Permanent,
        "InvalidRequestException",
        &format!("QueryExecution {id} was not found"),
    )
}

impl AthenaApi for Fake {
    fn start_query_execution<'a>(
        &'a self,
        _query: &'a StartQueryExecution,
        client_request_token: &'a str,
    ) -> BoxFuture<'a, ApiResult<Option<String>>> {
        Box::pin(async move {
            self.enter(Operation::StartQueryExecution, Some(client_request_token))?;
            let mut s = self.lock();
            if let Some(id) = s.tokens.get(client_request_token) {
                return Ok(Some(id.clone()));
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
                    polls: 0,
                    stopped: false,
                },
            );
            s.tokens.insert(client_request_token.to_owned(), id.clone());
            Ok(Some(id))
        })
    }

    fn get_query_execution<'a>(
        &'a self,
        query_execution_id: &'a str,
    ) -> BoxFuture<'a, ApiResult<Option<sdk::QueryExecution>>> {
        Box::pin(async move {
            self.enter(Operation::GetQueryExecution, None)?;
            let mut s = self.lock();
            let q = s
                .queries
                .get_mut(query_execution_id)
                .ok_or_else(|| not_found(query_execution_id))?;
            let (state, reason, error) = if q.stopped {
                (
                    "CANCELLED",
                    Some("Query cancelled by user".to_owned()),
                    None,
                )
            } else {
                let i = q.polls.min(q.plan.states.len().saturating_sub(1));
                q.polls += 1;
                let state = q.plan.states.get(i).copied().unwrap_or("SUCCEEDED");
                let error = (state == "FAILED")
                    .then(|| q.plan.athena_error.clone())
                    .flatten();
                let reason = error.as_ref().and_then(|e| e.error_message.clone());
                (state, reason, error)
            };
            let status = sdk::QueryExecutionStatus::builder()
                .state(sdk::QueryExecutionState::from(state))
                .set_state_change_reason(reason)
                .set_athena_error(error)
                .build();
            Ok(Some(
                sdk::QueryExecution::builder()
                    .query_execution_id(query_execution_id)
                    .statement_type(sdk::StatementType::from(q.plan.statement_type))
                    .substatement_type(q.plan.substatement_type)
                    .status(status)
                    .build(),
            ))
        })
    }

    fn get_query_results<'a>(
        &'a self,
        query_execution_id: &'a str,
        next_token: Option<&'a str>,
        max_results: i32,
    ) -> BoxFuture<'a, ApiResult<GetQueryResultsOutput>> {
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
            self.enter(Operation::GetQueryResults, next_token)?;
            let s = self.lock();
            let q = s
                .queries
                .get(query_execution_id)
                .ok_or_else(|| not_found(query_execution_id))?;
            let plan = &q.plan;
            let header =
                plan.statement_type == "DML" || (plan.substatement_type == "SHOW_FUNCTIONS");
            // The position is counted in rows of the virtual result, header included.
            let start: usize = match next_token {
                None => 0,
                Some(t) => t
                    .strip_prefix("tok-")
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| {
                        invalid(
                            ApiErrorKind::Permanent,
                            "InvalidRequestException",
                            &format!("Malformed nextPageToken {t}"),
                        )
                    })?,
            };
            let total = plan.rows.len() + usize::from(header);
            let end = (start + max_results.max(1) as usize).min(total);
            let names: Vec<Option<String>> = plan
                .columns
                .iter()
                .map(|(n, _)| Some((*n).to_owned()))
                .collect();
            let rows = (start..end).map(|i| {
                let values = if header && i == 0 {
                    &names
                } else {
                    &plan.rows[i - usize::from(header)]
                };
                sdk::Row::builder()
                    .set_data(Some(
                        values
                            .iter()
                            .map(|v| sdk::Datum::builder().set_var_char_value(v.clone()).build())
                            .collect(),
                    ))
                    .build()
            });
            let columns = plan
                .columns
                .iter()
                .map(|(n, t)| {
                    sdk::ColumnInfo::builder()
                        .name(*n)
                        .label(*n)
                        .r#type(*t)
                        .build()
                        .expect("name and type are set")
                })
                .collect();
            let next = if end < total {
                Some(
                    plan.fixed_next_token
                        .clone()
                        .unwrap_or_else(|| format!("tok-{end}")),
                )
            } else if plan.empty_last_token {
                Some(String::new())
            } else {
                None
            };
            Ok(GetQueryResultsOutput::builder()
                .result_set(
                    sdk::ResultSet::builder()
                        .set_rows(Some(rows.collect()))
                        .result_set_metadata(
                            sdk::ResultSetMetadata::builder()
                                .set_column_info(Some(columns))
                                .build(),
                        )
                        .build(),
                )
                .set_next_token(next)
                .build())
        })
    }

    fn stop_query_execution<'a>(
        &'a self,
        query_execution_id: &'a str,
    ) -> BoxFuture<'a, ApiResult<()>> {
        Box::pin(async move {
            self.enter(Operation::StopQueryExecution, None)?;
            let mut s = self.lock();
            let q = s
                .queries
                .get_mut(query_execution_id)
                .ok_or_else(|| not_found(query_execution_id))?;
            let finished = q
                .plan
                .states
                .get(q.polls.saturating_sub(1))
                .is_some_and(|st| matches!(*st, "SUCCEEDED" | "FAILED" | "CANCELLED"));
            if !finished {
                q.stopped = true;
            }
            Ok(())
        })
    }
}
