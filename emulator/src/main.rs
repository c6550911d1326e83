//! `athena-emulator`: a local Amazon Athena endpoint (and S3 on the same port), from the
//! command line.
//!
//! ```text
//! athena-emulator --port 4570 --data-dir ./athena-data
//! athena-emulator listening on http://127.0.0.1:4570
//! ```

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use athena_emulator::{Emulator, EngineConfig, Faults, Operation, S3Faults};
use clap::Parser;

/// A local Amazon Athena endpoint on Apache DataFusion, with S3 on the same port.
///
/// Speaks Athena's awsJson1_1 protocol and S3's REST protocol (path-style:
/// URL/bucket/key is DATA_DIR/bucket/key); point any AWS SDK or the AWS CLI at the
/// printed URL with any credentials (signatures are not verified). Stops on Ctrl-C.
#[derive(Debug, Parser)]
#[command(name = "athena-emulator", version)]
struct Args {
    /// Address to listen on (loopback unless you ask otherwise); `HOST` or `HOST:PORT`.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST).to_string())]
    bind: String,

    /// Port to listen on (0: any free port); ignored when --bind has a port.
    #[arg(long, default_value_t = 4570)]
    port: u16,

    /// Directory that `s3://bucket/prefix/` maps to (`DIR/bucket/prefix/`).
    /// Default: a fresh directory under the system temp dir.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// A file of `;`-separated DDL statements to run at startup.
    #[arg(long, value_name = "FILE")]
    init_sql: Option<PathBuf>,

    /// Rows of the built-in `serverlessland_database.cf_access_logs` table (0: none).
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    cloudfront_rows: usize,

    /// The most rows UNLOAD writes into one file before it starts the next.
    #[arg(long, value_name = "N", default_value_t = athena_emulator::engine::DEFAULT_UNLOAD_ROWS_PER_FILE)]
    unload_rows_per_file: std::num::NonZeroUsize,

    /// Queries QUEUED or RUNNING at once; beyond it, TooManyRequestsException.
    #[arg(long, value_name = "N", default_value_t = 25)]
    max_active_queries: usize,

    /// Added latency of every call, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency_ms: u64,

    /// Uniform random latency added on top of --latency-ms, up to this many milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    jitter_ms: u64,

    /// Latency of one operation: `Operation=MS` or `Operation=MS+JITTER_MS`
    /// (e.g. `GetQueryResults=50+20`); repeatable; overrides --latency-ms for it.
    #[arg(long, value_name = "OP=MS[+JITTER]", value_parser = parse_operation_latency)]
    operation_latency: Vec<(Operation, u64, u64)>,

    /// Probability (0..=1) that a call answers 400 ThrottlingException (`Rate exceeded`).
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    throttle_rate: f64,

    /// Probability (0..=1) that a call answers 500 InternalServerException.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    server_error_rate: f64,

    /// Probability (0..=1) that a call runs but its connection closes without an answer.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    drop_connection_rate: f64,

    /// S3: milliseconds every S3 call waits before its answer (a GET's first byte).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    s3_first_byte_latency_ms: u64,

    /// S3: bytes per second of each GetObject body (one connection each; 0: no limit).
    #[arg(long, value_name = "BYTES", default_value_t = 0)]
    s3_bandwidth: u64,

    /// S3: probability (0..=1) that an S3 call answers 503 SlowDown.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    s3_slow_down_rate: f64,

    /// S3: probability (0..=1) that an S3 call answers 500 InternalError.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    s3_internal_error_rate: f64,

    /// S3: probability (0..=1) that a GetObject body is cut off (the connection closes
    /// after --s3-cut-body-after bytes of it).
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    s3_cut_body_rate: f64,

    /// S3: bytes of a body sent before a cut (all but its last byte when shorter).
    #[arg(long, value_name = "BYTES", default_value_t = 0)]
    s3_cut_body_after: u64,

    /// Every query stays QUEUED/RUNNING for at least this many milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    query_delay_ms: u64,

    /// Scans are shown at most this many bytes a second: a running query's
    /// DataScannedInBytes grows with time up to what it read (0: no limit).
    #[arg(long, value_name = "BYTES", default_value_t = 0)]
    scan_bytes_per_sec: u64,

    /// Seed of the fault decisions, for a reproducible run (default: random).
    #[arg(long, value_name = "N")]
    seed: Option<u64>,

    /// Largest request body accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 4 * 1024 * 1024)]
    max_body_bytes: usize,

    /// The AWS account id (12 digits) that owns every bucket: S3's
    /// x-amz-expected-bucket-owner and Athena's ExpectedBucketOwner are checked against it.
    #[arg(long, value_name = "ID", default_value = athena_emulator::DEFAULT_ACCOUNT_ID)]
    account_id: String,
}

fn parse_operation_latency(text: &str) -> Result<(Operation, u64, u64), String> {
    let (name, millis) = text
        .split_once('=')
        .ok_or_else(|| format!("expected OPERATION=MS[+JITTER_MS], got {text:?}"))?;
    let operation = Operation::from_name(name).ok_or_else(|| {
        let names: Vec<_> = Operation::ALL.iter().map(|o| o.name()).collect();
        format!("unknown operation {name:?}; one of {}", names.join(", "))
    })?;
    let (fixed, jitter) = millis.split_once('+').unwrap_or((millis, "0"));
    let number = |s: &str| {
        s.trim()
            .parse::<u64>()
            .map_err(|e| format!("{s:?} is not a number of milliseconds: {e}"))
    };
    Ok((operation, number(fixed)?, number(jitter)?))
}

impl Args {
    fn bind_addr(&self) -> Result<SocketAddr, String> {
        if let Ok(addr) = self.bind.parse::<SocketAddr>() {
            return Ok(addr);
        }
        let ip: IpAddr = self
            .bind
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .map_err(|e| format!("--bind {:?} is not an IP address: {e}", self.bind))?;
        Ok(SocketAddr::new(ip, self.port))
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let bind = match args.bind_addr() {
        Ok(bind) => bind,
        Err(message) => {
            eprintln!("athena-emulator: {message}");
            return ExitCode::from(2);
        }
    };
    let mut engine = EngineConfig {
        cloudfront_rows: args.cloudfront_rows,
        init_sql: args.init_sql.clone(),
        unload_rows_per_file: args.unload_rows_per_file,
        ..EngineConfig::default()
    };
    if let Some(dir) = &args.data_dir {
        engine.data_dir = dir.clone();
    }
    let mut builder = Emulator::builder()
        .with_bind(bind)
        .with_engine_config(engine)
        .with_max_active_queries(args.max_active_queries)
        .with_faults(
            Faults::new()
                .with_latency(
                    Duration::from_millis(args.latency_ms),
                    Duration::from_millis(args.jitter_ms),
                )
                .with_throttle_rate(args.throttle_rate)
                .with_server_error_rate(args.server_error_rate)
                .with_drop_connection_rate(args.drop_connection_rate),
        )
        .with_s3_faults(
            S3Faults::new()
                .with_first_byte_latency(Duration::from_millis(args.s3_first_byte_latency_ms))
                .with_bandwidth(args.s3_bandwidth)
                .with_slow_down_rate(args.s3_slow_down_rate)
                .with_internal_error_rate(args.s3_internal_error_rate)
                .with_cut_body(args.s3_cut_body_rate, args.s3_cut_body_after),
        )
        .with_query_delay(Duration::from_millis(args.query_delay_ms))
        .with_max_body_bytes(args.max_body_bytes)
        .with_account_id(args.account_id.clone())
        .with_scan_bytes_per_sec(args.scan_bytes_per_sec);
    for &(operation, fixed, jitter) in &args.operation_latency {
        builder = builder.with_operation_latency(
            operation,
            Duration::from_millis(fixed),
            Duration::from_millis(jitter),
        );
    }
    if let Some(seed) = args.seed {
        builder = builder.with_seed(seed);
    }
    let emulator = match builder.start().await {
        Ok(emulator) => emulator,
        Err(error) => {
            eprintln!("athena-emulator: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("athena-emulator listening on {}", emulator.endpoint_url());
    eprintln!(
        "athena-emulator: data dir {}, fault seed {}; Ctrl-C to stop",
        emulator.engine().data_dir().display(),
        emulator.seed()
    );
    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("athena-emulator: cannot wait for Ctrl-C ({error}); stopping");
    }
    emulator.shutdown().await;
    ExitCode::SUCCESS
}
