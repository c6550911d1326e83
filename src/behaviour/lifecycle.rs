//! A query's life as the stream sees it: the id while it runs, failures, cancellation by
//! someone else, the timeout, `execute`, and queries refused before anything is sent.

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};

use super::backend::{Backend, Queries};
use super::on_both_backends;
use crate::{Error, QueryState, error::Operation, execution::StatementType};

/// The id is known as soon as the start has been answered, while the query still runs.
async fn the_query_execution_id_is_known_while_the_query_runs<B: Backend>() {
    let b = B::start(Queries::RunUntilStopped).await;
    let mut stream = b.athena().query(b.numbers(3));
    assert!(futures::poll!(stream.next()).is_pending());
    b.until(|| stream.query_execution_id().is_some()).await;
    let id = stream.query_execution_id().unwrap();
    let state = b.state_of(&id).await;
    assert!(
        matches!(state, QueryState::Queued | QueryState::Running),
        "{state:?}"
    );
    assert!(stream.query_execution().is_none(), "not finished yet");
    // What the polls see is there while it runs, for a progress display.
    b.until(|| stream.polled_execution().is_some()).await;
    let polled = stream.polled_execution().unwrap();
    assert_eq!(polled.query_execution_id, id);
    assert!(
        matches!(polled.state, QueryState::Queued | QueryState::Running),
        "{:?}",
        polled.state
    );
    stream.cancel().await.unwrap();
    b.finish().await;
}

/// A failed query is one error naming its reason and `AthenaError`, then the end.
async fn a_failed_query_is_one_error_then_the_end<B: Backend>() {
    let b = B::start(Queries::Quick).await;
    let mut stream = b.athena().query(b.failing());
    match stream.next().await {
        Some(Err(Error::QueryFailed {
            state_change_reason,
            athena_error: Some(e),
            attempts: 1,
            ..
        })) => {
            assert!(
                state_change_reason.contains("no_such_table"),
                "{state_change_reason}"
            );
            assert_eq!(e.error_category, Some(2));
            assert!(!e.retryable);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(stream.next().await.is_none());
    assert!(stream.next().await.is_none());
    b.finish().await;
}

/// A query stopped by someone else ends the stream with `QueryCancelled`.
async fn a_query_cancelled_elsewhere_is_an_error<B: Backend>() {
    let b = B::start(Queries::RunUntilStopped).await;
    let athena = b.athena();
    let mut stream = athena.query(b.numbers(3));
    assert!(futures::poll!(stream.next()).is_pending());
    b.until(|| stream.query_execution_id().is_some()).await;
    athena
        .stop(&stream.query_execution_id().unwrap())
        .await
        .unwrap();
    match stream.next().await {
        Some(Err(Error::QueryCancelled { .. })) => {}
        other => panic!("unexpected {other:?}"),
    }
    b.finish().await;
}

/// When the query timeout passes, the query is stopped and the error says so.
async fn a_timed_out_query_is_stopped<B: Backend>() {
    let b = B::start(Queries::RunUntilStopped).await;
    let athena = b
        .builder()
        .with_query_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let mut stream = athena.query(b.numbers(3));
    let err = stream.next().await.unwrap().unwrap_err();
    assert!(matches!(err, Error::QueryTimedOut { .. }), "{err}");
    assert_eq!(b.calls(Operation::StopQueryExecution), 1);
    let id = err.query_execution_id().unwrap().to_owned();
    b.until_state(&id, QueryState::Cancelled).await;
    b.finish().await;
}

/// `execute` waits for a statement to finish and reads no rows.
async fn execute_waits_for_the_query_without_reading_rows<B: Backend>() {
    let b = B::start(Queries::Quick).await;
    let execution = b.athena().execute(b.ddl()).await.unwrap();
    assert_eq!(execution.state, QueryState::Succeeded);
    assert_eq!(execution.statement_type, Some(StatementType::Ddl));
    assert_eq!(b.calls(Operation::GetQueryResults), 0);
    b.finish().await;
}

/// A query that breaks Athena's limits is refused on the first poll, before any call.
async fn an_invalid_query_is_an_error_on_the_first_poll_without_any_call<B: Backend>() {
    let b = B::start(Queries::Quick).await;
    let mut stream = b.athena().query("   ");
    let err = stream.next().await.unwrap().unwrap_err();
    assert!(matches!(err, Error::InvalidConfig { .. }), "{err}");
    assert_eq!(b.calls(Operation::StartQueryExecution), 0);
    b.finish().await;
}

/// A start refused for good (SQL that does not parse) is not retried.
async fn a_refused_start_is_not_retried<B: Backend>() {
    let b = B::start(Queries::Quick).await;
    let err = b
        .athena()
        .query(b.refused())
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    match err {
        Error::Api {
            operation: Operation::StartQueryExecution,
            kind: crate::error::ApiErrorKind::Permanent,
            code,
            attempts: 1,
            ..
        } => assert_eq!(code.as_deref(), Some("InvalidRequestException")),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(b.calls(Operation::StartQueryExecution), 1);
    b.finish().await;
}

on_both_backends!(
    the_query_execution_id_is_known_while_the_query_runs,
    a_failed_query_is_one_error_then_the_end,
    a_query_cancelled_elsewhere_is_an_error,
    a_timed_out_query_is_stopped,
    execute_waits_for_the_query_without_reading_rows,
    an_invalid_query_is_an_error_on_the_first_poll_without_any_call,
    a_refused_start_is_not_retried,
);
