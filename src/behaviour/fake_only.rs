//! Rules only the fake can show, under paused time: exact schedules (in real time they
//! would be windows), answers the emulator never gives (as Athena never does, or not on
//! demand: empty and repeated tokens, short rows, a state going back to QUEUED,
//! retryable failures, SHOW FUNCTIONS' scripted header), and promises that something
//! does *not* happen later (only virtual time can wait "long enough" without a window).

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};

use crate::error::{ApiErrorKind, AthenaError, Error, Operation};
use crate::execution::QueryState;
use crate::fake::{Fake, Plan};
use crate::{Backoff, ResultPage, Row};

fn values(rows: &[Row]) -> Vec<String> {
    rows.iter()
        .map(|r| r.values()[0].clone().unwrap_or_else(|| "<null>".to_owned()))
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

fn millis(fake: &Fake, op: Operation) -> Vec<u128> {
    fake.calls_of(op).iter().map(|c| c.at.as_millis()).collect()
}

async fn drain(fake: &Fake) -> Vec<Row> {
    fake.athena()
        .query("SELECT x")
        .try_collect()
        .await
        .expect("query succeeds")
}

async fn drain_error(fake: &Fake) -> Error {
    fake.athena()
        .query("SELECT x")
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err()
}

fn failure(retryable: bool) -> Plan {
    let mut plan = Plan::rows(2);
    plan.states = vec![QueryState::Failed];
    plan.athena_error = Some(AthenaError {
        error_category: Some(1),
        error_type: None,
        retryable,
        error_message: Some("INTERNAL_ERROR_QUERY_ENGINE".to_owned()),
    });
    plan
}

#[tokio::test(start_paused = true)]
async fn header_row_is_dropped_from_the_first_page_of_dml_only() {
    let fake = Fake::new(Plan::rows(2500));
    let rows = drain(&fake).await;
    // The header counts toward page 1's 1000 rows; pages 2 and 3 have none.
    assert_eq!(values(&rows), expected(2500));
    assert_eq!(fake.calls_of(Operation::GetQueryResults).len(), 3);
}

#[tokio::test(start_paused = true)]
async fn utility_results_keep_their_first_row() {
    let mut plan = Plan::rows(3);
    plan.statement_type = "UTILITY";
    plan.substatement_type = "SHOW_TABLES";
    let fake = Fake::new(plan);
    assert_eq!(values(&drain(&fake).await), expected(3));
}

#[tokio::test(start_paused = true)]
async fn show_functions_header_is_dropped_when_it_equals_the_column_names() {
    let mut plan = Plan::rows(3);
    plan.statement_type = "UTILITY";
    plan.substatement_type = "SHOW_FUNCTIONS";
    let fake = Fake::new(plan);
    assert_eq!(values(&drain(&fake).await), expected(3));
}

#[tokio::test(start_paused = true)]
async fn stream_ends_on_an_empty_token() {
    let mut plan = Plan::rows(10);
    plan.empty_last_token = true;
    let fake = Fake::new(plan);
    assert_eq!(values(&drain(&fake).await), expected(10));
    assert_eq!(fake.calls_of(Operation::GetQueryResults).len(), 1);
}

/// Reads until the stream's error; returns it with the number of rows before it.
async fn rows_until_error(stream: &mut crate::RowStream) -> (usize, Error) {
    let mut rows = 0;
    loop {
        match stream.next().await {
            Some(Ok(_)) => rows += 1,
            Some(Err(e)) => return (rows, e),
            None => panic!("the stream ended without an error"),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn repeated_token_is_an_error_not_a_loop() {
    let mut plan = Plan::rows(5000);
    plan.next_tokens = Some(vec!["tok-999"]);
    let fake = Fake::new(plan);
    let mut stream = fake.athena().query("SELECT x");
    let (rows, err) = rows_until_error(&mut stream).await;
    assert!(matches!(err, Error::RepeatedNextToken { .. }), "{err}");
    // The first page and the first repeat came through; the loop was cut at once.
    assert_eq!(rows, 999 + 1000);
    assert!(stream.next().await.is_none());
}

#[tokio::test(start_paused = true)]
async fn a_token_that_comes_back_later_is_an_error_too() {
    // A -> B -> A: not the same token twice in a row, still a loop.
    let mut plan = Plan::rows(5000);
    plan.next_tokens = Some(vec!["A", "B", "A"]);
    let fake = Fake::new(plan);
    let mut stream = fake.athena().query("SELECT x");
    let (rows, err) = rows_until_error(&mut stream).await;
    match err {
        Error::RepeatedNextToken { next_token, .. } => assert_eq!(next_token, "A"),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(rows, 999 + 1000 + 1000);
    assert_eq!(fake.calls_of(Operation::GetQueryResults).len(), 3);
}

#[tokio::test(start_paused = true)]
async fn the_token_resumed_from_counts_as_seen() {
    // Resumed from A, the page after it answers A again: following it would loop.
    let mut plan = Plan::rows(5000);
    plan.next_tokens = Some(vec!["A", "A"]);
    let fake = Fake::new(Plan::rows(0));
    fake.add_query("elsewhere", plan);
    let mut stream = fake.athena().resume("elsewhere", "A");
    let (rows, err) = rows_until_error(&mut stream).await;
    assert!(matches!(err, Error::RepeatedNextToken { .. }), "{err}");
    assert_eq!(rows, 1000);
}

#[tokio::test(start_paused = true)]
async fn rows_shorter_or_longer_than_the_columns_are_an_error() {
    for row in [vec![], vec![Some("a".to_owned()), Some("b".to_owned())]] {
        let mut plan = Plan::rows(0);
        plan.rows = vec![vec![Some("ok".into())], row.clone()];
        let fake = Fake::new(plan);
        let mut stream = fake.athena().query("SELECT x");
        match stream.next().await.unwrap().unwrap_err() {
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
async fn polling_follows_the_backoff_schedule() {
    let mut plan = Plan::rows(1);
    plan.states = vec![QueryState::Queued; 9];
    plan.states.push(QueryState::Succeeded);
    let fake = Fake::new(plan);
    drain(&fake).await;
    // 100 ms, then x2 each time, capped at 5 s.
    let expected = [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000];
    assert_gaps(&millis(&fake, Operation::GetQueryExecution), &expected);
}

#[tokio::test(start_paused = true)]
async fn a_state_may_go_back_to_queued() {
    let mut plan = Plan::rows(2);
    plan.states = vec![
        QueryState::Running,
        QueryState::Queued,
        QueryState::Running,
        QueryState::Succeeded,
    ];
    let fake = Fake::new(plan);
    assert_eq!(values(&drain(&fake).await), expected(2));
    assert_eq!(fake.calls_of(Operation::GetQueryExecution).len(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_failed_query_is_final_at_the_poll_that_sees_it() {
    let fake = Fake::new(failure(true));
    let err = drain_error(&fake).await;
    assert!(
        matches!(err, Error::QueryFailed { attempts: 1, .. }),
        "{err}"
    );
    assert_eq!(fake.calls_of(Operation::GetQueryExecution).len(), 1);
    assert_eq!(
        fake.calls_of(Operation::StartQueryExecution).len(),
        1,
        "not re-run by default"
    );
}

#[tokio::test(start_paused = true)]
async fn a_retryable_failed_query_is_rerun_when_allowed() {
    let fake = Fake::new(Plan::rows(2));
    fake.push_plan(failure(true));
    let athena = fake.builder().with_failed_query_retries(1).build().unwrap();
    let rows: Vec<Row> = athena.query("SELECT x").try_collect().await.unwrap();
    assert_eq!(values(&rows), expected(2));
    let starts = fake.calls_of(Operation::StartQueryExecution);
    assert_eq!(starts.len(), 2);
    // A re-run is a new query: it needs a new ClientRequestToken.
    assert_ne!(starts[0].token, starts[1].token);
}

#[tokio::test(start_paused = true)]
async fn a_failure_that_is_not_retryable_is_never_rerun() {
    let fake = Fake::new(failure(false));
    let athena = fake.builder().with_failed_query_retries(3).build().unwrap();
    let err = athena
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
async fn a_cancelled_state_is_an_error() {
    let mut plan = Plan::rows(2);
    plan.states = vec![QueryState::Running, QueryState::Cancelled];
    let fake = Fake::new(plan);
    let err = drain_error(&fake).await;
    assert!(matches!(err, Error::QueryCancelled { .. }), "{err}");
}

#[tokio::test(start_paused = true)]
async fn the_timeout_stops_the_query_the_moment_it_passes() {
    let mut plan = Plan::rows(2);
    plan.states = vec![QueryState::Running];
    let fake = Fake::new(plan);
    let athena = fake
        .builder()
        .with_query_timeout(Duration::from_secs(3))
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
async fn dropping_the_stream_of_a_finished_query_sends_no_stop() {
    let fake = Fake::new(Plan::rows(3000));
    let mut stream = fake.athena().query("SELECT x");
    assert!(stream.next().await.unwrap().is_ok());
    drop(stream);
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert!(fake.calls_of(Operation::StopQueryExecution).is_empty());
    assert_eq!(fake.state_of("q1"), Some(QueryState::Succeeded));
}

#[tokio::test(start_paused = true)]
async fn dropping_an_attached_stream_sends_no_stop() {
    let mut plan = Plan::rows(3);
    plan.states = vec![QueryState::Running];
    let fake = Fake::new(Plan::rows(0));
    fake.add_query("elsewhere", plan);
    let mut stream = fake.athena().attach("elsewhere");
    assert!(futures::poll!(stream.next()).is_pending());
    tokio::time::sleep(Duration::from_secs(1)).await;
    drop(stream);
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert!(fake.calls_of(Operation::StopQueryExecution).is_empty());
    assert_eq!(fake.state_of("elsewhere"), Some(QueryState::Running));
}

#[tokio::test(start_paused = true)]
async fn the_start_and_its_retries_keep_one_client_request_token() {
    let fake = Fake::new(Plan::rows(1));
    fake.fail_next(
        Operation::StartQueryExecution,
        ApiErrorKind::ConcurrentQueryLimit,
        2,
    );
    fake.lose_next_answers(Operation::StartQueryExecution, 1);
    assert_eq!(drain(&fake).await.len(), 1);
    let starts = fake.calls_of(Operation::StartQueryExecution);
    assert_eq!(starts.len(), 4);
    assert!(starts.iter().all(|c| c.token == starts[0].token));
    // The retry policy's schedule: 200 ms, then x2.
    assert_gaps(
        &millis(&fake, Operation::StartQueryExecution),
        &[0, 200, 400, 800],
    );
    assert_eq!(fake.started(), ["q1"]);
}

/// The next page arrives while the caller works on this one, and no page more.
#[tokio::test(start_paused = true)]
async fn the_next_page_is_fetched_while_the_caller_works_on_this_one() {
    let mut plan = Plan::rows(5000);
    plan.page_latency = Duration::from_millis(100);
    let fake = Fake::new(plan);
    let mut stream = fake.athena().query("SELECT x");
    assert!(stream.try_next().await.unwrap().is_some());
    // The caller now "works" for a long time on page 1 without polling.
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(fake.calls_of(Operation::GetQueryResults).len(), 2);
    let rest: Vec<Row> = stream.try_collect().await.unwrap();
    assert_eq!(rest.len(), 4999);
}

/// A missing identity is not retried: the start is tried once, nothing waits, and the
/// error is one line that names the providers tried and how to configure one.
#[tokio::test(start_paused = true)]
async fn a_missing_identity_fails_at_the_first_attempt_on_one_line() {
    let fake = Fake::new(Plan::rows(1));
    fake.fail_next(
        Operation::StartQueryExecution,
        ApiErrorKind::Credentials,
        100,
    );
    let began = tokio::time::Instant::now();
    let err = drain_error(&fake).await;
    assert_eq!(began.elapsed(), Duration::ZERO, "no retry waited");
    assert_eq!(fake.calls_of(Operation::StartQueryExecution).len(), 1);
    assert_eq!(fake.faults_left(Operation::StartQueryExecution), 99);
    assert!(fake.started().is_empty());
    match &err {
        Error::Api {
            operation: Operation::StartQueryExecution,
            kind: ApiErrorKind::Credentials,
            code: None,
            attempts: 1,
            elapsed,
            ..
        } => assert_eq!(*elapsed, Duration::ZERO),
        other => panic!("unexpected {other:?}"),
    }
    let text = err.to_string();
    assert!(!text.contains('\n'), "{text}");
    assert!(
        text.starts_with(
            "Athena StartQueryExecution failed (Credentials): no AWS credentials found \
             (tried Environment, Profile, WebIdentityToken, EcsContainer, \
             Ec2InstanceMetadata); configure them with AWS_ACCESS_KEY_ID and \
             AWS_SECRET_ACCESS_KEY"
        ),
        "{text}"
    );
}

/// A call that keeps failing is retried under the policy (the default, without jitter:
/// 8 retries, waits of 0.2, 0.4, ... capped at 10 s), and the error after the last
/// attempt says how many attempts over how long, and the last failure.
#[tokio::test(start_paused = true)]
async fn a_call_that_keeps_failing_gives_up_saying_how_long_and_on_what() {
    let fake = Fake::new(Plan::rows(1));
    fake.fail_next(Operation::GetQueryExecution, ApiErrorKind::Transient, 100);
    let err = drain_error(&fake).await;
    assert_eq!(fake.calls_of(Operation::GetQueryExecution).len(), 9);
    // 0.2 + 0.4 + 0.8 + 1.6 + 3.2 + 6.4 + 10 + 10 s, each sleep up to 1 ms longer.
    match &err {
        Error::Api {
            kind: ApiErrorKind::Transient,
            attempts: 9,
            elapsed,
            ..
        } => assert!(
            (32_600..=32_608).contains(&elapsed.as_millis()),
            "{elapsed:?}"
        ),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "Athena GetQueryExecution failed (Transient): gave up after 9 attempts over 32.6s: \
         injected server error"
    );
}

/// The documented defaults are the ones in force, jitter included: these run on
/// `Fake::builder_with_default_settings`, which changes nothing.
mod defaults {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn polling_gaps_lie_in_their_jittered_windows_up_to_the_5_s_cap() {
        let mut plan = Plan::rows(1);
        plan.states = vec![QueryState::Running; 12];
        plan.states.push(QueryState::Succeeded);
        let fake = Fake::new(plan);
        let athena = fake.builder_with_default_settings().build().unwrap();
        let _: Vec<Row> = athena.query("SELECT x").try_collect().await.unwrap();
        let polls = millis(&fake, Operation::GetQueryExecution);
        assert_eq!(polls.len(), 13);
        let mut previous = 0;
        let mut base = 100u128;
        for t in polls {
            let gap = t - previous;
            // Full jitter draws the delay in [0, delay]; the timer may round up by 1 ms.
            assert!(
                (0..=base + 1).contains(&gap),
                "gap {gap} ms outside [0, {base}]"
            );
            previous = t;
            base = (base * 2).min(5000);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn calls_are_retried_8_times_in_jittered_windows() {
        let fake = Fake::new(Plan::rows(1));
        fake.fail_next(Operation::GetQueryExecution, ApiErrorKind::Throttling, 100);
        let athena = fake.builder_with_default_settings().build().unwrap();
        let err = athena
            .query("SELECT x")
            .try_collect::<Vec<_>>()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Api { attempts: 9, .. }), "{err}");
        let polls = millis(&fake, Operation::GetQueryExecution);
        assert_eq!(polls.len(), 9);
        let mut base = 200u128;
        for pair in polls.windows(2) {
            let gap = pair[1] - pair[0];
            assert!(
                (0..=base + 1).contains(&gap),
                "gap {gap} ms outside [0, {base}]"
            );
            base = (base * 2).min(10_000);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn pages_are_1000_rows_and_one_is_fetched_ahead() {
        let fake = Fake::new(Plan::rows(5000));
        let athena = fake.builder_with_default_settings().build().unwrap();
        let mut pages = athena.query("SELECT x").into_pages();
        let first: ResultPage = pages.try_next().await.unwrap().unwrap();
        assert_eq!(first.rows().len(), 999);
        tokio::time::sleep(Duration::from_secs(60)).await;
        let calls = fake.calls_of(Operation::GetQueryResults);
        assert_eq!(calls.len(), 2, "prefetch 1");
        assert!(calls.iter().all(|c| c.max_results == Some(1000)));
    }

    #[test]
    fn a_default_changed_without_its_docs_fails_here() {
        let readme = include_str!("../../README.md");
        for (setting, text) in [
            ("polling_backoff", Backoff::DEFAULT_POLLING.to_string()),
            ("retry_policy", Backoff::DEFAULT_RETRY.to_string()),
        ] {
            let row = format!("| `with_{setting}` | {text} |");
            assert!(readme.contains(&row), "README lacks the row {row}");
        }
        let settings = crate::settings::Settings::default();
        for row in [
            format!("| `with_query_timeout` | {} |", "none"),
            format!("| `with_page_size` | {} |", settings.page_size),
            format!("| `with_prefetch` | {} |", settings.prefetch),
            format!(
                "| `with_failed_query_retries` | {} |",
                settings.failed_query_retries
            ),
            format!(
                "| `with_read_path` | `ReadPath::{:?}` |",
                settings.read_path
            ),
            format!(
                "| `with_chunk_size` | {} (`DEFAULT_CHUNK_SIZE`) |",
                bytes(settings.chunk_size)
            ),
            format!(
                "| `with_chunks_in_flight` | {} (`DEFAULT_CHUNKS_IN_FLIGHT`) |",
                settings.chunks_in_flight
            ),
            // Its default is a sentence (which client), not a value to compare.
            "| `with_s3_client` | ".to_owned(),
        ] {
            assert!(readme.contains(&row), "README lacks the row {row}");
        }
        assert_eq!(settings.query_timeout, None);
        // The rows name the constants: the defaults must be them.
        assert_eq!(settings.chunk_size, crate::settings::DEFAULT_CHUNK_SIZE);
        assert_eq!(
            settings.chunks_in_flight,
            crate::settings::DEFAULT_CHUNKS_IN_FLIGHT
        );
    }

    /// A byte count as the README writes it: whole MiB as `8 MiB`, else in bytes.
    fn bytes(n: u64) -> String {
        const MIB: u64 = 1 << 20;
        if n.is_multiple_of(MIB) {
            format!("{} MiB", n / MIB)
        } else {
            format!("{n} bytes")
        }
    }
}
