//! The run-to-completion form of the fan-out and its report.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use futures::TryFuture;
use futures::stream::TryStream;
use pin_project_lite::pin_project;

use super::config::MapSettings;
use super::engine::{Engine, Outcome, run_span};
use super::retrier::RetryPolicy;
use crate::error::{BoxError, Error, Result};

/// What a [`run_map`](crate::map::MapExt::run_map) did.
#[derive(Debug)]
#[non_exhaustive]
pub struct MapReport {
    /// Items whose function returned `Ok`.
    pub succeeded: u64,
    /// Items that failed after their retries (all within the tolerance).
    pub failed: u64,
    /// Retries made, over all items.
    pub retried: u64,
    /// Time from the first poll to the end, on the tokio clock.
    pub elapsed: Duration,
    /// The highest number of items in flight at once (running, or waiting for a retry).
    pub max_in_flight: usize,
    /// The failed items, in completion order, each an [`Error::Item`] with its index.
    pub failures: Vec<Error>,
}

impl MapReport {
    /// Items processed: succeeded plus failed. Items are rows, or batches when the
    /// input is batched by [`item_batcher`](crate::map::MapExt::item_batcher).
    pub fn items(&self) -> u64 {
        self.succeeded.saturating_add(self.failed)
    }

    /// Items processed per second of [`elapsed`](Self::elapsed); `0.0` when no time
    /// passed. Items are rows, or batches when the input is batched by
    /// [`item_batcher`](crate::map::MapExt::item_batcher).
    pub fn items_per_sec(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.items() as f64 / secs
        } else {
            0.0
        }
    }
}

pin_project! {
    /// Future for the [`run_map`](crate::map::MapExt::run_map) method.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct RunMap<St, F, Fut, T, P>
    where
        Fut: TryFuture,
    {
        #[pin]
        stream: Option<St>,
        engine: Engine<F, Fut, T, P>,
        // The run's span, entered in every poll.
        span: tracing::Span,
        failures: Vec<Error>,
    }
}

impl<St, F, Fut, T, P> fmt::Debug for RunMap<St, F, Fut, T, P>
where
    St: fmt::Debug,
    Fut: TryFuture,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunMap")
            .field("stream", &self.stream)
            .field("engine", &self.engine)
            .field("failures", &self.failures.len())
            .finish_non_exhaustive()
    }
}

impl<St, F, Fut, T, P> RunMap<St, F, Fut, T, P>
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
            span: run_span::<T, Fut::Error, P>("run_map", &map),
            engine: Engine::new(map, f),
            failures: Vec::new(),
        }
    }
}

impl<St, F, Fut, T, P> Future for RunMap<St, F, Fut, T, P>
where
    St: TryStream<Ok = T, Error: Into<BoxError>>,
    F: FnMut(T) -> Fut,
    Fut: TryFuture,
    Fut::Error: Into<BoxError>,
    P: RetryPolicy<T, Fut::Error>,
{
    type Output = Result<MapReport>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let _entered = this.span.enter();
        loop {
            match ready!(this.engine.poll_outcome(this.stream.as_mut(), cx, 0)) {
                Some(Outcome::Item { result: Ok(_), .. }) => {}
                Some(Outcome::Item {
                    result: Err(error), ..
                }) => this.failures.push(error),
                Some(Outcome::Fatal(error)) => return Poll::Ready(Err(error)),
                None => {
                    let counts = this.engine.counts;
                    return Poll::Ready(Ok(MapReport {
                        succeeded: counts.succeeded,
                        failed: counts.failed,
                        retried: counts.retried,
                        elapsed: this.engine.elapsed(),
                        max_in_flight: counts.max_in_flight,
                        failures: std::mem::take(this.failures),
                    }));
                }
            }
        }
    }
}
