//! Stops at every edge: a stream dropped or cancelled while its start is throttled, in
//! flight, or being polled stops the query it started; an attached stream stops the
//! query only when cancelled; a throttled stop is retried. Each rule counts the stops
//! that reached the service and checks the query's final state there.

use futures::StreamExt;

use super::backend::{Backend, Fault, Queries};
use super::on_both_backends;
use crate::{QueryState, RowStream, error::Operation};

/// Polls a fresh stream once, so that its task starts.
async fn start_polling(stream: &mut RowStream) {
    assert!(futures::poll!(stream.next()).is_pending());
}

/// Dropped while the query runs: the query is stopped.
async fn dropping_the_stream_stops_a_running_query<B: Backend>() {
    let b = B::start(Queries::RunUntilStopped).await;
    let mut stream = b.athena().query(b.numbers(3));
    start_polling(&mut stream).await;
    b.until(|| stream.query_execution_id().is_some()).await;
    let id = stream.query_execution_id().unwrap();
    drop(stream);
    b.until(|| b.calls(Operation::StopQueryExecution) == 1)
        .await;
    b.until_state(&id, QueryState::Cancelled).await;
    b.finish().await;
}

/// `cancel` stops the query, waits for the answer, and ends the stream.
async fn cancel_stops_the_query_and_ends_the_stream<B: Backend>() {
    let b = B::start(Queries::RunUntilStopped).await;
    let mut stream = b.athena().query(b.numbers(3));
    start_polling(&mut stream).await;
    b.until(|| stream.query_execution_id().is_some()).await;
    let id = stream.query_execution_id().unwrap();
    stream.cancel().await.unwrap();
    assert_eq!(b.calls(Operation::StopQueryExecution), 1);
    assert_eq!(b.state_of(&id).await, QueryState::Cancelled);
    assert!(stream.next().await.is_none());
    b.finish().await;
}

/// Dropped while its start is being retried after throttling: the start is seen
/// through with the same token, then the query is stopped. One query, one stop.
async fn a_drop_during_a_throttled_start_stops_the_query_once_it_started<B: Backend>() {
    let b = B::start(Queries::RunUntilStopped).await;
    b.inject(Operation::StartQueryExecution, Fault::Throttle, 3);
    let mut stream = b.athena().query(b.numbers(3));
    start_polling(&mut stream).await;
    b.until(|| b.calls(Operation::StartQueryExecution) >= 1)
        .await;
    drop(stream);
    b.until(|| b.calls(Operation::StopQueryExecution) == 1)
        .await;
    assert_eq!(b.calls(Operation::StartQueryExecution), 4);
    let started = b.started().await;
    assert_eq!(started.len(), 1);
    b.until_state(&started[0], QueryState::Cancelled).await;
    b.finish().await;
}

/// Dropped while its start request is on the wire (no answer yet): the start completes,
/// then the query is stopped.
async fn a_drop_during_an_in_flight_start_stops_the_query<B: Backend>() {
    let b = B::start(Queries::SlowStartRunUntilStopped).await;
    let mut stream = b.athena().query(b.numbers(3));
    start_polling(&mut stream).await;
    b.until(|| b.calls(Operation::StartQueryExecution) == 1)
        .await;
    assert!(stream.query_execution_id().is_none(), "not answered yet");
    drop(stream);
    b.until(|| b.calls(Operation::StopQueryExecution) == 1)
        .await;
    let started = b.started().await;
    assert_eq!(started.len(), 1);
    b.until_state(&started[0], QueryState::Cancelled).await;
    assert_eq!(b.calls(Operation::StartQueryExecution), 1);
    b.finish().await;
}

/// An attached stream reads someone else's query: dropping it leaves the query running,
/// cancelling it stops the query.
async fn an_attached_stream_stops_the_query_on_cancel_not_on_drop<B: Backend>() {
    let b = B::start(Queries::RunUntilStopped).await;
    let athena = b.athena();
    let id = b.start_elsewhere(b.numbers(3)).await;

    let mut dropped = athena.attach(id.clone());
    start_polling(&mut dropped).await;
    b.until(|| b.calls(Operation::GetQueryExecution) >= 1).await;
    drop(dropped);

    let mut cancelled = athena.attach(id.clone());
    start_polling(&mut cancelled).await;
    let polls = b.calls(Operation::GetQueryExecution);
    b.until(|| b.calls(Operation::GetQueryExecution) > polls)
        .await;
    assert_ne!(
        b.state_of(&id).await,
        QueryState::Cancelled,
        "the drop stopped it"
    );
    cancelled.cancel().await.unwrap();
    assert_eq!(
        b.calls(Operation::StopQueryExecution),
        1,
        "the cancel's stop only"
    );
    assert_eq!(b.state_of(&id).await, QueryState::Cancelled);
    b.finish().await;
}

/// A throttled `StopQueryExecution` is retried until it gets through.
async fn a_throttled_stop_is_retried<B: Backend>() {
    let b = B::start(Queries::RunUntilStopped).await;
    let mut stream = b.athena().query(b.numbers(3));
    start_polling(&mut stream).await;
    b.until(|| stream.query_execution_id().is_some()).await;
    let id = stream.query_execution_id().unwrap();
    b.inject(Operation::StopQueryExecution, Fault::Throttle, 2);
    stream.cancel().await.unwrap();
    assert_eq!(b.faults_left(Operation::StopQueryExecution), 0);
    assert_eq!(b.calls(Operation::StopQueryExecution), 3);
    assert_eq!(stream.stats().stop_query_execution_calls, 3);
    assert_eq!(b.state_of(&id).await, QueryState::Cancelled);
    b.finish().await;
}

on_both_backends!(
    dropping_the_stream_stops_a_running_query,
    cancel_stops_the_query_and_ends_the_stream,
    a_drop_during_a_throttled_start_stops_the_query_once_it_started,
    a_drop_during_an_in_flight_start_stops_the_query,
    an_attached_stream_stops_the_query_on_cancel_not_on_drop,
    a_throttled_stop_is_retried,
);
