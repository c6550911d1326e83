//! The two backends the rules run on, behind one small trait.

use std::time::Duration;

use athena_emulator::{Emulator, EngineConfig, Injected, S3Injected, S3Operation};
use aws_sdk_athena::config::retry::RetryConfig;
use aws_sdk_athena::config::{BehaviorVersion, Credentials, Region};

use crate::athena::{Athena, AthenaBuilder};
use crate::error::{AthenaError, Operation};
use crate::execution::QueryState;
use crate::fake::s3::{FakeS3, S3Fault};
use crate::fake::{Fake, Plan};
use crate::query::StartQueryExecution;
use crate::settings::Backoff;

/// How the queries of a rule behave.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum Queries {
    /// Like `RunUntilStopped`, and every `StartQueryExecution` takes 3 s to answer.
    SlowStartRunUntilStopped,
    /// They succeed as soon as they can.
    #[default]
    Quick,
    /// They stay QUEUED or RUNNING until stopped (the emulator: for an hour).
    RunUntilStopped,
    /// Scans are slow enough to watch: `DataScannedInBytes` grows across polls (the
    /// emulator: 256 KiB a second).
    SlowScan,
}

/// How fast the emulator shows a scan with [`Queries::SlowScan`].
pub(super) const SLOW_SCAN_BYTES_PER_SEC: u64 = 256 * 1024;

/// A fault a rule injects into the next calls of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fault {
    /// `ThrottlingException`, before the call runs.
    Throttle,
    /// HTTP 500, before the call runs.
    ServerError,
    /// `TooManyRequestsException` with `CONCURRENT_QUERY_LIMIT_EXCEEDED`, before it runs.
    ConcurrentQueryLimit,
    /// The call runs, and its answer is lost on the way back.
    LoseAnswer,
}

/// What a rule needs from a backend.
pub(super) trait Backend: Sized {
    /// A backend whose queries behave as `queries` says.
    async fn start(queries: Queries) -> Self;

    /// A handle builder with settings that suit the backend's clock: the library's
    /// defaults without jitter on the fake (virtual time), millisecond polling and
    /// retries on the emulator (real time).
    fn builder(&self) -> AthenaBuilder;

    fn athena(&self) -> Athena {
        self.builder()
            .build()
            .expect("the suite's settings are valid")
    }

    /// A DML query whose one column `x` holds `1..=n`.
    fn numbers(&self, n: usize) -> StartQueryExecution;

    /// A DML query of one row: `a` NULL, `b` the empty string, `c` `"x"`.
    fn null_and_empty(&self) -> StartQueryExecution;

    /// A query that is accepted and then ends FAILED with a user error (category 2).
    fn failing(&self) -> StartQueryExecution;

    /// A query that StartQueryExecution refuses at once with a permanent error.
    fn refused(&self) -> StartQueryExecution;

    /// A DDL statement (no result rows).
    fn ddl(&self) -> StartQueryExecution;

    /// Injects `fault` into the next `times` calls of `op`.
    fn inject(&self, op: Operation, fault: Fault, times: usize);

    /// How many injected faults of `op` have not fired yet.
    fn faults_left(&self, op: Operation) -> usize;

    /// Calls of `op` that reached the service, faulted ones included.
    fn calls(&self, op: Operation) -> u64;

    /// The ids of the queries started so far.
    async fn started(&self) -> Vec<String>;

    /// The state the service gives query `id` now.
    async fn state_of(&self, id: &str) -> QueryState;

    /// Starts a query outside the library (another process, say) and returns its id.
    async fn start_elsewhere(&self, query: StartQueryExecution) -> String;

    /// Waits until query `id` is in `state` (30 s of real time at most).
    async fn until_state(&self, id: &str, state: QueryState) {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let now = self.state_of(id).await;
            if now == state {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "query {id} stays {now:?}, not {state:?}"
            );
            self.pause().await;
        }
    }

    /// Lets everything already started run as far as it can, and says whether it could:
    /// the fake lets ten minutes of virtual time pass (`true`); on the emulator no later
    /// moment can be promised in real time (`false`), so a rule checks there only what
    /// holds at every step.
    async fn quiesce(&self) -> bool;

    /// Waits until `condition` holds, checking every millisecond (of virtual time on
    /// the fake). Panics after 30 s of real time, so
    /// a broken promise fails the test instead of hanging it.
    async fn until(&self, mut condition: impl FnMut() -> bool) {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while !condition() {
            assert!(
                std::time::Instant::now() < deadline,
                "condition not reached"
            );
            self.pause().await;
        }
    }

    /// One step of [`until`](Self::until).
    async fn pause(&self);

    async fn finish(self);
}

/// What a rule about result files needs besides: the backend's S3.
pub(super) trait ResultFiles: Backend {
    /// A DML query of one column `v` whose values are `values` (text or NULL), for
    /// the result file's hard cases.
    fn values(&self, values: &[Option<&str>]) -> StartQueryExecution;

    /// A handle builder like [`builder`](Self::builder), with an S3 client on the
    /// backend's S3, where its queries' result files are.
    fn file_builder(&self) -> AthenaBuilder;

    /// [`file_builder`](Self::file_builder) reading through the result file only.
    fn result_file_builder(&self) -> AthenaBuilder {
        self.file_builder()
            .with_read_path(crate::ReadPath::ResultFile)
    }

    /// Injects `fault` into the next `times` S3 calls of `op` (`HeadObject`, `GetObject`).
    fn inject_s3(&self, op: Operation, fault: S3Fault, times: usize);

    /// S3 calls of `op` that reached the backend.
    fn s3_calls(&self, op: Operation) -> u64;

    /// Injected S3 faults of `op` not fired yet.
    fn s3_faults_left(&self, op: Operation) -> usize;

    /// Replaces the object at `uri` (a new version, a new ETag), as another writer
    /// would while a reader reads it.
    async fn overwrite(&self, uri: &str);
}

impl ResultFiles for OnFake {
    fn values(&self, values: &[Option<&str>]) -> StartQueryExecution {
        let rows = values.iter().map(|v| vec![v.map(str::to_owned)]).collect();
        self.push(self.plan(rows, vec![("v", "varchar")]))
    }

    fn file_builder(&self) -> AthenaBuilder {
        self.builder()
            .with_s3_api(std::sync::Arc::new(self.s3.clone()))
    }

    fn inject_s3(&self, op: Operation, fault: S3Fault, times: usize) {
        self.s3.fail_next(op, fault, times);
    }

    fn s3_calls(&self, op: Operation) -> u64 {
        self.s3.calls(op)
    }

    fn s3_faults_left(&self, op: Operation) -> usize {
        self.s3.faults_left(op)
    }

    async fn overwrite(&self, uri: &str) {
        self.s3.replace(uri);
    }
}

impl<P: Protocol> ResultFiles for OnEmulatorIn<P> {
    fn values(&self, values: &[Option<&str>]) -> StartQueryExecution {
        let rows: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Some(v) => format!("({i}, '{}')", v.replace('\'', "''")),
                None => format!("({i}, CAST(NULL AS varchar))"),
            })
            .collect();
        StartQueryExecution::new(format!(
            "SELECT v FROM (VALUES {}) AS t(i, v) ORDER BY i",
            rows.join(", ")
        ))
    }

    fn file_builder(&self) -> AthenaBuilder {
        self.builder().with_s3_client(self.s3_client.clone())
    }

    fn inject_s3(&self, op: Operation, fault: S3Fault, times: usize) {
        let injected = match fault {
            S3Fault::SlowDown => S3Injected::SlowDown,
            S3Fault::ServerError => S3Injected::InternalError,
            S3Fault::AccessDenied => S3Injected::AccessDenied,
            S3Fault::CutAfter(n) => S3Injected::CutBody {
                after_bytes: n as u64,
            },
        };
        self.emulator.inject_s3(s3_op(op), injected, times);
    }

    fn s3_calls(&self, op: Operation) -> u64 {
        self.emulator.s3_calls().get(s3_op(op))
    }

    fn s3_faults_left(&self, op: Operation) -> usize {
        self.emulator.s3_injected_left(s3_op(op))
    }

    async fn overwrite(&self, uri: &str) {
        let (bucket, key) = uri
            .strip_prefix("s3://")
            .and_then(|r| r.split_once('/'))
            .expect("an s3:// URI");
        let old = self
            .s3_client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .expect("the file is there")
            .body
            .collect()
            .await
            .expect("its bytes")
            .to_vec();
        // The same rows once more: another file, with another ETag.
        let mut new = old.clone();
        new.extend_from_slice(&old[old.iter().position(|&b| b == b'\n').map_or(0, |i| i + 1)..]);
        self.s3_client
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(new.into())
            .send()
            .await
            .expect("the file is replaced");
    }
}

/// The emulator's name for an S3 operation.
fn s3_op(op: Operation) -> S3Operation {
    match op {
        Operation::GetObject => S3Operation::GetObject,
        Operation::HeadObject => S3Operation::HeadObject,
        other => unreachable!("{other} is not an S3 operation"),
    }
}

/// The scripted fake under paused tokio time.
pub(super) struct OnFake {
    pub(super) fake: Fake,
    pub(super) s3: FakeS3,
    queries: Queries,
}

impl OnFake {
    pub(super) fn plan(
        &self,
        rows: Vec<Vec<Option<String>>>,
        columns: Vec<(&'static str, &'static str)>,
    ) -> Plan {
        let mut plan = Plan::rows(0);
        plan.rows = rows;
        plan.columns = columns;
        match self.queries {
            Queries::Quick => {}
            Queries::SlowScan => {
                plan.states = vec![QueryState::Queued];
                plan.states.extend([QueryState::Running; 10]);
                plan.states.push(QueryState::Succeeded);
            }
            _ => plan.states = vec![QueryState::Queued, QueryState::Running],
        }
        plan
    }

    pub(super) fn push(&self, plan: Plan) -> StartQueryExecution {
        self.fake.push_plan(plan);
        StartQueryExecution::new("SELECT on the fake")
    }
}

impl Backend for OnFake {
    async fn start(queries: Queries) -> Self {
        let fake = Fake::new(Plan::rows(0));
        if queries == Queries::SlowStartRunUntilStopped {
            fake.set_latency(Operation::StartQueryExecution, Duration::from_secs(3));
        }
        let s3 = FakeS3::default();
        fake.write_result_files(&s3);
        OnFake { fake, s3, queries }
    }

    fn builder(&self) -> AthenaBuilder {
        self.fake.builder()
    }

    fn numbers(&self, n: usize) -> StartQueryExecution {
        let rows = (1..=n).map(|i| vec![Some(i.to_string())]).collect();
        self.push(self.plan(rows, vec![("x", "integer")]))
    }

    fn null_and_empty(&self) -> StartQueryExecution {
        let rows = vec![vec![None, Some(String::new()), Some("x".to_owned())]];
        let columns = vec![("a", "varchar"), ("b", "varchar"), ("c", "varchar")];
        self.push(self.plan(rows, columns))
    }

    fn failing(&self) -> StartQueryExecution {
        let mut plan = self.plan(Vec::new(), vec![("x", "integer")]);
        plan.states = vec![QueryState::Running, QueryState::Failed];
        plan.athena_error = Some(AthenaError {
            error_category: Some(2),
            error_type: Some(1006),
            retryable: false,
            error_message: Some(
                "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.default.no_such_table' does not exist"
                    .to_owned(),
            ),
        });
        self.push(plan)
    }

    fn refused(&self) -> StartQueryExecution {
        self.fake.fail_next(
            Operation::StartQueryExecution,
            crate::error::ApiErrorKind::Permanent,
            1,
        );
        StartQueryExecution::new("SELEC 1")
    }

    fn ddl(&self) -> StartQueryExecution {
        let mut plan = self.plan(Vec::new(), Vec::new());
        plan.statement_type = "DDL";
        plan.substatement_type = "CREATE_DATABASE";
        self.push(plan)
    }

    fn inject(&self, op: Operation, fault: Fault, times: usize) {
        use crate::error::ApiErrorKind as K;
        match fault {
            Fault::Throttle => self.fake.fail_next(op, K::Throttling, times),
            Fault::ServerError => self.fake.fail_next(op, K::Transient, times),
            Fault::ConcurrentQueryLimit => self.fake.fail_next(op, K::ConcurrentQueryLimit, times),
            Fault::LoseAnswer => self.fake.lose_next_answers(op, times),
        }
    }

    fn faults_left(&self, op: Operation) -> usize {
        self.fake.faults_left(op)
    }

    fn calls(&self, op: Operation) -> u64 {
        self.fake.calls_of(op).len() as u64
    }

    async fn started(&self) -> Vec<String> {
        self.fake.started()
    }

    async fn state_of(&self, id: &str) -> QueryState {
        self.fake.state_of(id).expect("a query the fake knows")
    }

    async fn start_elsewhere(&self, query: StartQueryExecution) -> String {
        // The fake starts queries through its seam like any client would.
        let api: &dyn crate::api::AthenaApi = &self.fake;
        let stats = crate::stats::Stats::default();
        api.start_query_execution(&query, &crate::query::new_client_request_token(), &stats)
            .await
            .expect("the fake starts it")
    }

    async fn pause(&self) {
        // A sleep, not a yield: with the clock paused, time moves on only when every
        // task waits on a timer, and some conditions wait for a simulated latency.
        tokio::time::sleep(Duration::from_millis(1)).await;
    }

    async fn quiesce(&self) -> bool {
        tokio::time::sleep(Duration::from_secs(600)).await;
        true
    }

    async fn finish(self) {}
}

/// Which of Athena's two protocols the SDK client speaks to the emulator
/// (docs/athena.md, "Protocols").
pub(super) trait Protocol: Send + Sync + 'static {
    /// The client's settings for this protocol.
    fn configure(config: aws_sdk_athena::config::Builder) -> aws_sdk_athena::config::Builder;
}

/// awsJson1_1, which `aws-sdk-athena` speaks.
#[derive(Debug)]
pub(super) struct AwsJson;

impl Protocol for AwsJson {
    fn configure(config: aws_sdk_athena::config::Builder) -> aws_sdk_athena::config::Builder {
        config
    }
}

/// restJson1, which botocore's model describes, by rewriting the SDK's requests
/// (`rest_json.rs` says why that stands for a restJson1 client).
#[derive(Debug)]
pub(super) struct RestJson;

impl Protocol for RestJson {
    fn configure(config: aws_sdk_athena::config::Builder) -> aws_sdk_athena::config::Builder {
        config.interceptor(super::rest_json::RestJsonRequests)
    }
}

/// The emulator, through the real aws-sdk-athena client over HTTP, in real time, in
/// the protocol `P`.
pub(super) struct OnEmulatorIn<P> {
    pub(super) emulator: Emulator,
    pub(super) client: aws_sdk_athena::Client,
    pub(super) s3_client: aws_sdk_s3::Client,
    protocol: std::marker::PhantomData<P>,
}

/// The emulator in awsJson1_1, as the SDK speaks to Athena today.
pub(super) type OnEmulator = OnEmulatorIn<AwsJson>;

/// The emulator in restJson1, as an SDK generated from botocore's model would speak.
pub(super) type OnEmulatorRestJson = OnEmulatorIn<RestJson>;

impl<P: Protocol> OnEmulatorIn<P> {
    /// An SDK client on the emulator; `sdk_attempts` is the SDK's own max attempts
    /// (1: its retries off).
    pub(super) fn client(emulator: &Emulator, sdk_attempts: u32) -> aws_sdk_athena::Client {
        let config = P::configure(aws_sdk_athena::Config::builder())
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("test", "test", None, None, "test"))
            .endpoint_url(emulator.endpoint_url())
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(sdk_attempts)
                    .with_initial_backoff(Duration::from_millis(1))
                    .with_max_backoff(Duration::from_millis(20)),
            )
            .build();
        aws_sdk_athena::Client::from_conf(config)
    }

    /// An S3 client on the emulator's S3 side (path-style, as the emulator serves it);
    /// `sdk_attempts` as for [`client`](Self::client).
    pub(super) fn s3_client(emulator: &Emulator, sdk_attempts: u32) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_s3::config::Credentials::new(
                "test", "test", None, None, "test",
            ))
            .endpoint_url(emulator.endpoint_url())
            .force_path_style(true)
            .retry_config(
                aws_sdk_s3::config::retry::RetryConfig::standard()
                    .with_max_attempts(sdk_attempts)
                    .with_initial_backoff(Duration::from_millis(1))
                    .with_max_backoff(Duration::from_millis(20)),
            )
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    /// Quick settings over any client of this emulator.
    pub(super) fn builder_over(client: aws_sdk_athena::Client) -> AthenaBuilder {
        Athena::builder(client)
            .with_polling_backoff(
                Backoff::new(Duration::from_millis(5)).with_max_delay(Duration::from_millis(50)),
            )
            .with_retry_policy(
                Backoff::new(Duration::from_millis(1))
                    .with_max_delay(Duration::from_millis(20))
                    .with_max_attempts(20),
            )
    }
}

impl<P: Protocol> Backend for OnEmulatorIn<P> {
    async fn start(queries: Queries) -> Self {
        let mut builder = Emulator::builder().with_engine_config(EngineConfig {
            cloudfront_rows: 100,
            ..EngineConfig::default()
        });
        match queries {
            Queries::Quick => {}
            Queries::SlowScan => builder = builder.with_scan_bytes_per_sec(SLOW_SCAN_BYTES_PER_SEC),
            _ => builder = builder.with_query_delay(Duration::from_secs(3600)),
        }
        if queries == Queries::SlowStartRunUntilStopped {
            builder = builder.with_operation_latency(
                athena_emulator::Operation::StartQueryExecution,
                Duration::from_secs(3),
                Duration::ZERO,
            );
        }
        let emulator = builder.start().await.expect("the emulator starts");
        // The SDK's own retries off: every fault a rule injects reaches the library.
        let client = Self::client(&emulator, 1);
        let s3_client = Self::s3_client(&emulator, 1);
        OnEmulatorIn {
            emulator,
            client,
            s3_client,
            protocol: std::marker::PhantomData,
        }
    }

    fn builder(&self) -> AthenaBuilder {
        Self::builder_over(self.client.clone())
    }

    fn numbers(&self, n: usize) -> StartQueryExecution {
        // One sequence holds at most 10,000 entries (as on Athena); more come from a
        // cross join of two, ordered.
        const MAX: usize = 10_000;
        StartQueryExecution::new(match n {
            0 => "SELECT x FROM UNNEST(sequence(1, 1)) AS t(x) WHERE x > 1".to_owned(),
            1..=MAX => format!("SELECT x FROM UNNEST(sequence(1, {n})) AS t(x)"),
            _ => format!(
                "SELECT x FROM (SELECT (a - 1) * {MAX} + b AS x \
                 FROM UNNEST(sequence(1, {})) AS t(a) CROSS JOIN UNNEST(sequence(1, {MAX})) AS u(b)) \
                 WHERE x <= {n} ORDER BY x",
                n.div_ceil(MAX)
            ),
        })
    }

    fn null_and_empty(&self) -> StartQueryExecution {
        StartQueryExecution::new("SELECT CAST(NULL AS varchar) AS a, '' AS b, 'x' AS c")
    }

    fn failing(&self) -> StartQueryExecution {
        StartQueryExecution::new("SELECT * FROM no_such_table")
    }

    fn refused(&self) -> StartQueryExecution {
        StartQueryExecution::new("SELEC 1")
    }

    fn ddl(&self) -> StartQueryExecution {
        StartQueryExecution::new("CREATE DATABASE IF NOT EXISTS suite_db")
    }

    fn inject(&self, op: Operation, fault: Fault, times: usize) {
        let injected = match fault {
            Fault::Throttle => Injected::Throttle,
            Fault::ServerError => Injected::ServerError,
            Fault::ConcurrentQueryLimit => Injected::ConcurrentQueryLimit,
            Fault::LoseAnswer => Injected::LoseAnswer,
        };
        self.emulator.inject(emulator_op(op), injected, times);
    }

    fn faults_left(&self, op: Operation) -> usize {
        self.emulator.injected_left(emulator_op(op))
    }

    fn calls(&self, op: Operation) -> u64 {
        self.emulator.calls().get(emulator_op(op))
    }

    async fn started(&self) -> Vec<String> {
        let listed = self
            .client
            .list_query_executions()
            .send()
            .await
            .expect("ListQueryExecutions answers");
        listed.query_execution_ids().to_vec()
    }

    async fn state_of(&self, id: &str) -> QueryState {
        let out = self
            .client
            .get_query_execution()
            .query_execution_id(id)
            .send()
            .await
            .expect("GetQueryExecution answers");
        let state = out
            .query_execution()
            .and_then(|e| e.status())
            .and_then(|s| s.state())
            .expect("a state");
        QueryState::from_athena(state.as_str()).expect("a known state")
    }

    async fn start_elsewhere(&self, query: StartQueryExecution) -> String {
        self.client
            .start_query_execution()
            .query_string(query.query_string())
            .send()
            .await
            .expect("the emulator starts it")
            .query_execution_id()
            .expect("an id")
            .to_owned()
    }

    async fn pause(&self) {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }

    async fn quiesce(&self) -> bool {
        false
    }

    async fn finish(self) {
        self.emulator.shutdown().await;
    }
}

/// The emulator's name for an operation.
pub(super) fn emulator_op(op: Operation) -> athena_emulator::Operation {
    match op {
        Operation::StartQueryExecution => athena_emulator::Operation::StartQueryExecution,
        Operation::GetQueryExecution => athena_emulator::Operation::GetQueryExecution,
        Operation::GetQueryResults => athena_emulator::Operation::GetQueryResults,
        Operation::StopQueryExecution => athena_emulator::Operation::StopQueryExecution,
        Operation::GetQueryRuntimeStatistics => {
            athena_emulator::Operation::GetQueryRuntimeStatistics
        }
        Operation::HeadObject | Operation::GetObject => {
            unreachable!("the suite counts S3 calls through the emulator's S3 counters")
        }
    }
}
