//! The engine shared by the ordered, unordered and run-to-completion forms of the
//! fan-out: it pulls items from the input while a slot is free, runs the per-item
//! iterations, retries, counts, and applies the failure policy.
//!
//! The input stream itself lives in the combinator (pinned, as an `Option` so that it
//! can be dropped the moment the fan-out ends: dropping a row stream stops its query).

use std::collections::VecDeque;
use std::fmt;
use std::num::NonZeroUsize;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use futures::stream::{FuturesUnordered, StreamExt, TryStream};
use futures::{TryFuture, future::Future};
use pin_project_lite::pin_project;
use tokio::time::Instant;

use super::config::{MapSettings, Tolerance};
use super::input_error;
use super::retrier::RetryPolicy;
use crate::error::{BoxError, Error};
use crate::settings::seed_or_random;

pin_project! {
    /// One item in flight, a Map state's iteration: an attempt running, or a retry
    /// waiting for its delay.
    #[project = IterationProj]
    pub(super) enum Iteration<Fut, T> {
        Running {
            #[pin]
            fut: Fut,
            index: u64,
            attempt: u32,
            // A copy of the item for a retry, when the policy allows one.
            kept: Option<T>,
        },
        Sleeping {
            #[pin]
            sleep: tokio::time::Sleep,
            index: u64,
            attempt: u32,
            item: Option<T>,
        },
    }
}

/// What an [`Iteration`] hands back to the engine when it is ready.
pub(super) enum IterationOutput<R, E, T> {
    /// An attempt finished.
    Attempted {
        index: u64,
        attempt: u32,
        result: Result<R, E>,
        kept: Option<T>,
    },
    /// A retry's delay passed: call the function again with `item`.
    RetryDue {
        index: u64,
        attempt: u32,
        item: Option<T>,
    },
}

/// The output of an [`Iteration`] running `Fut`.
type OutputOf<Fut, T> = IterationOutput<<Fut as TryFuture>::Ok, <Fut as TryFuture>::Error, T>;

impl<Fut: TryFuture, T> Future for Iteration<Fut, T> {
    type Output = OutputOf<Fut, T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            IterationProj::Running {
                fut,
                index,
                attempt,
                kept,
            } => {
                let result = ready!(fut.try_poll(cx));
                Poll::Ready(IterationOutput::Attempted {
                    index: *index,
                    attempt: *attempt,
                    result,
                    kept: kept.take(),
                })
            }
            IterationProj::Sleeping {
                sleep,
                index,
                attempt,
                item,
            } => {
                ready!(sleep.poll(cx));
                Poll::Ready(IterationOutput::RetryDue {
                    index: *index,
                    attempt: *attempt,
                    item: item.take(),
                })
            }
        }
    }
}

/// What the engine hands to a combinator.
pub(super) enum Outcome<R> {
    /// Item `index` is done: its value, or its error (a failure within the tolerance).
    Item {
        index: u64,
        result: Result<R, Error>,
    },
    /// The fan-out failed and is over: fail fast, threshold exceeded, input error, or
    /// invalid settings.
    Fatal(Error),
}

/// Counters of a fan-out, for its report.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Counts {
    pub(super) started: u64,
    pub(super) succeeded: u64,
    pub(super) failed: u64,
    pub(super) retried: u64,
    pub(super) max_in_flight: usize,
}

/// The span of one fan-out run, documented on [`MapExt`](crate::map::MapExt). Made once per
/// run; the combinators enter it in each of their polls, so the engine's events (and
/// whatever the items log while they are polled) belong to it.
pub(super) fn run_span<T, E, P: RetryPolicy<T, E>>(
    method: &'static str,
    map: &MapSettings<P>,
) -> tracing::Span {
    tracing::info_span!(
        "athena_map",
        method,
        max_concurrency = map.max_concurrency(),
        tolerated_failure_count = map.tolerated_failure_count(),
        tolerated_failure_percentage = map.tolerated_failure_percentage(),
        max_attempts = map.retrier().max_attempts(),
    )
}

pub(super) struct Engine<F, Fut: TryFuture, T, P> {
    f: F,
    policy: P,
    limit: Option<NonZeroUsize>,
    tolerance: Tolerance,
    /// Boxed so that an attempt can be polled once before it joins (see `call`).
    iterations: FuturesUnordered<Pin<Box<Iteration<Fut, T>>>>,
    /// Items whose first poll already finished them (a processor with nothing to wait
    /// for), in the order they started: handed out when no iteration is ready, without
    /// the waker bookkeeping one in `iterations` costs. They count as in flight until then.
    finished: VecDeque<OutputOf<Fut, T>>,
    pub(super) counts: Counts,
    /// Set on the first poll: the run's elapsed time counts from there.
    started_at: Option<Instant>,
    rng: u64,
    /// Set when the settings are invalid: yielded on the first poll.
    invalid: Option<Error>,
    done: bool,
}

impl<F, Fut: TryFuture, T, P> fmt::Debug for Engine<F, Fut, T, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("limit", &self.limit)
            .field("tolerance", &self.tolerance)
            .field("in_flight", &self.in_flight())
            .field("counts", &self.counts)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<F, Fut: TryFuture, T, P> Engine<F, Fut, T, P> {
    pub(super) fn is_done(&self) -> bool {
        self.done
    }

    pub(super) fn in_flight(&self) -> usize {
        self.iterations.len() + self.finished.len()
    }

    /// Time since the first poll, on the tokio clock (zero before it).
    pub(super) fn elapsed(&self) -> Duration {
        self.started_at.map_or(Duration::ZERO, |at| at.elapsed())
    }
}

impl<F, Fut, T, P> Engine<F, Fut, T, P>
where
    F: FnMut(T) -> Fut,
    Fut: TryFuture,
    Fut::Error: Into<BoxError>,
    P: RetryPolicy<T, Fut::Error>,
{
    pub(super) fn new(map: MapSettings<P>, f: F) -> Self {
        let invalid = map
            .validate_tolerance()
            .and_then(|()| map.retrier().validate())
            .err();
        let (limit, tolerance, policy) = map.into_parts();
        Self {
            f,
            rng: seed_or_random(policy.jitter_seed()),
            policy,
            limit,
            tolerance,
            iterations: FuturesUnordered::new(),
            finished: VecDeque::new(),
            counts: Counts::default(),
            started_at: None,
            invalid,
            done: false,
        }
    }

    /// Whether another item may start. `held` is the number of finished results a
    /// combinator keeps (the ordered form's reorder buffer), bounded by the limit too so
    /// that one slow item cannot make the buffer grow without bound.
    fn has_slot(&self, held: usize) -> bool {
        match self.limit {
            None => true,
            Some(limit) => {
                let in_flight = self.in_flight();
                in_flight < limit.get()
                    && in_flight.saturating_add(held) < limit.get().saturating_mul(2)
            }
        }
    }

    fn push(&mut self, iteration: Pin<Box<Iteration<Fut, T>>>) {
        self.iterations.push(iteration);
        self.counts.max_in_flight = self.counts.max_in_flight.max(self.in_flight());
    }

    /// Calls the function on `item` and polls the attempt once right away: one that
    /// is done at once (work with nothing to wait for) goes to `finished` and never
    /// joins `iterations`. One that is pending joins them, and `iterations` polls it
    /// again with its own waker (a spurious extra poll, which futures allow).
    fn call(&mut self, index: u64, attempt: u32, item: T, cx: &mut Context<'_>) {
        let kept = self.policy.keep(&item, attempt);
        let fut = (self.f)(item);
        let mut iteration = Box::pin(Iteration::Running {
            fut,
            index,
            attempt,
            kept,
        });
        match iteration.as_mut().poll(cx) {
            Poll::Ready(output) => {
                self.finished.push_back(output);
                self.counts.max_in_flight = self.counts.max_in_flight.max(self.in_flight());
            }
            Poll::Pending => self.push(iteration),
        }
    }

    /// The next outcome. `held` is explained at [`has_slot`](Self::has_slot).
    pub(super) fn poll_outcome<St>(
        &mut self,
        mut stream: Pin<&mut Option<St>>,
        cx: &mut Context<'_>,
        held: usize,
    ) -> Poll<Option<Outcome<Fut::Ok>>>
    where
        St: TryStream<Ok = T, Error: Into<BoxError>>,
    {
        if self.done {
            return Poll::Ready(None);
        }
        self.started_at.get_or_insert_with(Instant::now);
        if let Some(error) = self.invalid.take() {
            return Poll::Ready(Some(self.fatal(stream, error)));
        }
        loop {
            // 1. Start items while a slot is free and the input has one ready.
            if let Some(fatal) = self.start_items(stream.as_mut(), cx, held) {
                return Poll::Ready(Some(fatal));
            }
            // 2. Take what is ready among the items in flight.
            let output = match self.poll_in_flight(cx) {
                Poll::Ready(Some(output)) => output,
                Poll::Ready(None) if stream.is_none() => {
                    // 3. Input ended and nothing is in flight: the fan-out is over.
                    self.done = true;
                    self.trace_end(None);
                    return Poll::Ready(None);
                }
                // Nothing in flight, the input is open: it was polled above and will wake us.
                Poll::Ready(None) | Poll::Pending => return Poll::Pending,
            };
            if let Some(outcome) = self.on_output(stream.as_mut(), output, cx) {
                return Poll::Ready(Some(outcome));
            }
        }
    }

    /// Pulls items and starts them while a slot is free. The input is polled only
    /// then: backpressure, no reading ahead of the slots. Returns the outcome that ends
    /// the fan-out, if the input failed or its end decided the tolerated percentage.
    fn start_items<St>(
        &mut self,
        mut stream: Pin<&mut Option<St>>,
        cx: &mut Context<'_>,
        held: usize,
    ) -> Option<Outcome<Fut::Ok>>
    where
        St: TryStream<Ok = T, Error: Into<BoxError>>,
    {
        while self.has_slot(held) {
            let input = stream.as_mut().as_pin_mut()?;
            match input.try_poll_next(cx) {
                Poll::Ready(Some(Ok(item))) => {
                    let index = self.counts.started;
                    self.counts.started += 1;
                    self.call(index, 1, item, cx);
                }
                Poll::Ready(Some(Err(error))) => {
                    return Some(self.fatal(stream, input_error(error)));
                }
                Poll::Ready(None) => {
                    stream.set(None);
                    // The total is known now: the percentage can be decided.
                    if self
                        .tolerance
                        .exceeded(self.counts.failed, Some(self.counts.started))
                    {
                        return Some(self.threshold_exceeded(stream, None));
                    }
                }
                Poll::Pending => break,
            }
        }
        None
    }

    /// The next output of an item in flight: the iterations first, then those finished
    /// when they started. Iterations go first because `finished` can stay non-empty
    /// for as long as the input has items ready; an iteration polled only once it
    /// emptied (a retry due, a slow item done) would wait that long.
    fn poll_in_flight(&mut self, cx: &mut Context<'_>) -> Poll<Option<OutputOf<Fut, T>>> {
        let polled = if self.iterations.is_empty() {
            Poll::Ready(None)
        } else {
            self.iterations.poll_next_unpin(cx)
        };
        match polled {
            Poll::Ready(Some(output)) => Poll::Ready(Some(output)),
            idle => match self.finished.pop_front() {
                Some(output) => Poll::Ready(Some(output)),
                None => idle,
            },
        }
    }

    /// Counts an iteration's output; the outcome to hand out, if there is one.
    fn on_output<St>(
        &mut self,
        stream: Pin<&mut Option<St>>,
        output: OutputOf<Fut, T>,
        cx: &mut Context<'_>,
    ) -> Option<Outcome<Fut::Ok>> {
        match output {
            IterationOutput::Attempted {
                index,
                result: Ok(value),
                ..
            } => {
                self.counts.succeeded += 1;
                Some(Outcome::Item {
                    index,
                    result: Ok(value),
                })
            }
            IterationOutput::Attempted {
                index,
                attempt,
                result: Err(error),
                kept,
            } => {
                if let Some(item) = kept
                    && let Some(delay) = self.policy.retry_delay(&error, attempt, &mut self.rng)
                {
                    self.retry(index, attempt, item, delay, error.into());
                    return None;
                }
                self.failed(stream, index, attempt, error.into())
            }
            IterationOutput::RetryDue {
                index,
                attempt,
                item: Some(item),
            } => {
                self.call(index, attempt + 1, item, cx);
                None
            }
            // An iteration is never polled again once done, so its item is always there.
            IterationOutput::RetryDue { item: None, .. } => None,
        }
    }

    /// An item failed for good: the outcome is its error, or the end of the fan-out
    /// when failing fast or past the threshold.
    fn failed<St>(
        &mut self,
        stream: Pin<&mut Option<St>>,
        index: u64,
        attempts: u32,
        source: BoxError,
    ) -> Option<Outcome<Fut::Ok>> {
        self.counts.failed += 1;
        tracing::warn!(index, attempts, error = %source, "map item failed");
        let error = Error::Item {
            index,
            attempts,
            source,
        };
        let total = stream.is_none().then_some(self.counts.started);
        if self.tolerance.is_fail_fast() {
            return Some(self.fatal(stream, error));
        }
        if self.tolerance.exceeded(self.counts.failed, total) {
            return Some(self.threshold_exceeded(stream, Some(error)));
        }
        Some(Outcome::Item {
            index,
            result: Err(error),
        })
    }

    fn retry(&mut self, index: u64, attempt: u32, item: T, delay: Duration, error: BoxError) {
        self.counts.retried += 1;
        tracing::info!(index, attempt, ?delay, %error, "map item retried");
        self.push(Box::pin(Iteration::Sleeping {
            sleep: tokio::time::sleep(delay),
            index,
            attempt,
            item: Some(item),
        }));
    }

    fn threshold_exceeded<St>(
        &mut self,
        stream: Pin<&mut Option<St>>,
        last: Option<Error>,
    ) -> Outcome<Fut::Ok> {
        let (failed, total) = (self.counts.failed, self.counts.started);
        let error = self.tolerance.threshold_error(failed, total, last);
        self.fatal(stream, error)
    }

    /// Ends the fan-out: in-flight items and the input are dropped now.
    fn fatal<St>(&mut self, mut stream: Pin<&mut Option<St>>, error: Error) -> Outcome<Fut::Ok> {
        self.iterations.clear();
        self.finished.clear();
        stream.set(None);
        self.done = true;
        self.trace_end(Some(&error));
        Outcome::Fatal(error)
    }

    /// The event that closes a run's span, with the run's counts.
    fn trace_end(&self, error: Option<&Error>) {
        let Counts {
            succeeded,
            failed,
            retried,
            max_in_flight,
            ..
        } = self.counts;
        let elapsed = self.elapsed();
        match error {
            None => tracing::info!(
                succeeded,
                failed,
                retried,
                max_in_flight,
                ?elapsed,
                "map run succeeded"
            ),
            Some(error) => tracing::warn!(
                succeeded,
                failed,
                retried,
                max_in_flight,
                ?elapsed,
                %error,
                "map run failed"
            ),
        }
    }
}
