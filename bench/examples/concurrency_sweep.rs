//! Throughput against concurrency: rows/s of three designs for reading and
//! processing one query's results, for each `max_concurrency`, against the ideal
//! `min(C / t_item, rows_per_page / t_page)`.
//!
//! Everything runs in-process on the real `aws-sdk-athena` client: an Athena emulator
//! whose `GetQueryResults` answers take `--page-ms`, and a processor that sleeps
//! `--item-ms` per row. The designs (see `bench/src/designs.rs`):
//!
//! - `stream`: this library (`Athena::attach` + `run_map`, no barrier between pages);
//! - `page_barrier`: the design of AWS's Step Functions sample: fetch a page, run its
//!   rows with at most C at once, wait for all of them, fetch the next page;
//! - `sequential`: the SDK paginator and one row at a time (C does not apply).
//!
//! Each run reads a query that already finished, so only reading and processing are
//! timed. Rows per run are scaled to the design's expected rate so that every run takes
//! about `--run-secs`.
//!
//! ```text
//! cargo run --release -p athena-stream-bench --example concurrency_sweep -- --quick
//! cargo run --release -p athena-stream-bench --example concurrency_sweep -- --json --concurrency 1,8,64
//! cargo run --release -p athena-stream-bench --example concurrency_sweep     # 5 runs a point, medians
//! ```
//!
//! Tokio's sleeps overshoot by up to a millisecond (timer granularity), so a short
//! `--item-ms` understates every design against the ideal; the measured sleep is
//! printed on stderr.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use athena_stream::error::BoxError;
use athena_stream_bench::designs::{self, Design, Setup};
use clap::Parser;

/// Rows/s of three designs (this library's stream, the page barrier of AWS's Step
/// Functions sample, the SDK paginator one row at a time) against max_concurrency, with
/// an SVG chart.
#[derive(Debug, Parser)]
struct Args {
    /// Simulated work per row, in milliseconds (a tokio sleep).
    #[arg(long, default_value_t = 20.0)]
    item_ms: f64,
    /// Injected latency of every GetQueryResults call, in milliseconds.
    #[arg(long, default_value_t = 200.0)]
    page_ms: f64,
    /// The max_concurrency values, comma-separated (default: 1,2,4,...,128 and the
    /// balanced point 1000 * item_ms / page_ms, where a page takes as long to process as to fetch).
    #[arg(long, value_delimiter = ',')]
    concurrency: Option<Vec<usize>>,
    /// The designs to run, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "stream,page_barrier,sequential"
    )]
    designs: Vec<String>,
    /// One run a point of about 2 s (finishes within 2 minutes on 2 cores).
    #[arg(long)]
    quick: bool,
    /// Runs a point (default: 1 with --quick, else 5).
    #[arg(long)]
    repeat: Option<usize>,
    /// Target seconds a run (default: 2 with --quick, else 5).
    #[arg(long)]
    run_secs: Option<f64>,
    /// One JSON object per line instead of the table.
    #[arg(long)]
    json: bool,
    /// Where to write the SVG chart.
    #[arg(long, default_value = "docs/concurrency_sweep.svg")]
    svg: PathBuf,
    /// Write no chart.
    #[arg(long)]
    no_svg: bool,
}

/// The measurements of one design at one concurrency.
#[derive(Debug, Clone)]
struct Point {
    design: Design,
    concurrency: usize,
    rows: u64,
    /// rows/s of each run, sorted.
    rates: Vec<f64>,
    ideal: f64,
}

impl Point {
    fn median(&self) -> f64 {
        let n = self.rates.len();
        if n == 0 {
            0.0
        } else if n % 2 == 1 {
            self.rates[n / 2]
        } else {
            (self.rates[n / 2 - 1] + self.rates[n / 2]) / 2.0
        }
    }

    fn min(&self) -> f64 {
        self.rates.first().copied().unwrap_or(0.0)
    }

    fn max(&self) -> f64 {
        self.rates.last().copied().unwrap_or(0.0)
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
    match runtime.block_on(run(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            let mut source = e.source();
            while let Some(s) = source {
                eprintln!("  caused by: {s}");
                source = s.source();
            }
            ExitCode::FAILURE
        }
    }
}

fn millis(ms: f64, flag: &str) -> Result<Duration, BoxError> {
    if !ms.is_finite() || !(0.0..=60_000.0).contains(&ms) {
        return Err(format!("{flag} must be between 0 and 60000, not {ms}").into());
    }
    Ok(Duration::from_secs_f64(ms / 1000.0))
}

/// The designs named on the command line.
fn parse_designs(names: &[String]) -> Result<Vec<Design>, BoxError> {
    names
        .iter()
        .map(|name| {
            Design::parse(name).ok_or_else(|| -> BoxError {
                format!("unknown design {name:?}: use stream, page_barrier or sequential").into()
            })
        })
        .collect()
}

async fn run(args: &Args) -> Result<(), BoxError> {
    let item = millis(args.item_ms, "--item-ms")?;
    let page = millis(args.page_ms, "--page-ms")?;
    let designs = parse_designs(&args.designs)?;
    let concurrency = match &args.concurrency {
        Some(list) => list.clone(),
        None => default_concurrency(args.item_ms, args.page_ms),
    };
    if concurrency.is_empty() || concurrency.contains(&0) {
        return Err("--concurrency needs values of at least 1".into());
    }
    let repeat = args.repeat.unwrap_or(if args.quick { 1 } else { 5 }).max(1);
    let run_secs = args.run_secs.unwrap_or(if args.quick { 2.0 } else { 5.0 });
    if !run_secs.is_finite() || run_secs <= 0.0 || run_secs > 600.0 {
        return Err("--run-secs must be above 0 and at most 600".into());
    }

    let started = Instant::now();
    let setup = designs::start(page, 0).await?;
    calibrate(&setup, item).await?;

    // Queries are run once per row count, before any timed part.
    let mut ids: HashMap<u64, String> = HashMap::new();
    let mut points = Vec::new();
    if !args.json {
        println!(
            "{:<13} {:>5} {:>7} {:>10} {:>21} {:>10} {:>9}",
            "design", "C", "rows", "rows/s", "spread (min..max)", "ideal", "of ideal"
        );
    }
    for &c in &concurrency {
        let ideal = designs::ideal_rows_per_sec(c, item, page);
        for &design in &designs {
            let rows = rows_for(design, c, item, page, run_secs);
            let id = match ids.get(&rows) {
                Some(id) => id.clone(),
                None => {
                    let sql = designs::sequence_sql(rows as usize);
                    let id = designs::prepare(&setup.athena, &sql, None).await?;
                    ids.insert(rows, id.clone());
                    id
                }
            };
            let mut rates = Vec::with_capacity(repeat);
            for _ in 0..repeat {
                let (n, elapsed) = designs::timed(design, &setup, &id, c, item).await?;
                if n != rows {
                    return Err(format!("{}: read {n} rows, expected {rows}", design.name()).into());
                }
                rates.push(n as f64 / elapsed.as_secs_f64().max(1e-9));
            }
            rates.sort_by(f64::total_cmp);
            let point = Point {
                design,
                concurrency: c,
                rows,
                rates,
                ideal,
            };
            print_point(args, &point, repeat);
            points.push(point);
        }
    }
    summary(&points, item, page);
    if !args.no_svg {
        chart(&args.svg, &points, &concurrency, item, page)?;
        eprintln!("chart written to {}", args.svg.display());
    }
    eprintln!("sweep took {:.1} s", started.elapsed().as_secs_f64());
    setup.emulator.shutdown().await;
    Ok(())
}

/// 1, 2, 4, ..., 128, plus the balanced point `1000 * item_ms / page_ms` when it is a
/// whole number in range.
fn default_concurrency(item_ms: f64, page_ms: f64) -> Vec<usize> {
    let mut list: Vec<usize> = (0..8).map(|i| 1 << i).collect();
    if page_ms > 0.0 {
        let balanced = designs::ROWS_PER_PAGE as f64 * item_ms / page_ms;
        if balanced.fract() == 0.0 && (1.0..=128.0).contains(&balanced) {
            let balanced = balanced as usize;
            if !list.contains(&balanced) {
                list.push(balanced);
                list.sort_unstable();
            }
        }
    }
    list
}

/// Rows for one run of about `run_secs` at the design's expected rate (at least one
/// row; at least two pages for a design that is bound by pages).
fn rows_for(design: Design, c: usize, item: Duration, page: Duration, run_secs: f64) -> u64 {
    let rate = design.expected_rows_per_sec(c, item, page);
    let rows = if rate.is_finite() {
        (rate * run_secs).ceil()
    } else {
        20_000.0
    };
    rows.clamp(1.0, 1e7) as u64
}

/// Measures what the simulated times really cost here: a tokio sleep of `item`, and a
/// `GetQueryResults` call of a full page, and prints them on stderr.
async fn calibrate(setup: &Setup, item: Duration) -> Result<(), BoxError> {
    if !item.is_zero() {
        let n = 20;
        let started = Instant::now();
        for _ in 0..n {
            tokio::time::sleep(item).await;
        }
        let mean = started.elapsed().as_secs_f64() * 1000.0 / f64::from(n);
        eprintln!(
            "a tokio sleep of {:.1} ms takes {mean:.2} ms here (timer granularity: the ideal assumes {:.1})",
            item.as_secs_f64() * 1000.0,
            item.as_secs_f64() * 1000.0
        );
    }
    let id = designs::prepare(
        &setup.athena,
        &designs::sequence_sql(designs::ROWS_PER_PAGE),
        None,
    )
    .await?;
    let n = 3;
    let started = Instant::now();
    for _ in 0..n {
        setup
            .client
            .get_query_results()
            .query_execution_id(&id)
            .send()
            .await?;
    }
    let mean = started.elapsed().as_secs_f64() * 1000.0 / f64::from(n);
    eprintln!(
        "a GetQueryResults call of a full page takes {mean:.1} ms here, injected latency included"
    );
    Ok(())
}

fn print_point(args: &Args, p: &Point, repeat: usize) {
    let median = p.median();
    if args.json {
        let line = serde_json::json!({
            "design": p.design.name(),
            "max_concurrency": p.concurrency,
            "item_ms": args.item_ms,
            "page_ms": args.page_ms,
            "rows": p.rows,
            "rows_per_sec": round1(median),
            "ideal_rows_per_sec": round1(p.ideal),
            "runs": repeat,
            "rows_per_sec_min": round1(p.min()),
            "rows_per_sec_max": round1(p.max()),
        });
        println!("{line}");
    } else {
        let spread = format!("{:.0}..{:.0}", p.min(), p.max());
        println!(
            "{:<13} {:>5} {:>7} {:>10.0} {:>21} {:>10.0} {:>9.2}",
            p.design.name(),
            p.concurrency,
            p.rows,
            median,
            spread,
            p.ideal,
            median / p.ideal
        );
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The targets (BENCHMARKS.md), on stderr: `stream` against the ideal at every C, and against
/// `page_barrier` where a page takes as long to process as to fetch.
fn summary(points: &[Point], item: Duration, page: Duration) {
    let find = |d: Design, c: usize| points.iter().find(|p| p.design == d && p.concurrency == c);
    let stream: Vec<&Point> = points
        .iter()
        .filter(|p| p.design == Design::Stream)
        .collect();
    if let Some(worst) = stream
        .iter()
        .min_by(|a, b| (a.median() / a.ideal).total_cmp(&(b.median() / b.ideal)))
    {
        eprintln!(
            "stream: lowest share of the ideal {:.2} at C = {} (target: at least 0.90 at every C)",
            worst.median() / worst.ideal,
            worst.concurrency
        );
    }
    for s in &stream {
        let processing = designs::ROWS_PER_PAGE as f64 * item.as_secs_f64() / s.concurrency as f64;
        let balanced = (processing - page.as_secs_f64()).abs() <= 0.25 * page.as_secs_f64();
        if let (true, Some(b)) = (balanced, find(Design::PageBarrier, s.concurrency)) {
            eprintln!(
                "C = {}: a page takes {:.0} ms to process and {:.0} ms to fetch; stream / page_barrier = {:.2} (target: at least 1.5 where they are equal)",
                s.concurrency,
                processing * 1000.0,
                page.as_secs_f64() * 1000.0,
                s.median() / b.median().max(1e-9)
            );
        }
    }
}

/// rows/s against max_concurrency, log scale on both axes: a line per design and the ideal.
fn chart(
    path: &Path,
    points: &[Point],
    concurrency: &[usize],
    item: Duration,
    page: Duration,
) -> Result<(), BoxError> {
    use plotters::prelude::*;

    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut cs: Vec<usize> = concurrency.to_vec();
    cs.sort_unstable();
    cs.dedup();
    let ideal: Vec<(f64, f64)> = cs
        .iter()
        .map(|&c| (c as f64, designs::ideal_rows_per_sec(c, item, page)))
        .filter(|(_, y)| y.is_finite())
        .collect();
    let (lo, hi) = rate_range(points, &ideal)?;
    let x_lo = cs.first().copied().unwrap_or(1) as f64 / 1.3;
    let x_hi = cs.last().copied().unwrap_or(1) as f64 * 1.3;

    let root = SVGBackend::new(path, (900, 560)).into_drawing_area();
    root.fill(&WHITE)?;
    let caption = format!(
        "One query's rows/s against max_concurrency (item {} ms, page {} ms)",
        item.as_secs_f64() * 1000.0,
        page.as_secs_f64() * 1000.0
    );
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 20))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(80)
        .build_cartesian_2d((x_lo..x_hi).log_scale(), (lo / 1.5..hi * 1.5).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("max_concurrency (log scale)")
        .y_desc("rows/s (log scale)")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()?;

    let ideal_style = ShapeStyle::from(&BLACK.mix(0.6)).stroke_width(1);
    chart
        .draw_series(LineSeries::new(ideal, ideal_style))?
        .label("ideal: min(C / t_item, 1000 / t_page)")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], ideal_style));
    let colours = [
        (Design::Stream, RGBColor(31, 119, 180)),
        (Design::PageBarrier, RGBColor(214, 39, 40)),
        (Design::Sequential, RGBColor(44, 160, 44)),
    ];
    for (design, colour) in colours {
        draw_design(&mut chart, points, design, colour)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// The lowest and highest rate to chart, over every run and the ideal `(C, rows/s)`.
fn rate_range(points: &[Point], ideal: &[(f64, f64)]) -> Result<(f64, f64), BoxError> {
    let values = points
        .iter()
        .flat_map(|p| [p.min(), p.max()])
        .chain(ideal.iter().map(|&(_, y)| y))
        .filter(|y| y.is_finite() && *y > 0.0);
    let (lo, hi) = values.fold((f64::INFINITY, 0.0f64), |(lo, hi), y| {
        (lo.min(y), hi.max(y))
    });
    if !lo.is_finite() || hi <= 0.0 {
        return Err("nothing to chart".into());
    }
    Ok((lo, hi))
}

/// The chart [`chart`] draws on: an SVG, log scale on both axes.
type LogChart<'a, 'b> = plotters::prelude::ChartContext<
    'a,
    plotters::prelude::SVGBackend<'b>,
    plotters::prelude::Cartesian2d<
        plotters::prelude::LogCoord<f64>,
        plotters::prelude::LogCoord<f64>,
    >,
>;

/// One design's line of median rates in `colour`, with its legend entry, a dot at each
/// point and the spread of the runs as a vertical bar. Nothing for a design not run.
fn draw_design(
    chart: &mut LogChart<'_, '_>,
    points: &[Point],
    design: Design,
    colour: plotters::prelude::RGBColor,
) -> Result<(), BoxError> {
    use plotters::prelude::*;

    let mut line: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.design == design)
        .map(|p| (p.concurrency as f64, p.median()))
        .collect();
    if line.is_empty() {
        return Ok(());
    }
    line.sort_by(|a, b| a.0.total_cmp(&b.0));
    let style = ShapeStyle::from(&colour).stroke_width(2);
    chart
        .draw_series(LineSeries::new(line.clone(), style))?
        .label(design.name())
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
    chart.draw_series(
        line.iter()
            .map(|&(x, y)| Circle::new((x, y), 3, colour.filled())),
    )?;
    // The spread of the runs, as a vertical bar at each point.
    chart.draw_series(
        points
            .iter()
            .filter(|p| p.design == design && p.rates.len() > 1)
            .map(|p| {
                let x = p.concurrency as f64;
                PathElement::new(vec![(x, p.min()), (x, p.max())], style)
            }),
    )?;
    Ok(())
}
