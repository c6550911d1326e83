//! AWS's sample workflow (sfn-athena-cdk-python), done right: start the query, wait for
//! it, read its results, and run `DoSomething` on every row with at most
//! `--max-concurrency` rows in flight and no barrier between pages. Or, with
//! `--format arrow-ipc`, hand the same results on as typed Arrow columns for another
//! tool to read.
//!
//! With no flags it starts the Athena emulator in-process, with the sample's
//! `serverlessland_database.cf_access_logs` table, and runs the sample's query:
//!
//! ```text
//! cargo run --example cloudfront_map
//! cargo run --example cloudfront_map -- --query "SELECT * FROM cf_access_logs LIMIT 100" --max-concurrency 8
//! cargo run --example cloudfront_map -- --query "SELECT * FROM cf_access_logs" --read-path file > rows.jsonl
//! cargo run --example cloudfront_map -- --aws --output-location s3://my-bucket/results/
//! cargo run --features arrow --example cloudfront_map -- --format arrow-ipc --output results.arrow
//! ```
//!
//! Rows are read the library's default way (`--read-path auto`): page 1 through
//! `GetQueryResults`, and the rest of a larger result from its result file in S3, in
//! parallel byte ranges; `api` pages through `GetQueryResults` only, `file` reads the
//! file only. The embedded emulator serves S3 on its Athena endpoint, so all three work
//! without AWS.
//!
//! What is written (`--format`):
//! - `jsonl`, the default: each row goes through the fan-out (`--max-concurrency`,
//!   `--item-delay-ms`), whose `DoSomething` writes it to stdout, or to `--output FILE`,
//!   as one JSON object (keys = column names, NULL as null, values as Athena's text;
//!   with `--typed`, values decoded by their column type).
//! - `arrow-ipc`, with the library's `arrow` feature (`cargo run --features arrow ...`;
//!   without it the mode is refused, naming the feature, so that the first command above
//!   needs no Arrow): the results as Arrow record batches
//!   (`RowStream::into_batches`), each column typed from Athena's metadata as
//!   `athena_stream::arrow::schema` maps it, NULL apart from `""`, written to
//!   `--output FILE` (required: the format is binary) as an Arrow IPC stream, the schema
//!   first and then each batch as it arrives. There is no fan-out in this mode: nothing
//!   runs per row, so `--max-concurrency`, `--item-delay-ms` and `--typed` do not apply.
//!   Read the file with `pyarrow.ipc.open_stream("results.arrow").read_all()`,
//!   `polars.read_ipc_stream("results.arrow")` or arrow-rs's
//!   `arrow_ipc::reader::StreamReader`.
//!
//! `--output FILE` is written as `FILE.partial` and renamed to FILE once complete, so that
//! a failed or interrupted run leaves no FILE that looks whole: JSON lines or an IPC
//! stream cut short between two batches still read as a complete, shorter result.
//!
//! A summary goes to stderr: rows, pages (jsonl) or batches (arrow-ipc), time, rows/s and
//! the read path. When stderr is a terminal, a status line there follows the query while
//! it runs. Ctrl-C stops the query before the program exits.

#[cfg(all(test, feature = "arrow"))]
mod arrow_interop;
#[cfg(feature = "arrow")]
mod arrow_ipc_out;
mod client;
mod progress;
mod report;
mod rows;

use std::cell::RefCell;
use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use athena_stream::{
    Athena, Error, QueryStats, ReadPath, Row, RowStream, StartQueryExecution,
    map::{MapExt, MapReport, MapSettings},
};
use clap::{CommandFactory, Parser};
use futures::StreamExt;
use tokio::time::MissedTickBehavior;

use client::{QueryContext, Target};
use progress::{LogWriter, QueryStatus, STATUS, status_text};
use report::{error_report, read_path_text};
use rows::row_json;

/// What `run` fails with: the library's errors, the output's, Arrow's.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Run an Athena query and process each of its rows, like AWS's sample Step Functions
/// workflow but in-process, with retries, cancellation and no barrier between pages; or
/// write its results as an Arrow IPC stream.
#[derive(Debug, Parser)]
// Named, so that an error `check` reports shows the usage of this program, not of the
// package it is an example of.
#[command(version, name = "cloudfront_map")]
struct Args {
    /// The SQL to run.
    #[arg(long, default_value = "SELECT uri FROM cf_access_logs LIMIT 10")]
    query: String,
    #[command(flatten)]
    context: QueryContext,
    /// How the results are written: `jsonl`, one JSON object a row, each row through the
    /// fan-out; `arrow-ipc`, Arrow record batches typed by column in an Arrow IPC stream
    /// to `--output` (needs the library's `arrow` feature: `cargo run --features arrow
    /// --example cloudfront_map -- --format arrow-ipc --output results.arrow`). The
    /// fan-out is not used with arrow-ipc: batches are written as they arrive.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    format: Format,
    /// The file to write the results to (default for jsonl: stdout; required for
    /// arrow-ipc). Written as FILE.partial and renamed once complete.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Rows processed at once: 1 = one at a time in order (the sample's setting), 0 = no
    /// limit. jsonl only: arrow-ipc does not use the fan-out.
    #[arg(long, default_value_t = 1)]
    max_concurrency: usize,
    /// DoSomething also sleeps this long per row, to stand in for real work. jsonl only.
    #[arg(long, default_value_t = 0)]
    item_delay_ms: u64,
    /// Stop the query and fail if it has not finished within this many seconds.
    #[arg(long)]
    timeout_secs: Option<u64>,
    /// A cost guard: stop the query and fail once it has scanned more than this many
    /// bytes (checked at each status poll, so best effort).
    #[arg(long, value_name = "BYTES")]
    max_bytes_scanned: Option<u64>,
    /// How rows are read: `auto` (page 1 through GetQueryResults, the rest of a larger
    /// result from the result file in S3), `api` (GetQueryResults only) or `file` (the
    /// result file only).
    #[arg(long, value_enum, default_value_t = ReadPathArg::Auto)]
    read_path: ReadPathArg,
    #[command(flatten)]
    target: Target,
    /// Write the values decoded by their column types (numbers as numbers, arrays as
    /// arrays, ...). jsonl only: arrow-ipc columns are always typed.
    #[arg(long)]
    typed: bool,
    /// Print the summary as one JSON object on the last line of stderr.
    #[arg(long)]
    summary_json: bool,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// One JSON object a row, through the fan-out.
    Jsonl,
    /// An Arrow IPC stream of record batches (feature `arrow`).
    ArrowIpc,
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

/// Why arrow-ipc is refused in a build without the `arrow` feature, and the command
/// that has it.
#[cfg(not(feature = "arrow"))]
const NEEDS_ARROW_FEATURE: &str = "--format arrow-ipc needs the library's `arrow` feature, \
    which this build does not have: cargo run --features arrow --example cloudfront_map -- \
    --format arrow-ipc --output results.arrow";

/// Flags that do not go together, found before anything starts (an emulator, a query
/// that costs money on real Athena): clap checks each flag, this checks them together.
fn check(args: &Args) -> Result<(), String> {
    if args.format == Format::ArrowIpc {
        #[cfg(not(feature = "arrow"))]
        return Err(NEEDS_ARROW_FEATURE.to_owned());
        #[cfg(feature = "arrow")]
        {
            if args.output.is_none() {
                return Err(
                    "--format arrow-ipc needs --output FILE: an Arrow IPC stream is \
                    binary, not for a terminal or a text pipe"
                        .to_owned(),
                );
            }
            if args.typed {
                return Err(
                    "--typed is for --format jsonl: arrow-ipc columns are always \
                    typed by Athena's column metadata"
                        .to_owned(),
                );
            }
        }
    }
    Ok(())
}

/// The log filter when `RUST_LOG` is not set: warnings, except the library's events
/// about what this program reports itself, which would otherwise say it twice. Without a
/// tolerated failure count every failed item ends the run, so the fan-out's `map item
/// failed` and `map run failed` carry the error that `main` prints; `query timed out:
/// stopping it` precedes the timeout error (the only warning of the query's life here: no
/// failed query is re-run); the read path's fallback warning gives the reason that the
/// summary gives. Other warnings (calls being retried, a stop that failed) are news and
/// stay.
const DEFAULT_LOG_FILTER: &str = "warn,athena_stream::map=error,athena_stream::stream::lifecycle=error,athena_stream::stream::read_path=error";

/// How often the status line is drawn: often enough to look live, rarely enough to cost
/// nothing.
const STATUS_INTERVAL: Duration = Duration::from_millis(100);

#[tokio::main]
async fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG_FILTER));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Colour codes are for a terminal; in a file or a pipe they are noise.
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(|| LogWriter)
        .init();
    let args = Args::parse();
    if let Err(message) = check(&args) {
        // Reported as clap reports a bad flag: the usage line, exit status 2.
        Args::command()
            .error(clap::error::ErrorKind::ArgumentConflict, message)
            .exit();
    }
    match run(&args).await {
        Ok(code) => code,
        Err(e) => {
            STATUS.erase();
            for line in error_report(&*e) {
                eprintln!("{line}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<ExitCode, BoxError> {
    // The output file first: a path that cannot be written fails before any query runs.
    let output = args
        .output
        .as_deref()
        .map(PartialFile::create)
        .transpose()?;
    // The emulator lives as long as the run when no endpoint was given.
    let (athena, emulator) = setup(args).await?;
    let query = args.context.query(&args.query);
    let code = match args.format {
        Format::Jsonl => write_rows(args, &athena, query, output).await?,
        #[cfg(feature = "arrow")]
        Format::ArrowIpc => {
            let output = output.ok_or("--format arrow-ipc needs --output FILE")?;
            write_arrow_ipc(args, &athena, query, output).await?
        }
        #[cfg(not(feature = "arrow"))]
        Format::ArrowIpc => return Err(NEEDS_ARROW_FEATURE.into()),
    };
    if let Some(emulator) = emulator {
        emulator.shutdown().await;
    }
    Ok(code)
}

/// jsonl: every row through the fan-out, whose `DoSomething` writes it as a JSON line.
async fn write_rows(
    args: &Args,
    athena: &Athena,
    query: StartQueryExecution,
    output: Option<OutputFile>,
) -> Result<ExitCode, BoxError> {
    // Rows on the same terminal as the status line erase it first; it is drawn again
    // below them at the next tick.
    let rows_on_terminal =
        output.is_none() && std::io::stderr().is_terminal() && std::io::stdout().is_terminal();
    let (output, sink) = match output {
        None => (None, RowSink::Stdout { rows_on_terminal }),
        Some((file, out)) => (Some(file), RowSink::File(Mutex::new(out))),
    };
    let item_delay = Duration::from_millis(args.item_delay_ms);
    let typed = args.typed;
    let processed = AtomicU64::new(0);
    let map = MapSettings::new(args.max_concurrency);
    let do_something = |row: Row| {
        let (processed, sink) = (&processed, &sink);
        async move {
            if !item_delay.is_zero() {
                tokio::time::sleep(item_delay).await;
            }
            sink.write_line(&row_json(&row, typed)?)?;
            processed.fetch_add(1, Ordering::Relaxed);
            Ok::<_, std::io::Error>(())
        }
    };

    let started = Instant::now();
    let rows = RefCell::new(athena.query(query));
    // The fan-out polls the row stream through `input`, and the status line reads the
    // stream's counters between its polls: both in this task, one at a time, so the cell
    // is never borrowed twice (and the stream needs no lock of its own).
    let input = futures::stream::poll_fn(|cx| rows.borrow_mut().poll_next_unpin(cx));
    let outcome = follow(&rows, input.run_map(map, do_something), started, &processed).await;
    let mut rows = rows.into_inner();
    let Some(report) = outcome else {
        eprintln!("interrupted: stopping the query");
        rows.cancel().await?;
        return Ok(ExitCode::from(130));
    };
    let report = report?;
    if let (Some(file), RowSink::File(out)) = (output, sink) {
        file.commit(out.into_inner().unwrap_or_else(|e| e.into_inner()))?;
    }
    summarize(args, &rows, &report, started.elapsed());
    Ok(ExitCode::SUCCESS)
}

/// arrow-ipc: the query's batches, as they arrive, into an Arrow IPC stream.
#[cfg(feature = "arrow")]
async fn write_arrow_ipc(
    args: &Args,
    athena: &Athena,
    query: StartQueryExecution,
    output: OutputFile,
) -> Result<ExitCode, BoxError> {
    let (file, out) = output;
    let written = AtomicU64::new(0);
    let mut ipc = arrow_ipc_out::IpcOutput::new(out);
    let started = Instant::now();
    let batches = RefCell::new(athena.query(query).into_batches());
    // As in `write_rows`: the writer polls the stream for batches, the status line reads
    // its counters between polls. The schema comes with the first batch (or from
    // `schema()` below, for a result of no rows), so the writer never awaits
    // `schema()` while the cell is borrowed.
    let input = futures::stream::poll_fn(|cx| batches.borrow_mut().poll_next_unpin(cx));
    let work = arrow_ipc_out::write_batches(input, &mut ipc, |batch| {
        written.fetch_add(batch.num_rows() as u64, Ordering::Relaxed);
    });
    let outcome = follow(&batches, work, started, &written).await;
    let mut batches = batches.into_inner();
    let Some(result) = outcome else {
        eprintln!("interrupted: stopping the query");
        batches.cancel().await?;
        return Ok(ExitCode::from(130));
    };
    result?;
    // The stream has ended, so this returns at once.
    let schema = batches.schema().await?;
    let (rows, count) = (ipc.rows(), ipc.batches());
    let path = file.path.clone();
    file.commit(ipc.finish(&schema)?)?;
    let elapsed = started.elapsed();
    let stats = batches.stats();
    let id = batches.query_execution_id().unwrap_or_default();
    let rows_per_sec = rows as f64 / elapsed.as_secs_f64().max(1e-9);
    let path = path.display();
    eprintln!(
        "query {id}: {rows} rows in {count} batches ({} pages), {:.1} ms, {rows_per_sec:.0} rows/s, \
         Arrow IPC stream in {path}, {}",
        stats.pages,
        elapsed.as_secs_f64() * 1000.0,
        read_path_text(&stats),
    );
    if args.summary_json {
        let mut summary = summary_json(&id, rows, elapsed, &stats);
        summary["format"] = "arrow-ipc".into();
        summary["output"] = path.to_string().into();
        summary["batches"] = count.into();
        eprintln!("{summary}");
    }
    Ok(ExitCode::SUCCESS)
}

/// What the status line reads of a query's stream between its polls.
trait Progress {
    /// The query's progress, as its status polls (and `GetQueryRuntimeStatistics`, while
    /// a receiver exists) see it.
    fn progress(&self) -> tokio::sync::watch::Receiver<athena_stream::progress::QueryProgress>;
    fn stats(&self) -> QueryStats;
}

impl Progress for RowStream {
    fn progress(&self) -> tokio::sync::watch::Receiver<athena_stream::progress::QueryProgress> {
        RowStream::progress(self)
    }

    fn stats(&self) -> QueryStats {
        RowStream::stats(self)
    }
}

#[cfg(feature = "arrow")]
impl Progress for athena_stream::arrow::RecordBatchStream {
    fn progress(&self) -> tokio::sync::watch::Receiver<athena_stream::progress::QueryProgress> {
        athena_stream::arrow::RecordBatchStream::progress(self)
    }

    fn stats(&self) -> QueryStats {
        athena_stream::arrow::RecordBatchStream::stats(self)
    }
}

/// Runs `work`, which polls the stream in `stream`, to its end, drawing the status line
/// from the stream between polls while stderr is a terminal; `None` when Ctrl-C came
/// first (`work` is then dropped, and the caller stops the query). The status line is
/// erased before this returns.
async fn follow<S: Progress, T>(
    stream: &RefCell<S>,
    work: impl Future<Output = T>,
    started: Instant,
    processed: &AtomicU64,
) -> Option<T> {
    let show_status = std::io::stderr().is_terminal();
    // Watched only when it is shown: a receiver is what makes the stream ask
    // GetQueryRuntimeStatistics at each poll.
    let progress = show_status.then(|| stream.borrow().progress());
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(work, ctrl_c);
    let mut ticks = tokio::time::interval(STATUS_INTERVAL);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let outcome = loop {
        tokio::select! {
            done = &mut work => break Some(done),
            Ok(()) = &mut ctrl_c => break None,
            _ = ticks.tick(), if show_status => {
                let now = progress.as_ref().map(|p| p.borrow().clone()).unwrap_or_default();
                STATUS.draw(&status_text(
                    started.elapsed(),
                    QueryStatus::of(&now).as_ref(),
                    &stream.borrow().stats(),
                    processed.load(Ordering::Relaxed),
                ));
            }
        }
    };
    STATUS.erase();
    outcome
}

/// Where jsonl rows go.
enum RowSink {
    /// Stdout, which is line-buffered; above the status line when both are the terminal.
    Stdout { rows_on_terminal: bool },
    /// `--output`: rows written by the fan-out's items, one at a time.
    File(Mutex<BufWriter<File>>),
}

impl RowSink {
    fn write_line(&self, line: &str) -> std::io::Result<()> {
        match self {
            RowSink::Stdout { rows_on_terminal } => {
                let write = || writeln!(std::io::stdout().lock(), "{line}");
                if *rows_on_terminal {
                    STATUS.write_above(write)
                } else {
                    write()
                }
            }
            // A poisoned lock means an item panicked mid-write; the run fails on that
            // panic anyway, so the lines already written are kept as they are.
            RowSink::File(out) => {
                writeln!(out.lock().unwrap_or_else(|e| e.into_inner()), "{line}")
            }
        }
    }
}

/// `--output FILE`, opened: the file being written, and the writer over it.
type OutputFile = (PartialFile, BufWriter<File>);

/// `FILE.partial`, renamed to FILE by [`commit`](Self::commit) and removed when dropped
/// before that (an error, Ctrl-C): JSON lines, and an IPC stream cut between two
/// batches, would read as a complete, shorter result, so only a whole one gets the name
/// asked for (and an earlier FILE stays until then).
struct PartialFile {
    partial: PathBuf,
    path: PathBuf,
    committed: bool,
}

impl PartialFile {
    /// Creates `path.partial` (truncating an earlier one).
    ///
    /// # Errors
    /// The file cannot be created, naming it.
    fn create(path: &Path) -> Result<OutputFile, BoxError> {
        let mut name = path.as_os_str().to_owned();
        name.push(".partial");
        let partial = PathBuf::from(name);
        let file = File::create(&partial)
            .map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
        let partial = PartialFile {
            partial,
            path: path.to_owned(),
            committed: false,
        };
        Ok((partial, BufWriter::new(file)))
    }

    /// Flushes `out` to disk and gives the file its name.
    ///
    /// # Errors
    /// Flushing or renaming failed, naming the file.
    fn commit(mut self, out: BufWriter<File>) -> Result<(), BoxError> {
        let name = |e: std::io::Error| format!("cannot write {}: {e}", self.partial.display());
        let file = out.into_inner().map_err(|e| name(e.into_error()))?;
        file.sync_all().map_err(name)?;
        drop(file);
        std::fs::rename(&self.partial, &self.path).map_err(|e| {
            format!(
                "cannot rename {} to {}: {e}",
                self.partial.display(),
                self.path.display()
            )
        })?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: the run is failing already, with its own error to report.
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

/// The library as the flags say, and the embedded emulator it runs on when no endpoint
/// was given.
async fn setup(args: &Args) -> Result<(Athena, Option<athena_emulator::Emulator>), Error> {
    let (mut athena, emulator) = args.target.builder().await?;
    athena = athena.with_read_path(args.read_path.into());
    if let Some(secs) = args.timeout_secs {
        athena = athena.with_query_timeout(Duration::from_secs(secs));
    }
    if let Some(bytes) = args.max_bytes_scanned {
        athena = athena.with_max_bytes_scanned(bytes);
    }
    Ok((athena.build()?, emulator))
}

/// The jsonl summary on stderr: a line of text, and with `--summary-json` a JSON object
/// (which does not start with `{"uri":`, so it is never counted as a row).
fn summarize(args: &Args, rows: &RowStream, report: &MapReport, elapsed: Duration) {
    let stats = rows.stats();
    let id = rows.query_execution_id().unwrap_or_default();
    let rows_per_sec = report.succeeded as f64 / elapsed.as_secs_f64().max(1e-9);
    eprintln!(
        "query {id}: {} rows in {} pages, {} failed, {:.1} ms, {:.0} rows/s, at most {} in flight, {}",
        report.succeeded + report.failed,
        stats.pages,
        report.failed,
        elapsed.as_secs_f64() * 1000.0,
        rows_per_sec,
        report.max_in_flight,
        read_path_text(&stats),
    );
    if args.summary_json {
        let mut summary = summary_json(&id, report.succeeded + report.failed, elapsed, &stats);
        // Rows/s of the rows that succeeded, as the line above says.
        summary["rows_per_sec"] = rows_per_sec.into();
        summary["failed"] = report.failed.into();
        eprintln!("{summary}");
    }
}

/// What the `--summary-json` object of either format holds.
fn summary_json(id: &str, rows: u64, elapsed: Duration, stats: &QueryStats) -> serde_json::Value {
    serde_json::json!({
        "query_execution_id": id,
        "rows": rows,
        "pages": stats.pages,
        "elapsed_ms": elapsed.as_secs_f64() * 1000.0,
        "rows_per_sec": rows as f64 / elapsed.as_secs_f64().max(1e-9),
        "read_path": stats.read_path.map(ReadPath::as_str),
        "fallback_reason": stats.fallback_reason,
        "bytes_read": stats.bytes_read,
    })
}

#[cfg(test)]
mod tests;
