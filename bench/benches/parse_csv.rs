//! Parsing speed of a result file: MB/s of Athena CSV through the library's push
//! parser (`src/result_file/csv.rs`), and of its quote-parity cut
//! (`src/result_file/split.rs`), on one core, both through `athena_stream::__bench`.
//!
//! The input is a ~16 MB five-column CSV shaped like CloudFront log columns (date,
//! uri, status, bytes, user agent): every value quoted, about 3% of `bytes` NULL, and
//! about 2% of user agents holding doubled quotes. It is fed in 1 MiB chunks, so values
//! also span chunks.
//!
//! - `parse_csv/count`: a sink that counts fields, NULLs and value bytes (no
//!   allocation). Target: at least 500 MB/s.
//! - `parse_csv/collect`: a sink that builds a `Vec<Option<String>>` per row.
//! - `parse_csv/range_cut`: `RangeCut` over 1 MiB ranges (quote count and row
//!   boundaries), the pass the reader makes before parsing in parallel.
//! - `parse_csv/rows`: the reader's own parse of one slice into `Row`s (each row's
//!   values packed in one buffer), through `athena_stream::__bench`, the columns typed
//!   as the emulator's `cf_access_logs` types them (date, varchar, varchar, bigint,
//!   varchar).
//! - `parse_csv/batches` (with `--features arrow`): the same bytes straight into Arrow
//!   column builders, batches of 8,192 rows: the date read as a `Date32`, `bytes` as an
//!   `Int64`, the text as `Utf8`.
//!
//! `cargo bench -p athena-stream-bench --bench parse_csv` (`--features arrow` for
//! `batches`). Under `cargo test` each benchmark runs once on a small file.

use std::hint::black_box;
use std::time::Duration;

use athena_stream::__bench::{FieldSink, parse_csv, range_cut};
use athena_stream_bench::setup::bench_mode;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const CHUNK: usize = 1 << 20;

/// A small deterministic generator (xorshift64), so that every run parses the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const AGENTS: [&str; 5] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "curl/8.4.0",
    "Amazon CloudFront",
];

/// What the file holds, to check the parse against.
#[derive(Debug, Default, PartialEq, Eq)]
struct Counts {
    rows: u64,
    fields: u64,
    nulls: u64,
    value_bytes: u64,
}

/// The CSV of `rows` CloudFront-like rows (header included), and its counts.
fn cloudfront_csv(rows: usize) -> (Vec<u8>, Counts) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = Vec::with_capacity(rows * 170);
    let mut counts = Counts::default();
    let value = |out: &mut Vec<u8>, counts: &mut Counts, v: Option<&str>, last: bool| {
        counts.fields += 1;
        match v {
            Some(v) => {
                counts.value_bytes += v.len() as u64;
                out.push(b'"');
                for &b in v.as_bytes() {
                    if b == b'"' {
                        out.push(b'"');
                    }
                    out.push(b);
                }
                out.push(b'"');
            }
            None => counts.nulls += 1,
        }
        out.push(if last { b'\n' } else { b',' });
    };
    for (i, name) in ["date", "uri", "status", "bytes", "user_agent"]
        .iter()
        .enumerate()
    {
        value(&mut out, &mut counts, Some(name), i == 4);
    }
    counts.rows += 1;
    for _ in 0..rows {
        let date = format!("2025-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28));
        let uri = format!(
            "/{}/{:x}.{}",
            ["images", "css", "js", "api/v1/items", "index"][rng.below(5) as usize],
            rng.next() >> (rng.below(40) + 4),
            ["jpg", "css", "js", "json", "html"][rng.below(5) as usize]
        );
        let status = ["200", "200", "200", "304", "404", "500"][rng.below(6) as usize];
        let bytes = (rng.below(100) >= 3).then(|| rng.below(5_000_000).to_string());
        let agent = if rng.below(100) < 2 {
            format!("{} \"compat\" (\"bot\")", AGENTS[rng.below(5) as usize])
        } else {
            AGENTS[rng.below(5) as usize].to_owned()
        };
        value(&mut out, &mut counts, Some(&date), false);
        value(&mut out, &mut counts, Some(&uri), false);
        value(&mut out, &mut counts, Some(status), false);
        value(&mut out, &mut counts, bytes.as_deref(), false);
        value(&mut out, &mut counts, Some(&agent), true);
        counts.rows += 1;
    }
    (out, counts)
}

/// Counts what it is given; allocates nothing.
#[derive(Default)]
struct CountSink(Counts);

impl FieldSink for CountSink {
    fn field(&mut self, value: Option<&str>) {
        self.0.fields += 1;
        match value {
            Some(v) => self.0.value_bytes += v.len() as u64,
            None => self.0.nulls += 1,
        }
    }

    fn end_row(&mut self) {
        self.0.rows += 1;
    }
}

/// Builds each row as `Vec<Option<String>>`, as a reader making `Row`s does, and
/// hands it on (to `black_box`).
#[derive(Default)]
struct CollectSink {
    row: Vec<Option<String>>,
    rows: u64,
}

impl FieldSink for CollectSink {
    fn field(&mut self, value: Option<&str>) {
        self.row.push(value.map(str::to_owned));
    }

    fn end_row(&mut self) {
        black_box(std::mem::replace(&mut self.row, Vec::with_capacity(5)));
        self.rows += 1;
    }
}

fn parse<S: FieldSink>(file: &[u8], sink: &mut S) {
    parse_csv(file, CHUNK, true, sink).expect("the file is well-formed");
}

fn bench(c: &mut Criterion) {
    // 130,000 rows make ~16 MB.
    let rows = if bench_mode() { 130_000 } else { 1_000 };
    let (file, expected) = cloudfront_csv(rows);
    let mut check = CountSink::default();
    parse(&file, &mut check);
    assert_eq!(check.0, expected, "the parser reads back what was written");

    let mut group = c.benchmark_group("parse_csv");
    group.throughput(Throughput::Bytes(file.len() as u64));
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("count", |b| {
        b.iter(|| {
            let mut sink = CountSink::default();
            parse(black_box(&file), &mut sink);
            black_box(sink.0)
        })
    });
    group.bench_function("collect", |b| {
        b.iter(|| {
            let mut sink = CollectSink::default();
            parse(black_box(&file), &mut sink);
            black_box(sink.rows)
        })
    });
    group.bench_function("range_cut", |b| {
        b.iter(|| {
            let mut odd = false;
            let mut boundaries = 0;
            for range in black_box(&file).chunks(CHUNK) {
                let (quotes, ends_a_row) = range_cut(range, odd);
                odd ^= quotes % 2 == 1;
                boundaries += usize::from(ends_a_row);
            }
            black_box(boundaries)
        })
    });
    let metadata = std::sync::Arc::new(athena_stream::value::ResultSetMetadata::new(
        [
            ("date", "date"),
            ("uri", "varchar"),
            ("status", "varchar"),
            ("bytes", "bigint"),
            ("user_agent", "varchar"),
        ]
        .into_iter()
        .map(|(name, ty)| athena_stream::value::ColumnInfo::new(name, ty))
        .collect(),
    ));
    let data_rows = expected.rows as usize - 1;
    let parsed = athena_stream::__bench::parse_rows(metadata.clone(), &file, CHUNK);
    assert_eq!(parsed, Ok(data_rows), "the reader's parse reads every row");
    group.bench_function("rows", |b| {
        b.iter(|| athena_stream::__bench::parse_rows(metadata.clone(), black_box(&file), CHUNK))
    });
    #[cfg(feature = "arrow")]
    {
        let options = athena_stream::arrow::BatchOptions::new();
        let batches =
            athena_stream::__bench::parse_batches(metadata.clone(), &file, CHUNK, &options)
                .expect("the file reads as its types");
        let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
        assert_eq!(rows, data_rows, "the batches hold every row");
        group.bench_function("batches", |b| {
            b.iter(|| {
                athena_stream::__bench::parse_batches(
                    metadata.clone(),
                    black_box(&file),
                    CHUNK,
                    &options,
                )
            })
        });
    }
    group.finish();
    eprintln!("parse_csv: {} bytes, {} rows", file.len(), expected.rows);
}

criterion_group!(benches, bench);
criterion_main!(benches);
