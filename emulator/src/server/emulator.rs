//! Starting an emulator ([`EmulatorBuilder`]) and the running emulator ([`Emulator`]).

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::account::{DEFAULT_ACCOUNT_ID, is_account_id};
use super::athena::operation::Operation;
use super::athena::queries::{Registry, Settings};
use super::athena::token::TokenKey;
use super::data_dir::DataDir;
use super::faults::{CallCounts, Counters, FaultInjector, Faults, Injected};
use super::http::{Shared, accept_loop};
use super::s3::{
    DataDirS3, S3CallCounts, S3Counters, S3FaultInjector, S3Faults, S3Injected, S3Operation,
};
use crate::engine::{Engine, EngineConfig, QueryError};

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
    /// The data dir could not be opened (or its private temp folder made).
    DataDir {
        /// The data dir.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
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
            StartError::DataDir { path, source } => {
                write!(f, "cannot open the data dir {}: {source}", path.display())
            }
            StartError::Bind { addr, source } => write!(f, "cannot bind {addr}: {source}"),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StartError::InvalidConfig { .. } => None,
            StartError::Engine { source } => Some(source),
            StartError::DataDir { source, .. } => Some(source),
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

impl EngineSource {
    /// The engine, and the temp data dir to remove at shutdown if the engine is built here.
    async fn build(self) -> Result<(Engine, Option<std::path::PathBuf>), StartError> {
        match self {
            EngineSource::Engine(engine) => Ok((engine, None)),
            EngineSource::Config(config) => {
                let engine = Engine::new(config)
                    .await
                    .map_err(|source| StartError::Engine { source })?;
                // An engine built here is this emulator's alone, so the temp dir it made
                // can go at shutdown (a shared engine's dir goes with its last clone).
                let temporary_data_dir = engine
                    .owns_data_dir()
                    .then(|| engine.data_dir().to_path_buf());
                Ok((engine, temporary_data_dir))
            }
        }
    }
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
    s3_faults: [S3Faults; S3Operation::ALL.len()],
    query_delay: Duration,
    seed: Option<u64>,
    max_body_bytes: usize,
    account_id: String,
    scan_bytes_per_sec: u64,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            engine: EngineSource::Config(EngineConfig::default()),
            max_active_queries: 25,
            faults: [Faults::new(); Operation::ALL.len()],
            s3_faults: [S3Faults::new(); S3Operation::ALL.len()],
            query_delay: Duration::ZERO,
            seed: None,
            max_body_bytes: 4 * 1024 * 1024,
            account_id: DEFAULT_ACCOUNT_ID.to_owned(),
            scan_bytes_per_sec: 0,
        }
    }
}

impl EmulatorBuilder {
    /// The address to listen on. Default is `127.0.0.1:0` (a free port on loopback).
    pub fn with_bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// How to build the SQL engine (data dir, CloudFront rows, init SQL).
    /// Default is [`EngineConfig::default()`]: a fresh temp data dir and 10,000 rows.
    pub fn with_engine_config(mut self, config: EngineConfig) -> Self {
        self.engine = EngineSource::Config(config);
        self
    }

    /// Serves an engine built elsewhere (it may be shared with other emulators).
    /// Default is an engine built from [`EngineConfig::default()`].
    pub fn with_engine(mut self, engine: Engine) -> Self {
        self.engine = EngineSource::Engine(engine);
        self
    }

    /// At most this many queries QUEUED or RUNNING at once; one more start answers
    /// `TooManyRequestsException` (`CONCURRENT_QUERY_LIMIT_EXCEEDED`). Must be at least 1.
    /// Default is 25.
    pub fn with_max_active_queries(mut self, limit: usize) -> Self {
        self.max_active_queries = limit;
        self
    }

    /// The faults of every operation (replaces any set before). Default is none.
    pub fn with_faults(mut self, faults: Faults) -> Self {
        self.faults = [faults; Operation::ALL.len()];
        self
    }

    /// The faults of one operation (replaces those set before for it). Default is none.
    pub fn with_operation_faults(mut self, operation: Operation, faults: Faults) -> Self {
        self.faults[operation.index()] = faults;
        self
    }

    /// Latency of every operation: `fixed` plus a uniform random part of `jitter`.
    /// Default is none.
    pub fn with_latency(mut self, fixed: Duration, jitter: Duration) -> Self {
        for f in &mut self.faults {
            *f = f.with_latency(fixed, jitter);
        }
        self
    }

    /// Latency of one operation: `fixed` plus a uniform random part of `jitter`.
    /// Default is none.
    pub fn with_operation_latency(
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
    pub fn with_throttle_rate(mut self, rate: f64) -> Self {
        for f in &mut self.faults {
            *f = f.with_throttle_rate(rate);
        }
        self
    }

    /// Probability (0.0..=1.0) that a call of any operation answers
    /// `500 InternalServerException`. Default is 0.
    pub fn with_server_error_rate(mut self, rate: f64) -> Self {
        for f in &mut self.faults {
            *f = f.with_server_error_rate(rate);
        }
        self
    }

    /// Probability (0.0..=1.0) that a call of any operation runs but its connection is
    /// closed without an answer. Default is 0.
    pub fn with_drop_connection_rate(mut self, rate: f64) -> Self {
        for f in &mut self.faults {
            *f = f.with_drop_connection_rate(rate);
        }
        self
    }

    /// The S3 faults and limits of every S3 operation (replaces any set before).
    /// Default is none.
    pub fn with_s3_faults(mut self, faults: S3Faults) -> Self {
        self.s3_faults = [faults; S3Operation::ALL.len()];
        self
    }

    /// The S3 faults and limits of one S3 operation (replaces those set before for it).
    /// Default is none.
    pub fn with_s3_operation_faults(mut self, operation: S3Operation, faults: S3Faults) -> Self {
        self.s3_faults[operation.index()] = faults;
        self
    }

    /// Every S3 call waits this long before its answer starts (a GET's first byte).
    /// Default is none.
    pub fn with_s3_first_byte_latency(mut self, latency: Duration) -> Self {
        for f in &mut self.s3_faults {
            *f = f.with_first_byte_latency(latency);
        }
        self
    }

    /// GetObject bodies are paced to at most `bytes_per_second` each (one connection
    /// each); 0 is no limit. Default is no limit.
    pub fn with_s3_bandwidth(mut self, bytes_per_second: u64) -> Self {
        for f in &mut self.s3_faults {
            *f = f.with_bandwidth(bytes_per_second);
        }
        self
    }

    /// Probability (0.0..=1.0) that an S3 call answers `503 SlowDown`. Default is 0.
    pub fn with_s3_slow_down_rate(mut self, rate: f64) -> Self {
        for f in &mut self.s3_faults {
            *f = f.with_slow_down_rate(rate);
        }
        self
    }

    /// Probability (0.0..=1.0) that an S3 call answers `500 InternalError`. Default is 0.
    pub fn with_s3_internal_error_rate(mut self, rate: f64) -> Self {
        for f in &mut self.s3_faults {
            *f = f.with_internal_error_rate(rate);
        }
        self
    }

    /// Probability (0.0..=1.0) that a GetObject body is cut off after `after_bytes` bytes
    /// (see [`S3Faults::with_cut_body`]). Default is 0.
    pub fn with_s3_cut_body(mut self, rate: f64, after_bytes: u64) -> Self {
        for f in &mut self.s3_faults {
            *f = f.with_cut_body(rate, after_bytes);
        }
        self
    }

    /// Every query stays QUEUED then RUNNING for at least this long (half of it
    /// QUEUED). Default is zero: as fast as the engine.
    pub fn with_query_delay(mut self, delay: Duration) -> Self {
        self.query_delay = delay;
        self
    }

    /// Seeds the generator of the fault decisions, so a run is reproducible.
    /// Default is a random seed (see [`Emulator::seed`]).
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The largest request body accepted; larger ones answer HTTP 413. Must be at least
    /// 1 KiB. Default is 4 MiB (a QueryString may hold 262,144 characters).
    pub fn with_max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// The AWS account the emulator is: it owns every bucket, so an S3 call whose
    /// `x-amz-expected-bucket-owner` names another account answers `403 AccessDenied`,
    /// and a query whose `ExpectedBucketOwner` names another is refused. Must be 12
    /// digits. Default is `123456789012`
    /// ([`DEFAULT_ACCOUNT_ID`](crate::server::DEFAULT_ACCOUNT_ID)).
    pub fn with_account_id(mut self, account_id: impl Into<String>) -> Self {
        self.account_id = account_id.into();
        self
    }

    /// Scans are shown at most this many bytes a second: while a query runs, its
    /// `Statistics.DataScannedInBytes` (and GetQueryRuntimeStatistics'
    /// `Rows.InputBytes`) grows with the time it has been RUNNING, up to the bytes it
    /// really read, and it ends once that figure has reached them, so a test can watch
    /// the figure grow across polls. 0 is no limit: a query ends as soon as the engine
    /// has its rows. Default is 0.
    pub fn with_scan_bytes_per_sec(mut self, bytes_per_second: u64) -> Self {
        self.scan_bytes_per_sec = bytes_per_second;
        self
    }

    /// The [`StartError::InvalidConfig`] for the first invalid setting, if any.
    fn validate(&self) -> Result<(), StartError> {
        let invalid = |message: String| Err(StartError::InvalidConfig { message });
        if !is_account_id(&self.account_id) {
            return invalid(format!(
                "account_id {:?} is not an AWS account id (12 digits)",
                self.account_id
            ));
        }
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
        for (operation, faults) in S3Operation::ALL.iter().zip(&self.s3_faults) {
            if let Some((name, rate)) = faults.invalid_rate() {
                return invalid(format!("{name} of {operation} is {rate}, not in 0.0..=1.0"));
            }
        }
        Ok(())
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
        self.validate()?;
        let (engine, temporary_data_dir) = self.engine.build().await?;
        let data_dir = DataDir::open(engine.data_dir()).map_err(|source| StartError::DataDir {
            path: engine.data_dir().to_path_buf(),
            source,
        })?;
        let data_dir = Arc::new(data_dir);
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
        let s3_faults = Arc::new(S3FaultInjector::new(self.s3_faults, seed));
        let s3_counters = Arc::new(S3Counters::default());
        // Path-style only (no virtual host parser), no authentication: requests reach
        // s3s unsigned (see `s3/anonymous.rs`).
        let s3 = s3s::service::S3ServiceBuilder::new(DataDirS3 {
            data_dir: Arc::clone(&data_dir),
            faults: Arc::clone(&s3_faults),
            counters: Arc::clone(&s3_counters),
            account_id: self.account_id.clone(),
        })
        .build();
        let shared = Arc::new(Shared {
            registry: Registry::new(
                engine,
                data_dir,
                Settings {
                    max_active: self.max_active_queries,
                    query_delay: self.query_delay,
                    account_id: self.account_id.clone(),
                    scan_rate: std::num::NonZeroU64::new(self.scan_bytes_per_sec),
                },
            ),
            key: TokenKey::new(),
            faults: FaultInjector::new(self.faults, seed),
            counters: Counters::default(),
            max_body_bytes: self.max_body_bytes,
            s3,
        });
        let (shutdown, signal) = watch::channel(false);
        let server = tokio::spawn(accept_loop(listener, Arc::clone(&shared), signal));
        Ok(Emulator {
            addr,
            seed,
            account_id: self.account_id,
            temporary_data_dir,
            s3_faults,
            s3_counters,
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
///     .with_engine_config(EngineConfig { cloudfront_rows: 0, ..EngineConfig::default() })
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
    account_id: String,
    /// The data dir `EngineConfig::default()` made for this emulator, removed at shutdown.
    temporary_data_dir: Option<std::path::PathBuf>,
    s3_faults: Arc<S3FaultInjector>,
    s3_counters: Arc<S3Counters>,
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

    /// The AWS account id the emulator is, which owns every bucket (see
    /// [`EmulatorBuilder::with_account_id`]).
    pub fn account_id(&self) -> &str {
        &self.account_id
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
    ///     .with_engine_config(EngineConfig { cloudfront_rows: 0, ..EngineConfig::default() })
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
    /// #   .with_engine_config(EngineConfig { cloudfront_rows: 0, ..EngineConfig::default() })
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

    /// How many calls each S3 operation has received so far, and the bytes served.
    pub fn s3_calls(&self) -> S3CallCounts {
        self.s3_counters.snapshot()
    }

    /// Injects an S3 fault into the next `times` calls of `operation` (after any
    /// injected before), whatever the S3 fault rates say. Counted in
    /// [`S3CallCounts::faulted`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use athena_emulator::{Emulator, EngineConfig, S3Injected, S3Operation};
    ///
    /// let emulator = Emulator::builder()
    /// #   .with_engine_config(EngineConfig { cloudfront_rows: 0, ..EngineConfig::default() })
    ///     .start()
    ///     .await?;
    /// // The next GetObject is throttled; the one after it loses its connection after
    /// // 1 KiB of its body.
    /// emulator.inject_s3(S3Operation::GetObject, S3Injected::SlowDown, 1);
    /// emulator.inject_s3(S3Operation::GetObject, S3Injected::CutBody { after_bytes: 1024 }, 1);
    /// assert_eq!(emulator.s3_injected_left(S3Operation::GetObject), 2);
    /// # emulator.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn inject_s3(&self, operation: S3Operation, injected: S3Injected, times: usize) {
        self.s3_faults.inject(operation, injected, times);
    }

    /// How many S3 faults injected into `operation` have not fired yet.
    pub fn s3_injected_left(&self, operation: S3Operation) -> usize {
        self.s3_faults.injected_left(operation)
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
