//! The result-file read path: the same rows as the API path, exact cuts at any range
//! size, faults retried from the byte where they stopped, a file that changes refused,
//! the fallbacks of `Auto`, resuming, and bounds on what is in flight.

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};

use super::backend::{Backend, Queries, ResultFiles};
use super::{numbers, range};
use crate::fake::s3::S3Fault;
use crate::{Error, ReadPath, ResultPage, ResumeFrom, Row, error::Operation};

/// Values that a careless CSV reader gets wrong: quotes, commas, newlines (`\n`, `\r`,
/// `\r\n`), NULL and `""`, a value that is only a quote, non-ASCII, a backslash.
pub(super) const HARD_VALUES: [Option<&str>; 14] = [
    Some("plain"),
    None,
    Some(""),
    Some("a,b"),
    Some("say \"hi\""),
    Some("\""),
    Some("\"\""),
    Some("line\nbreak"),
    Some("carriage\rreturn"),
    Some("both\r\nends"),
    Some("back\\slash"),
    Some("ünïcödé ✓ 日本"),
    Some(",\n\","),
    None,
];

fn texts(rows: &[Row]) -> Vec<Option<String>> {
    rows.iter().map(|r| r.values()[0].clone()).collect()
}

/// Through the result file, every size arrives whole and in order, with the columns
/// from `.csv.metadata` (no `GetQueryResults` call at all).
async fn every_size_arrives_whole_through_the_result_file<B: ResultFiles>() {
    let b = B::start(Queries::Quick).await;
    let athena = b
        .result_file_builder()
        .with_chunk_size(1000)
        .build()
        .unwrap();
    for n in [0usize, 1, 999, 1000, 1001, 2500] {
        let mut stream = athena.query(b.numbers(n));
        let mut rows = Vec::new();
        while let Some(row) = stream.try_next().await.unwrap() {
            rows.push(row);
        }
        assert_eq!(numbers(&rows), range(1, n as i64), "{n} rows");
        let stats = stream.stats();
        assert_eq!(stats.read_path, Some(ReadPath::ResultFile));
        assert_eq!(stats.get_query_results_calls, 0, "{n} rows");
        assert_eq!(stats.rows as usize, n);
        assert!(stats.bytes_read > 0);
        assert_eq!(stream.metadata().unwrap().columns()[0].name, "x");
    }
    b.finish().await;
}

/// The hard values come back exactly, NULL apart from `""`, whatever the range size
/// (ranges of 1 byte up: every cut position falls inside a value, between the two
/// quotes of a `""`, or inside a UTF-8 character at some size).
async fn every_range_size_cuts_the_rows_exactly<B: ResultFiles>() {
    let b = B::start(Queries::Quick).await;
    let expected: Vec<Option<String>> = HARD_VALUES.iter().map(|v| v.map(str::to_owned)).collect();
    for chunk in (1..=48).chain([64, 100, 1000]) {
        let athena = b
            .result_file_builder()
            .with_chunk_size(chunk)
            .with_chunks_in_flight(3)
            .build()
            .unwrap();
        let rows: Vec<Row> = athena
            .query(b.values(&HARD_VALUES))
            .try_collect()
            .await
            .unwrap_or_else(|e| panic!("ranges of {chunk} bytes: {e}"));
        assert_eq!(texts(&rows), expected, "ranges of {chunk} bytes");
    }
    b.finish().await;
}

/// `Auto` reads a result that fits one page through `GetQueryResults` only: no S3.
async fn auto_reads_a_one_page_result_without_any_s3_request<B: ResultFiles>() {
    let b = B::start(Queries::Quick).await;
    let mut stream = b.file_builder().build().unwrap().query(b.numbers(10));
    let mut rows = Vec::new();
    while let Some(row) = stream.try_next().await.unwrap() {
        rows.push(row);
    }
    assert_eq!(numbers(&rows), range(1, 10));
    assert_eq!(b.s3_calls(Operation::HeadObject), 0);
    assert_eq!(b.s3_calls(Operation::GetObject), 0);
    assert_eq!(stream.stats().read_path, Some(ReadPath::Api));
    b.finish().await;
}

/// `Auto` on a larger result: page 1 through `GetQueryResults`, the rest from the row
/// after it in the result file; every row once.
async fn auto_reads_page_one_from_the_api_and_the_rest_from_the_file<B: ResultFiles>() {
    let b = B::start(Queries::Quick).await;
    let athena = b.file_builder().with_chunk_size(4096).build().unwrap();
    let mut stream = athena.query(b.numbers(5000));
    let mut rows = Vec::new();
    while let Some(row) = stream.try_next().await.unwrap() {
        rows.push(row);
    }
    assert_eq!(numbers(&rows), range(1, 5000));
    let stats = stream.stats();
    assert_eq!(stats.get_query_results_calls, 1, "page 1 only");
    assert_eq!(stats.read_path, Some(ReadPath::ResultFile));
    assert_eq!(stats.fallback_reason, None);
    assert!(stats.ranges >= 2, "{stats:?}");
    assert_eq!(b.s3_calls(Operation::HeadObject), 1);
    b.finish().await;
}

/// Throttling (`SlowDown`), a 500 and a body cut off part-way are retried, each range
/// from the byte where it stopped: nothing lost, nothing repeated.
async fn s3_faults_are_retried_from_the_byte_where_they_stopped<B: ResultFiles>() {
    let b = B::start(Queries::Quick).await;
    let athena = b
        .result_file_builder()
        .with_chunk_size(2048)
        .with_chunks_in_flight(1)
        .build()
        .unwrap();
    let query = b.numbers(3000);
    // Injected once the first rows are in: the faults hit ranges, not `.csv.metadata`.
    let mut stream = athena.query(query);
    let first = stream.try_next().await.unwrap().unwrap();
    b.inject_s3(Operation::GetObject, S3Fault::SlowDown, 1);
    b.inject_s3(Operation::GetObject, S3Fault::ServerError, 1);
    b.inject_s3(Operation::GetObject, S3Fault::CutAfter(100), 1);
    let mut rows = vec![first];
    while let Some(row) = stream.try_next().await.unwrap() {
        rows.push(row);
    }
    assert_eq!(numbers(&rows), range(1, 3000), "no row lost, none repeated");
    assert_eq!(
        b.s3_faults_left(Operation::GetObject),
        0,
        "the faults fired"
    );
    let stats = stream.stats();
    assert_eq!(stats.s3_retries, 3);
    assert_eq!(stats.throttling_retries, 1);
    b.finish().await;
}

/// A file replaced while it is read fails the read (every range is pinned to the first
/// ETag), instead of mixing rows of two files.
async fn a_file_that_changes_during_the_read_is_an_error<B: ResultFiles>() {
    let b = B::start(Queries::Quick).await;
    let athena = b
        .result_file_builder()
        .with_chunk_size(2048)
        .with_chunks_in_flight(1)
        .build()
        .unwrap();
    let mut stream = athena.query(b.numbers(3000));
    assert!(stream.try_next().await.unwrap().is_some());
    let file = crate::behaviour::result_file_of(stream.query_execution());
    b.overwrite(&file).await;
    let err = loop {
        match stream.next().await {
            Some(Ok(_)) => {}
            Some(Err(e)) => break e,
            None => panic!("the stream ended without an error"),
        }
    };
    assert!(matches!(err, Error::ResultFileChanged { .. }), "{err}");
    assert!(stream.next().await.is_none());
    b.finish().await;
}

/// `Auto` goes on through `GetQueryResults` when S3 denies access, and says why.
async fn auto_falls_back_to_the_api_when_s3_denies_access<B: ResultFiles>() {
    let b = B::start(Queries::Quick).await;
    b.inject_s3(Operation::HeadObject, S3Fault::AccessDenied, 1);
    let mut stream = b.file_builder().build().unwrap().query(b.numbers(2500));
    let mut rows = Vec::new();
    while let Some(row) = stream.try_next().await.unwrap() {
        rows.push(row);
    }
    assert_eq!(numbers(&rows), range(1, 2500));
    let stats = stream.stats();
    assert_eq!(stats.read_path, Some(ReadPath::Api));
    let reason = stats.fallback_reason.unwrap();
    assert!(reason.contains("denied"), "{reason}");
    assert_eq!(stats.get_query_results_calls, 3);
    b.finish().await;
}

/// Without an S3 client, `Auto` is the API path, and says why.
async fn auto_without_an_s3_client_reads_through_the_api<B: ResultFiles>() {
    let b = B::start(Queries::Quick).await;
    let mut stream = b.athena().query(b.numbers(1500));
    let mut n = 0;
    while stream.try_next().await.unwrap().is_some() {
        n += 1;
    }
    assert_eq!(n, 1500);
    let stats = stream.stats();
    assert_eq!(stats.read_path, Some(ReadPath::Api));
    assert!(stats.fallback_reason.unwrap().contains("no S3 client"));
    b.finish().await;
}

/// Asking for the result file of a statement whose result is a `.txt` is an error that
/// says why, not an empty result.
async fn the_result_file_path_refuses_a_result_it_cannot_read<B: ResultFiles>() {
    let b = B::start(Queries::Quick).await;
    let athena = b.result_file_builder().build().unwrap();
    let err = athena
        .query(b.ddl())
        .try_collect::<Vec<Row>>()
        .await
        .unwrap_err();
    match err {
        Error::ResultFileUnreadable { reason, .. } => {
            assert!(reason.contains("not a CSV"), "{reason}")
        }
        other => panic!("unexpected {other:?}"),
    }
    b.finish().await;
}

/// A consumer that stopped after a result-file page resumes where its rows end.
async fn resuming_from_a_result_file_page_continues_there<B: ResultFiles>() {
    let b = B::start(Queries::Quick).await;
    let athena = b
        .result_file_builder()
        .with_chunk_size(3000)
        .build()
        .unwrap();
    let mut pages = athena.query(b.numbers(2500)).into_pages();
    let first: ResultPage = pages.try_next().await.unwrap().unwrap();
    let id = pages.query_execution_id().unwrap();
    drop(pages);
    let resume = first.resume_from().cloned().unwrap();
    assert!(
        matches!(resume, ResumeFrom::ResultFile { .. }),
        "{resume:?}"
    );
    assert!(first.next_token().is_none());
    let rest: Vec<Row> = athena.resume_from(id, resume).try_collect().await.unwrap();
    let mut all = first.into_rows();
    all.extend(rest);
    assert_eq!(numbers(&all), range(1, 2500));
    b.finish().await;
}

/// Memory stays bounded whatever the rows' size: a range is handed out in pages of at
/// most `PAGE_BYTES` of the file and about `PAGE_ROWS` rows, not as one page of all its
/// rows (a range of small values held ten times its bytes as rows).
async fn a_range_arrives_in_pages_of_bounded_size<B: ResultFiles>() {
    use crate::result_file::source::{PAGE_BYTES, PAGE_ROWS};
    let b = B::start(Queries::Quick).await;
    let athena = b
        .result_file_builder()
        .with_chunk_size(4 << 20)
        .build()
        .unwrap();
    let pages: Vec<ResultPage> = athena
        .query(b.numbers(100_000))
        .into_pages()
        .try_collect()
        .await
        .unwrap();
    // The file is about 0.9 MB, one range; each row takes at least 4 bytes (`"1"\n`).
    assert!(pages.len() >= 3, "{} pages", pages.len());
    for page in &pages {
        assert!(
            page.rows().len() <= PAGE_BYTES / 4,
            "{} rows",
            page.rows().len()
        );
    }
    // Once slices are sized from the rows before them (the first few are cut before
    // any is parsed), a page holds about PAGE_ROWS rows: the numbers' widths vary
    // from 4 to 9 bytes, so within a factor of two.
    for page in &pages[8..pages.len() - 1] {
        let rows = page.rows().len();
        assert!(
            (PAGE_ROWS / 2..=PAGE_ROWS * 2).contains(&rows),
            "{rows} rows"
        );
    }
    let all: Vec<Row> = pages.into_iter().flat_map(ResultPage::into_rows).collect();
    assert_eq!(numbers(&all), range(1, 100_000));
    // The slices are parsed in parallel, each numbering its rows from 0: every row
    // still has its number in the whole result.
    for (i, row) in all.iter().enumerate() {
        assert_eq!(row.row_number(), i as u64);
    }
    b.finish().await;
}

crate::behaviour::on_both_backends!(
    every_size_arrives_whole_through_the_result_file,
    a_range_arrives_in_pages_of_bounded_size,
    every_range_size_cuts_the_rows_exactly,
    auto_reads_a_one_page_result_without_any_s3_request,
    auto_reads_page_one_from_the_api_and_the_rest_from_the_file,
    s3_faults_are_retried_from_the_byte_where_they_stopped,
    a_file_that_changes_during_the_read_is_an_error,
    auto_falls_back_to_the_api_when_s3_denies_access,
    auto_without_an_s3_client_reads_through_the_api,
    the_result_file_path_refuses_a_result_it_cannot_read,
    resuming_from_a_result_file_page_continues_there,
);

/// Fake-only: what the fake's S3 can observe (requests in flight, the offsets asked
/// for) and promises about what does not happen later.
mod fake_only {
    use super::*;
    use crate::Athena;
    use crate::behaviour::backend::OnFake;

    /// Runs a query of the numbers 1..=`n` on `athena` and reads it whole: its id and
    /// the `s3://` location of its result file.
    async fn finished(b: &OnFake, athena: &Athena, n: usize) -> (String, String) {
        let mut stream = athena.query(b.numbers(n));
        let rows: Vec<Row> = (&mut stream).try_collect().await.unwrap();
        assert_eq!(numbers(&rows), range(1, n as i64));
        let id = stream.query_execution_id().unwrap().to_owned();
        (
            id,
            crate::behaviour::result_file_of(stream.query_execution()),
        )
    }

    /// Removes the quote that closes the value `"k"` in the result file at `location`
    /// (`"k"\n` becomes `"k\n`), so that it never closes; returns the byte where that
    /// value's row starts.
    fn unclose(b: &OnFake, location: &str, k: usize) -> usize {
        let mut file = b.s3.get(location).unwrap();
        let needle = format!("\"{k}\"\n");
        let at = file
            .windows(needle.len())
            .position(|w| w == needle.as_bytes())
            .unwrap();
        file.remove(at + needle.len() - 2);
        b.s3.put(location, file);
        at
    }

    #[tokio::test(start_paused = true)]
    async fn a_cut_off_range_is_asked_again_from_the_byte_where_it_stopped() {
        let b = OnFake::start(Queries::Quick).await;
        let athena = b
            .result_file_builder()
            .with_chunk_size(1000)
            .with_chunks_in_flight(1)
            .build()
            .unwrap();
        let mut stream = athena.query(b.numbers(2000));
        stream.try_next().await.unwrap();
        let before = b.s3.ranges().len();
        b.s3.fail_next(Operation::GetObject, S3Fault::CutAfter(123), 1);
        let rest: Vec<Row> = stream.try_collect().await.unwrap();
        assert_eq!(rest.len(), 1999);
        let ranges = b.s3.ranges();
        let (cut_start, cut_end) = ranges[before];
        assert_eq!(ranges[before + 1], (cut_start + 123, cut_end), "{ranges:?}");
    }

    /// A broken row deep in a file whose slices are parsed in parallel fails the read
    /// exactly there: every page before it arrives, in order and numbered, then the
    /// error, which names the row and the byte as a reader parsing the file from the
    /// start would; nothing after it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 3)]
    async fn a_broken_row_deep_in_the_file_fails_after_every_page_before_it() {
        let b = OnFake::start(Queries::Quick).await;
        let athena = b
            .result_file_builder()
            .with_chunk_size(100_000)
            .build()
            .unwrap();
        let (id, location) = finished(&b, &athena, 200_000).await;

        // Row 150,000 (1-based, as the header is row 0) becomes `x"150000"`.
        let mut file = b.s3.get(&location).unwrap();
        let broken = file.windows(9).position(|w| w == b"\n\"150000\"").unwrap() + 1;
        file.insert(broken, b'x');
        b.s3.put(&location, file);

        let mut again = athena.attach(&id);
        let mut rows = Vec::new();
        let err = loop {
            match again.next().await {
                Some(Ok(row)) => rows.push(row),
                Some(Err(e)) => break e,
                None => panic!("the broken file was read to its end"),
            }
        };
        // Every page before the one with the broken row: a prefix of the rows, which
        // only the slice of the broken row is missing from, as when the file was parsed
        // on one core. Its rows all take 9 bytes there, so the slice is sized for
        // PAGE_ROWS of them; twice that leaves room and still catches a lost page.
        use crate::result_file::source::PAGE_ROWS;
        assert!(rows.len() <= 149_999, "{} rows", rows.len());
        assert!(rows.len() >= 149_999 - 2 * PAGE_ROWS, "{} rows", rows.len());
        // Compared one by one: a failing `assert_eq!` of 150,000 numbers is unreadable.
        for (i, (row, n)) in rows.iter().zip(numbers(&rows)).enumerate() {
            assert_eq!((row.row_number(), n), (i as u64, i as i64 + 1));
        }
        match err {
            Error::ResultFile { offset, row, .. } => {
                assert_eq!((offset, row), (broken as u64, 150_000));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(again.next().await.is_none());
    }

    /// A file that ends inside an unbalanced quote names the row it ends in and where
    /// that row starts, in the error's fields as in its message.
    #[tokio::test(start_paused = true)]
    async fn an_unbalanced_quote_at_the_end_names_its_row_and_byte() {
        let b = OnFake::start(Queries::Quick).await;
        let athena = b.result_file_builder().build().unwrap();
        let (id, location) = finished(&b, &athena, 3).await;
        // The last row's quote never closes.
        let last = unclose(&b, &location, 3);

        let err = athena
            .attach(&id)
            .try_collect::<Vec<Row>>()
            .await
            .unwrap_err();
        match &err {
            Error::ResultFile {
                offset,
                row,
                message,
                ..
            } => {
                assert_eq!((*offset, *row), (last as u64, 3), "{err}");
                assert!(message.contains("inside a quoted value"), "{err}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    /// A result file that is gone (a lifecycle rule deleted it, say) is the promised
    /// `ResultFileUnreadable` in file mode, naming the object and S3's answer, and a
    /// reason to read through `GetQueryResults` for `Auto`.
    #[tokio::test(start_paused = true)]
    async fn a_missing_result_file_is_unreadable_not_an_s3_error() {
        let b = OnFake::start(Queries::Quick).await;
        let file_mode = b.result_file_builder().build().unwrap();
        let (id, location) = finished(&b, &file_mode, 2500).await;
        b.s3.delete(&location);

        let err = file_mode
            .attach(&id)
            .try_collect::<Vec<Row>>()
            .await
            .unwrap_err();
        match &err {
            Error::ResultFileUnreadable { reason, .. } => {
                assert!(reason.contains(&location), "{err}");
                assert!(reason.contains("is not in S3"), "{err}");
                assert!(reason.contains("HeadObject"), "{err}");
            }
            other => panic!("unexpected {other:?}"),
        }

        let mut auto = b.file_builder().build().unwrap().attach(&id);
        let rows: Vec<Row> = (&mut auto).try_collect().await.unwrap();
        assert_eq!(numbers(&rows), range(1, 2500));
        let stats = auto.stats();
        assert_eq!(stats.read_path, Some(ReadPath::Api));
        assert!(stats.fallback_reason.unwrap().contains("is not in S3"));
    }

    /// A stray quote early in a file makes the rest of the file one row: the reader
    /// holds no more of it than its memory budget (chunk size x chunks in flight), then
    /// fails naming the row's byte and the settings that set the limit.
    #[tokio::test(start_paused = true)]
    async fn a_row_longer_than_the_memory_budget_fails_naming_the_budget() {
        let b = OnFake::start(Queries::Quick).await;
        let default_budget = b.result_file_builder().build().unwrap();
        let (id, location) = finished(&b, &default_budget, 20_000).await;
        // From the second row on, every newline is inside quotes.
        let broken = unclose(&b, &location, 2);

        // A budget of 2 x 1 KiB, so the least limit, 64 KiB: the broken row (the rest of
        // a file of about 150 KB) passes it long before the file ends.
        let athena = b
            .result_file_builder()
            .with_chunk_size(1024)
            .with_chunks_in_flight(2)
            .build()
            .unwrap();
        let err = athena
            .attach(&id)
            .try_collect::<Vec<Row>>()
            .await
            .unwrap_err();
        match &err {
            Error::ResultFile {
                offset, message, ..
            } => {
                assert_eq!(*offset, broken as u64, "{err}");
                assert!(message.contains("longer than 65536 bytes"), "{err}");
                assert!(message.contains("with_chunks_in_flight"), "{err}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn chunks_in_flight_bound_the_ranges_fetched_at_once() {
        let b = OnFake::start(Queries::Quick).await;
        b.s3.set_latency(Duration::from_millis(50));
        for in_flight in [1usize, 3, 8] {
            let athena = b
                .result_file_builder()
                .with_chunk_size(512)
                .with_chunks_in_flight(in_flight)
                .build()
                .unwrap();
            let rows: Vec<Row> = athena.query(b.numbers(3000)).try_collect().await.unwrap();
            assert_eq!(rows.len(), 3000);
            assert_eq!(
                b.s3.max_in_flight(),
                in_flight,
                "the bound is reached, not passed"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_the_stream_aborts_the_ranges_in_flight() {
        let b = OnFake::start(Queries::Quick).await;
        b.s3.set_latency(Duration::from_secs(1));
        let athena = b
            .result_file_builder()
            .with_chunk_size(512)
            .with_chunks_in_flight(4)
            .build()
            .unwrap();
        let mut stream = athena.query(b.numbers(5000));
        stream.try_next().await.unwrap();
        assert!(b.s3.in_flight() > 0);
        drop(stream);
        tokio::time::sleep(Duration::from_millis(1)).await;
        assert_eq!(b.s3.in_flight(), 0, "the requests in flight were dropped");
        let asked = b.s3.calls(Operation::GetObject);
        tokio::time::sleep(Duration::from_secs(600)).await;
        assert_eq!(
            b.s3.calls(Operation::GetObject),
            asked,
            "and none was sent after"
        );
    }

    /// The first ranges are on their way while the `.csv.metadata` is read: with every
    /// S3 call taking 10 s, the first row of a finished query comes after `HeadObject`
    /// and one more round trip (20 s), not after three (30 s).
    #[tokio::test(start_paused = true)]
    async fn the_ranges_start_while_the_columns_are_read() {
        let b = OnFake::start(Queries::Quick).await;
        let athena = b.result_file_builder().build().unwrap();
        let mut done = athena.query(b.numbers(3000));
        while done.try_next().await.unwrap().is_some() {}
        let id = done.query_execution_id().unwrap();
        b.s3.set_latency(Duration::from_secs(10));
        let mut stream = athena.attach(id);
        let started = tokio::time::Instant::now();
        stream.try_next().await.unwrap().unwrap();
        let waited = started.elapsed();
        assert!(
            (Duration::from_secs(20)..Duration::from_secs(21)).contains(&waited),
            "{waited:?}"
        );
        assert_eq!(b.s3.calls(Operation::HeadObject), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_missing_metadata_file_falls_back_to_one_row_of_get_query_results() {
        let b = OnFake::start(Queries::Quick).await;
        let athena = b.result_file_builder().build().unwrap();
        let query = b.numbers(1500);
        b.fake.set_result_files_metadata(false);
        let mut stream = athena.query(query);
        let mut n = 0;
        while stream.try_next().await.unwrap().is_some() {
            n += 1;
        }
        assert_eq!(n, 1500);
        let pages = b.fake.calls_of(Operation::GetQueryResults);
        assert_eq!(pages.len(), 1);
        assert_eq!(pages[0].max_results, Some(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_side_encrypted_file_is_read_through_the_api() {
        let b = OnFake::start(Queries::Quick).await;
        let athena = b.file_builder().build().unwrap();
        let query = b.numbers(1500);
        b.fake.set_result_files_encrypted(true);
        let mut stream = athena.query(query);
        let mut n = 0;
        while stream.try_next().await.unwrap().is_some() {
            n += 1;
        }
        assert_eq!(n, 1500);
        let stats = stream.stats();
        assert_eq!(stats.read_path, Some(ReadPath::Api));
        assert!(stats.fallback_reason.unwrap().contains("client side"));
    }
}
