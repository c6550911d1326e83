//! The three ways of reading and processing one query's results that the `fanout`
//! bench (`benches/fanout.rs`) and the `concurrency_sweep` program compare, written
//! once here for both, plus their shared setup:
//! an in-process emulator with injected `GetQueryResults` latency, and clients on it.
//!
//! - [`Design::Stream`]: this library: [`Athena::attach`] + [`MapExt::run_map`] with
//!   `max_concurrency` C: no barrier between pages, the next page fetched while this
//!   one is processed.
//! - [`Design::PageBarrier`]: the design of AWS's Step Functions sample, faithfully:
//!   `GetQueryResults` for a page (the SDK directly, passing the `NextToken` back), its
//!   items with at most C at once, wait for all of them, then fetch the next page.
//! - [`Design::Sequential`]: what people write by hand: the SDK paginator, one item
//!   at a time.
//!
//! Every design reads a query that has already finished (run with
//! [`Athena::execute`] by [`prepare`]), by its `QueryExecutionId`: only reading and
//! processing are timed, the same way for all three.

use std::hint::black_box;
use std::time::{Duration, Instant};

use athena_emulator::{Emulator, EngineConfig, Operation};
use athena_stream::{
    Athena, AthenaBuilder, Backoff, QueryStats, Row, StartQueryExecution,
    error::BoxError,
    map::{MapExt, MapSettings},
};
use aws_sdk_athena::config::retry::RetryConfig;
use aws_sdk_athena::config::{BehaviorVersion, Credentials, Region};
use futures::StreamExt;

/// Rows in a full page of `GetQueryResults` (the header row of page 1 counts too).
pub const ROWS_PER_PAGE: usize = 1000;

/// The database of the emulator's built-in CloudFront table.
pub const CLOUDFRONT_DATABASE: &str = "serverlessland_database";

/// One of the compared designs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Design {
    /// This library: the row stream and the fan-out.
    Stream,
    /// The sample's design: fetch a page, run its items, wait for all, fetch the next.
    PageBarrier,
    /// The SDK paginator, one item at a time.
    Sequential,
}

impl Design {
    /// Every design, in the order they are shown.
    pub const ALL: [Design; 3] = [Design::Stream, Design::PageBarrier, Design::Sequential];

    /// The name used in tables, JSON and bench ids.
    pub const fn name(self) -> &'static str {
        match self {
            Design::Stream => "stream",
            Design::PageBarrier => "page_barrier",
            Design::Sequential => "sequential",
        }
    }

    /// The design with this name.
    pub fn parse(name: &str) -> Option<Design> {
        Design::ALL.into_iter().find(|d| d.name() == name.trim())
    }

    /// The rows/s this design should reach by its model, for sizing runs: the ideal
    /// for `Stream`; page fetch plus the page's waves of items for `PageBarrier`; page
    /// fetch plus every item one after another for `Sequential`.
    pub fn expected_rows_per_sec(self, concurrency: usize, item: Duration, page: Duration) -> f64 {
        let rows = ROWS_PER_PAGE as f64;
        let c = concurrency.max(1);
        match self {
            Design::Stream => ideal_rows_per_sec(c, item, page),
            Design::PageBarrier => {
                let waves = ROWS_PER_PAGE.div_ceil(c) as f64;
                rows / (page.as_secs_f64() + waves * item.as_secs_f64()).max(1e-9)
            }
            Design::Sequential => rows / (page.as_secs_f64() + rows * item.as_secs_f64()).max(1e-9),
        }
    }
}

/// The ideal rate for one query: `min(C / t_item, rows_per_page / t_page)` in rows/s
/// (infinite when both times are zero).
pub fn ideal_rows_per_sec(concurrency: usize, item: Duration, page: Duration) -> f64 {
    let by_items = if item.is_zero() {
        f64::INFINITY
    } else {
        concurrency.max(1) as f64 / item.as_secs_f64()
    };
    let by_pages = if page.is_zero() {
        f64::INFINITY
    } else {
        ROWS_PER_PAGE as f64 / page.as_secs_f64()
    };
    by_items.min(by_pages)
}

/// Trino's (and Athena's) limit on the entries of one `sequence`.
const SEQUENCE_ENTRIES: usize = 10_000;

/// n rows of one bigint column `x`, 1 to n: `UNNEST(sequence(1, n))` up to 10,000 rows,
/// beyond that a cross join of two sequences, since one sequence holds at most 10,000
/// entries on Athena as on the emulator.
pub fn sequence_sql(rows: usize) -> String {
    let rows = rows.max(1);
    if rows <= SEQUENCE_ENTRIES {
        return format!("SELECT x FROM UNNEST(sequence(1, {rows})) AS t(x)");
    }
    let blocks = rows.div_ceil(SEQUENCE_ENTRIES);
    format!(
        "SELECT x FROM (SELECT (a - 1) * {SEQUENCE_ENTRIES} + b AS x \
         FROM UNNEST(sequence(1, {blocks})) AS t(a) \
         CROSS JOIN UNNEST(sequence(1, {SEQUENCE_ENTRIES})) AS u(b)) WHERE x <= {rows}"
    )
}

/// An emulator and the two clients the designs use: the raw SDK client and the library on it.
pub struct Setup {
    /// The in-process emulator.
    pub emulator: Emulator,
    /// An SDK client on it.
    pub client: aws_sdk_athena::Client,
    /// The library on the same client.
    pub athena: Athena,
}

/// Starts an in-process emulator whose `GetQueryResults` answers take `page_latency`
/// (no jitter) and whose CloudFront table has `cloudfront_rows` rows, with clients on it.
///
/// # Errors
/// When the emulator does not start.
pub async fn start(page_latency: Duration, cloudfront_rows: usize) -> Result<Setup, BoxError> {
    let mut builder = Emulator::builder().with_engine_config(EngineConfig {
        cloudfront_rows,
        ..EngineConfig::default()
    });
    if !page_latency.is_zero() {
        builder = builder.with_operation_latency(
            Operation::GetQueryResults,
            page_latency,
            Duration::ZERO,
        );
    }
    let emulator = builder.start().await?;
    let client = client(&emulator.endpoint_url());
    let athena = athena(client.clone())?;
    Ok(Setup {
        emulator,
        client,
        athena,
    })
}

/// An SDK client for an Athena-compatible endpoint, with test credentials.
pub fn client(endpoint_url: &str) -> aws_sdk_athena::Client {
    let config = aws_sdk_athena::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "bench"))
        .endpoint_url(endpoint_url)
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .build();
    aws_sdk_athena::Client::from_conf(config)
}

/// An S3 client for the S3 side of an emulator (or any S3-compatible endpoint), with
/// test credentials: path-style, as the emulator serves it (`http://HOST:PORT/bucket/key`).
pub fn s3_client(endpoint_url: &str) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "bench"))
        .endpoint_url(endpoint_url)
        .force_path_style(true)
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// A builder of the library on `client` with default settings except a quick polling
/// backoff (the emulator finishes queries in milliseconds; the timed part never polls
/// long).
pub fn builder(client: aws_sdk_athena::Client) -> AthenaBuilder {
    Athena::builder(client).with_polling_backoff(
        Backoff::new(Duration::from_millis(5)).with_max_delay(Duration::from_millis(50)),
    )
}

/// The library on `client`, with the settings of [`builder`].
///
/// # Errors
/// When the settings are refused (they are not).
pub fn athena(client: aws_sdk_athena::Client) -> Result<Athena, BoxError> {
    Ok(builder(client).build()?)
}

/// Runs `sql` to completion (outside any timed part) and returns its `QueryExecutionId`.
///
/// # Errors
/// The query's error.
pub async fn prepare(
    athena: &Athena,
    sql: &str,
    database: Option<&str>,
) -> Result<String, BoxError> {
    let mut query = StartQueryExecution::new(sql);
    if let Some(database) = database {
        query = query.with_database(database);
    }
    let execution = athena.execute(query).await?;
    Ok(execution.query_execution_id)
}

/// The simulated work on one item: look at it, then sleep `item` (nothing when zero).
pub async fn process<R>(row: R, item: Duration) {
    black_box(&row);
    if !item.is_zero() {
        tokio::time::sleep(item).await;
    }
}

/// Reads and processes every row of query `id` with `design`; returns the rows processed.
///
/// # Errors
/// The first error of a call or of the stream.
pub async fn run(
    design: Design,
    setup: &Setup,
    id: &str,
    concurrency: usize,
    item: Duration,
) -> Result<u64, BoxError> {
    match design {
        Design::Stream => stream(&setup.athena, id, concurrency, item).await,
        Design::PageBarrier => page_barrier(&setup.client, id, concurrency, item).await,
        Design::Sequential => sequential(&setup.client, id, item).await,
    }
}

/// Like [`run`], and the wall time it took.
///
/// # Errors
/// As [`run`].
pub async fn timed(
    design: Design,
    setup: &Setup,
    id: &str,
    concurrency: usize,
    item: Duration,
) -> Result<(u64, Duration), BoxError> {
    let started = Instant::now();
    let rows = run(design, setup, id, concurrency, item).await?;
    Ok((rows, started.elapsed()))
}

/// (a) This library: the row stream of the finished query (header dropped, NULLs kept)
/// through the fan-out with at most `concurrency` items in flight.
///
/// # Errors
/// The stream's error.
pub async fn stream(
    athena: &Athena,
    id: &str,
    concurrency: usize,
    item: Duration,
) -> Result<u64, BoxError> {
    let report = athena
        .attach(id)
        .run_map(MapSettings::new(concurrency), move |row: Row| async move {
            process(row, item).await;
            Ok::<_, std::convert::Infallible>(())
        })
        .await?;
    Ok(report.items())
}

/// Like [`stream`], with the stream's counters at the end (which read path, bytes read).
///
/// # Errors
/// The stream's error.
pub async fn stream_with_stats(
    athena: &Athena,
    id: &str,
    concurrency: usize,
    item: Duration,
) -> Result<(u64, QueryStats), BoxError> {
    let rows = std::cell::RefCell::new(athena.attach(id));
    // The fan-out polls the stream through `input`; the cell is borrowed again only
    // after the fan-out has finished with it.
    let input = futures::stream::poll_fn(|cx| rows.borrow_mut().poll_next_unpin(cx));
    let report = input
        .run_map(MapSettings::new(concurrency), move |row: Row| async move {
            process(row, item).await;
            Ok::<_, std::convert::Infallible>(())
        })
        .await?;
    let stats = rows.borrow().stats();
    Ok((report.items(), stats))
}

/// (b) The design of AWS's Step Functions sample: one `GetQueryResults` call per page
/// with the previous page's `NextToken`, the page's items at most `concurrency` at once,
/// and a barrier: the next page is fetched only after every item of this one has
/// finished. The header row is dropped from page 1 only.
///
/// # Errors
/// A call's error.
pub async fn page_barrier(
    client: &aws_sdk_athena::Client,
    id: &str,
    concurrency: usize,
    item: Duration,
) -> Result<u64, BoxError> {
    let mut token: Option<String> = None;
    let mut first = true;
    let mut processed = 0u64;
    loop {
        let page = client
            .get_query_results()
            .query_execution_id(id)
            .set_next_token(token.take())
            .send()
            .await?;
        let rows = page.result_set.and_then(|r| r.rows).unwrap_or_default();
        let skip = usize::from(std::mem::take(&mut first));
        let rows: Vec<_> = rows.into_iter().skip(skip).collect();
        processed += rows.len() as u64;
        futures::stream::iter(rows)
            .for_each_concurrent(concurrency.max(1), |row| process(row, item))
            .await;
        match page.next_token {
            Some(next) if !next.is_empty() => token = Some(next),
            _ => return Ok(processed),
        }
    }
}

/// (c) By hand: the SDK paginator, and one item after another. The header row is
/// dropped from page 1 only.
///
/// # Errors
/// A call's error.
pub async fn sequential(
    client: &aws_sdk_athena::Client,
    id: &str,
    item: Duration,
) -> Result<u64, BoxError> {
    let mut pages = client
        .get_query_results()
        .query_execution_id(id)
        .into_paginator()
        .send();
    let mut first = true;
    let mut processed = 0u64;
    while let Some(page) = pages.next().await {
        let rows = page?.result_set.and_then(|r| r.rows).unwrap_or_default();
        let skip = usize::from(std::mem::take(&mut first));
        for row in rows.into_iter().skip(skip) {
            process(row, item).await;
            processed += 1;
        }
    }
    Ok(processed)
}

/// The raw SDK paginator reading every page, each row only looked at: the baseline of
/// the `overhead` bench. The header row is not told apart (it is one row in thousands).
///
/// # Errors
/// A call's error.
pub async fn raw_paginator(client: &aws_sdk_athena::Client, id: &str) -> Result<u64, BoxError> {
    let mut pages = client
        .get_query_results()
        .query_execution_id(id)
        .into_paginator()
        .send();
    let mut rows = 0u64;
    while let Some(page) = pages.next().await {
        for row in page?.result_set.and_then(|r| r.rows).unwrap_or_default() {
            black_box(&row);
            rows += 1;
        }
    }
    Ok(rows)
}
