//! Throughput of one query's results against concurrency, through the real
//! `aws-sdk-athena` client against the in-process emulator.
//!
//! - `fanout/<design>/<C>`: rows/s of the three designs of
//!   `bench/src/designs.rs` (`stream` = this library, `page_barrier` = the
//!   design of AWS's Step Functions sample, `sequential` = the SDK paginator one row at
//!   a time) for max_concurrency C in 1..=128, with `GetQueryResults` answers delayed by
//!   `PAGE` (200 ms) and every row taking `ITEM` (20 ms, a tokio sleep). The ideal is
//!   `min(C / ITEM, 1000 / PAGE)`.
//! - `overhead/<path>/<query>`: no injected latency and a no-op processor: this
//!   library's full path (attach, header and NULL handling, `run_map`) against the
//!   raw SDK paginator reading the same pages, for `SELECT uri` and the 33-column
//!   `SELECT *` over 20,000 CloudFront rows. Target: at least 0.9x the paginator.
//!   Each reads in a spawned task, as a service does; `overhead_block_on/...` reads
//!   in `block_on` instead (the body of `#[tokio::main]`, not a runtime worker).
//!
//! Each query runs to completion before its benchmark; only reading and processing its
//! results by `QueryExecutionId` is timed. Rows per iteration are scaled to the
//! design's expected rate so that an iteration takes about a second.
//!
//! `cargo bench -p athena-stream-bench --bench fanout` (about 6 minutes);
//! `cargo bench -p athena-stream-bench --bench fanout -- overhead`.
//! Under `cargo test` each benchmark runs once with tiny sizes.

use std::collections::HashMap;
use std::time::Duration;

use athena_stream_bench::designs::{self, Design, Setup};
use athena_stream_bench::setup::{bench_mode, runtime};
use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};

/// The max_concurrency values of the sweep.
const CONCURRENCY: [usize; 8] = [1, 2, 4, 8, 16, 32, 64, 128];

/// The simulated times: (item, page, seconds an iteration) in bench and in test mode.
fn regime() -> (Duration, Duration, f64) {
    if bench_mode() {
        (Duration::from_millis(20), Duration::from_millis(200), 1.0)
    } else {
        (Duration::from_millis(1), Duration::from_millis(5), 0.01)
    }
}

/// Times `iters` reads of query `id` with `design`, checking the row count each time.
async fn timed_iters(
    design: Design,
    setup: &Setup,
    id: &str,
    c: usize,
    item: Duration,
    rows: u64,
    iters: u64,
) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let (n, elapsed) = designs::timed(design, setup, id, c, item)
            .await
            .unwrap_or_else(|e| panic!("{} at C = {c} failed: {e}", design.name()));
        assert_eq!(n, rows, "{} read {n} rows, not {rows}", design.name());
        total += elapsed;
    }
    total
}

fn fanout(criterion: &mut Criterion) {
    let rt = runtime();
    let (item, page, secs) = regime();
    let setup = rt
        .block_on(designs::start(page, 0))
        .unwrap_or_else(|e| panic!("the emulator did not start: {e}"));
    let setup = &setup;
    let mut ids: HashMap<u64, String> = HashMap::new();

    let mut group = criterion.benchmark_group("fanout");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(10));
    for c in CONCURRENCY {
        for design in Design::ALL {
            let rate = design.expected_rows_per_sec(c, item, page);
            let rows = ((rate * secs).ceil() as u64).max(1);
            let id = ids
                .entry(rows)
                .or_insert_with(|| {
                    rt.block_on(designs::prepare(
                        &setup.athena,
                        &designs::sequence_sql(rows as usize),
                        None,
                    ))
                    .unwrap_or_else(|e| panic!("the query of {rows} rows failed: {e}"))
                })
                .clone();
            group.throughput(Throughput::Elements(rows));
            group.bench_function(BenchmarkId::new(design.name(), c), |b| {
                b.to_async(&rt)
                    .iter_custom(|iters| timed_iters(design, setup, &id, c, item, rows, iters));
            });
        }
    }
    group.finish();
}

/// Where the code reading the results runs in an `overhead` benchmark.
#[derive(Debug, Clone, Copy)]
enum Consumer {
    /// In a task spawned on the runtime's workers, as in a service.
    Spawned,
    /// In the future given to `block_on`, on a thread that is not a worker (the body
    /// of `#[tokio::main]`): everything the runtime hands it crosses threads.
    BlockOn,
}

impl Consumer {
    /// The criterion group: `overhead` for [`Consumer::Spawned`],
    /// `overhead_block_on` for [`Consumer::BlockOn`].
    const fn group(self) -> &'static str {
        match self {
            Consumer::Spawned => "overhead",
            Consumer::BlockOn => "overhead_block_on",
        }
    }

    /// Runs `read` where this consumer runs, and the wall time it took.
    async fn time<F>(self, read: F) -> (u64, Duration)
    where
        F: Future<Output = Result<u64, athena_stream::error::BoxError>> + Send + 'static,
    {
        let started = std::time::Instant::now();
        let rows = match self {
            Consumer::Spawned => tokio::spawn(read).await.expect("the reading task"),
            Consumer::BlockOn => read.await,
        };
        let rows = rows.unwrap_or_else(|e| panic!("reading the results failed: {e}"));
        (rows, started.elapsed())
    }
}

fn overhead(criterion: &mut Criterion) {
    let rt = runtime();
    let rows: usize = if bench_mode() { 20_000 } else { 1_000 };
    let setup = rt
        .block_on(designs::start(Duration::ZERO, rows))
        .unwrap_or_else(|e| panic!("the emulator did not start: {e}"));
    let queries = [
        ("uri", "SELECT uri FROM cf_access_logs"),
        ("select_star", "SELECT * FROM cf_access_logs"),
    ]
    .map(|(name, sql)| {
        let id = rt
            .block_on(designs::prepare(
                &setup.athena,
                sql,
                Some(designs::CLOUDFRONT_DATABASE),
            ))
            .unwrap_or_else(|e| panic!("{sql} failed: {e}"));
        (name, id)
    });

    for consumer in [Consumer::Spawned, Consumer::BlockOn] {
        let mut group = criterion.benchmark_group(consumer.group());
        group
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(5))
            .throughput(Throughput::Elements(rows as u64));
        for (name, id) in &queries {
            // The full path: attach, header and NULL handling, the fan-out with a no-op.
            group.bench_function(BenchmarkId::new("athena_stream", name), |b| {
                b.to_async(&rt).iter_custom(|iters| {
                    let (athena, id) = (setup.athena.clone(), id.clone());
                    async move {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            let (athena, id) = (athena.clone(), id.clone());
                            let read = async move {
                                designs::stream(&athena, &id, 16, Duration::ZERO).await
                            };
                            let (n, elapsed) = consumer.time(read).await;
                            assert_eq!(n, rows as u64);
                            total += elapsed;
                        }
                        total
                    }
                });
            });
            // The raw SDK paginator over the same pages (the header row counted as a row).
            group.bench_function(BenchmarkId::new("sdk_paginator", name), |b| {
                b.to_async(&rt).iter_custom(|iters| {
                    let (client, id) = (setup.client.clone(), id.clone());
                    async move {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            let (client, id) = (client.clone(), id.clone());
                            let read = async move { designs::raw_paginator(&client, &id).await };
                            let (n, elapsed) = consumer.time(read).await;
                            assert_eq!(n, rows as u64 + 1);
                            total += elapsed;
                        }
                        total
                    }
                });
            });
        }
        group.finish();
    }
}

criterion_group!(benches, fanout, overhead);
criterion_main!(benches);
