//! The two read paths side by side in one run: the same finished query read
//! through `GetQueryResults` (`ReadPath::Api`) and from its result file in S3
//! (`ReadPath::ResultFile`), against an emulator in this process set to realistic
//! service times: `GetQueryResults` 150 ms a call (what 6.7k rows/s on real Athena
//! means), S3 first byte 30 ms and 90 MB/s per connection (S3's guidance for one
//! connection).
//!
//! Two queries over the emulator's `cf_access_logs` table with `--rows` rows: five
//! CloudFront columns (`five_columns`, the shape of `bench/benches/parse_csv.rs`) and
//! `SELECT *` (`all_columns`, 33 columns).
//!
//! With the `unload` feature (`--features unload`, the library's, forwarded by this crate), each query is also
//! unloaded to Parquet (`UNLOAD ... WITH (format = 'PARQUET')`, outside the clock) and
//! its files read in parallel with `Unloaded::rows` under the same S3 limits: the UNLOAD
//! path against the result-file path on the same rows (`path` `unload`, with
//! `files`, `x_file` and `x_api`).
//!
//! Then, on a second emulator that adds no latency, the file path against a bare
//! `aws-sdk-s3` ranged download of the same file (same chunk size and chunks in flight,
//! no parsing): the file path's own cost over moving the bytes.
//!
//! ```text
//! cargo run --release -p athena-stream-bench --example read_paths                    # 1,000,000 rows
//! cargo run --release -p athena-stream-bench --features unload --example read_paths   # and the UNLOAD path
//! cargo run --release -p athena-stream-bench --example read_paths -- --rows 100000 --query five-columns
//! cargo run -p athena-stream-bench --example read_paths -- --quick                    # a small check, a few seconds
//! ```
//!
//! Stdout gets one JSON object a line, each with a `kind`:
//! - `read`: one path reading one query: `phase` (`service_times` or `no_latency`),
//!   `query`, `path` (`api`, `file`), `rows`, `elapsed_ms`, `rows_per_sec`,
//!   `mb_per_sec` (the result file's size over the time, so that both paths compare),
//!   `bytes` (received from S3), `ranges`, `get_query_results_calls`, `s3_retries`; a
//!   file read also has `bound_rows_per_sec` (min(chunks in flight x bandwidth / bytes
//!   per row, parse rate / bytes per row)), `bound_by`, `of_bound`, and beside an API
//!   read of the same query `x_api`; with service times also `ranges_bound_rows_per_sec`
//!   (the ranges in flight with S3's first-byte latency counted: chunks in flight x
//!   chunk size / (first byte + chunk size / bandwidth) / bytes per row) and
//!   `of_ranges_bound` (the read over the smaller of that and the parse term). A file
//!   read is made `--repeat` times (5): the line is the read of median time, `runs`
//!   lists every read's rows/s from fastest to slowest, and `cores_busy` is the CPU
//!   time the whole process (emulator included) used during it over its time, on Linux;
//! - `bare_download`: `bytes`, `ranges`, `elapsed_ms`, `mb_per_sec`, `runs`,
//!   `cores_busy` (as above), and the file path's `file_path_of_bare` (its MB/s over
//!   the download's; the target is at least 0.9);
//! - `parse`: the parse rate on this machine (`mb_per_sec`, one core, each row's values
//!   copied into one buffer as rows from a result file hold them) on the first 64 MiB
//!   of the query's result file, before the reads; not printed when given with
//!   `--parse-mb-per-sec`;
//! - `library_parse` (no-latency run): the library's own parse of that sample, cut at
//!   its last row end, on one core in MB/s: `count_mb_per_sec` (the parser alone, each
//!   field only counted), `rows_mb_per_sec` (into rows as the file path makes them),
//!   `batches_mb_per_sec` and `batches_x_rows` (feature `arrow`).
//!
//! A short table goes to stderr; `--svg PATH` also draws every read's rows/s as a bar
//! (log scale), with the file path's bound over its bar.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use athena_emulator::{Emulator, EngineConfig, Operation};
use athena_stream::{
    Athena, AthenaBuilder, QueryStats, ReadPath, StartQueryExecution, error::BoxError,
};
use clap::Parser;
use futures::StreamExt;
use serde_json::json;

use athena_stream_bench::read_paths_chart::Bar;
use athena_stream_bench::{designs, raw_s3, read_paths_chart};

/// Read the same query through GetQueryResults and from its result file, and compare.
#[derive(Debug, Parser)]
struct Args {
    /// Rows of the CloudFront table, and so of each query's result.
    #[arg(long, default_value_t = 1_000_000)]
    rows: usize,
    /// A small run to check that everything works: 20,000 rows.
    #[arg(long, conflicts_with = "rows")]
    quick: bool,
    /// Which queries: `five-columns`, `all-columns` (repeat the flag for both; default both).
    #[arg(long = "query", value_enum)]
    queries: Vec<QueryKind>,
    /// Latency of every GetQueryResults call, ms.
    #[arg(long, default_value_t = 150)]
    page_ms: u64,
    /// S3 first-byte latency of every call, ms.
    #[arg(long, default_value_t = 30)]
    first_byte_ms: u64,
    /// S3 bandwidth of one connection (one GetObject), MB/s (10^6 bytes).
    #[arg(long, default_value_t = 90)]
    bandwidth_mb_per_sec: u64,
    /// Bytes of one ranged GET.
    #[arg(long, default_value_t = AthenaBuilder::DEFAULT_CHUNK_SIZE)]
    chunk_size: u64,
    /// Ranged GETs at once.
    #[arg(long, default_value_t = AthenaBuilder::DEFAULT_CHUNKS_IN_FLIGHT)]
    chunks_in_flight: usize,
    /// The parse rate for the bound, MB/s on one core (default: measured in this run on
    /// the first 64 MiB of each result file).
    #[arg(long)]
    parse_mb_per_sec: Option<f64>,
    /// Reads of the file path, and bare downloads, per measurement: the one of median
    /// time is reported (this machine is shared, and one read of a million rows takes
    /// well under a second), with every read's rows/s in `runs`.
    #[arg(long, default_value_t = 5)]
    repeat: usize,
    /// Skip the API path (at 150 ms a page it takes 150 s per million rows).
    #[arg(long)]
    skip_api: bool,
    /// Skip the second part (file path against a bare download, no latency).
    #[arg(long)]
    skip_bare: bool,
    /// Rows per Parquet file of an UNLOAD (the emulator's split; Athena's own depends
    /// on the data): 1,000,000 rows make 10 files by default. Only with `--features
    /// unload`.
    #[arg(long, default_value_t = 100_000)]
    unload_rows_per_file: usize,
    /// A Python with PyAthena's Arrow cursor (`pip install 'PyAthena[arrow]==4.2.1'`):
    /// then `tools/pyathena_arrow.py` reads each query's result file too, on the same
    /// emulator with the same service times, over as many connections (its parts at
    /// once: `--chunks-in-flight`) of as many bytes (`--chunk-size`), and the line
    /// `pyathena` compares it. PyAthena's own settings are 16 parts of 8 MiB.
    #[arg(long)]
    pyathena: Option<PathBuf>,
    /// Also draw rows/s of every read as bars in an SVG file here (e.g.
    /// docs/read_paths.svg).
    #[arg(long)]
    svg: Option<PathBuf>,
}

/// The two queries of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum QueryKind {
    FiveColumns,
    AllColumns,
}

impl QueryKind {
    fn name(self) -> &'static str {
        match self {
            QueryKind::FiveColumns => "five_columns",
            QueryKind::AllColumns => "all_columns",
        }
    }

    fn sql(self) -> &'static str {
        match self {
            QueryKind::FiveColumns => {
                "SELECT date, uri, status, bytes, user_agent FROM cf_access_logs"
            }
            QueryKind::AllColumns => "SELECT * FROM cf_access_logs",
        }
    }

    /// The query's name on the chart, where labels are short.
    fn short(self) -> &'static str {
        match self {
            QueryKind::FiveColumns => "5 cols",
            QueryKind::AllColumns => "33 cols",
        }
    }
}

/// What the run needs besides the flags: the emulator's limits as numbers.
struct Plan {
    rows: usize,
    unload_rows_per_file: std::num::NonZeroUsize,
    queries: Vec<QueryKind>,
    page: Duration,
    first_byte: Duration,
    /// Bytes/s of one connection.
    bandwidth: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    // Silent unless asked:
    // `RUST_LOG=athena_stream::result_file=debug,athena_stream::s3=debug` gives the
    // timeline of each read (BENCHMARKS.md, "Read paths"), times in seconds since start.
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_timer(tracing_subscriber::fmt::time::uptime())
            .with_ansi(false)
            .with_writer(std::io::stderr)
            .init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<(), BoxError> {
    let plan = plan(args)?;
    let started = Instant::now();
    eprintln!(
        "{} rows; GetQueryResults {} ms a call, S3 first byte {} ms, {} MB/s a connection; chunks of {} MiB, {} in flight",
        plan.rows,
        plan.page.as_millis(),
        plan.first_byte.as_millis(),
        plan.bandwidth / 1_000_000,
        args.chunk_size as f64 / (1 << 20) as f64,
        args.chunks_in_flight,
    );
    let mut bars = Vec::new();
    // One emulator at a time: each holds its own copy of the table and the results.
    let emulator = start_emulator(&plan, true).await?;
    for &query in &plan.queries {
        bars.extend(service_times(args, &plan, &emulator, query).await?);
    }
    emulator.shutdown().await;
    if !args.skip_bare {
        let emulator = start_emulator(&plan, false).await?;
        for &query in &plan.queries {
            bars.push(no_latency(args, &plan, &emulator, query).await?);
        }
        emulator.shutdown().await;
    }
    if let Some(path) = &args.svg {
        let caption = format!(
            "{} rows: GetQueryResults {} ms a call; S3 {} ms first byte, {} MB/s a connection",
            plan.rows,
            plan.page.as_millis(),
            plan.first_byte.as_millis(),
            plan.bandwidth / 1_000_000
        );
        read_paths_chart::write(path, &caption, &bars)?;
        eprintln!("chart written to {}", path.display());
    }
    eprintln!("took {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn plan(args: &Args) -> Result<Plan, BoxError> {
    let rows = if args.quick { 20_000 } else { args.rows };
    if rows == 0 {
        return Err("--rows must be at least 1".into());
    }
    if args.chunk_size == 0 || args.chunks_in_flight == 0 {
        return Err("--chunk-size and --chunks-in-flight must be at least 1".into());
    }
    if args.bandwidth_mb_per_sec == 0 {
        return Err("--bandwidth-mb-per-sec must be at least 1".into());
    }
    if args
        .parse_mb_per_sec
        .is_some_and(|rate| !rate.is_finite() || rate <= 0.0)
    {
        return Err("--parse-mb-per-sec must be above 0".into());
    }
    let mut queries = args.queries.clone();
    if queries.is_empty() {
        queries = vec![QueryKind::FiveColumns, QueryKind::AllColumns];
    }
    queries.dedup();
    let unload_rows_per_file = std::num::NonZeroUsize::new(args.unload_rows_per_file)
        .ok_or("--unload-rows-per-file must be at least 1")?;
    Ok(Plan {
        rows,
        unload_rows_per_file,
        queries,
        page: Duration::from_millis(args.page_ms),
        first_byte: Duration::from_millis(args.first_byte_ms),
        bandwidth: args.bandwidth_mb_per_sec.saturating_mul(1_000_000),
    })
}

/// An emulator with the CloudFront table of `plan.rows` rows; with `service_times`, the
/// latencies and bandwidth of the plan, else none.
async fn start_emulator(plan: &Plan, service_times: bool) -> Result<Emulator, BoxError> {
    let mut builder = Emulator::builder().with_engine_config(EngineConfig {
        cloudfront_rows: plan.rows,
        unload_rows_per_file: plan.unload_rows_per_file,
        ..EngineConfig::default()
    });
    if service_times {
        builder = builder
            .with_operation_latency(Operation::GetQueryResults, plan.page, Duration::ZERO)
            .with_s3_first_byte_latency(plan.first_byte)
            .with_s3_bandwidth(plan.bandwidth);
    }
    Ok(builder.start().await?)
}

/// The library on `emulator`, reading by `read_path` with the chunk settings of `args`.
fn library(args: &Args, emulator: &Emulator, read_path: ReadPath) -> Result<Athena, BoxError> {
    let endpoint = emulator.endpoint_url();
    let athena = designs::builder(designs::client(&endpoint))
        .with_s3_client(designs::s3_client(&endpoint))
        .with_read_path(read_path)
        .with_chunk_size(args.chunk_size)
        .with_chunks_in_flight(args.chunks_in_flight)
        .build()?;
    Ok(athena)
}

/// A finished query: its id and where its result file is.
struct Prepared {
    id: String,
    location: raw_s3::Location,
    /// The result file's size.
    file_bytes: u64,
}

/// Runs `query` to completion (outside any timed part) and finds its result file.
async fn prepare(
    athena: &Athena,
    s3: &aws_sdk_s3::Client,
    query: QueryKind,
) -> Result<Prepared, BoxError> {
    let execution = athena
        .execute(StartQueryExecution::new(query.sql()).with_database("serverlessland_database"))
        .await?;
    let output = execution
        .result_configuration
        .output_location
        .ok_or("the query has no OutputLocation: no result file to read")?;
    let location = raw_s3::Location::parse(&output)?;
    let file_bytes = raw_s3::size(s3, &location).await?;
    Ok(Prepared {
        id: execution.query_execution_id,
        location,
        file_bytes,
    })
}

/// One read of a whole result: rows, time, and the stream's counters.
struct Read {
    rows: u64,
    elapsed: Duration,
    stats: QueryStats,
    /// The CPU time the whole process used during the read (see [`process_cpu`]).
    cpu: Option<Duration>,
}

/// The CPU time this process has used so far, all threads, user and system (the
/// emulator's included, since it runs in this process), from `/proc/self/stat`; `None`
/// where there is no such file. It counts in clock ticks of 10 ms (Linux's `USER_HZ`
/// is 100), against reads of 100 ms and more.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may hold spaces: count the fields after its ')'.
    let mut fields = stat.get(stat.rfind(')')? + 2..)?.split(' ');
    // utime and stime are fields 14 and 15 of the line, so the 12th and 13th after it.
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

/// The CPU time used since [`process_cpu`] read `before`.
fn cpu_since(before: Option<Duration>) -> Option<Duration> {
    process_cpu()?.checked_sub(before?)
}

/// The cores kept busy on average: `cpu` time over `elapsed`, to three decimals.
fn cores_busy(cpu: Duration, elapsed: Duration) -> f64 {
    round3(cpu.as_secs_f64() / elapsed.as_secs_f64().max(1e-9))
}

/// Reads the finished query `repeat` times (at least once), checking each read's rows:
/// the read of median time, and every read's rows/s from fastest to slowest.
async fn read_median(
    athena: &Athena,
    id: &str,
    repeat: usize,
    plan: &Plan,
    shape: Shape,
) -> Result<(Read, Vec<f64>), BoxError> {
    let mut reads = Vec::new();
    for _ in 0..repeat.max(1) {
        let before = process_cpu();
        let mut read = read_all(athena, id, shape).await?;
        read.cpu = cpu_since(before);
        check_rows(&read, plan)?;
        reads.push(read);
    }
    Ok(median_by_time(
        reads,
        |r| r.elapsed,
        |r| rate(r.rows, r.elapsed),
    ))
}

/// The run of median time among `runs` (at least one), and every run's rate (`rate`,
/// rounded) from fastest to slowest.
fn median_by_time<T>(
    mut runs: Vec<T>,
    elapsed: impl Fn(&T) -> Duration,
    rate: impl Fn(&T) -> f64,
) -> (T, Vec<f64>) {
    runs.sort_by_key(|r| elapsed(r));
    let rates = runs.iter().map(|r| round1(rate(r))).collect();
    (runs.swap_remove(runs.len() / 2), rates)
}

/// Reads every row of the finished query `id` (each row only looked at), in a task
/// spawned on the runtime, as a service reads: a reader in `block_on` runs on a thread
/// that is not one of the runtime's, and every row then crosses threads (BENCHMARKS.md,
/// "Overhead of the full path").
async fn read_all(athena: &Athena, id: &str, shape: Shape) -> Result<Read, BoxError> {
    #[cfg(feature = "arrow")]
    if shape == Shape::Batches {
        return read_all_batches(athena, id).await;
    }
    let _ = shape;
    let mut stream = athena.attach(id);
    tokio::spawn(async move {
        let started = Instant::now();
        let mut rows = 0u64;
        while let Some(row) = stream.next().await {
            std::hint::black_box(row?);
            rows += 1;
        }
        Ok(Read {
            rows,
            elapsed: started.elapsed(),
            stats: stream.stats(),
            cpu: None,
        })
    })
    .await?
}

/// PyAthena's Arrow cursor reading the same finished query (`tools/pyathena_arrow.py`,
/// run with `python`), against the library's reads of it (`rates`: each path's rows/s).
fn pyathena(
    python: &std::path::Path,
    args: &Args,
    emulator: &Emulator,
    prepared: &Prepared,
    query: QueryKind,
    rates: &[(&str, f64)],
) -> Result<serde_json::Value, BoxError> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tools/pyathena_arrow.py");
    let output = std::process::Command::new(python)
        .arg(script)
        .args(["--endpoint", &emulator.endpoint_url()])
        .args(["--query-id", &prepared.id])
        .args(["--repeat", &args.repeat.max(1).to_string()])
        // As many connections and bytes a request as the library's reads.
        .args(["--part-size", &args.chunk_size.to_string()])
        .args(["--max-parts", &args.chunks_in_flight.to_string()])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        return Err(format!("{script} failed: {}", tail.join(" | ")).into());
    }
    let mut line: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("{script} printed no JSON object: {e}"))?;
    line["kind"] = json!("pyathena");
    line["phase"] = json!("service_times");
    line["query"] = json!(query.name());
    line["path"] = json!("pyathena_arrow");
    let theirs = line["rows_per_sec"].as_f64().unwrap_or(0.0).max(1e-9);
    for (path, ours) in rates {
        line[format!("{path}_x_pyathena")] = json!(round3(ours / theirs));
    }
    Ok(line)
}

/// Every row of the finished query `id` as Arrow batches (feature `arrow`), each batch
/// only looked at, as [`read_all`] reads rows.
#[cfg(feature = "arrow")]
async fn read_all_batches(athena: &Athena, id: &str) -> Result<Read, BoxError> {
    let mut stream = athena.attach(id).into_batches();
    tokio::spawn(async move {
        let started = Instant::now();
        let mut rows = 0u64;
        while let Some(batch) = stream.next().await {
            rows += std::hint::black_box(batch?).num_rows() as u64;
        }
        Ok(Read {
            rows,
            elapsed: started.elapsed(),
            stats: stream.stats(),
            cpu: None,
        })
    })
    .await?
}

/// How a read takes the results: rows, or Arrow batches (feature `arrow`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Rows,
    #[cfg(feature = "arrow")]
    Batches,
}

/// The first read given (of rows) sets the rate; a later one (of batches) gets `x_rows`,
/// its rows/s over that.
fn x_rows(line: &mut serde_json::Value, read: &Read, rows_rate: &mut Option<f64>) {
    let this = rate(read.rows, read.elapsed);
    match rows_rate {
        None => *rows_rate = Some(this),
        Some(rows) => line["x_rows"] = json!(round3(this / rows.max(1e-9))),
    }
}

fn check_rows(read: &Read, plan: &Plan) -> Result<(), BoxError> {
    if read.rows == plan.rows as u64 {
        Ok(())
    } else {
        Err(format!("read {} rows, expected {}", read.rows, plan.rows).into())
    }
}

fn rate(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(1e-9)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The `read` line of one path reading one query.
fn read_line(
    phase: &str,
    query: QueryKind,
    path: &str,
    read: &Read,
    file_bytes: u64,
) -> serde_json::Value {
    json!({
        "kind": "read",
        "phase": phase,
        "query": query.name(),
        "path": path,
        "rows": read.rows,
        "elapsed_ms": round1(read.elapsed.as_secs_f64() * 1000.0),
        "rows_per_sec": rate(read.rows, read.elapsed).round(),
        "mb_per_sec": round1(file_bytes as f64 / 1e6 / read.elapsed.as_secs_f64().max(1e-9)),
        "bytes": read.stats.bytes_read,
        "ranges": read.stats.ranges,
        "get_query_results_calls": read.stats.get_query_results_calls,
        "s3_retries": read.stats.s3_retries,
        "fallback_reason": read.stats.fallback_reason,
        "cores_busy": read.cpu.map(|cpu| cores_busy(cpu, read.elapsed)),
    })
}

/// Adds the file path's bound (rows/s) and how close the read came to it; returns the
/// bound.
fn add_bound(line: &mut serde_json::Value, read: &Read, by_bandwidth: f64, by_parse: f64) -> f64 {
    let (bound, by) = if by_bandwidth <= by_parse {
        (by_bandwidth, "bandwidth")
    } else {
        (by_parse, "parse")
    };
    line["bound_rows_per_sec"] = json!(bound.round());
    line["bound_by"] = json!(by);
    line["of_bound"] = json!(round3(rate(read.rows, read.elapsed) / bound.max(1e-9)));
    bound
}

/// Prints `line` to stdout, and a short form of it to stderr.
fn report(line: &serde_json::Value) {
    println!("{line}");
    let text = |key: &str| match &line[key] {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut short = format!(
        "{:<13} {:<12} {:<13}",
        text("kind"),
        text("query"),
        text("path")
    );
    for key in [
        "rows_per_sec",
        "mb_per_sec",
        "bytes",
        "ranges",
        "bound_rows_per_sec",
        "of_bound",
        "of_ranges_bound",
        "x_api",
        "x_file",
        "x_rows",
        "file_x_pyathena",
        "file_batches_x_pyathena",
        "download_mb_per_sec",
        "parse_mb_per_sec",
        "files",
        "file_path_of_bare",
        "cores_busy",
    ] {
        if !line[key].is_null() {
            short.push_str(&format!(" {key}={}", text(key)));
        }
    }
    eprintln!("{short}");
}

/// The UNLOAD path (feature `unload`): the query's rows unloaded to Parquet, then read
/// from all files at once.
mod runs;
use runs::{no_latency, service_times};
#[cfg(feature = "unload")]
mod unload;

#[cfg(test)]
mod tests;
