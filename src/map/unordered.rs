//! The unordered form of the fan-out: results in completion order.

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
    /// Stream for the [`map_unordered`](crate::map::MapExt::map_unordered) method.
    #[must_use = "streams do nothing unless polled"]
    pub struct MapUnordered<St, F, Fut, T, P>
    where
        Fut: TryFuture,
    {
        #[pin]
        stream: Option<St>,
        engine: Engine<F, Fut, T, P>,
        // The run's span, entered in every poll.
        span: tracing::Span,
    }
}

impl<St, F, Fut, T, P> fmt::Debug for MapUnordered<St, F, Fut, T, P>
where
    St: fmt::Debug,
    Fut: TryFuture,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapUnordered")
            .field("stream", &self.stream)
            .field("engine", &self.engine)
            .finish()
    }
}

impl<St, F, Fut, T, P> MapUnordered<St, F, Fut, T, P>
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
            span: run_span::<T, Fut::Error, P>("map_unordered", &map),
            engine: Engine::new(map, f),
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

impl<St, F, Fut, T, P> Stream for MapUnordered<St, F, Fut, T, P>
where
    St: TryStream<Ok = T, Error: Into<BoxError>>,
    F: FnMut(T) -> Fut,
    Fut: TryFuture,
    Fut::Error: Into<BoxError>,
    P: RetryPolicy<T, Fut::Error>,
{
    type Item = Result<Fut::Ok, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        let _entered = this.span.enter();
        this.engine.poll_outcome(this.stream, cx, 0).map(|event| {
            event.map(|event| match event {
                Outcome::Item { result, .. } => result,
                Outcome::Fatal(error) => Err(error),
            })
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.engine.is_done() {
            return (0, Some(0));
        }
        let upper = match &self.stream {
            Some(s) => s.size_hint().1,
            None => Some(0),
        };
        // One result per item, plus possibly one final error.
        (
            0,
            upper.and_then(|u| u.checked_add(self.engine.in_flight())?.checked_add(1)),
        )
    }
}

impl<St, F, Fut, T, P> FusedStream for MapUnordered<St, F, Fut, T, P>
where
    St: TryStream<Ok = T, Error: Into<BoxError>>,
    F: FnMut(T) -> Fut,
    Fut: TryFuture,
    Fut::Error: Into<BoxError>,
    P: RetryPolicy<T, Fut::Error>,
{
    fn is_terminated(&self) -> bool {
        self.engine.is_done()
    }
}
