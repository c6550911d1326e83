//! Peak resident memory (VmHWM, Linux) of reading N rows through the row stream and the
//! fan-out (a no-op per row): with at most `prefetch + 1` pages held, it should not
//! grow with N (target: the peak for 1,000,000 rows at most 1.2x the peak for 10,000).
//!
//! `--read-path` picks how rows are read, as `Athena::with_read_path` does: `auto` (the
//! default: page 1 through `GetQueryResults`, the rest from the result file), `api` or
//! `file`. On the file path memory is bounded by chunks in flight x chunk size (8 x
//! 8 MiB by default) whatever the file's size (target: the peak for 10,000,000 rows at
//! most 1.2x the peak for 100,000).
//!
//! The rows come from `designs::sequence_sql(N)` (a cross join of two sequences), run to completion
//! first. Without `--endpoint-url` an emulator is started in this process, and then its
//! memory (the query's result) is in the figure too; to measure the client alone, run
//! the emulator in another process:
//!
//! ```text
//! cargo run --release -p athena-stream-bench --example peak_memory -- --serve 127.0.0.1:4599 &
//! cargo run --release -p athena-stream-bench --example peak_memory -- --endpoint-url http://127.0.0.1:4599 --rows 10000
//! cargo run --release -p athena-stream-bench --example peak_memory -- --endpoint-url http://127.0.0.1:4599 --rows 1000000
//! cargo run --release -p athena-stream-bench --example peak_memory -- --endpoint-url http://127.0.0.1:4599 --read-path file --rows 100000
//! cargo run --release -p athena-stream-bench --example peak_memory -- --endpoint-url http://127.0.0.1:4599 --read-path file --rows 10000000
//! ```
//!
//! `--chunk-size` and `--chunks-in-flight` set the file path's ranges (default 8 MiB, 8).
//! `--batches` (with `--features arrow`) reads Arrow batches instead of rows through
//! the fan-out; the figures then name the largest batch, and `allowed_kb` is what the
//! peak may add over the RSS before the read: the ranges' budget, 16 MiB and two
//! batches per core.
//!
//! (`--serve ADDR` runs only an emulator, until Ctrl-C; any Athena emulator works, and
//! for the file path it must serve S3 on the same URL, path-style, as athena-emulator
//! does.)
//! Peak RSS is a per-process high-water mark: measure each N in a fresh process.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use athena_emulator::{Emulator, EngineConfig};
use athena_stream::{AthenaBuilder, ReadPath, error::BoxError};
use athena_stream_bench::designs;
use clap::Parser;

/// Peak resident memory of streaming N rows through the row stream and the fan-out.
#[derive(Debug, Parser)]
struct Args {
    /// Rows to stream.
    #[arg(long, default_value_t = 1_000_000)]
    rows: usize,
    /// An Athena-compatible endpoint (default: an emulator in this process).
    #[arg(long)]
    endpoint_url: Option<String>,
    /// max_concurrency of the fan-out.
    #[arg(long, default_value_t = 16)]
    max_concurrency: usize,
    /// How rows are read: `auto`, `api` (GetQueryResults only) or `file` (the result
    /// file only).
    #[arg(long, value_enum, default_value_t = ReadPathArg::Auto)]
    read_path: ReadPathArg,
    /// Bytes of the result file a ranged GET asks for (the file path).
    #[arg(long, default_value_t = AthenaBuilder::DEFAULT_CHUNK_SIZE)]
    chunk_size: u64,
    /// Ranges fetched at once (the file path): with the chunk size, the memory bound.
    #[arg(long, default_value_t = AthenaBuilder::DEFAULT_CHUNKS_IN_FLIGHT)]
    chunks_in_flight: usize,
    /// Read the rows as Arrow batches (`into_batches`, feature `arrow`) instead of
    /// through the fan-out.
    #[arg(long)]
    batches: bool,
    /// Print the figures as one JSON object.
    #[arg(long)]
    json: bool,
    /// Only run an emulator on this address (e.g. 127.0.0.1:4599) until Ctrl-C.
    #[arg(long, conflicts_with = "endpoint_url")]
    serve: Option<SocketAddr>,
}

/// `--read-path`: the names of [`ReadPath::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ReadPathArg {
    Auto,
    Api,
    File,
}

impl From<ReadPathArg> for ReadPath {
    fn from(arg: ReadPathArg) -> Self {
        match arg {
            ReadPathArg::Auto => ReadPath::Auto,
            ReadPathArg::Api => ReadPath::Api,
            ReadPathArg::File => ReadPath::ResultFile,
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
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
    let result = match args.serve {
        Some(addr) => runtime.block_on(serve(addr)),
        None => runtime.block_on(measure(&args)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(addr: SocketAddr) -> Result<(), BoxError> {
    let emulator = Emulator::builder()
        .with_bind(addr)
        .with_engine_config(EngineConfig {
            cloudfront_rows: 0,
            ..EngineConfig::default()
        })
        .start()
        .await?;
    eprintln!(
        "athena emulator at {} (Ctrl-C to stop)",
        emulator.endpoint_url()
    );
    tokio::signal::ctrl_c().await?;
    emulator.shutdown().await;
    Ok(())
}

/// A field of /proc/self/status in kB (`VmHWM`: peak resident memory, `VmRSS`: now).
fn status_kb(field: &str) -> Result<u64, BoxError> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("cannot read /proc/self/status (Linux only): {e}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("no {field} in /proc/self/status").into())
}

/// Reads every row of the finished query `id` as Arrow batches: the rows, the stats and
/// the largest batch's memory (`get_array_memory_size`).
#[cfg(feature = "arrow")]
async fn read_batches(
    athena: &athena_stream::Athena,
    id: &str,
) -> Result<(u64, athena_stream::QueryStats, Option<u64>), BoxError> {
    use futures::StreamExt;
    let mut stream = athena.attach(id).into_batches();
    let (mut rows, mut largest) = (0u64, 0u64);
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        rows += batch.num_rows() as u64;
        largest = largest.max(batch.get_array_memory_size() as u64);
    }
    Ok((rows, stream.stats(), Some(largest)))
}

#[cfg(not(feature = "arrow"))]
async fn read_batches(
    _: &athena_stream::Athena,
    _: &str,
) -> Result<(u64, athena_stream::QueryStats, Option<u64>), BoxError> {
    Err("--batches needs the `arrow` feature: cargo run -p athena-stream-bench --features arrow ...".into())
}

// layout: long function, because one measurement in order (RSS before, the read, the peak, the check), which reads best whole.
async fn measure(args: &Args) -> Result<(), BoxError> {
    if args.rows == 0 {
        return Err("--rows must be at least 1".into());
    }
    let mut emulator = None;
    let endpoint = match &args.endpoint_url {
        Some(url) => url.clone(),
        None => {
            let started = Emulator::builder()
                .with_engine_config(EngineConfig {
                    cloudfront_rows: 0,
                    ..EngineConfig::default()
                })
                .start()
                .await?;
            let url = started.endpoint_url();
            emulator = Some(started);
            url
        }
    };
    let athena = designs::builder(designs::client(&endpoint))
        .with_s3_client(designs::s3_client(&endpoint))
        .with_read_path(args.read_path.into())
        .with_chunk_size(args.chunk_size)
        .with_chunks_in_flight(args.chunks_in_flight)
        .build()?;
    let id = designs::prepare(&athena, &designs::sequence_sql(args.rows), None).await?;
    let before_kb = status_kb("VmHWM")?;

    let started = Instant::now();
    let (rows, stats, largest_batch) = if args.batches {
        read_batches(&athena, &id).await?
    } else {
        let (rows, stats) =
            designs::stream_with_stats(&athena, &id, args.max_concurrency, Duration::ZERO).await?;
        (rows, stats, None)
    };
    let elapsed = started.elapsed();
    let peak_kb = status_kb("VmHWM")?;
    let rss_kb = status_kb("VmRSS")?;
    if rows != args.rows as u64 {
        return Err(format!("read {rows} rows, expected {}", args.rows).into());
    }
    let rows_per_sec = rows as f64 / elapsed.as_secs_f64().max(1e-9);
    let in_process = emulator.is_some();
    // What the peak may add over the RSS before the read on the file path: the ranges'
    // budget, 16 MiB, and two batches per core (the batches being built and handed out).
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let budget_kb = args.chunk_size * args.chunks_in_flight as u64 / 1024;
    let allowed_kb = budget_kb + 16 * 1024 + 2 * cores * largest_batch.unwrap_or(0) / 1024;
    if args.json {
        let line = serde_json::json!({
            "rows": rows,
            "max_concurrency": args.max_concurrency,
            "read_path": stats.read_path.map(ReadPath::as_str),
            "bytes_read": stats.bytes_read,
            "chunk_size": args.chunk_size,
            "chunks_in_flight": args.chunks_in_flight,
            "emulator_in_process": in_process,
            "elapsed_ms": (elapsed.as_secs_f64() * 1000.0).round(),
            "rows_per_sec": rows_per_sec.round(),
            "peak_rss_before_kb": before_kb,
            "peak_rss_kb": peak_kb,
            "rss_end_kb": rss_kb,
            "batches": args.batches,
            "largest_batch_bytes": largest_batch,
            "peak_minus_before_kb": peak_kb.saturating_sub(before_kb),
            "allowed_kb": allowed_kb,
        });
        println!("{line}");
    } else {
        println!(
            "{rows} rows in {:.2} s ({rows_per_sec:.0} rows/s), {}, read path {}: peak RSS {:.1} MiB (before streaming {:.1} MiB, at the end {:.1} MiB; the peak may add {:.1} MiB){}",
            elapsed.as_secs_f64(),
            if args.batches {
                format!("as batches (largest {} bytes)", largest_batch.unwrap_or(0))
            } else {
                format!("max_concurrency {}", args.max_concurrency)
            },
            stats.read_path.map_or("none", ReadPath::as_str),
            peak_kb as f64 / 1024.0,
            before_kb as f64 / 1024.0,
            rss_kb as f64 / 1024.0,
            allowed_kb as f64 / 1024.0,
            if in_process {
                "; the emulator runs in this process"
            } else {
                ""
            },
        );
    }
    if let Some(emulator) = emulator {
        emulator.shutdown().await;
    }
    Ok(())
}
