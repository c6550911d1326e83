//! The row stream's rules, each in a test named after it, against the scripted fake
//! under paused tokio time.

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};

use crate::api::Operation;
use crate::error::{ApiErrorKind, Error};
use crate::fake::{Fake, Plan};
use crate::{QueryState, ResultPage, Row};

fn values(rows: &[Row]) -> Vec<String> {
    rows.iter()
        .map(|r| r.get_str(0).unwrap().unwrap_or("<null>").to_owned())
        .collect()
}

fn expected(n: usize) -> Vec<String> {
    (0..n).map(|i| i.to_string()).collect()
}

/// Checks the gaps between successive virtual times (the first from 0). Tokio's timer
/// rounds each sleep up to the next millisecond, so a gap may be 1 ms longer.
fn assert_gaps(times: &[u128], gaps: &[u128]) {
    assert_eq!(times.len(), gaps.len(), "{times:?}");
    let mut previous = 0;
    for (t, gap) in times.iter().zip(gaps) {
        let actual = t - previous;
        assert!(
            actual == *gap || actual == gap + 1,
            "gaps {gaps:?} expected, times were {times:?}"
        );
        previous = *t;
    }
}

async fn drain(fake: &Fake, sql: &str) -> Vec<Row> {
    fake.athena()
        .query(sql)
        .try_collect()
        .await
        .expect("query succeeds")
}

/// Yields to the runtime until `cond` holds (bounded), without sleeping in real time.
async fn settle(mut cond: impl FnMut() -> bool) {
    for _ in 0..10_000 {
        if cond() {
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!("condition not reached");
}

#[tokio::test(start_paused = true)]
async fn no_request_before_the_first_poll() {
    let fake = Fake::new(Plan::rows(3));
    let mut stream = fake.athena().query("SELECT x");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(fake.calls().is_empty());
    assert_eq!(stream.query_execution_id(), None);
    assert!(stream.next().await.is_some());
    assert!(!fake.calls().is_empty());
}

#[tokio::test(start_paused = true)]
async fn results_of_every_size_arrive_whole_and_in_order() {
    for n in [0, 1, 999, 1000, 1001, 2500] {
        let fake = Fake::new(Plan::rows(n));
        let rows = drain(&fake, "SELECT x").await;
        assert_eq!(values(&rows), expected(n), "{n} rows");
        // Page 1 holds the header and 999 rows, as on the real service.
        let pages = fake.calls_of(Operation::GetQueryResults).len();
        assert_eq!(pages, (n + 1).div_ceil(1000).max(1), "{n} rows");
        let numbers: Vec<u64> = rows.iter().map(Row::row_number).collect();
        assert_eq!(numbers, (0..n as u64).collect::<Vec<_>>());
    }
}

#[tokio::test(start_paused = true)]
async fn header_row_is_dropped_from_the_first_page_of_dml_only() {
    let fake = Fake::new(Plan::rows(1500));
    let pages: Vec<ResultPage> = fake
        .athena()
        .query("SELECT x")
        .into_pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].rows.len(), 999);
    assert_eq!(pages[0].rows[0].get_str(0).unwrap(), Some("0"));
    // Later pages start with a real row, which must be kept (the seed's `Rows[1:]` bug).
    assert_eq!(pages[1].rows.len(), 501);
    assert_eq!(pages[1].rows[0].get_str(0).unwrap(), Some("999"));
}

#[tokio::test(start_paused = true)]
async fn utility_results_keep_their_first_row() {
    let mut plan = Plan::rows(3);
    plan.statement_type = "UTILITY";
    plan.substatement_type = "SHOW_TABLES";
    let fake = Fake::new(plan);
    let rows = drain(&fake, "SHOW TABLES").await;
    assert_eq!(values(&rows), expected(3));
}

#[tokio::test(start_paused = true)]
async fn show_functions_header_is_dropped_when_it_equals_the_column_names() {
    let mut plan = Plan::rows(2);
    plan.statement_type = "UTILITY";
    plan.substatement_type = "SHOW_FUNCTIONS";
    let fake = Fake::new(plan);
    let rows = drain(&fake, "SHOW FUNCTIONS").await;
    assert_eq!(values(&rows), expected(2));
}

#[tokio::test(start_paused = true)]
async fn null_stays_distinct_from_the_empty_string() {
    let mut plan = Plan::rows(0);
    plan.rows = vec![
        vec![None],
        vec![Some(String::new())],
        vec![Some("a".into())],
    ];
    let fake = Fake::new(plan);
    let rows = drain(&fake, "SELECT x").await;
    assert_eq!(rows[0].get_str(0).unwrap(), None);
    assert!(rows[0].is_null(0).unwrap());
    assert_eq!(rows[1].get_str(0).unwrap(), Some(""));
    assert!(!rows[1].is_null(0).unwrap());
    assert_eq!(rows[2].get_str(0).unwrap(), Some("a"));
}

#[tokio::test(start_paused = true)]
async fn stream_ends_on_an_empty_token() {
    let mut plan = Plan::rows(10);
    plan.empty_last_token = true;
    let fake = Fake::new(plan);
    let rows = drain(&fake, "SELECT x").await;
    assert_eq!(values(&rows), expected(10));
    assert_eq!(fake.calls_of(Operation::GetQueryResults).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn repeated_token_is_an_error_not_a_loop() {
    let mut plan = Plan::rows(5000);
    plan.fixed_next_token = Some("tok-999".into());
    let fake = Fake::new(plan);
    let mut stream = fake.athena().query("SELECT x");
    let mut rows = 0;
    let err = loop {
        match stream.next().await {
            Some(Ok(_)) => rows += 1,
            Some(Err(e)) => break e,
            None => panic!("the stream ended without an error"),
        }
    };
    assert!(matches!(err, Error::RepeatedNextToken { .. }), "{err}");
    // The first page and the first repeat came through; the loop was cut at once.
    assert_eq!(rows, 999 + 1000);
    assert!(stream.next().await.is_none());
}

#[tokio::test(start_paused = true)]
async fn an_error_is_yielded_once_then_the_stream_ends() {
    let mut plan = Plan::rows(3);
    plan.states = vec!["RUNNING", "FAILED"];
    plan.athena_error = Some(
        aws_sdk_athena::types::AthenaError::builder()
            .error_category(2)
            .error_type(1006)
            .retryable(false)
            .error_message("TABLE_NOT_FOUND: line 1:15: Table 'x' does not exist")
            .build(),
    );
    let fake = Fake::new(plan);
    let mut stream = fake.athena().query("SELECT x FROM x");
    let err = stream.next().await.unwrap().unwrap_err();
    match &err {
        Error::QueryFailed {
            state_change_reason,
            athena_error: Some(e),
            attempts: 1,
            ..
        } => {
            assert!(state_change_reason.contains("TABLE_NOT_FOUND"));
            assert_eq!(e.error_category, Some(2));
            assert!(!e.retryable);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(stream.next().await.is_none());
    assert!(stream.next().await.is_none());
}

#[tokio::test(start_paused = true)]
async fn query_execution_id_is_known_as_soon_as_the_query_started() {
    let mut plan = Plan::rows(1);
    plan.states = vec!["QUEUED", "RUNNING", "SUCCEEDED"];
    let fake = Fake::new(plan);
    let mut stream = fake.athena().query("SELECT x");
    let first = tokio::spawn(async move {
        let row = stream.next().await;
        (stream, row)
    });
    let f = fake.clone();
    settle(|| !f.calls_of(Operation::StartQueryExecution).is_empty()).await;
    let (stream, row) = first.await.unwrap();
    assert!(row.unwrap().is_ok());
    assert_eq!(stream.query_execution_id().as_deref(), Some("q1"));
    let execution = stream.query_execution().unwrap();
    assert_eq!(execution.state, QueryState::Succeeded);
    assert_eq!(stream.metadata().unwrap().columns()[0].name, "x");
}

#[tokio::test(start_paused = true)]
async fn polling_follows_the_backoff_schedule() {
    let mut plan = Plan::rows(1);
    plan.states = vec!["QUEUED"; 9];
    plan.states.push("SUCCEEDED");
    let fake = Fake::new(plan);
    drain(&fake, "SELECT x").await;
    let polls: Vec<u128> = fake
        .calls_of(Operation::GetQueryExecution)
        .iter()
        .map(|c| c.at.as_millis())
        .collect();
    // 100 ms, then x2 each time, capped at 5 s.
    let expected = [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000];
    assert_gaps(&polls, &expected);
}

#[tokio::test(start_paused = true)]
async fn a_state_may_go_back_to_queued() {
    let mut plan = Plan::rows(2);
    plan.states = vec!["RUNNING", "QUEUED", "RUNNING", "SUCCEEDED"];
    let fake = Fake::new(plan);
    let rows = drain(&fake, "SELECT x").await;
    assert_eq!(values(&rows), expected(2));
    assert_eq!(fake.calls_of(Operation::GetQueryExecution).len(), 4);
}

fn retryable_failure(retryable: bool) -> Plan {
    let mut plan = Plan::rows(2);
    plan.states = vec!["FAILED"];
    plan.athena_error = Some(
        aws_sdk_athena::types::AthenaError::builder()
            .error_category(1)
            .retryable(retryable)
            .error_message("INTERNAL_ERROR_QUERY_ENGINE")
            .build(),
    );
    plan
}

#[tokio::test(start_paused = true)]
async fn a_retryable_failed_query_is_confirmed_then_rerun_when_allowed() {
    let fake = Fake::new(Plan::rows(2));
    fake.push_plan(retryable_failure(true));
    let athena = fake.builder().failed_query_retries(1).build().unwrap();
    let rows: Vec<Row> = athena.query("SELECT x").try_collect().await.unwrap();
    assert_eq!(values(&rows), expected(2));
    let starts = fake.calls_of(Operation::StartQueryExecution);
    assert_eq!(starts.len(), 2);
    // A re-run is a new query: it needs a new ClientRequestToken.
    assert_ne!(starts[0].token, starts[1].token);
}

#[tokio::test(start_paused = true)]
async fn a_failed_query_is_not_rerun_by_default() {
    let fake = Fake::new(retryable_failure(true));
    let err = fake
        .athena()
        .query("SELECT x")
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::QueryFailed { attempts: 1, .. }),
        "{err}"
    );
    assert_eq!(fake.calls_of(Operation::StartQueryExecution).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_query_is_an_error() {
    let mut plan = Plan::rows(2);
    plan.states = vec!["RUNNING", "CANCELLED"];
    let fake = Fake::new(plan);
    let err = fake
        .athena()
        .query("SELECT x")
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::QueryCancelled { .. }), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_timed_out_query_is_stopped_first() {
    let mut plan = Plan::rows(2);
    plan.states = vec!["RUNNING"];
    let fake = Fake::new(plan);
    let athena = fake
        .builder()
        .query_timeout(Duration::from_secs(3))
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let err = athena
        .query("SELECT x")
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::QueryTimedOut { .. }), "{err}");
    assert_eq!(started.elapsed(), Duration::from_secs(3));
    let stops = fake.calls_of(Operation::StopQueryExecution);
    assert_eq!(stops.len(), 1);
    assert_eq!(stops[0].at, Duration::from_secs(3));
}

#[tokio::test(start_paused = true)]
async fn dropping_the_stream_stops_a_running_query() {
    let mut plan = Plan::rows(2);
    plan.states = vec!["RUNNING"];
    let fake = Fake::new(plan);
    let mut stream = fake.athena().query("SELECT x");
    // Poll once so the query starts, then give up on it.
    assert!(futures::poll!(stream.next()).is_pending());
    let f = fake.clone();
    settle(|| !f.calls_of(Operation::StartQueryExecution).is_empty()).await;
    assert_eq!(stream.query_execution_id().as_deref(), Some("q1"));
    drop(stream);
    let f = fake.clone();
    settle(|| !f.calls_of(Operation::StopQueryExecution).is_empty()).await;
    assert_eq!(fake.calls_of(Operation::StopQueryExecution).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_stream_of_a_finished_query_sends_no_stop() {
    let fake = Fake::new(Plan::rows(3000));
    let mut stream = fake.athena().query("SELECT x");
    assert!(stream.next().await.unwrap().is_ok());
    drop(stream);
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert!(fake.calls_of(Operation::StopQueryExecution).is_empty());
}

#[tokio::test(start_paused = true)]
async fn cancel_stops_the_query_and_ends_the_stream() {
    let mut plan = Plan::rows(2);
    plan.states = vec!["QUEUED", "RUNNING"];
    let fake = Fake::new(plan);
    let mut stream = fake.athena().query("SELECT x");
    assert!(futures::poll!(stream.next()).is_pending());
    let f = fake.clone();
    settle(|| !f.calls_of(Operation::StartQueryExecution).is_empty()).await;
    stream.cancel().await.unwrap();
    assert_eq!(fake.calls_of(Operation::StopQueryExecution).len(), 1);
    assert!(stream.next().await.is_none());
}

#[tokio::test(start_paused = true)]
async fn throttled_calls_are_retried_with_backoff() {
    let fake = Fake::new(Plan::rows(1500));
    fake.fail_next(Operation::GetQueryExecution, ApiErrorKind::Throttling, 2);
    fake.fail_next(Operation::GetQueryResults, ApiErrorKind::Transient, 1);
    let mut stream = fake.athena().query("SELECT x");
    let mut rows = Vec::new();
    while let Some(row) = stream.try_next().await.unwrap() {
        rows.push(row);
    }
    assert_eq!(values(&rows), expected(1500));
    let stats = stream.stats();
    assert_eq!(stats.throttling_retries, 2);
    assert_eq!(stats.get_query_execution_calls, 3);
    assert_eq!(stats.get_query_results_calls, 3);
    assert_eq!(stats.pages, 2);
    assert_eq!(stats.rows, 1500);
}

#[tokio::test(start_paused = true)]
async fn a_failed_page_call_is_retried_with_the_same_token() {
    let fake = Fake::new(Plan::rows(2500));
    let mut stream = fake.athena().query("SELECT x");
    let mut rows = Vec::new();
    // Fail the second page's call twice once the first page is in.
    rows.push(stream.try_next().await.unwrap().unwrap());
    fake.fail_next(Operation::GetQueryResults, ApiErrorKind::Transient, 2);
    while let Some(row) = stream.try_next().await.unwrap() {
        rows.push(row);
    }
    assert_eq!(values(&rows), expected(2500), "no row lost, none repeated");
    let tokens: Vec<Option<String>> = fake
        .calls_of(Operation::GetQueryResults)
        .into_iter()
        .map(|c| c.token)
        .collect();
    // Every call after the first used a token a previous page gave; none skipped.
    let mut distinct = tokens.clone();
    distinct.dedup();
    assert_eq!(
        distinct,
        vec![None, Some("tok-1000".into()), Some("tok-2000".into())]
    );
}

#[tokio::test(start_paused = true)]
async fn concurrent_query_limit_on_start_waits_and_keeps_the_client_request_token() {
    let fake = Fake::new(Plan::rows(1));
    fake.fail_next(
        Operation::StartQueryExecution,
        ApiErrorKind::ConcurrentQueryLimit,
        3,
    );
    let rows = drain(&fake, "SELECT x").await;
    assert_eq!(rows.len(), 1);
    let starts = fake.calls_of(Operation::StartQueryExecution);
    assert_eq!(starts.len(), 4);
    assert!(starts.iter().all(|c| c.token == starts[0].token));
    let waits: Vec<u128> = starts.iter().map(|c| c.at.as_millis()).collect();
    assert_gaps(&waits, &[0, 200, 400, 800]);
}

#[tokio::test(start_paused = true)]
async fn retries_give_up_with_the_api_error() {
    let fake = Fake::new(Plan::rows(1));
    fake.fail_next(Operation::GetQueryExecution, ApiErrorKind::Throttling, 100);
    let err = fake
        .athena()
        .query("SELECT x")
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    match err {
        Error::Api {
            operation: "GetQueryExecution",
            kind: ApiErrorKind::Throttling,
            attempts: 9,
            ..
        } => {}
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_permanent_error_is_not_retried() {
    let fake = Fake::new(Plan::rows(1));
    fake.fail_next(Operation::StartQueryExecution, ApiErrorKind::Permanent, 1);
    let err = fake
        .athena()
        .query("SELECT x")
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Api {
                attempts: 1,
                kind: ApiErrorKind::Permanent,
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_next_page_is_fetched_while_the_caller_works_on_this_one() {
    let mut plan = Plan::rows(5000);
    plan.page_latency = Duration::from_millis(100);
    let fake = Fake::new(plan);
    let mut stream = fake.athena().query("SELECT x");
    assert!(stream.try_next().await.unwrap().is_some());
    // The caller now "works" for a long time on page 1 without polling.
    tokio::time::sleep(Duration::from_secs(10)).await;
    // Page 2 was fetched meanwhile (prefetch 1), and not one page more: memory is bounded.
    assert_eq!(fake.calls_of(Operation::GetQueryResults).len(), 2);
    let rest: Vec<Row> = stream.try_collect().await.unwrap();
    assert_eq!(rest.len(), 4999);
}

#[tokio::test(start_paused = true)]
async fn prefetch_depth_bounds_the_pages_held() {
    for prefetch in [0usize, 1, 3] {
        let fake = Fake::new(Plan::rows(10_000));
        let athena = fake.builder().prefetch(prefetch).build().unwrap();
        let mut pages = athena.query("SELECT x").into_pages();
        let first = pages.try_next().await.unwrap().unwrap();
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert_eq!(
            fake.calls_of(Operation::GetQueryResults).len(),
            prefetch + 1,
            "prefetch {prefetch}"
        );
        drop(first);
        let rest: Vec<ResultPage> = pages.try_collect().await.unwrap();
        assert_eq!(rest.len(), 10);
    }
}

#[tokio::test(start_paused = true)]
async fn rows_shorter_or_longer_than_the_columns_are_an_error() {
    for row in [vec![], vec![Some("a".to_owned()), Some("b".to_owned())]] {
        let mut plan = Plan::rows(0);
        plan.rows = vec![vec![Some("ok".into())], row.clone()];
        let fake = Fake::new(plan);
        let mut stream = fake.athena().query("SELECT x");
        let err = stream.next().await.unwrap().unwrap_err();
        match err {
            Error::RowShape {
                row_number: 1,
                values,
                columns: 1,
                ..
            } => assert_eq!(values, row.len()),
            other => panic!("unexpected {other:?}"),
        }
        assert!(stream.next().await.is_none());
    }
}

#[tokio::test(start_paused = true)]
async fn resuming_from_a_token_continues_where_a_consumer_stopped() {
    let fake = Fake::new(Plan::rows(2500));
    let athena = fake.athena();
    let mut pages = athena.query("SELECT x").into_pages();
    let first = pages.try_next().await.unwrap().unwrap();
    let id = fake.calls_of(Operation::StartQueryExecution).len();
    assert_eq!(id, 1);
    drop(pages); // the consumer "crashes" after page 1
    let token = first.next_token().unwrap().to_owned();
    let rest: Vec<Row> = athena.resume("q1", token).try_collect().await.unwrap();
    let mut all = first.rows;
    all.extend(rest);
    assert_eq!(values(&all), expected(2500));
}

#[tokio::test(start_paused = true)]
async fn attach_streams_a_query_started_elsewhere() {
    let fake = Fake::new(Plan::rows(0));
    let mut plan = Plan::rows(1200);
    plan.states = vec!["RUNNING", "SUCCEEDED"];
    fake.add_query("elsewhere", plan);
    let rows: Vec<Row> = fake
        .athena()
        .attach("elsewhere")
        .try_collect()
        .await
        .unwrap();
    assert_eq!(values(&rows), expected(1200));
    assert!(fake.calls_of(Operation::StartQueryExecution).is_empty());
}

#[tokio::test(start_paused = true)]
async fn execute_waits_for_the_query_without_reading_rows() {
    let mut plan = Plan::rows(10);
    plan.statement_type = "DDL";
    plan.states = vec!["RUNNING", "SUCCEEDED"];
    let fake = Fake::new(plan);
    let execution = fake.athena().execute("CREATE DATABASE d").await.unwrap();
    assert_eq!(execution.state, QueryState::Succeeded);
    assert_eq!(execution.statement_type, Some(crate::StatementType::Ddl));
    assert!(fake.calls_of(Operation::GetQueryResults).is_empty());
}

#[tokio::test(start_paused = true)]
async fn invalid_settings_are_refused_when_the_handle_is_built() {
    let fake = Fake::new(Plan::rows(0));
    for size in [0usize, 1001, usize::MAX] {
        let err = fake.builder().page_size(size).build().unwrap_err();
        assert!(matches!(err, Error::InvalidConfig { .. }));
        assert!(
            err.to_string().contains("page_size must be 1 to 1000"),
            "{err}"
        );
    }
    assert!(fake.builder().page_size(1).build().is_ok());
    assert!(
        fake.builder()
            .query_timeout(Duration::ZERO)
            .build()
            .is_err()
    );
}

#[tokio::test(start_paused = true)]
async fn a_smaller_page_size_is_sent_as_max_results() {
    let fake = Fake::new(Plan::rows(250));
    let athena = fake.builder().page_size(100).build().unwrap();
    let rows: Vec<Row> = athena.query("SELECT x").try_collect().await.unwrap();
    assert_eq!(values(&rows), expected(250));
    assert_eq!(fake.calls_of(Operation::GetQueryResults).len(), 3);
}

#[tokio::test(start_paused = true)]
async fn an_invalid_query_is_an_error_on_the_first_poll_without_any_call() {
    let fake = Fake::new(Plan::rows(0));
    let mut stream = fake.athena().query("   ");
    let err = stream.next().await.unwrap().unwrap_err();
    assert!(matches!(err, Error::InvalidConfig { .. }), "{err}");
    assert!(fake.calls().is_empty());
}

#[test]
fn public_types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<crate::Athena>();
    send_sync::<crate::AthenaBuilder>();
    send_sync::<crate::RowStream>();
    send_sync::<crate::PageStream>();
    send_sync::<crate::ResultPage>();
    send_sync::<Row>();
    send_sync::<Error>();
    send_sync::<crate::QueryExecution>();
    send_sync::<crate::StartQueryExecution>();
}

#[tokio::test(start_paused = true)]
async fn the_fan_out_over_a_row_stream_can_be_spawned() {
    use crate::{Map, MapExt};
    let fake = Fake::new(Plan::rows(2500));
    let rows = fake.athena().query("SELECT x");
    let report = tokio::spawn(rows.run_map(
        Map::new().with_max_concurrency(4),
        |row: Row| async move {
            tokio::time::sleep(Duration::from_millis(1)).await;
            Ok::<_, std::io::Error>(row.len())
        },
    ))
    .await
    .unwrap()
    .unwrap();
    assert_eq!(report.succeeded, 2500);
    assert_eq!(report.max_in_flight, 4);
}

#[tokio::test(start_paused = true)]
async fn a_partly_read_page_keeps_its_tokens_in_into_pages() {
    let fake = Fake::new(Plan::rows(2500));
    let mut rows = fake.athena().query("SELECT x");
    for _ in 0..10 {
        rows.try_next().await.unwrap().unwrap();
    }
    let pages: Vec<ResultPage> = rows.into_pages().try_collect().await.unwrap();
    // The rest of page 0 says where page 1 starts, so a consumer can still resume.
    assert_eq!(pages[0].page_number, 0);
    assert_eq!(pages[0].rows.len(), 989);
    assert_eq!(pages[0].rows[0].get_str(0).unwrap(), Some("10"));
    assert_eq!(pages[0].next_token(), Some("tok-1000"));
    let all: Vec<Row> = pages.into_iter().flat_map(|p| p.rows).collect();
    assert_eq!(values(&all), expected(2500)[10..].to_vec());
}
