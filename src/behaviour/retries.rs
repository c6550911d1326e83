//! Faults on the way: throttling, 5xx, the concurrent query limit and lost answers are
//! retried, with the same `ClientRequestToken` for a start and the same `NextToken` for
//! a page, so no query runs twice and no row is lost or repeated. Every rule checks that
//! its faults fired: a rule whose fault never happened proves nothing.

use std::time::Duration;

use futures::TryStreamExt;

use super::backend::{Backend, Fault, Queries};
use super::{numbers, on_both_backends, range};
use crate::{
    Backoff, Error, Row,
    error::{ApiErrorKind, Operation},
};

/// Throttled polls and a failed page call are retried; the stats count them.
async fn throttled_and_failed_calls_are_retried<B: Backend>() {
    let b = B::start(Queries::Quick).await;
    b.inject(Operation::GetQueryExecution, Fault::Throttle, 2);
    b.inject(Operation::GetQueryResults, Fault::ServerError, 1);
    let mut stream = b.athena().query(b.numbers(1500));
    let mut rows = Vec::new();
    while let Some(row) = stream.try_next().await.unwrap() {
        rows.push(row);
    }
    assert_eq!(numbers(&rows), range(1, 1500));
    assert_eq!(b.faults_left(Operation::GetQueryExecution), 0);
    assert_eq!(b.faults_left(Operation::GetQueryResults), 0);
    let stats = stream.stats();
    assert_eq!(stats.throttling_retries, 2);
    assert_eq!(stats.retries, 3);
    assert!(stats.get_query_execution_calls >= 3);
    assert_eq!(stats.get_query_results_calls, 3);
    assert_eq!(stats.pages, 2);
    b.finish().await;
}

/// A page call that fails is sent again with the same `NextToken`: the next page is
/// neither skipped nor read twice. Prefetch 0, so the faults hit page 2, the one the
/// caller asks for next.
async fn a_failed_page_call_is_retried_with_the_same_token<B: Backend>() {
    let b = B::start(Queries::Quick).await;
    let athena = b.builder().with_prefetch(0).build().unwrap();
    let mut stream = athena.query(b.numbers(2500));
    let mut rows = vec![stream.try_next().await.unwrap().unwrap()];
    b.inject(Operation::GetQueryResults, Fault::ServerError, 1);
    b.inject(Operation::GetQueryResults, Fault::LoseAnswer, 1);
    while let Some(row) = stream.try_next().await.unwrap() {
        rows.push(row);
    }
    assert_eq!(b.faults_left(Operation::GetQueryResults), 0);
    assert_eq!(numbers(&rows), range(1, 2500), "no row lost, none repeated");
    assert_eq!(stream.stats().pages, 3);
    assert_eq!(b.calls(Operation::GetQueryResults), 5);
    b.finish().await;
}

/// `CONCURRENT_QUERY_LIMIT_EXCEEDED` on start: the start waits and is retried, and one
/// query runs.
async fn the_concurrent_query_limit_on_start_waits_and_retries<B: Backend>() {
    let b = B::start(Queries::Quick).await;
    b.inject(
        Operation::StartQueryExecution,
        Fault::ConcurrentQueryLimit,
        3,
    );
    let mut stream = b.athena().query(b.numbers(3));
    let mut rows = Vec::new();
    while let Some(row) = stream.try_next().await.unwrap() {
        rows.push(row);
    }
    assert_eq!(numbers(&rows), range(1, 3));
    assert_eq!(b.faults_left(Operation::StartQueryExecution), 0);
    assert_eq!(b.calls(Operation::StartQueryExecution), 4);
    assert_eq!(stream.stats().throttling_retries, 3);
    assert_eq!(b.started().await.len(), 1);
    b.finish().await;
}

/// A start that ran on the service but whose answer was lost: the retry carries the same
/// `ClientRequestToken`, so the service answers with the query it already started.
/// Exactly one query runs and every row comes once.
async fn a_lost_start_answer_starts_one_query_and_returns_every_row_once<B: Backend>() {
    let b = B::start(Queries::Quick).await;
    b.inject(Operation::StartQueryExecution, Fault::LoseAnswer, 1);
    let mut stream = b.athena().query(b.numbers(1500));
    let mut rows = Vec::new();
    while let Some(row) = stream.try_next().await.unwrap() {
        rows.push(row);
    }
    assert_eq!(numbers(&rows), range(1, 1500));
    assert_eq!(b.faults_left(Operation::StartQueryExecution), 0);
    assert_eq!(b.started().await.len(), 1, "exactly one query");
    let stats = stream.stats();
    assert_eq!(stats.start_query_execution_calls, 2);
    assert_eq!(stats.retries, 1);
    b.finish().await;
}

/// Retries end: after the policy's last retry the call's error is the stream's error,
/// with the number of attempts.
async fn retries_give_up_with_the_api_error<B: Backend>() {
    let b = B::start(Queries::Quick).await;
    b.inject(Operation::GetQueryExecution, Fault::Throttle, 100);
    let athena = b
        .builder()
        .with_retry_policy(Backoff::new(Duration::from_millis(1)).with_max_attempts(3))
        .build()
        .unwrap();
    let err = athena
        .query(b.numbers(1))
        .try_collect::<Vec<Row>>()
        .await
        .unwrap_err();
    match err {
        Error::Api {
            operation: Operation::GetQueryExecution,
            kind: ApiErrorKind::Throttling,
            attempts: 4,
            ..
        } => {}
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(b.calls(Operation::GetQueryExecution), 4);
    b.finish().await;
}

on_both_backends!(
    throttled_and_failed_calls_are_retried,
    a_failed_page_call_is_retried_with_the_same_token,
    the_concurrent_query_limit_on_start_waits_and_retries,
    a_lost_start_answer_starts_one_query_and_returns_every_row_once,
    retries_give_up_with_the_api_error,
);
