//! Pages: every row once and in order, NULL kept, pages fetched ahead within a bound,
//! resuming and attaching.

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};

use super::backend::{Backend, Queries};
use super::{numbers, on_both_backends, range};
use crate::{
    ResultPage, Row,
    error::Operation,
    map::{MapExt, MapSettings},
};

const OPERATIONS: [Operation; 4] = [
    Operation::StartQueryExecution,
    Operation::GetQueryExecution,
    Operation::GetQueryResults,
    Operation::StopQueryExecution,
];

/// Lazy: making a stream sends nothing.
async fn no_request_before_the_first_poll<B: Backend>() {
    let b = B::start(Queries::Quick).await;
    let stream = b.athena().query(b.numbers(3));
    b.pause().await;
    for op in OPERATIONS {
        assert_eq!(b.calls(op), 0, "{op}");
    }
    drop(stream);
    b.finish().await;
}

/// Whatever the size, every row arrives once, in order, in as many pages as it takes
/// (page 1 holds the header row and 999 rows).
async fn results_of_every_size_arrive_whole_and_in_order<B: Backend>() {
    let b = B::start(Queries::Quick).await;
    let athena = b.athena();
    for n in [0usize, 1, 999, 1000, 1001, 2500] {
        let mut stream = athena.query(b.numbers(n));
        let mut rows = Vec::new();
        while let Some(row) = stream.try_next().await.unwrap() {
            rows.push(row);
        }
        assert_eq!(numbers(&rows), range(1, n as i64), "{n} rows");
        assert_eq!(
            stream.stats().pages as usize,
            (n + 1).div_ceil(1000).max(1),
            "{n} rows"
        );
        assert_eq!(stream.stats().rows as usize, n);
        assert_eq!(stream.metadata().unwrap().columns()[0].name, "x");
    }
    b.finish().await;
}

/// NULL (a Datum without VarCharValue) is `None`; the empty string is `Some("")`.
async fn null_stays_distinct_from_the_empty_string<B: Backend>() {
    let b = B::start(Queries::Quick).await;
    let rows: Vec<Row> = b
        .athena()
        .query(b.null_and_empty())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].values(),
        [None, Some(String::new()), Some("x".to_owned())]
    );
    b.finish().await;
}

/// `with_page_size` is sent as `MaxResults`.
async fn a_smaller_page_size_is_sent_as_max_results<B: Backend>() {
    let b = B::start(Queries::Quick).await;
    let athena = b.builder().with_page_size(100).build().unwrap();
    let rows: Vec<Row> = athena.query(b.numbers(250)).try_collect().await.unwrap();
    assert_eq!(numbers(&rows), range(1, 250));
    // 251 rows with the header: pages of 100, 100 and 51.
    assert_eq!(b.calls(Operation::GetQueryResults), 3);
    b.finish().await;
}

/// While the caller holds page k, at most `prefetch` more pages have been fetched:
/// checked at every step, so a fetch beyond the bound at any moment shows at the next
/// step. Where the backend can let time pass (the fake), the bound is also reached:
/// pages are fetched ahead while the caller works.
async fn prefetch_bounds_the_pages_fetched_ahead_at_every_step<B: Backend>() {
    let b = B::start(Queries::Quick).await;
    for prefetch in [0u64, 1, 3] {
        let before = b.calls(Operation::GetQueryResults);
        let athena = b
            .builder()
            .with_prefetch(prefetch as usize)
            .build()
            .unwrap();
        // 9999 rows and the header: ten pages of 1000.
        let mut pages = athena.query(b.numbers(9999)).into_pages();
        let mut held = 0u64;
        let mut rows = 0;
        while let Some(page) = pages.try_next().await.unwrap() {
            held += 1;
            rows += page.rows().len();
            let fetched = b.calls(Operation::GetQueryResults) - before;
            assert!(
                fetched <= held + prefetch,
                "prefetch {prefetch}: {fetched} pages fetched while the caller holds page {held}"
            );
            if b.quiesce().await {
                let fetched = b.calls(Operation::GetQueryResults) - before;
                assert_eq!(
                    fetched,
                    (held + prefetch).min(10),
                    "prefetch {prefetch}, page {held}"
                );
            }
        }
        assert_eq!((held, rows), (10, 9999));
    }
    b.finish().await;
}

/// A consumer that stopped after a page resumes from that page's `NextToken` and reads
/// the rest: nothing lost, nothing repeated.
async fn resuming_from_a_token_continues_where_a_consumer_stopped<B: Backend>() {
    let b = B::start(Queries::Quick).await;
    let athena = b.athena();
    let mut pages = athena.query(b.numbers(2500)).into_pages();
    let first = pages.try_next().await.unwrap().unwrap();
    let id = pages.query_execution_id().unwrap();
    drop(pages); // the consumer "crashes" after page 1
    let token = first.next_token().unwrap().to_owned();
    let rest: Vec<Row> = athena.resume(id, token).try_collect().await.unwrap();
    let mut all = first.into_rows();
    all.extend(rest);
    assert_eq!(numbers(&all), range(1, 2500));
    b.finish().await;
}

/// A query started by someone else is read from its first row, and not started again.
async fn attach_streams_a_query_started_elsewhere<B: Backend>() {
    let b = B::start(Queries::Quick).await;
    let id = b.start_elsewhere(b.numbers(1200)).await;
    let rows: Vec<Row> = b.athena().attach(id).try_collect().await.unwrap();
    assert_eq!(numbers(&rows), range(1, 1200));
    assert_eq!(
        b.calls(Operation::StartQueryExecution),
        1,
        "only the one elsewhere"
    );
    b.finish().await;
}

/// The rest of a partly read page keeps its page number and tokens, so a consumer that
/// switches to pages can still resume after it.
async fn a_partly_read_page_keeps_its_tokens_in_into_pages<B: Backend>() {
    let b = B::start(Queries::Quick).await;
    let mut rows = b.athena().query(b.numbers(2500));
    for _ in 0..10 {
        rows.try_next().await.unwrap().unwrap();
    }
    let pages: Vec<ResultPage> = rows.into_pages().try_collect().await.unwrap();
    assert_eq!(pages[0].page_number(), 0);
    assert_eq!(pages[0].rows().len(), 989);
    assert!(pages[0].next_token().is_some());
    assert_eq!(pages[0].next_token(), pages[1].token());
    let all: Vec<Row> = pages.into_iter().flat_map(ResultPage::into_rows).collect();
    assert_eq!(numbers(&all), range(11, 2500));
    b.finish().await;
}

/// The fan-out over a row stream is `Send + 'static`: a whole run can be spawned.
async fn the_fan_out_over_a_row_stream_can_be_spawned<B: Backend>() {
    let b = B::start(Queries::Quick).await;
    let rows = b.athena().query(b.numbers(2500));
    let report = tokio::spawn(rows.run_map(MapSettings::new(4), |row: Row| async move {
        tokio::time::sleep(Duration::from_millis(1)).await;
        Ok::<_, std::io::Error>(row.len())
    }))
    .await
    .unwrap()
    .unwrap();
    assert_eq!(report.succeeded, 2500);
    assert_eq!(report.max_in_flight, 4);
    b.finish().await;
}

/// The stream ends after its last row, and stays ended.
async fn the_stream_ends_once_and_stays_ended<B: Backend>() {
    let b = B::start(Queries::Quick).await;
    let mut stream = b.athena().query(b.numbers(3));
    let mut n = 0;
    while stream.next().await.transpose().unwrap().is_some() {
        n += 1;
    }
    assert_eq!(n, 3);
    assert!(stream.next().await.is_none());
    assert!(futures::stream::FusedStream::is_terminated(&stream));
    b.finish().await;
}

on_both_backends!(
    no_request_before_the_first_poll,
    results_of_every_size_arrive_whole_and_in_order,
    null_stays_distinct_from_the_empty_string,
    a_smaller_page_size_is_sent_as_max_results,
    prefetch_bounds_the_pages_fetched_ahead_at_every_step,
    resuming_from_a_token_continues_where_a_consumer_stopped,
    attach_streams_a_query_started_elsewhere,
    a_partly_read_page_keeps_its_tokens_in_into_pages,
    the_fan_out_over_a_row_stream_can_be_spawned,
    the_stream_ends_once_and_stays_ended,
);
