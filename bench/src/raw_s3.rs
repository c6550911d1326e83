//! The baselines of `read_paths`, on the plain `aws-sdk-s3` client: a ranged download of
//! a result file that only counts its bytes (what the file path would cost if parsing
//! and making rows were free), and the parse rate of this machine on the file's bytes,
//! through the library's own CSV parser (private, reached through
//! `athena_stream::__bench`, as `benches/parse_csv.rs` does).

use std::hint::black_box;
use std::time::{Duration, Instant};

use std::sync::Arc;

#[cfg(feature = "arrow")]
use athena_stream::__bench::parse_batches;
use athena_stream::__bench::{FieldSink, parse_csv, parse_rows};
use athena_stream::error::BoxError;
use athena_stream::value::ResultSetMetadata;
use futures::StreamExt;

/// At most this much of a file is parsed for the rate: enough for a steady figure,
/// little enough to hold in memory whatever the file's size.
const PARSE_SAMPLE: u64 = 64 << 20;

/// The sample is parsed again until this much time has passed, so that a small file
/// still gives a figure above timer noise.
const PARSE_MIN_TIME: Duration = Duration::from_millis(300);

/// The bytes pushed to the parser at a time, as a range's body arrives in pieces.
const PUSH_SIZE: usize = 1 << 20;

/// An object in S3, from an `s3://bucket/key` URI.
pub struct Location {
    pub bucket: String,
    pub key: String,
}

impl Location {
    /// # Errors
    /// When `uri` is not `s3://bucket/key`.
    pub fn parse(uri: &str) -> Result<Location, BoxError> {
        let (bucket, key) = uri
            .strip_prefix("s3://")
            .and_then(|rest| rest.split_once('/'))
            .filter(|(bucket, key)| !bucket.is_empty() && !key.is_empty())
            .ok_or_else(|| format!("not an s3://bucket/key location: {uri}"))?;
        Ok(Location {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
        })
    }
}

/// The object's size (`HeadObject`).
///
/// # Errors
/// The call's error, or an answer without a size.
pub async fn size(s3: &aws_sdk_s3::Client, at: &Location) -> Result<u64, BoxError> {
    let head = s3
        .head_object()
        .bucket(&at.bucket)
        .key(&at.key)
        .send()
        .await?;
    let length = head
        .content_length()
        .ok_or("HeadObject answered without Content-Length")?;
    u64::try_from(length).map_err(|_| format!("negative Content-Length {length}").into())
}

/// What a bare download moved.
pub struct Download {
    pub bytes: u64,
    pub ranges: u64,
    pub elapsed: Duration,
}

/// Downloads `size` bytes of the object in ranges of `chunk` bytes, `in_flight` at a
/// time, counting the bytes and keeping none (no parsing, no order).
///
/// # Errors
/// The first failed GET, or a file of another size than `size`.
pub async fn ranged_download(
    s3: &aws_sdk_s3::Client,
    at: &Location,
    size: u64,
    chunk: u64,
    in_flight: usize,
) -> Result<Download, BoxError> {
    let started = Instant::now();
    let starts = (0..size).step_by(usize::try_from(chunk.max(1)).unwrap_or(usize::MAX));
    let mut gets = futures::stream::iter(starts)
        .map(|start| get_range(s3, at, start, (start + chunk).min(size)))
        .buffer_unordered(in_flight.max(1));
    let mut bytes = 0u64;
    let mut ranges = 0u64;
    while let Some(got) = gets.next().await {
        bytes += got?;
        ranges += 1;
    }
    if bytes != size {
        return Err(format!("downloaded {bytes} bytes of a {size}-byte file").into());
    }
    Ok(Download {
        bytes,
        ranges,
        elapsed: started.elapsed(),
    })
}

/// GETs bytes `start..end` and counts them as they arrive.
async fn get_range(
    s3: &aws_sdk_s3::Client,
    at: &Location,
    start: u64,
    end: u64,
) -> Result<u64, BoxError> {
    let mut body = s3
        .get_object()
        .bucket(&at.bucket)
        .key(&at.key)
        .range(format!("bytes={start}-{}", end - 1))
        .send()
        .await?
        .body;
    let mut bytes = 0u64;
    while let Some(piece) = body.next().await {
        bytes += black_box(piece?).len() as u64;
    }
    Ok(bytes)
}

/// A parse rate measured on this machine.
pub struct ParseRate {
    /// Bytes of the sample.
    pub bytes: u64,
    /// Rows of the sample (the header row included).
    pub rows: u64,
    pub bytes_per_sec: f64,
}

/// Parses the first `PARSE_SAMPLE` bytes of the object on one core, each value made an
/// owned `String` as the reader's rows hold them, and returns the rate.
///
/// # Errors
/// The GET's error, or bytes that are not Athena's CSV.
pub async fn parse_rate(
    s3: &aws_sdk_s3::Client,
    at: &Location,
    size: u64,
) -> Result<ParseRate, BoxError> {
    let sample = sample(s3, at, size).await?;
    // CPU work off the runtime's threads.
    tokio::task::spawn_blocking(move || time_parsing(&sample)).await?
}

/// The first `PARSE_SAMPLE` bytes of the object.
async fn sample(s3: &aws_sdk_s3::Client, at: &Location, size: u64) -> Result<Vec<u8>, BoxError> {
    let end = size.min(PARSE_SAMPLE);
    if end == 0 {
        return Err("the result file is empty".into());
    }
    Ok(s3
        .get_object()
        .bucket(&at.bucket)
        .key(&at.key)
        .range(format!("bytes=0-{}", end - 1))
        .send()
        .await?
        .body
        .collect()
        .await?
        .to_vec())
}

/// The library's own parse on one core, in MB/s, of the same sample cut at its last
/// row end: the parser alone (each field only counted), into rows as the file path
/// makes them, and into Arrow batches (feature `arrow`). Each the median of three
/// rounds, the three taking turns.
pub struct LibraryParseRates {
    /// Bytes of the sample.
    pub bytes: u64,
    pub count: f64,
    pub rows: f64,
    pub batches: Option<f64>,
}

/// Measures [`LibraryParseRates`] on the object's first bytes, read as `metadata`'s
/// columns.
///
/// # Errors
/// The GET's error, or bytes that are not Athena's CSV of those columns.
pub async fn library_parse_rates(
    s3: &aws_sdk_s3::Client,
    at: &Location,
    size: u64,
    metadata: Arc<ResultSetMetadata>,
) -> Result<LibraryParseRates, BoxError> {
    let sample = sample(s3, at, size).await?;
    tokio::task::spawn_blocking(move || {
        let sample = &sample[..row_end(&sample)];
        let mut count = Vec::new();
        let mut rows = Vec::new();
        // Filled only with the feature `arrow`.
        #[cfg_attr(not(feature = "arrow"), allow(unused_mut))]
        let mut batches = Vec::new();
        for _ in 0..3 {
            count.push(rate(sample, |s| {
                let mut sink = CountFields::default();
                parse_csv(s, PUSH_SIZE, true, &mut sink).map(|()| sink.0)
            })?);
            rows.push(rate(sample, |s| {
                parse_rows(metadata.clone(), s, PUSH_SIZE)
            })?);
            #[cfg(feature = "arrow")]
            batches.push(rate(sample, |s| {
                let options = athena_stream::arrow::BatchOptions::new();
                parse_batches(metadata.clone(), s, PUSH_SIZE, &options).map(|b| b.len())
            })?);
        }
        Ok(LibraryParseRates {
            bytes: sample.len() as u64,
            count: median(count),
            rows: median(rows),
            batches: (!batches.is_empty()).then(|| median(batches)),
        })
    })
    .await?
}

/// The end of the last whole row of `sample` (a cut at a size): the last `\n` after an
/// even number of quotes.
fn row_end(sample: &[u8]) -> usize {
    let mut quotes = 0usize;
    let mut end = 0;
    for (i, &b) in sample.iter().enumerate() {
        match b {
            b'"' => quotes += 1,
            b'\n' if quotes.is_multiple_of(2) => end = i + 1,
            _ => {}
        }
    }
    end
}

/// MB/s of `parse` over `sample`, parsed again until `PARSE_MIN_TIME` has passed.
fn rate<T, E: std::fmt::Display>(
    sample: &[u8],
    mut parse: impl FnMut(&[u8]) -> Result<T, E>,
) -> Result<f64, BoxError> {
    let started = Instant::now();
    let mut passes = 0u64;
    while passes == 0 || started.elapsed() < PARSE_MIN_TIME {
        black_box(parse(black_box(sample)).map_err(|e| format!("the sample does not parse: {e}"))?);
        passes += 1;
    }
    Ok((sample.len() as u64 * passes) as f64 / started.elapsed().as_secs_f64().max(1e-9) / 1e6)
}

fn median(mut rates: Vec<f64>) -> f64 {
    rates.sort_by(f64::total_cmp);
    rates.get(rates.len() / 2).copied().unwrap_or(0.0)
}

/// Sums the fields' lengths (a NULL as 1) and counts the rows, so that every field is
/// read; allocates nothing.
#[derive(Default)]
struct CountFields(u64);

impl FieldSink for CountFields {
    fn field(&mut self, value: Option<&str>) {
        self.0 += value.map_or(1, |v| v.len() as u64);
    }

    fn end_row(&mut self) {
        self.0 += 1;
    }
}

fn time_parsing(sample: &[u8]) -> Result<ParseRate, BoxError> {
    let mut rows = 0u64;
    let mb_per_sec = rate(sample, |sample| {
        let mut sink = Collect::default();
        // The sample may end inside a row (it is cut at a size, not a row end), so the
        // parser is not asked to finish.
        parse_csv(sample, PUSH_SIZE, false, &mut sink).map(|()| rows = sink.rows)
    })?;
    Ok(ParseRate {
        bytes: sample.len() as u64,
        rows,
        bytes_per_sec: mb_per_sec * 1e6,
    })
}

/// Builds each row as the library's rows from a result file hold their values: the
/// text of all values copied into one buffer and the end of each beside it (one
/// allocation a row up to six columns, two past that), and hands it on to `black_box`.
#[derive(Default)]
struct Collect {
    text: String,
    ends: Vec<u32>,
    rows: u64,
}

impl FieldSink for Collect {
    fn field(&mut self, value: Option<&str>) {
        self.text.push_str(value.unwrap_or(""));
        // The same end as the library's, with the top bit set for NULL.
        let end = self.text.len() as u32 | if value.is_none() { 1 << 31 } else { 0 };
        self.ends.push(end);
    }

    fn end_row(&mut self) {
        let text: Box<str> = self.text.as_str().into();
        // Rows of up to six columns keep their ends inside the row, as the library's do.
        if self.ends.len() <= 6 {
            let mut inline = [0u32; 6];
            inline[..self.ends.len()].copy_from_slice(&self.ends);
            black_box((text, inline));
        } else {
            let ends: Box<[u32]> = self.ends.as_slice().into();
            black_box((text, ends));
        }
        self.text.clear();
        self.ends.clear();
        self.rows += 1;
    }
}
