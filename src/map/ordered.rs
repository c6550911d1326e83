//! The ordered form of the fan-out: results in input order, like the Map's output array.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::TryFuture;
use futures::stream::{FusedStream, Stream, TryStream};
use pin_project_lite::pin_project;

use super::config::MapSettings;
use super::engine::{Engine, Outcome, run_span};
use super::retrier::RetryPolicy;
use crate::error::{BoxError, Error};

pin_project! {
    /// Stream for the [`map_ordered`](crate::map::MapExt::map_ordered) method.
    #[must_use = "streams do nothing unless polled"]
    pub struct MapOrdered<St, F, Fut, T, P>
    where
        Fut: TryFuture,
    {
        #[pin]
        stream: Option<St>,
        engine: Engine<F, Fut, T, P>,
        // The run's span, entered in every poll.
        span: tracing::Span,
        // Results that finished before an earlier item did.
        queued: BinaryHeap<Queued<Fut::Ok>>,
        next_index: u64,
    }
}

/// A finished result waiting for its turn; the heap's top is the lowest index.
struct Queued<R> {
    index: u64,
    result: Result<R, Error>,
}

impl<R> PartialEq for Queued<R> {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index
    }
}
impl<R> Eq for Queued<R> {}
impl<R> PartialOrd for Queued<R> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<R> Ord for Queued<R> {
    fn cmp(&self, other: &Self) -> Ordering {
        other.index.cmp(&self.index)
    }
}

impl<St, F, Fut, T, P> fmt::Debug for MapOrdered<St, F, Fut, T, P>
where
    St: fmt::Debug,
    Fut: TryFuture,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapOrdered")
            .field("stream", &self.stream)
            .field("engine", &self.engine)
            .field("queued", &self.queued.len())
            .field("next_index", &self.next_index)
            .finish()
    }
}

impl<St, F, Fut, T, P> MapOrdered<St, F, Fut, T, P>
where
    St: TryStream<Ok = T, Error: Into<BoxError>>,
    F: FnMut(T) -> Fut,
    Fut: TryFuture,
    Fut::Error: Into<BoxError>,
    P: RetryPolicy<T, Fut::Error>,
{
    pub(super) fn new(stream: St, map: MapSettings<P>, f: F) -> Self {
        Self {
            stream: Some(stream),
            span: run_span::<T, Fut::Error, P>("map_ordered", &map),
            engine: Engine::new(map, f),
            queued: BinaryHeap::new(),
            next_index: 0,
        }
    }

    /// The input stream (for a row stream: its `QueryExecutionId`, statistics, ...),
    /// or `None` once the fan-out has ended and dropped it.
    pub fn get_ref(&self) -> Option<&St> {
        self.stream.as_ref()
    }

    /// The highest number of items that were in flight at once so far.
    pub fn max_in_flight(&self) -> usize {
        self.engine.counts.max_in_flight
    }
}

impl<St, F, Fut, T, P> Stream for MapOrdered<St, F, Fut, T, P>
where
    St: TryStream<Ok = T, Error: Into<BoxError>>,
    F: FnMut(T) -> Fut,
    Fut: TryFuture,
    Fut::Error: Into<BoxError>,
    P: RetryPolicy<T, Fut::Error>,
{
    type Item = Result<Fut::Ok, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        let _entered = this.span.enter();
        loop {
            // 1. The next result in input order may already be waiting.
            if this
                .queued
                .peek()
                .is_some_and(|q| q.index == *this.next_index)
            {
                *this.next_index += 1;
                return Poll::Ready(this.queued.pop().map(|q| q.result));
            }
            // 2. Otherwise run the engine until it has the next one, or an error that ends it.
            match this
                .engine
                .poll_outcome(this.stream.as_mut(), cx, this.queued.len())
            {
                Poll::Ready(Some(Outcome::Item { index, result })) => {
                    if index == *this.next_index {
                        *this.next_index += 1;
                        return Poll::Ready(Some(result));
                    }
                    this.queued.push(Queued { index, result });
                }
                Poll::Ready(Some(Outcome::Fatal(error))) => {
                    this.queued.clear();
                    return Poll::Ready(Some(Err(error)));
                }
                // 3. Every item started has been yielded (the heap is empty by now).
                Poll::Ready(None) => return Poll::Ready(this.queued.pop().map(|q| q.result)),
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.engine.is_done() {
            return (self.queued.len(), Some(self.queued.len()));
        }
        let pending = self.engine.in_flight().saturating_add(self.queued.len());
        let upper = match &self.stream {
            Some(s) => s.size_hint().1,
            None => Some(0),
        };
        // One result per item, plus possibly one final error.
        (
            0,
            upper.and_then(|u| u.checked_add(pending)?.checked_add(1)),
        )
    }
}

impl<St, F, Fut, T, P> FusedStream for MapOrdered<St, F, Fut, T, P>
where
    St: TryStream<Ok = T, Error: Into<BoxError>>,
    F: FnMut(T) -> Fut,
    Fut: TryFuture,
    Fut::Error: Into<BoxError>,
    P: RetryPolicy<T, Fut::Error>,
{
    fn is_terminated(&self) -> bool {
        self.engine.is_done() && self.queued.is_empty()
    }
}
