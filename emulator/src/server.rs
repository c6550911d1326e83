//! The Athena service: HTTP, protocol, query lifecycle, result pages, faults.
//!
//! [`Emulator::builder`] configures and [`EmulatorBuilder::start`] starts a server on
//! `127.0.0.1:0` (by default) speaking Athena's `awsJson1_1` protocol; point any AWS SDK
//! at [`Emulator::endpoint_url`]. Any credentials are accepted and signatures are not
//! verified.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use crate::engine::{Engine, EngineConfig, QueryError};

mod faults;
mod operations;
mod protocol;
mod queries;
mod results;
mod token;

pub use faults::{CallCounts, Faults, Injected};

use faults::{Counters, FaultInjector, Outcome};
use protocol::ApiError;
use queries::Registry;
use token::TokenKey;

/// An Athena API operation the emulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// `StartQueryExecution`.
    StartQueryExecution,
    /// `GetQueryExecution`.
    GetQueryExecution,
    /// `BatchGetQueryExecution`.
    BatchGetQueryExecution,
    /// `ListQueryExecutions`.
    ListQueryExecutions,
    /// `GetQueryResults`.
    GetQueryResults,
    /// `StopQueryExecution`.
    StopQueryExecution,
}

impl Operation {
    /// Every operation, in a fixed order.
    pub const ALL: [Operation; 6] = [
        Operation::StartQueryExecution,
        Operation::GetQueryExecution,
        Operation::BatchGetQueryExecution,
        Operation::ListQueryExecutions,
        Operation::GetQueryResults,
        Operation::StopQueryExecution,
    ];

    /// The operation's name, as in `X-Amz-Target: AmazonAthena.<name>`.
    pub const fn name(self) -> &'static str {
        match self {
            Operation::StartQueryExecution => "StartQueryExecution",
            Operation::GetQueryExecution => "GetQueryExecution",
            Operation::BatchGetQueryExecution => "BatchGetQueryExecution",
            Operation::ListQueryExecutions => "ListQueryExecutions",
            Operation::GetQueryResults => "GetQueryResults",
            Operation::StopQueryExecution => "StopQueryExecution",
        }
    }

    /// The operation with this name, if the emulator serves it.
    pub fn from_name(name: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| op.name() == name)
    }

    const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why an emulator did not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// A builder setting is invalid.
    InvalidConfig {
        /// What is wrong.
        message: String,
    },
    /// The SQL engine could not be built (data dir, dataset, init SQL).
    Engine {
        /// The engine's error.
        source: QueryError,
    },
    /// The address could not be bound.
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::InvalidConfig { message } => {
                write!(f, "invalid emulator setting: {message}")
            }
            StartError::Engine { source } => write!(f, "cannot build the SQL engine: {source}"),
            StartError::Bind { addr, source } => write!(f, "cannot bind {addr}: {source}"),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StartError::InvalidConfig { .. } => None,
            StartError::Engine { source } => Some(source),
            StartError::Bind { source, .. } => Some(source),
        }
    }
}

/// Where the engine comes from.
#[derive(Debug)]
enum EngineSource {
    Config(EngineConfig),
    Engine(Engine),
}

/// Configures an [`Emulator`]; made by [`Emulator::builder`].
///
/// Settings are checked once, by [`EmulatorBuilder::start`].
#[derive(Debug)]
#[must_use = "an EmulatorBuilder does nothing until started"]
pub struct EmulatorBuilder {
    bind: SocketAddr,
    engine: EngineSource,
    max_active_queries: usize,
    faults: [Faults; Operation::ALL.len()],
    query_delay: Duration,
    seed: Option<u64>,
    max_body_bytes: usize,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            engine: EngineSource::Config(EngineConfig::default()),
            max_active_queries: 25,
            faults: [Faults::new(); Operation::ALL.len()],
            query_delay: Duration::ZERO,
            seed: None,
            max_body_bytes: 4 * 1024 * 1024,
        }
    }
}

impl EmulatorBuilder {
    /// The address to listen on. Default is `127.0.0.1:0` (a free port on loopback).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// How to build the SQL engine (data dir, CloudFront rows, init SQL).
    /// Default is [`EngineConfig::default()`]: a fresh temp data dir and 10,000 rows.
    pub fn engine_config(mut self, config: EngineConfig) -> Self {
        self.engine = EngineSource::Config(config);
        self
    }

    /// Serves an engine built elsewhere (it may be shared with other emulators).
    /// Default is an engine built from [`EngineConfig::default()`].
    pub fn engine(mut self, engine: Engine) -> Self {
        self.engine = EngineSource::Engine(engine);
        self
    }

    /// At most this many queries QUEUED or RUNNING at once; one more start answers
    /// `TooManyRequestsException` (`CONCURRENT_QUERY_LIMIT_EXCEEDED`). Must be at least 1.
    /// Default is 25.
    pub fn max_active_queries(mut self, limit: usize) -> Self {
        self.max_active_queries = limit;
        self
    }

    /// The faults of every operation (replaces any set before). Default is none.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = [faults; Operation::ALL.len()];
        self
    }

    /// The faults of one operation (replaces those set before for it). Default is none.
    pub fn operation_faults(mut self, operation: Operation, faults: Faults) -> Self {
        self.faults[operation.index()] = faults;
        self
    }

    /// Latency of every operation: `fixed` plus a uniform random part of `jitter`.
    /// Default is none.
    pub fn latency(mut self, fixed: Duration, jitter: Duration) -> Self {
        for f in &mut self.faults {
            *f = f.with_latency(fixed, jitter);
        }
        self
    }

    /// Latency of one operation: `fixed` plus a uniform random part of `jitter`.
    /// Default is none.
    pub fn operation_latency(
        mut self,
        operation: Operation,
        fixed: Duration,
        jitter: Duration,
    ) -> Self {
        let f = &mut self.faults[operation.index()];
        *f = f.with_latency(fixed, jitter);
        self
    }

    /// Probability (0.0..=1.0) that a call of any operation answers
    /// `400 ThrottlingException` (`Rate exceeded`). Default is 0.
    pub fn throttle_rate(mut self, rate: f64) -> Self {
        for f in &mut self.faults {
            *f = f.with_throttle_rate(rate);
        }
        self
    }

    /// Probability (0.0..=1.0) that a call of any operation answers
    /// `500 InternalServerException`. Default is 0.
    pub fn server_error_rate(mut self, rate: f64) -> Self {
        for f in &mut self.faults {
            *f = f.with_server_error_rate(rate);
        }
        self
    }

    /// Probability (0.0..=1.0) that a call of any operation runs but its connection is
    /// closed without an answer. Default is 0.
    pub fn drop_connection_rate(mut self, rate: f64) -> Self {
        for f in &mut self.faults {
            *f = f.with_drop_connection_rate(rate);
        }
        self
    }

    /// Every query stays QUEUED then RUNNING for at least this long (half of it
    /// QUEUED). Default is zero: as fast as the engine.
    pub fn query_delay(mut self, delay: Duration) -> Self {
        self.query_delay = delay;
        self
    }

    /// Seeds the generator of the fault decisions, so a run is reproducible.
    /// Default is a random seed (see [`Emulator::seed`]).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The largest request body accepted; larger ones answer HTTP 413. Must be at least
    /// 1 KiB. Default is 4 MiB (a QueryString may hold 262,144 characters).
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Builds the engine, binds the address and starts serving in the background.
    ///
    /// Must be called within a Tokio runtime (multi-threaded or not).
    ///
    /// # Errors
    /// [`StartError::InvalidConfig`] for a rate outside 0..=1, a limit of 0 active queries
    /// or a body limit under 1 KiB; [`StartError::Engine`] when the engine cannot be
    /// built; [`StartError::Bind`] when the address cannot be bound.
    pub async fn start(self) -> Result<Emulator, StartError> {
        let invalid = |message: String| Err(StartError::InvalidConfig { message });
        if self.max_active_queries == 0 {
            return invalid("max_active_queries must be at least 1".into());
        }
        if self.max_body_bytes < 1024 {
            return invalid("max_body_bytes must be at least 1024".into());
        }
        for (operation, faults) in Operation::ALL.iter().zip(&self.faults) {
            if let Some((name, rate)) = faults.invalid_rate() {
                return invalid(format!("{name} of {operation} is {rate}, not in 0.0..=1.0"));
            }
        }
        let mut temporary_data_dir = None;
        let engine = match self.engine {
            EngineSource::Engine(engine) => engine,
            EngineSource::Config(config) => {
                let engine = Engine::new(config)
                    .await
                    .map_err(|source| StartError::Engine { source })?;
                // An engine built here is this emulator's alone, so the temp dir it made
                // can go at shutdown (a shared engine's dir goes with its last clone).
                if engine.owns_data_dir() {
                    temporary_data_dir = Some(engine.data_dir().to_path_buf());
                }
                engine
            }
        };
        let listener = TcpListener::bind(self.bind)
            .await
            .map_err(|source| StartError::Bind {
                addr: self.bind,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: self.bind,
            source,
        })?;
        let seed = self.seed.unwrap_or_else(|| {
            use std::hash::BuildHasher;
            std::hash::RandomState::new().hash_one(addr)
        });
        let shared = Arc::new(Shared {
            registry: Registry::new(engine, self.max_active_queries, self.query_delay),
            key: TokenKey::new(),
            faults: FaultInjector::new(self.faults, seed),
            counters: Counters::default(),
            max_body_bytes: self.max_body_bytes,
        });
        let (shutdown, signal) = watch::channel(false);
        let server = tokio::spawn(accept_loop(listener, Arc::clone(&shared), signal));
        Ok(Emulator {
            addr,
            seed,
            temporary_data_dir,
            shared,
            shutdown,
            server: Some(server),
        })
    }
}

/// A running emulator: an Athena endpoint on loopback.
///
/// Dropping it stops accepting connections and cancels running queries; call
/// [`Emulator::shutdown`] to also wait until open connections have closed and to remove
/// the temporary data dir.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use athena_emulator::{EngineConfig, Emulator};
///
/// let emulator = Emulator::builder()
///     .engine_config(EngineConfig { cloudfront_rows: 0, ..EngineConfig::default() })
///     .start()
///     .await?;
/// assert!(emulator.endpoint_url().starts_with("http://127.0.0.1:"));
/// emulator.shutdown().await;
/// # Ok(())
/// # }
/// ```
pub struct Emulator {
    addr: SocketAddr,
    seed: u64,
    /// The data dir `EngineConfig::default()` made for this emulator, removed at shutdown.
    temporary_data_dir: Option<std::path::PathBuf>,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("endpoint_url", &self.endpoint_url())
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// A builder with the defaults: `127.0.0.1:0`, the default engine, 25 active
    /// queries, no faults.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// `http://127.0.0.1:PORT`: what to give an AWS SDK as its endpoint URL.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The seed of the fault decisions (the one set, or the random one drawn).
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// How many calls each operation has received so far.
    pub fn calls(&self) -> CallCounts {
        self.shared.counters.snapshot()
    }

    /// Resolves once `operation` has received at least `count` calls (injected faults
    /// included): to wait for a call some other task makes, such as the
    /// `StopQueryExecution` a client sends when its stream is dropped.
    ///
    /// It waits as long as it takes: wrap it in [`tokio::time::timeout`] in a test.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use athena_emulator::{EngineConfig, Emulator, Operation};
    ///
    /// let emulator = Emulator::builder()
    ///     .engine_config(EngineConfig { cloudfront_rows: 0, ..EngineConfig::default() })
    ///     .start()
    ///     .await?;
    /// // No call is needed to reach a count of 0.
    /// emulator.calls_reach(Operation::StopQueryExecution, 0).await;
    /// emulator.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn calls_reach(&self, operation: Operation, count: u64) {
        self.shared.counters.reached(operation, count).await;
    }

    /// Injects a fault into the next `times` calls of `operation` (after any injected
    /// before), whatever the fault rates say: a test can make the fault it is about
    /// happen at exactly the call it means. Counted in [`CallCounts::faulted`];
    /// [`injected_left`](Self::injected_left) tells whether they all fired.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use athena_emulator::{Emulator, EngineConfig, Injected, Operation};
    ///
    /// let emulator = Emulator::builder()
    /// #   .engine_config(EngineConfig { cloudfront_rows: 0, ..EngineConfig::default() })
    ///     .start()
    ///     .await?;
    /// // The next StartQueryExecution runs, but its answer never arrives.
    /// emulator.inject(Operation::StartQueryExecution, Injected::LoseAnswer, 1);
    /// assert_eq!(emulator.injected_left(Operation::StartQueryExecution), 1);
    /// # emulator.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn inject(&self, operation: Operation, injected: Injected, times: usize) {
        self.shared.faults.inject(operation, injected, times);
    }

    /// How many faults injected into `operation` have not fired yet.
    pub fn injected_left(&self, operation: Operation) -> usize {
        self.shared.faults.injected_left(operation)
    }

    /// The number of queries QUEUED or RUNNING now.
    pub fn active_queries(&self) -> usize {
        self.shared.registry.active()
    }

    /// The SQL engine behind it (to run DDL directly, or to share with another emulator).
    pub fn engine(&self) -> &Engine {
        self.shared.registry.engine()
    }

    /// Stops accepting connections, lets answers in flight finish, closes idle
    /// connections, and cancels the queries still running.
    ///
    /// A data dir that [`EngineConfig::default()`] made (a fresh directory under the
    /// system temp dir) is removed, result files included; a data dir you chose is left
    /// as it is.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        self.shared.registry.abort_all();
        if let Some(dir) = self.temporary_data_dir.take() {
            let _ = tokio::task::spawn_blocking(move || std::fs::remove_dir_all(dir)).await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        self.shared.registry.abort_all();
    }
}

/// What every connection shares.
#[derive(Debug)]
struct Shared {
    registry: Arc<Registry>,
    key: TokenKey,
    faults: FaultInjector,
    counters: Counters,
    max_body_bytes: usize,
}

/// Accepts connections until shutdown, then waits for them to finish.
async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut signal: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stopped(&mut signal) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, Arc::clone(&shared), signal.clone()));
                }
                Err(error) => {
                    // Out of file descriptors, or a connection reset before accept: keep
                    // serving, after a pause so a persistent error does not spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
}

/// Resolves once shutdown is signalled (or the emulator is gone).
async fn stopped(signal: &mut watch::Receiver<bool>) {
    let _ = signal.wait_for(|stop| *stop).await;
}

/// Serves one HTTP/1.1 connection until it closes or the emulator shuts down.
async fn serve_connection(
    stream: TcpStream,
    shared: Arc<Shared>,
    mut signal: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |request| handle(Arc::clone(&shared), request));
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        _ = stopped(&mut signal) => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

/// The service error that makes hyper close a connection without answering.
#[derive(Debug)]
struct DropConnection;

impl fmt::Display for DropConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for DropConnection {}

type Answer = Response<Full<Bytes>>;

fn response(status: u16, body: Vec<u8>, request_id: &str) -> Answer {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(protocol::CONTENT_TYPE),
    );
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

fn error_response(error: &ApiError, request_id: &str) -> Answer {
    let mut response = response(error.status, error.body(), request_id);
    response
        .headers_mut()
        .insert("x-amzn-errortype", HeaderValue::from_static(error.kind));
    response
}

/// Answers one request.
async fn handle(shared: Arc<Shared>, request: Request<Incoming>) -> Result<Answer, DropConnection> {
    let request_id = shared.registry.request_id();
    if request.method() != Method::POST {
        return Ok(error_response(&ApiError::method_not_allowed(), &request_id));
    }
    let target = request
        .headers()
        .get("x-amz-target")
        .map(HeaderValue::as_bytes);
    let operation = match protocol::route(target) {
        Ok(operation) => operation,
        Err(error) => return Ok(error_response(&error, &request_id)),
    };
    shared.counters.record_call(operation);

    let limit = shared.max_body_bytes;
    let too_large = || {
        let mut answer = error_response(&ApiError::too_large(limit), &request_id);
        answer
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
        answer
    };
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Ok(too_large());
    }
    let body = match Limited::new(request.into_body(), limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => return Ok(too_large()),
        // The client went away mid-body: nobody to answer.
        Err(_) => return Err(DropConnection),
    };

    let (delay, outcome) = shared.faults.decide(operation);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let fault = match outcome {
        Outcome::Throttle => Some(ApiError::throttling()),
        Outcome::ServerError => Some(ApiError::internal(
            "We encountered an internal error. Please try again.",
        )),
        Outcome::ConcurrentQueryLimit => {
            Some(ApiError::too_many_queries(shared.registry.max_active()))
        }
        Outcome::DropBeforeRunning => {
            shared.counters.record_fault(operation);
            return Err(DropConnection);
        }
        Outcome::Serve | Outcome::Drop => None,
    };
    if let Some(fault) = fault {
        shared.counters.record_fault(operation);
        return Ok(error_response(&fault, &request_id));
    }

    let cx = operations::Context {
        registry: &shared.registry,
        key: &shared.key,
    };
    let answer = operations::dispatch(&cx, operation, &body).await;
    if outcome == Outcome::Drop {
        shared.counters.record_fault(operation);
        return Err(DropConnection);
    }
    Ok(match answer {
        Ok(body) => response(200, body, &request_id),
        Err(error) => error_response(&error, &request_id),
    })
}

/// Entry points for `benches/serve_page.rs`: not part of the API.
#[doc(hidden)]
pub mod bench_support {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::results::{ColumnMeta, ResultFile, ResultWriter, column_info_json, render_page};
    use super::token::{Position, TokenKey};
    use crate::engine::Column;

    /// Appends rows to `out` as the result file holds them.
    pub fn encode_rows(rows: &[Vec<Option<String>>], out: &mut Vec<u8>) {
        for row in rows {
            super::results::encode_record(row.iter().map(Option::as_deref), out);
        }
    }

    /// A result file written as a query writes it, to serve pages from.
    #[derive(Debug)]
    pub struct PageSource {
        result: ResultFile,
        key: TokenKey,
        second_page: Position,
    }

    impl PageSource {
        /// Writes `rows` under `columns` to `path` as a DML result.
        pub async fn write(
            path: PathBuf,
            columns: &[Column],
            rows: &[Vec<Option<String>>],
        ) -> std::io::Result<Self> {
            let columns: Vec<ColumnMeta> = columns.iter().map(ColumnMeta::from).collect();
            let mut writer = ResultWriter::create(path, &columns).await?;
            writer.write_rows(rows).await?;
            let (path, len, _) = writer.finish().await?;
            let result = ResultFile {
                path,
                len,
                columns: columns.len(),
                column_info: Arc::from(column_info_json(&columns)),
                update_count: Some(0),
                header_row: true,
            };
            let key = TokenKey::new();
            // Page 1 is the header alone, so page 2 holds data rows only.
            let first = render_page(&result, &key, "bench", None, 1)?;
            let first: serde_json::Value = serde_json::from_slice(&first)?;
            let token = first["NextToken"].as_str().unwrap_or_default();
            let second_page = key
                .decode("bench", token)
                .unwrap_or(Position { offset: 0, row: 0 });
            Ok(Self {
                result,
                key,
                second_page,
            })
        }

        /// The GetQueryResults body of `max_rows` data rows (no header row).
        pub fn serve(&self, max_rows: usize) -> std::io::Result<Vec<u8>> {
            render_page(
                &self.result,
                &self.key,
                "bench",
                Some(self.second_page),
                max_rows,
            )
        }
    }
}
