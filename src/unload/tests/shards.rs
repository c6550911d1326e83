//! Reading shards: several at once, the footer first, retries, a file replaced while read, refusals.

use super::*;

#[derive(Debug, serde::Deserialize)]
struct Hit {
    request_id: String,
    bytes: Option<i64>,
}

/// `files` files of [`hits`] of `rows` rows each, `s3://out/run/f<i>`, as shards that
/// list their columns.
pub(super) fn hit_shards(s3: &FakeS3, files: usize, rows: usize) -> Vec<Shard> {
    (0..files)
        .map(|f| {
            let uri = format!("s3://out/run/f{f}");
            s3.put(&uri, hits(&format!("f{f}"), rows));
            let mut shard = Shard::new(uri, UnloadFormat::Parquet);
            shard.columns = hit_columns();
            shard
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn several_shards_are_read_at_once_and_every_row_comes_once() {
    let s3 = FakeS3::default();
    s3.set_latency(Duration::from_millis(10));
    let (_, athena) = athena(&s3);
    let shards = hit_shards(&s3, 6, 2500);

    let started = tokio::time::Instant::now();
    let hits: Vec<Hit> = athena
        .read_shards(shards.clone(), MapSettings::new(3))
        .and_then(|row| async move { row.deserialize::<Hit>() })
        .try_collect()
        .await
        .unwrap();
    let parallel = started.elapsed();
    let ids: BTreeSet<&str> = hits.iter().map(|h| h.request_id.as_str()).collect();
    assert_eq!(hits.len(), 6 * 2500);
    assert_eq!(ids.len(), hits.len(), "every row once");
    for f in 0..6 {
        assert!(ids.contains(format!("f{f}-2499").as_str()));
    }
    assert_eq!(hits.iter().filter(|h| h.bytes.is_none()).count(), 6 * 358);
    assert!(s3.max_in_flight() >= 2, "files were read at once");

    // One at a time: the files in order, each in its own order, and slower.
    let started = tokio::time::Instant::now();
    let ids: Vec<String> = athena
        .read_shards(shards, MapSettings::new(1))
        .map_ok(|row| row.get::<String>("request_id").unwrap())
        .try_collect()
        .await
        .unwrap();
    let sequential = started.elapsed();
    let expected: Vec<String> = (0..6)
        .flat_map(|f| (0..2500).map(move |i| format!("f{f}-{i}")))
        .collect();
    assert_eq!(ids, expected);
    assert!(
        parallel * 2 <= sequential,
        "3 at once took {parallel:?}, one at a time {sequential:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_footer_is_read_first_then_the_column_chunks_in_ranges() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    // Uncompressed, so the file is large enough for its footer to be a suffix.
    let n = 40_000;
    let file = big_file();
    let size = file.len() as u64;
    assert!(size > 4 * reader::FOOTER_PREFETCH, "{size}");
    s3.put("s3://out/big/f1", file);

    let rows = athena
        .read_shard(&Shard::new("s3://out/big/f1", UnloadFormat::Parquet))
        .try_fold(0, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap();
    assert_eq!(rows, n);
    assert_eq!(s3.calls(Operation::HeadObject), 1);
    let ranges = s3.ranges();
    // The footer first, in one request for the end of the file.
    assert_eq!(ranges[0], (size - reader::FOOTER_PREFETCH, size));
    // Then each row group's column chunks (adjacent, so one range each), except what
    // the footer's request already brought.
    let chunks = &ranges[1..];
    assert!((3..=4).contains(&chunks.len()), "{ranges:?}");
    assert!(
        chunks.windows(2).all(|w| w[0].1 <= w[1].0),
        "in file order: {ranges:?}"
    );
    assert!(chunks.iter().all(|r| r.1 <= size - 8), "{ranges:?}");
    let read: u64 = ranges.iter().map(|(s, e)| e - s).sum();
    assert!(
        read < size + reader::FOOTER_PREFETCH,
        "{read} bytes for a {size}-byte file"
    );

    // With a smaller chunk size, a row group's range is cut into pieces read at once.
    let s3_small = FakeS3::default();
    s3_small.set_latency(Duration::from_millis(5));
    s3_small.put("s3://out/big/f1", s3_object(&s3, "s3://out/big/f1"));
    let athena_small = Fake::new(Plan::rows(0))
        .builder()
        .with_s3_api(Arc::new(s3_small.clone()))
        .with_chunk_size(16 * 1024)
        .with_chunks_in_flight(4)
        .build()
        .unwrap();
    let count = athena_small
        .read_shard(&Shard::new("s3://out/big/f1", UnloadFormat::Parquet))
        .try_fold(0, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap();
    assert_eq!(count, n);
    let ranges = s3_small.ranges();
    assert!(
        ranges[1..].iter().all(|(s, e)| e - s <= 16 * 1024),
        "{ranges:?}"
    );
    assert_eq!(s3_small.max_in_flight(), 4);
}

/// The bytes of an object of the fake, read through the seam.
fn s3_object(s3: &FakeS3, uri: &str) -> Vec<u8> {
    use crate::s3::{ObjectLocation, S3Api};
    let stats = crate::stats::Stats::default();
    futures::executor::block_on(s3.get_object(&ObjectLocation::parse(uri).unwrap(), &stats))
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn throttled_and_cut_off_reads_are_retried() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    s3.put("s3://out/run/f1", hits("f1", 3000));
    s3.fail_next(Operation::HeadObject, S3Fault::SlowDown, 1);
    s3.fail_next(Operation::GetObject, S3Fault::SlowDown, 2);
    s3.fail_next(Operation::GetObject, S3Fault::CutAfter(100), 1);
    let rows: Vec<Row> = athena
        .read_shard(&Shard::new("s3://out/run/f1", UnloadFormat::Parquet))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 3000);
    assert_eq!(s3.faults_left(Operation::GetObject), 0);
    assert_eq!(s3.faults_left(Operation::HeadObject), 0);
}

/// A file too large for its footer's request to bring it all: 40,000 rows in row
/// groups of 10,000, uncompressed.
pub(super) fn big_file() -> Vec<u8> {
    let n = 40_000;
    let ids: StringArray = (0..n).map(|i| Some(format!("request-{i:08}"))).collect();
    let bytes: Int64Array = (0..n).map(|i| Some(i as i64 * 31)).collect();
    arrow_parquet(
        vec![
            ("request_id", Arc::new(ids) as ArrayRef),
            ("bytes", Arc::new(bytes)),
        ],
        Compression::UNCOMPRESSED,
        10_000,
    )
}

#[tokio::test(start_paused = true)]
async fn a_file_replaced_while_read_fails_the_read_and_no_row_comes_twice() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    s3.put("s3://out/run/f1", big_file());
    let mut rows = athena.read_shard(&Shard::new("s3://out/run/f1", UnloadFormat::Parquet));
    let first = rows.next().await.unwrap().unwrap();
    assert_eq!(
        first.get_str("request_id").unwrap(),
        Some("request-00000000")
    );
    // The reader is at most a few batches ahead (its channel is bounded), so the row
    // groups after them are read from the new version, which S3 refuses (If-Match).
    s3.replace("s3://out/run/f1");
    let mut seen = BTreeSet::from([first.row_number()]);
    let err = loop {
        match rows.next().await {
            Some(Ok(row)) => assert!(
                seen.insert(row.row_number()),
                "row {} twice",
                row.row_number()
            ),
            Some(Err(e)) => break e,
            None => panic!("the replaced file was read to its end"),
        }
    };
    assert!(seen.len() < 40_000, "{} rows", seen.len());
    assert!(
        rows.next().await.is_none(),
        "the stream ends after its error"
    );
    assert_changed_while_read(&err, "s3://out/run/f1");
}

/// The error of a read of `uri` that S3 refused because the file changed (`If-Match`
/// on the ETag the read began with, `"v1"`).
pub(super) fn assert_changed_while_read(err: &Error, uri: &str) {
    let Error::Unload {
        location, source, ..
    } = err
    else {
        panic!("{err:?}");
    };
    assert_eq!(location, uri);
    let source = source.as_ref().expect("the S3 error underneath");
    assert!(
        matches!(
            source.downcast_ref::<Error>(),
            Some(Error::ResultFileChanged { etag, .. }) if etag == "\"v1\""
        ),
        "{source:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_refused_read_is_not_retried_and_names_the_file() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    s3.put("s3://out/run/f1", hits("f1", 10));
    s3.fail_next(Operation::GetObject, S3Fault::AccessDenied, 1);
    let err = shard_error(
        &athena,
        &Shard::new("s3://out/run/f1", UnloadFormat::Parquet),
    )
    .await;
    assert!(matches!(err, Error::Unload { .. }), "{err:?}");
    assert!(err.to_string().contains("s3://out/run/f1"), "{err}");
    assert!(err.to_string().contains("AccessDenied"), "{err}");
    assert_eq!(s3.calls(Operation::GetObject), 1, "not retried");

    // HeadObject refused: the same, before any byte is read.
    s3.fail_next(Operation::HeadObject, S3Fault::AccessDenied, 1);
    let err = shard_error(
        &athena,
        &Shard::new("s3://out/run/f1", UnloadFormat::Parquet),
    )
    .await;
    assert!(err.to_string().contains("HeadObject failed"), "{err}");
    assert_eq!(s3.calls(Operation::GetObject), 1);
}

#[tokio::test(start_paused = true)]
async fn a_column_of_a_type_athena_has_not_is_refused_by_name() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    // Parquet's INTERVAL, which the Arrow reader reads as an interval, which no Athena
    // column type is.
    s3.put(
        "s3://out/run/interval",
        hive_parquet(
            "message trino_schema { optional fixed_len_byte_array(12) v (INTERVAL); }",
            HiveValue::Fixed(vec![0; 12]),
        ),
    );
    let err = shard_error(
        &athena,
        &Shard::new("s3://out/run/interval", UnloadFormat::Parquet),
    )
    .await;
    assert!(matches!(err, Error::Unload { .. }), "{err:?}");
    assert!(err.to_string().contains("column `v`"), "{err}");
    assert!(err.to_string().contains("has no Athena type"), "{err}");
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------
