//! The seed workflow (sfn-athena-cdk-python), done right: start the query, wait for
//! it, read its results, and run `DoSomething` on every row with at most
//! `--max-concurrency` rows in flight and no barrier between pages.
//!
//! With no flags it starts the Athena emulator in-process, with the seed's
//! `serverlessland_database.cf_access_logs` table, and runs the seed's query:
//!
//! ```text
//! cargo run --example cloudfront_map
//! cargo run --example cloudfront_map -- --query "SELECT * FROM cf_access_logs LIMIT 100" --max-concurrency 8
//! cargo run --example cloudfront_map -- --query "SELECT * FROM cf_access_logs" --read-path file > rows.jsonl
//! cargo run --example cloudfront_map -- --aws --output-location s3://my-bucket/results/
//! ```
//!
//! Rows are read the library's default way (`--read-path auto`): page 1 through
//! `GetQueryResults`, and the rest of a larger result from its result file in S3, in
//! parallel byte ranges; `api` pages through `GetQueryResults` only, `file` reads the
//! file only. The embedded emulator serves S3 on its Athena endpoint, so all three work
//! without AWS.
//!
//! Each row is written to stdout as one JSON object (keys = column names, NULL as
//! null, values as Athena's text; with `--typed`, values decoded by their column
//! type); a summary goes to stderr. When stderr is a terminal, a status line there
//! follows the query while it runs. Ctrl-C stops the query before the program exits.

#[path = "common/progress.rs"]
mod progress;

use std::cell::RefCell;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use athena_stream::{
    Athena, AthenaBuilder, Error, Map, MapExt, MapReport, ReadPath, Row, RowStream,
    StartQueryExecution,
};
use aws_sdk_athena::config::{BehaviorVersion, Credentials, Region};
use clap::Parser;
use futures::StreamExt;
use tokio::time::MissedTickBehavior;

use progress::{LogWriter, QueryProgress, STATUS, error_report, read_path_text, status_text};

/// Run an Athena query and process each of its rows, like the seed's Step Functions
/// workflow but in-process, with retries, cancellation and no barrier between pages.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// The SQL to run.
    #[arg(long, default_value = "SELECT uri FROM cf_access_logs LIMIT 10")]
    query: String,
    /// The database (QueryExecutionContext.Database).
    #[arg(long, default_value = "serverlessland_database")]
    database: String,
    /// The workgroup (default: the account's primary workgroup).
    #[arg(long)]
    workgroup: Option<String>,
    /// Where Athena writes the result file, s3://bucket/prefix/ (default: the workgroup's).
    #[arg(long)]
    output_location: Option<String>,
    /// Rows processed at once: 1 = one at a time in order (the seed's setting), 0 = no limit.
    #[arg(long, default_value_t = 1)]
    max_concurrency: usize,
    /// DoSomething also sleeps this long per row, to stand in for real work.
    #[arg(long, default_value_t = 0)]
    item_delay_ms: u64,
    /// Stop the query and fail if it has not finished within this many seconds.
    #[arg(long)]
    timeout_secs: Option<u64>,
    /// How rows are read: `auto` (page 1 through GetQueryResults, the rest of a larger
    /// result from the result file in S3), `api` (GetQueryResults only) or `file` (the
    /// result file only).
    #[arg(long, value_enum, default_value_t = ReadPathArg::Auto)]
    read_path: ReadPathArg,
    /// Any Athena-compatible endpoint (credentials and region from the environment,
    /// test credentials and us-east-1 when none are set). Result files are read from S3
    /// on the same URL, path-style, as athena-emulator serves them.
    #[arg(long, conflicts_with = "aws")]
    endpoint_url: Option<String>,
    /// The real Athena service (and S3 for result files), with the default AWS configuration.
    #[arg(long)]
    aws: bool,
    /// Write the values decoded by their column types (numbers as numbers, arrays as arrays, ...).
    #[arg(long)]
    typed: bool,
    /// Rows of the embedded emulator's cf_access_logs table.
    #[arg(long, default_value_t = 10_000)]
    cloudfront_rows: usize,
    /// Print the summary as one JSON object on the last line of stderr.
    #[arg(long)]
    summary_json: bool,
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

/// The log filter when `RUST_LOG` is not set: warnings, except the library's events
/// about what this program reports itself, which would otherwise say it twice. Without a
/// tolerated failure count every failed item ends the run, so the fan-out's `map item
/// failed` and `map run failed` carry the error that `main` prints; `query timed out:
/// stopping it` precedes the timeout error (the only warning of the query's life here: no
/// failed query is re-run); the read path's fallback warning gives the reason that the
/// summary gives. Other warnings (calls being retried, a stop that failed) are news and
/// stay.
const DEFAULT_LOG_FILTER: &str = "warn,athena_stream::map=error,athena_stream::lifecycle=error,athena_stream::page_source::auto=error";

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
    match run(&args).await {
        Ok(code) => code,
        Err(e) => {
            STATUS.erase();
            for line in error_report(&e) {
                eprintln!("{line}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<ExitCode, Error> {
    // The emulator lives as long as the run when no endpoint was given.
    let (athena, emulator) = setup(args).await?;
    let query = start_query(args);

    let show_status = std::io::stderr().is_terminal();
    // Rows on the same terminal as the status line erase it first; it is drawn again
    // below them at the next tick.
    let rows_on_terminal = show_status && std::io::stdout().is_terminal();
    let item_delay = Duration::from_millis(args.item_delay_ms);
    let typed = args.typed;
    let processed = AtomicU64::new(0);
    let map = Map::new(args.max_concurrency);
    let do_something = |row: Row| {
        let processed = &processed;
        async move {
            if !item_delay.is_zero() {
                tokio::time::sleep(item_delay).await;
            }
            let line = row_json(&row, typed)?;
            let write = || writeln!(std::io::stdout().lock(), "{line}");
            if rows_on_terminal {
                STATUS.write_above(write)?;
            } else {
                write()?;
            }
            processed.fetch_add(1, Ordering::Relaxed);
            Ok::<_, std::io::Error>(())
        }
    };

    let started = Instant::now();
    let rows = RefCell::new(athena.query(query));
    let outcome = {
        // The fan-out polls the row stream through `input`, and the status line reads
        // the stream's counters between its polls: both in this task, one at a time, so
        // the cell is never borrowed twice (and the stream needs no lock of its own).
        let input = futures::stream::poll_fn(|cx| rows.borrow_mut().poll_next_unpin(cx));
        let run = input.run_map(map, do_something);
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(run, ctrl_c);
        let mut ticks = tokio::time::interval(STATUS_INTERVAL);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                report = &mut run => break Some(report),
                Ok(()) = &mut ctrl_c => break None,
                _ = ticks.tick(), if show_status => {
                    let rows = rows.borrow();
                    // The finished execution once there is one (its final statistics),
                    // else the one the last poll saw (state and data scanned so far).
                    let execution = rows.query_execution().or_else(|| rows.polled_execution());
                    STATUS.draw(&status_text(
                        started.elapsed(),
                        execution.as_ref().map(QueryProgress::of).as_ref(),
                        &rows.stats(),
                        processed.load(Ordering::Relaxed),
                    ));
                }
            }
        }
    };
    STATUS.erase();
    let mut rows = rows.into_inner();
    let Some(report) = outcome else {
        eprintln!("interrupted: stopping the query");
        rows.cancel().await?;
        return Ok(ExitCode::from(130));
    };
    let report = report?;
    summarize(args, &rows, &report, started.elapsed());
    if let Some(emulator) = emulator {
        emulator.shutdown().await;
    }
    Ok(ExitCode::SUCCESS)
}

/// The library as the flags say, and the embedded emulator it runs on when no endpoint
/// was given.
async fn setup(args: &Args) -> Result<(Athena, Option<athena_emulator::Emulator>), Error> {
    let mut emulator = None;
    let mut athena = if args.aws {
        let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
        Athena::builder_from_conf(&config)
    } else {
        let endpoint = match &args.endpoint_url {
            Some(url) => url.clone(),
            None => {
                let started = athena_emulator::Emulator::builder()
                    .engine_config(athena_emulator::EngineConfig {
                        cloudfront_rows: args.cloudfront_rows,
                        ..Default::default()
                    })
                    .start()
                    .await
                    .map_err(|e| Error::InvalidConfig {
                        message: format!("could not start the embedded emulator: {e}"),
                    })?;
                let url = started.endpoint_url();
                eprintln!("embedded athena-emulator at {url}");
                emulator = Some(started);
                url
            }
        };
        endpoint_builder(&endpoint)
    };
    athena = athena.with_read_path(args.read_path.into());
    if let Some(secs) = args.timeout_secs {
        athena = athena.with_query_timeout(Duration::from_secs(secs));
    }
    Ok((athena.build()?, emulator))
}

fn start_query(args: &Args) -> StartQueryExecution {
    let mut query = StartQueryExecution::new(&args.query).with_database(&args.database);
    if let Some(w) = &args.workgroup {
        query = query.with_workgroup(w);
    }
    if let Some(o) = &args.output_location {
        query = query.with_output_location(o);
    }
    query
}

/// The summary on stderr: a line of text, and with `--summary-json` a JSON object
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
        let summary = serde_json::json!({
            "query_execution_id": id,
            "rows": report.succeeded + report.failed,
            "pages": stats.pages,
            "failed": report.failed,
            "elapsed_ms": elapsed.as_secs_f64() * 1000.0,
            "rows_per_sec": rows_per_sec,
            "read_path": stats.read_path.map(ReadPath::as_str),
            "fallback_reason": stats.fallback_reason,
            "bytes_read": stats.bytes_read,
        });
        eprintln!("{summary}");
    }
}

/// A builder over SDK clients for an Athena-compatible endpoint, with an S3 client on
/// the same URL (path-style, as athena-emulator serves S3) for the result files.
/// Credentials come from the environment when set there, else test credentials (the
/// emulator accepts any).
fn endpoint_builder(endpoint: &str) -> AthenaBuilder {
    let region = Region::new(
        std::env::var("AWS_REGION")
            .or_else(|_| std::env::var("AWS_DEFAULT_REGION"))
            .unwrap_or_else(|_| "us-east-1".to_owned()),
    );
    let credentials = match (
        std::env::var("AWS_ACCESS_KEY_ID"),
        std::env::var("AWS_SECRET_ACCESS_KEY"),
    ) {
        (Ok(key), Ok(secret)) => Credentials::new(
            key,
            secret,
            std::env::var("AWS_SESSION_TOKEN").ok(),
            None,
            "environment",
        ),
        _ => Credentials::new("test", "test", None, None, "test"),
    };
    let athena = aws_sdk_athena::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(region.clone())
        .credentials_provider(credentials.clone())
        .endpoint_url(endpoint)
        .build();
    let s3 = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(region)
        .credentials_provider(credentials)
        .endpoint_url(endpoint)
        .force_path_style(true)
        .build();
    Athena::builder(aws_sdk_athena::Client::from_conf(athena))
        .with_s3_client(aws_sdk_s3::Client::from_conf(s3))
}

/// One row of the seed's `cf_access_logs` table (docs/athena.md, "The seed workflow"), typed: what
/// `--typed` decodes `SELECT * FROM cf_access_logs` into. Nullable columns are `Option`.
#[derive(Debug, serde::Deserialize, serde::Serialize)]
struct CloudFrontLog {
    date: String,
    time: String,
    location: Option<String>,
    bytes: Option<i64>,
    request_ip: Option<String>,
    method: Option<String>,
    host: Option<String>,
    uri: Option<String>,
    status: Option<String>,
    referer: Option<String>,
    user_agent: Option<String>,
    query_string: Option<String>,
    cookie: Option<String>,
    result_type: Option<String>,
    request_id: Option<String>,
    host_header: Option<String>,
    request_protocol: Option<String>,
    request_bytes: Option<i64>,
    time_taken: Option<f32>,
    xforwarded_for: Option<String>,
    ssl_protocol: Option<String>,
    ssl_cipher: Option<String>,
    response_result_type: Option<String>,
    http_version: Option<String>,
    fle_status: Option<String>,
    fle_encrypted_fields: Option<i32>,
    c_port: Option<i32>,
    time_to_first_byte: Option<f32>,
    x_edge_detailed_result_type: Option<String>,
    sc_content_type: Option<String>,
    sc_content_len: Option<String>,
    sc_range_start: Option<i64>,
    sc_range_end: Option<i64>,
}

/// The columns of `cf_access_logs`, in table order.
const CLOUDFRONT_COLUMNS: [&str; 33] = [
    "date",
    "time",
    "location",
    "bytes",
    "request_ip",
    "method",
    "host",
    "uri",
    "status",
    "referer",
    "user_agent",
    "query_string",
    "cookie",
    "result_type",
    "request_id",
    "host_header",
    "request_protocol",
    "request_bytes",
    "time_taken",
    "xforwarded_for",
    "ssl_protocol",
    "ssl_cipher",
    "response_result_type",
    "http_version",
    "fle_status",
    "fle_encrypted_fields",
    "c_port",
    "time_to_first_byte",
    "x_edge_detailed_result_type",
    "sc_content_type",
    "sc_content_len",
    "sc_range_start",
    "sc_range_end",
];

/// One row as a JSON object: column names as keys, NULL as null. Values are Athena's
/// text, or with `typed` decoded by their column type (a whole `cf_access_logs` row
/// through the `CloudFrontLog` struct).
fn row_json(row: &Row, typed: bool) -> std::io::Result<String> {
    if typed
        && row
            .columns()
            .iter()
            .map(|c| c.name.as_str())
            .eq(CLOUDFRONT_COLUMNS)
    {
        // Serialized straight from the struct: keeps the column order, and f32 values
        // print as f32 (0.02, not 0.019999999552965164).
        let log: CloudFrontLog = row.deserialize().map_err(std::io::Error::other)?;
        return serde_json::to_string(&log).map_err(std::io::Error::other);
    }
    // Written by hand so that the keys keep the column order.
    let mut line = String::from("{");
    for (index, (name, text)) in row.iter().enumerate() {
        if index > 0 {
            line.push(',');
        }
        line.push_str(&serde_json::to_string(name).map_err(std::io::Error::other)?);
        line.push(':');
        let value = if typed {
            row.value(index).map_err(std::io::Error::other)?.to_json()
        } else {
            text.map_or(serde_json::Value::Null, Into::into)
        };
        line.push_str(&serde_json::to_string(&value).map_err(std::io::Error::other)?);
    }
    line.push('}');
    Ok(line)
}
